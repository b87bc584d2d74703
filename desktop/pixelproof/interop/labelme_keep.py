"""What a LabelMe round trip keeps beyond LabelMe's own fields: an object's keys from its source file
(a COCO annotation's ``attributes``, ``track_id``, ...) and a box the source file gave that differs from
its polygon's vertex box.

LabelMe keeps a shape's unknown keys (its ``other_data``) and X-AnyLabeling reads a shape's
``attributes``, so the file keys are written as the shape's own keys, where both tools show and keep them;
``pixelproof.file_keys`` names them so the reader puts them back among the object's file keys (and not
among X-AnyLabeling's attributes of an object read from LabelMe). A key LabelMe uses itself goes in
``pixelproof.file_extra``. A box goes in ``pixelproof.bbox`` and is restored only while it stays within a
pixel of the vertex box of the points read (a polygon moved in LabelMe gets its new box)."""

from __future__ import annotations

from typing import Any

from pixelproof.core import masks as core_masks
from pixelproof.core.model import Annotation, Project

# keys LabelMe or X-AnyLabeling write in a shape themselves: a file key of the same name cannot sit there
SHAPE_KEYS = frozenset(
    [
        "label",
        "points",
        "group_id",
        "shape_type",
        "flags",
        "description",
        "mask",
        "score",
        "difficult",
        "attributes",
        "kie_linking",
        "direction",
        "pixelproof",
        "visible",
        "other_data",
    ]
)
_BOX_SLACK = 1.0  # pycocotools' box of the rasterized polygon vs its vertex box: within one pixel


def file_keys(a: Annotation, attributes_taken: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """(keys for the shape itself, keys for its ``pixelproof`` dict) that keep ``a.extra`` and a box
    its polygons do not give. ``attributes_taken``: the shape's ``attributes`` already hold the
    object's own (PixelProof's) attributes."""
    shape: dict[str, Any] = {}
    ours: dict[str, Any] = {}
    extra = dict(a.extra)
    if isinstance(extra.get("attributes"), dict) and not attributes_taken:
        shape["attributes"] = extra.pop("attributes")
    for k, v in extra.items():
        if k not in SHAPE_KEYS:
            shape[k] = v
    held = {k: v for k, v in extra.items() if k in SHAPE_KEYS}
    if shape:
        ours["file_keys"] = list(shape)
    if held:
        ours["file_extra"] = held
    if (
        a.kind == "polygon"
        and a.segmentation
        and [float(v) for v in a.bbox] != core_masks.polygons_bbox(a.segmentation)
    ):
        ours["bbox"] = [float(v) for v in a.bbox]
    return shape, ours


def take_file_keys(shape: dict, ours: dict[str, Any]) -> dict[str, Any]:
    """The object's file keys a shape written by ``file_keys`` holds (taken out of ``ours``, the
    shape's ``pixelproof`` dict, so they do not become PixelProof extras)."""
    out: dict[str, Any] = {}
    held = ours.pop("file_extra", None)
    if isinstance(held, dict):
        out.update(held)
    names = ours.pop("file_keys", None)
    if isinstance(names, list):
        for k in names:
            if isinstance(k, str) and k in shape:
                out[k] = shape[k]
    return out


def kept_bbox(stored: Any, ann: Annotation) -> list[float] | None:
    """The box written with the object, when it is four numbers within a pixel of the box the points
    read give (else the object was moved or the value is not a box: None, the points' box stays)."""
    if not (isinstance(stored, list) and len(stored) == 4 and ann.kind == "polygon"):
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in stored):
        return None
    x, y, w, h = (float(v) for v in stored)
    bx, by, bw, bh = ann.bbox
    near = (abs(x - bx), abs(y - by), abs(x + w - bx - bw), abs(y + h - by - bh))
    return [x, y, w, h] if w >= 0 and h >= 0 and max(near) <= _BOX_SLACK else None


def not_written(project: Project, reserved: tuple[str, ...]) -> list[str]:
    """Warnings naming what a LabelMe folder has no place for: a category with LabelMe's reserved name
    and no objects (``labels.txt`` always lists those names, so the reader cannot tell it was one), and
    the source file's own keys of the project, its images and its categories."""
    used = {a.category_id for a in project.annotations.values()}
    out: list[str] = []
    lost = [c.name for c in project.categories.values() if c.name in reserved and c.id not in used]
    if lost:
        out.append(
            f"categories {', '.join(lost)} have no objects and LabelMe's reserved names: not written "
            "(labels.txt lists those names always; they come back only with an object)"
        )
    keys = sorted({k for c in project.categories.values() for k in c.extra if c.extra[k] is not None})
    keys_i = sorted({k for i in project.images.values() for k in i.extra if k != "pixelproof"})
    parts = [f"project keys {', '.join(sorted(project.extra))}"] if project.extra else []
    parts += [f"image keys {', '.join(keys_i)}"] if keys_i else []
    parts += [f"category keys {', '.join(keys)}"] if keys else []
    if parts:
        out.append(f"not written (LabelMe has no place for them): {'; '.join(parts)}; ids are renumbered")
    return out


LOST_ON_EXPORT = (
    "categories without objects (kept in `labels.txt`, except one named `_background_` or `__ignore__`: "
    "`labels.txt` always lists those, so such an empty category is lost and a warning names it); the "
    "source file's project, image and category keys (`info`, `licenses`, `url`, ...) and ids (a warning "
    "names the keys)"
)
