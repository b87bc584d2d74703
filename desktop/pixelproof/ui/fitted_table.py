"""Tables whose columns are fitted to what they show: each column as wide as its header and its entries,
the name columns sharing what is left by their longest entries and giving up the same share when short of
room. Fixed widths and stretching columns cut names in a 1280-px window while keeping room nobody used, or
pushed the last column out of sight behind a horizontal scroll bar (the Problems list, the review's
Images table). A header's width is its title's, with room for the sort arrow only in the column sorted
by: Qt's size hint keeps that room (20 px) in every section of a sortable header, room no arrow is drawn
in, which the review's Images table took from the slice names (``ct_….gz#z=020`` beside FN and FP columns
three times as wide as their figures)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyleOptionHeader,
    QTableView,
    QTreeView,
    QWidget,
)

MIN_SECTION = 28  # px: the header's smallest section
CELL_PADDING = 8  # px: a cell's text margins (as ``FileNameDelegate`` leaves them)
CHANGED_ROWS = 64  # a change of more rows measures the columns again, not each changed cell


def share_widths(
    needs: Sequence[int], room: int, flexible: Collection[int], floors: Mapping[int, int] | None = None
) -> list[int]:
    """Column widths in ``room`` px: each column its need when all fit, the spare split among the
    ``flexible`` ones in proportion to their needs; short of room, the others keep their need and the
    flexible ones give up the same share of theirs (a long kind and a short class are cut alike), but
    none below its ``floors`` width (its header, say): the others give up more instead, and with every
    flexible column at its floor the widths add up to more than ``room`` (the table scrolls)."""
    widths = list(needs)
    flex = [c for c in range(len(needs)) if c in flexible]
    fixed = sum(n for c, n in enumerate(needs) if c not in flexible)
    if not flex or sum(needs[c] for c in flex) <= 0:
        return widths
    left = max(room - fixed, len(flex) * MIN_SECTION)
    floor = floors or {}
    pinned: dict[int, int] = {}  # flexible columns held at their floor
    while True:
        free = [c for c in flex if c not in pinned]
        share = max(left - sum(pinned.values()), 0)
        wanted = sum(needs[c] for c in free)
        low = [c for c in free if wanted > 0 and needs[c] * share // wanted < min(needs[c], floor.get(c, 0))]
        if not low:
            break
        pinned.update({c: min(needs[c], floor[c]) for c in low})
        if len(low) == len(free):  # none above its floor: the table is wider than its room and scrolls
            free = []
            break
    for c, w in pinned.items():
        widths[c] = w
    if not free:
        return widths
    given = 0
    for c in free[:-1]:
        widths[c] = max(MIN_SECTION, needs[c] * share // wanted) if wanted > 0 else MIN_SECTION
        given += widths[c]
    widths[free[-1]] = max(MIN_SECTION, share - given)
    return widths


def header_of(view: QAbstractItemView) -> QHeaderView:
    """The header over ``view``'s columns: a tree's ``header()``, a table's ``horizontalHeader()``."""
    return view.header() if isinstance(view, QTreeView) else view.horizontalHeader()  # type: ignore[attr-defined]


def header_need(table: QAbstractItemView, col: int) -> int:
    """The width column ``col``'s header section needs: its title in its font (the model's for that
    section, as the header paints it: the matrix's italic *background*; bold where the header highlights
    a selected row's sections, as the style then draws it), and the sort arrow only when the table is
    sorted by it. Not ``sectionSizeHint``: it measures every title bold and, in a sortable header, with
    an arrow's room, room no title is drawn in. For every table sizing a column by its header (the
    fitted tables, ``ContentColumns``, the Images panel); a tree's header too."""
    header, model = header_of(table), table.model()
    if model is None:
        return header.sectionSizeHint(col)
    opt = QStyleOptionHeader()
    header.initStyleOption(opt)
    opt.section = col
    opt.text = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
    own = model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole)
    font = QFont(own) if isinstance(own, QFont) else header.font()
    font.setBold(font.bold() or header.highlightSections())
    opt.fontMetrics = QFontMetrics(font)
    sorted_by = header.isSortIndicatorShown() and header.sortIndicatorSection() == col
    arrow = QStyleOptionHeader.SortIndicator.SortDown if sorted_by else QStyleOptionHeader.SortIndicator.None_
    opt.sortIndicator = arrow
    size = header.style().sizeFromContents(QStyle.ContentsType.CT_HeaderSection, opt, QSize(), header)
    return max(size.width(), header.minimumSectionSize())


