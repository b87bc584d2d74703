"""Each mask's boundary and Boundary IoU band measured once, on its own crop, for every comparison it
takes part in (``metrics.compare``'s figures bit for bit).

QA compares one object several times: with its match (or alone, as missed or extra), then within its
class's row (``metrics_parts``). Each comparison used to erode both masks again on a frame around the
two; a slide's tumour region (3,600 x 3,700 pixels, band width d = 500) cost two chessboard distance
transforms of 13,000,000 pixels in its object row and again in its class row. Which pixels of a mask
are its boundary (a 4-neighbour outside) and its band (a zero pixel within chessboard distance d) does
not depend on the frame, as long as the frame holds the mask's box and a ring of zeros around it (the
nearest zero outside the box is never nearer than the ring pixel between it and the mask): so both are
measured on the crop framed by one zero pixel, kept in image coordinates, and a comparison only counts
the overlaps of two crops and measures the distances between the two boundaries, in the frame
``compare`` would use, by the same method and in the same row-major order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pixelproof.core.metrics import (
    _CROSS,
    _SQUARE,
    DistanceMethod,
    MaskComparison,
    Placed,
    _eroded_away,
    band_width,
    directed_distances,
    image_diagonal,
    nearest_distances,
)
from pixelproof.core.metrics_overlap import placed_overlap

_NO_EDGE = np.zeros((0, 2), dtype=np.int64)


@dataclass(slots=True)
class Shape:
    """What comparisons need of one mask: its pixel count, its boundary pixels [n, 2] (row, column in the
    image, row-major) and its band (the crop itself when every pixel is in it: a cell's, d = 500)."""

    placed: Placed  # kept alive: ``Shapes`` knows it by identity
    area: int
    edge: np.ndarray
    band: Placed
    band_area: int
    tight_box: tuple[int, int, int, int] | None = None

    @property
    def band_is_mask(self) -> bool:
        return self.band is self.placed

    def tight(self) -> tuple[int, int, int, int] | None:
        """The box of its pixels (y0, x0, y1, x1), None when it has none (measured when first asked)."""
        if self.tight_box is None and self.area:
            p, m = self.placed, self.placed.mask
            rows, cols = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
            y0, x0 = p.y0, p.x0
            self.tight_box = (
                y0 + int(rows[0]),
                x0 + int(cols[0]),
                y0 + int(rows[-1]) + 1,
                x0 + int(cols[-1]) + 1,
            )
        return self.tight_box


class Shapes:
    """The ``Shape`` of each crop (by identity) for one band width ``d`` (the first comparison's, when
    not given): one per scored image, shared by its object rows and class rows."""

    def __init__(self, d: int | None = None) -> None:
        self.d = d
        self._known: dict[int, Shape] = {}

    def for_band(self, d: int) -> Shapes:
        """This cache when its band width is ``d`` (or still unset), else a new one for ``d``."""
        if self.d is None:
            self.d = d
        return self if self.d == d else Shapes(d)

    def of(self, p: Placed) -> Shape:
        if self.d is None:
            raise ValueError("Shapes.of before its band width is set (for_band)")
        if p.mask.size == 0:  # nothing to keep (a missed object's empty other side)
            return Shape(p, 0, _NO_EDGE, p, 0)
        found = self._known.get(id(p))
        if found is None or found.placed is not p:
            found = self._known[id(p)] = measure_shape(p, self.d)
        return found


def measure_shape(p: Placed, d: int) -> Shape:
    """``p``'s boundary and band, eroded on its crop with a ring of zeros (see the module's docstring)."""
    m = p.mask
    area = int(np.count_nonzero(m)) if m.size else 0
    if area == 0:
        return Shape(p, 0, _NO_EDGE, p, 0)
    framed = np.zeros((m.shape[0] + 2, m.shape[1] + 2), dtype=bool)
    framed[1:-1, 1:-1] = m
    edge = np.argwhere(_eroded_away(framed, _CROSS))
    edge += (p.y0 - 1, p.x0 - 1)
    band = _eroded_away(framed, _SQUARE, d)[1:-1, 1:-1]
    band_area = int(np.count_nonzero(band))
    if band_area == area:  # the band is a subset of the mask: all of it
        return Shape(p, area, edge, p, area)
    return Shape(p, area, edge, Placed(band, p.y0, p.x0), band_area)


def edge_distances(
    edge_a: np.ndarray,
    edge_b: np.ndarray,
    frame: tuple[int, int, int, int],
    spacing: tuple[float, float] | None,
    method: DistanceMethod = "auto",
) -> tuple[np.ndarray, np.ndarray]:
    """``metrics.directed_distances`` of two boundaries given as image pixels [n, 2] (row-major), on the
    frame (y0, x0, h, w) that holds them: the same method chosen by the same rule (the frame's transform
    when it is at most 6 x the boundary pixels), in the frame's coordinates, so the same numbers."""
    y0, x0, h, w = frame
    n = len(edge_a) + len(edge_b)
    if method == "edt" or (method == "auto" and h * w <= 6 * n):
        ba, bb = np.zeros((h, w), dtype=bool), np.zeros((h, w), dtype=bool)
        ba[edge_a[:, 0] - y0, edge_a[:, 1] - x0] = True
        bb[edge_b[:, 0] - y0, edge_b[:, 1] - x0] = True
        return directed_distances(ba, bb, spacing, "edt")
    origin = np.array([y0, x0])
    return nearest_distances(edge_a - origin, edge_b - origin, spacing)


def compare_shapes(
    ref: Placed,
    cand: Placed,
    image_shape: tuple[int, int],
    *,
    shapes: Shapes | None = None,
    spacing: tuple[float, float] | None = None,
    nsd_tau: float = 2.0,
    boundary_iou_d: int | None = None,
    distances: bool = True,
    method: DistanceMethod = "auto",
) -> MaskComparison:
    """``metrics.compare(ref, cand, image_shape, ...)`` from both crops' ``Shape`` (each measured once
    in ``shapes``): every figure, distances in the same order, bit for bit."""
    d = boundary_iou_d if boundary_iou_d is not None else band_width(image_shape)
    shapes = (shapes or Shapes()).for_band(d)
    unit = "px" if spacing is None else "mm"
    base = {"nsd_tau": nsd_tau, "biou_d": d, "diagonal": image_diagonal(image_shape, spacing), "unit": unit}
    boxes = [p.box() for p in (ref, cand) if p.mask.size]  # compare's frame (``union_box``)
    if not boxes:
        return MaskComparison(0, 0, 0, **base)
    box = tuple(f(v) for f, v in zip((min, min, max, max), zip(*boxes, strict=True), strict=True))
    a, b = shapes.of(ref), shapes.of(cand)
    tp = placed_overlap(ref, cand) if a.area and b.area else 0
    out = MaskComparison(tp, b.area - tp, a.area - tp, **base)
    if not distances:
        out.measured = False
        return out
    out.n_boundary_ref, out.n_boundary_cand = len(a.edge), len(b.edge)
    if a.area and b.area:  # compare's frame: both crops' box and a ring of zeros
        frame = (box[0] - 1, box[1] - 1, box[2] - box[0] + 2, box[3] - box[1] + 2)
        out.d_ref, out.d_cand = edge_distances(a.edge, b.edge, frame, spacing, method)
    if a.band_is_mask and b.band_is_mask:
        out.biou_inter = tp
    else:
        out.biou_inter = placed_overlap(a.band, b.band) if a.band_area and b.band_area else 0
    out.biou_union = a.band_area + b.band_area - out.biou_inter
    return out
