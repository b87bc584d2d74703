"""Moving around the review view by key: the rows of the Images table (D / A) and the objects of the image
shown. A part of ``ReviewView`` (its base class), kept apart so the view stays one screenful of building
and scoring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel

if TYPE_CHECKING:
    from pixelproof.core.qa import ObjectRow
    from pixelproof.ui.review.view import ReviewView


class ReviewNavigation:
    """Image and object steps of ``ReviewView`` (``self`` is the view)."""

    def select_image(self: ReviewView, image_id: int) -> None:
        """Make ``image_id`` (candidate id) the current row (if it is scored and not filtered out)."""
        self.images.select_image(image_id)

    def step_image(self: ReviewView, step: int) -> bool:
        """D / A here: the next / previous row of the Images table as sorted and filtered (the worst images
        one after the other), not file order; at either end the status bar says so. False while no row is
        shown (the caller walks the Images panel's list)."""
        if self.scored is None or self.preview.active or self.images.image_proxy.rowCount() == 0:
            return False
        order = self.document.image_ids() if self.document is not None else []
        if not self.images.step(self.image_id, step, order):
            self.statusMessage.emit(self.images.end_message(step))
        return True

    def current_object(self: ReviewView) -> ObjectRow | None:
        index = self.object_table.currentIndex()
        if not index.isValid() or index.row() >= len(self.object_model.rows):
            return None
        return self.object_model.rows[index.row()]

    def select_object(self: ReviewView, row: int) -> None:
        """Make object row ``row`` current (as a click on it does)."""
        self.object_table.selectionModel().setCurrentIndex(
            self.object_model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _next_object(self: ReviewView) -> None:
        index = self.object_table.currentIndex()
        if index.isValid() and index.row() + 1 < self.object_model.rowCount():
            self.object_table.setCurrentIndex(self.object_model.index(index.row() + 1, 0))
