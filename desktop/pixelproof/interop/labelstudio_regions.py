"""A Label Studio region's geometry in pixels (``labelstudio``'s reader): percentages of the image placed
on its pixels, rotated boxes and ellipses as polygons, brush RLE as a mask, polygon parts nested under
another (``parentID``) joined into one object, and a region's note (its ``meta.text``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pixelproof.core import masks as core_masks
from pixelproof.core.limits import short_repr
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop import labelstudio_rle
from pixelproof.interop._util import Builder, as_dict
from pixelproof.interop.labelme import circle_polygon

MAX_PERCENT = 1e4  # a percentage this far off is a broken file, not a region near the image


def whole(value: Any) -> int | None:
    """A positive whole number (``original_width``, ``original_height``), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value) if value == int(value) and value > 0 else None


def region_note(value: dict, result: dict) -> str | None:
    """A region's note: the text of its ``meta`` (Label Studio's region meta), lines joined."""
    text = as_dict(result.get("meta")).get("text", as_dict(value.get("meta")).get("text"))
    if isinstance(text, str):
        return text
    if isinstance(text, list) and all(isinstance(t, str) for t in text) and text:
        return "\n".join(text)
    return None


def _pct(value: dict, key: str) -> float:
    v = value.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or abs(v) > MAX_PERCENT:
        raise ValueError(f"value.{key} must be a finite percentage, got {short_repr(v)}")
    return float(v)


def _degrees(value: dict, key: str) -> float:
    """An angle in [0, 360): any finite one is a turn (1e9 degrees is 280, as Label Studio shows it;
    ``math.fmod`` is exact, so a large angle loses no precision)."""
    v = value.get(key, 0)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ValueError(f"value.{key} must be a finite angle in degrees, got {short_repr(v)}")
    return math.fmod(float(v), 360.0) % 360.0


def region_geometry(kind: str, value: dict, result: dict, image: ImageRecord, where: str) -> dict[str, Any]:
    """Pixel geometry of a region (percent of the image's width and height)."""

    def sx(v: float) -> float:  # percent of the width in pixels, to 1e-6 px: 5.5 px written as
        return round(v * image.width / 100.0, 6)  # 8.59375 % of 64 comes back 5.5, not 5.499999999

    def sy(v: float) -> float:
        return round(v * image.height / 100.0, 6)

    if kind == "rectanglelabels":
        x, y, w, h = (_pct(value, k) for k in ("x", "y", "width", "height"))
        if w < 0 or h < 0:
            raise ValueError(f"value.width and value.height must be >= 0, got {w:g}, {h:g}")
        x, y, w, h = sx(x), sy(y), sx(w), sy(h)
        rotation = _degrees(value, "rotation")
        if rotation % 360 == 0:
            return {"bbox": [x, y, w, h]}
        a = math.radians(rotation)  # clockwise on screen (y down) about the top-left corner
        c, s = math.cos(a), math.sin(a)
        corners = [
            (x, y),
            (x + w * c, y + w * s),
            (x + w * c - h * s, y + w * s + h * c),
            (x - h * s, y + h * c),
        ]
        return {"polygons": [[v for xy in corners for v in xy]]}
    if kind == "polygonlabels":
        pts = value.get("points")
        if not isinstance(pts, list) or len(pts) < 3:
            raise ValueError("value.points must be a list of at least 3 [x, y] pairs")
        flat: list[float] = []
        for pt in pts:
            if not isinstance(pt, list) or len(pt) != 2:
                raise ValueError(f"value.points: {short_repr(pt)} is not an [x, y] pair")
            flat += [sx(_pct({"x": pt[0]}, "x")), sy(_pct({"y": pt[1]}, "y"))]
        return {"polygons": [flat]}
    if kind == "ellipselabels":
        cx, cy, rx, ry = (_pct(value, k) for k in ("x", "y", "radiusX", "radiusY"))
        circle = np.asarray(circle_polygon(np.array([0.0, 0.0]), np.array([1.0, 0.0]))).reshape(-1, 2)
        a = math.radians(_degrees(value, "rotation"))
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        xy = (circle * (sx(rx), sy(ry))) @ rot.T + (sx(cx), sy(cy))
        return {"polygons": [[float(v) for v in xy.reshape(-1)]]}
    if value.get("format") != "rle":
        raise ValueError(f"value.format {short_repr(value.get('format'))}: only Label Studio's rle is read")
    w, h = whole(result.get("original_width")), whole(result.get("original_height"))
    if (w, h) != (image.width, image.height):
        raise ValueError(
            f"a brush mask of original_width x original_height {short_repr(result.get('original_width'))} x "
            f"{short_repr(result.get('original_height'))} for an image of {image.width} x {image.height}"
        )
    mask = labelstudio_rle.decode(value.get("rle"), image.width, image.height, where)
    if not mask.any():
        raise ValueError("the brush mask has no pixel")
    return {"mask": mask}


def join_parts(build: Builder, image: ImageRecord, made: dict[str, Annotation], results: list) -> None:
    """A polygon nested (``parentID``) under a polygon of the same label joins it: the parts of one
    object, as the writer splits a multi-part polygon."""
    for result, source, _, _, _ in results:
        r = as_dict(result)
        rid, pid = r.get("id"), r.get("parentID")  # a list or an object names none (and hashes not)
        part = made.get(rid) if isinstance(rid, str) else None
        head = made.get(pid) if isinstance(pid, str) else None
        if source is not None or part is None or head is None or part is head:
            continue
        if head.kind != "polygon" or part.kind != "polygon" or head.category_id != part.category_id:
            continue
        polys = [*head.segmentation, *part.segmentation]
        box = core_masks.polygons_bbox(polys)
        head.set_geometry(polys, box, core_masks.segmentation_area(polys, box, image.height, image.width))
        build.project.remove_annotation(part.id)
        made[r["id"]] = head
