"""The Boundary IoU band: the pixels d erosions by a 3x3 square take from a mask. A whole slide's band is
2 % of its diagonal (500 px for 20,000 x 15,000): done as 500 erosions of a 10,000 x 6,000 class union
it was most of a 45 s QA run; the band must stay the pixels those erosions take."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from pixelproof.core.metrics import _SQUARE, _eroded_away, compare


def _blobs(seed: int, shape: tuple[int, int]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return ndimage.gaussian_filter(rng.random(shape), 4) > 0.5


@pytest.mark.parametrize("d", [2, 3, 7, 20])
def test_band_is_what_d_square_erosions_take(d: int) -> None:
    for seed in range(3):
        m = _blobs(seed, (90, 130))
        m[:, :3] = True  # touching the edge: scipy and cv2 keep the outside as foreground alike
        eroded = ndimage.binary_erosion(m, structure=np.ones((3, 3)), iterations=d, border_value=1)
        np.testing.assert_array_equal(_eroded_away(m, _SQUARE, d), m & ~eroded)


def test_compare_boundary_iou_matches_scipy_bands() -> None:
    a, b = _blobs(7, (120, 160)), _blobs(8, (120, 160))
    d = 6
    got = compare(a, b, boundary_iou_d=d)

    def band(m: np.ndarray) -> np.ndarray:
        framed = np.pad(m, 1)  # compare frames the masks in a ring of zeros: the image edge is outside
        return framed & ~ndimage.binary_erosion(framed, structure=np.ones((3, 3)), iterations=d)

    ba, bb = band(a), band(b)
    assert got.biou_inter == int(np.count_nonzero(ba & bb))
    assert got.biou_union == int(np.count_nonzero(ba | bb))


@pytest.mark.parametrize("d", [2, 9, 30])
def test_band_of_edge_cases_is_what_the_erosions_take(d: int) -> None:
    """No background pixel at all (the distance transform has no zero to measure from), one background
    pixel, an object smaller than d, and one filling a border row: the erosions' band all the same."""
    full = np.ones((70, 80), bool)
    hole = full.copy()
    hole[35, 40] = False
    speck = np.zeros((70, 80), bool)
    speck[5:9, 60:63] = True
    edge = np.zeros((70, 80), bool)
    edge[-4:, :] = True
    for m in (full, hole, speck, edge):
        eroded = ndimage.binary_erosion(m, structure=np.ones((3, 3)), iterations=d, border_value=1)
        np.testing.assert_array_equal(_eroded_away(m, _SQUARE, d), m & ~eroded)
