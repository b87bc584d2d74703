"""Moving around the review view by key: the rows of the Images table (D / A), the problem objects of the
image shown (. / ,) and the images with a problem, worst first (W / Shift+W): a reviewer's queue, as CVAT's
and Label Studio's reviews walk their issues. A part of ``ReviewView`` (its base class), kept apart so the
view stays building and scoring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QKeyEvent

from pixelproof.core.qa_tables import has_problem, worst_order
from pixelproof.core.wording import plural
from pixelproof.ui.review.tables import STATUS_TEXT, image_decision

if TYPE_CHECKING:
    from pixelproof.core.qa import ObjectRow
    from pixelproof.ui.review.view import ReviewView


class ReviewNavigation:
    """Image and object steps of ``ReviewView`` (``self`` is the view)."""

    def keep_keys_out_of_fields(self: ReviewView) -> None:
        """Esc in the note field, and Esc or Enter in the filter box, give the keys back to the table they
        serve (as Esc in a dock gives them to the canvas): D, W, . and O typed into the field otherwise."""
        self.decision.note_edit.installEventFilter(self)
        self.images.filter_edit.installEventFilter(self)

    def eventFilter(self: ReviewView, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        keys = [Qt.Key.Key_Escape]
        if watched is self.images.filter_edit:
            keys += [Qt.Key.Key_Return, Qt.Key.Key_Enter]  # the filter has taken what was typed
            table = self.images.image_table
        elif watched is self.decision.note_edit:
            table = self.object_table  # the note stays for the next decision
        else:
            return False
        if event.key() not in keys:
            return False
        table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def select_image(self: ReviewView, image_id: int) -> None:
        """Make ``image_id`` (candidate id) the current row (if it is scored and not filtered out)."""
        self.images.select_image(image_id)

    def step_image(self: ReviewView, step: int) -> bool:
        """D / A here: the next / previous row of the Images table as sorted and filtered (the worst images
        one after the other), not file order; at either end, or with a filter that shows none, the image
        stays and the status bar says so (file order there opened images the filter leaves out). False
        while the table has no row (the caller walks the Images panel's list)."""
        if self.scored is None or self.preview.active or self.images.image_model.rowCount() == 0:
            return False
        if self.images.image_proxy.rowCount() == 0:
            total = plural(self.images.image_model.rowCount(), "image")
            self.statusMessage.emit(f"No image to go to: the filter shows 0 of {total}")
            return True
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
        """A decision moves on to the next row, so Ctrl+Enter after Ctrl+Enter decides the rows in turn."""
        index = self.object_table.currentIndex()
        if index.isValid() and index.row() + 1 < self.object_model.rowCount():
            self.object_table.setCurrentIndex(self.object_model.index(index.row() + 1, 0))
            self._advanced_to = index.row() + 1

    def step_problem(self: ReviewView, step: int) -> None:
        """. / ,: the next (previous) missed, extra or wrong-class object of the image after (before) the
        current row of the Objects table, in its order; the first (last) with no row current. After a
        decision moved on to the next row, . starts at that row (it is the next one to look at). At the end
        the status bar says so and the row stays. The focus stays where it is (a note being typed)."""
        rows = self.object_model.rows
        problems = [n for n, r in enumerate(rows) if r.status not in ("match", "ignored")]
        index = self.object_table.currentIndex()
        # a current row not selected is none: the table makes its first row current, unselected, when it
        # takes the focus (Tab, Esc from the note), and . then skipped it, always a problem when any is
        picked = index.isValid() and self.object_table.selectionModel().isRowSelected(index.row())
        at = index.row() if picked else (-1 if step > 0 else len(rows))
        if step > 0 and at == self._advanced_to:
            at -= 1  # a decision moved on to this row: . names it, else ". Ctrl+Enter" skipped every other
        self._advanced_to = -1
        ahead = [n for n in problems if n > at] if step > 0 else [n for n in problems if n < at][::-1]
        if not ahead:
            where = "after" if step > 0 else "before"
            none = "No problem object" if not problems else f"No problem object {where} this one"
            self.statusMessage.emit(f"{none} in this image ({plural(len(problems), 'problem object')}; "
                                    "W: the next worst image)")  # fmt: skip
            return
        self.select_object(ahead[0])
        self.object_table.scrollTo(self.object_model.index(ahead[0], 0))
        r = rows[ahead[0]]
        what = STATUS_TEXT.get(r.status, r.status)
        self.statusMessage.emit(f"Problem object {problems.index(ahead[0]) + 1} of {len(problems)}: {what}")

    def step_worst(self: ReviewView, step: int) -> None:
        """W / Shift+W: the next (previous) image with a problem (``qa_tables.has_problem``) worst first by
        mean Dice, then by objects that differ (as ``pixelproof qa`` lists them), whatever the table's sort;
        from an image without one, the worst (Shift+W: the least bad). Only the images the table's filter
        shows; those accepted or rejected as a whole are passed over (done)."""
        if self.scored is None or self.preview.active or self.document is None:
            return
        scored = {r["image_id"]: r for r in self.scored.image_table}
        listed = [scored[i] for i in self.images.listed_ids() if i in scored and has_problem(scored[i])]
        ids = [r["image_id"] for r in sorted(listed, key=worst_order)]
        if self.image_id in ids:
            at = ids.index(self.image_id)
            ahead = ids[at + 1 :] if step > 0 else ids[:at][::-1]
        else:
            ahead = ids if step > 0 else ids[::-1]
        project = self.document.project
        target = next((i for i in ahead if image_decision(project, i) is None), None)
        if target is None:
            where = "after this one" if step > 0 and self.image_id in ids else "before this one"
            where = where if self.image_id in ids else "left"
            shown, total = self.images.image_proxy.rowCount(), self.images.image_model.rowCount()
            filtered = f"; the filter shows {shown} of {plural(total, 'image')}" if shown < total else ""
            self.statusMessage.emit(f"No image with a problem {where} to review ({len(ids)} with a problem, "
                                    f"those decided as a whole passed over{filtered})")  # fmt: skip
            return
        self.select_image(target)
        rank = ids.index(target) + 1
        name = self.scored.pairs[target].file_name if target in self.scored.pairs else str(target)
        self.statusMessage.emit(f"Worst image {rank} of {len(ids)} with a problem: {name}")
