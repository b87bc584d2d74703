"""The Problems table: one row per problem (score, kind, class, image, object), sortable, filtered by
kind, class, lowest score and whether dismissed problems show."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QStyle

from pixelproof.core.lint import KINDS, Problem
from pixelproof.core.lint.problems import PROJECT_WIDE
from pixelproof.core.names import base_file_name
from pixelproof.core.paths import natural_key
from pixelproof.ui.cell_text import WholeWordsDelegate, drawn_width, shortest_words
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.fitted_table import CELL_PADDING, FittedTable, share_widths

Index = QModelIndex | QPersistentModelIndex
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the Problem of a row
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


def kind_tip(kind: str) -> str:
    """What a kind means, under the name `pixelproof lint`, its --kinds and its JSON and CSV give it (the
    panel spells it with spaces)."""
    return f"{kind}: {KINDS.get(kind, '')}"


def image_sort_key(file_name: str, shown: str | None = None) -> tuple:
    """The Image column's order: the name it shows (``shown``, else the file's last part), numbers as
    numbers (img2 before img10), then the folder for names shown twice."""
    return natural_key(base_file_name(file_name) if shown is None else shown), natural_key(file_name)


class ProblemsModel(QAbstractTableModel):
    COLUMNS = ("Score", "Kind", "Class", "Image", "Object")

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[Problem] = []
        self.dismissed: frozenset[str] = frozenset()
        #: image id -> its name as the Images panel shows it (``Document.shown_file_name``: MVTec AD's
        #: ``dent/000.png``, not one ``000.png`` per defect folder); None: the file's last part
        self.shown: Callable[[int], str | None] | None = None

    def kinds_and_classes(self, col: int) -> set[str]:
        """Every text the Kind (1) or Class (2) column shows, each once: the cell of one row of each kind
        or class (a few dozen cells, not one per problem)."""
        rows: dict[str, int] = {}
        for r, p in enumerate(self.problems):
            rows.setdefault(p.kind if col == 1 else p.category or "", r)
        return {str(self.data(self.index(r, col))) for r in rows.values()}

    def short_image_names(self, most: int) -> set[str]:
        """Every text of at most ``most`` characters the Image column shows, each once ("(project)",
        "coins.png"): one cell per image, not one per problem."""
        names = {self.image_name(p) for p in {p.image_id: p for p in self.problems}.values()}
        return {n for n in names if len(n) <= most}

    def image_name(self, p: Problem) -> str:
        """The Image column's text of ``p`` ("(project)" for a problem of the project as a whole)."""
        if p.image_id is None:
            return PROJECT_WIDE
        shown = self.shown(p.image_id) if self.shown is not None else None
        return base_file_name(p.file_name) if shown is None else shown

    def set_problems(self, problems: list[Problem]) -> None:
        self.beginResetModel()
        self.problems = list(problems)
        self.endResetModel()

    def replace_image(self, image_id: int | None, problems: list[Problem]) -> None:
        """Swap one image's problems (after an edit) without resetting the rest of the table; None: the
        project's own (``empty_class``)."""
        keep = [p for p in self.problems if p.image_id != image_id]
        if len(keep) == len(self.problems) and not problems:
            return
        self.beginResetModel()  # rows come and go anywhere; the proxy keeps sort and filter
        self.problems = keep + list(problems)
        self.endResetModel()

    def set_dismissed(self, keys: frozenset[str]) -> None:
        if keys != self.dismissed:
            self.dismissed = keys
            if self.problems:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self.problems) - 1, len(self.COLUMNS) - 1)
                )

    def row_of(self, key: str) -> int:
        return next((n for n, p in enumerate(self.problems) if p.key == key), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.problems)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.InitialSortOrderRole:
            # a first click on Score lists the worst first, as the list opens
            return Qt.SortOrder.DescendingOrder if section == 0 else Qt.SortOrder.AscendingOrder
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.problems):
            return None
        p = self.problems[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"{p.score:.2f}",
                p.kind.replace("_", " "),
                p.category or "",
                self.image_name(p),
                "" if p.annotation_id is None else f"#{p.annotation_id}",
            )[col]
        if role == SORT_ROLE:  # the Image column: ProblemsFilter.lessThan
            return (p.score, p.kind, p.category or "", None, p.annotation_id or -1)[col]
        if role == PROBLEM_ROLE:
            return p
        if role == Qt.ItemDataRole.ToolTipRole:  # the Kind and Class cells are cut at a word's end
            named = f"\nClass: {p.category}" if p.category else ""
            thing = "" if p.annotation_id is None else f"\nObject: #{p.annotation_id}"  # given way: here
            return as_text(f"{p.message}\n\n{kind_tip(p.kind)}{named}\n{p.file_name}{thing}")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if p.key in self.dismissed:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(140, 140, 140)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setStrikeOut(True)
                return font
        return None


