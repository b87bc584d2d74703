"""Qt models of the QA tables: images (one row per image, sortable by any metric, filterable by text),
objects of the current image (pairs, missed, extra, wrong class); the per-class summary's is in
``class_table``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from pixelproof.core import measure
from pixelproof.core.limits import note_preview
from pixelproof.core.model import Project
from pixelproof.core.names import base_file_name, shown_name
from pixelproof.core.qa import DISTANCE_FIELDS, ObjectRow
from pixelproof.core.qa_difference import DIFF_COLORS, DIFF_FN, DIFF_FP, DIFF_WRONG_CLASS
from pixelproof.core.qa_tables import PROBLEM_COUNTS, objects_text, tie_before
from pixelproof.core.report_images import how_averaged
from pixelproof.core.wording import plural
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.icons import swatch
from pixelproof.ui.review.filter import METRICS, Condition, matches
from pixelproof.ui.theme import muted_text

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
COUNT_FIELDS = ("tp", "fp", "fn", "wrong_class")
# columns shown by default; the rest can be switched on from the header's context menu
# (WC, wrong class, is not: shown, the Review column and the slice names no longer fit at 1366x768; the
# FN and FP cells' tooltips say "1 wrong class" as qa does)
DEFAULT_METRICS = ("dice", "iou", "hd95", "pq", "fn", "fp")
# headers shorter than the filter's names (``METRICS``), as the Per class table's: the room a column takes
SHORT_HEADERS = {"wrong_class": "WC"}
HIGHER_IS_WORSE = set(DISTANCE_FIELDS) | {"fp", "fn", "wrong_class"}
STATUS_TEXT = {"match": "match", "wrong_class": "wrong class", "fn": "missed (FN)", "fp": "extra (FP)",
               "ignored": "in crowd region (ignored)"}  # fmt: skip
# the Objects table's Status cells: a word beside the colour swatch, the whole STATUS_TEXT in the tooltip
STATUS_SHORT = {"match": "match", "wrong_class": "wrong", "fn": "missed", "fp": "extra", "ignored": "crowd"}
STATUS_CODE = {"fn": DIFF_FN, "fp": DIFF_FP, "wrong_class": DIFF_WRONG_CLASS}
REVIEW_COLORS = {"accepted": QColor(0, 158, 115), "rejected": QColor(213, 94, 0)}
REVIEW_WORDS = (*REVIEW_COLORS, "reviewed")  # what the Images table's Review column can say (its width)
UNIT_ORDER = {"mm": 0, "px": 1}  # a distance column sorts mm rows, then px rows


def format_value(name: str, v: float) -> str:
    """Table text of a figure: n/a for NaN, ∞ for an empty side, counts as integers."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if math.isinf(v):
        return "∞"
    if name in COUNT_FIELDS:
        return str(int(v))
    if name in DISTANCE_FIELDS:
        return f"{v:.2f}"
    return f"{v:.3f}"


def with_unit(v: float, unit: str | None, whole: bool = False, pixel_mm: float | None = None) -> str:
    """A finite distance with its unit: ``2.00 px``, and in mm as the Measure tool writes lengths
    (``measure.length_text``: ``31.2 µm`` under 1 mm, a slide's cells, whose ``pixel_mm`` is under
    0.1 mm; a CT's ``0.72 mm``); ``whole``: px to the unit."""
    if unit == "mm" and whole:  # the ∞ cells' diagonal: as short as the px one (``∞ (721 mm)``)
        shown, said = measure.distance_unit(v, unit, pixel_mm)
        return f"{shown:.0f} {said}"
    if unit == "mm":  # no distance is no length to read in µm: a CT's perfect slice read "0.0 µm"
        return "0.00 mm" if v == 0 else measure.length_text(v, pixel_mm=pixel_mm)
    number = f"{v:.0f}" if whole else f"{v:.2f}"
    return f"{number} {unit}" if unit else number


