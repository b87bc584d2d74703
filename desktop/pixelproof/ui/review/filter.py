"""The filter box of the image table: "Dice < 0.9", "hd95 >= 5 and fp > 0" — parsed, never eval'd.

A filter is one or more conditions joined by "and" (or "&", ","); each condition is a metric name, a
comparison operator and a number. Names are matched without case, spaces, dashes or underscores, so
"Dice", "HD95", "boundary iou" and "mean_matched_iou" all work. Rows whose value is n/a (NaN) never match.

A distance (HD, HD95, ASSD, MASD) is in mm for an image with a pixel_spacing and in px for one without: no
two points of one scale. A distance condition may name its unit ("HD95 < 5 mm") and then keeps only rows in
that unit; without a unit it compares every row, and is refused (``FilterError`` saying what to write) when
the table holds rows in more than one unit: 4 mm and 3 px both "< 5" mean nothing together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from pixelproof.core.conditions import OPERATOR_PATTERN, OPERATORS, FilterError
from pixelproof.core.qa_tables import DISTANCE_FIELDS, DISTANCE_UNITS

# what the table shows and the filter accepts: field -> column title
METRICS: dict[str, str] = {
    "dice": "Dice",
    "iou": "IoU",
    "hd95": "HD95",
    "hd": "HD",
    "assd": "ASSD",
    "masd": "MASD",
    "nsd": "NSD",
    "boundary_iou": "Boundary IoU",
    "cldice": "clDice",
    "pq": "PQ",
    "sq": "SQ",
    "rq": "RQ",
    "f1": "F1",
    "precision": "Precision",
    "recall": "Recall",
    "tp": "TP",
    "fn": "FN",
    "fp": "FP",
    "wrong_class": "Wrong class",
    "mean_matched_iou": "Mean matched IoU",
    "mean_matched_dice": "Mean matched Dice",
}
ALIASES = {"boundaryiou": "boundary_iou", "biou": "boundary_iou", "centrelinedice": "cldice",
           "centerlinedice": "cldice", "wrongclass": "wrong_class",
           "missed": "fn", "extra": "fp", "matched": "tp"}  # fmt: skip
_CONDITION = re.compile(
    rf"^\s*(?P<name>[A-Za-z][A-Za-z0-9 _\-]*?)\s*(?P<op>{OPERATOR_PATTERN})\s*"
    r"(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf|-inf)\s*(?P<unit>[A-Za-zµμ]+)?\s*$",
    re.IGNORECASE,
)
# lengths written in another unit than mm (a slide's HD95 reads in µm): mm = value * num / den
_IN_MM = {"cm": (10, 1), "µm": (1, 1000), "um": (1, 1000), "nm": (1, 1_000_000)}
_JOIN = re.compile(r"\s+and\s+|&&?|,", re.IGNORECASE)
__all__ = ["METRICS", "Condition", "FilterError", "matches", "metric_name", "parse_filter"]


@dataclass(frozen=True, slots=True)
class Condition:
    metric: str  # a field name of ``qa.QAResult.image_table`` rows
    op: str
    value: float
    unit: str | None = None  # a distance's unit: only rows in it match

    def __call__(self, row: Mapping[str, object]) -> bool:
        if self.unit is not None and row.get("unit") != self.unit:
            return False
        v = row.get(self.metric, math.nan)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return False
        return OPERATORS[self.op](float(v), self.value)  # type: ignore[arg-type]

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{METRICS.get(self.metric, self.metric)} {self.op} {self.value:g}{unit}"


def metric_name(text: str) -> str | None:
    """The field a user's metric name means ("Dice" -> "dice", "HD 95" -> "hd95"), or None."""
    key = re.sub(r"[\s_\-]", "", text).lower()
    if key in ALIASES:
        return ALIASES[key]
    for name, title in METRICS.items():
        if key in (name.replace("_", ""), re.sub(r"[\s_\-]", "", title).lower()):
            return name
    return None


def parse_filter(text: str, units: Collection[str | None] = ()) -> list[Condition]:
    """Conditions of a filter text (empty text: no conditions); ``units``: the distance units of the
    rows it will filter (a distance without a unit is refused when they are more than one). Raises
    ``FilterError``."""
    if not text.strip():
        return []
    present = sorted({u for u in units if u in DISTANCE_UNITS}, key=DISTANCE_UNITS.index)
    out = []
    for part in _JOIN.split(text.strip()):
        m = _CONDITION.match(part)
        if m is None:
            raise FilterError(f"“{part.strip()}”: expected metric, operator and number, e.g. Dice < 0.9")
        name = metric_name(m["name"])
        if name is None:
            known = ", ".join(METRICS.values())
            raise FilterError(f"unknown metric “{m['name'].strip()}”; known: {known}")
        unit = m["unit"].lower().replace("μ", "µ") if m["unit"] else None  # Greek mu as the micro sign
        said = f"{METRICS[name]} {m['op']} {m['num']}"
        value = float(m["num"])
        if unit in _IN_MM and name in DISTANCE_FIELDS:
            num, den = _IN_MM[unit]
            unit, value = "mm", value * num / den
        if name not in DISTANCE_FIELDS:
            if unit is not None:
                raise FilterError(f"“{part.strip()}”: {METRICS[name]} has no unit; write {said}")
        elif unit is not None and unit not in DISTANCE_UNITS:
            units = " or ".join((*DISTANCE_UNITS, "µm"))
            raise FilterError(f"“{part.strip()}”: a distance is in {units}, not {unit}")
        elif unit is None and len(present) > 1:
            raise FilterError(
                f"“{part.strip()}”: the images' distances are in {' and '.join(present)}, not one scale; "
                f"write the unit: {' or '.join(f'{said} {u}' for u in present)}"
            )
        out.append(Condition(name, m["op"], value, unit))
    return out


def matches(conditions: list[Condition], row: Mapping[str, float]) -> bool:
    return all(c(row) for c in conditions)
