"""``metrics.compare`` of two class masks given as their objects' crops, without the whole frame when
the class is spread thin over a large image (100 boxes of a class over a 4000 x 3000 image: every
figure of the class's row came from four erosions, two of them 201 x 201, and a scan of 12,000,000
pixels; 100 classes were 33 s of one image's QA).

The crops are grouped into clusters: crops whose boxes, grown by a pixel, overlap. Pixels of different
clusters are never neighbours (8-connected), and which pixels a mask's boundary (4-neighbour outside)
and its Boundary IoU band (a zero pixel within ``d``, the 3 x 3 erosion ``d`` times) hold depends only
on each pixel's 8-connected piece: a straight (king's move) path from a pixel to the nearest zero leaves
its piece first at a zero pixel next to it, inside the piece's box grown by one. So each cluster is
measured on its own box with a ring of zeros, the counts are summed, and the boundary pixels are put
back in the whole frame's row-major order and coordinates for the nearest-neighbour distances, which is
what ``compare`` does on a frame that large and sparse: every figure is bit for bit ``compare``'s.

A cluster of one object a side (or one alone: most of a slide's cells, and its tumour regions) takes
both objects' boundaries and bands from ``metrics_shapes``, measured once for the object rows too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import numpy as np

from pixelproof.core import matching
from pixelproof.core.metrics import (
    _CROSS,
    _SQUARE,
    MaskComparison,
    Placed,
    _eroded_away,
    band_width,
    compare,
    image_diagonal,
    merge,
)
from pixelproof.core.metrics_overlap import placed_overlap
from pixelproof.core.metrics_shapes import _NO_EDGE, Shapes, edge_distances

#: frames of fewer pixels are compared whole (dense work there costs milliseconds)
SPARSE_FRAME = 1 << 20
#: what a cluster's Python work costs, in pixels of the whole frame's dense work
CLUSTER_COST = 2048


def compare_parts(
    ref_parts: list[Placed],
    cand_parts: list[Placed],
    image_shape: tuple[int, int],
    *,
    spacing: tuple[float, float] | None = None,
    nsd_tau: float = 2.0,
    boundary_iou_d: int | None = None,
    distances: bool = True,
    merged: tuple[Placed, Placed] | Callable[[], tuple[Placed, Placed]] | None = None,
    shapes: Shapes | None = None,
) -> MaskComparison:
    """``compare(merge(ref_parts), merge(cand_parts), image_shape, ...)``, cluster by cluster when the
    frame is large and the parts cover little of it, or are few (see the module's docstring).
    ``merged``: those two merges when the caller has them (or gives them when asked: ``ClassMasks.of``);
    ``shapes``: the parts' ``Shape`` cache."""
    ref_parts = [p for p in ref_parts if not p.is_empty]
    cand_parts = [p for p in cand_parts if not p.is_empty]
    parts = ref_parts + cand_parts

    def whole() -> MaskComparison:
        given = merged() if callable(merged) else merged
        a, b = given if given is not None else (merge(ref_parts), merge(cand_parts))
        return compare(a, b, image_shape, **kw)  # type: ignore[arg-type]

    kw = {"spacing": spacing, "nsd_tau": nsd_tau, "boundary_iou_d": boundary_iou_d, "distances": distances}
    if not parts:
        return whole()
    boxes = np.array([p.box() for p in parts], dtype=np.int64)  # y0, x0, y1, x1
    frame = int(boxes[:, 2].max() - boxes[:, 0].min() + 2) * int(boxes[:, 3].max() - boxes[:, 1].min() + 2)
    covered = sum(p.mask.size for p in parts)
    if frame <= max(SPARSE_FRAME, covered + CLUSTER_COST * len(parts)):  # dense: the whole frame is no waste
        return whole()
    d = boundary_iou_d if boundary_iou_d is not None else band_width(image_shape)
    unit = "px" if spacing is None else "mm"
    diagonal = image_diagonal(image_shape, spacing)
    if not distances:  # pixel counts only (agreement): still cluster by cluster, no slide-sized union a side
        counts = _clustered_counts(parts, len(ref_parts), boxes)
        return MaskComparison(
            *counts, nsd_tau=nsd_tau, biou_d=d, diagonal=diagonal, unit=unit, measured=False
        )
    shapes = (shapes or Shapes()).for_band(d)
    counts, boundaries, band, frame_box = _clustered(parts, len(ref_parts), boxes, shapes)
    out = MaskComparison(*counts, nsd_tau=nsd_tau, biou_d=d, diagonal=diagonal, unit=unit)
    out.n_boundary_ref, out.n_boundary_cand = len(boundaries[0]), len(boundaries[1])
    out.biou_inter, out.biou_union = band
    if out.tp + out.fn and out.tp + out.fp:
        out.d_ref, out.d_cand = edge_distances(boundaries[0], boundaries[1], frame_box, spacing)
    return out


class ClassMasks(Mapping[str, tuple[Placed, Placed]]):
    """Each class's (reference, candidate) mask of an image, merged from its objects' crops only when
    asked: a slide's class compared cluster by cluster never needs the frame of its union (two tumour
    regions a side were 48,000,000 pixels merged per side for nothing)."""

    def __init__(self) -> None:
        self._parts: dict[str, tuple[list[Placed], list[Placed]]] = {}
        self._merged: dict[str, tuple[Placed, Placed]] = {}

    def add(self, category: str, ref_parts: list[Placed], cand_parts: list[Placed]) -> None:
        self._parts[category] = (ref_parts, cand_parts)
        self._merged.pop(category, None)

    def of(self, category: str) -> Callable[[], tuple[Placed, Placed]]:
        """``self[category]`` when called."""
        return lambda: self[category]

    def __getitem__(self, category: str) -> tuple[Placed, Placed]:
        found = self._merged.get(category)
        if found is None:
            ref_parts, cand_parts = self._parts[category]
            found = self._merged[category] = (merge(ref_parts), merge(cand_parts))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)


