"""Shape arithmetic for edits (move, resize, clamp) on annotations — numpy only, no Qt, so it is
testable on its own and the tools stay small.

Coordinates are image pixels with the origin at the top-left corner of the top-left pixel (DESIGN.md §3).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from pixelproof.core import masks
from pixelproof.core.model import Annotation

# Handle indices, clockwise from the top-left corner; a box resize moves the edges each one names.
HANDLES = ("tl", "t", "tr", "r", "br", "b", "bl", "l")


def clone(ann: Annotation) -> Annotation:
    """A copy that shares nothing mutable with ``ann``, nor its decoded mask (a copy kept by an undo record
    kept the full-size pixels alive). Written out field by field: a pre-label run clones every new object
    twice (the edit's copy, the project's)."""
    return Annotation(
        ann.id,
        ann.image_id,
        ann.category_id,
        list(ann.bbox),
        _copy_segmentation(ann.segmentation),
        ann.area,
        ann.iscrowd,
        ann.score,
        ann.source,
        ann.review,
        ann.note,
        ann.author,
        ann.updated,
        _copy_json(ann.extra) if ann.extra else {},
        _copy_json(ann.app_extra) if ann.app_extra else {},
    )


def _copy_segmentation(seg: Any) -> Any:
    """A compressed RLE ({"size": [h, w], "counts": str}, in either key order) without the general walk."""
    if type(seg) is dict and len(seg) == 2 and type(seg.get("counts")) is str:
        return {k: v if type(v) is str else _copy_json(v) for k, v in seg.items()}
    return _copy_json(seg)


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data (what a segmentation or extra field holds), a few times faster than
    ``copy.deepcopy``, which a pre-label run of thousands of masks pays twice per object."""
    if isinstance(value, _SCALARS):
        return value
    if type(value) is dict:
        if not value:
            return {}  # most extra fields are empty
        return {k: v if isinstance(v, _SCALARS) else _copy_json(v) for k, v in value.items()}
    if type(value) is list:
        return [v if isinstance(v, _SCALARS) else _copy_json(v) for v in value]
    return copy.deepcopy(value)


_SCALARS = (str, int, float, bool, type(None))


def normalized_box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
    """[x, y, w, h] from two corners in any order."""
    return [min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)]


def snap_box(box: list[float], width: int, height: int) -> list[float]:
    """Box corners rounded to pixel edges and clamped to the image: boxes cover whole pixels."""
    x0 = min(max(round(box[0]), 0), width)
    y0 = min(max(round(box[1]), 0), height)
    x1 = min(max(round(box[0] + box[2]), 0), width)
    y1 = min(max(round(box[1] + box[3]), 0), height)
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]


def handle_spot(box: list[float], handle: str) -> tuple[float, float]:
    """Where ``handle`` (one of ``HANDLES``) of ``box`` sits: a corner or an edge's middle."""
    x, y, w, h = box
    hx = x if "l" in handle else x + w if "r" in handle else x + w / 2
    hy = y if handle.startswith("t") else y + h if handle.startswith("b") else y + h / 2
    return hx, hy


def end_point(polygons: list[list[float]], top: bool) -> tuple[float, float] | None:
    """The top (``top``) or bottom vertex of flat [x0, y0, x1, y1, ...] polygons, the leftmost of ties:
    where an object's tag sits above (or below) it; None without a vertex."""
    down = 1.0 if top else -1.0
    points = [(poly[i + 1] * down, poly[i]) for poly in polygons for i in range(0, len(poly) - 1, 2)]
    if not points:
        return None
    y, x = min(points)
    return x, y * down


def row_start(crop: np.ndarray, origin: tuple[int, int], top: bool) -> tuple[float, float] | None:
    """The top-left corner of the top row's first pixel of a mask (``crop`` at ``origin``), or the
    bottom-left corner of the bottom row's (``top`` False): a mask's ``end_point``; None if it is empty."""
    rows = crop.any(axis=1)
    if not rows.any():
        return None
    row = int(rows.argmax()) if top else len(rows) - 1 - int(rows[::-1].argmax())
    return origin[0] + float(crop[row].argmax()), origin[1] + float(row + (not top))


