"""Which objects pair up: the pairs of extents that overlap at all (a sweep, not every pair), their
IoUs as a sparse table, and the one-to-one matching of largest total IoU over it, solved per group of
overlapping objects. QA, agreement, consensus, diff, lint and pre-labeling's repeat check share these, so
an image of 10,000 nuclei is never a 10,000 x 10,000 table anywhere."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import sparray


Extent = tuple[float, float, float, float]  # left, top, right, bottom


def extents(boxes: Iterable[Sequence[float]], pixels: Iterable[Extent | None]) -> np.ndarray:
    """[left, top, right, bottom] around each object's stored box (x, y, w, h) and, when given, its pixels'
    extent: what ``overlapping`` compares. Objects whose extents are apart have 0 for either IoU, of
    their boxes or of their pixels (a stored box may be off its mask)."""
    b = np.array([[float(v) for v in box] for box in boxes], dtype=np.float64).reshape(-1, 4)
    out = np.c_[b[:, :2], b[:, :2] + b[:, 2:]]
    for k, p in enumerate(pixels):
        if p is not None:
            out[k] = [min(out[k, 0], p[0]), min(out[k, 1], p[1]), max(out[k, 2], p[2]), max(out[k, 3], p[3])]
    return out


def overlapping(a: np.ndarray, b: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """For each row ``i`` of ``a``: ``i`` and the indices (ascending) of the rows of ``b`` whose extent
    overlaps it with positive area; rows are extents ``[left, top, right, bottom]``. Objects whose extents
    do not overlap share nothing, so pairwise measures (IoU, contact) look only at these pairs: an image
    of 10,000 objects is not 10**8 measurements."""
    rows, cols = overlapping_pairs(a, b)
    bounds = np.searchsorted(rows, np.arange(len(a) + 1))
    for i in range(len(a)):
        yield i, cols[bounds[i] : bounds[i + 1]]


def overlapping_pairs(a: np.ndarray, b: np.ndarray, batch: int = 1 << 20) -> tuple[np.ndarray, np.ndarray]:
    """(rows of ``a``, rows of ``b``), sorted, of every pair of extents ``[left, top, right, bottom]``
    overlapping with positive area. A sweep, not a test of every pair (10**8 comparisons for 10,000
    nuclei a side; 10**10, minutes, for a slide of 100,000): the pairs that overlap across are those
    where ``b`` starts inside ``a``'s width or ``a`` starts inside ``b``'s (two disjoint cases, each a
    range of the other side sorted by left edge); they are then tested down too, ``batch`` at a time.
    Rows with a NaN overlap nothing."""
    a, oa = _by_left(a)
    b, ob = _by_left(b)
    a_left, b_left = a[oa, 0], b[ob, 0]
    first_a, end_a = np.searchsorted(b_left, a[oa, 0], "left"), np.searchsorted(b_left, a[oa, 2], "left")
    first_b, end_b = np.searchsorted(a_left, b[ob, 0], "right"), np.searchsorted(a_left, b[ob, 2])
    ra, rb = _sweep(a, b, oa, first_a, end_a, ob, batch)
    rb2, ra2 = _sweep(b, a, ob, first_b, end_b, oa, batch)
    rows, cols = np.r_[ra, ra2], np.r_[rb, rb2]
    order = np.lexsort((cols, rows))
    return rows[order], cols[order]


def overlapping_within(a: np.ndarray, batch: int = 1 << 20) -> tuple[np.ndarray, np.ndarray]:
    """(i, j), i < j, of every pair of rows of ``a`` whose extents overlap with positive area: the same
    sweep over one set (each row meets those after it in left-edge order that start inside its width),
    each pair once - what a check of a set against itself needs, at half the work of ``overlapping_pairs(a,
    a)``."""
    a, order = _by_left(a)
    first = np.arange(1, order.size + 1)
    end = np.searchsorted(a[order, 0], a[order, 2], "left")
    i, j = _sweep(a, a, order, first, end, order, batch)
    return np.minimum(i, j), np.maximum(i, j)


def _by_left(extents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The extents as float [n, 4], and their rows without NaN sorted by left edge (stable)."""
    e = np.asarray(extents, dtype=np.float64).reshape(-1, 4)
    rows = np.flatnonzero(~np.isnan(e).any(axis=1))
    return e, rows[np.argsort(e[rows, 0], kind="stable")]


