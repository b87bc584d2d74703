"""``core.mask_reduce``: a mask reduced by a power of two straight from its RLE runs equals numpy's max
pooling of the decoded mask (every shape of run: inside a column, over a column's end, over whole columns),
so a 1 px line stays set, and an empty mask gives None; ``pixel_at`` reads any pixel from the runs."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.mask_reduce import reduce_rle


def max_pool(mask: np.ndarray, f: int) -> np.ndarray:
    """The reference: any pixel of each f x f block of the whole frame (padded with False)."""
    h, w = mask.shape
    gh, gw = -(-h // f), -(-w // f)
    padded = np.zeros((gh * f, gw * f), dtype=bool)
    padded[:h, :w] = mask
    return padded.reshape(gh, f, gw, f).any(axis=(1, 3))


def check(mask: np.ndarray, f: int) -> None:
    found = reduce_rle(masks.encode(mask), f)
    expected = max_pool(mask, f)
    if not mask.any():
        assert found is None
        return
    assert found is not None
    cells, (x, y) = found
    assert x % f == 0 and y % f == 0
    whole = np.zeros_like(expected)
    whole[y // f : y // f + cells.shape[0], x // f : x // f + cells.shape[1]] = cells
    np.testing.assert_array_equal(whole, expected)
    assert cells[0].any() and cells[-1].any() and cells[:, 0].any() and cells[:, -1].any()  # tight


@pytest.mark.parametrize("f", [1, 2, 4, 8, 32])
@pytest.mark.parametrize("seed", range(6))
def test_reduction_from_runs_is_max_pooling(f: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(1, 90)), int(rng.integers(1, 90))
    mask = rng.random((h, w)) < [0.002, 0.05, 0.5, 0.97, 1.0, 0.0][seed]
    if seed == 2:
        mask[:, 10:40] = True  # runs over whole columns
    check(mask, f)


@pytest.mark.parametrize("f", [2, 16, 64])
def test_thin_lines_and_blobs_stay(f: int) -> None:
    mask = np.zeros((700, 900), dtype=bool)
    mask[333, 5:880] = True  # a 1 px line across
    mask[10:690, 601] = True  # and one down
    mask[100:420, 150:500] = True  # a blob whose runs wrap over columns
    check(mask, f)
    cells, _ = reduce_rle(masks.encode(mask), f)  # type: ignore[misc]
    assert cells.sum() >= 880 // f  # the line is a line of cells, not gone


def test_band_by_band(monkeypatch: pytest.MonkeyPatch) -> None:
    """Filled a few cell columns at a time (a big mask's bands) gives the same cells."""
    from pixelproof.core import mask_reduce

    monkeypatch.setattr(mask_reduce, "_BAND_CELLS", 7)
    rng = np.random.default_rng(9)
    check(rng.random((120, 130)) < 0.03, 4)
    check(rng.random((120, 130)) < 0.9, 2)


def test_pixel_at_reads_every_pixel_from_the_runs() -> None:
    from pixelproof.core.mask_reduce import pixel_at, run_bounds

    rng = np.random.default_rng(3)
    mask = rng.random((23, 31)) < 0.4
    mask[:, 5:9] = True  # runs over whole columns
    bounds = run_bounds(masks.encode(mask))
    got = np.array([[pixel_at(bounds, 23, x, y) for x in range(31)] for y in range(23)])
    np.testing.assert_array_equal(got, mask)


def test_any_in_rect_reads_a_rectangle_from_the_runs() -> None:
    """``any_in_rect`` answers as the decoded pixels' ``any`` over every rectangle, clipped to the frame
    (a rubber band over part of a mask: the runs' inside, their ends, runs over a column's end)."""
    from pixelproof.core.mask_reduce import any_in_rect, run_bounds

    rng = np.random.default_rng(5)
    for density in (0.01, 0.3, 0.95):
        mask = rng.random((17, 13)) < density
        mask[:, 4:6] = True  # runs over whole columns
        mask[3:9, 9] = False
        bounds = run_bounds(masks.encode(mask))
        for x0 in range(-1, 14):
            for x1 in range(x0, 15):
                for y0, y1 in ((-2, 20), (0, 1), (3, 9), (8, 17), (16, 18), (5, 5)):
                    expected = bool(mask[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)].any())
                    assert any_in_rect(bounds, 17, 13, x0, y0, x1, y1) == expected, (x0, y0, x1, y1)
    empty = run_bounds(masks.encode(np.zeros((4, 5), dtype=bool)))
    assert not any_in_rect(empty, 4, 5, 0, 0, 5, 4)
