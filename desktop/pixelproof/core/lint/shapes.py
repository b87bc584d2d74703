"""Shape measurements lint needs: polygon validity, pieces and holes of a mask, contour roughness,
overlap and contact of two masks. Masks are ``Placed`` crops (pixels of the object's box only)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pixelproof.core.metrics import Placed, tighten

_CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=np.uint8)
_CHUNK = 512  # rows of the segment x segment test at a time (memory stays ~ 512 x n)


# ------------------------------------------------------------------------------------------------
# polygons


def polygon_points(flat: list[float]) -> np.ndarray:
    """Flat [x1, y1, ...] -> (n, 2) without repeated consecutive points (closing point included)."""
    pts = np.asarray(flat, dtype=np.float64).reshape(-1, 2)
    if len(pts) > 1:
        keep = np.any(pts != np.roll(pts, 1, axis=0), axis=1)
        keep[0] = True if not keep.any() else keep[0]
        pts = pts[keep]
    return pts


def polygon_area(pts: np.ndarray) -> float:
    """Shoelace area (absolute)."""
    if len(pts) < 3:
        return 0.0
    x, y = pts[:, 0], pts[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def polygon_defect(flat: list[float]) -> str | None:
    """Why one polygon ring is invalid ("fewer than 3 distinct points", "zero area", "self-intersecting"),
    None when valid."""
    pts = polygon_points(flat)
    if len(np.unique(pts, axis=0)) < 3:
        return "fewer than 3 distinct points"
    if polygon_area(pts) == 0.0:
        return "zero area"
    if self_intersects(pts):
        return "self-intersecting"
    return None


def _orient(ax, ay, bx, by, cx, cy):  # type: ignore[no-untyped-def]
    return np.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax))


def self_intersects(pts: np.ndarray) -> bool:
    """True when two non-adjacent edges of the closed ring meet (crossing or touching), or an edge folds
    back on the previous one (a spike): what GEOS calls an invalid ring."""
    n = len(pts)
    if n < 4:
        return False  # a triangle cannot cross itself; a flat one has zero area (reported as such)
    a, b = pts, np.roll(pts, -1, axis=0)  # edge i: a[i] -> b[i]
    # spikes: edge i+1 goes back along edge i
    d0, d1 = b - a, np.roll(b, -1, axis=0) - b
    cross = d0[:, 0] * d1[:, 1] - d0[:, 1] * d1[:, 0]
    if np.any((cross == 0) & ((d0 * d1).sum(axis=1) < 0)):
        return True
    idx = np.arange(n)
    for start in range(0, n, _CHUNK):
        i = idx[start : start + _CHUNK, None]
        j = idx[None, :]
        pair = (j > i + 1) & ~((i == 0) & (j == n - 1))
        if not pair.any():
            continue
        ax, ay = a[i, 0], a[i, 1]
        bx, by = b[i, 0], b[i, 1]
        cx, cy = a[j, 0], a[j, 1]
        dx, dy = b[j, 0], b[j, 1]
        o1 = _orient(ax, ay, bx, by, cx, cy)
        o2 = _orient(ax, ay, bx, by, dx, dy)
        o3 = _orient(cx, cy, dx, dy, ax, ay)
        o4 = _orient(cx, cy, dx, dy, bx, by)
        proper = (o1 * o2 <= 0) & (o3 * o4 <= 0)
        collinear = (o1 == 0) & (o2 == 0)
        # collinear edges meet only when their extents overlap
        overlap = (
            (np.minimum(ax, bx) <= np.maximum(cx, dx))
            & (np.minimum(cx, dx) <= np.maximum(ax, bx))
            & (np.minimum(ay, by) <= np.maximum(cy, dy))
            & (np.minimum(cy, dy) <= np.maximum(ay, by))
        )
        hit = pair & proper & (~collinear | overlap)
        if hit.any():
            return True
    return False


def ring_roughness(pts: np.ndarray) -> float:
    """Perimeter of a ring over the perimeter of its convex hull (1 = convex, larger = rougher)."""
    if len(pts) < 3:
        return float("nan")
    perimeter = float(np.hypot(*(np.roll(pts, -1, axis=0) - pts).T).sum())
    hull = cv2.convexHull(pts.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    hull_perimeter = float(np.hypot(*(np.roll(hull, -1, axis=0) - hull).T).sum())
    return perimeter / hull_perimeter if hull_perimeter > 0 else float("nan")


def mask_roughness(crop: np.ndarray) -> float:
    """``ring_roughness`` of the outer contour of a mask's largest piece (pixel-edge outline)."""
    if crop.size == 0 or not crop.any():
        return float("nan")
    padded = np.pad(crop.astype(np.uint8), 1)
    contours, _ = cv2.findContours(padded, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return float("nan")
    outer = max(contours, key=cv2.contourArea)
    return ring_roughness(outer.reshape(-1, 2).astype(np.float64))


# ------------------------------------------------------------------------------------------------
# pieces of a mask


@dataclass(slots=True)
class Pieces:
    """Connected pieces of an object (polygon parts, or 8-connected components of a mask) and holes."""

    labels: np.ndarray  # int32 crop: 0 background, k = piece k (1-based)
    areas: list[int]  # per piece
    main: int  # 1-based index of the largest piece
    gaps: list[float]  # per piece: empty pixels between it and the main piece (0 for the main one)
    hole_areas: list[int]  # enclosed background components (4-connected)
    hole_labels: np.ndarray | None = None


def mask_pieces(crop: np.ndarray, with_gaps: bool = True) -> Pieces:
    """8-connected components of a crop, their gaps to the largest one, and the crop's holes."""
    m = crop.astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    areas = [int(a) for a in stats[1:, cv2.CC_STAT_AREA]]
    holes, hole_labels = _holes(crop)
    if not areas:
        return Pieces(labels, [], 0, [], holes, hole_labels)
    main = int(np.argmax(areas)) + 1
    gaps = piece_gaps(labels, main, len(areas)) if (with_gaps and len(areas) > 1) else [0.0] * len(areas)
    return Pieces(labels, areas, main, gaps, holes, hole_labels)


def placed_gap(main: Placed, other: Placed) -> float:
    """Empty pixels between two crops (pixel-centre distance - 1; 0 when they touch or overlap)."""
    y0, x0, h, w = frame_of(main, other)
    fm, fo = main.in_frame(y0, x0, h, w), other.in_frame(y0, x0, h, w)
    if not fm.any() or not fo.any():
        return float("inf")
    dist = cv2.distanceTransform((~fm).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return max(0.0, float(dist[fo].min()) - 1.0)


def piece_gaps(labels: np.ndarray, main: int, count: int) -> list[float]:
    """Euclidean gap (pixel-centre distance - 1) from each piece to the main piece."""
    not_main = np.pad((labels != main).astype(np.uint8), 1, constant_values=1)
    dist = cv2.distanceTransform(not_main, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]
    out = [0.0] * count
    for k in range(1, count + 1):
        if k != main:
            out[k - 1] = max(0.0, float(dist[labels == k].min()) - 1.0)
    return out


def _holes(crop: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Areas of the background components that do not reach the crop's edge (4-connected)."""
    bg = np.pad(~crop.astype(bool), 1, constant_values=True).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(bg, connectivity=4)
    outside = labels[0, 0]
    areas = [int(stats[k, cv2.CC_STAT_AREA]) for k in range(1, n) if k != outside]
    inner = labels[1:-1, 1:-1].copy()
    inner[inner == outside] = 0
    return areas, inner


# ------------------------------------------------------------------------------------------------
# two masks


def frame_of(a: Placed, b: Placed, pad: int = 1) -> tuple[int, int, int, int]:
    """(y0, x0, h, w) holding both crops plus ``pad`` pixels around."""
    y0, x0 = min(a.y0, b.y0) - pad, min(a.x0, b.x0) - pad
    y1, x1 = max(a.y1, b.y1) + pad, max(a.x1, b.x1) + pad
    return y0, x0, y1 - y0, x1 - x0


def boxes_near(a: Placed, b: Placed, pad: int = 1) -> bool:
    """The crops' boxes overlap or lie within ``pad`` pixels of each other."""
    return a.y0 < b.y1 + pad and b.y0 < a.y1 + pad and a.x0 < b.x1 + pad and b.x0 < a.x1 + pad


@dataclass(slots=True)
class Contact:
    overlap: int  # pixels in both
    touch: int  # pixels of b (outside a) 4-adjacent to a


def contact(a: Placed, b: Placed) -> Contact:
    """How two masks meet: shared pixels, and pixels of ``b`` right next to ``a`` (4-neighbourhood)."""
    if a.is_empty or b.is_empty or not boxes_near(a, b):
        return Contact(0, 0)
    y0, x0, h, w = frame_of(a, b)
    fa, fb = a.in_frame(y0, x0, h, w), b.in_frame(y0, x0, h, w)
    overlap = int(np.count_nonzero(fa & fb))
    grown = cv2.dilate(fa.astype(np.uint8), _CROSS).astype(bool)
    touch = int(np.count_nonzero(grown & fb & ~fa))
    return Contact(overlap, touch)


def without(b: Placed, a: Placed, border: bool = False) -> Placed:
    """``b`` minus ``a`` (and, with ``border``, minus the pixels 4-adjacent to ``a``)."""
    y0, x0, h, w = frame_of(a, b)
    fa, fb = a.in_frame(y0, x0, h, w), b.in_frame(y0, x0, h, w)
    cut = cv2.dilate(fa.astype(np.uint8), _CROSS).astype(bool) if border else fa
    return tighten(Placed(fb & ~cut, y0, x0))
