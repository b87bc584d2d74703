"""Coordinates as the project file writes them: 3 decimals (1/1000 px), never changing a mask.

Edits and imports compute coordinates in floats (``42.13000000000001``). The writer rounds polygon points
and box values to ``DECIMALS``; pycocotools rasterizes a point through ``(int)(5 * v + 0.5)`` (a C cast:
towards zero), so a value whose rounding would change that integer keeps its full precision instead - the
saved shapes rasterize to exactly the masks the program had in memory (docs/format.md, "Numbers as
written"). A box is rasterized through its corners ``x + w`` / ``y + h``, so a box is kept whole when
rounding would move one of its corners. Values that rounding leaves as they are (integers, short decimals)
are written exactly as they were read.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

DECIMALS = 3
SCALE = 5.0  # pycocotools' rleFrPoly upsamples by 5 and casts (int)(5 * v + 0.5)


def raster_cell(v: np.ndarray) -> np.ndarray:
    """The integer pycocotools' ``rleFrPoly`` turns each coordinate into (C cast: truncation)."""
    return np.trunc(SCALE * v + 0.5)


def rounded(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to ``DECIMALS``, except where that would change pycocotools' rasterization."""
    out = np.round(values, DECIMALS)
    differ = np.flatnonzero(out != values)  # NaN included; values with 3 decimals or fewer are left
    was = values[differ]
    moved = raster_cell(out[differ]) != raster_cell(was)
    out[differ[moved]] = was[moved]
    return out


def _merged(values: list, new: np.ndarray) -> list:
    """The rounded values, with each one rounding left equal kept as written (an int stays an int)."""
    return [v if v == r else r for v, r in zip(values, new.tolist(), strict=True)]


def round_annotations(anns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Annotation dicts whose ``segmentation`` polygons and ``bbox`` are rounded (all at once, so a big
    project pays a few array passes). A dict that changes is copied; the others are returned as they are."""
    with_polygons = [i for i, a in enumerate(anns) if type(a.get("segmentation")) is list]
    per_ann = [anns[i]["segmentation"] for i in with_polygons]
    polygons = list(itertools.chain.from_iterable(per_ann))
    boxed = [i for i, a in enumerate(anns) if type(a.get("bbox")) is list and len(a["bbox"]) == 4]
    if not polygons and not boxed:
        return anns
    out = list(anns)
    if polygons:
        lengths = np.fromiter(map(len, polygons), dtype=np.int64, count=len(polygons))
        flat = np.fromiter(
            itertools.chain.from_iterable(polygons), dtype=np.float64, count=int(lengths.sum())
        )
        new = rounded(flat)
        starts = np.cumsum(lengths) - lengths
        changed = np.zeros(len(polygons), dtype=bool)
        nonempty = lengths > 0
        if flat.size:
            changed[nonempty] = np.logical_or.reduceat(new != flat, starts[nonempty])
        n_polygons = np.fromiter(map(len, per_ann), dtype=np.int64, count=len(per_ann))
        first = np.cumsum(n_polygons) - n_polygons
        ann_changed = np.zeros(len(per_ann), dtype=bool)
        has = n_polygons > 0
        ann_changed[has] = np.logical_or.reduceat(changed, first[has])
        for row in np.flatnonzero(ann_changed).tolist():
            k, n = int(first[row]), int(n_polygons[row])
            polys = [_merged(polygons[j], new[starts[j] : starts[j] + lengths[j]]) if changed[j]
                     else polygons[j] for j in range(k, k + n)]  # fmt: skip
            i = with_polygons[row]
            out[i] = {**anns[i], "segmentation": polys}
    if boxed:
        boxes = np.fromiter(
            itertools.chain.from_iterable(anns[i]["bbox"] for i in boxed),
            dtype=np.float64,
            count=4 * len(boxed),
        ).reshape(-1, 4)
        r = np.round(boxes, DECIMALS)
        corners = np.hstack([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]])
        r_corners = np.hstack([r[:, :2], r[:, :2] + r[:, 2:]])
        keep = (raster_cell(corners) != raster_cell(r_corners)).any(axis=1) | (r == boxes).all(axis=1)
        for row in np.flatnonzero(~keep):
            i = boxed[row]
            out[i] = {**out[i], "bbox": _merged(anns[i]["bbox"], r[row])}
    return out
