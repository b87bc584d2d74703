"""Segmentations <-> pixels: RLE through pycocotools, polygons rasterized the way pycocotools does it,
mask -> polygons through OpenCV contours.

Conventions (DESIGN.md §3): masks are boolean HxW numpy arrays; coordinates are pixels with the origin at
the top-left corner of the top-left pixel; compressed RLE is ``{"size": [h, w], "counts": str}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import coordinate_limits, limits, rle_codec
from pixelproof.core.box_outline import box_polygon
from pixelproof.core.limits import RLE_ORIGIN

if TYPE_CHECKING:
    from pixelproof.core.model import Annotation

Polygons = list[list[float]]


def encode(mask: np.ndarray) -> dict[str, Any]:
    """Boolean HxW mask -> compressed RLE with a str ``counts`` (JSON-ready). Masks of 2**24 pixels or more
    can have runs pycocotools' string encoder overflows on (``rle_codec.C_ENCODER_SAFE``): their runs are
    found here and encoded by ``rle_codec``."""
    if mask.size >= rle_codec.C_ENCODER_SAFE:
        flat = cv2.transpose(np.ascontiguousarray(mask, dtype=np.uint8)).reshape(-1)  # column-major
        edges = np.r_[0, np.flatnonzero(flat[1:] != flat[:-1]) + 1, flat.size]
        counts = np.diff(edges) if flat.size == 0 or not flat[0] else np.r_[0, np.diff(edges)]
        return {"size": [int(mask.shape[0]), int(mask.shape[1])], "counts": rle_codec.counts_string(counts)}
    rle = mask_utils.encode(np.asfortranarray(mask, dtype=np.uint8))
    return {"size": [int(rle["size"][0]), int(rle["size"][1])], "counts": rle["counts"].decode("ascii")}


def _to_pyco_rle(rle: dict[str, Any]) -> dict[str, Any]:
    """Our JSON RLE (compressed str or uncompressed list counts) -> pycocotools' compressed form."""
    return rle_codec.compressed(rle)


def decode(rle: dict[str, Any]) -> np.ndarray:
    """Compressed or uncompressed RLE -> boolean HxW mask (``LimitError`` over ``limits.max_pixels()``)."""
    h, w = rle["size"]
    limits.check_image_size(w, h, "mask")
    return mask_utils.decode(_to_pyco_rle(rle)).astype(bool)


def compress(rle: dict[str, Any]) -> dict[str, Any]:
    """Any RLE -> compressed RLE with str counts."""
    pyco = _to_pyco_rle(rle)
    counts = pyco["counts"]
    return {
        "size": [int(pyco["size"][0]), int(pyco["size"][1])],
        "counts": counts.decode("ascii") if isinstance(counts, bytes) else counts,
    }


def polygons_to_rle(polygons: Polygons, height: int, width: int) -> dict[str, Any]:
    """COCO polygons -> one compressed RLE (pycocotools rasterization, parts merged). ``LimitError`` for
    outlines too long to walk and images of 2**32 pixels or more (pycocotools' counts are 32-bit)."""
    coordinate_limits.check_polygon_work(polygons, "polygon")
    limits.check_rle_size(height, width, "polygon")
    rles = mask_utils.frPyObjects([list(map(float, p)) for p in polygons], height, width)
    return rles[0] if len(rles) == 1 else mask_utils.merge(rles)  # merging one RLE copies it


def polygons_to_mask(polygons: Polygons, height: int, width: int) -> np.ndarray:
    """COCO polygons -> boolean mask, exactly as ``COCO.annToMask`` rasterizes them."""
    limits.check_image_size(width, height, "mask")
    if not polygons:
        return np.zeros((height, width), dtype=bool)
    return mask_utils.decode(polygons_to_rle(polygons, height, width)).astype(bool)


def _polygons_area_cropped(polygons: Polygons, bbox_: list[float], height: int, width: int) -> float:
    """Pixel count of polygons on an image too big for one RLE: rasterized in a frame around their box."""
    framed = polygons_cropped(polygons, bbox_, height, width)
    return 0.0 if framed is None else float(mask_utils.area(framed[0]))