def content_need(view: QAbstractItemView, col: int) -> int:
    """The width column ``col`` needs: its header (``header_need``) and its entries (Qt's measure: the
    rows in sight and up to 1000 more, each in its own font)."""
    return max(header_need(view, col), view.sizeHintForColumn(col))


class ContentColumns(QObject):
    """Keeps ``columns`` of ``view`` (a table or a tree, its model set) as wide as what they show
    (``content_need``), in place of Qt's ResizeToContents: that sizes a header by ``sectionSizeHint``,
    which measures every title bold and, in a sortable header, with a sort arrow's room, a few pixels
    too many in each column (a title wider than its figures). Measured again on the next turn of the
    event loop when the rows, the cells or the titles change, the sort column moves, the font or the
    style changes or the view shows. ``most``: a column's largest share of the viewport's width (never
    below its title), so a long name leaves the other columns in sight."""

    def __init__(
        self, view: QAbstractItemView, columns: Collection[int], most: Mapping[int, float] | None = None
    ) -> None:
        super().__init__(view)
        self.view = view
        self.columns = tuple(columns)
        self.most = dict(most or {})
        header = header_of(view)
        header.setMinimumSectionSize(min(header.minimumSectionSize(), MIN_SECTION))
        for col in self.columns:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        model = view.model()
        for signal in (
            model.modelReset,
            model.layoutChanged,
            model.rowsInserted,
            model.rowsRemoved,
            model.dataChanged,
            model.headerDataChanged,
        ):
            signal.connect(self.refit)
        header.sortIndicatorChanged.connect(self.refit)  # the arrow's room moves to another column
        view.installEventFilter(self)
        if self.most:
            view.viewport().installEventFilter(self)  # a share of a width that changed
        self.fit()

    def refit(self, *_: object) -> None:
        """Measure the columns again soon (once a burst of changes is over)."""
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kinds = (QEvent.Type.Show, QEvent.Type.FontChange, QEvent.Type.StyleChange)
        if (watched is self.view and event.type() in kinds) or event.type() == QEvent.Type.Resize:
            self.refit()
        return False

    def fit(self) -> None:
        header = header_of(self.view)
        room = self.view.viewport().width()
        for col in self.columns:
            if header.isSectionHidden(col):
                continue
            width = content_need(self.view, col)
            if col in self.most:
                width = min(width, max(header_need(self.view, col), int(room * self.most[col])))
            if header.sectionSize(col) != width:
                header.resizeSection(col, width)