class ProblemsFilter(QSortFilterProxyModel):
    """Rows of the chosen kind and class scoring at least ``min_score``; dismissed ones only on request."""

    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.kind: str | None = None
        self.category: str | None = None
        self.min_score = 0.5
        self.show_dismissed = False
        self.setSortRole(SORT_ROLE)

    def set_filter(
        self,
        *,
        kind: str | None = None,
        category: str | None = None,
        min_score: float | None = None,
        show_dismissed: bool | None = None,
    ) -> None:
        def change() -> None:
            self.kind = kind
            self.category = category
            if min_score is not None:
                self.min_score = min_score
            if show_dismissed is not None:
                self.show_dismissed = show_dismissed

        self.refilter(change)

    def refilter(self, change: Callable[[], None] = lambda: None) -> None:
        """Apply ``change`` to what the filter depends on, then filter again."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 deprecates invalidateFilter
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def lessThan(self, left: Index, right: Index) -> bool:
        if ProblemsModel.COLUMNS[left.column()] != "Image":
            return super().lessThan(left, right)
        model = self.sourceModel()
        assert isinstance(model, ProblemsModel)
        a, b = (
            image_sort_key(p.file_name, model.image_name(p))
            for p in (i.data(PROBLEM_ROLE) for i in (left, right))
        )
        return a < b

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ProblemsModel)
        p = model.problems[row]
        if p.score < self.min_score:
            return False
        if self.kind is not None and p.kind != self.kind:
            return False
        if self.category is not None and (p.category or "") != self.category:
            return False
        return self.show_dismissed or p.key not in model.dismissed


class ProblemsTable(FittedTable):
    """The list's columns fitted to what they show: Score and Object as wide as their headers, Kind,
    Class and Image sharing the rest by what their longest entries need. Fixed widths and two equal
    stretching columns cut "aspect outlier" and "motorcycle.jpg" in a 1280-px window while Class kept
    room for a long class name nobody had. Short of room (a 1024-px window), Kind and Class are cut after
    a whole word ("aspect…", never "asp…ier") and keep their first words' width at least (a class of one
    word whole, up to ``WORD_CHARS`` characters); the file names give up the rest, cut in the middle, and
    shorter still (1024x576), Object gives way to them (``fit_columns``). The file names keep
    ``IMAGE_CHARS`` characters before Class keeps more than its title: a long one-word class
    (``unused_category_name``, its ``empty_class`` row) kept 14 characters at 1024x576 while "(project)"
    and coins.png showed as "(pr…ct)" and "co…ng" (``shared_widths``)."""

    FLEXIBLE = (1, 2, 3)  # Kind, Class, Image
    WORDS = (1, 2)  # Kind, Class: cut at a word's end
    CLASS = 2
    WORD_CHARS = 14  # a first word longer than this many characters may be cut (the table would scroll)
    IMAGE, OBJECT = 3, 4
    IMAGE_CHARS = 10  # the file names always keep this many average characters, and a name this short whole
    NAME_CHARS = 12  # the file names keep this many characters ("motorcycle.jpg" whole) ...
    # ... or the Object column gives way (its id is in the row's tooltip): at 1024x576 it kept "#24" whole
    # beside "co…ng" for coins.png, and the object a problem is about is selected on the canvas anyway
    _floors: dict[int, int] | None = None  # Kind, Class, Image: measured again with the rows (``refit``)
    _object_need: int | None = None  # the Object column's need, kept while it has given way

    def __init__(self) -> None:
        super().__init__(self.FLEXIBLE)
        for col in self.WORDS:
            self.setItemDelegateForColumn(col, WholeWordsDelegate(self))

    def refit(self) -> None:
        self._floors = None
        self._object_need = None
        super().refit()

    def fit_columns(self) -> None:
        """The columns fitted with the Object column shown while the file names then keep
        ``NAME_CHARS`` characters (or their whole need) and Class its first word, hidden otherwise."""
        shown = set(self.shown_columns()) | {self.OBJECT}
        needs = list(self.measured_needs())
        if self._object_need is None:
            self._object_need = self.column_need(self.OBJECT)
        needs[self.OBJECT] = self._object_need
        least = self.NAME_CHARS * self.fontMetrics().horizontalAdvance("x") + CELL_PADDING
        widths = self.shared_widths(needs, shown, class_gives=False)
        crowded = sum(widths[c] for c in shown) > self.viewport().width()  # Image below its floor
        give_way = crowded or widths[self.IMAGE] < min(needs[self.IMAGE], least)
        if give_way != self.isColumnHidden(self.OBJECT):
            self.setColumnHidden(self.OBJECT, give_way)
            self._needs = None  # measured again for the columns now shown
        super().fit_columns()

    def shared_widths(
        self, needs: Sequence[int], shown: Collection[int], *, class_gives: bool = True
    ) -> list[int]:
        """The widths ``share_widths`` gives the columns; when Kind, Class and Image at their floors are
        wider than the viewport (a long one-word class), Class gives up its first word's width, down to
        its title's, so the file names keep theirs (``class_gives``) and nothing scrolls sideways. The
        class is then cut inside its word; the row's tooltip names it whole."""
        room = self.viewport().width()
        flexible = [c for c in self.flexible if c in shown]
        floors = self.shown_floors(shown)
        widths = share_widths(needs, room, flexible, floors)
        over = sum(widths[c] for c in shown) - room
        if class_gives and over > 0 and self.CLASS in floors:
            floors[self.CLASS] = max(self.header_need(self.CLASS), floors[self.CLASS] - over)
            widths = share_widths(needs, room, flexible, floors)
        return widths

    def column_floors(self) -> dict[int, int]:
        """Kind and Class no narrower than the widest of their texts cut after a first word
        (``shortest_words``); Image no narrower than ``IMAGE_CHARS`` average characters nor than its
        names of at most that many characters ("(project)", "coins.png" whole in any font)."""
        floors = dict(super().column_floors())
        if self._floors is None:
            self._floors = self.measure_floors()
        for col, px in self._floors.items():
            floors[col] = max(floors.get(col, 0), px)
        return floors

    def measure_floors(self) -> dict[int, int]:
        """``column_floors``' Kind, Class and Image floors, measured on the rows' texts."""
        model = self.model()
        source = model.sourceModel() if isinstance(model, QSortFilterProxyModel) else model
        if not isinstance(source, ProblemsModel):
            return {}
        fm = self.fontMetrics()
        most = self.WORD_CHARS * fm.horizontalAdvance("x")
        floors = {}
        for col in self.WORDS:
            words = (shortest_words(t, fm) for t in source.kinds_and_classes(col))
            floors[col] = min(max(words, default=0), most) + CELL_PADDING
        names = (math.ceil(drawn_width(n, self.font())) for n in source.short_image_names(self.IMAGE_CHARS))
        image = max(self.IMAGE_CHARS * fm.averageCharWidth(), max(names, default=0))
        floors[self.IMAGE] = image + CELL_PADDING + (1 if self.showGrid() else 0)
        return floors

    def rows_height(self, rows: int) -> int:
        """The table's height that shows ``rows`` rows whole under its header, with a sideways scroll bar
        (a narrow dock has one)."""
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        header = self.horizontalHeader().sizeHint().height()
        return header + rows * self.verticalHeader().defaultSectionSize() + bar + 2 * self.frameWidth()
