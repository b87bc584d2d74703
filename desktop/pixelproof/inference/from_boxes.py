"""Detect, then segment: box annotations (labels or predictions) become masks through an interactive
backend (``sam-onnx``, ``grabcut``) prompted by each box. Every result is a pending prediction that keeps
the box's category and links to it (``pixelproof.from_box``); accepting it turns the box into the mask
(``core.edits.box_masks``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from pixelproof.core.edits.box_masks import FROM_BOX
from pixelproof.core.model import Annotation, Project, is_pending_prediction
from pixelproof.core.wording import plural
from pixelproof.inference.base import Backend, BackendError, Prediction, Prompt, predict_safely

__all__ = [
    "FROM_BOX",
    "BoxFailure",
    "box_annotations",
    "empty_box_reason",
    "failure_lines",
    "mask_score",
    "more_failures_line",
    "no_mask_count",
    "none_outlined",
    "refused",
    "segment_boxes",
]


def box_annotations(project: Project, image_id: int, ids: Iterable[int] | None = None) -> list[Annotation]:
    """The box-only annotations of an image (or those of ``ids``) that have no mask made from them yet.
    Degenerate boxes (zero width or height) are included: outlining them fails with a reason the user
    sees, rather than the box being passed over in silence."""
    wanted = None if ids is None else set(ids)
    made = {a.app_extra.get(FROM_BOX) for a in project.annotations_of(image_id)}
    return [
        a
        for a in project.annotations_of(image_id)
        if a.kind == "box" and (wanted is None or a.id in wanted) and a.id not in made
    ]


NO_MASK = "mask empty (the backend found nothing in the box)"  # the backend ran and found nothing


@dataclass(frozen=True, slots=True)
class BoxFailure:
    """A box that got no mask, and why: named by id and category so the user can find and fix it."""

    annotation_id: int
    category: str
    reason: str

    def line(self, file_name: str) -> str:
        """``<image file name>: annotation <id> (<category>): <reason>``, as the CLI and the app show it."""
        return f"{file_name}: {self.described()}"

    def described(self) -> str:
        """``annotation <id> (<category>): <reason>``."""
        return f"annotation {self.annotation_id} ({self.category}): {self.reason}"


def refused(failures: Sequence[BoxFailure]) -> bool:
    """Whether some box could not be outlined at all (empty, outside the picture, refused by the
    backend): a fault to fix, so an image whose every box failed so is a failed image. A box the backend
    outlined as an empty mask is a result, not a fault: its image is pre-labeled (with no mask for it),
    and a rerun that finds nothing again is no failure either."""
    return any(f.reason != NO_MASK for f in failures)


def no_mask_count(failures: Iterable[BoxFailure]) -> int:
    """How many of ``failures`` are boxes the backend outlined as an empty mask."""
    return sum(1 for f in failures if f.reason == NO_MASK)


def none_outlined(failures: Sequence[BoxFailure]) -> str:
    """Why an image whose every box failed has no mask: its first box named, and how many more."""
    rest = len(failures) - 1
    more = f" (and {plural(rest, 'more box')})" if rest else ""
    return f"no box outlined: {failures[0].described()}{more}"


def failure_lines(failures: Sequence[tuple[str, BoxFailure]], limit: int = 20) -> list[str]:
    """One line per (file name, failure), the first ``limit`` of them, then "... and N more": enough to
    find the pattern without drowning the summary when thousands of boxes fail."""
    lines = [f.line(name) for name, f in failures[:limit]]
    if len(failures) > limit:
        lines.append(more_failures_line(len(failures) - limit))
    return lines


def more_failures_line(n: int) -> str:
    """The line that counts the failed boxes past those named."""
    return f"... and {n} more boxes not outlined"


def empty_box_reason(bbox: Sequence[float], height: int, width: int) -> str:
    """Why a box cannot prompt any backend ("" when it can): empty itself, or empty once clamped to the
    image (checked here so every backend reports it the same way, not only those that refuse it)."""
    x, y, w, h = (float(v) for v in bbox[:4])
    if w <= 0 or h <= 0:
        return f"the box is empty ({w:g} x {h:g} px)"
    if min(x + w, width) <= max(x, 0.0) or min(y + h, height) <= max(y, 0.0):
        return f"the box is outside the image (empty once clamped to {width}x{height})"
    return ""


def mask_score(box: Annotation, score: float) -> float:
    """The score of a mask made from ``box``: no more than the box's own while the box is a model's
    detection still pending. GrabCut scores every mask 1.0, so the mask of a 0.30 detection read 1.00:
    the Show slider kept it in view with its box hidden, and Accept All Predictions in Project (or
    ``pixelproof predictions accept --min-score``) accepted it, turning the unwanted box into a mask. A
    box a person drew or accepted is a label: its mask keeps the backend's score."""
    if box.score is not None and is_pending_prediction(box):
        return min(float(score), float(box.score))
    return float(score)


def segment_boxes(
    backend: Backend, pixels: np.ndarray, boxes: list[Annotation]
) -> list[tuple[Annotation, Prediction | None, str]]:
    """(box, the best mask prompted by it or None, why none). The image is prepared once (SAM's
    embedding); a box the backend cannot segment (or an empty one) is reported, not raised, so the
    others go on."""
    if backend.kind != "interactive":
        raise BackendError(
            f"{backend.name} is not interactive: detect-then-segment needs sam-onnx or grabcut"
        )
    height, width = pixels.shape[:2]
    reasons = {box.id: empty_box_reason(box.bbox, height, width) for box in boxes}
    if any(not why for why in reasons.values()):
        backend.prepare(pixels)
    out: list[tuple[Annotation, Prediction | None, str]] = []
    for box in boxes:
        if reasons[box.id]:
            out.append((box, None, reasons[box.id]))
            continue
        try:
            preds = [
                p for p in predict_safely(backend, pixels, Prompt(box=tuple(box.bbox))) if p.mask is not None
            ]
        except BackendError as e:
            out.append((box, None, str(e)))
            continue
        best = max(preds, key=lambda p: p.score, default=None)
        if best is not None:
            best.score = mask_score(box, best.score)
        out.append((box, best, "" if best is not None else NO_MASK))
    return out
