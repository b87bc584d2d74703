"""The machine-readable fixes lint suggests, and the geometry they carry.

Every fix is one dict with an ``action`` and what applying it needs, so the CLI's JSON, the app's
one-key fix and a script all read the same thing:

- ``{"action": "delete", "annotation_id": A}``
- ``{"action": "set_bbox", "annotation_id": A, "bbox": [x, y, w, h]}``
- ``{"action": "set_category", "annotation_id": A, "category_id": C, "category": name}``
- ``{"action": "set_segmentation", "annotation_id": A, "segmentation": polygons | RLE | null, "bbox",
  "area"}`` (null segmentation = a box-only object)
- ``{"action": "split", "annotation_id": A, "parts": [{"segmentation", "bbox", "area"}, ...]}``: the
  first part stays in A, each other part becomes a new annotation of the same category
- ``{"action": "add", "annotation": {"image_id", "category_id", "bbox", "segmentation"?, "area",
  "score", "source", "prediction_id"?}}`` (``prediction_id``: the project's pending prediction it accepts)
- ``{"action": "set_image_status", "image_id": I, "status": "todo"}``

A fix naming an annotation also carries ``"expects"``: the ``fingerprint`` of that object (class and
geometry) when lint ran, so a fix whose object was edited since - or already fixed - is refused rather
than undoing that work; an ``add`` is refused when its object is already there.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from pixelproof.core import limits, masks, measure, rle_codec, sparse_mask
from pixelproof.core.geometry import clip_box
from pixelproof.core.metrics import Placed, tighten
from pixelproof.core.model import Annotation

Geometry = dict[str, Any]  # {"segmentation", "bbox", "area"}, and "rle_origin" for a mask stored cropped


def delete(annotation_id: int) -> dict[str, Any]:
    return {"action": "delete", "annotation_id": annotation_id}


def set_bbox(annotation_id: int, bbox: list[float]) -> dict[str, Any]:
    return {"action": "set_bbox", "annotation_id": annotation_id, "bbox": [round(float(v), 2) for v in bbox]}


def set_category(annotation_id: int, category_id: int, name: str) -> dict[str, Any]:
    return {
        "action": "set_category",
        "annotation_id": annotation_id,
        "category_id": category_id,
        "category": name,
    }


def set_segmentation(annotation_id: int, geometry: Geometry) -> dict[str, Any]:
    return {"action": "set_segmentation", "annotation_id": annotation_id, **geometry}


def split(annotation_id: int, parts: list[Geometry]) -> dict[str, Any]:
    return {"action": "split", "annotation_id": annotation_id, "parts": parts}


def set_image_status(image_id: int, status: str) -> dict[str, Any]:
    return {"action": "set_image_status", "image_id": image_id, "status": status}


def add(prediction: Annotation, width: int, height: int) -> dict[str, Any] | None:
    """Add a prediction as a label (its geometry, category, score and source); a model box reaching
    past the border is added clipped to the image (None when none of it is inside)."""
    bbox, area = [float(v) for v in prediction.bbox], float(prediction.area)
    if prediction.segmentation is None:
        clipped = clip_box(bbox, width, height)
        if clipped is None:
            return None
        bbox, area = clipped, clipped[2] * clipped[3]
    ann: dict[str, Any] = {
        "image_id": prediction.image_id,
        "category_id": prediction.category_id,
        "bbox": [round(v, 2) for v in bbox],
        "area": area,
    }
    if prediction.segmentation is not None:
        ann["segmentation"] = prediction.segmentation
    if sparse_mask.origin_of(prediction) is not None:  # a mask stored cropped: where its crop lies
        ann[limits.RLE_ORIGIN] = sparse_mask.origin_of(prediction)
    if prediction.review == "pending":  # the project's own proposal: the fix accepts it, not a copy
        ann["prediction_id"] = prediction.id
    if prediction.score is not None:
        ann["score"] = prediction.score
    if prediction.source:
        ann["source"] = prediction.source
    return {"action": "add", "annotation": ann}


def fingerprint(ann: Annotation) -> str:
    """A short digest of an object's image, class and geometry: what a fix was computed from."""
    key = [ann.image_id, ann.category_id, [float(v) for v in ann.bbox], ann.segmentation, ann.iscrowd]
    return hashlib.sha256(orjson.dumps(key, option=orjson.OPT_SERIALIZE_NUMPY)).hexdigest()[:16]


