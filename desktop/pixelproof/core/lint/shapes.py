"""Shape measurements lint needs: polygon validity, pieces and holes of a mask, contour roughness,
overlap and contact of two masks. Masks are ``Placed`` crops (pixels of the object's box only)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from pixelproof.core.metrics import Placed, tighten

_CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=np.uint8)


# ------------------------------------------------------------------------------------------------
# polygons


def polygon_points(flat: list[float]) -> np.ndarray:
    """Flat [x1, y1, ...] -> (n, 2) without repeated consecutive points (nor a closing repeat)."""
    pts = np.asarray(flat, dtype=np.float64).reshape(-1, 2)
    if len(pts) > 1:
        keep = np.empty(len(pts), dtype=bool)
        keep[0] = True
        np.any(pts[1:] != pts[:-1], axis=1, out=keep[1:])
        pts = pts[keep]
        if len(pts) > 1 and (pts[-1] == pts[0]).all():
            pts = pts[:-1]
    return pts


def polygon_area(pts: np.ndarray) -> float:
    """Shoelace area (absolute)."""
    if len(pts) < 3:
        return 0.0
    x, y = pts[:, 0], pts[:, 1]
    return float(abs(np.dot(x[:-1], y[1:]) - np.dot(y[:-1], x[1:]) + x[-1] * y[0] - y[-1] * x[0]) / 2)


def polygon_defect(flat: list[float]) -> str | None:
    """Why one polygon ring is invalid ("fewer than 3 distinct points", "zero area", "self-intersecting"),
    None when valid."""
    return ring_defect(polygon_points(flat))


def ring_defect(pts: np.ndarray) -> str | None:
    """``polygon_defect`` of a ring already through ``polygon_points``."""
    degenerate = polygon_degenerate(pts)
    if degenerate:
        return degenerate
    if self_intersects(pts):
        return "self-intersecting"
    return None


def polygon_degenerate(pts: np.ndarray) -> str | None:
    """ "fewer than 3 distinct points" or "zero area" (every point on one line), else None."""
    if len(pts) < 3:
        return "fewer than 3 distinct points"
    d = pts - pts[0]
    ref = d[np.argmax(np.abs(d).sum(axis=1))]
    if np.any(d[:, 0] * ref[1] - d[:, 1] * ref[0]):
        return None
    return "zero area" if len(np.unique(pts, axis=0)) >= 3 else "fewer than 3 distinct points"


@functools.lru_cache(maxsize=64)
def _edge_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) of non-adjacent edges of a closed ring of n edges, i < j."""
    i, j = np.triu_indices(n, k=2)
    keep = ~((i == 0) & (j == n - 1))
    return i[keep], j[keep]


def self_intersects(pts: np.ndarray) -> bool:
    """True when two non-adjacent edges of the closed ring meet (crossing or touching), or an edge folds
    back on the previous one (a spike): what GEOS calls an invalid ring."""
    n = len(pts)
    if n < 4:
        return False  # a triangle cannot cross itself; a flat one has zero area (reported as such)
    a = pts
    b = np.concatenate([pts[1:], pts[:1]])  # edge i: a[i] -> b[i]
    d = b - a
    d_next = np.concatenate([d[1:], d[:1]])
    cross = d[:, 0] * d_next[:, 1] - d[:, 1] * d_next[:, 0]
    if np.any((cross == 0) & ((d * d_next).sum(axis=1) < 0)):
        return True  # edge i + 1 goes back along edge i
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    if n > _PAIRS_AT_ONCE:
        return _self_intersects_chunked(a, b, d, lo, hi)
    ii, jj = _edge_pairs(n)
    return _pairs_meet(a, b, d, lo, hi, ii, jj)


_PAIRS_AT_ONCE = 1024  # rings with more edges are swept: only edges whose x ranges overlap are paired
_PAIRS_A_STEP = 1 << 20  # edge pairs tested at once by the sweep (memory ~ 100 bytes a pair)


def _self_intersects_chunked(a, b, d, lo, hi) -> bool:  # type: ignore[no-untyped-def]
    """Sweep along x: the edges sorted by their left end, each paired only with the edges that start
    before it ends. A slide region of millions of vertices has a few such partners an edge, where testing
    every pair held ~n^2 of them (23 GB and minutes for a 2,000,000-vertex QuPath annotation)."""
    n = len(a)
    order = np.argsort(lo[:, 0], kind="stable")
    left = lo[order, 0]
    ends = np.searchsorted(left, hi[order, 0], side="right")  # sorted edges p+1 .. ends[p]-1 overlap p
    counts = np.maximum(ends - np.arange(n) - 1, 0)
    starts = np.concatenate([[0], np.cumsum(counts)])
    p = 0
    while p < n:  # runs of sorted edges holding about _PAIRS_A_STEP pairs (one edge's pairs at least)
        q = max(p + 1, int(np.searchsorted(starts, starts[p] + _PAIRS_A_STEP, side="right")) - 1)
        q = min(q, n)
        c = counts[p:q]
        total = int(c.sum())
        if total:
            first = np.repeat(np.arange(p, q), c)
            second = first + 1 + np.arange(total) - np.repeat(starts[p:q] - starts[p], c)
            i, j = order[first], order[second]
            i, j = np.minimum(i, j), np.maximum(i, j)
            keep = (j > i + 1) & ~((i == 0) & (j == n - 1))  # neighbours share a vertex by design
            if _pairs_meet(a, b, d, lo, hi, i[keep], j[keep]):
                return True
        p = q
    return False


