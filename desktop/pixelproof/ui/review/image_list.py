"""The left side of the review view: the per-volume (3D) rows with their means over volumes pinned under
them, the filter, the Images table, the per-class summary with its "all classes" row pinned under the class
rows, a video's tracking figures (``track_figures``), and the Dice histogram. A confusion matrix cell
picked in the model dialog keeps the Images table to its images (with the typed filter), a bar above the
table saying which cell, its button undoing it.

At 1366x768 the summary row, the last of the table, was behind its bottom edge (and ~80 px further under a
banner of warnings): the one figure a reviewer reads first needed a scroll. The class rows now scroll in a
table as tall as they are (up to ``MAX_ROWS``, the Images table taking the rest), and the summary row sits
in a one-row table under them that never scrolls, its columns as wide as theirs."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSignalBlocker,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.image_order import step_listed
from pixelproof.core.qa import QAResult
from pixelproof.core.qa_tables import DISTANCE_FIELDS, DISTANCE_UNITS
from pixelproof.core.volumes import parse_slice_ref
from pixelproof.core.wording import plural
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.file_names import FileNameDelegate, file_part
from pixelproof.ui.fitted_table import CELL_PADDING, FittedTable
from pixelproof.ui.review.class_table import ClassSummaryModel
from pixelproof.ui.review.filter import Condition, FilterError, parse_filter
from pixelproof.ui.review.histogram import DiceHistogram
from pixelproof.ui.review.image_rows import ImageRows
from pixelproof.ui.review.model_scores import ModelScores
from pixelproof.ui.review.parts import OneLineHeading, heading, table
from pixelproof.ui.review.tables import (
    DEFAULT_METRICS,
    REVIEW_WORDS,
    ImageFilterProxy,
    ImageTableModel,
)
from pixelproof.ui.review.track_figures import TrackFigures
from pixelproof.ui.review.volumes import MAX_ROWS as VOLUME_ROWS
from pixelproof.ui.review.volumes import VolumeMeans, VolumeSortProxy, VolumeTable, VolumeTableModel

FILTER_TIP = (
    "Conditions such as Dice < 0.9 and FP > 0. A distance (HD, HD95, ASSD, MASD) may name its unit, "
    "HD95 < 5 mm, HD95 < 50 µm (a slide's, as the table reads it; um too) or HD95 < 5 px, and then keeps "
    "only the images in that unit; while images are in mm and px it must name it."
)
MAX_ROWS = 8  # class rows shown before they scroll
VOLUME_HEADING = "Per volume (3D) — each volume scored as a whole"
VOLUME_TIP = (
    "3D figures of each volume, as pixelproof qa's per_volume rows: Dice and IoU from voxel counts, "
    "distances between boundary voxels in mm (or voxel units without spacing). Click a row to go to the "
    "volume's first slice where the two sides differ in that class."
)
SLICES_HEADING = "Per slice (2D) — each slice scored on its own"
SLICES_TIP = (
    "Each slice is scored on its own, in 2D; the per-class figures are means over the slices, a slice "
    "where one side is empty counting the image diagonal for its ∞ distance (marked *). The Per volume "
    "(3D) table above has the volumes' figures measured in 3D."
)
CLASS_HEADING = "Per class"
CLASS_HEADING_SLICES = "Per class — means over slices (2D)"  # ", not 3D" wrapped it at 1366x768
MIN_ROWS = 3  # never fewer, however short the window


class SummaryPart(QSortFilterProxyModel):
    """The class rows of a ``ClassSummaryModel`` (``total`` False) or its last row, all classes (True)."""

    def __init__(self, source: ClassSummaryModel, total: bool) -> None:
        super().__init__()
        self.total = total
        self.setSourceModel(source)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        return (source_row == self.sourceModel().rowCount() - 1) == self.total


def rows_height(view: QTableView, rows: int) -> int:
    """The height of ``view`` showing its header and ``rows`` rows, no more."""
    header = view.horizontalHeader()
    head = header.sizeHint().height() if not header.isHidden() else 0
    return head + rows * view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth()


class ClassRows(FittedTable):
    """The class rows: columns wide enough for the summary row's figures too."""

    def __init__(self, total: QTableView) -> None:
        super().__init__(flexible=(0,))  # Class the rest
        self.total = total

    def column_need(self, col: int) -> int:
        return max(super().column_need(col), self.total.sizeHintForColumn(col))


