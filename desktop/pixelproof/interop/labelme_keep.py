"""What a LabelMe round trip keeps beyond LabelMe's own fields: an object's keys from its source file
(a COCO annotation's ``attributes``, ``track_id``, ...), a box and an area the source file gave that differ
from those of its geometry, and its group id (or that it had none: the writer makes one up to link the
shapes of an object in several parts).

LabelMe keeps a shape's unknown keys (its ``other_data``) and X-AnyLabeling reads a shape's
``attributes``, so the file keys are written as the shape's own keys, where both tools show and keep them;
``pixelproof.file_keys`` names them so the reader puts them back among the object's file keys (and not
among X-AnyLabeling's attributes of an object read from LabelMe). A key LabelMe uses itself goes in
``pixelproof.file_extra``. A box goes in ``pixelproof.bbox`` and is restored only while it stays within a
pixel of the vertex box of the points read (a polygon moved in LabelMe gets its new box); an area in
``pixelproof.area`` as [the file's area, the area of the geometry written] and restored only while the
geometry read has that same area (``labelme2coco`` counts the pixels PIL draws, pycocotools, which the app
uses, fewer at the edges)."""

from __future__ import annotations

import math
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
# an object's fields PixelProof writes in a shape's ``pixelproof`` dict that are Annotation fields
APP_FIELDS = ("score", "source", "review", "note", "author", "updated", "iscrowd")
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


def object_fields(members: list[tuple[int, dict]]) -> dict[str, Any]:
    """Annotation fields from the shapes: flags, description, group id, X-AnyLabeling's attributes,
    difficult flag and score, PixelProof's own extras and the object's keys of its source file (from
    ``take_file_keys``). A group id the writer made up (``pixelproof.group_id`` null) is no group id."""
    app_extra: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    taken = False  # an object's PixelProof fields: from the first shape that has them
    own_group: tuple[Any, ...] = ()
    for _, shape in members:
        ours = dict(shape["pixelproof"]) if isinstance(shape.get("pixelproof"), dict) else {}
        from_file = take_file_keys(shape, ours)
        if from_file and "extra" not in fields:
            fields["extra"] = from_file
        # keys LabelMe does not know (its shape's ``other_data``, another tool's): LabelMe keeps them on a
        # save, and so does a round trip here
        unknown = {k: v for k, v in shape.items() if k not in SHAPE_KEYS and k not in from_file}
        if unknown and "labelme_keys" not in app_extra:
            app_extra["labelme_keys"] = unknown
        if shape.get("flags") and "flags" not in app_extra:
            app_extra["flags"] = shape["flags"]
        if shape.get("description") and "description" not in app_extra:
            app_extra["description"] = shape["description"]
        if shape.get("group_id") is not None:
            app_extra["group_id"] = shape["group_id"]
        attrs = shape.get("attributes")  # kept as the CVAT reader keeps them
        if isinstance(attrs, dict) and attrs and "attributes" not in from_file:
            app_extra.setdefault("attributes", shape["attributes"])
        if isinstance(shape.get("difficult"), bool):  # 1 / 0, as the VOC reader keeps <difficult>
            app_extra["difficult"] = max(int(shape["difficult"]), app_extra.get("difficult", 0))
        score = shape.get("score")  # X-AnyLabeling's: the model's, for an object it proposed
        if isinstance(score, int | float) and not isinstance(score, bool) and math.isfinite(score):
            fields.setdefault("score", float(score))
        if ours and not taken:
            taken = True
            for k, v in ours.items():
                if k in APP_FIELDS or k in ("bbox", "area"):
                    fields[k] = v
                elif k == "group_id":  # the object's own: None when the writer made the shapes' one up
                    own_group = (v,)
                else:
                    app_extra.setdefault(k, v)
    if own_group:
        app_extra["group_id"] = own_group[0]
        if own_group[0] is None:
            del app_extra["group_id"]
    fields["app_extra"] = app_extra
    return fields


def area_kept(a: Annotation, height: int, width: int) -> dict[str, Any]:
    """``{"area": [file's area, geometry's area]}`` for the shape's ``pixelproof`` dict when the object's
    area is not the one a reader computes from what is written (its polygons with pycocotools, its mask's
    pixel count, a box's w x h), else {}."""
    if a.kind == "box":
        drawn = float(a.bbox[2] * a.bbox[3])
    elif a.kind == "polygon":
        drawn = core_masks.segmentation_area(
            [p for p in a.segmentation if len(p) >= 6], a.bbox, height, width
        )
    else:
        drawn = core_masks.segmentation_area(a.segmentation, a.bbox, height, width)
    area = a.area
    if not isinstance(area, int | float) or isinstance(area, bool) or float(area) == drawn:
        return {}
    return {"area": [area, drawn]}


def kept_area(stored: Any, ann: Annotation) -> float:
    """The file's area written with the object when the geometry read has the area it was written with
    (else it was edited in LabelMe, or the value is no pair of numbers: the geometry's own area)."""
    if not (isinstance(stored, list) and len(stored) == 2):
        return ann.area
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in stored):
        return ann.area
    return float(stored[0]) if float(stored[1]) == ann.area and stored[0] >= 0 else ann.area


def not_written(project: Project, reserved: tuple[str, ...]) -> list[str]:
    """Warnings naming what a LabelMe folder has no place for: a category with LabelMe's reserved name
    and no objects (``labels.txt`` always lists those names, as LabelMe's scripts need them, and they are
    no object class: the reader makes no category of them), and
    the source file's own keys of the project, its images and its categories."""
    used = {a.category_id for a in project.annotations.values()}
    out: list[str] = []
    meaning = {
        "_background_": "class 0, background",
        "__ignore__": "class -1, void: 255 in labelme2voc's PNGs",
    }
    lost = [c.name for c in project.categories.values() if c.name in reserved and c.id not in used]
    for name in lost:
        out.append(
            f"category {name} has no objects: written only as labels.txt's {name} line (LabelMe's "
            f"{meaning.get(name, 'reserved name')}), which makes no category when read back"
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
    "`labels.txt` always lists those as LabelMe's scripts need, its class 0 and -1, which make no category "
    "when read, so such an empty category (`labelme2coco`'s `_background_`) is lost and a warning names "
    "it); the source file's project, image and category keys (`info`, `licenses`, `url`, ...) and ids (a "
    "warning names the keys; read back, images are numbered in file name order, objects in their order in "
    "each file)"
)
