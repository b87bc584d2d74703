"""Keypoints of the objects Fill Between Frames makes (``core.track_fill``): each point mixed linearly
between the two keys' as CVAT interpolates a skeleton's points (each point a track of its own), and written
in the form the earlier key holds them (COCO triples, or a YOLO pose line with the box it goes with), so a
COCO, YOLO pose or CVAT export writes the filled frames' points. No Qt.

Visibility follows CVAT, whose interpolated shape copies the earlier keyframe's ``outside`` and
``occluded``: a point labelled at the earlier key (visible or occluded) keeps that visibility and moves
linearly to where it is at the later key - labelled there or not, as CVAT moves a point towards its
``outside`` keyframe; a later point never placed (0 0, not labelled) gives no place to go, so the point
stays where it was. A point not labelled at the earlier key stays not labelled, at its place, until the
next key. Keys whose keypoints differ (other counts, a YOLO ``kpt_shape`` against COCO triples, one with
points and one without) are not filled: their points would be mixed with other body parts
(``keypoint_layout``).

A pose read from CVAT keeps each point's own XML attributes and ``<attribute>`` values (``CVAT_PARTS``,
``interop.cvat_skeleton``); a filled pose carries the earlier key's (``carried_parts``), as CVAT does: its
``TrackManager.to_shapes`` (cvat-ai/cvat, ``cvat/apps/dataset_manager/annotation.py``) interpolates a
skeleton's ``elements`` as tracks of their own, and ``get_interpolated_shapes`` makes each interpolated
point with ``copy_shape(shape0, ...)``, a copy of the earlier keyframe's shape whose ``attributes`` are
deep-copied. Before, the filled poses had none: a CVAT export wrote the filled frames' points without
them."""

from __future__ import annotations

import copy
import math
from typing import Any

from pixelproof.core.keypoints import (
    BOX_OF_KEYPOINTS,
    box_of_points,
    coco_values,
    current_box,
    keypoints_of,
)
from pixelproof.core.model import Annotation, Project

Point = tuple[float, float, int]
# app extras of a pose read from CVAT: a dict per point, its kept XML attributes (``attrib``), ``<attribute>``
# values (``attributes``) and, read on a frame CVAT interpolated, the point as read (``POINT_AS_READ``)
CVAT_PARTS = "cvat_skeleton"
POINT_AS_READ = "read"  # a point's x, y, visibility as read: tells the CVAT writer it was not moved
_OWN_FRAME = "keyframe"  # a point's XML attribute that is its own frame's (CVAT's interpolated), not carried


def keypoint_layout(a: Annotation) -> tuple[str, int, int] | None:
    """What ``a``'s keypoints are, as two keys of a track must share to be filled between: ``("coco", K,
    3)`` for COCO triples (named by the category, which the keys share), ``("yolo", K, D)`` for a YOLO pose
    line's ``kpt_shape``; None when it holds none."""
    values = coco_values(a)
    if values is not None:
        return ("coco", len(values) // 3, 3)
    kept = a.extra.get("yolo")
    shape = kept.get("kpt_shape") if isinstance(kept, dict) else None
    if isinstance(shape, list) and len(shape) == 2 and all(type(v) is int for v in shape):
        return ("yolo", shape[0], shape[1])
    return None


def point_between(p: Point, q: Point, t: float) -> Point:
    """Point ``p`` of the earlier key ``t`` (0..1) of the way to ``q`` of the later one (the module's
    visibility rule)."""
    x0, y0, v0 = p
    x1, y1, v1 = q
    if v0 == 0 or (v1 == 0 and x1 == 0 and y1 == 0):
        return p  # not labelled until the next key; or nowhere to go
    return (_mix(x0, x1, t), _mix(y0, y1, t), v0)


def _mix(a: float, b: float, t: float) -> float:
    """CVAT's ``a + (b - a) t``; weighted when ``b - a`` overflows (1e308 - -1e308), so finite keys never
    give an infinite or NaN point."""
    m = a + (b - a) * t
    return m if math.isfinite(m) else a * (1 - t) + b * t


def fill_keypoints(project: Project, a: Annotation, b: Annotation, out: Annotation, t: float) -> None:
    """Give ``out`` (the shape ``t`` of the way from key ``a`` to key ``b``, on its own image) the keypoints
    between ``a``'s and ``b``'s, written as ``a`` holds them; a CVAT skeleton's box (its labelled points'
    extent) follows them. Nothing when the keys hold no keypoints of one layout (the fill refuses those), or
    points past a float's range in pixels."""
    layout = keypoint_layout(a)
    if layout is None or layout != keypoint_layout(b):
        return
    images = project.images
    ka, kb = keypoints_of(a, images[a.image_id]), keypoints_of(b, images[b.image_id])
    if ka is None or kb is None or len(ka.points) != len(kb.points):
        return
    points = [point_between(p, q, t) for p, q in zip(ka.points, kb.points, strict=True)]
    if not all(math.isfinite(x) and math.isfinite(y) for x, y, _v in points):
        return  # a YOLO line's 1e308 is finite normalised, infinite in pixels: no NaN written
    if layout[0] == "coco":
        values: list[float] = []
        for x, y, v in points:
            values += [round(x, 2), round(y, 2), v]
        out.extra["keypoints"] = values
        out.extra["num_keypoints"] = sum(1 for _x, _y, v in points if v > 0)
        if (parts := carried_parts(a)) is not None:
            out.app_extra[CVAT_PARTS] = parts
        if a.app_extra.get(BOX_OF_KEYPOINTS) is True:
            out.app_extra[BOX_OF_KEYPOINTS] = True
            box_of_points(out, values)
        return
    image = images[out.image_id]
    box = current_box(out, image)
    if box is None:
        return
    d = layout[2]
    flat: list[float] = []
    for x, y, v in points:
        if d == 2:
            flat += [x / image.width, y / image.height] if v > 0 else [0.0, 0.0]
        else:
            flat += [x / image.width, y / image.height, float(v)]
    out.extra["yolo"] = {**a.extra["yolo"], "keypoints": flat, "box": box.tolist()}


def carried_parts(a: Annotation) -> list[dict[str, Any]] | None:
    """The per-point CVAT values (``CVAT_PARTS``) a pose filled after the key ``a`` carries, as CVAT copies
    the earlier keyframe's (see the module): each point's kept attributes without what belongs to ``a``'s
    own frame (its ``keyframe`` flag, its point as read); None when ``a`` holds none (not from CVAT). An
    earlier fill whose carried values differ from the key's is out of date (a refill replaces it)."""
    parts = a.app_extra.get(CVAT_PARTS) if a.app_extra else None
    if not isinstance(parts, list):
        return None
    out: list[dict[str, Any]] = []
    for part in parts:
        kept = (
            {k: copy.deepcopy(v) for k, v in part.items() if k != POINT_AS_READ}
            if isinstance(part, dict)
            else {}
        )
        if isinstance(attrib := kept.get("attrib"), dict):
            kept["attrib"] = {k: v for k, v in attrib.items() if k != _OWN_FRAME}
        out.append(kept)
    return out


def as_numbers(values: Any) -> Any:
    """A keypoint list with its numbers as floats (``0`` and ``0.0`` alike): a CVAT point never placed is
    read ``0 0 0`` and filled ``0.0 0.0 0``, one pose though the text differs; anything else as it is."""
    if not isinstance(values, list):
        return values
    return [float(v) if type(v) in (int, float) else v for v in values]
