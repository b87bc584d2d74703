"""A problem's ``fix`` (a JSON-ready dict, see fixes.py) as one undoable edit of ``core.edits``: the app
applies it as one undo step, the CLI or a script applies the same object to a project."""

from __future__ import annotations

from typing import Any

from pixelproof.core.edits import (
    AddAnnotations,
    Compound,
    Edit,
    RemoveAnnotations,
    ReplaceAnnotations,
    SetImageStatus,
)
from pixelproof.core.geometry import clip_box, clone
from pixelproof.core.keypoints import KeypointsRefused, require_same_keypoints
from pixelproof.core.labels import is_label, set_review
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.lint.fixes import fingerprint
from pixelproof.core.model import Annotation, Project, is_pending


class FixError(ValueError):
    """The fix no longer fits the project (the object was deleted or changed since lint ran, or the fix
    was applied already)."""


def fix_edit(project: Project, fix: dict[str, Any], label: str | None = None) -> Edit:
    """The edit that applies ``fix`` to ``project`` (not applied yet); ``FixError`` when it cannot."""
    action = fix.get("action")
    name = label or f"Fix: {action}"
    if action == "set_image_status":
        if fix.get("image_id") not in project.images:
            raise FixError(f"image {fix.get('image_id')} does not exist")
        edit: Edit = SetImageStatus(fix["image_id"], fix["status"])
        edit.label = name
        return edit
    if action == "add":
        proposal = project.annotations.get(fix["annotation"].get("prediction_id"))  # type: ignore[arg-type]
        if proposal is not None:
            return _accept(project, proposal, name)
        new = _new_annotation(project, fix["annotation"], project.next_annotation_id())
        if any(_same_object(a, new) for a in project.annotations_of(new.image_id) if is_label(a)):
            raise FixError(f"image {new.image_id} has this object already (the fix was applied)")
        return AddAnnotations([new], name)
    ann = project.annotations.get(fix.get("annotation_id"))  # type: ignore[arg-type]
    if ann is None:
        raise FixError(f"annotation {fix.get('annotation_id')} no longer exists")
    expects = fix.get("expects")
    if isinstance(expects, str) and fingerprint(ann) != expects:
        raise FixError(
            f"annotation {ann.id} changed since lint ran (edited, or this fix was applied): run lint again"
        )
    if action == "delete":
        return RemoveAnnotations([ann.id], name)
    after = clone(ann)
    if action == "set_bbox":
        after.bbox = [float(v) for v in fix["bbox"]]
        if ann.kind == "box":
            after.area = after.bbox[2] * after.bbox[3]
        return ReplaceAnnotations([after], name)
    if action == "set_category":
        if fix["category_id"] not in project.categories:
            raise FixError(f"category {fix['category_id']} does not exist")
        try:  # a model's "this person is a dog" would make the person's keypoints a dog's
            require_same_keypoints(project, [ann.id], fix["category_id"])
        except KeypointsRefused as e:
            raise FixError(str(e)) from None
        after.category_id = fix["category_id"]
        return ReplaceAnnotations([after], name)
    if action == "set_segmentation":
        _set_geometry(after, fix)
        return ReplaceAnnotations([after], name)
    if action == "split":
        parts = fix["parts"]
        _set_geometry(after, parts[0])
        first = project.next_annotation_id(len(parts) - 1)
        new = [
            _new_annotation(
                project, {**p, "image_id": ann.image_id, "category_id": ann.category_id}, first + k
            )
            for k, p in enumerate(parts[1:])
        ]
        for a in new:
            a.source, a.review, a.author = ann.source, ann.review, ann.author
        return Compound(
            [ReplaceAnnotations([after]), AddAnnotations(new)], name, focus=[ann.id, *(a.id for a in new)]
        )
    raise FixError(f"unknown fix action {action!r}")


def _accept(project: Project, proposal: Annotation, name: str) -> Edit:
    """A missing object that is the project's own pending prediction: accept it (a box clipped to the
    image) rather than add a copy beside it."""
    if not is_pending(proposal):  # (a proposal rejected since lint ran is no label, and not one to accept)
        raise FixError(
            f"annotation {proposal.id} was accepted, rejected or edited already (the fix was applied)"
        )
    after = clone(proposal)
    set_review(after, "accepted")
    if after.kind == "box":
        image = project.images[after.image_id]
        after.bbox = clip_box(after.bbox, image.width, image.height) or after.bbox
        after.area = after.bbox[2] * after.bbox[3]
    return ReplaceAnnotations([after], name)


def _same_object(a: Annotation, b: Annotation) -> bool:
    """The same class and geometry (ids aside): an ``add`` fix's object is already there."""
    return (a.category_id, [float(v) for v in a.bbox], a.segmentation) == (
        b.category_id,
        [float(v) for v in b.bbox],
        b.segmentation,
    )


def _set_geometry(ann: Annotation, geometry: dict[str, Any]) -> None:
    """The fix's shape, in the image's frame: a mask stored cropped takes the fix's ``rle_origin``, or
    loses its own (it placed the new shape that far off)."""
    ann.set_geometry(geometry["segmentation"], geometry["bbox"], geometry["area"])
    _set_origin(ann, geometry)


def _set_origin(ann: Annotation, geometry: dict[str, Any]) -> None:
    origin = geometry.get(RLE_ORIGIN)
    if origin is None:
        ann.app_extra.pop(RLE_ORIGIN, None)
    else:
        ann.app_extra[RLE_ORIGIN] = [int(v) for v in origin]


def _new_annotation(project: Project, spec: dict[str, Any], aid: int) -> Annotation:
    if spec.get("image_id") not in project.images:
        raise FixError(f"image {spec.get('image_id')} does not exist")
    if spec.get("category_id") not in project.categories:
        raise FixError(f"category {spec.get('category_id')} does not exist")
    ann = Annotation(
        aid,
        spec["image_id"],
        spec["category_id"],
        [float(v) for v in spec["bbox"]],
        spec.get("segmentation"),
        float(spec.get("area", 0.0)),
        score=spec.get("score"),
        source=spec.get("source") or "manual",
        review="accepted" if spec.get("source") else None,
    )
    _set_origin(ann, spec)
    return ann
