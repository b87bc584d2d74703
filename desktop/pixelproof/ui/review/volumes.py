"""The review view's "Per volume (3D)" table: each volume of the paired slices scored as a whole, as
``pixelproof qa`` writes its ``per_volume`` rows (``core.qa_volumes``; the rows come from the same QA run).

A radiologist reads these: the per-slice rows and their means (an empty slice's ∞ replaced by the image
diagonal) said 9.22 mm* where the two readers' livers are 2.5 mm apart in 3D."""

from __future__ import annotations

import math
from pathlib import PurePosixPath

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from pixelproof.core.names import shown_name
from pixelproof.core.qa_volumes import VolumeRow
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.fitted_table import FittedTable
from pixelproof.ui.review.tables import SORT_ROLE, format_value

VOLUME_COLUMNS = (("volume", "Volume"), ("category", "Class"), ("dice", "Dice"), ("iou", "IoU"),
                  ("hd95", "HD95"), ("assd", "ASSD"), ("nsd", "NSD"))  # fmt: skip
DISTANCES = ("hd95", "assd")
KEY_ROLE = Qt.ItemDataRole.UserRole  # (volume, category) of a row
MAX_ROWS = 4  # volume rows shown before they scroll
UNIT_ORDER = {"mm": 0, "voxel": 1}  # a distance column sorts mm rows, then voxel rows

_UNITS = "in mm from the slices' pixel spacing and positions, else in voxel units (each cell says which)"
HEADER_TIPS = {
    "volume": "The volume the paired slices belong to, scored as a whole in 3D (pixelproof qa's per_volume)",
    "dice": "3D Dice from the voxel counts of the whole volume (not a mean over slices)",
    "iou": "3D IoU from the voxel counts of the whole volume (not a mean over slices)",
    "hd95": "3D HD95 over the whole volume: the larger of the two directed 95th percentiles of the "
    f"distances between boundary voxels (6-neighbour), {_UNITS}",
    "assd": f"3D average symmetric surface distance over the whole volume, {_UNITS}",
    "nsd": "3D normalised surface distance: the share of boundary voxels within τ of the other side's "
    "boundary (τ in each cell's tooltip)",
}


def spacing_text(row: VolumeRow) -> str:
    """How the row's distances were measured: the voxel spacing in mm, else voxel units."""
    if row.comparison.unit != "mm":
        return "distances in voxel units (no pixel spacing or slice positions)"
    if row.spacing is None:
        return "distances in mm between the voxels' real centres (slices unevenly spaced or shifted)"
    return "voxel spacing " + " × ".join(f"{v:g}" for v in row.spacing) + " mm (slice × row × column)"


class VolumeTableModel(QAbstractTableModel):
    """One row per volume and class: the 3D figures of ``core.qa_volumes.VolumeRow``, unrounded in
    ``SORT_ROLE``, with their unit (mm or voxel) on every distance."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[VolumeRow] = []

    def set_rows(self, rows: list[VolumeRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(VOLUME_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return VOLUME_COLUMNS[section][1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(VOLUME_COLUMNS[section][0])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        name = VOLUME_COLUMNS[index.column()][0]
        if role == KEY_ROLE:
            return (row.volume, row.category)
        if role == SORT_ROLE and name in ("volume", "category"):
            return (row.volume, row.category) if name == "volume" else (row.category, row.volume)
        if name == "volume":
            if role == Qt.ItemDataRole.DisplayRole:
                return PurePosixPath(row.volume).name
            if role == Qt.ItemDataRole.ToolTipRole:
                return as_text(
                    f"{row.volume}: {row.slices} slices scored together in 3D; {spacing_text(row)}"
                )
            return None
        if name == "category":
            if role == Qt.ItemDataRole.DisplayRole:
                return shown_name(row.category)
            if role == Qt.ItemDataRole.ToolTipRole:
                return as_text(shown_name(row.category))
            return None
        v = row.value(name)
        if role == SORT_ROLE:
            return v
        if role == Qt.ItemDataRole.DisplayRole:
            text = format_value(name, v)
            return f"{text} {row.comparison.unit}" if name in DISTANCES and math.isfinite(v) else text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not math.isfinite(v):
            return QColor(140, 140, 140)
        if role == Qt.ItemDataRole.ToolTipRole:
            reason = row.reason(name)
            if reason is not None:
                return f"{reason} (3D, whole volume)"
            if name == "nsd":
                return f"3D, whole volume; τ = {row.comparison.nsd_tau:g} {row.comparison.unit}"
            if name in DISTANCES:
                return f"{v:.4f} {row.comparison.unit} (3D, whole volume; {spacing_text(row)})"
            return f"{v:.4f} (3D, whole volume)"
        return None


class VolumeSortProxy(QSortFilterProxyModel):
    """Sorts by any column, n/a always last (both orders) and a distance's mm rows before its voxel
    rows (no two points of one scale), as the Images table sorts."""

    def __init__(self, source: VolumeTableModel) -> None:
        super().__init__()
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if not isinstance(a, float) or not isinstance(b, float):
            return (tuple(a), left.row()) < (tuple(b), right.row())
        descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
        an, bn = math.isnan(a), math.isnan(b)
        if an or bn:  # Qt reverses lessThan for descending: n/a last either way
            return an != bn and an == descending
        rows = self.sourceModel().rows
        ua, ub = (UNIT_ORDER.get(rows[i.row()].comparison.unit, 2) for i in (left, right))
        if VOLUME_COLUMNS[left.column()][0] in DISTANCES and ua != ub:
            return (ua < ub) != descending
        return (a, left.row()) < (b, right.row())


class VolumeTable(FittedTable):
    """The volume rows, Volume and Class sharing what the figures leave."""

    def __init__(self) -> None:
        super().__init__(flexible=(0, 1))
