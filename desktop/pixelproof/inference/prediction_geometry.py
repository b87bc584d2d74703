"""A model's prediction as the project stores it (segmentation, bbox, area, ``rle_origin``): an RLE the
backend made kept as it is, masks given as crops encoded together in one pass, polygons and boxes clipped
to the image; on an image of 2**32 pixels or more (a slide) masks are stored cropped (docs/format.md)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pixelproof.core import masks, rle_codec
from pixelproof.core.annotation_pixels import crop_geometry
from pixelproof.core.sparse_mask import is_huge
from pixelproof.inference.base import BackendError, Prediction

# (segmentation, bbox, area, rle_origin: where a mask stored cropped lies, None for a whole-image one)
Geometry = tuple[list | dict | None, list[float], float, list[int] | None]


def prediction_geometries(predictions: list[Prediction], h: int, w: int) -> Iterator[Geometry | None]:
    """``prediction_geometry`` of each prediction, in order: an RLE the backend made stays as it is; masks
    given as crops (a semantic model's thousands of components, a tile's objects) are encoded together in
    one pass (``rle_codec.crops_rle``), or each cropped to its pixels on an image too big for one RLE."""
    given = [_given_rle(p, h, w) for p in predictions]
    crops = [None if g else _crop(p, h, w) for p, g in zip(predictions, given, strict=True)]
    encoded = iter(_crops_geometry([c for c in crops if c is not None], h, w))
    for p, crop, g in zip(predictions, crops, given, strict=True):
        if g:
            assert p.rle is not None
            yield p.rle, [float(v) for v in p.bbox], float(p.area), None
        else:
            yield next(encoded) if crop is not None else prediction_geometry(p, h, w)


def _crops_geometry(
    crops: list[tuple[tuple[int, int, int, int], np.ndarray]], h: int, w: int
) -> list[Geometry | None]:
    """Masks given as (rect, pixels) as the project stores them (None for an empty one): whole-image RLEs,
    or on an image of 2**32 pixels or more (a slide) RLEs of their pixels' box at their ``rle_origin``
    (docs/format.md)."""
    if not is_huge(h, w):
        return [None if g is None else (*g, None) for g in rle_codec.crops_rle(crops, h, w)]
    placed = [crop_geometry(rect, pixels, h, w) for rect, pixels in crops]
    return [g if g[2] > 0 else None for g in placed]


def _given_rle(p: Prediction, h: int, w: int) -> bool:
    """Whether the prediction brings its mask's RLE (and area), for this image size."""
    return p.rle is not None and p.area > 0 and p.rle.get("size") == [h, w]


def _crop(p: Prediction, h: int, w: int) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """A prediction's mask as (rect, pixels) when it is a crop placed at its offset; None otherwise."""
    if p.mask is None or (p.mask.shape == (h, w) and p.offset == (0, 0)):
        return None
    m = p.mask.astype(bool, copy=False)
    x, y = p.offset
    if m.ndim != 2 or x < 0 or y < 0 or x + m.shape[1] > w or y + m.shape[0] > h:
        raise BackendError(
            f"a mask of {m.shape[1]}x{m.shape[0]} at ({x}, {y}) does not fit the image {w}x{h}"
        )
    return (x, y, m.shape[1], m.shape[0]), m


def prediction_geometry(p: Prediction, h: int, w: int) -> Geometry | None:
    crop = _crop(p, h, w)
    if crop is not None:
        return _crops_geometry([crop], h, w)[0]
    if p.mask is not None:
        m = p.mask.astype(bool, copy=False)
        area = masks.area(m)
        if area == 0:
            return None
        return masks.encode(m), masks.bbox(m), float(area), None
    if p.polygon:
        polys = [[float(v) for v in poly] for poly in p.polygon if len(poly) >= 6]
        if not polys:
            return None
        area = masks.segmentation_area(polys, [0, 0, 0, 0], h, w)
        return polys, masks.polygons_bbox(polys), area, None
    x, y, bw, bh = (float(v) for v in p.bbox)
    x0, y0 = min(max(x, 0.0), w), min(max(y, 0.0), h)
    x1, y1 = min(max(x + bw, 0.0), w), min(max(y + bh, 0.0), h)
    if x1 - x0 <= 0 or y1 - y0 <= 0:
        return None
    bbox = [round(x0, 2), round(y0, 2), round(x1 - x0, 2), round(y1 - y0, 2)]
    return None, bbox, bbox[2] * bbox[3], None