def resize_box(box: list[float], handle: str, x: float, y: float) -> list[float]:
    """Drag ``handle`` of ``box`` to (x, y); the opposite edges stay put. Dragging past the opposite edge
    flips the box instead of giving it a negative size."""
    x0, y0, x1, y1 = box[0], box[1], box[0] + box[2], box[1] + box[3]
    if "l" in handle:
        x0 = x
    if "r" in handle:
        x1 = x
    if handle.startswith("t"):
        y0 = y
    if handle.startswith("b"):
        y1 = y
    return normalized_box(x0, y0, x1, y1)


def clamp_delta(bbox: list[float], dx: float, dy: float, width: int, height: int) -> tuple[float, float]:
    """Limit a move so the box stays inside the image (when it fitted before). A box already sticking out
    (imported so) may not move further out, but is never pushed the other way than asked."""
    x, y, w, h = bbox
    if w <= width:
        dx = min(max(dx, min(-x, 0)), max(width - (x + w), 0))
    if h <= height:
        dy = min(max(dy, min(-y, 0)), max(height - (y + h), 0))
    return dx, dy


def union_bbox(anns: list[Annotation]) -> list[float]:
    """The box around all ``anns`` (``[0, 0, 0, 0]`` for none)."""
    if not anns:
        return [0.0, 0.0, 0.0, 0.0]
    x0 = min(a.bbox[0] for a in anns)
    y0 = min(a.bbox[1] for a in anns)
    x1 = max(a.bbox[0] + a.bbox[2] for a in anns)
    y1 = max(a.bbox[1] + a.bbox[3] for a in anns)
    return [x0, y0, x1 - x0, y1 - y0]


def translated(ann: Annotation, dx: float, dy: float, width: int, height: int) -> Annotation:
    """A clone of ``ann`` moved by (dx, dy) pixels. Masks move by whole pixels (rounded) and are cut
    at the image border; boxes and polygons move exactly."""
    out = clone(ann)
    kind = ann.kind
    if kind == "box":
        x, y, w, h = ann.bbox
        out.set_geometry(ann.segmentation, [x + dx, y + dy, w, h], w * h)
    elif kind == "polygon":
        polys = [[v + (dx if i % 2 == 0 else dy) for i, v in enumerate(p)] for p in ann.segmentation]
        out.set_geometry(polys, masks.polygons_bbox(polys), masks.segmentation_area(polys, [], height, width))
    else:
        _set_mask(out, ann, round(dx), round(dy), (height, width), (height, width))
    if "keypoints" in ann.extra:  # COCO keypoints go with it (a YOLO object's follow its box when read)
        from pixelproof.core.keypoints import carry_keypoints  # local: keypoints imports this module

        carry_keypoints(ann, out)
    return out


def _set_mask(
    out: Annotation, ann: Annotation, dx: int, dy: int, source: tuple[int, int], target: tuple[int, int]
) -> None:
    """Give ``out`` the pixels of mask ``ann`` (on a ``source`` (h, w) image) moved by (dx, dy) onto a
    ``target`` image: what leaves it is lost. Read where they lie (a mask stored cropped: at its
    ``rle_origin``), within their box only."""
    from pixelproof.core import annotation_pixels, mask_edit
    from pixelproof.core.limits import RLE_ORIGIN

    height, width = target
    found = annotation_pixels.annotation_crop(ann, *source, f"annotation {ann.id}")
    rect, crop = (0, 0, 0, 0), np.zeros((0, 0), dtype=bool)
    if found is not None:
        (x, y, w, h), pixels = found
        x, y = x + dx, y + dy
        cut = mask_edit.clip_rect((x, y, w, h), height, width)
        if cut is not None:
            rect, crop = cut, pixels[cut[1] - y : cut[1] - y + cut[3], cut[0] - x : cut[0] - x + cut[2]]
    rle, bbox, area, origin = annotation_pixels.crop_geometry(rect, crop, height, width)
    out.set_geometry(rle, bbox, area)
    out.app_extra.pop(RLE_ORIGIN, None)
    if origin is not None:
        out.app_extra[RLE_ORIGIN] = origin


