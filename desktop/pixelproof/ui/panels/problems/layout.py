"""Where the Problems panel's parts go, from the room it has: wide (docked under the image) the list left,
controls and details right; tall (docked at a side) from top to bottom. Wide enough, its filters go in one
row (Rules… beside Compare pictures: a row less of height, which is the canvas's under the image), else in
two rows."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QBoxLayout, QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

ONE_ROW_WIDTH = 690  # the panel's width from which its filters go in one row (it needs about 690 px then)


@dataclass
class Parts:
    """The panel's pieces the arrangement moves: ``filters`` (kind, class, lowest score, show dismissed) go
    in ``filter_rows`` above the list, ``rules`` after them or in ``pictures_row`` (in ``head``)."""

    head: QWidget  # source, Compare pictures (``pictures_row``), Find problems / Cancel, progress
    listing: QWidget  # the filters, the table, the summary
    foot: QWidget  # the detail and the fix's buttons
    filters: tuple[QWidget, ...]
    rules: QWidget
    filter_rows: tuple[QHBoxLayout, QHBoxLayout]
    pictures_row: QHBoxLayout


class Arrangement:
    """The panel's layout, fitted to its size on each resize (``fit``)."""

    def __init__(self, panel: QWidget, parts: Parts) -> None:
        self.parts = parts
        self.side = QWidget()  # wide: head and foot right of the list
        QVBoxLayout(self.side).setContentsMargins(0, 0, 0, 0)
        self.side.setMaximumWidth(380)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, panel)
        self.box.setContentsMargins(6, 6, 6, 6)
        self.wide: bool | None = None
        self.one_row: bool | None = None
        self._place(one_row=True)  # docked under the image, as at the start
        self._arrange(wide=True)

    def fit(self, size: QSize) -> None:
        """Wide when wider than tall; the filters in one row when wide enough."""
        wide = size.width() > 1.4 * size.height() and size.width() >= 560
        self._place(one_row=wide and size.width() >= ONE_ROW_WIDTH)
        self._arrange(wide=wide)

    def _place(self, one_row: bool) -> None:
        """The filters in one row, Rules… beside Compare pictures; or kind and class in the first row, the
        rest and Rules… in the second."""
        if one_row == self.one_row:
            return
        self.one_row = one_row
        parts = self.parts
        first, second = parts.filter_rows
        rest = first if one_row else second
        places = [
            (w, first if i < 2 else rest, 0 if isinstance(w, QCheckBox) else 1)
            for i, w in enumerate(parts.filters)
        ]
        for widget, row, stretch in [*places, (parts.rules, parts.pictures_row if one_row else rest, 0)]:
            for layout in (first, second, parts.pictures_row):
                layout.removeWidget(widget)
            row.addWidget(widget, stretch)

    def _arrange(self, wide: bool) -> None:
        """Wide: the list left, controls and details right. Tall: controls, list, details."""
        if wide == self.wide:
            return
        self.wide = wide
        parts, side = self.parts, self.side.layout()
        for layout in (self.box, side):
            while layout.count():
                layout.takeAt(0)
        if wide:
            self.box.setDirection(QBoxLayout.Direction.LeftToRight)
            side.addWidget(parts.head)
            side.addWidget(parts.foot)
            side.addStretch(1)
            self.box.addWidget(parts.listing, 2)  # the list is what is read: most of the width
            self.box.addWidget(self.side, 1)
            self.side.show()
        else:
            self.box.setDirection(QBoxLayout.Direction.TopToBottom)
            self.box.addWidget(parts.head)
            self.box.addWidget(parts.listing, 1)
            self.box.addWidget(parts.foot)
            self.side.hide()
