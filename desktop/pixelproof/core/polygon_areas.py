"""COCO areas of many one-outline polygons at once (a slide's cells), each exactly ``masks.segmentation_area``
of it: pycocotools rasterizes a chunk of them in one call instead of one call (and its Python around it)
a polygon.

On an image too big for one RLE (``segmentation_area`` frames each polygon: its box, shifted by whole
pixels to the frame's corner) the polygons are shifted the same way, in one numpy pass, and rasterized in
one frame as large as the largest of theirs. A larger frame sets no other pixel: pycocotools keeps a
boundary point only inside the frame (``xd <= w - 1``, ``yd <= h``), and a polygon's points lie at most
``max - 0.3`` past its frame's corner, inside the frame ``segmentation_area`` makes (``ceil(max) + 1``
wide). A frame cut by the image's edge does clip: such polygons are measured one by one, as before.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import limits
from pixelproof.core.masks import segmentation_area

CHUNK = 255  # pycocotools' ``area`` of more RLEs at once overflows (its array is made as uint8 from n)
MOST_SIDE = 1024  # polygons of larger frames are measured one by one (the shared frame stays small)


def polygon_areas(polygons: list[list[float]], height: int, width: int) -> list[float]:
    """``segmentation_area([p], ...)`` of each outline ``p`` (flat x, y floats, at least 3 corners, finite:
    checked as ``Builder.annotation`` checks them), in order."""
    out: list[float | None] = [None] * len(polygons)
    if height * width < limits.RLE_MAX_PIXELS // 2:  # one frame for all: the image's own
        for k in range(0, len(polygons), CHUNK):
            chunk = polygons[k : k + CHUNK]
            out[k : k + len(chunk)] = _areas(chunk, height, width)
        return out  # type: ignore[return-value]
    framed = _framed(polygons, height, width)
    for k, p in enumerate(polygons):
        if framed[k] is None:
            out[k] = segmentation_area([p], [], height, width)
    todo = [k for k in range(len(polygons)) if framed[k] is not None]
    for k0 in range(0, len(todo), CHUNK):
        ks = todo[k0 : k0 + CHUNK]
        fh = max(framed[k][1] for k in ks)  # type: ignore[index]
        fw = max(framed[k][2] for k in ks)  # type: ignore[index]
        for k, a in zip(ks, _areas([framed[k][0] for k in ks], fh, fw), strict=True):  # type: ignore[index]
            out[k] = a
    return out  # type: ignore[return-value]


def _areas(polygons: list, height: int, width: int) -> list[float]:
    return [float(a) for a in mask_utils.area(mask_utils.frPyObjects(polygons, height, width))]


def _framed(
    polygons: list[list[float]], height: int, width: int
) -> list[tuple[list[float], int, int] | None]:
    """Each polygon shifted to its frame's corner, as ``masks.polygons_cropped`` shifts it, with the frame's
    height and width; None where the frame is cut by the image (or over ``MOST_SIDE``)."""
    lengths = np.fromiter(map(len, polygons), dtype=np.int64, count=len(polygons))
    starts = np.r_[0, np.cumsum(lengths)[:-1]] // 2
    flat = np.fromiter(chain.from_iterable(polygons), dtype=np.float64, count=int(lengths.sum()))
    xs, ys = flat[0::2], flat[1::2]
    lo_x, hi_x = np.minimum.reduceat(xs, starts), np.maximum.reduceat(xs, starts)
    lo_y, hi_y = np.minimum.reduceat(ys, starts), np.maximum.reduceat(ys, starts)
    # masks.polygons_bbox's [x, y, w, h] and polygons_cropped's frame from it, to the same float
    x0, y0 = np.floor(lo_x), np.floor(lo_y)
    x1, y1 = np.ceil(lo_x + (hi_x - lo_x)) + 1, np.ceil(lo_y + (hi_y - lo_y)) + 1
    inside = (x0 >= 0) & (y0 >= 0) & (x1 <= width) & (y1 <= height)
    inside &= (x1 - x0 <= MOST_SIDE) & (y1 - y0 <= MOST_SIDE)
    pairs = lengths // 2
    xs -= np.repeat(np.where(inside, x0, 0.0), pairs)  # v - x0, as the lists are shifted one by one
    ys -= np.repeat(np.where(inside, y0, 0.0), pairs)
    shifted = flat.tolist()
    out: list[tuple[list[float], int, int] | None] = []
    at = 0
    for k, n in enumerate(lengths.tolist()):
        out.append((shifted[at : at + n], int(y1[k] - y0[k]), int(x1[k] - x0[k])) if inside[k] else None)
        at += n
    return out


def plain_outline(polygons: object) -> list[float] | None:
    """The one outline of ``polygons`` when ``polygon_areas`` can measure it (flat floats, at least 3
    corners, finite), else None."""
    if type(polygons) is not list or len(polygons) != 1:
        return None
    p = polygons[0]
    if type(p) is not list or len(p) < 6 or len(p) % 2 or not set(map(type, p)) <= {float}:
        return None
    return p if limits.surely_finite(p) else None
