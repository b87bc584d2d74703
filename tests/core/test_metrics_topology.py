"""clDice (``metrics_topology``) against an independent whole-image computation of the paper's formula.

The oracle follows Shit et al. (CVPR 2021) as the authors' reference code (github.com/jocpae/clDice,
``cldice_metric/cldice.py``, MIT) computes it: skeletons by ``skimage.morphology.skeletonize`` of the
whole image, each skeleton's pixels inside the other mask over its own pixels, the harmonic mean of the
two. It knows nothing of crops, clusters or parts; where it divides 0 by 0 (neither centreline inside the
other mask) PixelProof says 0, tested apart.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from skimage.morphology import skeletonize

from pixelproof.core.metrics import Placed, compare
from pixelproof.core.metrics_topology import Centrelines, centrelines


def oracle(pred: np.ndarray, label: np.ndarray) -> float:
    """clDice of whole-image masks, straight from the formula."""
    s_p, s_l = skeletonize(pred), skeletonize(label)
    tprec = np.count_nonzero(s_p & label) / np.count_nonzero(s_p)
    tsens = np.count_nonzero(s_l & pred) / np.count_nonzero(s_l)
    return 2 * tprec * tsens / (tprec + tsens)


def measured(ref: np.ndarray | list[Placed], cand: np.ndarray | list[Placed], shape=None) -> float:
    """clDice as QA measures it: the comparison of the masks with the parts' centrelines."""
    ref_parts = [Placed.from_full(ref)] if isinstance(ref, np.ndarray) else ref
    cand_parts = [Placed.from_full(cand)] if isinstance(cand, np.ndarray) else cand
    shape = shape or ref.shape
    from pixelproof.core.metrics import merge

    c = compare(merge(ref_parts), merge(cand_parts), shape)
    c.centrelines = centrelines(ref_parts, cand_parts)
    return c.cldice


def crack(width: int, row: int, shape=(40, 320)) -> np.ndarray:
    m = np.zeros(shape, dtype=bool)
    m[row : row + width, 10:310] = True
    return m


def vessel(shape=(160, 200), width: int = 5, gap: tuple[int, int] | None = None) -> np.ndarray:
    """A branching vessel ``width`` px wide; ``gap`` (x0, x1) cuts it there."""
    m = np.zeros(shape, dtype=np.uint8)
    pts = np.array([[10, 80], [60, 70], [110, 90], [190, 60]], dtype=np.int32)
    cv2.polylines(m, [pts], False, 1, thickness=width)
    cv2.line(m, (110, 90), (150, 150), 1, thickness=width)
    out = m.astype(bool)
    if gap is not None:
        out[:, gap[0] : gap[1]] = False
    return out


