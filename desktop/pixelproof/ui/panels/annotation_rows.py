"""The Annotations panel's rows as a Qt model: one row per shown object id, each row's text, swatch, tooltip
and greying computed when the view asks for it and kept until the object changes. A QListWidget item per
object cost ~0.6-1 s to rebuild at a slide's 20,000 cells on each image switch or big edit; here a rebuild is
a list of ids (``python -m bench annotations_panel``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QListView

from pixelproof.ui.icons import swatch
from pixelproof.ui.theme import muted_text

Index = QModelIndex | QPersistentModelIndex


class Row(NamedTuple):
    """What a row shows of its object (``AnnotationsPanel._row``)."""

    text: str
    color: QColor
    tip: str
    muted: bool  # rejected or hidden: greyed


def row_matches(ann_id: int, text: str, query: str) -> bool:
    """Whether a row passes the Annotations filter: every word of ``query`` is in the row's text (case
    ignored), a word ``#N`` naming the object's id exactly (``#25`` is not ``#2508``, which lint names)."""
    low = text.lower()
    for word in query.lower().split():
        if word.startswith("#") and word[1:].isdigit():
            if int(word[1:]) != ann_id:
                return False
        elif word not in low:
            return False
    return True


class AnnotationRows(QAbstractListModel):
    """The current image's object ids in their stacking order (``order``), the rows those the filter keeps
    (``ids``). ``describe(ann_id)`` gives a row's look (None: the object is gone)."""

    def __init__(self, describe: Callable[[int], Row | None]) -> None:
        super().__init__()
        self._describe = describe
        self.order: list[int] = []  # every object of the image, back first
        self.ids: list[int] = []  # the rows: those of ``order`` the filter keeps
        self.query = ""
        self._cache: dict[int, Row] = {}
        self._rows: dict[int, int] | None = None  # id -> row, None after the rows changed
        self._icons: dict[int, QIcon] = {}  # a swatch per colour (drawing one costs ~0.1 ms)

    # --- what the view reads ---
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self.ids):
            return None
        ann_id = self.ids[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return ann_id
        row = self.row(ann_id)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.text
        if role == Qt.ItemDataRole.DecorationRole:
            key = row.color.rgba()
            if key not in self._icons:
                self._icons[key] = swatch(row.color)
            return self._icons[key]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tip
        if role == Qt.ItemDataRole.ForegroundRole:
            return muted_text() if row.muted else None  # None: the theme's
        return None

    def row(self, ann_id: int) -> Row | None:
        """Object ``ann_id``'s row look, computed once until ``changed``."""
        found = self._cache.get(ann_id)
        if found is None:
            found = self._describe(ann_id)
            if found is not None:
                self._cache[ann_id] = found
        return found

    def text(self, ann_id: int) -> str:
        row = self.row(ann_id)
        return row.text if row is not None else ""

    def row_of(self) -> dict[int, int]:
        """Shown id -> its row, built once after the rows change."""
        if self._rows is None:
            self._rows = {ann_id: r for r, ann_id in enumerate(self.ids)}
        return self._rows

    def ids_in(self, selection: QItemSelection) -> list[int]:
        """The ids of a selection's rows, range by range (not index by index: a Ctrl+A of 20,000 rows)."""
        ids: list[int] = []
        for rng in selection:
            ids.extend(self.ids[rng.top() : rng.bottom() + 1])
        return ids

    def runs(self, ann_ids: Iterable[int]) -> QItemSelection:
        """The rows of ``ann_ids`` as runs of consecutive rows, one range a run (hidden and absent ids left
        out): selecting row by row re-merges the whole selection each time (5,000 rows took 25 s)."""
        row_of = self.row_of()
        rows = sorted({r for r in map(row_of.get, ann_ids) if r is not None})
        runs = QItemSelection()
        start = prev = None
        for r in rows:
            if start is None:
                start = r
            elif r != prev + 1:
                runs.select(self.index(start, 0), self.index(prev, 0))
                start = r
            prev = r
        if start is not None:
            runs.select(self.index(start, 0), self.index(prev, 0))
        return runs

    # --- what changes it ---
    def _keeps(self, ann_id: int) -> bool:
        return not self.query.strip() or row_matches(ann_id, self.text(ann_id), self.query)

    def reset(self, order: list[int]) -> None:
        """A new image, a restack, a burst of changes: every row anew (their looks computed when shown)."""
        self.beginResetModel()
        self.order = order
        self._cache.clear()
        self._refilter()
        self.endResetModel()

    def set_query(self, query: str) -> None:
        """The filter's text: the rows are the objects it keeps."""
        if query == self.query:
            return
        self.beginResetModel()
        self.query = query
        self._refilter()
        self.endResetModel()

    def _refilter(self) -> None:
        self.ids = [i for i in self.order if self._keeps(i)] if self.query.strip() else list(self.order)
        self._rows = None

    def changed(self, ann_ids: Iterable[int]) -> bool:
        """Objects changed: their rows are described again when next shown. Returns whether the filter now
        keeps another set of them (the caller then re-filters, ``refilter``)."""
        row_of = self.row_of()
        filtering = bool(self.query.strip())
        present: set[int] | None = None  # the image's ids, read only for a row the filter left out
        rows = []
        moved = False
        for ann_id in ann_ids:
            r = row_of.get(ann_id)
            if r is None:
                if not filtering:
                    continue  # another image's object
                if present is None:
                    present = set(self.order)
                if ann_id not in present:
                    continue
            self._cache.pop(ann_id, None)
            if filtering and (r is not None) != self._keeps(ann_id):
                moved = True
            if r is not None:
                rows.append(r)
        if rows:  # one signal for the span of them, not one a row (a batch reclassifies thousands)
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), 0))
        return moved

    def refilter(self) -> None:
        self.beginResetModel()
        self._refilter()
        self.endResetModel()

    def update(self, order: list[int], touched: Iterable[int]) -> None:
        """Objects ``touched`` came or went: drop the rows of those gone from ``order`` (the image's new
        order), insert the new ones where it puts them (the others keep their relative order), row by row."""
        gone = set(self.order) - set(order)
        for ann_id in touched:
            self._cache.pop(ann_id, None)
        for ann_id in gone:
            r = self.row_of().get(ann_id)
            if r is not None:
                self.beginRemoveRows(QModelIndex(), r, r)
                del self.ids[r]
                self._rows = None
                self.endRemoveRows()
        self.order = order
        shown = set(self.ids)
        p = 0
        for ann_id in order:
            if ann_id in shown:
                p += 1
            elif self._keeps(ann_id):  # new (or kept out by the filter before it changed)
                self.beginInsertRows(QModelIndex(), p, p)
                self.ids.insert(p, ann_id)
                self._rows = None
                self.endInsertRows()
                p += 1


class RowsView(QListView):
    """The rows' view. Select All (Ctrl+A in the list) is one range of rows: Qt's own asks the model for
    every row's index (a Python call each: 20,000 took ~30 ms); no row is ever hidden here (the filter
    leaves rows out of the model), so the range is exactly the rows."""

    def selectAll(self) -> None:
        model, selection = self.model(), self.selectionModel()
        n = model.rowCount() if model is not None else 0
        if selection is None or n == 0 or self.selectionMode() not in _MANY:
            super().selectAll()
            return
        every = QItemSelection(model.index(0, 0), model.index(n - 1, 0))
        selection.select(every, QItemSelectionModel.SelectionFlag.ClearAndSelect)


_MANY = (QListView.SelectionMode.ExtendedSelection, QListView.SelectionMode.MultiSelection)
