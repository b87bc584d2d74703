"""Deciding a model's pending predictions in bulk: which ones (a score range, categories, images) and the
edit that accepts or rejects them. One implementation for the app's Model panel and ``pixelproof
predictions``: accepting a mask made from a box turns the box into the mask (id, author and category
kept), rejecting deletes the prediction (a rejected guess holds no human work)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from pixelproof.core.edits.annotations import RemoveAnnotations, ReplaceAnnotations
from pixelproof.core.edits.base import Compound, Edit
from pixelproof.core.edits.box_masks import accept_into_boxes, linked_box
from pixelproof.core.geometry import clone
from pixelproof.core.labels import set_review
from pixelproof.core.model import Annotation, Project, is_pending_prediction


def pending_predictions(
    project: Project,
    *,
    min_score: float | None = None,
    below: float | None = None,
    category_ids: Collection[int] | None = None,
    image_ids: Collection[int] | None = None,
) -> list[Annotation]:
    """The pending predictions scoring ``min_score`` or more and under ``below`` (a prediction without a
    score passes a ``min_score``, as the Show slider never hides it, and never counts as ``below``), of
    ``category_ids`` and on ``image_ids`` when given; in id order."""
    out = []
    for aid in sorted(project.annotations):
        a = project.annotations[aid]
        if not is_pending_prediction(a):
            continue
        if category_ids is not None and a.category_id not in category_ids:
            continue
        if image_ids is not None and a.image_id not in image_ids:
            continue
        if min_score is not None and a.score is not None and a.score < min_score:
            continue
        if below is not None and (a.score is None or a.score >= below):
            continue
        out.append(a)
    return out


def accept_predictions(project: Project, anns: Iterable[Annotation], label: str) -> Edit:
    """The edit accepting ``anns``: review ``accepted``; a mask made from a box still present replaces
    that box instead (the first mask of a box when several were made from it), keeping its id, author and
    category, so a detection project grows into a segmentation project without relabeling. ``anns`` must
    not be empty (the caller says there is nothing to decide)."""
    into_box: dict[int, int] = {}  # box id -> the mask made from it
    after = []
    for a in anns:
        box = linked_box(project, a) if a.kind != "box" else None
        if box is not None and box.id not in into_box:
            into_box[box.id] = a.id
            continue
        b = clone(a)
        set_review(b, "accepted")
        after.append(b)
    parts: list[Edit] = [ReplaceAnnotations(after, label)] if after else []
    if into_box:
        parts.append(accept_into_boxes(project, into_box.values()))
    return parts[0] if len(parts) == 1 else Compound(parts, label)


def reject_predictions(anns: Iterable[Annotation], label: str) -> Edit:
    """The edit rejecting ``anns``: deleted (undoable), out of the project, its exports and QA."""
    return RemoveAnnotations([a.id for a in anns], label)
