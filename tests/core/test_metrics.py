"""Mask metrics against the DESIGN.md §6 known values and a brute-force O(n^2) implementation."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from pycocotools import mask as mask_utils

from pixelproof.core import masks
from pixelproof.core.mask_edit import rle_counts
from pixelproof.core.matching import match, overlapping, overlapping_pairs, overlapping_within
from pixelproof.core.metrics import (
    InstanceCounts,
    Placed,
    band_width,
    compare,
    directed_distances,
    percentile95,
)
from pixelproof.core.metrics_overlap import box_iou, placed_iou
from pixelproof.core.qa_objects import annotation_placed, rle_placed

# ------------------------------------------------------------------------------------------------
# brute force: plain numpy, every pair of boundary pixels


def brute_boundary(m: np.ndarray) -> np.ndarray:
    p = np.pad(m, 1)
    inner = p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    return m & ~inner


def brute(a: np.ndarray, b: np.ndarray, tau: float = 2.0, spacing=(1.0, 1.0)) -> dict[str, float]:
    ba, bb = brute_boundary(a), brute_boundary(b)
    pa = np.argwhere(ba) * np.array(spacing)
    pb = np.argwhere(bb) * np.array(spacing)
    dist = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(-1))
    dab, dba = dist.min(axis=1), dist.min(axis=0)
    inter, union = (a & b).sum(), (a | b).sum()
    return {
        "iou": inter / union,
        "dice": 2 * inter / (a.sum() + b.sum()),
        "hd": max(dab.max(), dba.max()),
        "hd95": max(np.percentile(dab, 95), np.percentile(dba, 95)),
        "hd95_pooled": np.percentile(np.concatenate([dab, dba]), 95),
        "hd95_mean": (np.percentile(dab, 95) + np.percentile(dba, 95)) / 2,
        "assd": np.concatenate([dab, dba]).mean(),
        "masd": (dab.mean() + dba.mean()) / 2,
        "nsd": ((dab <= tau).sum() + (dba <= tau).sum()) / (dab.size + dba.size),
    }


def reference_boundary_iou(gt: np.ndarray, dt: np.ndarray, dilation_ratio: float = 0.02) -> float:
    """Cheng et al. 2021 boundary_iou reference code, verbatim in substance (whole image)."""

    def mask_to_boundary(mask: np.ndarray) -> np.ndarray:
        h, w = mask.shape
        img_diag = np.sqrt(h**2 + w**2)
        dilation = int(round(dilation_ratio * img_diag))  # noqa: RUF046 (verbatim)
        if dilation < 1:
            dilation = 1
        new_mask = cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        kernel = np.ones((3, 3), dtype=np.uint8)
        new_mask_erode = cv2.erode(new_mask, kernel, iterations=dilation)
        mask_erode = new_mask_erode[1 : h + 1, 1 : w + 1]
        return mask - mask_erode

    g = mask_to_boundary(gt.astype(np.uint8))
    d = mask_to_boundary(dt.astype(np.uint8))
    return ((g * d) > 0).sum() / ((g + d) > 0).sum()


def disc(shape, cy, cx, r):
    y, x = np.mgrid[: shape[0], : shape[1]]
    return (y - cy) ** 2 + (x - cx) ** 2 <= r**2


def check_against_brute(a: np.ndarray, b: np.ndarray, tau: float = 2.0, spacing=None) -> None:
    expected = brute(a, b, tau, spacing or (1.0, 1.0))
    for method in ("edt", "kdtree", "auto"):
        r = compare(a, b, nsd_tau=tau, spacing=spacing, method=method)
        for name, value in expected.items():
            assert getattr(r, name) == pytest.approx(value, abs=1e-9), (method, name)
    r = compare(a, b)
    assert r.boundary_iou == pytest.approx(reference_boundary_iou(a, b), abs=1e-12)


# ------------------------------------------------------------------------------------------------
# known values


def test_disc_known_values():
    a = disc((256, 256), 128, 128, 40)
    b = disc((256, 256), 128, 133, 45)
    r = compare(a, b)
    assert r.iou == pytest.approx(0.7900, abs=1e-3)
    assert r.dice == pytest.approx(0.8827, abs=1e-3)
    assert r.hd == pytest.approx(10.05, abs=1e-3)
    assert r.hd95 == pytest.approx(9.977, abs=1e-3)
    assert sorted(r.hd95_directed) == pytest.approx([9.917, 9.977], abs=1e-3)
    assert r.assd == pytest.approx(4.884, abs=1e-3)
    assert r.masd == pytest.approx(4.875, abs=1e-3)
    check_against_brute(a, b)


def test_disc_with_pixel_spacing_is_in_mm():
    a = disc((64, 64), 30, 30, 12)
    b = disc((64, 64), 31, 33, 13)
    check_against_brute(a, b, tau=1.0, spacing=(0.5, 0.8))
    assert compare(a, b, spacing=(0.5, 0.8)).unit == "mm"


# ------------------------------------------------------------------------------------------------
# edge cases


def test_both_empty_is_nan_never_zero():
    z = np.zeros((20, 30), bool)
    r = compare(z, z)
    assert r.status == "both empty"
    for name in ("iou", "dice", "hd", "hd95", "assd", "masd", "nsd", "boundary_iou"):
        assert math.isnan(getattr(r, name)), name
        assert r.reason(name) == "both empty"


@pytest.mark.parametrize("ref_empty", [True, False])
def test_one_empty_gives_zero_overlap_and_infinite_distances(ref_empty):
    z = np.zeros((20, 30), bool)
    m = z.copy()
    m[5:9, 3:12] = True
    r = compare(z, m) if ref_empty else compare(m, z)
    assert r.status == ("reference empty" if ref_empty else "candidate empty")
    assert r.iou == 0 and r.dice == 0 and r.nsd == 0 and r.boundary_iou == 0
    for name in ("hd", "hd95", "hd95_pooled", "hd95_mean", "assd", "masd"):
        assert math.isinf(getattr(r, name)), name
        assert r.reason(name) == "one mask empty"
    assert r.diagonal == pytest.approx(math.hypot(20, 30))


def test_touching_the_image_border():
    a = np.zeros((24, 24), bool)
    b = np.zeros((24, 24), bool)
    a[0:10, 0:24] = True  # touches three borders: border pixels are boundary
    b[0:13, 3:24] = True
    check_against_brute(a, b)
    full = np.ones((24, 24), bool)
    check_against_brute(full, b)


def test_one_pixel_masks():
    a = np.zeros((15, 15), bool)
    b = np.zeros((15, 15), bool)
    a[3, 4] = True
    b[10, 12] = True
    check_against_brute(a, b)
    r = compare(a, b)
    assert r.hd == pytest.approx(math.hypot(7, 8))
    assert r.iou == 0
    check_against_brute(a, a)
    assert compare(a, a).hd == 0 and compare(a, a).dice == 1


def test_masks_with_holes():
    a = disc((40, 40), 20, 20, 14) & ~disc((40, 40), 20, 20, 5)
    b = disc((40, 40), 21, 19, 13) & ~disc((40, 40), 18, 22, 7)
    check_against_brute(a, b)


def test_several_instances_per_class_semantic_union():
    a = disc((60, 80), 15, 15, 8) | disc((60, 80), 40, 60, 10) | disc((60, 80), 50, 10, 4)
    b = disc((60, 80), 16, 17, 8) | disc((60, 80), 42, 58, 11)
    check_against_brute(a, b)


def test_random_masks_against_brute_force():
    rng = np.random.default_rng(1)
    for _ in range(15):
        a = rng.random((18, 23)) < 0.3
        b = rng.random((18, 23)) < 0.4
        if a.any() and b.any():
            check_against_brute(a, b, tau=rng.uniform(0, 3))


def test_placed_crops_give_whole_image_results():
    a = disc((300, 400), 100, 120, 30)
    b = disc((300, 400), 104, 121, 33)
    whole = compare(a, b)
    crop = compare(Placed.from_full(a), Placed.from_full(b), (300, 400))
    assert Placed.from_full(a).mask.shape == (61, 61)
    for name in ("iou", "hd", "hd95", "assd", "masd", "nsd", "boundary_iou"):
        assert getattr(crop, name) == getattr(whole, name)


def test_edt_and_kdtree_agree_on_sparse_frames():
    a = disc((200, 200), 20, 20, 6) | disc((200, 200), 180, 170, 6)
    b = disc((200, 200), 22, 20, 6) | disc((200, 200), 178, 172, 7)
    ba, bb = brute_boundary(a), brute_boundary(b)
    e = directed_distances(ba, bb, method="edt")
    k = directed_distances(ba, bb, method="kdtree")
    np.testing.assert_allclose(e[0], k[0], atol=1e-12)
    np.testing.assert_allclose(e[1], k[1], atol=1e-12)


def test_boundary_iou_band_width_and_fixed_d():
    assert band_width((256, 256)) == 7
    assert band_width((10, 10)) == 1
    a = disc((64, 64), 30, 30, 20)
    b = disc((64, 64), 32, 30, 20)
    r3 = compare(a, b, boundary_iou_d=3)
    assert r3.biou_d == 3
    assert r3.boundary_iou != compare(a, b, boundary_iou_d=1).boundary_iou


# ------------------------------------------------------------------------------------------------
# instances, boxes, matching


def test_instance_iou_agrees_with_pycocotools():
    rng = np.random.default_rng(7)
    for _ in range(20):
        h, w = rng.integers(20, 60, 2)
        a = disc((h, w), rng.integers(h), rng.integers(w), rng.integers(2, 15))
        b = disc((h, w), rng.integers(h), rng.integers(w), rng.integers(2, 15))
        ra, rb = masks.encode(a), masks.encode(b)
        expected = mask_utils.iou([masks._to_pyco_rle(ra)], [masks._to_pyco_rle(rb)], [0])[0, 0]
        assert placed_iou(rle_placed(ra), rle_placed(rb)) == pytest.approx(expected, abs=1e-12)


def test_rle_decoding_into_crops_matches_pycocotools():
    rng = np.random.default_rng(3)
    for _ in range(50):
        h, w = rng.integers(1, 40, 2)
        m = rng.random((h, w)) < rng.random()
        rle = masks.encode(m)
        assert (rle_placed(rle).to_full(h, w) == m).all()
        flat = m.T.ravel().astype(np.int8)  # uncompressed (list) counts, column-major
        edges = np.flatnonzero(np.diff(np.concatenate(([0], flat, [1 - flat[-1]])))) if flat.size else []
        counts = np.diff(np.concatenate(([0], edges))).tolist()
        listed = {"size": [int(h), int(w)], "counts": counts}
        assert (rle_placed(listed).to_full(h, w) == m).all()
        assert (masks.decode(listed) == m).all()
    big = np.zeros((300, 200), bool)
    big[250:, 150:] = True
    assert rle_counts(masks.encode(big)).sum() == 300 * 200


def test_annotation_crops_match_annotation_masks():
    from pixelproof.core.model import Annotation

    poly = [[10.5, 3.2, 40.1, 8.0, 33.3, 35.9, 2.0, 30.0], [45, 40, 55, 40, 50, 49]]
    for seg, bbox in ((poly, [2, 3, 53, 46]), (None, [4.2, 5.5, 10.3, 7.7])):
        ann = Annotation(1, 1, 1, bbox, seg)
        assert (annotation_placed(ann, 50, 60).to_full(50, 60) == masks.annotation_mask(ann, 50, 60)).all()


def test_box_iou():
    assert box_iou([0, 0, 10, 10], [5, 0, 10, 10]) == pytest.approx(50 / 150)
    assert box_iou([0, 0, 10, 10], [20, 20, 5, 5]) == 0


def test_match_is_hungarian_and_strict():
    iou = np.array([[0.9, 0.6], [0.7, 0.0]])
    assert sorted(match(iou, 0.5)) == [(0, 1), (1, 0)]  # maximises total IoU, not greedy
    assert match(np.array([[0.5]]), 0.5) == []  # strictly greater
    assert match(np.zeros((0, 3)), 0.5) == []


@pytest.fixture(params=["small groups", "large groups"])
def group_solver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a group is solved: its dense table, or (over ``DENSE_GROUP_CELLS``, and few pairs for its
    cells: ``DENSE_GROUP_SHARE``) the sparse solver."""
    from pixelproof.core import matching

    if request.param == "large groups":
        monkeypatch.setattr(matching, "DENSE_GROUP_CELLS", 0)
        monkeypatch.setattr(matching, "DENSE_GROUP_SHARE", 0)
    return str(request.param)


