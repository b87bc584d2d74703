"""The Qt model of the review view's per-class summary: mean Dice and HD95 (§6 conventions), PQ and object
counts per class, the last row all classes (apart from ``tables``, which holds the images' and objects')."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from pixelproof.core.names import shown_name
from pixelproof.core.qa import QAResult
from pixelproof.core.qa_objects import finest_pixel_mm
from pixelproof.ui.review.tables import format_value, with_unit

CLASS_COLUMNS = (("category", "Class"), ("dice", "Mean Dice"), ("hd95", "HD95"), ("pq", "PQ"),
                 ("tp", "TP"), ("fn", "FN"), ("fp", "FP"), ("wrong_class", "WC"))  # fmt: skip


class ClassSummaryModel(QAbstractTableModel):
    """Per class: mean Dice and HD95 (§6 conventions), PQ and object counts; the last row is all classes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.volumes = False  # the images include slices of volumes scored in 3D (``QAResult.per_volume``)
        self.pixel_mm: float | None = None  # the run's finest pixel size: µm (a slide's) or mm (a CT's)

    def set_result(self, result: QAResult | None) -> None:
        self.beginResetModel()
        self.rows = []
        self.volumes = result is not None and bool(result.per_volume)
        self.pixel_mm = None if result is None else finest_pixel_mm(result.pairs)
        if result is not None:
            self.rows = [c for c in result.per_class() if c["n_rows"] > c["n_both_empty"]]
            self.rows.append({"category": "all classes", **result.summary()})
        self.endResetModel()

    def hd95_text(self, row: dict[str, Any]) -> str:
        """Mean HD95 with its unit; with images in mm and px, one mean per unit ("4.21 mm | 12.30 px"). A mean
        of nothing but ∞ (a mask empty in every image) reads "∞ (721 px)", one counting some ∞ "12.30 px*"."""
        groups = row.get("by_unit") or {row.get("unit"): row}
        texts = []
        for u, g in groups.items():
            v, inf = g.get("hd95", math.nan), g.get("hd95_inf_replaced", 0)
            if not math.isfinite(v):
                texts.append(format_value("hd95", v))
            elif inf and inf >= (g["n_rows"] - g.get("n_both_empty", 0)):  # every row with a distance: ∞
                texts.append(f"∞ ({with_unit(v, u, whole=True, pixel_mm=self.pixel_mm)})")
            else:
                texts.append(with_unit(v, u, pixel_mm=self.pixel_mm) + ("*" if inf else ""))
        return " | ".join(texts)

    def hd95_tip(self, row: dict[str, Any]) -> str | None:
        """What the mean is over, and what its * (or ∞) means: ∞ distances that were not measured, the
        image diagonal standing in for each. With volumes, that these are means over 2D slices."""
        groups = row.get("by_unit") or {row.get("unit"): row}
        said = []
        for u, g in groups.items():
            if not u or "n_rows" not in g:
                continue
            n, inf = g["n_rows"] - g.get("n_both_empty", 0), g.get("hd95_inf_replaced", 0)
            said.append(f"{u}: mean over {n} {'slices or images' if self.volumes else 'images'}")
            if inf:
                mark = "∞ (…)" if inf >= n else "*"
                where = "a slice or image" if self.volumes else "an image"
                said.insert(
                    0,
                    f"{mark}: {inf} of the {n} HD95 values in this {u} mean "
                    f"{'is' if inf == 1 else 'are'} ∞ (one mask empty on {where}); the image diagonal stands "
                    "in for each: they were not measured",
                )
        if self.volumes:
            said.append(
                "Slices are scored one by one in 2D; the Per volume (3D) table has each volume's HD95 "
                "measured in 3D"
            )
        return "\n".join(said) or None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(CLASS_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return CLASS_COLUMNS[section][1]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {
                "hd95": "Mean HD95 over images; an empty side counts as the image diagonal. In mm for "
                "images with a pixel_spacing, else px: never averaged together (one mean per unit)",
                "dice": "Mean Dice over images where the class is present in either (both empty left out)",
                "pq": "Panoptic quality = SQ x RQ over the class's objects",
                "wrong_class": "Objects matched to a reference object of another class",
            }.get(CLASS_COLUMNS[section][0])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        name = CLASS_COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if name == "hd95":
                return self.hd95_text(row)
            return (
                shown_name(row[name]) if name == "category" else format_value(name, row.get(name, math.nan))
            )
        if role == Qt.ItemDataRole.ToolTipRole and name == "hd95":
            return self.hd95_tip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and name != "category":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and index.row() == len(self.rows) - 1:
            f = QFont()
            f.setBold(True)
            return f
        return None