class FittedTable(QTableView):
    """A table view fitting its columns (``share_widths``) whenever its rows or its width change; the
    ``flexible`` columns (names) share the room the others leave. What each column needs is measured
    when the rows change and kept, so dragging a splitter only shares the width again."""

    def __init__(
        self,
        flexible: Collection[int],
        parent: QWidget | None = None,
        *,
        keep_headers: Collection[int] = (),
        min_chars: Mapping[int, int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.flexible = frozenset(flexible)
        self.keep_headers = frozenset(keep_headers)  # flexible columns never cut below their header
        # flexible columns never cut below so many characters (of what they need): past that the
        # figures scroll, as a name cut to a few letters no longer tells its rows apart
        self.min_chars = dict(min_chars or {})
        self._needs: list[int] | None = None
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_columns)
        # held at a floor the columns may scroll: by pixels, so the last one can be seen whole
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(MIN_SECTION)
        # a column shown or hidden (sizes from or to 0): measure again; a drag by the user stays
        header.sectionResized.connect(lambda _col, old, new: (old == 0 or new == 0) and self.refit())
        header.sortIndicatorChanged.connect(self.refit)  # the arrow's room moves to another column

    def setModel(self, model) -> None:  # type: ignore[no-untyped-def]
        super().setModel(model)
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.refit)
        model.dataChanged.connect(self._cells_changed)
        self.refit()

    def _cells_changed(
        self, top_left: QModelIndex | QPersistentModelIndex, bottom_right: QModelIndex | QPersistentModelIndex
    ) -> None:
        """A changed cell wider than its column's need (a decision count growing to ``✓12 ✗10``) widens
        it: the needs were measured with the rows, and the cell was cut."""
        if self._needs is None:
            return  # measured soon anyway
        rows = range(top_left.row(), bottom_right.row() + 1)
        if len(rows) > CHANGED_ROWS:
            self.refit()
            return
        grid = 1 if self.showGrid() else 0  # as QTableView's sizeHintForColumn counts it
        grown = False
        for col in range(top_left.column(), min(bottom_right.column() + 1, len(self._needs))):
            if self.isColumnHidden(col):
                continue
            for row in rows:
                width = self.sizeHintForIndex(self.model().index(row, col, top_left.parent())).width() + grid
                if width > self._needs[col]:
                    self._needs[col], grown = width, True
        if grown:
            self._fit_timer.start()

    def refit(self) -> None:
        """Measure the columns again and fit them (soon: after the rows or columns settle)."""
        self._needs = None
        self._fit_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        """Measured while hidden (a closed dock, the other view), a column may have been measured before
        the style sheet applied: measure again when it shows."""
        super().showEvent(event)
        self.refit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.refit()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # the window, a splitter or a scroll bar coming and going
            self._fit_timer.start()
        return super().viewportEvent(event)

    def column_floors(self) -> Mapping[int, int]:
        """The width in px each flexible column keeps now: ``min_chars`` characters (a subclass may ask
        its rows)."""
        x = self.fontMetrics().horizontalAdvance("x")
        return {c: n * x + CELL_PADDING for c, n in self.min_chars.items()}

    def header_need(self, col: int) -> int:
        """The width column ``col``'s header section needs (``header_need``)."""
        return header_need(self, col)

    def column_need(self, col: int) -> int:
        """The width column ``col`` needs: its header (``header_need``) and its entries (the visible rows
        and up to 1000 more: ``content_need``)."""
        return max(self.header_need(col), self.sizeHintForColumn(col))

    def shown_columns(self) -> list[int]:
        header = self.horizontalHeader()
        return [c for c in range(header.count()) if not header.isSectionHidden(c)]

    def measured_needs(self) -> list[int]:
        """What each shown column needs (``column_need``; a hidden one 0), measured once with the rows."""
        count, shown = self.horizontalHeader().count(), self.shown_columns()
        if self._needs is None or len(self._needs) != count:
            self._needs = [self.column_need(c) if c in shown else 0 for c in range(count)]
        return self._needs

    def shown_floors(self, shown: Collection[int]) -> dict[int, int]:
        """The floors of the ``shown`` flexible columns: their headers (``keep_headers``) and
        ``column_floors``."""
        floors = {c: self.header_need(c) for c in self.keep_headers if c in shown}
        for c, px in self.column_floors().items():
            if c in shown:
                floors[c] = max(floors.get(c, 0), px)
        return floors

    def shared_widths(self, needs: Sequence[int], shown: Collection[int]) -> list[int]:
        """The widths ``share_widths`` gives the ``shown`` columns needing ``needs`` in the viewport."""
        flexible = [c for c in self.flexible if c in shown]
        return share_widths(needs, self.viewport().width(), flexible, self.shown_floors(shown))

    def fit_columns(self) -> None:
        header, shown = self.horizontalHeader(), self.shown_columns()
        for col, width in enumerate(self.shared_widths(self.measured_needs(), shown)):
            if col in shown and header.sectionSize(col) != width:
                header.resizeSection(col, width)
