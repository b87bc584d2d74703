"""Detect, then segment: a mask predicted from a box (``pixelproof.from_box`` = the box's id) is accepted
by turning the box itself into the mask, so the object keeps its id, author and category — how a detection
project grows into a segmentation project without relabeling."""

from __future__ import annotations

from collections.abc import Iterable

from pixelproof.core.edits.annotations import RemoveAnnotations, ReplaceAnnotations
from pixelproof.core.edits.base import Compound, require
from pixelproof.core.geometry import clone
from pixelproof.core.labels import set_review
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.model import Annotation, Project
from pixelproof.core.wording import plural

FROM_BOX = "from_box"  # annotation app extra: the id of the box annotation a mask was made from


def linked_box(project: Project, ann: Annotation) -> Annotation | None:
    """The box ``ann`` was made from, if it is still there, on the same image, and still a box."""
    box_id = ann.app_extra.get(FROM_BOX)
    if not isinstance(box_id, int) or isinstance(box_id, bool):
        return None
    box = project.annotations.get(box_id)
    if box is None or box.image_id != ann.image_id or box.kind != "box":
        return None
    return box


def accept_into_boxes(project: Project, prediction_ids: Iterable[int]) -> Compound:
    """The edit that accepts masks made from boxes: each box takes its mask's shape (segmentation, bbox,
    area, ``rle_origin``; id, author, category, source and note kept; review ``accepted`` if it was
    pending), and the mask prediction is removed. ``ValueError`` when an id is not a mask linked to a box
    still present."""
    boxes: list[Annotation] = []
    removed: list[int] = []
    for pid in dict.fromkeys(prediction_ids):
        pred = project.annotations.get(pid)
        require(pred is not None, f"annotation {pid} does not exist")
        box = linked_box(project, pred)  # type: ignore[arg-type]
        require(box is not None, f"annotation {pid} is not a mask made from a box that is still there")
        require(pred.kind != "box", f"annotation {pid} has no mask")  # type: ignore[union-attr]
        require(all(b.id != box.id for b in boxes), f"box {box.id} is given two masks")  # type: ignore[union-attr]
        after = clone(box)  # type: ignore[arg-type]
        after.set_geometry(pred.segmentation, list(pred.bbox), pred.area)  # type: ignore[union-attr]
        after.app_extra.pop(RLE_ORIGIN, None)  # a mask stored cropped to its box: its place goes with it
        if RLE_ORIGIN in pred.app_extra:  # type: ignore[union-attr]
            after.app_extra[RLE_ORIGIN] = list(pred.app_extra[RLE_ORIGIN])  # type: ignore[union-attr]
        if after.review == "pending":
            set_review(after, "accepted")
        boxes.append(after)
        removed.append(pid)
    n = len(boxes)
    label = f"Accept {plural(n, 'mask')} into {'its box' if n == 1 else 'their boxes'}"
    return Compound([ReplaceAnnotations(boxes, label), RemoveAnnotations(removed, label)], label,
                    focus=[b.id for b in boxes])  # fmt: skip
