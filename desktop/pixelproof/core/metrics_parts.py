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
"""

from __future__ import annotations

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
    nearest_distances,
)

#: frames of fewer pixels are compared whole (dense work there costs milliseconds)
SPARSE_FRAME = 1 << 20


def compare_parts(
    ref_parts: list[Placed],
    cand_parts: list[Placed],
    image_shape: tuple[int, int],
    *,
    spacing: tuple[float, float] | None = None,
    nsd_tau: float = 2.0,
    boundary_iou_d: int | None = None,
    distances: bool = True,
    merged: tuple[Placed, Placed] | None = None,
) -> MaskComparison:
    """``compare(merge(ref_parts), merge(cand_parts), image_shape, ...)``, cluster by cluster when the
    frame is large and the parts cover little of it (see the module's docstring). ``merged``: those two
    merges when the caller has them."""
    ref_parts = [p for p in ref_parts if not p.is_empty]
    cand_parts = [p for p in cand_parts if not p.is_empty]
    parts = ref_parts + cand_parts

    def whole() -> MaskComparison:
        a, b = merged if merged is not None else (merge(ref_parts), merge(cand_parts))
        return compare(a, b, image_shape, **kw)  # type: ignore[arg-type]

    kw = {"spacing": spacing, "nsd_tau": nsd_tau, "boundary_iou_d": boundary_iou_d, "distances": distances}
    if not parts or not distances:
        return whole()
    boxes = np.array([p.box() for p in parts], dtype=np.int64)  # y0, x0, y1, x1
    frame = int(boxes[:, 2].max() - boxes[:, 0].min() + 2) * int(boxes[:, 3].max() - boxes[:, 1].min() + 2)
    covered = sum(p.mask.size for p in parts)
    if frame <= max(SPARSE_FRAME, 6 * covered):  # dense enough: the whole frame is no waste
        return whole()
    found = _clustered(parts, len(ref_parts), boxes, boundary_iou_d, image_shape)
    if found is None:  # the whole frame's distances would come from its transform: measured there
        return whole()
    counts, boundaries, band, origin = found
    d = boundary_iou_d if boundary_iou_d is not None else band_width(image_shape)
    unit = "px" if spacing is None else "mm"
    diagonal = image_diagonal(image_shape, spacing)
    out = MaskComparison(*counts, nsd_tau=nsd_tau, biou_d=d, diagonal=diagonal, unit=unit)
    out.n_boundary_ref, out.n_boundary_cand = len(boundaries[0]), len(boundaries[1])
    out.biou_inter, out.biou_union = band
    if out.tp + out.fn and out.tp + out.fp:
        out.d_ref, out.d_cand = nearest_distances(boundaries[0] - origin, boundaries[1] - origin, spacing)
    return out


def _clustered(
    parts: list[Placed],
    n_ref: int,
    boxes: np.ndarray,
    boundary_iou_d: int | None,
    image_shape: tuple[int, int],
) -> tuple[tuple[int, int, int], tuple[np.ndarray, np.ndarray], tuple[int, int], np.ndarray] | None:
    """Each cluster measured on its own: ((tp, fp, fn), both boundaries' pixels [n, 2] (row, column) in
    the image, row-major, (band intersection, band union), the whole frame's origin); None when the
    whole frame is small enough next to the boundaries for ``compare`` to take the distance transform."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    d = boundary_iou_d if boundary_iou_d is not None else band_width(image_shape)
    grown = np.c_[boxes[:, 1] - 1, boxes[:, 0] - 1, boxes[:, 3] + 1, boxes[:, 2] + 1].astype(np.float64)
    i, j = matching.overlapping_within(grown)
    n = len(parts)
    graph = sparse.coo_array((np.ones(i.size), (i, j)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    tp = fp = fn = inter = union = 0
    edges: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
    tight = []
    for members in np.split(np.argsort(label, kind="stable"), np.flatnonzero(np.diff(np.sort(label))) + 1):
        y0, x0 = boxes[members, 0].min() - 1, boxes[members, 1].min() - 1
        h, w = boxes[members, 2].max() + 1 - y0, boxes[members, 3].max() + 1 - x0
        a, b = np.zeros((h, w), dtype=bool), np.zeros((h, w), dtype=bool)
        for k in members.tolist():
            p = parts[k]
            (a if k < n_ref else b)[p.y0 - y0 : p.y1 - y0, p.x0 - x0 : p.x1 - x0] |= p.mask
        both = int(np.count_nonzero(a & b))
        tp, fp, fn = tp + both, fp + int(np.count_nonzero(b)) - both, fn + int(np.count_nonzero(a)) - both
        either = a | b
        rows, cols = np.flatnonzero(either.any(axis=1)), np.flatnonzero(either.any(axis=0))
        tight.append((y0 + rows[0], x0 + cols[0], y0 + rows[-1] + 1, x0 + cols[-1] + 1))
        for side, m in enumerate((a, b)):
            edges[side].append(np.argwhere(_eroded_away(m, _CROSS)) + np.array([y0, x0]))
        band_a, band_b = _eroded_away(a, _SQUARE, d), _eroded_away(b, _SQUARE, d)
        inter += int(np.count_nonzero(band_a & band_b))
        union += int(np.count_nonzero(band_a | band_b))
    t = np.array(tight)
    origin = np.array([t[:, 0].min() - 1, t[:, 1].min() - 1])
    frame = int(t[:, 2].max() + 1 - origin[0]) * int(t[:, 3].max() + 1 - origin[1])
    ref_edge, cand_edge = (np.concatenate(e).reshape(-1, 2) for e in edges)
    if frame <= 6 * (len(ref_edge) + len(cand_edge)):
        return None
    ref_edge, cand_edge = (e[np.lexsort((e[:, 1], e[:, 0]))] for e in (ref_edge, cand_edge))
    return (tp, fp, fn), (ref_edge, cand_edge), (inter, union), origin