def _sweep(
    a: np.ndarray,
    b: np.ndarray,
    owners: np.ndarray,
    first: np.ndarray,
    end: np.ndarray,
    others: np.ndarray,
    batch: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(rows of ``a``, rows of ``b``) overlapping with positive area among the candidates: each of
    ``owners`` (rows of ``a``) against ``others[first:end]`` (rows of ``b``), ``batch`` pairs at a time."""
    count = np.maximum(end - first, 0)
    total = np.cumsum(count)
    found_a, found_b = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    k = 0
    while k < owners.size:
        done = int(total[k - 1]) if k else 0
        stop = min(owners.size, max(k + 1, int(np.searchsorted(total, done + batch, "right"))))
        c = count[k:stop]
        offsets = np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c) + np.repeat(first[k:stop], c)
        ra, rb = owners[np.repeat(np.arange(k, stop), c)], others[offsets]
        keep = (np.minimum(a[ra, 2], b[rb, 2]) > np.maximum(a[ra, 0], b[rb, 0])) & (
            np.minimum(a[ra, 3], b[rb, 3]) > np.maximum(a[ra, 1], b[rb, 1])
        )
        found_a.append(ra[keep])
        found_b.append(rb[keep])
        k = stop
    return np.concatenate(found_a), np.concatenate(found_b)


def pair_table(
    rows: Sequence[int] | np.ndarray,
    cols: Sequence[int] | np.ndarray,
    ious: Sequence[float] | np.ndarray,
    shape: tuple[int, int],
) -> sparray:
    """The measured pairs (row, col, IoU) of a references x candidates comparison as a sparse table,
    pairs of IoU <= 0 (or NaN) left out: what ``match`` reads. Absent pairs are IoU 0, so an image of
    10,000 objects a side holds its few overlapping pairs, not a 10**8-cell table (800 MB)."""
    from scipy import sparse  # scipy loads lazily (app start-up)

    r = np.asarray(rows, dtype=np.int64).reshape(-1)
    c = np.asarray(cols, dtype=np.int64).reshape(-1)
    v = np.asarray(ious, dtype=np.float64).reshape(-1)
    keep = v > 0
    return sparse.csr_array((v[keep], (r[keep], c[keep])), shape=shape)


def pair_ious(table: sparray, pairs: Sequence[tuple[int, int]]) -> list[float]:
    """IoU of each (row, col) of ``pairs`` in a ``pair_table`` (0.0 for an absent pair), looked up at once."""
    if not pairs:
        return []
    r, c = np.asarray(pairs, dtype=np.int64).T
    return [float(v) for v in np.asarray(table[r, c]).reshape(-1)]


def best_ious(table: sparray, axis: int) -> list[float]:
    """Each object's best IoU in a ``pair_table``: along ``axis`` 1 per row (reference), 0 per column
    (candidate); 0.0 for an object that overlaps nothing (why QA left one unpaired)."""
    coo = table.tocoo()
    best = np.zeros(table.shape[1 - axis])
    np.maximum.at(best, coo.row if axis == 1 else coo.col, coo.data)
    return best.tolist()


DENSE_GROUP_CELLS = 1 << 20  # a group of more cells (8 MB) is solved sparse: a chain of touching nuclei
#: ... unless it has a pair in at least one cell in this many: its sparse graph (pairs, stand-ins, costs:
#: ~60 bytes a pair) would outweigh the table (8 bytes a cell), and the sparse solver is slow on it (3,000
#: equal boxes stacked a side, 9,000,000 pairs: 28 s, against 0.1 s for the table)
DENSE_GROUP_SHARE = 4


def pair_groups(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Each pair's group: the connected component of the bipartite graph the pairs (``rows[k]``,
    ``cols[k]``) make. A one-to-one matching never joins two groups, so each is solved on its own."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    nodes = n_rows + n_cols
    graph = sparse.coo_array((np.ones(rows.size), (rows, n_rows + cols)), shape=(nodes, nodes))
    _, labels = connected_components(graph, directed=False)
    return labels[rows]


def _best_sparse_matching(
    rows: np.ndarray, cols: np.ndarray, ious: np.ndarray, n_rows: int, n_cols: int, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of IoU > ``threshold`` of a maximum-total-IoU matching of one large group, without its
    dense table: a full minimum-cost matching (``min_weight_full_bipartite_matching``, sparse) of the
    pairs plus one stand-in per object to pair with when it stays unmatched, all costs 2 but 2 - IoU
    for a pair (a full matching costs 2 x objects - matched IoU, so the cheapest is the best total)."""
    from scipy import sparse
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    # rows: references, then a stand-in per candidate; columns: candidates, then a stand-in per reference
    r_all, c_all = np.arange(n_rows), np.arange(n_cols)
    r = np.concatenate([rows, r_all, n_rows + c_all, n_rows + cols])
    c = np.concatenate([cols, n_cols + r_all, c_all, n_cols + rows])  # stand-ins pair up behind a pair
    cost = np.concatenate([2.0 - ious, np.full(n_rows + n_cols + ious.size, 2.0)])
    size = n_rows + n_cols
    graph = sparse.csr_array((cost, (r, c)), shape=(size, size))
    a, b = min_weight_full_bipartite_matching(graph)
    real = (a < n_rows) & (b < n_cols)
    a, b = a[real], b[real]
    table = sparse.csr_array((ious, (rows, cols)), shape=(n_rows, n_cols))
    ok = np.asarray(table[a, b]).reshape(-1) > threshold
    return a[ok], b[ok]


def match(iou: sparray | np.ndarray, threshold: float = 0.5) -> list[tuple[int, int]]:
    """One-to-one pairs (row, col) of maximum total IoU, kept when IoU > ``threshold`` (strict, >= 0);
    sorted by row.

    ``iou`` is a ``pair_table`` (a dense array is read as one; NaN counts as 0). Pairs of IoU 0 add
    nothing to a total, so the best matching of the whole table is the union of the best matchings of the
    connected groups of the bipartite graph of pairs with IoU > 0: each group is solved on its own small
    dense table (Hungarian on 1 - IoU, as a solve of the whole table would; a group of one pair needs no
    solver; a group over ``DENSE_GROUP_CELLS``, such as a long chain of touching nuclei, by a sparse
    solver), and the references x candidates table is never built (10,000 nuclei a side were 800 MB and
    seconds of assignment; a large group dense with pairs, such as a stack of equal objects, is solved on
    its table too: ``DENSE_GROUP_SHARE``). Groups are exact, not a heuristic: pairs below the threshold
    stay in them, because the best total may go through them. Decision: between equally good pairings
    (exact duplicate objects) the pairs chosen may differ from a solve of the whole table; with duplicates
    that only changes which duplicate is taken, so the matched count and IoU sum are the same. Ties are
    resolved the same way every run (the solvers are deterministic); a stack of equal objects solved on its
    table pairs them in order, the first reference with the first candidate.
    """
    from scipy import sparse  # scipy loads lazily (app start-up)
    from scipy.optimize import linear_sum_assignment

    if isinstance(iou, np.ndarray):
        iou = np.nan_to_num(iou, nan=0.0)
    table = sparse.coo_array(iou)
    table.sum_duplicates()
    n_rows, n_cols = table.shape
    keep = table.data > 0
    rows = table.row[keep].astype(np.int64)
    cols = table.col[keep].astype(np.int64)
    vals = table.data[keep].astype(np.float64)
    if vals.size == 0:
        return []
    group = pair_groups(rows, cols, n_rows, n_cols)
    size = np.bincount(group)[group]  # pairs in each pair's group
    lone = np.flatnonzero((size == 1) & (vals > threshold))
    out_r, out_c = [rows[lone]], [cols[lone]]
    shared = np.flatnonzero(size > 1)
    shared = shared[np.argsort(group[shared], kind="stable")]
    for part in np.split(shared, np.flatnonzero(np.diff(group[shared])) + 1):
        if part.size == 0:
            continue
        r, ri = np.unique(rows[part], return_inverse=True)
        c, ci = np.unique(cols[part], return_inverse=True)
        if r.size * c.size <= max(DENSE_GROUP_CELLS, DENSE_GROUP_SHARE * part.size):
            sub = np.zeros((r.size, c.size))
            sub[ri, ci] = vals[part]
            a, b = linear_sum_assignment(1.0 - sub)
            ok = sub[a, b] > threshold
            a, b = a[ok], b[ok]
        else:
            a, b = _best_sparse_matching(ri, ci, vals[part], r.size, c.size, threshold)
        out_r.append(r[a])
        out_c.append(c[b])
    pr, pc = np.concatenate(out_r), np.concatenate(out_c)
    order = np.lexsort((pc, pr))
    return [(int(r), int(c)) for r, c in zip(pr[order], pc[order], strict=True)]
