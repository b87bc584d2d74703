"""core.paint.touches: whether a brush dab or a wand region continues the selected mask (overlaps it or
borders it, 8 neighbours) or starts another object; checked against a dense dilation."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pixelproof.core import masks, paint


def dense_touches(mask: np.ndarray, rect: tuple[int, int, int, int], region: np.ndarray) -> bool:
    h, w = mask.shape
    x, y, rw, rh = rect
    pad = 20  # room for a region outside the image
    placed = np.zeros((h + 2 * pad, w + 2 * pad), np.uint8)
    ox, oy = pad, pad
    placed[oy + y : oy + y + rh, ox + x : ox + x + rw] = region
    grown = cv2.dilate(placed, np.ones((3, 3), np.uint8))[oy : oy + h, ox : ox + w].astype(bool)
    return bool((grown & mask).any())


def test_touching_bordering_and_apart() -> None:
    mask = np.zeros((40, 50), bool)
    mask[10:20, 10:20] = True
    rle = masks.encode(mask)
    dab = np.ones((3, 3), bool)
    assert paint.touches(rle, (15, 15, 3, 3), dab)  # overlaps
    assert paint.touches(rle, (20, 20, 3, 3), dab)  # diagonal neighbour of (19, 19)
    assert not paint.touches(rle, (21, 10, 3, 3), dab)  # one pixel of gap
    assert not paint.touches(rle, (-5, -5, 3, 3), dab)  # outside the image
    assert paint.touches(rle, (-2, 8, 13, 3), np.ones((3, 13), bool))  # reaches in from outside


@pytest.mark.parametrize("seed", range(20))
def test_matches_a_dense_dilation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    mask = rng.random((30, 40)) > 0.97
    rle = masks.encode(mask)
    rh, rw = rng.integers(1, 8, 2)
    x, y = int(rng.integers(-8, 45)), int(rng.integers(-8, 35))
    region = rng.random((rh, rw)) > 0.5
    rect = (x, y, int(rw), int(rh))
    assert paint.touches(rle, rect, region) == dense_touches(mask, rect, region)
