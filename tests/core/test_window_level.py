"""Width/level arithmetic and the right-drag, without Qt."""

from __future__ import annotations

import pytest

from pixelproof.core.window_level import dragged_window, preset_window, width_level


@pytest.mark.parametrize(("width", "level"), [(400, 40), (1500, -600), (2000, 300), (80, 40), (1, 0)])
def test_preset_and_width_level_undo_each_other(width: float, level: float) -> None:
    assert width_level(*preset_window(width, level)) == pytest.approx((width, level))


def test_a_preset_follows_dicoms_linear_voi_function() -> None:
    """PS3.3 C.11.2.1.2.1: x <= c - 0.5 - (w-1)/2 is the lowest grey, x > c - 0.5 + (w-1)/2 the highest."""
    c, w = 40, 400
    assert preset_window(w, c) == (c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2) == (-160.0, 239.0)


@pytest.mark.parametrize(("dx", "dy"), [(37, 0), (-13, 11), (3, -29), (151, 77), (-190, 5)])
def test_a_drag_on_integer_pixels_gives_whole_width_and_level(dx: int, dy: int) -> None:
    """A drag on CT gave "W 119.5 L 20.25": no preset or viewer names such a window."""
    start = preset_window(400, 40)
    width, level = width_level(*dragged_window(start, dx, dy, whole=True))
    assert width == int(width) and level == int(level) and width >= 2
    exact = width_level(*dragged_window(start, dx, dy, whole=False))
    assert abs(width - exact[0]) <= 0.5 and abs(level - exact[1]) <= 0.5  # the nearest whole window


def test_a_drag_widens_to_the_right_and_lowers_the_level_downwards() -> None:
    lo, hi = dragged_window((0.0, 100.0), 200, 0, whole=False)
    assert (lo, hi) == pytest.approx((-50.0, 150.0))  # 200 px right: twice as wide, same centre
    lo, hi = dragged_window((0.0, 100.0), 0, 100, whole=False)
    assert (lo, hi) == pytest.approx((-50.0, 50.0))  # 100 px down: the centre half a width lower
    lo, hi = dragged_window((0.0, 100.0), -10_000, 0, whole=False)
    assert hi - lo == pytest.approx(1.0)  # never narrower than 1 % of the start
    assert width_level(*dragged_window((0.0, 3.0), -10_000, 0, whole=True))[0] == 2


def test_the_automatic_window_of_integer_pixels_has_a_whole_width_and_level() -> None:
    """MR (auto) on a CT slice read ``W 1729  L -157.5``: percentiles of whole HU values, halved."""
    import numpy as np

    from pixelproof.core.imageio import auto_window

    rng = np.random.default_rng(5)
    ct = rng.integers(-1000, 700, (100, 100)).astype(np.int16)
    ct[:2], ct[-2:] = -1024, 704  # air and bone: the percentiles, of an even sum
    assert width_level(*np.percentile(ct, [0.5, 99.5])) == (1729.0, -159.5)
    width, level = width_level(*auto_window(ct))
    assert width == round(width) and level == round(level) and width >= 2
    lo, hi = np.percentile(ct, [0.5, 99.5])
    assert abs(width - (hi - lo + 1)) <= 1 and abs(level - ((lo + hi) / 2 + 0.5)) <= 0.5
    floats = ct.astype(np.float32) / 7  # float pixels keep their percentiles as they are
    assert auto_window(floats) == tuple(float(v) for v in np.percentile(floats, [0.5, 99.5]))
    flat = np.full((4, 4), 7, np.uint16)  # one value: a window of width 2 around it
    assert width_level(*auto_window(flat)) == (2.0, 8.0)


def test_a_drag_sweeps_the_images_value_range_from_a_narrow_window() -> None:
    """A 16-bit line scan's automatic window is ~1,000 wide on values 15,000..50,000: at a width per 200 px a
    drag across the screen reached 6,000, and the bright defects took ten drags. 500 px sweeps the range."""
    narrow, values = (29_500.0, 30_500.0), (15_000.0, 50_000.0)
    width, level = width_level(*dragged_window(narrow, 500, 0, whole=True, values=values))
    assert width >= 35_000 and level == pytest.approx(width_level(*narrow)[1], abs=1)
    width, level = width_level(*dragged_window(narrow, 0, -250, whole=True, values=values))
    assert width == 1001 and level == pytest.approx(30_000 + 17_500, abs=1)  # 250 px up: half the range up
    # a window as wide as the range keeps its own pace: 200 px doubles it
    lo, hi = dragged_window((0.0, 1000.0), 200, 0, whole=False, values=(0.0, 1000.0))
    assert hi - lo == pytest.approx(2000.0)