def distance_text(name: str, row: dict[str, Any], pixel_mm: float | None = None) -> str:
    """An image's mean distance with its unit ("2.00 px"); "∞ (721 px)" when every class with one had a
    mask empty (the diagonal stands in for ∞ in the means), "363.06 px*" when some did (the tooltip says)."""
    v = row.get(name, math.nan)
    unit = row["unit"] if row.get("unit") in ("mm", "px") else None
    if v is None or not math.isfinite(v):
        return format_value(name, v)
    replaced, n = row.get(f"{name}_inf_replaced", 0), row.get(f"{name}_n_values", 0)
    if replaced and replaced >= n:
        return f"∞ ({with_unit(v, unit, whole=True, pixel_mm=pixel_mm)})"
    return with_unit(v, unit, pixel_mm=pixel_mm) + ("*" if replaced else "")


def substituted_tip(name: str, row: dict[str, Any], pixel_mm: float | None = None) -> str | None:
    """Why an image's distance is no measure: how many classes had ∞ and what stood in for it."""
    replaced, n = row.get(f"{name}_inf_replaced", 0), row.get(f"{name}_n_values", 0)
    if not replaced:
        return None
    unit = row.get("unit") or ""
    which = "its only class with a distance" if n == 1 else f"{replaced} of its {n} classes with a distance"
    diagonal = with_unit(row.get("diagonal", math.nan), unit, pixel_mm=pixel_mm)
    return (
        f"{METRICS.get(name, name)} is ∞ (one mask empty) in {which}: the image diagonal, {diagonal}, "
        "stands in for it in this mean and in every mean over images; it was not measured"
    )


def sort_value(v: float | None) -> float:
    return math.nan if v is None else float(v)


def image_decision(project: Project, image_id: int) -> dict[str, str] | None:
    """The whole-image decision (``pixelproof.image_review``) of an image, if one was made."""
    entry = project.app.get("image_review", {}).get(str(image_id))
    return entry if isinstance(entry, dict) else None


