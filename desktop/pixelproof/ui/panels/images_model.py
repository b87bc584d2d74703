"""The Images panel's table model: a row per image (its name, status, object count and split), the filter's
proxy over it, and the rows it shows as the list D / A walk (``ListedImages``). Qt only; what an image is
comes from the project, what the filter means from ``core.image_query``."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import overload

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from pixelproof.core.image_query import ImageFacts, ImageQuery
from pixelproof.core.model import STATUS_LABELS
from pixelproof.core.split_names import split_of
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.document import Document
from pixelproof.ui.icons import swatch
from pixelproof.ui.panels.object_counts import count_text, count_tip

STATUS_COLORS = {"todo": "#9e9e9e", "in_progress": "#f5a623", "done": "#3cb44b", "reviewed": "#4363d8"}
COUNT_TIP = (
    "Objects of the image (void regions left out); +N: model predictions pending review (dashed on the "
    "canvas, not objects until accepted). Filter: objects>0, predictions>0"
)
SPLIT_TIP = "Dataset split of the image (right-click rows to set it). Filter: split:val, split:none"

MANY_ROWS = 50  # rows of changed counts from which one signal spans them (``counts_changed``)


class ImagesModel(QAbstractTableModel):
    COLUMNS = ("Image", "Status", "Objects", "Split")  # Split hidden while no image has one (the panel)
    SPLIT = 3

    def __init__(self) -> None:
        super().__init__()
        self.doc: Document | None = None
        self.ids: list[int] = []
        self._row: dict[int, int] = {}

    def reset(self, doc: Document | None) -> None:
        self.beginResetModel()
        self.doc = doc
        self.ids = doc.image_ids() if doc is not None else []
        self._row = {i: n for n, i in enumerate(self.ids)}
        self.endResetModel()

    def row_of(self, image_id: int) -> int:
        return self._row.get(image_id, -1)

    def image_changed(self, image_id: int, columns: tuple[int, int] = (0, len(COLUMNS) - 1)) -> None:
        r = self.row_of(image_id)
        if r >= 0:
            self.dataChanged.emit(self.index(r, columns[0]), self.index(r, columns[1]))

    def count_changed(self, image_id: int) -> None:
        """Only the Objects cell: an added or removed annotation changes nothing else of the row."""
        col = self.COLUMNS.index("Objects")
        self.image_changed(image_id, (col, col))

    def counts_changed(self, image_ids: Collection[int]) -> None:
        """``count_changed`` for each of ``image_ids``; for many (an edit of thousands of images' objects),
        one signal over the rows from the first to the last: one per row was ~25 us each, and each made the
        panel look for the current row again."""
        if len(image_ids) <= MANY_ROWS:
            for image_id in image_ids:
                self.count_changed(image_id)
            return
        rows = [r for r in map(self.row_of, image_ids) if r >= 0]
        if rows:
            col = self.COLUMNS.index("Objects")
            self.dataChanged.emit(self.index(min(rows), col), self.index(max(rows), col))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {2: COUNT_TIP, self.SPLIT: SPLIT_TIP}.get(section)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if self.doc is None or not index.isValid():
            return None
        image_id = self.ids[index.row()]
        rec = self.doc.project.images.get(image_id)
        if rec is None:
            return None
        col = index.column()
        status = self.doc.project.image_status(image_id)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return self.doc.shown_file_name(image_id)
            if col == 1:
                return STATUS_LABELS.get(status, status)
            if col == self.SPLIT:
                return split_of(rec) or ""
            return count_text(*self.doc.project.object_counts(image_id))
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return swatch(STATUS_COLORS.get(status, "#9e9e9e"), 10)
        if role == Qt.ItemDataRole.ToolTipRole and col == 2:
            return count_tip(*self.doc.project.object_counts(image_id))
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole path (status, split): the cell may be cut
            shown = f"\n{STATUS_LABELS.get(status, status)}" if col == 1 else ""
            shown += f"\nSplit: {split}" if (split := split_of(rec)) else ""  # its column may be cut
            return as_text(f"{self.doc.project.image_path(rec)}\n{rec.width} x {rec.height} px{shown}")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and col == 2
            and not self.doc.project.object_counts(image_id)[0]
        ):
            return QColor(128, 128, 128)  # nothing labelled (model proposals at most)
        if role == Qt.ItemDataRole.UserRole:
            return image_id
        return None


class ImagesProxy(QSortFilterProxyModel):
    """Shows the rows ``query`` accepts. It reads ``facts``, not the model's cells: a cell is a Python
    call through Qt, and the facts keep what was read of an image's objects between keystrokes."""

    def __init__(self, model: ImagesModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.setSourceModel(model)
        self.images = model
        self.query = ImageQuery()
        self.facts: ImageFacts | None = None

    def set_query(self, query: ImageQuery) -> None:
        self.beginFilterChange()
        self.query = query
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.query or self.facts is None:
            return True
        return self.query(self.facts, self.images.ids[source_row])


class ListedImages(Sequence[int]):
    """The images the filter shows, in the table's order, read from the table as asked: D / A and the
    read-ahead want the shown image's neighbours (``core.image_order`` asks ``row_of``), and listing every
    row first mapped each one through Qt from Python (~0.3 s at each D and after each pause in typing over
    100,000 images). Read it at once: it follows the filter, it is no copy."""

    def __init__(self, model: ImagesModel, proxy: ImagesProxy) -> None:
        self._model, self._proxy = model, proxy

    def __len__(self) -> int:
        return self._proxy.rowCount()

    @overload
    def __getitem__(self, row: int) -> int: ...
    @overload
    def __getitem__(self, row: slice) -> list[int]: ...
    def __getitem__(self, row: int | slice) -> int | list[int]:
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        n = len(self)
        if not -n <= row < n:
            raise IndexError(row)
        source = self._proxy.mapToSource(self._proxy.index(row % n, 0))
        return self._model.ids[source.row()]

    def row_of(self, image_id: int) -> int | None:
        """The image's row in the table, None when the filter hides it (or it is no image here)."""
        row = self._model.row_of(image_id)
        index = self._proxy.mapFromSource(self._model.index(row, 0)) if row >= 0 else None
        return index.row() if index is not None and index.isValid() else None

    def __contains__(self, image_id: object) -> bool:
        return isinstance(image_id, int) and self.row_of(image_id) is not None

    def index(self, image_id: object, start: int = 0, stop: int | None = None) -> int:
        row = self.row_of(image_id) if isinstance(image_id, int) else None
        if row is None or row < start or (stop is not None and row >= stop):
            raise ValueError(f"{image_id} is not listed")
        return row
