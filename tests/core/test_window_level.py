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