def pinned_table(name: str, said: str) -> QTableView:
    """A headerless table that never scrolls nor selects, for rows pinned under a scrolling table whose
    columns it follows (``follow_columns``): always in sight."""
    pinned = table(name, said, QTableView())
    pinned.horizontalHeader().hide()
    pinned.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    pinned.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    pinned.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    pinned.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return pinned


def follow_columns(rows: QTableView, pinned: QTableView) -> None:
    """``pinned``'s columns as wide as ``rows``' whenever these change."""
    rows.horizontalHeader().sectionResized.connect(lambda col, _old, new: pinned.setColumnWidth(col, new))


class ClassSummary(QWidget):
    """``rows``: the class rows (scrolling); ``total``: the all-classes row under them (pinned)."""

    def __init__(self, model: ClassSummaryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.total = pinned_table("reviewClassTotal", "All classes")
        self.total.setModel(SummaryPart(model, total=True))
        self.total.setFixedHeight(rows_height(self.total, 1))
        self.rows = table("reviewClasses", "Per class", ClassRows(self.total))
        self.rows.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.rows.setModel(SummaryPart(model, total=False))
        follow_columns(self.rows, self.total)
        model.modelReset.connect(lambda: self.total.setVisible(self.total.model().rowCount() > 0))
        self.total.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.rows)
        layout.addWidget(self.total)


MEASURED_ROWS = 1000  # rows whose slice part the Image column's floor is measured on (as Qt's size hint)
KEY_CHARS = 4  # of the part telling a slice's volume from the others, at most, in the Image column's floor


class ImageTable(FittedTable):
    """The images' table fitted to its pane: the figures and Review as wide as their headers (Review as
    its longest word, before any decision is made), Image the rest. Sized to their contents, the columns
    were 29 px wider than the 470-px pane: a scroll bar hid the Review column's right part. A slice's
    name is cut in its middle (``FileNameDelegate``: its slice part and what tells its volume from the
    others kept); the column never goes below ``…02…#z=005`` (``slice_floor``), so the slice number and
    its volume read. A floor of 20 characters made the figures scroll sideways at 1366x768 (Review out of
    sight) where this fits."""

    def __init__(self) -> None:
        super().__init__(flexible=(0,))
        self._slice_floor = 0

    def column_floors(self) -> Mapping[int, int]:
        """Image's floor for slices of volumes (``slice_floor``, measured with the column's need); plain
        names have none: cut to the room, they keep telling their rows apart."""
        return {0: self._slice_floor} if self._slice_floor else {}

    def slice_floor(self) -> int:
        """The px a slice's name needs to read as its own (``…02…#z=005``): its slice part, and the part
        that tells its volume from the others (``NameSpans``; ``KEY_CHARS`` of it at most) between two
        ``…``; the widest of the first ``MEASURED_ROWS`` rows. 0 when none is a slice of a volume."""
        model, fm = self.model(), self.fontMetrics()
        rows = min(model.rowCount(), MEASURED_ROWS) if model is not None else 0
        names = [model.index(r, 0).data() for r in range(rows)]
        slices = {n for n in names if isinstance(n, str) and parse_slice_ref(n) is not None}
        if not slices:
            return 0
        delegate = self.itemDelegateForColumn(0)
        spans = delegate.spans(model.index(0, 0)) if isinstance(delegate, FileNameDelegate) else None
        key_cap = KEY_CHARS * fm.horizontalAdvance("x")
        widest = 0
        for name in slices:
            file = file_part(name)
            part = spans.differing(file) if spans is not None else None
            key = min(fm.horizontalAdvance(file[part[0] : part[1]]), key_cap) if part else 0
            widest = max(widest, key + fm.horizontalAdvance(name[len(file) :]))
        return widest + 2 * fm.horizontalAdvance("…") + CELL_PADDING

    def column_need(self, col: int) -> int:
        need = super().column_need(col)
        if col == 0:
            self._slice_floor = self.slice_floor()
        if col == self.horizontalHeader().count() - 1:  # Review
            words = max(self.fontMetrics().horizontalAdvance(w) for w in REVIEW_WORDS)
            need = max(need, words + CELL_PADDING)
        return need