def clusters(boxes: np.ndarray) -> list[np.ndarray]:
    """Indices of the boxes ([n, 4] y0, x0, y1, x1) of each cluster: boxes that, grown by a pixel,
    overlap (pixels of two clusters are never 8-neighbours), each cluster's in ascending order."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    grown = np.c_[boxes[:, 1] - 1, boxes[:, 0] - 1, boxes[:, 3] + 1, boxes[:, 2] + 1].astype(np.float64)
    i, j = matching.overlapping_within(grown)
    n = len(boxes)
    _, label = connected_components(sparse.coo_array((np.ones(i.size), (i, j)), shape=(n, n)), directed=False)
    return np.split(np.argsort(label, kind="stable"), np.flatnonzero(np.diff(np.sort(label))) + 1)


def cluster_masks(
    parts: list[Placed], n_ref: int, boxes: np.ndarray, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """A cluster's reference and candidate masks on its box grown by a ring of zeros, and the box's
    corner (y0, x0) in the image."""
    y0, x0 = int(boxes[members, 0].min()) - 1, int(boxes[members, 1].min()) - 1
    h, w = int(boxes[members, 2].max()) + 1 - y0, int(boxes[members, 3].max()) + 1 - x0
    a, b = np.zeros((h, w), dtype=bool), np.zeros((h, w), dtype=bool)
    for k in members.tolist():
        p = parts[k]
        (a if k < n_ref else b)[p.y0 - y0 : p.y1 - y0, p.x0 - x0 : p.x1 - x0] |= p.mask
    return a, b, y0, x0


def _clustered_counts(parts: list[Placed], n_ref: int, boxes: np.ndarray) -> tuple[int, int, int]:
    """(tp, fp, fn) of the merged masks, cluster by cluster (``_clustered`` without the boundary work)."""
    tp = fp = fn = 0
    for members in clusters(boxes):
        ks = members.tolist()
        refs, cands = [k for k in ks if k < n_ref], [k for k in ks if k >= n_ref]
        if len(refs) <= 1 and len(cands) <= 1:  # no merge: the crops themselves
            a, b = (parts[side[0]] if side else None for side in (refs, cands))
            both = placed_overlap(a, b) if a is not None and b is not None else 0
            area_a, area_b = (0 if p is None else p.area for p in (a, b))
        else:
            ma, mb, _, _ = cluster_masks(parts, n_ref, boxes, members)
            both = int(np.count_nonzero(ma & mb))
            area_a, area_b = int(np.count_nonzero(ma)), int(np.count_nonzero(mb))
        tp, fp, fn = tp + both, fp + area_b - both, fn + area_a - both
    return tp, fp, fn


def _clustered(
    parts: list[Placed],
    n_ref: int,
    boxes: np.ndarray,
    shapes: Shapes,
) -> tuple[tuple[int, int, int], tuple[np.ndarray, np.ndarray], tuple[int, int], tuple[int, int, int, int]]:
    """Each cluster measured on its own: ((tp, fp, fn), both boundaries' pixels [n, 2] (row, column) in
    the image, row-major, (band intersection, band union), the frame (y0, x0, h, w) ``compare`` would
    take: both sides' pixels' box and a ring of zeros). A cluster of at most one part a side takes them
    from ``shapes``."""
    tp = fp = fn = inter = union = 0
    edges: tuple[list[np.ndarray], list[np.ndarray]] = ([_NO_EDGE], [_NO_EDGE])  # a side may have none
    tight = []
    for members in clusters(boxes):
        ks = members.tolist()
        refs, cands = [k for k in ks if k < n_ref], [k for k in ks if k >= n_ref]
        if len(refs) <= 1 and len(cands) <= 1:  # no merge: each part's own shape
            a, b = (shapes.of(parts[side[0]]) if side else None for side in (refs, cands))
            both = placed_overlap(a.placed, b.placed) if a and b else 0
            band = 0
            if a and b:
                band = both if a.band_is_mask and b.band_is_mask else placed_overlap(a.band, b.band)
            area_a, area_b = (s.area if s else 0 for s in (a, b))
            band_a, band_b = (s.band_area if s else 0 for s in (a, b))
            tp, fp, fn = tp + both, fp + area_b - both, fn + area_a - both
            inter, union = inter + band, union + band_a + band_b - band
            for side, s in enumerate((a, b)):
                if s is not None:
                    edges[side].append(s.edge)
                    tight.append(s.tight())
            continue
        a, b, y0, x0 = cluster_masks(parts, n_ref, boxes, members)
        both = int(np.count_nonzero(a & b))
        tp, fp, fn = tp + both, fp + int(np.count_nonzero(b)) - both, fn + int(np.count_nonzero(a)) - both
        either = a | b
        rows, cols = np.flatnonzero(either.any(axis=1)), np.flatnonzero(either.any(axis=0))
        tight.append((y0 + rows[0], x0 + cols[0], y0 + rows[-1] + 1, x0 + cols[-1] + 1))
        for side, m in enumerate((a, b)):
            edges[side].append(np.argwhere(_eroded_away(m, _CROSS)) + np.array([y0, x0]))
        band_a, band_b = _eroded_away(a, _SQUARE, shapes.d), _eroded_away(b, _SQUARE, shapes.d)
        inter += int(np.count_nonzero(band_a & band_b))
        union += int(np.count_nonzero(band_a | band_b))
    t = np.array(tight)
    y0, x0 = int(t[:, 0].min()) - 1, int(t[:, 1].min()) - 1
    frame = (y0, x0, int(t[:, 2].max()) + 1 - y0, int(t[:, 3].max()) + 1 - x0)
    ref_edge, cand_edge = (np.concatenate(e) for e in edges)
    ref_edge, cand_edge = (e[np.lexsort((e[:, 1], e[:, 0]))] for e in (ref_edge, cand_edge))
    return (tp, fp, fn), (ref_edge, cand_edge), (inter, union), frame
