"""The Objects table of the review view: its figures fitted to what they read, the class names sharing the
rest, and the least needed columns (the two annotation ids, then Dice) hidden while the pane is too narrow
for all of them. At 1024x576 the pane has about 320 px: with every column it scrolled sideways, the class
names read "c…" and HD95 was half out of sight. A right-click on the header shows or hides any of them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu, QWidget

from pixelproof.ui.fitted_table import FittedTable
from pixelproof.ui.review.tables import OBJECT_COLUMNS

CATEGORY, REVIEW = OBJECT_COLUMNS.index("Class"), OBJECT_COLUMNS.index("Review")
# hidden first where the room is short: ids nobody reads for a decision, then Dice (IoU tells the same)
SPARE = tuple(OBJECT_COLUMNS.index(c) for c in ("Ref", "Cand", "Dice"))
OKS = OBJECT_COLUMNS.index("OKS")  # shown by need: only when a row has keypoints on both sides
CATEGORY_CHARS = 6  # a class name keeps so many characters before a spare column gives way


class ObjectTable(FittedTable):
    """A ``FittedTable`` whose ``SPARE`` columns hide, in their order, while the others do not fit the
    viewport with the class names at ``CATEGORY_CHARS`` characters; shown again when they do. A column
    switched on or off from the header's menu stays so (``chosen``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            flexible=(CATEGORY, REVIEW),
            parent=parent,
            keep_headers=(REVIEW,),
            min_chars={CATEGORY: CATEGORY_CHARS},
        )
        self.chosen: dict[int, bool] = {}  # column -> shown, as the user picked it
        self._hiding = False
        header = self.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)

    def measured_needs(self) -> list[int]:
        """Every column's need, hidden or not: whether a hidden one fits again is asked with it."""
        count = self.horizontalHeader().count()
        if self._needs is None or len(self._needs) != count:
            self._needs = [self.column_need(c) for c in range(count)]
        return self._needs

    def auto_hidden(self, needs: Sequence[int]) -> set[int]:
        """The spare columns to hide for every other column to fit the viewport, fewest first."""
        room = self.viewport().width()
        hidden = {c for c, on in self.chosen.items() if not on}
        if not any(r.oks is not None for r in getattr(self.model(), "rows", ())):
            hidden.add(OKS)  # no keypoint pair on this image: the column would read n/a all down
        for c in (None, *(c for c in SPARE if c not in self.chosen)):
            if c is not None:
                hidden.add(c)
            shown = [k for k in range(len(needs)) if k not in hidden]
            widths = self.shared_widths([0 if k in hidden else n for k, n in enumerate(needs)], shown)
            if sum(widths) <= room:
                break
        return hidden

    def fit_columns(self) -> None:
        if self._hiding or self.model() is None:
            return
        hidden = self.auto_hidden(self.measured_needs())
        self._hiding = True  # a section going to or from 0 asks for a refit: this one is it
        try:
            for c in range(self.horizontalHeader().count()):
                if self.isColumnHidden(c) != (c in hidden):
                    self.setColumnHidden(c, c in hidden)
        finally:
            self._hiding = False
        self._fit_timer.stop()
        needs = [0 if c in hidden else n for c, n in enumerate(self.measured_needs())]
        shown, header = self.shown_columns(), self.horizontalHeader()
        for col, width in enumerate(self.shared_widths(needs, shown)):
            if col in shown and header.sectionSize(col) != width:
                header.resizeSection(col, width)

    def refit(self) -> None:
        if not self._hiding:
            super().refit()

    def _column_menu(self, pos: QPoint) -> None:
        """Right-click on the header: show or hide a spare column, kept so whatever the width."""
        menu = QMenu(self)
        model = self.model()
        for c in SPARE:
            act = menu.addAction(str(model.headerData(c, Qt.Orientation.Horizontal)))
            act.setCheckable(True)
            act.setChecked(not self.isColumnHidden(c))
            act.toggled.connect(lambda on, c=c: self.choose(c, on))
        menu.exec(self.horizontalHeader().mapToGlobal(pos))

    def choose(self, col: int, shown: bool) -> None:
        """Column ``col`` shown or hidden from now on, whatever the room (the table may then scroll)."""
        self.chosen[col] = shown
        self.setColumnHidden(col, not shown)
        self.refit()