class ImageTableModel(QAbstractTableModel):
    """One row per image: file name, its metrics (means over its categories) and its review state."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.project: Project | None = None
        self.metrics = list(METRICS)
        self._row_of: dict[int, int] = {}
        self._shown: Callable[[int], str] | None = None
        self.pixel_mm: float | None = None  # the run's finest pixel size: µm (a slide's) or mm (a CT's)
        self._rows_of: dict[int, list[int]] = {}  # candidate annotation id -> its rows

    def set_rows(
        self, rows: list[dict[str, Any]], project: Project | None, shown: Callable[[int], str] | None = None
    ) -> None:
        """``shown``: the name of a candidate image as the labeling view shows it
        (``Document.shown_file_name``: ``dent/000.png`` where MVTec AD numbers every defect folder from
        ``000.png``); without it, or for an image no longer in ``project``, its file's last part."""
        self.beginResetModel()
        self.rows = rows
        self.project = project
        self._shown = shown
        self._row_of = {r["image_id"]: n for n, r in enumerate(rows)}
        self.endResetModel()

    def shown_name(self, row: dict[str, Any]) -> str:
        """The Image column's text of ``row``: the candidate's name as the Images panel shows it."""
        if self._shown is not None and self.project is not None and row["image_id"] in self.project.images:
            return self._shown(row["image_id"])
        return base_file_name(row["file_name"])

    def row_of(self, image_id: int) -> int:
        return self._row_of.get(image_id, -1)

    def image_changed(self, image_id: int) -> None:
        r = self.row_of(image_id)
        if r >= 0:
            self.dataChanged.emit(self.index(r, 0), self.index(r, self.columnCount() - 1))

    def column_of(self, metric: str) -> int:
        return 1 + self.metrics.index(metric)

    def unit_rank(self, index: QModelIndex | QPersistentModelIndex) -> int:
        """Where a distance's unit sorts: mm (0) before px (1); 0 for any other column."""
        if (
            not 0 < index.column() <= len(self.metrics)
            or self.metrics[index.column() - 1] not in DISTANCE_FIELDS
        ):
            return 0
        return UNIT_ORDER.get(self.rows[index.row()].get("unit"), len(UNIT_ORDER))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 2 + len(self.metrics)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return "Image"
            if section == self.columnCount() - 1:
                return "Review"
            name = self.metrics[section - 1]
            return SHORT_HEADERS.get(name, METRICS[name])
        if role == Qt.ItemDataRole.ToolTipRole and 0 < section < self.columnCount() - 1:
            name = self.metrics[section - 1]
            worse = "higher is worse" if name in HIGHER_IS_WORSE else "lower is worse"
            tip = f"{METRICS[name]} (field “{name}”): {how_averaged(name)}; {worse}"
            if name in DISTANCE_FIELDS:
                tip += "; in mm for an image with a pixel_spacing, else in px (each cell says which)"
            if name in ("fn", "fp", "wrong_class"):
                tip += (
                    "; an object paired with a reference object of another class is counted in WC (Wrong "
                    "class) and in FN and FP too (COCO's way): pixelproof qa says 1 wrong class where the "
                    "row reads FN 1, FP 1, WC 1"
                )
            if name == "cldice":
                tip += (
                    "; thin structures only (cracks, vessels: no 33 x 33 px square fits in a mask), else n/a"
                )
            return tip
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        last = self.columnCount() - 1
        if col == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.shown_name(row)
            if role in (SORT_ROLE,):
                return row["file_name"]
            if role == Qt.ItemDataRole.ToolTipRole:
                return as_text(row["file_name"])
            if role == Qt.ItemDataRole.UserRole:
                return row["image_id"]
            return None
        if col == last:
            status, decision = self._review(row["image_id"])
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                return decision or ("reviewed" if status == "reviewed" else self._object_decisions(row)[0])
            if role == Qt.ItemDataRole.ForegroundRole and decision in REVIEW_COLORS:
                return REVIEW_COLORS[decision]
            if role == Qt.ItemDataRole.ToolTipRole and self.project is not None:
                entry = image_decision(self.project, row["image_id"]) or {}
                if entry.get("note"):
                    return as_text(note_preview(str(entry["note"])))
                return None if decision or status == "reviewed" else self._object_decisions(row)[1]
            return None
        name = self.metrics[col - 1]
        v = row.get(name, math.nan)
        distance = name in DISTANCE_FIELDS
        if role == Qt.ItemDataRole.DisplayRole:
            return distance_text(name, row, self.pixel_mm) if distance else format_value(name, v)
        if role == SORT_ROLE:
            return sort_value(v)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        substituted = distance and bool(row.get(f"{name}_inf_replaced"))
        if role == Qt.ItemDataRole.ForegroundRole and (v is None or not math.isfinite(v) or substituted):
            return muted_text()
        if role == Qt.ItemDataRole.FontRole and substituted:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if v is None or math.isnan(v):
                return "n/a: both empty in every class of this image"
            if math.isinf(v):
                return "∞: one mask empty"
            if substituted:
                return substituted_tip(name, row, self.pixel_mm)
            if distance and row.get("unit"):
                return f"{v:.2f} {row['unit']}"
            if name in PROBLEM_COUNTS:
                return objects_text(row)
        return None

    def _object_decisions(self, row: dict[str, Any]) -> tuple[str, str | None]:
        """Text and tooltip for an image without a whole-image decision whose objects carry some: its
        row would otherwise read as never looked at."""
        if self.project is None:
            return "", None
        anns = self.project.annotations_of(row["image_id"])
        accepted = sum(a.review == "accepted" for a in anns)
        rejected = sum(a.review == "rejected" for a in anns)
        if not accepted and not rejected:
            return "", None
        # as short as the column's words ("✓2 ✗1"): a wider column would take the names' room at 1280 px
        text = " ".join(w for w, n in ((f"✓{accepted}", accepted), (f"✗{rejected}", rejected)) if n)
        tip = (
            f"{accepted} accepted, {rejected} rejected of its {plural(len(anns), 'object')}; no decision on "
            "the whole image (Ctrl+Shift+Enter / Ctrl+Shift+Backspace)"
        )
        return text, tip

    def _review(self, image_id: int) -> tuple[str, str | None]:
        if self.project is None:
            return "todo", None
        entry = image_decision(self.project, image_id)
        return self.project.image_status(image_id), (entry or {}).get("review")