def _dense_match(iou: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """The definition: Hungarian on 1 - IoU over the whole table, pairs kept when IoU > threshold."""
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(1.0 - iou)
    return sorted((int(r), int(c)) for r, c in zip(rows, cols, strict=True) if iou[r, c] > threshold)


def _random_boxes(rng: np.random.Generator, n: int, side: float = 400.0) -> np.ndarray:
    xy = rng.uniform(0, side, (n, 2))
    return np.c_[xy, rng.uniform(4, 40, (n, 2))]


@pytest.mark.parametrize("seed", range(6))
def test_match_by_groups_equals_the_hungarian_of_the_whole_table(seed: int, group_solver: str) -> None:
    """Matching solves each connected group of overlapping pairs alone instead of the whole (10,000 x
    10,000 for a slide of nuclei: 800 MB) table: same pairs as a dense solve when IoUs are distinct."""
    from scipy import sparse

    rng = np.random.default_rng(seed)
    refs = _random_boxes(rng, 200)
    cands = np.r_[refs[:150] + rng.normal(0, 3, (150, 4)).clip(-3, 3), _random_boxes(rng, 50)]
    iou = np.array([[box_iou(a, b) for b in cands] for a in refs])
    assert 0.005 < np.count_nonzero(iou) / iou.size < 0.05  # mostly zero pairs, groups of several
    for threshold in (0.0, 0.1, 0.3, 0.5, 0.7):
        want = _dense_match(iou, threshold)
        got = match(sparse.csr_array(iou), threshold)
        assert got == want
        assert match(iou, threshold) == want  # a dense table is read as a sparse one


@pytest.mark.parametrize("seed", range(6))
def test_match_by_groups_keeps_the_best_total_through_pairs_under_the_threshold(
    seed: int, group_solver: str
) -> None:
    """Random sparse tables (rows x columns of uniform IoUs): the best total may go through pairs under the
    threshold (0.6 alone loses to 0.45 + 0.45), so groups hold every pair with IoU > 0."""
    from scipy import sparse

    rng = np.random.default_rng(100 + seed)
    n, m = int(rng.integers(150, 250)), int(rng.integers(150, 250))
    iou = sparse.random_array((n, m), density=0.012, rng=rng).toarray()
    for threshold in (0.0, 0.4, 0.5):
        want = _dense_match(iou, threshold)
        got = match(sparse.csr_array(iou), threshold)
        assert len(got) == len(want)
        assert sum(iou[r, c] for r, c in got) == pytest.approx(sum(iou[r, c] for r, c in want), abs=1e-12)
        assert got == want  # continuous values: one best pairing
    assert match(np.array([[0.6, 0.45], [0.45, 0.0]]), 0.5) == []  # 0.45 + 0.45 > 0.6, neither counts


@pytest.mark.parametrize("seed", range(4))
def test_match_by_groups_with_duplicate_objects_keeps_the_totals(seed: int, group_solver: str) -> None:
    """Exact duplicates tie: the pairs may differ from a dense solve (README), the totals may not."""
    from scipy import sparse

    rng = np.random.default_rng(200 + seed)
    refs = _random_boxes(rng, 120)
    refs = np.r_[refs, refs[:40]]  # drawn twice
    cands = np.r_[refs[:100] + rng.integers(-2, 3, (100, 4)), refs[:20]]
    iou = np.array([[box_iou(a, b) for b in cands] for a in refs])
    for threshold in (0.0, 0.5):
        want = _dense_match(iou, threshold)
        got = match(sparse.csr_array(iou), threshold)
        assert len(got) == len(want) and len({r for r, _ in got}) == len({c for _, c in got}) == len(got)
        assert sum(iou[r, c] for r, c in got) == pytest.approx(sum(iou[r, c] for r, c in want), abs=1e-9)


def test_match_by_groups_of_ten_thousand_objects_builds_no_full_table() -> None:
    """10,000 objects a side: the dense table alone was 800 MB (and scipy's assignment copied it);
    matching by groups stays far below, even when the objects form one chain (each overlaps two)."""
    import tracemalloc

    from scipy import sparse

    rng = np.random.default_rng(7)
    n = 10_000
    rows = np.r_[np.arange(n), np.arange(n - 1), rng.integers(0, n, 2_000)]
    cols = np.r_[np.arange(n), np.arange(1, n), rng.integers(0, n, 2_000)]
    table = sparse.csr_array((rng.uniform(0.05, 1.0, rows.size), (rows, cols)), shape=(n, n))
    table.sum_duplicates()
    tracemalloc.start()
    try:
        got = match(table, 0.5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, peak  # vs n * n * 8 = 800 MB
    assert len(got) > 1_000 and len({r for r, _ in got}) == len({c for _, c in got}) == len(got)


def test_instance_counts_derive_pq():
    c = InstanceCounts(tp=3, fp=1, fn=2, iou_sum=2.4, dice_sum=2.6)
    assert c.precision == 0.75 and c.recall == 0.6
    assert c.f1 == pytest.approx(6 / 9)
    assert c.pq == pytest.approx(c.sq * c.rq)
    assert math.isnan(InstanceCounts().pq)
    assert InstanceCounts(fp=2).pq == 0


def _extents_of_every_kind(rng: np.random.Generator, n: int) -> np.ndarray:
    """Small boxes on a grid of integer corners (edges that touch, duplicates), a few large ones, and rows
    that can overlap nothing: zero or negative sides, NaN, infinity."""
    x0, y0 = rng.integers(0, 60, n).astype(float), rng.integers(0, 60, n).astype(float)
    w, h = rng.integers(-1, 6, n).astype(float), rng.integers(-1, 6, n).astype(float)
    big = rng.random(n) < 0.05
    w[big], h[big] = rng.integers(20, 70, big.sum()), rng.integers(20, 70, big.sum())
    out = np.c_[x0, y0, x0 + w, y0 + h]
    out[rng.random(n) < 0.03, rng.integers(0, 4)] = np.nan
    out[rng.random(n) < 0.02, rng.integers(0, 4)] = np.inf
    return out


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("batch", [1, 7, 1 << 20])
def test_overlapping_finds_exactly_the_pairs_a_test_of_every_pair_finds(seed: int, batch: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = _extents_of_every_kind(rng, 300), _extents_of_every_kind(rng, 250)
    with np.errstate(invalid="ignore"):
        every = (np.minimum(a[:, None, 2], b[None, :, 2]) > np.maximum(a[:, None, 0], b[None, :, 0])) & (
            np.minimum(a[:, None, 3], b[None, :, 3]) > np.maximum(a[:, None, 1], b[None, :, 1])
        )
    rows, cols = overlapping_pairs(a, b, batch=batch)
    assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == [tuple(p) for p in np.argwhere(every)]
    per_row = dict(overlapping(a, b))
    assert sorted(per_row) == list(range(len(a)))
    for i, near in per_row.items():
        assert near.tolist() == np.flatnonzero(every[i]).tolist()
    assert 0 < every.sum() < every.size // 10  # the data has overlaps and, mostly, none
    with np.errstate(invalid="ignore"):
        within = (np.minimum(a[:, None, 2], a[None, :, 2]) > np.maximum(a[:, None, 0], a[None, :, 0])) & (
            np.minimum(a[:, None, 3], a[None, :, 3]) > np.maximum(a[:, None, 1], a[None, :, 1])
        )
    i, j = overlapping_within(a, batch=batch)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [
        tuple(p) for p in np.argwhere(np.triu(within, 1))
    ]


def test_overlapping_a_slide_of_nuclei_compares_neighbours_only() -> None:
    """100,000 nuclei a side (a slide): each meets its own copy and its few neighbours, none missed and no
    pair listed twice, without testing all 10**10 pairs."""
    rng = np.random.default_rng(0)
    centres = rng.random((100_000, 2)) * 20_000
    a = np.c_[centres - 6, centres + 6]
    b = a + rng.normal(0, 1, a.shape)
    rows, cols = overlapping_pairs(a, b)
    assert np.array_equal(rows[rows == cols], np.arange(100_000))  # each meets its own copy, once
    assert rows.size < 400_000
    near = np.abs(centres[rows] - centres[cols]).max(axis=1)
    assert near.max() < 20  # only neighbours


def test_percentile95_is_numpys_linear_percentile_bit_for_bit() -> None:
    rng = np.random.default_rng(0)
    for k in range(3000):
        n = int(rng.integers(1, 400))
        kind = k % 3
        if kind == 0:  # distances as a distance transform gives them: square roots of integers, many ties
            d = np.sqrt(rng.integers(0, 50, n).astype(np.float64))
        elif kind == 1:
            d = rng.random(n) * 10.0 ** rng.integers(-3, 7)
        else:
            d = rng.integers(0, 4, n).astype(np.float64)
        assert percentile95(d) == float(np.percentile(d, 95)), (k, n)


@pytest.mark.parametrize("n", [3, 1100])
def test_ties_between_equal_objects_are_resolved_in_order_whatever_the_stack_size(n: int) -> None:
    """A stack of equal objects on both sides (every IoU 1: every pairing as good): the k-th reference
    pairs with the k-th candidate, every run, for a small stack as for one past ``DENSE_GROUP_CELLS``
    (1,100 x 1,100): the sparse solver took seconds on such a stack (28 s for 3,000) and paired them in an
    order of its own; a group this dense with pairs is solved on its table."""
    from scipy import sparse

    from pixelproof.core import matching

    assert n < 10 or n * n > matching.DENSE_GROUP_CELLS
    table = sparse.csr_array(np.ones((n, n)))
    want = [(k, k) for k in range(n)]
    assert match(table, 0.5) == want
    assert match(table, 0.5) == want  # the same again
    shifted = np.ones((n, n + 2))  # two more candidates, equal too: the last two stay unmatched
    assert match(shifted, 0.5) == want
