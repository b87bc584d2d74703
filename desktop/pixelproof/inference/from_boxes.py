"""Detect, then segment: box annotations (labels or predictions) become masks through an interactive
backend (``sam-onnx``, ``grabcut``) prompted by each box. Every result is a pending prediction that keeps
the box's category and links to it (``pixelproof.from_box``); accepting it turns the box into the mask
(``core.edits.box_masks``)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from pixelproof.core.edits.box_masks import FROM_BOX
from pixelproof.core.model import Annotation, Project
from pixelproof.inference.base import Backend, BackendError, Prediction, Prompt, predict_safely

__all__ = ["FROM_BOX", "box_annotations", "segment_boxes"]


def box_annotations(project: Project, image_id: int, ids: Iterable[int] | None = None) -> list[Annotation]:
    """The box-only annotations of an image (or those of ``ids``) that have no mask made from them yet."""
    wanted = None if ids is None else set(ids)
    made = {a.app_extra.get(FROM_BOX) for a in project.annotations_of(image_id)}
    return [
        a
        for a in project.annotations_of(image_id)
        if a.kind == "box"
        and (wanted is None or a.id in wanted)
        and a.id not in made
        and a.bbox[2] > 0
        and a.bbox[3] > 0
    ]


NO_MASK = "no mask"  # why a box has none when the backend ran and found nothing (not an error)


def segment_boxes(
    backend: Backend, pixels: np.ndarray, boxes: list[Annotation]
) -> list[tuple[Annotation, Prediction | None, str]]:
    """(box, the best mask prompted by it or None, why none). The image is prepared once (SAM's
    embedding); a box the backend cannot segment is reported, not raised, so the others go on."""
    if backend.kind != "interactive":
        raise BackendError(
            f"{backend.name} is not interactive: detect-then-segment needs sam-onnx or grabcut"
        )
    if boxes:
        backend.prepare(pixels)
    out: list[tuple[Annotation, Prediction | None, str]] = []
    for box in boxes:
        try:
            preds = [
                p for p in predict_safely(backend, pixels, Prompt(box=tuple(box.bbox))) if p.mask is not None
            ]
        except BackendError as e:
            out.append((box, None, str(e)))
            continue
        best = max(preds, key=lambda p: p.score, default=None)
        out.append((box, best, "" if best is not None else NO_MASK))
    return out
