"""GeoJSON polygons as PixelProof objects: rings checked (finite numbers, closed, at least 3 corners, at
most ``limits.MAX_VERTICES`` positions an object), then an axis-aligned rectangle is a box, rings without
holes COCO polygons, and rings with holes a mask made in the box around them (each part its outer ring
minus its own holes, rasterized as pycocotools rasterizes polygons, so a ring traced on pixel edges by
``masks.mask_to_shapes`` gives its pixels back exactly). Self-intersecting rings are read as drawn
(pycocotools fills them even-odd); the problem finder's ``invalid_polygon`` check reports them.
"""

from __future__ import annotations

import math
from itertools import chain
from typing import Any

import numpy as np

from pixelproof.core import coordinate_limits, limits
from pixelproof.core import masks as core_masks
from pixelproof.core.limits import LimitError, short_repr
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop._util import Builder, Reporter

Part = tuple[np.ndarray, list[np.ndarray]]  # outer ring (n x 2, closed) and its holes


def check_vertices(polygons: Any, where: str) -> None:
    """Refuse an object of more than ``limits.MAX_VERTICES`` positions: ``polygons`` as read (lists of
    rings), counted without making arrays, or as ``Part``s."""
    total = 0
    for p in polygons if isinstance(polygons, list) else []:
        if isinstance(p, tuple):
            total += len(p[0]) + sum(len(h) for h in p[1])
        elif isinstance(p, list):
            total += sum(len(r) for r in p if isinstance(r, list))
    if total > limits.MAX_VERTICES:
        raise LimitError(
            where, f"{total:,} positions are over the limit of {limits.MAX_VERTICES:,} an object may have"
        )


def polygon_part(rings: Any, where: str, report: Reporter) -> Part:
    if not isinstance(rings, list) or not rings:
        raise ValueError(
            f"{where}: expected a list of rings (the outline, then its holes), got {short_repr(rings)}"
        )
    check_vertices([rings], where)
    out = [_ring(r, f"{where}[{k}]", report) for k, r in enumerate(rings)]
    return out[0], out[1:]


def plain_polygon(coords: Any) -> list[list[list[float]]] | None:
    """A Polygon of one closed ring of finite [x, y] numbers (what QuPath writes for a cell and its nucleus)
    as ``[[flat x, y values, not closed]]``, ``polygon_part``'s ring taken without arrays (a slide's million
    cells); None for anything else, which ``polygon_part`` checks."""
    ring = coords[0] if type(coords) is list and len(coords) == 1 else None
    if type(ring) is not list or not 4 <= len(ring) <= limits.MAX_VERTICES or ring[0] != ring[-1]:
        return None
    if set(map(type, ring)) != {list} or set(map(len, ring)) != {2}:
        return None
    flat = list(chain.from_iterable(ring[:-1]))
    if not set(map(type, flat)) <= {float, int} or not limits.surely_finite(flat):
        return None
    return [[flat]]


def plain_outline(geometry: dict) -> list[list[float]] | None:
    """A Polygon of one plain closed ring (``plain_polygon``) as the polygons ``add_object`` adds for it;
    None for anything else, and for a ring of 4 corners (it may be a rectangle: a box), which ``parts``
    and ``add_object`` read."""
    found = plain_polygon(geometry.get("coordinates")) if geometry.get("type") == "Polygon" else None
    return found[0] if found is not None and len(found[0][0]) != 8 else None


def _ring(value: Any, where: str, report: Reporter) -> np.ndarray:
    """A linear ring as an n x 2 float array, closed. Not closed (GeoJSON requires the first position
    again at the end; pycocotools closes a ring anyway): closed and said. Fewer than 3 corners: refused."""
    pts = _plain_positions(value)
    if pts is None:
        pts = _positions(value, where)
    closed = bool((pts[0] == pts[-1]).all()) and len(pts) > 1
    if not closed:
        report.often(
            "unclosed rings", f"{where}: ring not closed (its last position is not its first); closed"
        )
        pts = np.vstack([pts, pts[:1]])
    if len(pts) < 4:
        raise ValueError(
            f"{where}: a ring needs at least 4 positions (3 corners and the first again), got {len(pts)}"
        )
    return pts


def _plain_positions(value: Any) -> np.ndarray | None:
    """The n x 2 array of a list of [x, y] lists of finite ints and floats (what QuPath writes), found
    without numpy's slower look at nested lists; None for anything else, which ``_positions`` checks."""
    if type(value) is not list or not value or set(map(type, value)) != {list} or set(map(len, value)) != {2}:
        return None
    flat = list(chain.from_iterable(value))
    if not set(map(type, flat)) <= {float, int} or not limits.surely_finite(flat):
        return None  # bools (numpy would take them as 1 and 0), text, NaN: named by ``_positions``
    return np.array(flat, dtype=np.float64).reshape(-1, 2)


