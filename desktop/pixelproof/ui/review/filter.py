"""The filter box of the image table: "Dice < 0.9", "hd95 >= 5 and fp > 0" — parsed, never eval'd.

A filter is one or more conditions joined by "and" (or "&", ","); each condition is a metric name, a
comparison operator and a number. Names are matched without case, spaces, dashes or underscores, so
"Dice", "HD95", "boundary iou" and "mean_matched_iou" all work. Rows whose value is n/a (NaN) never match.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pixelproof.core.conditions import OPERATOR_PATTERN, OPERATORS, FilterError

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
ALIASES = {"boundaryiou": "boundary_iou", "biou": "boundary_iou", "wrongclass": "wrong_class",
           "missed": "fn", "extra": "fp", "matched": "tp"}  # fmt: skip
_CONDITION = re.compile(
    rf"^\s*(?P<name>[A-Za-z][A-Za-z0-9 _\-]*?)\s*(?P<op>{OPERATOR_PATTERN})\s*"
    r"(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf|-inf)\s*$",
    re.IGNORECASE,
)
_JOIN = re.compile(r"\s+and\s+|&&?|,", re.IGNORECASE)
__all__ = ["METRICS", "Condition", "FilterError", "matches", "metric_name", "parse_filter"]


@dataclass(frozen=True, slots=True)
class Condition:
    metric: str  # a field name of ``qa.QAResult.image_table`` rows
    op: str
    value: float

    def __call__(self, row: Mapping[str, float]) -> bool:
        v = row.get(self.metric, math.nan)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return False
        return OPERATORS[self.op](float(v), self.value)

    def __str__(self) -> str:
        return f"{METRICS.get(self.metric, self.metric)} {self.op} {self.value:g}"


def metric_name(text: str) -> str | None:
    """The field a user's metric name means ("Dice" -> "dice", "HD 95" -> "hd95"), or None."""
    key = re.sub(r"[\s_\-]", "", text).lower()
    if key in ALIASES:
        return ALIASES[key]
    for name, title in METRICS.items():
        if key in (name.replace("_", ""), re.sub(r"[\s_\-]", "", title).lower()):
            return name
    return None


def parse_filter(text: str) -> list[Condition]:
    """Conditions of a filter text (empty text: no conditions). Raises ``FilterError``."""
    if not text.strip():
        return []
    out = []
    for part in _JOIN.split(text.strip()):
        m = _CONDITION.match(part)
        if m is None:
            raise FilterError(f"“{part.strip()}”: expected metric, operator and number, e.g. Dice < 0.9")
        name = metric_name(m["name"])
        if name is None:
            known = ", ".join(METRICS.values())
            raise FilterError(f"unknown metric “{m['name'].strip()}”; known: {known}")
        out.append(Condition(name, m["op"], float(m["num"])))
    return out


def matches(conditions: list[Condition], row: Mapping[str, float]) -> bool:
    return all(c(row) for c in conditions)
