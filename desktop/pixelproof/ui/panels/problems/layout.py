"""Where the Problems panel's parts go, from the room it has: wide (docked under the image) the list left,
controls and details right; tall (docked at a side) from top to bottom. Wide, its filters go in one row when
they fit (Rules… beside Compare pictures: a row less of height, which is the canvas's under the image), else
in two rows.

The panel asks for the two rows' minimum size whatever the arrangement: in one row it did not get narrower
than the one row's ~700 px (a 1024-px window stayed 1156 px wide, the side docks squeezed, a side dock's
separator stopped), now a narrower window or a side dock dragged wider narrows it and it goes back to two
rows, in the height the dock has (sized by the two rows' minimum when first shown)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)


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
    """The panel's layout, fitted to its size on each resize (``fit``), and the minimum size it asks for
    (``min_size``)."""

    def __init__(self, panel: QWidget, parts: Parts) -> None:
        self.parts = parts
        self.side = QWidget()  # wide: head and foot right of the list
        QVBoxLayout(self.side).setContentsMargins(0, 0, 0, 0)
        self.side.setMaximumWidth(380)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, panel)
        self.box.setContentsMargins(6, 6, 6, 6)
        self.wide: bool | None = None
        self.one_row: bool | None = None
        self._arrange(wide=False)
        self._place(one_row=False)
        self.tall_width = self._measure().width()  # the panel's minimum width tall (at a side)
        self._arrange(wide=True)  # docked under the image, as at the start
        self.two_rows = self._measure()  # the panel's minimum size wide, the filters in two rows
        self._place(one_row=True)
        self.one_row_width = self._measure().width()  # ... in one row (measured again whenever so)

    def fit(self, size: QSize) -> None:
        """Wide when wider than tall (and the two rows fit); one row when it fits, measured, not guessed."""
        width = size.width()
        self._arrange(wide=width > 1.4 * size.height() and width >= self.two_rows.width())
        if not self.wide:
            self._place(one_row=False)
            self.tall_width = self._measure().width()
            return
        if not self.one_row and width >= self.one_row_width:
            self._place(one_row=True)
        if self.one_row:
            self.one_row_width = self._measure().width()
            if width < self.one_row_width:  # it needs more than last measured (longer texts, a font)
                self._place(one_row=False)
        if not self.one_row:
            self.two_rows = self._measure()

    def min_size(self, size: QSize, at_side: bool) -> QSize:
        """The minimum size to ask for, ``size`` that of the layout as it is. Wide, with the filters in one
        row: the two rows' (narrower, the panel goes back to them when narrowed, ``fit``; a row higher, so
        they fit the height the dock has). Wide in a side dock (short among others): the tall one's width,
        so the side can be narrowed (the panel then goes tall, and scrolls) rather than held ~540 px wide."""
        if not self.wide:
            return size
        if at_side:
            return QSize(min(size.width(), self.tall_width), size.height())
        if not self.one_row:
            return size
        return QSize(min(size.width(), self.two_rows.width()), max(size.height(), self.two_rows.height()))

    def _measure(self) -> QSize:
        """The panel's minimum size as now arranged. A layout keeps its items' sizes until it is activated:
        the inner ones first (a moved Rules… changes the head's and the list's), then the panel's."""
        parts = self.parts
        for widget in (parts.head, parts.listing, parts.foot, self.side):
            widget.layout().activate()
        return self.box.totalMinimumSize()

    def _place(self, one_row: bool) -> None:
        """The filters in one row, Rules… beside Compare pictures; or kind, class and Rules… in the first
        row, lowest score and show dismissed in the second: the narrowest two rows (Rules… in the second
        made the panel 43 px wider, more than a 1024-px window had)."""
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
        for widget, row, stretch in [*places, (parts.rules, parts.pictures_row if one_row else first, 0)]:
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


def at_side(dock: QDockWidget | None) -> bool:
    """``dock`` docked left or right of the image (not floating)."""
    window = dock.parentWidget() if dock is not None else None
    if not isinstance(window, QMainWindow) or dock.isFloating():
        return False
    return window.dockWidgetArea(dock) in (
        Qt.DockWidgetArea.LeftDockWidgetArea,
        Qt.DockWidgetArea.RightDockWidgetArea,
    )