class ImageList(QWidget):
    """The images with their metrics (a filter box such as "Dice < 0.9"), the per-class summary and the
    histogram of per-image Dice; above them, when the images are slices of volumes, each volume's 3D
    figures (``volumes.VolumeTable``), the per-image rows and means then said to be per slice (2D).
    ``filterChanged``: a matrix cell was picked or cleared (the view applies the filter and keeps a shown
    image current)."""

    filterChanged = Signal()
    statusMessage = Signal(str)  # what copying or saving the rows did

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cell: tuple[str, set[int]] | None = None  # the matrix cell's words and images, if one
        self.volume_heading = heading(VOLUME_HEADING)
        self.volume_heading.setToolTip(VOLUME_TIP)
        self.volume_model = VolumeTableModel()
        # the means over volumes pinned under the volume rows (four in sight at 1366x768, then they scroll)
        self.volume_means = pinned_table("reviewVolumeMeans", "Means over volumes (3D)")
        self.volume_means.setModel(VolumeMeans(self.volume_model))
        self.volume_table = table("reviewVolumes", "Per volume (3D)", VolumeTable(self.volume_means))
        self.volume_table.setModel(VolumeSortProxy(self.volume_model))
        self.volume_table.setSortingEnabled(True)
        self.volume_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by volume, then class
        self.volume_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.volume_table.setItemDelegateForColumn(0, FileNameDelegate(self.volume_table))  # keeps .nii.gz
        follow_columns(self.volume_table, self.volume_means)
        self.slices_heading = heading(SLICES_HEADING)
        self.slices_heading.setToolTip(SLICES_TIP)
        for w in (self.volume_heading, self.volume_table, self.volume_means, self.slices_heading):
            w.hide()
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("reviewFilter")
        self.filter_edit.setAccessibleName("Filter images")
        self.filter_edit.setPlaceholderText("Filter, e.g. Dice < 0.9 and FP > 0")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(FILTER_TIP)
        self.filter_note = QLabel()
        self.filter_note.setTextFormat(Qt.TextFormat.RichText)  # escaped: a filter's "<" reads as written
        self.filter_note.setWordWrap(True)
        self.filter_note.hide()
        self.cell_bar = QWidget()
        self.cell_note = QLabel()
        self.cell_note.setObjectName("reviewCellFilter")
        self.cell_note.setTextFormat(Qt.TextFormat.PlainText)  # class names, never markup
        self.cell_note.setWordWrap(True)
        self.cell_clear = QToolButton()
        self.cell_clear.setText("Show all images")
        self.cell_clear.setObjectName("reviewCellFilterClear")
        self.cell_clear.setToolTip("List every image again (the typed filter stays)")
        bar = QHBoxLayout(self.cell_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.cell_note, 1)
        bar.addWidget(self.cell_clear)
        self.cell_bar.hide()
        self.image_model = ImageTableModel()
        self.image_proxy = ImageFilterProxy()
        self.image_proxy.setSourceModel(self.image_model)
        self.image_table = table("reviewImages", "Images", ImageTable())
        self.image_table.setModel(self.image_proxy)
        self.image_table.setSortingEnabled(True)
        self.image_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.image_table.setItemDelegateForColumn(0, FileNameDelegate(self.image_table))  # keeps #z=012
        # Ctrl/Shift+click picks several rows to copy (the current one is the image shown)
        self.image_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.rows_out = ImageRows(self.image_table, self.image_model)  # copy / save the rows: its menu
        self.rows_out.said.connect(self.statusMessage)
        self.image_table.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.image_table.horizontalHeader().customContextMenuRequested.connect(self._column_menu)
        for n, name in enumerate(self.image_model.metrics, start=1):
            self.image_table.setColumnHidden(n, name not in DEFAULT_METRICS)
        self.class_model = ClassSummaryModel()
        self.classes = ClassSummary(self.class_model)
        self.class_table, self.class_total = self.classes.rows, self.classes.total
        self.histogram = DiceHistogram()
        self.histogram.binClicked.connect(self._filter_bin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 6)
        layout.addWidget(self.volume_heading)
        layout.addWidget(self.volume_table)
        layout.addWidget(self.volume_means)
        layout.addWidget(self.slices_heading)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.cell_bar)
        layout.addWidget(self.filter_note)
        layout.addWidget(self.image_table, 1)
        self.class_heading = OneLineHeading(CLASS_HEADING)  # beside the mAP: cut, never wrapped
        self.model_scores = ModelScores()  # mAP and the confusion matrix, when objects were matched
        self.model_scores.cellChosen.connect(self._cell_chosen)
        self.cell_clear.clicked.connect(self.model_scores.clear_cell)
        class_row = QWidget()  # a widget, not a layout: _share_height counts the widgets' heights
        row = QHBoxLayout(class_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.class_heading, 1)
        row.addWidget(self.model_scores)
        layout.addWidget(class_row)
        layout.addWidget(self.classes)
        self.track_figures = TrackFigures()  # MOTA, IDF1, ID switches: a video's, under the all-classes row
        layout.addWidget(self.track_figures)
        layout.addWidget(self.histogram)
        for model in (self.image_proxy, self.class_model):
            for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved):
                signal.connect(self._share_height)

    def set_result(self, result: QAResult | None) -> None:
        """Show a QA run's per-class means, volumes and model figures (None: none)."""
        self.class_model.set_result(result)
        self.set_volumes(result)
        self.model_scores.set_result(result)
        self.track_figures.set_result(result)
        self.cell = self.model_scores.cell_images()  # the cell's images in this run (the view filters)

    def _cell_chosen(self) -> None:
        self.cell = self.model_scores.cell_images()
        self.filterChanged.emit()

    def _show_cell(self) -> None:
        self.cell_bar.setVisible(self.cell is not None)
        self.cell_note.setText(f"Confusion matrix: {self.cell[0]}" if self.cell else "")
        self.cell_note.setToolTip(self.cell_note.text())

    def set_volumes(self, result: QAResult | None) -> None:
        """Show the 3D rows of the volumes ``result`` scored and their means per class (none: the table
        and its headings hidden), and say the per-image rows and the per-class means are per slice, in 2D,
        when there are some."""
        self.volume_model.set_result(result)
        rows = self.volume_model.rows
        for w in (self.volume_heading, self.volume_table, self.slices_heading):
            w.setVisible(bool(rows))
        self.volume_table.setFixedHeight(rows_height(self.volume_table, min(len(rows), VOLUME_ROWS)))
        means = len(self.volume_model.means)
        self.volume_means.setVisible(means > 0)
        self.volume_means.setFixedHeight(rows_height(self.volume_means, means))
        if rows:
            self.class_heading.set_heading(CLASS_HEADING_SLICES, SLICES_TIP)
        else:
            self.class_heading.set_heading(CLASS_HEADING)
        self._share_height()

    def _share_height(self) -> None:
        """The class rows get what the Images table (every row) and the histogram leave, from
        ``MIN_ROWS`` to as many as there are (``MAX_ROWS`` at most); the Images table gets the rest."""
        layout = self.layout()
        shown = [layout.itemAt(n).widget() for n in range(layout.count())]
        shown = [w for w in shown if w is not None and not w.isHidden()]
        rows, n = self.class_table, self.class_table.model().rowCount()
        others = [w for w in shown if w not in (self.image_table, self.classes, self.histogram)]
        fixed = (
            sum(
                w.height() if w.minimumHeight() == w.maximumHeight() else w.sizeHint().height()
                for w in others
            )
            + self.class_total.height() * self.class_total.isVisible()
        )
        margins = layout.contentsMargins()
        fixed += margins.top() + margins.bottom() + layout.spacing() * (len(shown) - 1)
        fixed += self.histogram.sizeHint().height() + rows_height(
            self.image_table, self.image_proxy.rowCount()
        )
        low, high = rows_height(rows, min(n, MIN_ROWS)), rows_height(rows, min(n, MAX_ROWS))
        rows.setFixedHeight(max(low, min(high, self.height() - fixed)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._share_height()

    # -- filter and rows --------------------------------------------------------------------------
    def apply_filter(self, text: str) -> bool:
        """Keep the rows that meet the conditions typed (the note counts them, and names the rows a
        distance's unit leaves out); False, the note saying why, when the text is no filter (a distance
        without its unit while images are in mm and px, too: ``parse_filter``)."""
        rows = self.image_model.rows
        units = {row.get("unit") for row in rows} & set(DISTANCE_UNITS)
        only = self.cell[1] if self.cell else None
        self._show_cell()
        try:
            conditions = parse_filter(text, units)
        except FilterError as e:
            kept = self.image_proxy.conditions
            if len(units) > 1 and any(c.unit is None and c.metric in DISTANCE_FIELDS for c in kept):
                kept = []  # a re-run brought a second unit: the last good filter compares them as one scale
            self._refilter(kept, only)
            self.filter_note.setText(f"<span style='color:#d55e00'>{html.escape(str(e))}</span>")
            self.filter_note.show()
            self.filter_edit.setToolTip(as_text(str(e)))
            return False
        self.filter_edit.setToolTip(FILTER_TIP)
        self._refilter(conditions, only)
        shown, total = self.image_proxy.rowCount(), self.image_model.rowCount()
        note = f"{shown} of {plural(total, 'image')}" if conditions or only is not None else ""
        for unit in dict.fromkeys(c.unit for c in conditions if c.unit):
            other: dict[str, int] = {}
            for row in rows:
                if row.get("unit") != unit:
                    other[str(row.get("unit"))] = other.get(str(row.get("unit")), 0) + 1
            if other:
                out = ", ".join(f"{n} in {u}" for u, n in other.items())
                note += f"; {out} left out by a distance in {unit}"
        self.filter_note.setText(html.escape(note))
        self.filter_note.setVisible(bool(note))
        self._share_height()
        return True

    def _refilter(self, conditions: list[Condition], only: set[int] | None) -> None:
        """Filter the table with its current row taken off meanwhile: else the selection model moves a
        removed current row in the middle of the proxy's removals and the view changes image there, whose
        follow-ups (the time spent, ``TimeRecorder``, now deferred) must not reach the model mid-change. The
        row is made current again, quietly, if it stays; else the view picks one (``_filter_changed``)."""
        table, proxy, selection = self.image_table, self.image_proxy, self.image_table.selectionModel()
        current = proxy.mapToSource(table.currentIndex())  # its source row: the source is not changed
        row, column = current.row(), current.column()
        with QSignalBlocker(selection):
            selection.clearCurrentIndex()
        proxy.set_conditions(conditions, only)
        index = proxy.mapFromSource(self.image_model.index(row, column)) if row >= 0 else QModelIndex()
        if index.isValid():
            with QSignalBlocker(selection):
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            table.viewport().update()

    def _filter_bin(self, low: float, high: float) -> None:
        op = "<=" if high >= 1.0 else "<"
        self.filter_edit.setText(f"Dice >= {low:g} and Dice {op} {high:g}")

    def _index_of(self, image_id: int) -> QModelIndex:
        """The table's index of ``image_id``: invalid when it is not scored or filtered out."""
        row = self.image_model.row_of(image_id)
        return self.image_proxy.mapFromSource(self.image_model.index(row, 0)) if row >= 0 else QModelIndex()

    def shows(self, image_id: int) -> bool:
        return self._index_of(image_id).isValid()

    def select_row(self, row: int) -> None:
        if 0 <= row < self.image_proxy.rowCount():
            index = self.image_proxy.index(row, 0)
            self.image_table.setCurrentIndex(index)
            self.image_table.scrollTo(index)

    def select_image(self, image_id: int) -> None:
        """Make ``image_id`` the current row, if it is scored and not filtered out."""
        index = self._index_of(image_id)
        if index.isValid():
            self.image_table.setCurrentIndex(index)
            self.image_table.scrollTo(index)

    def listed_ids(self) -> list[int]:
        """The images of the table as sorted and filtered."""
        proxy = self.image_proxy
        return [proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(proxy.rowCount())]

    def step(self, image_id: int, step: int, order: Sequence[int]) -> bool:
        """Go ``step`` rows down (up when negative) from ``image_id``'s row in the table as it is sorted
        and filtered; from an image the table does not show, to the first shown after it in file order
        ``order`` (before it going up), as D / A do in the labeling view (``core.image_order``). False at
        either end."""
        target = step_listed(order, self.listed_ids(), image_id, step)
        if target is None:
            return False
        self.select_image(target)
        return True

    def end_message(self, step: int) -> str:
        """What D at the last row (A at the first) says: the table's end, its sort and its filter."""
        header = self.image_table.horizontalHeader()
        col = header.sortIndicatorSection()
        by = (
            self.image_model.headerData(col, Qt.Orientation.Horizontal) if 0 <= col < header.count() else None
        )
        order = "descending" if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder else "ascending"
        sort = f", sorted by {by} ({order})" if by else ""
        shown, total = self.image_proxy.rowCount(), self.image_model.rowCount()
        filtered = f", {shown} of {plural(total, 'image')} shown by the filter" if shown < total else ""
        return f"{'Last' if step > 0 else 'First'} image of the Images table{sort}{filtered}"

    def _column_menu(self, pos) -> None:  # type: ignore[no-untyped-def]
        """Right-click on the header: show or hide each metric column."""
        menu = QMenu(self)
        for n in range(1, len(self.image_model.metrics) + 1):
            act = menu.addAction(str(self.image_model.headerData(n, Qt.Orientation.Horizontal)))
            act.setCheckable(True)
            act.setChecked(not self.image_table.isColumnHidden(n))
            act.toggled.connect(lambda on, n=n: self.image_table.setColumnHidden(n, not on))
        menu.exec(self.image_table.horizontalHeader().mapToGlobal(pos))