def _pairs_meet(a, b, d, lo, hi, ii, jj) -> bool:  # type: ignore[no-untyped-def]
    """Whether any edge pair (ii[k], jj[k]) meets: bounding boxes first (also the collinear test)."""
    meet = (
        (lo[ii, 0] <= hi[jj, 0])
        & (lo[jj, 0] <= hi[ii, 0])
        & (lo[ii, 1] <= hi[jj, 1])
        & (lo[jj, 1] <= hi[ii, 1])
    )
    ii, jj = ii[meet], jj[meet]
    if ii.size == 0:
        return False
    o1 = _cross(a[ii], d[ii], a[jj])
    o2 = _cross(a[ii], d[ii], b[jj])
    o3 = _cross(a[jj], d[jj], a[ii])
    o4 = _cross(a[jj], d[jj], b[ii])
    return bool(np.any((o1 * o2 <= 0) & (o3 * o4 <= 0)))


def _cross(origin: np.ndarray, direction: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Sign-carrying cross product (direction x (p - origin)), row by row."""
    return direction[:, 0] * (p[:, 1] - origin[:, 1]) - direction[:, 1] * (p[:, 0] - origin[:, 0])


def ring_roughness(pts: np.ndarray) -> float:
    """Perimeter of a ring over the perimeter of its convex hull (1 = convex, larger = rougher)."""
    if len(pts) < 3:
        return float("nan")
    pts32 = pts.astype(np.float32)
    perimeter = cv2.arcLength(pts32, True)
    hull_perimeter = cv2.arcLength(cv2.convexHull(pts32), True)
    return perimeter / hull_perimeter if hull_perimeter > 0 else float("nan")


@dataclass(slots=True)
class Outline:
    """Contours of a mask crop: the outer boundary of each 8-connected piece, and how many holes."""

    outers: list[np.ndarray]  # (n, 2) points each
    holes: int

    @property
    def single(self) -> bool:
        """One piece without holes: nothing for the fragment check to look at."""
        return len(self.outers) == 1 and self.holes == 0


def pixel_length(crop: np.ndarray) -> float:
    """The longest extent of a mask's pixels in any direction (the farthest two pixel corners): a 1-px
    scratch is as long run along a row as run diagonally, where its box's sides say 300 and 1 or 212
    and 212."""
    rows = np.flatnonzero(crop.any(axis=1))
    if not len(rows):
        return 0.0
    first = crop[rows].argmax(axis=1)  # each row's ends: the hull of all the pixels is theirs
    last = crop.shape[1] - 1 - crop[rows, ::-1].argmax(axis=1)
    ends = np.concatenate([np.stack([first, rows], axis=1), np.stack([last, rows], axis=1)])
    centres = cv2.convexHull(ends.astype(np.int32)).reshape(-1, 2)
    corners = np.concatenate([centres + np.array([dx, dy]) for dx in (0, 1) for dy in (0, 1)])
    hull = cv2.convexHull(corners.astype(np.int32)).reshape(-1, 2).astype(np.float64)
    return max(float(np.hypot(*(hull - p).T).max()) for p in hull)  # memory ~ the hull, not its square


def outline(crop: np.ndarray) -> Outline:
    if crop.size == 0:
        return Outline([], 0)
    padded = cv2.copyMakeBorder(crop.astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    contours, hierarchy = cv2.findContours(padded, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return Outline([], 0)
    outers = [c.reshape(-1, 2) for c, h in zip(contours, hierarchy[0], strict=True) if h[3] == -1]
    return Outline(outers, len(contours) - len(outers))


def mask_roughness(crop: np.ndarray, found: Outline | None = None) -> float:
    """``ring_roughness`` of the outer contour of a mask's largest piece (pixel-edge outline)."""
    found = found if found is not None else outline(crop)
    if not found.outers:
        return float("nan")
    outer = max(found.outers, key=cv2.contourArea)
    return ring_roughness(outer.astype(np.float64))


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


def bridged(main: Placed, island: Placed, between: list[Placed], limit: float) -> bool:
    """Whether ``island`` joins ``main`` through the objects ``between`` (those in front of it), each
    empty stretch on the way at most ``limit`` px: the parts of an object seen past an occluder."""
    if not between:
        return False
    y0, x0, h, w = frame_of(main, island, pad=int(limit) + 1)
    joined = main.in_frame(y0, x0, h, w) | island.in_frame(y0, x0, h, w)
    for p in between:
        joined |= p.in_frame(y0, x0, h, w)
    r = max(1, int(np.ceil(limit / 2)))  # grown by half the gap each side: gaps up to ``limit`` close
    grown = cv2.dilate(
        joined.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2)
    )
    _, labels = cv2.connectedComponents(grown, connectivity=8)
    at = labels[main.in_frame(y0, x0, h, w)]
    return bool(np.isin(labels[island.in_frame(y0, x0, h, w)], at).any())


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