def polygons_cropped(
    polygons: Polygons, bbox_: list[float], height: int, width: int
) -> tuple[dict[str, Any], list[int]] | None:
    """Polygons rasterized in a frame around their box: (pycocotools RLE of the frame, its ``[x, y]`` in
    the image), None when the frame is empty. How shapes on images too big for one RLE get their pixels.

    pycocotools rounds ``(int)(5 * x + 0.5)``; shifting by whole pixels towards the origin, never past
    0, keeps every rounding and the clipping at the image's edges the same, so the pixels are exact."""
    x0 = max(0, math.floor(bbox_[0]))
    y0 = max(0, math.floor(bbox_[1]))
    x1 = min(width, math.ceil(bbox_[0] + bbox_[2]) + 1)
    y1 = min(height, math.ceil(bbox_[1] + bbox_[3]) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    shifted = []
    for p in polygons:
        q = list(p)
        q[0::2], q[1::2] = [v - x0 for v in q[0::2]], [v - y0 for v in q[1::2]]
        shifted.append(q)
    return polygons_to_rle(shifted, y1 - y0, x1 - x0), [x0, y0]


def box_to_mask(bbox: list[float], height: int, width: int) -> np.ndarray:
    """[x, y, w, h] -> mask through the box's polygon (pycocotools rasterization)."""
    return polygons_to_mask(box_polygon(bbox), height, width)


def annotation_mask(ann: Annotation, height: int, width: int) -> np.ndarray:
    """Pixels of any annotation: RLE decoded (a cropped one placed at its ``rle_origin``), polygons
    rasterized, boxes filled. ``LimitError`` when height x width is over ``limits.max_pixels()``."""
    seg = ann.segmentation
    if ann.kind == "box":
        return box_to_mask(ann.bbox, height, width)
    if isinstance(seg, dict):
        origin = ann.app_extra.get(RLE_ORIGIN)
        if origin is None:
            return decode(seg)
        limits.check_image_size(width, height, "mask")
        full = np.zeros((height, width), dtype=bool)
        crop = decode(seg)
        x, y = origin
        full[y : y + crop.shape[0], x : x + crop.shape[1]] = crop[: height - y, : width - x]
        return full
    return polygons_to_mask(seg, height, width)


def encode_cropped(mask: np.ndarray) -> tuple[dict[str, Any], list[int]] | None:
    """A mask as an RLE of its bounding box and that box's top-left ``[x, y]`` (``rle_origin``): how masks
    of images of 2**32 pixels or more are stored (docs/format.md). None for an empty mask."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    x0, y0 = int(xs.min()), int(ys.min())
    return encode(mask[y0 : int(ys.max()) + 1, x0 : int(xs.max()) + 1]), [x0, y0]


def area(mask: np.ndarray) -> int:
    return int(np.count_nonzero(mask))


def bbox(mask: np.ndarray) -> list[float]:
    """Tight [x, y, w, h] around the set pixels (pixel edges), [0, 0, 0, 0] when empty."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return [0.0, 0.0, 0.0, 0.0]
    cols = np.flatnonzero(mask.any(axis=0))
    return [float(cols[0]), float(rows[0]), float(cols[-1] - cols[0] + 1), float(rows[-1] - rows[0] + 1)]


def polygons_bbox(polygons: Polygons) -> list[float]:
    """Bounding box of polygon vertices, as pycocotools' ``toBbox`` of the polygon's extent."""
    if len(polygons) == 1 and type(polygons[0]) is list:  # most objects: no list made again
        xs, ys = polygons[0][0::2], polygons[0][1::2]
    else:
        xs = [v for p in polygons for v in p[0::2]]
        ys = [v for p in polygons for v in p[1::2]]
    if not xs:
        return [0.0, 0.0, 0.0, 0.0]
    x0, y0 = min(xs), min(ys)
    return [float(x0), float(y0), float(max(xs) - x0), float(max(ys) - y0)]


def segmentation_area(segmentation: list | dict | None, bbox_: list[float], height: int, width: int) -> float:
    """COCO ``area``: pixel count of the rasterized segmentation, w*h for a box."""
    if segmentation is None:
        return float(bbox_[2] * bbox_[3])
    if isinstance(segmentation, dict):
        return float(mask_utils.area(_to_pyco_rle(segmentation)))
    if not segmentation:
        return 0.0
    if height * width >= limits.RLE_MAX_PIXELS // 2:  # a whole-image RLE would overflow its counts
        # framed by the vertices' own box: callers may pass [] or a stale bbox
        return _polygons_area_cropped(segmentation, polygons_bbox(segmentation), height, width)
    return float(mask_utils.area(polygons_to_rle(segmentation, height, width)))


def segmentation_bbox(segmentation: list | dict, height: int, width: int, origin: Any = None) -> list[float]:
    """Bounding box of a segmentation as pycocotools computes it (a cropped RLE: moved to ``origin``)."""
    if isinstance(segmentation, dict):
        box = [float(v) for v in mask_utils.toBbox(_to_pyco_rle(segmentation))]
        if isinstance(origin, list) and len(origin) == 2 and box[2] > 0:
            box[0] += origin[0]
            box[1] += origin[1]
        return box
    return polygons_bbox(segmentation)


@dataclass(frozen=True, slots=True)
class Traced:
    """Result of mask -> polygons, with what the polygons cannot represent."""

    polygons: Polygons
    holes: int  # interior holes that COCO polygons drop
    parts: int  # outer contours kept (disjoint islands become separate parts of one annotation)
    dropped: int  # parts no polygon could hold (always 0 since tracing follows pixel edges; kept for callers)

    @property
    def lossless(self) -> bool:
        return self.holes == 0 and self.dropped == 0


def mask_to_polygons(mask: np.ndarray, epsilon: float = 0.0) -> Traced:
    """Outer contours of a mask as COCO polygons whose vertices lie on pixel edges.

    OpenCV traces pixel centres, which loses half of every boundary pixel and collapses 1-px-wide parts
    to zero area. Tracing the mask upsampled 2x (so every feature is >= 2 px wide) and moving each vertex
    half a (2x) pixel outward puts the outline on the original pixel edges: the polygon rasterizes back
    (pycocotools) onto exactly the same pixels for lines, lone pixels and diagonal runs alike.
    ``epsilon`` > 0 simplifies (Douglas-Peucker, in pixels). Holes are counted, not kept
    (``mask_to_shapes`` keeps them).
    """
    m = np.ascontiguousarray(mask, dtype=np.uint8)
    rows = np.flatnonzero(m.any(axis=1))
    if rows.size == 0:
        return Traced([], 0, 0, 0)
    cols = np.flatnonzero(m.any(axis=0))
    y0, x0 = int(rows[0]), int(cols[0])
    contours, hierarchy = _contours(m[y0 : rows[-1] + 1, x0 : cols[-1] + 1], cv2.RETR_CCOMP)
    polygons: Polygons = []
    holes = 0
    for contour, h in zip(contours, hierarchy[0], strict=True):
        if h[3] != -1:  # has a parent: a hole
            holes += 1
            continue
        polygons.append(_ring(contour, x0, y0, epsilon))
    return Traced(polygons, holes, len(polygons), 0)


Shape = tuple[list[float], list[list[float]]]  # an outer ring and its holes, flat x, y lists


def mask_to_shapes(mask: np.ndarray, epsilon: float = 0.0) -> list[Shape]:
    """A mask as (outer ring, [hole rings]) per part, traced as ``mask_to_polygons`` traces outlines, so
    formats whose polygons hold holes (GeoJSON, a QuPath annotation) keep them: the mask is each outer
    ring rasterized (pycocotools) minus its own holes, pixel for pixel. A hole ring follows the part's
    pixels around the hole, moved half a pixel into it (OpenCV follows a hole the other way round, so
    the same offset points into it); like an outline's concave corners, its corners are cut by a
    fraction of a pixel, which no pixel's centre lies in. An island inside a hole is a part of its own."""
    m = np.ascontiguousarray(mask, dtype=np.uint8)
    rows = np.flatnonzero(m.any(axis=1))
    if rows.size == 0:
        return []
    cols = np.flatnonzero(m.any(axis=0))
    y0, x0 = int(rows[0]), int(cols[0])
    contours, hierarchy = _contours(m[y0 : rows[-1] + 1, x0 : cols[-1] + 1], cv2.RETR_CCOMP)
    shapes: dict[int, Shape] = {}
    for i, h in enumerate(hierarchy[0]):  # outer contours first: a hole names its part
        if h[3] == -1:
            shapes[i] = (_ring(contours[i], x0, y0, epsilon), [])
    for i, h in enumerate(hierarchy[0]):
        if h[3] != -1:
            shapes[int(h[3])][1].append(_ring(contours[i], x0, y0, epsilon))
    return list(shapes.values())


def _contours(crop: np.ndarray, mode: int) -> tuple[Any, Any]:
    """OpenCV's contours of a 0/1 crop upsampled 2x (so every feature is at least 2 px wide)."""
    up = np.ascontiguousarray(np.repeat(np.repeat(crop, 2, axis=0), 2, axis=1))
    return cv2.findContours(up, mode, cv2.CHAIN_APPROX_SIMPLE)


def _ring(contour: np.ndarray, x0: int, y0: int, epsilon: float) -> list[float]:
    """An outer contour of ``_contours`` on the pixel edges of the crop at (x0, y0), flat x, y."""
    if epsilon > 0:
        contour = cv2.approxPolyDP(contour, 2 * epsilon, True)
    pts = _expand_to_pixel_edges(contour.reshape(-1, 2).astype(np.float64)) / 2 + (x0, y0)
    return [round(float(v), 2) for v in pts.reshape(-1)]


def _expand_to_pixel_edges(pts: np.ndarray) -> np.ndarray:
    """Move contour vertices (pixel centres) half a pixel outward so the polygon covers whole pixels.

    pycocotools samples a polygon at pixel centres after shifting; a contour through pixel centres loses
    about half of every boundary pixel. Offsetting each vertex along the bisector of its two edge normals
    puts the outline on the pixel edges for axis-aligned and diagonal runs alike.
    """
    prev_pts = np.roll(pts, 1, axis=0)
    next_pts = np.roll(pts, -1, axis=0)
    # OpenCV outer contours are clockwise in image coordinates (y down) -> outward normal of edge a->b
    # is (dy, -dx) rotated; compute for both edges and average.
    n1 = _edge_normal(prev_pts, pts)
    n2 = _edge_normal(pts, next_pts)
    n = n1 + n2
    norm = np.abs(n).max(axis=1, keepdims=True)
    norm[norm == 0] = 1.0
    offset = 0.5 * n / norm
    return pts + 0.5 + offset


def _edge_normal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = b - a
    length = np.hypot(d[:, 0], d[:, 1])[:, None]
    length[length == 0] = 1.0
    d = d / length
    # outward normal for OpenCV's outer-contour orientation in y-down coordinates
    return np.stack([-d[:, 1], d[:, 0]], axis=1)


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """``mask`` with every background region not 4-connected to its border set (scipy's
    ``binary_fill_holes``), by one OpenCV flood fill from a frame around it: a 2048-px tile in 10 ms, not
    scipy's 300 ms of iterated dilations."""
    m = np.asarray(mask, dtype=bool)
    if m.ndim != 2 or not m.size:
        from scipy import ndimage

        return ndimage.binary_fill_holes(m)
    canvas = np.zeros((m.shape[0] + 2, m.shape[1] + 2), np.uint8)
    canvas[1:-1, 1:-1] = m
    cv2.floodFill(canvas, None, (0, 0), 2, flags=4)  # the background reached from outside
    return canvas[1:-1, 1:-1] != 2


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return float(np.count_nonzero(a & b) / union) if union else float("nan")
