"""``rle_strings.row_starts``: where a mask's tag goes (its top and bottom row's first pixel), read from the
RLE's runs, must be what ``geometry.row_start`` finds in its decoded pixels - for runs that go on from the
bottom of one column to the top of the next too, and for masks stored cropped at an origin."""

from __future__ import annotations

import math

import numpy as np

from pixelproof.core import masks
from pixelproof.core.geometry import row_start
from pixelproof.core.rle_strings import row_starts


def test_row_starts_match_the_decoded_pixels_of_random_masks() -> None:
    rng = np.random.default_rng(7)
    rles, origins, expected = [], [], []
    for k in range(300):
        h, w = int(rng.integers(1, 12)), int(rng.integers(1, 12))
        m = rng.random((h, w)) < rng.choice([0.05, 0.3, 0.9])
        if k % 5 == 0:  # whole columns: runs wrap from one column's bottom to the next one's top
            m[:, int(rng.integers(0, w))] = True
        if k % 7 == 0:
            m[:] = False
        origin = (int(rng.integers(0, 50)), int(rng.integers(0, 50))) if k % 2 else (0, 0)
        rles.append(masks.encode(m))
        origins.append(origin)
        expected.append((row_start(m, origin, top=True), row_start(m, origin, top=False)))
    rles.append({"size": [4, 4], "counts": [0, 16]})  # uncompressed counts: a full mask
    origins.append((3, 0))
    expected.append(((3.0, 0.0), (3.0, 4.0)))
    top, low = row_starts(rles, origins)
    for k, (t, b) in enumerate(expected):
        if t is None:
            assert math.isnan(top[k]) and math.isnan(low[k]), k
        else:
            assert (top[k], low[k]) == (t[0], b[0]), k


def test_a_broken_counts_string_gives_no_spot_and_spoils_no_other() -> None:
    m = np.zeros((6, 5), dtype=bool)
    m[2:4, 1:3] = True
    good = masks.encode(m)
    top, low = row_starts([good, {"size": [6, 5], "counts": "a"}, good], [(0, 0), (0, 0), (10, 0)])
    assert list(top[[0, 2]]) == [1.0, 11.0] and math.isnan(top[1]) and list(low[[0, 2]]) == [1.0, 11.0]