def stamp(fix: dict[str, Any] | None, annotations: dict[int, Annotation]) -> None:
    """Record in ``fix`` the fingerprint of the object it changes, as it is now (see the module docstring)."""
    if fix is not None and fix.get("annotation_id") in annotations:
        fix["expects"] = fingerprint(annotations[fix["annotation_id"]])


# ------------------------------------------------------------------------------------------------
# geometry


def box_geometry(bbox: list[float]) -> Geometry:
    x, y, w, h = (float(v) for v in bbox)
    return {"segmentation": None, "bbox": [x, y, w, h], "area": w * h}


def polygon_geometry(polygons: list[list[float]], height: int, width: int) -> Geometry:
    bbox = masks.polygons_bbox(polygons)
    return {
        "segmentation": polygons,
        "bbox": bbox,
        "area": masks.segmentation_area(polygons, bbox, height, width),
    }


def placed_geometry(kind: str, placed: Placed, height: int, width: int) -> Geometry | None:
    """Pixels as a geometry of ``kind``: "mask" -> RLE, "polygon" -> traced outline, "box" -> the tight box.
    None when no pixel is left."""
    if placed.is_empty:
        return None
    placed = tighten(placed)  # the box is the pixels' (a speck dropped leaves its rows in the crop)
    if kind == "box":
        return box_geometry(placed.bbox_xywh())
    rect = (placed.x0, placed.y0, placed.mask.shape[1], placed.mask.shape[0])
    if kind == "mask":
        geometry: Geometry = {"bbox": placed.bbox_xywh(), "area": float(placed.area)}
        if sparse_mask.is_huge(height, width):  # no RLE of the whole image: stored cropped (docs/format.md)
            return {
                "segmentation": masks.encode(placed.mask),
                **geometry,
                limits.RLE_ORIGIN: [placed.x0, placed.y0],
            }
        return {"segmentation": rle_codec.region_rle(rect, placed.mask, height, width), **geometry}
    traced = masks.mask_to_polygons(placed.mask)
    polygons = [
        [round(v + (placed.x0 if i % 2 == 0 else placed.y0), 2) for i, v in enumerate(p)]
        for p in traced.polygons
    ]
    return polygon_geometry(polygons, height, width) if polygons else None


def describe(fix: dict[str, Any] | None, categories: dict[int, str] | None = None) -> str:
    """What applying ``fix`` does, for a person ("set its box to x 10.0, y 20.0, 30.0 × 40.0 px")."""
    if not fix:
        return "no automatic fix: only a person can decide"
    names = categories or {}
    action = fix.get("action")
    if action == "delete":
        return f"delete annotation {fix.get('annotation_id')}"
    if action == "set_bbox":
        box = fix.get("bbox")
        return (
            f"set its box to {measure.box_text(box)}"
            if isinstance(box, list) and len(box) == 4
            else str(action)
        )
    if action == "set_category":
        return f"make it a {fix.get('category') or names.get(fix.get('category_id', -1), '?')}"
    if action == "set_segmentation":
        return (
            "make it a box" if fix.get("segmentation") is None else "replace its shape with the corrected one"
        )
    if action == "split":
        return f"split it into {len(fix.get('parts', []))} objects of its class"
    if action == "add":
        ann = fix.get("annotation", {})
        name = names.get(ann.get("category_id", -1), "object")
        if ann.get("prediction_id") is not None:
            return f"accept the model's pending {name} (annotation {ann['prediction_id']})"
        return f"add the model's {name} as a label"
    if action == "set_image_status":
        status = fix.get("status")
        if status in ("todo", "in_progress"):  # Project.unlabeled_image_ids
            return (
                f"set the image's status to {status} (not labelled yet: an image without objects that is "
                "not marked done is left out of exports)"
            )
        return f"set the image's status to {status}"
    return str(action)