def clip_box(bbox: list[float], width: int, height: int) -> list[float] | None:
    """A box cut to the image; None when nothing of it is inside."""
    x, y, w, h = (float(v) for v in bbox)
    x0, y0 = min(max(x, 0.0), width), min(max(y, 0.0), height)
    x1, y1 = min(max(x + w, 0.0), width), min(max(y + h, 0.0), height)
    if x1 - x0 <= 0 or y1 - y0 <= 0:
        return None
    if (x0, y0, x1, y1) == (x, y, x + w, y + h):
        return [x, y, w, h]  # inside: as it was (x1 - x0 may round differently from w)
    return [x0, y0, x1 - x0, y1 - y0]


def clamp_polygons(polygons: list[list[float]], width: int, height: int) -> list[list[float]]:
    """Polygons brought inside the image by moving their vertices onto its border (lint's out-of-bounds
    fix, a paste onto a smaller image); rings left without area are dropped."""
    from pixelproof.core.lint.shapes import polygon_area, polygon_points

    out = []
    for p in polygons:
        pts = np.asarray(p, dtype=np.float64).reshape(-1, 2)
        pts[:, 0] = pts[:, 0].clip(0, width)
        pts[:, 1] = pts[:, 1].clip(0, height)
        if polygon_area(polygon_points(pts.reshape(-1).tolist())) > 0:
            out.append([float(v) for v in pts.reshape(-1)])
    return out


def placed_on(ann: Annotation, source: tuple[int, int], target: tuple[int, int]) -> Annotation | None:
    """A clone of ``ann`` (on a ``source`` (h, w) image) at the same pixel position on a ``target`` image,
    cut to it: a box clipped, polygons by :func:`clamp_polygons`, a mask cropped, keypoints kept in place
    (``keypoints.placed_keypoints``). None when nothing of it is left inside (a paste onto a smaller
    image)."""
    height, width = target
    out = clone(ann)
    kind = ann.kind
    if kind == "box":
        box = clip_box(ann.bbox, width, height)
        if box is None:
            return None
        out.set_geometry(out.segmentation, box, box[2] * box[3])  # the clone's: shares nothing with ``ann``
    elif kind == "polygon":
        polys = clamp_polygons(ann.segmentation, width, height)  # type: ignore[arg-type]
        if not polys:
            return None
        out.set_geometry(polys, masks.polygons_bbox(polys), masks.segmentation_area(polys, [], height, width))
    else:
        _set_mask(out, ann, 0, 0, source, target)
        if out.area <= 0:
            return None
    if (
        "keypoints" in ann.extra or "yolo" in ann.extra
    ):  # they stay where they were, not squeezed into a cut box
        from pixelproof.core.keypoints import placed_keypoints  # local: keypoints imports this module

        placed_keypoints(ann, out, source, target)
    return out


def shift_mask(mask: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """``mask`` moved by whole pixels; what leaves the image is lost."""
    h, w = mask.shape
    out = np.zeros_like(mask)
    if abs(dx) >= w or abs(dy) >= h:
        return out
    src = mask[max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)]
    out[max(0, dy) : max(0, dy) + src.shape[0], max(0, dx) : max(0, dx) + src.shape[1]] = src
    return out


def with_box(ann: Annotation, box: list[float]) -> Annotation:
    """A clone of a box annotation with a new box (area = w*h)."""
    out = clone(ann)
    out.set_geometry(out.segmentation, list(box), box[2] * box[3])
    if "keypoints" in ann.extra:  # COCO keypoints go with it (``translated``)
        from pixelproof.core.keypoints import carry_keypoints

        carry_keypoints(ann, out)
    return out


def pair_box(a: list[float] | None, b: list[float] | None) -> list[float]:
    """The box [x, y, w, h] around both (an empty or missing one left out): a matched pair's row."""
    boxes = [x for x in (a, b) if x is not None and x[2] > 0 and x[3] > 0]
    if not boxes:
        return list(a or b or [0.0, 0.0, 0.0, 0.0])
    x0 = min(x[0] for x in boxes)
    y0 = min(x[1] for x in boxes)
    x1 = max(x[0] + x[2] for x in boxes)
    y1 = max(x[1] + x[3] for x in boxes)
    return [x0, y0, x1 - x0, y1 - y0]