def _positions(value: Any, where: str) -> np.ndarray:
    """The n x 2 float array of a ring's positions ([x, y] or [x, y, z]), or ValueError naming the
    first bad one."""
    arr = None
    if isinstance(value, list):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError, OverflowError, RecursionError):
            arr = None
    if arr is not None and arr.ndim == 2 and bool in set(map(type, chain.from_iterable(value))):
        arr = None  # true/false among numbers: numpy would take them as 1 and 0
    if (
        arr is None
        or arr.ndim != 2
        or arr.shape[1] not in (2, 3)
        or arr.dtype.kind not in "iuf"
        or not len(arr)
    ):
        raise ValueError(f"{where}: expected a list of [x, y] number positions, got {short_repr(value)}")
    pts = arr[:, :2].astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(pts).all(axis=1))
    if bad.size:
        k = int(bad[0])
        raise ValueError(f"{where}[{k}]: {short_repr(value[k])} is not a finite position")
    return pts


def add_object(
    parts: list[Part],
    image: ImageRecord,
    cat_id: int,
    fields: dict,
    where: str,
    build: Builder,
    report: Reporter,
) -> Annotation:
    """Add the parts as one object: a box, polygons, or a mask where they have holes."""
    w, h = image.width, image.height
    flat = [outer[:-1].reshape(-1).tolist() for outer, _ in parts]
    if not any(holes for _, holes in parts):  # the builder checks the coordinates of boxes and polygons
        box = _rectangle(parts[0][0]) if len(parts) == 1 else None
        if box is not None:
            return build.annotation(image, cat_id, bbox=box, where=where, **fields)
        return build.annotation(image, cat_id, polygons=flat, where=where, **fields)
    rings = [r for outer, holes in parts for r in (outer, *holes)]
    for r in rings:
        coordinate_limits.check_coordinates(r.reshape(-1), w, h, where)
    coordinate_limits.check_polygon_work([r.reshape(-1) for r in rings], where)
    try:
        crop = parts_crop(parts, h, w, where)
    except LimitError as e:
        report(f"{e}; its holes are filled (the outline is kept as polygons)")
        return build.annotation(image, cat_id, polygons=flat, where=where, **fields)
    return build.annotation(image, cat_id, crop=crop, where=where, **fields)


def _rectangle(ring: np.ndarray) -> list[float] | None:
    """[x, y, w, h] of a ring that is an axis-aligned rectangle (4 corners), else None: QuPath writes its
    rectangles as such polygons, and a box rasterizes as its polygon does."""
    if len(ring) != 5:
        return None
    xs, ys = np.unique(ring[:, 0]), np.unique(ring[:, 1])
    if len(xs) != 2 or len(ys) != 2:
        return None
    edges = np.diff(ring, axis=0)
    if not ((edges[:, 0] == 0) ^ (edges[:, 1] == 0)).all():
        return None
    return [float(xs[0]), float(ys[0]), float(xs[1] - xs[0]), float(ys[1] - ys[0])]


def _frame(rings: list[np.ndarray], h: int, w: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the pixels pycocotools may set for these rings, cut to the image (as
    ``masks.polygons_cropped`` frames them: shifting by whole pixels keeps every rounding)."""
    lo = np.min([r.min(axis=0) for r in rings], axis=0)
    hi = np.max([r.max(axis=0) for r in rings], axis=0)
    x0, y0 = max(0, math.floor(lo[0])), max(0, math.floor(lo[1]))
    return x0, y0, min(w, math.ceil(hi[0]) + 1), min(h, math.ceil(hi[1]) + 1)


def parts_crop(parts: list[Part], h: int, w: int, where: str) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """The pixels of polygons with holes, each part its outer ring minus its own holes, in the box around
    them; an empty 1 x 1 crop when none lies on the image. ``LimitError`` when that box is over the
    pixel limit (it is made at once)."""
    x0, y0, x1, y1 = _frame([outer for outer, _ in parts], h, w)
    if x1 <= x0 or y1 <= y0:
        return (0, 0, 1, 1), np.zeros((1, 1), dtype=bool)
    limits.check_image_size(x1 - x0, y1 - y0, where, "mask box")
    out = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    for outer, holes in parts:
        px0, py0, px1, py1 = _frame([outer], h, w)
        if px1 <= px0 or py1 <= py0:
            continue
        shift = np.array([px0, py0], dtype=np.float64)
        pw, ph = px1 - px0, py1 - py0
        part = core_masks.polygons_to_mask([(outer[:-1] - shift).reshape(-1).tolist()], ph, pw)
        if holes:
            part &= ~core_masks.polygons_to_mask(
                [(r[:-1] - shift).reshape(-1).tolist() for r in holes], ph, pw
            )
        out[py0 - y0 : py1 - y0, px0 - x0 : px1 - x0] |= part
    return (x0, y0, x1 - x0, y1 - y0), out
