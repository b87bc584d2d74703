"""An object's measurements (QuPath's, kept from its GeoJSON) as a two-column table in the Properties
panel: name | value, in the file's order, as QuPath's own measurement table shows them. One line cut after
the first of a cell's dozens of measurements (the rest in a tooltip) was no way to read them.

The table never widens its dock (a long name is cut in its middle, whole in its tooltip), scrolls when long,
and copies the selected rows (Ctrl+C, its context menu) as ``name<TAB>value`` lines, every digit the file
had: what a spreadsheet takes."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from pixelproof.interop.qupath_measurements import Measured
from pixelproof.ui.copy_rows import copy_key, to_clipboard

MIN_ROWS = 2  # shown at least, however short the dock (1366x768: the fields leave ~4 rows): the rest scroll
KEPT_TIP = "Kept from QuPath's GeoJSON and written back on export (not edited here)"
STALE_TIP = (
    "Measured on the shape as imported, edited since: no longer true, left out on export "
    "(QuPath computes it again: Analyze > Calculate features)"
)


class MeasurementTable(QTableWidget):
    """Read-only name | value rows; ``show_rows`` fills it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setObjectName("measurements")
        self.setAccessibleName("Measurements")
        self.setHorizontalHeaderLabels(["Measurement", "Value"])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # "Cell: DAB OD m…" hid min / max / mean
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 4)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        # the dock's width is the user's: the table takes it, never asks for more
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(
            header.sizeHint().height() + MIN_ROWS * self.verticalHeader().defaultSectionSize()
        )
        self.setToolTip(KEPT_TIP)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        # Ctrl+C copies the rows, Ctrl+A selects them all, not the objects (the window's Copy, Select All)
        copy_key(self, self.copy, claim=(QKeySequence.StandardKey.SelectAll,))
        self.rows: list[Measured] = []
        self.stale: set[str] = set()

    def show_rows(self, rows: list[Measured], stale: set[str] | None = None) -> None:
        """Show ``rows`` (the scroll goes back to the top for another object's), those named in ``stale``
        greyed: an edit since import made them untrue."""
        stale = stale or set()
        if rows == self.rows and stale == self.stale:
            return  # the same object's, unchanged: the user's selection and scroll stay
        self.rows, self.stale = list(rows), set(stale)
        grey = self.palette().color(QPalette.ColorRole.PlaceholderText)
        self.clearContents()
        self.setRowCount(len(rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, m in enumerate(rows):
            name = QTableWidgetItem(m.name)
            name.setToolTip(m.name)
            value = QTableWidgetItem(m.shown)
            value.setTextAlignment(right)
            value.setToolTip(m.exact if m.exact != m.shown else "")
            if m.name in stale:
                for item in (name, value):
                    item.setForeground(grey)
                    item.setToolTip(f"{item.toolTip()}\n{STALE_TIP}".strip())
            self.setItem(r, 0, name)
            self.setItem(r, 1, value)
        self.scrollToTop()
        # no taller than its rows: the panel's spare height below them stays empty, not a blank table
        rows_height = len(rows) * self.verticalHeader().defaultSectionSize()
        self.setMaximumHeight(
            self.horizontalHeader().sizeHint().height() + rows_height + 2 * self.frameWidth()
        )

    def sizeHint(self) -> QSize:
        """As tall as ``MIN_ROWS`` rows, the layout giving it the panel's spare height beyond: the dock's
        scroll area counts its content's preferred height (the panel's word-wrapped lines), and Qt's
        default hint (192 px) made the whole panel scroll at 1366x768, the table 4 rows high all the same."""
        return QSize(0, self.minimumHeight())

    def minimumSizeHint(self) -> QSize:
        """No taller than ``MIN_ROWS`` rows either: a layout takes the larger of the two hints as the
        preferred height, and a scroll area's own minimum hint (its scroll bar's arrows and handle, 70 px)
        made a slide's Properties panel (its Box line wrapped by the µm) scroll as a whole at 1366x768."""
        return QSize(super().minimumSizeHint().width(), self.minimumHeight())

    def copied_text(self, every: bool = False) -> str:
        """The selected rows (``every``: all) as ``name<TAB>value`` lines, top to bottom."""
        rows = range(len(self.rows)) if every else sorted({i.row() for i in self.selectedIndexes()})
        return "\n".join(f"{self.rows[r].name}\t{self.rows[r].exact}" for r in rows)

    def copy(self, every: bool = False) -> None:
        to_clipboard(self.copied_text(every))

    def _menu(self, at: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Copy", self.copy).setEnabled(bool(self.selectedIndexes()))
        menu.addAction("Copy All", lambda: self.copy(every=True))
        menu.exec(self.viewport().mapToGlobal(at))
