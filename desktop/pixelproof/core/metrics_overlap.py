"""How much two objects overlap: IoU and cover (the share of one inside the other, COCO's measure for a
crowd region) of COCO [x, y, w, h] boxes, one pair or many at once, and of ``Placed`` crops, counted
inside their overlap box only. The object matchings of QA, AP, lint and version diff all measure here.
"""

from __future__ import annotations

import math

import numpy as np

from pixelproof.core.metrics import Placed


def _box_overlap(a: list[float] | np.ndarray, b: list[float] | np.ndarray) -> tuple[float, float, float]:
    """(intersection, area of a, area of b) of two COCO [x, y, w, h] boxes (continuous coordinates)."""
    ax, ay, aw, ah = (float(v) for v in a)
    bx, by, bw, bh = (float(v) for v in b)
    iw = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    return iw * ih, aw * ah, bw * bh


def box_overlaps(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_box_overlap`` of many box pairs at once (rows of two [n, 4] float arrays [x, y, w, h]): the same
    float operations in the same order, min and max chosen as Python's pick them (NaN included), so every
    value is bit for bit the scalar's; one numpy call for thousands of pairs instead of a Python call each
    (a stack of 3,000 equal boxes is 9,000,000 pairs)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)

    def side(k: int) -> np.ndarray:  # max(0.0, min(a0 + a1, b0 + b1) - max(a0, b0)) along x (k=0) or y
        end_a, end_b = a[:, k] + a[:, k + 2], b[:, k] + b[:, k + 2]
        span = np.where(end_b < end_a, end_b, end_a) - np.where(b[:, k] > a[:, k], b[:, k], a[:, k])
        return np.where(span > 0.0, span, 0.0)

    with np.errstate(invalid="ignore", over="ignore"):  # inf x 0 is NaN, as in the scalar
        return side(0) * side(1), a[:, 2] * a[:, 3], b[:, 2] * b[:, 3]


def box_ious(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``box_iou`` of each row of ``a`` with the same row of ``b`` ([n, 4] [x, y, w, h]), bit for bit."""
    inter, area_a, area_b = box_overlaps(a, b)
    with np.errstate(invalid="ignore", over="ignore"):
        union = area_a + area_b - inter
        return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def box_covers(a: np.ndarray, region: np.ndarray) -> np.ndarray:
    """``box_cover`` of each row of ``a`` by the same row of ``region``, bit for bit."""
    inter, area_a, _ = box_overlaps(a, region)
    with np.errstate(invalid="ignore"):
        return np.divide(inter, area_a, out=np.zeros_like(inter), where=area_a > 0)


def box_iou(a: list[float] | np.ndarray, b: list[float] | np.ndarray) -> float:
    """IoU of two COCO [x, y, w, h] boxes (continuous coordinates)."""
    inter, area_a, area_b = _box_overlap(a, b)
    union = area_a + area_b - inter
    return inter / union if union > 0 else 0.0


def placed_overlap(a: Placed, b: Placed) -> int:
    """Pixels two crops share, counted inside their overlap box only."""
    ya, yb = max(a.y0, b.y0), min(a.y1, b.y1)
    xa, xb = max(a.x0, b.x0), min(a.x1, b.x1)
    if ya >= yb or xa >= xb:
        return 0
    return int(
        np.count_nonzero(
            a.mask[ya - a.y0 : yb - a.y0, xa - a.x0 : xb - a.x0]
            & b.mask[ya - b.y0 : yb - b.y0, xa - b.x0 : xb - b.x0]
        )
    )


def placed_iou(a: Placed, b: Placed) -> float:
    """Pixel IoU of two crops, touching only their overlap box."""
    na, nb = a.area, b.area
    if na + nb == 0:
        return math.nan
    inter = placed_overlap(a, b)
    return inter / (na + nb - inter)


def placed_cover(a: Placed, region: Placed) -> float:
    """Share of ``a``'s pixels inside ``region``: intersection / area of ``a`` (COCO's IoU with a crowd
    region, ``maskUtils.iou(..., iscrowd=[1])``); 0.0 when ``a`` is empty."""
    na = a.area
    return placed_overlap(a, region) / na if na else 0.0


def box_cover(a: list[float] | np.ndarray, region: list[float] | np.ndarray) -> float:
    """Share of box ``a`` ([x, y, w, h]) inside box ``region``: intersection / area of ``a`` (COCO's box
    IoU with a crowd box); 0.0 when ``a`` has no area."""
    inter, area_a, _ = _box_overlap(a, region)
    return inter / area_a if area_a > 0 else 0.0