class ImageFilterProxy(QSortFilterProxyModel):
    """Sorts numbers with n/a always last (both orders) and keeps rows that meet the filter conditions. A
    distance sorts mm rows before px rows in both orders, each by its value: 2.50 mm and 2.00 px are no
    two points of one scale (sorted as one, 1.58 mm, 2.00 px, 2.50 mm read as a ranking)."""

    def __init__(self) -> None:
        super().__init__()
        self.conditions: list[Condition] = []
        self.only: set[int] | None = None  # image ids kept, whatever the conditions say (None: all)
        self.setSortRole(SORT_ROLE)

    def set_conditions(self, conditions: list[Condition], only: set[int] | None = None) -> None:
        """Keep the rows meeting ``conditions`` and, unless ``only`` is None, whose image id is in it
        (a confusion matrix cell's images)."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 deprecates invalidateFilter
            self.beginFilterChange()
            self.conditions, self.only = conditions, only
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.conditions, self.only = conditions, only
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        row = self.sourceModel().rows[source_row]
        if self.only is not None and row["image_id"] not in self.only:
            return False
        return not self.conditions or matches(self.conditions, row)

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if isinstance(a, float) and isinstance(b, float):
            an, bn = math.isnan(a), math.isnan(b)
            descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
            if an or bn:
                # n/a goes last whatever the order (Qt reverses lessThan for descending)
                return (an and not bn) == descending and an != bn
            ua, ub = self.sourceModel().unit_rank(left), self.sourceModel().unit_rank(right)
            if ua != ub:  # the units in one order whatever the sort order, as n/a
                return (ua < ub) != descending
            if a == b:  # W's order: more objects missed, extra or wrong is worse; then file name (tie_key)
                m = self.sourceModel()
                key = m.metrics[left.column() - 1] if 0 < left.column() <= len(m.metrics) else ""
                before = tie_before(key, m.rows[left.row()], m.rows[right.row()])
                return left.row() < right.row() if before is None else before
            return a < b
        return str(a or "") < str(b or "")


OBJECT_COLUMNS = ("Status", "Class", "Ref", "Cand", "IoU", "Dice", "HD95", "OKS", "Review")


class ObjectTableModel(QAbstractTableModel):
    """Objects of one image: problems first (missed, extra, wrong class), then matches, worst IoU first."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ObjectRow] = []
        self.project: Project | None = None
        self.iou_threshold = 0.5  # the run's: what the tooltips say a pair needs
        self.pixel_mm: float | None = None  # the run's finest pixel size: µm (a slide's) or mm (a CT's)

    def set_rows(self, rows: list[ObjectRow], project: Project | None, iou_threshold: float = 0.5) -> None:
        order = {"fn": 0, "fp": 1, "wrong_class": 2, "match": 3, "ignored": 4}
        self.beginResetModel()
        self.rows = sorted(rows, key=lambda r: (order.get(r.status, 9), r.iou))
        self.project = project
        self.iou_threshold = iou_threshold
        self._rows_of = {}
        for n, r in enumerate(self.rows):
            if r.cand_id is not None:
                self._rows_of.setdefault(r.cand_id, []).append(n)
        self.endResetModel()

    def row_at(self, x: float, y: float) -> int:
        """The row of the smallest object whose box holds (x, y); -1 when none does."""
        best, best_area = -1, math.inf
        for n, r in enumerate(self.rows):
            bx, by, w, h = r.bbox
            if bx <= x <= bx + w and by <= y <= by + h and w * h < best_area:
                best, best_area = n, w * h
        return best

    def refresh(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(OBJECT_COLUMNS) - 1))

    def refresh_object(self, ann_id: int) -> None:
        """The rows of candidate object ``ann_id`` read it again (its decision), not the whole table: a
        whole-image decision announces each of its n objects, and a table refreshed whole at each had its
        n x n cells measured (0.6 s for the demo's 24 coins, seconds for 60 cells)."""
        for n in self._rows_of.get(ann_id, ()):
            self.dataChanged.emit(self.index(n, 0), self.index(n, len(OBJECT_COLUMNS) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(OBJECT_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return OBJECT_COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {
                "Status": "Missed (FN), extra (FP), wrong class, matched, or in a crowd region (ignored)",
                "Class": "The object's category (reference → candidate for a wrong-class pair)",
                "HD95": "In mm when the image has a pixel_spacing, else in px",
                "IoU": "IoU of the pair; for a missed or extra object (grey), its best IoU with an object of "
                "its class on the other side, which made no pair (the tooltip says why)",
                "Ref": "Reference annotation id",
                "Cand": "Candidate annotation id (the one review decisions are written to)",
                "Dice": "Dice of the pair (hidden after the ids in a narrow pane; right-click the header)",
                "OKS": "Object Keypoint Similarity of a pair both with keypoints (shown when a row has one)",
                "Review": "Decision stored on the candidate annotation (pixelproof.review) and its note",
            }.get(OBJECT_COLUMNS[section])
        return None

    def annotation_review(self, row: ObjectRow) -> tuple[str | None, str | None]:
        if self.project is None or row.cand_id is None:
            return None, None
        ann = self.project.annotations.get(row.cand_id)
        if ann is None:
            return None, None
        return (ann.review if ann.review != "pending" else None), ann.note

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = OBJECT_COLUMNS[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return index.row()
        if col == "Status":
            if role == Qt.ItemDataRole.DisplayRole:
                return STATUS_SHORT.get(r.status, r.status)
            if role == Qt.ItemDataRole.ToolTipRole:
                return STATUS_TEXT.get(r.status, r.status)
            if role == Qt.ItemDataRole.DecorationRole and r.status in STATUS_CODE:
                return swatch(QColor(*DIFF_COLORS[STATUS_CODE[r.status]][:3]).name(), 10)
            return None
        if col == "Class":
            if role == Qt.ItemDataRole.DisplayRole:
                if r.status == "wrong_class":
                    return f"{shown_name(r.category)} → {shown_name(r.cand_category)}"
                return shown_name(r.category)
            if role == Qt.ItemDataRole.ToolTipRole:  # the column may cut a long name; the tip, past 200
                if r.status == "wrong_class":
                    return as_text(
                        f"reference: {shown_name(r.category)}\ncandidate: {shown_name(r.cand_category)}"
                    )
                return as_text(shown_name(r.category))
            return None
        if col in ("Ref", "Cand"):
            v = r.ref_id if col == "Ref" else r.cand_id
            if role == Qt.ItemDataRole.DisplayRole:
                return "—" if v is None else str(v)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if col == "Review":
            decision, note = self.annotation_review(r)
            if role == Qt.ItemDataRole.DisplayRole:
                text, shown = decision or "", note_preview(note) if note else note
                return f"{text}: {shown}" if shown and text else (shown or text)
            if role == Qt.ItemDataRole.ForegroundRole and decision in REVIEW_COLORS:
                return REVIEW_COLORS[decision]
            if role == Qt.ItemDataRole.ToolTipRole:
                if note:
                    return as_text(note_preview(note))
                return "missed object: nothing in the candidate to mark" if r.cand_id is None else None
            return None
        name = {"IoU": "iou", "Dice": "dice", "HD95": "hd95", "OKS": "oks"}[col]
        unpaired = r.status in ("fn", "fp") and name == "iou"  # its best IoU says why it made no pair
        v = r.best_iou if unpaired else r.value(name)
        if role == Qt.ItemDataRole.ForegroundRole and unpaired:
            return muted_text()
        if role == Qt.ItemDataRole.ToolTipRole and name in ("iou", "dice"):
            return pairing_tip(r, self.iou_threshold)
        if role == Qt.ItemDataRole.DisplayRole:
            if name == "hd95" and math.isfinite(v) and r.comparison is not None:
                return with_unit(v, r.comparison.unit, pixel_mm=self.pixel_mm)
            return format_value(name, v)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.reason(name)
        if role == Qt.ItemDataRole.ForegroundRole and not math.isfinite(v):
            return muted_text()
        return None


def pairing_tip(r: ObjectRow, threshold: float) -> str | None:
    """Why an object made a pair or none: its IoU against the threshold (strict, as QA matches)."""
    if r.status == "match":
        return f"Paired: IoU {r.iou:.3f} > {threshold:g} (the threshold), in its class's one-to-one pairing"
    if r.status == "wrong_class":
        return (
            f"Paired across classes, left unpaired in its own: IoU {r.iou:.3f} > {threshold:g}; reference "
            f"{shown_name(r.category)}, candidate {shown_name(r.cand_category)}"
        )
    if r.status not in ("fn", "fp"):
        return None
    side, what = ("candidate", "missed") if r.status == "fn" else ("reference", "extra")
    name = shown_name(r.category)
    if r.best_iou <= 0:
        return f"Not paired ({what}): it overlaps no {side} {name}"
    why = (
        f"not above the threshold {threshold:g}"
        if r.best_iou <= threshold
        else "but that object is paired with another (one-to-one, largest total IoU)"
    )
    return f"Not paired ({what}): its best IoU with a {side} {name} is {r.best_iou:.3f}, {why}"
