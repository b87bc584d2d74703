"""What lint reports: a ``Problem`` per suspected label error, its kind, score, where to look and its fix.

``score`` is in 0..1, higher = more likely wrong (ObjectLab figures: 1 - quality). ``fix`` is
machine-readable (README, "Finding label problems"): ``{"action": "delete" | "set_bbox" | "set_category" |
"set_segmentation" | "split" | "add" | "set_image_status", ...}``, or None when only a person can decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pixelproof.core.lint_kinds import KINDS, MODEL_KINDS, PICTURE_KINDS, RULE_KINDS  # noqa: F401 (re-exported)

PROJECT_WIDE = "(project)"  # where a problem of no image (``Problem.image_id`` None) is, as reports say it


@dataclass(slots=True)
class Problem:
    """One suspected label error. ``related_id`` is the other annotation of a pair (duplicates, overlaps).
    ``image_id`` None (``file_name`` ""): a problem of the project as a whole (``empty_class``)."""

    kind: str
    score: float
    image_id: int | None
    file_name: str
    annotation_id: int | None
    category: str | None
    bbox: list[float]
    message: str
    fix: dict[str, Any] | None = None
    related_id: int | None = None
    figures: dict[str, float] = field(default_factory=dict)  # an id among them stays an int (exact in JSON)
    model_bbox: list[float] | None = None  # the prediction behind a model problem, drawn in the HTML crop

    @property
    def key(self) -> str:
        """Stable identity across runs, used to store "not a problem" decisions in the project."""
        if self.annotation_id is not None:
            tail = f"{self.annotation_id}" + (f"+{self.related_id}" if self.related_id is not None else "")
        elif self.image_id is None:  # of the project: named by its class (empty_class)
            return f"{self.kind}|-|{self.category}"
        elif self.kind == "missing_object":
            tail = f"{self.category}@" + ",".join(str(round(v)) for v in self.bbox)
        else:
            tail = "-"
        return f"{self.kind}|{self.image_id}|{tail}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "score": round(self.score, 6),
            "image_id": self.image_id,
            "file_name": self.file_name,
            "annotation_id": self.annotation_id,
            "category": self.category,
            "bbox": [round(v, 2) for v in self.bbox],
            "message": self.message,
            "fix": self.fix,
        }
        if self.related_id is not None:
            out["related_annotation_id"] = self.related_id
        if self.model_bbox is not None:
            out["model_bbox"] = [round(float(v), 2) for v in self.model_bbox]
        if self.figures:
            out["figures"] = {k: _json_number(v) for k, v in self.figures.items()}
        out["key"] = self.key
        return out


def _json_number(v: float) -> float | None:
    """A figure for JSON: an int as it is (an id: a float loses ids above 2**53), else rounded; None if
    not finite."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return round(float(v), 6) if math.isfinite(v) else None


def sort_key(p: Problem) -> tuple:
    """Worst first; ties broken by image, annotation and kind so every run lists the same order."""
    return (
        -p.score,
        -1 if p.image_id is None else p.image_id,
        -1 if p.annotation_id is None else p.annotation_id,
        p.kind,
        p.key,
    )


def z_score(z: float, limit: float) -> float:
    """Robust z beyond ``limit`` -> score in 0.5..1 (0.5 at the limit, 2/3 at twice it, -> 1)."""
    z = abs(z)
    return z / (z + limit) if limit > 0 else 1.0


def excess_score(value: float, limit: float, above: bool) -> float:
    """How far a value is past a hard limit -> 0.5 (just past) .. 1 (far past)."""
    base, top = (limit, value) if above else (value, limit)
    rel = 1 - base / top if top > 0 else 0.0
    return 0.5 + 0.5 * min(1.0, max(0.0, rel))