def blobs(seed: int, shape=(96, 128)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.zeros(shape, dtype=np.uint8)
    for _ in range(6):
        c = (int(rng.integers(0, shape[1])), int(rng.integers(0, shape[0])))
        axes = (int(rng.integers(2, 20)), int(rng.integers(1, 8)))
        cv2.ellipse(m, c, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    return m.astype(bool)


@pytest.mark.parametrize("width", [3, 4, 5])
@pytest.mark.parametrize("offset", [-1, 1])
def test_crack_a_pixel_off_keeps_its_centreline_inside(width: int, offset: int) -> None:
    ref, cand = crack(width, 10), crack(width, 10 + offset)
    assert compare(ref, cand).dice == pytest.approx((width - 1) / width)
    got = measured(ref, cand)
    assert got == pytest.approx(oracle(cand, ref), abs=1e-12)
    assert got > 0.99


def test_two_pixel_crack_a_pixel_off_is_zero_as_the_reference_code_says() -> None:
    """Zhang's skeleton of a 2 px line is its first row: shifted a pixel either way, one centreline
    leaves the other mask (Tprec or Tsens 0), so clDice is 0 where Dice is 0.5 (README's figure)."""
    ref = crack(2, 10)
    for cand in (crack(2, 11), crack(2, 9)):
        assert compare(ref, cand).dice == 0.5
        assert measured(ref, cand) == oracle(cand, ref) == 0.0


def test_broken_vessel_drops_cldice_a_thicker_one_does_not() -> None:
    """clDice reads the topology, not the width: a vessel drawn thicker keeps clDice 1 while its Dice
    drops; a vessel cut in two loses the centreline of the gap."""
    ref = vessel()
    thick = vessel(width=9)
    assert round(compare(ref, thick).dice, 2) == 0.77  # README's figure
    assert measured(ref, thick) == oracle(thick, ref) == 1.0
    broken = vessel(gap=(40, 70))
    got = measured(ref, broken)
    assert got == pytest.approx(oracle(broken, ref), abs=1e-12)
    assert got < 0.95
    cut_thick = vessel(width=9, gap=(40, 70))
    assert measured(ref, cut_thick) < measured(ref, thick)


@pytest.mark.parametrize("seed", range(8))
def test_random_blobs_match_the_whole_image_computation(seed: int) -> None:
    ref, cand = blobs(seed), blobs(seed + 100)
    if not (ref & cand).any():
        cand |= ref & np.roll(ref, 1, axis=1)  # some overlap, so the oracle is defined
    want = oracle(cand, ref)
    assert measured(ref, cand) == pytest.approx(want, abs=1e-12)


def test_parts_and_clusters_give_the_whole_masks_figure() -> None:
    """A class's objects given as several crops (overlapping, touching, far apart, at the image border) are
    thinned cluster by cluster: the same figure as the whole masks."""
    shape = (120, 400)
    ref = np.zeros(shape, dtype=bool)
    ref[0:6, 0:150] = True  # at the border
    ref[40:44, 200:390] = True
    ref[44:80, 300:305] = True  # touches the one above
    ref[100:104, 10:60] = True
    cand = np.roll(ref, 1, axis=0) | np.roll(ref, 2, axis=1)
    cand[100:104, 30:40] = False  # a break
    ref_parts = [
        Placed(ref[0:6, 0:90].copy(), 0, 0),
        Placed(ref[0:6, 60:150].copy(), 0, 60),  # overlaps the first
        Placed(ref[40:44, 200:390].copy(), 40, 200),
        Placed(ref[44:80, 300:305].copy(), 44, 300),
        Placed(ref[100:104, 10:60].copy(), 100, 10),
    ]
    got = measured(ref_parts, [Placed.from_full(cand)], shape)
    assert got == pytest.approx(oracle(cand, ref), abs=1e-12)
    assert 0.5 < got < 1.0


def test_empty_cases() -> None:
    m = crack(3, 10)
    none = np.zeros_like(m)
    both = compare(none, none)
    both.centrelines = centrelines([], [])
    assert math.isnan(both.cldice) and both.reason("cldice") == "both empty"
    for ref, cand in ((m, none), (none, m)):
        c = compare(ref, cand)
        c.centrelines = centrelines([Placed.from_full(ref)], [Placed.from_full(cand)])
        assert c.cldice == 0.0 and c.reason("cldice") is None  # as Dice: one mask empty is 0
    far = crack(3, 25)  # no pixel shared: the reference code's 0 / 0
    assert measured(m, far) == 0.0
    c = compare(m, crack(3, 11))  # centrelines not measured (boundary metrics off)
    assert math.isnan(c.cldice) and c.reason("cldice") == "not computed"


def test_a_single_pixel_is_its_own_centreline() -> None:
    dot = np.zeros((5, 5), dtype=bool)
    dot[2, 2] = True
    assert centrelines([Placed.from_full(dot)], [Placed.from_full(dot)]) == Centrelines(1, 1, 1, 1)
    assert measured(dot, dot) == 1.0


def test_no_thin_structure_or_too_costly_is_not_computed_with_its_reason() -> None:
    """A filled region takes a thinning pass per layer for no topology: deeper than ``THIN_DEPTH`` it is
    not thinned; nor are masks whose thinning would pass the budget. Each says why."""
    square = np.zeros((40, 40), dtype=bool)
    square[1:-1, 1:-1] = True  # depth 19: a 37 x 37 square fits
    parts = [Placed.from_full(square)]
    thick = centrelines(parts, [Placed.from_full(crack(3, 10))])
    assert isinstance(thick, str) and "not a thin structure (a 37 x 37 px square" in thick
    assert "none wider than 31 x 31" in thick
    c = compare(square, square)
    c.centrelines = thick
    assert math.isnan(c.cldice) and c.reason("cldice") == thick
    assert isinstance(centrelines(parts, parts, max_depth=19), Centrelines)
    line = [Placed.from_full(crack(3, 10))]
    costly = centrelines(line, line, budget=1000)
    assert isinstance(costly, str) and "too large to thin" in costly
    assert isinstance(centrelines(line, line), Centrelines)
