"""The review view's "Per volume (3D)" table: each volume of the paired slices scored as a whole, as
``pixelproof qa`` writes its ``per_volume`` rows (``core.qa_volumes``; the rows come from the same QA run).

A radiologist reads these: the per-slice rows and their means (an empty slice's ∞ replaced by the image
diagonal) said 9.22 mm* where the two readers' livers are 2.5 mm apart in 3D. With two volumes or more, a
bold row per class under them gives its means over the volumes, the CLI's ``per_volume_class``: pinned
under the volume rows, which scroll (``VolumeMeans``; at 1366x768 the table shows four rows, and the
means came after every volume's, out of sight)."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QTableView

from pixelproof.core.names import base_file_name, shown_name
from pixelproof.core.qa import QAResult
from pixelproof.core.qa_volumes import VolumeRow, drawn_classes, drawn_rows
from pixelproof.core.report import volume_classes
from pixelproof.core.wording import plural
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.fitted_table import FittedTable
from pixelproof.ui.review.tables import SORT_ROLE, format_value
from pixelproof.ui.theme import muted_text

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
        self.means: list[dict[str, Any]] = []  # per class, over the volumes: per_volume_class's rows
        self.volumes = 0

    def set_result(self, result: QAResult | None) -> None:
        """The run's ``per_volume`` rows of the classes a side drew in that volume (``drawn_rows``: no n/a
        row for a CT's ``cat``), then (two volumes or more) the means over them of each class drawn in
        some volume, as ``pixelproof qa`` reports them (``core.report.volume_classes``)."""
        self.beginResetModel()
        every = list(result.per_volume) if result is not None else []
        self.rows = drawn_rows(every)
        self.volumes = len({r.volume for r in every})  # the means are over every volume scored
        self.means = drawn_classes(volume_classes(result)) if result is not None and self.volumes > 1 else []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows) + len(self.means)

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
        if index.row() >= len(self.rows):
            return self._mean_data(self.means[index.row() - len(self.rows)], index.column(), role)
        row = self.rows[index.row()]
        name = VOLUME_COLUMNS[index.column()][0]
        if role == KEY_ROLE:
            return (row.volume, row.category)
        if role == SORT_ROLE and name in ("volume", "category"):
            return (row.volume, row.category) if name == "volume" else (row.category, row.volume)
        if name == "volume":
            if role == Qt.ItemDataRole.DisplayRole:
                return base_file_name(row.volume)
            if role == Qt.ItemDataRole.ToolTipRole:
                return as_text(
                    f"{row.volume}: {plural(row.slices, 'slice')} scored together in 3D; {spacing_text(row)}"
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
            return muted_text()
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

    def _mean_data(self, mean: dict[str, Any], col: int, role: int) -> Any:
        """A class's means over the volumes, in bold: JSON values (None for none, its reason beside it),
        a distance of volumes in mm and in voxel units one mean per unit ("4.00 mm | 2.00 voxel")."""
        name = VOLUME_COLUMNS[col][0]
        if role == KEY_ROLE:
            return ("", mean["category"])  # no volume: a click goes nowhere
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(128, 128, 128, 40)
        groups = mean.get("by_unit") or {mean.get("unit"): mean}
        if name == "volume":
            # the volumes the means are over: those where some side drew the class (a volume where neither
            # did has no figure to average); it said every volume of the run ("3 vol." over 2)
            drawn, empty = mean["n_rows"] - mean["n_both_empty"], mean["n_both_empty"]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"mean, {drawn} vol."  # 'mean of 3 volumes' was cut at 1366x768
            if role == Qt.ItemDataRole.ToolTipRole:
                left_out = (
                    f"; {plural(empty, 'volume')} of the run where neither side drew it "
                    f"{'is' if empty == 1 else 'are'} left out (n/a)"
                    if empty
                    else ""
                )
                return as_text(
                    f"mean of {plural(drawn, 'volume')}: {shown_name(mean['category'])}'s mean of each 3D "
                    f"figure over the {plural(drawn, 'volume')} where a side drew it{left_out} "
                    "(pixelproof qa's per_volume_class)"
                )
            return None
        if name == "category":
            if role == Qt.ItemDataRole.DisplayRole:
                return shown_name(mean["category"])
            return as_text(shown_name(mean["category"])) if role == Qt.ItemDataRole.ToolTipRole else None
        v = mean.get(name)
        if role == SORT_ROLE:
            return math.nan if v is None else float(v)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DisplayRole:
            if name not in DISTANCES:
                return format_value(name, math.nan if v is None else v)
            texts = []
            for unit, g in groups.items():
                gv, inf = g.get(name), g.get(f"{name}_inf_replaced", 0)
                texts.append(
                    "n/a" if gv is None else f"{format_value(name, gv)} {unit}" + ("*" if inf else "")
                )
            return " | ".join(texts)
        if role == Qt.ItemDataRole.ToolTipRole:
            said = [f"mean over {plural(mean['n_rows'], 'volume')} (3D)"]
            if v is None:
                said.insert(0, str(mean.get(f"{name}_reason", "n/a")))
            inf = mean.get(f"{name}_inf_replaced", 0)
            if inf:
                said.append(f"*: {inf} of them ∞ (one side empty), the volume's diagonal standing in")
            return "; ".join(said)
        return None


class VolumeMeans(QSortFilterProxyModel):
    """The model's mean rows alone, in class order: the pinned table under the volume rows."""

    def __init__(self, source: VolumeTableModel) -> None:
        super().__init__()
        self.setSourceModel(source)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        return source_row >= len(self.sourceModel().rows)


class VolumeSortProxy(QSortFilterProxyModel):
    """The volume rows (the means are ``VolumeMeans``'), sorted by any column, n/a always last (both
    orders) and a distance's mm rows before its voxel rows (no two points of one scale), as the Images
    table sorts."""

    def __init__(self, source: VolumeTableModel) -> None:
        super().__init__()
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        return source_row < len(self.sourceModel().rows)

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
    """The volume rows, Volume and Class sharing what the figures leave; columns wide enough for the
    pinned mean rows' figures too (``means``, a table of the same columns). Class keeps 12 characters of
    its names (``lesion`` read ``l…n`` beside long volume names at 1366x768)."""

    def __init__(self, means: QTableView) -> None:
        super().__init__(flexible=(0, 1), min_chars={1: 12})
        self.means = means

    def column_need(self, col: int) -> int:
        return max(super().column_need(col), self.means.sizeHintForColumn(col))
