"""ObjectLab on sparse label x prediction pairs equals its definition on full tables (cleanlab's dense
formulas, written out below as the reference) bit for bit, and a crowded image of 10,000 labels and as
many predictions is scored without a 10,000 x 10,000 table."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core.lint import objectlab as ol


def dense_matrices(b: ol.ImageBoxes) -> tuple[np.ndarray, np.ndarray]:
    """The definition: IoU and similarity of every label/prediction pair (cleanlab's code)."""
    a, p = b.lab_boxes, b.pred_boxes
    x_left = np.maximum(a[:, None, 0], p[None, :, 0])
    y_top = np.maximum(a[:, None, 1], p[None, :, 1])
    x_right = np.minimum(a[:, None, 2], p[None, :, 2])
    y_bottom = np.minimum(a[:, None, 3], p[None, :, 3])
    disjoint = (x_right < x_left) | (y_bottom < y_top)
    inter = (x_right - x_left) * (y_bottom - y_top)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_p = (p[:, 2] - p[:, 0]) * (p[:, 3] - p[:, 1])
    union = np.maximum(area_a[:, None] + area_p[None, :] - inter, ol.EPSILON)
    iou = np.where(disjoint, 0.0, inter / union)
    lc, pc = (a[:, :2] + a[:, 2:]) / 2, (p[:, :2] + p[:, 2:]) / 2
    dist = np.sqrt(((lc[:, None, :] - pc[None, :, :]) ** 2).sum(axis=2))
    euc = np.exp(-dist * ol.EUC_FACTOR)
    return iou, iou * ol.ALPHA + (1 - ol.ALPHA) * (1 - (1 - euc))


def dense_scores(b: ol.ImageBoxes, min_sim: float, high: float, low: float) -> dict[str, np.ndarray]:
    """Overlooked, badly-located and swapped box scores with their argmax, from the full tables."""
    iou, sim = dense_matrices(b)
    n_lab, n_pred = len(b.lab_labels), len(b.pred_labels)
    same = b.lab_labels[:, None] == b.pred_labels[None, :]
    candidate = (b.pred_probs >= high) & ~(iou > 0).any(axis=0)
    best = np.where(same, sim, -np.inf).max(axis=0, initial=-np.inf)
    over = np.where(same.any(axis=0), best, min_sim * (1 - b.pred_probs))
    over = np.where(candidate, over, np.nan)
    ok = same & (b.pred_probs[None, :] > low) & (iou > 0)
    sims = np.where(ok, sim, -np.inf)
    bi = sims.argmax(axis=1) if n_pred else np.zeros(n_lab, int)
    found = ok.any(axis=1)
    bad = np.where(found, sims[np.arange(n_lab), bi], 1.0) if n_pred else np.ones(n_lab)
    other = (b.lab_labels[:, None] != b.pred_labels[None, :]) & (b.pred_probs[None, :] > high)
    sims = np.where(other, sim, -np.inf)
    si = sims.argmax(axis=1) if n_pred else np.zeros(n_lab, int)
    sf = other.any(axis=1)
    swap = np.ones(n_lab)
    if n_pred:
        swap = np.where(sf, np.maximum(min_sim, 1 - sims[np.arange(n_lab), si]), 1.0)
    labs = ol.ImageBoxes.make(b.lab_boxes, b.lab_labels, b.lab_boxes, b.lab_labels, np.ones(n_lab))
    lab_iou, _ = dense_matrices(labs)
    differ = b.lab_labels[:, None] != b.lab_labels[None, :]
    np.fill_diagonal(differ, False)
    twin = ((lab_iou >= ol.LABEL_OVERLAP_THRESHOLD) & differ).any(axis=1)
    nonzero = sim[np.nonzero(sim)]
    return {
        "min_similarity": np.array(1.0 if nonzero.size == 0 else nonzero.min()),
        "overlooked": over,
        "badloc": bad,
        "badloc_pred": np.where(found, bi, -1) if n_pred else np.full(n_lab, -1),
        "swap": np.where(twin, min_sim, swap),
        "swap_pred": np.where(twin, -1, np.where(sf, si, -1)) if n_pred else np.full(n_lab, -1),
    }


def random_image(rng: np.random.Generator, n_lab: int, n_pred: int, side: float, grid: bool) -> ol.ImageBoxes:
    """Labels and predictions of a few classes; ``grid``: whole-pixel boxes on a lattice, so many pairs
    lie at exactly the same distance (ties for the argmax), and some labels are copies in another class."""

    def boxes(n: int) -> np.ndarray:
        if grid:
            xy = rng.integers(0, int(side) // 10, (n, 2)) * 10.0
            wh = rng.integers(2, 14, (n, 2)).astype(float)
        else:
            xy = rng.uniform(0, side, (n, 2))
            wh = rng.uniform(0.5, 30, (n, 2)) * rng.choice([1, 1, 1, 8], (n, 1))
        return np.c_[xy, xy + wh]

    lab = boxes(n_lab)
    if grid and n_lab > 4:
        lab[: n_lab // 4] = lab[n_lab // 4 : 2 * (n_lab // 4)]  # twins (in another class now and then)
    pred = boxes(n_pred)
    if n_pred and n_lab:
        k = min(n_pred, n_lab) // 2
        pred[:k] = lab[:k] + rng.uniform(-3, 3, (k, 4))  # most labels have a prediction near them
    probs = rng.choice([0.2, 0.5, 0.6, 0.9, 0.95, 0.97, 1.0], n_pred)
    return ol.ImageBoxes.make(lab, rng.integers(0, 3, n_lab), pred, rng.integers(0, 3, n_pred), probs)


CASES = [
    (n_lab, n_pred, side, grid, seed)
    for seed, (n_lab, n_pred, side, grid) in enumerate(
        [
            (40, 50, 100.0, False),  # everything near: the full scan for the minimum similarity
            (60, 60, 1500.0, False),  # far apart: similarities of 0 and the smallest step
            (200, 220, 900.0, True),
            (300, 250, 3000.0, True),
            (0, 10, 200.0, False),
            (10, 0, 200.0, False),
            (1, 1, 50.0, True),
            (120, 150, 420.0, False),
        ]
    )
    for seed in (seed, seed + 100)
]


@pytest.mark.parametrize(("n_lab", "n_pred", "side", "grid", "seed"), CASES)
@pytest.mark.parametrize("high", [0.95, 0.5])
def test_sparse_objectlab_equals_the_full_tables_bit_for_bit(
    n_lab: int, n_pred: int, side: float, grid: bool, seed: int, high: float
) -> None:
    b = random_image(np.random.default_rng(seed), n_lab, n_pred, side, grid)
    m = ol.matrices(b)
    want = dense_scores(b, m.min_similarity, high, 0.5)
    assert m.min_similarity == float(want["min_similarity"])
    min_sim = m.min_similarity / 3  # a dataset-wide figure below the image's own
    want = dense_scores(b, min_sim, high, 0.5)
    bad, bad_pred = ol.badloc_match(b, m, 0.5)
    swap, swap_pred = ol.swap_match(b, m, min_sim, high)
    np.testing.assert_array_equal(ol.overlooked_scores(b, m, min_sim, high), want["overlooked"])
    np.testing.assert_array_equal(bad, want["badloc"])
    np.testing.assert_array_equal(bad_pred, want["badloc_pred"])
    np.testing.assert_array_equal(swap, want["swap"])
    np.testing.assert_array_equal(swap_pred, want["swap_pred"])


def test_ten_thousand_nuclei_are_scored_without_a_full_table() -> None:
    """A slide tile of 10,000 labels and 10,200 predictions: one label x prediction table of float64 is
    816 MB; the scores need the overlapping pairs and each box's nearest neighbours only."""
    import tracemalloc

    rng = np.random.default_rng(7)
    n, pitch = 10_000, 12.0
    k = np.arange(n)
    centre = np.c_[k % 100 + 1, k // 100 + 1] * pitch + rng.uniform(-1.5, 1.5, (n, 2))
    r = rng.uniform(4, 6, (n, 1))
    lab = np.c_[centre - r, centre + r]
    classes = rng.integers(0, 2, n)
    moved = centre + rng.uniform(-2, 2, (n, 2))
    extra = (rng.integers(1, 100, (n // 50, 2)) + 0.5) * pitch
    pred = np.r_[np.c_[moved - r, moved + r], np.c_[extra - 3, extra + 3]]
    pred_classes = np.r_[np.where(rng.random(n) < 0.05, 1 - classes, classes), rng.integers(0, 2, n // 50)]
    b = ol.ImageBoxes.make(lab, classes, pred, pred_classes, rng.uniform(0.3, 1.0, len(pred)))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        m = ol.matrices(b)
        s = ol.score_image(b, m, ol.image_min_similarity(m), high=0.9)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, peak
    assert m.min_similarity == (1 - ol.ALPHA) * ol.Q_STEP  # pairs some 370 px apart: the smallest step
    assert len(m.rows) < 5 * n  # each label overlaps a few predictions, not all of them
    assert (s.swap < 1).sum() > 200 and (s.badloc < 1).sum() > 5_000
