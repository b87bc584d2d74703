"""Limits on an object's coordinates: within a margin of its image, finite, and outlines short enough to
rasterize; checked in bulk (numpy, or a sum for a cell's few corners) so a slide's million cells stay fast,
the first bad value named."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pixelproof.core.limits import (
    COORD_MARGIN,
    MAX_OUTLINE,
    MIN_MARGIN_SIDE,
    LimitError,
    check_finite,
    short_repr,
    surely_finite,
)


def coordinate_range(side: int) -> tuple[float, float]:
    """Allowed coordinates along an image side: up to ``COORD_MARGIN`` sides outside the image (sides
    counted as at least ``MIN_MARGIN_SIDE``, so a thumbnail's objects may still stick out)."""
    margin = COORD_MARGIN * max(side, MIN_MARGIN_SIDE)
    return (-margin, side + margin)


def check_coordinates(xy: Iterable[float], width: int, height: int, where: str) -> None:
    """Interleaved x, y values finite and within ``coordinate_range`` of their axis (checked in bulk;
    the first bad value is named)."""
    import numpy as np

    if isinstance(xy, np.ndarray) and xy.ndim == 1 and xy.dtype.kind in "iuf":
        values: Any = xy  # already numbers (an array holds no bools here): listed only to name a bad one
        arr = xy.astype(np.float64, copy=False)
    else:
        values = list(xy)
        if _short_numbers_inside(values, width, height):
            return
        try:
            arr = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            arr = None
        if bool in set(map(type, values)):  # true/false would pass as 1 and 0
            arr = None
    if arr is not None and arr.ndim == 1 and arr.size:
        (x_lo, x_hi), (y_lo, y_hi) = coordinate_range(width), coordinate_range(height)
        xs, ys = arr[0::2], arr[1::2]
        if (
            xs.min() >= x_lo
            and xs.max() <= x_hi
            and (ys.size == 0 or (ys.min() >= y_lo and ys.max() <= y_hi))
        ):
            return  # NaN fails the comparisons above, so it falls through to be named
    if isinstance(values, np.ndarray):
        values = values.tolist()
    for i, v in enumerate(values):
        f = check_finite(v, where)
        lo, hi = coordinate_range(width if i % 2 == 0 else height)
        if not lo <= f <= hi:
            axis = "x" if i % 2 == 0 else "y"
            raise LimitError(
                where,
                f"{axis} = {short_repr(v)} is too far outside the image ({width} x {height}); allowed "
                f"{lo:g}..{hi:g} ({COORD_MARGIN} image sides either way, at least "
                f"{COORD_MARGIN * MIN_MARGIN_SIDE} px)",
            )


def _short_numbers_inside(values: list[Any], width: int, height: int) -> bool:
    """A short list of finite ints and floats within ``coordinate_range``, seen without numpy (whose array
    costs more than the look at a cell's few corners); False sends it to the check naming a bad value."""
    if not values or len(values) > 4096 or not set(map(type, values)) <= {float, int}:
        return False
    if not surely_finite(values):
        return False  # NaN, which min and max would step over, included
    (x_lo, x_hi), (y_lo, y_hi) = coordinate_range(width), coordinate_range(height)
    xs, ys = values[0::2], values[1::2]
    return x_lo <= min(xs) and max(xs) <= x_hi and (not ys or (y_lo <= min(ys) and max(ys) <= y_hi))


def check_polygon_work(polygons: Iterable[Any], where: str) -> None:
    """Refuse outlines so long that rasterizing them (pycocotools walks them at 5x) would take GBs."""
    import numpy as np

    polygons = polygons if type(polygons) is list else list(polygons)
    if _short_outlines(polygons):
        return
    total = 0.0
    for poly in polygons:
        xy = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
        if len(xy) == 0:
            continue
        steps = np.abs(np.diff(np.vstack([xy, xy[:1]]), axis=0)).max(axis=1)
        total += float(steps.sum())
    if not total <= MAX_OUTLINE:
        raise LimitError(
            where, f"polygon outline of {total:,.0f} px is over the limit of {MAX_OUTLINE:,} px to rasterize"
        )


def _short_outlines(polygons: list[Any]) -> bool:
    """Flat lists of finite numbers that cannot reach ``MAX_OUTLINE``: an edge's longer side is at most
    the polygon's larger extent, so corners x extent bounds the exact count without numpy. False sends
    anything else to the exact count."""
    bound = 0.0
    for p in polygons:
        if type(p) is not list or len(p) < 2 or len(p) % 2 or not surely_finite(p):
            return False
        xs, ys = p[0::2], p[1::2]
        bound += len(xs) * max(max(xs) - min(xs), max(ys) - min(ys))
    return bound <= MAX_OUTLINE
