"""Gamma of a multichannel view (QuPath's Brightness / Contrast Gamma slider): one value for the view,
applied to every shown channel after its range, ``clip((v - lo) / (hi - lo), 0, 1) ** gamma``, before
colouring. Renders are checked against a straightforward float64 numpy computation of that formula written
here; gamma is kept with the view's settings, refused when out of range, and back at 1 on Reset All."""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from pixelproof.core import composite as composite_module
from pixelproof.core.channels import CompositeLevel
from pixelproof.core.composite import GAMMA_MAX, GAMMA_MIN, Channel, Composite

BLUE, GREEN, RED = (0, 0, 255), (0, 255, 0), (255, 0, 0)
CHANNELS = (Channel("DAPI", BLUE), Channel("FITC", GREEN), Channel("TRITC", RED))


def formula(planes: np.ndarray, ranges, colors, gamma: float, shown=None) -> np.ndarray:
    """H x W x 3 uint8 from the formula, in float64, channel by channel."""
    planes = np.asarray(planes, np.float64)
    out = np.zeros((*planes.shape[:2], 3))
    for c, ((lo, hi), color) in enumerate(zip(ranges, colors, strict=True)):
        if shown is not None and not shown[c]:
            continue
        f = np.nan_to_num((planes[..., c] - lo) / (hi - lo), nan=0.0)
        f = np.clip(f, 0.0, 1.0) ** gamma
        out += f[..., None] * np.asarray(color, np.float64)
    return np.rint(np.clip(out, 0, 255)).astype(np.uint8)


def random_planes(dtype=np.uint16) -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.integers(0, 1200, size=(40, 50, 3)).astype(dtype)


@pytest.mark.parametrize("gamma", [0.1, 0.5, 1.0, 2.2, 5.0])
def test_the_composite_follows_the_gamma_formula_on_every_pixel(gamma: float) -> None:
    planes = random_planes()
    c = Composite(CHANNELS, np.array([[0, 1000], [100, 900], [50, 1100]], np.float64))
    c.set_range(1, 200, 700)
    c.set_gamma(gamma)
    assert c.gamma == gamma
    c.visible[2] = False
    want = formula(planes, c.ranges, (BLUE, GREEN, RED), gamma, c.visible)
    got = c.render(planes)
    assert np.abs(got.astype(int) - want).max() <= 1  # float32 against float64: a rounding step at most
    assert (got == want).mean() > 0.99
    if gamma != 1.0:  # it does change the picture: mid-grey values move
        assert not np.array_equal(got, formula(planes, c.ranges, (BLUE, GREEN, RED), 1.0, c.visible))


def test_gamma_on_a_float_image_with_nan_and_values_past_the_range() -> None:
    planes = np.array([[[0.5, np.nan], [2.0, -1.0], [0.25, 0.75]]], np.float32)
    c = Composite(CHANNELS[:2], np.array([[0, 1], [0, 1]], np.float64))
    c.set_gamma(2.0)
    got = c.render(planes)
    assert np.array_equal(got, formula(planes, c.ranges, (BLUE, GREEN), 2.0))
    assert got[0, 0].tolist() == [0, 0, 64]  # 0.5 ** 2 of blue; NaN shows nothing


def test_gamma_one_renders_without_a_power(monkeypatch: pytest.MonkeyPatch) -> None:
    """Gamma 1 (the default) costs nothing: no power is taken."""

    def no_power(*_a, **_k):
        raise AssertionError("a power taken at gamma 1")

    monkeypatch.setattr(cv2, "pow", no_power)  # the module composite imports where it takes the power
    monkeypatch.setattr(composite_module.np, "power", no_power)
    planes = random_planes()
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    assert c.gamma == 1.0
    assert (
        np.abs(c.render(planes).astype(int) - formula(planes, c.ranges, (BLUE, GREEN, RED), 1.0)).max() <= 1
    )


@pytest.mark.parametrize("bad", [0.0, -1.0, GAMMA_MIN / 2, GAMMA_MAX * 2, math.nan, math.inf])
def test_a_gamma_out_of_range_or_not_finite_is_refused_and_the_old_one_stays(bad: float) -> None:
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    c.set_gamma(2.0)
    with pytest.raises(ValueError, match="gamma"):
        c.set_gamma(bad)
    assert c.gamma == 2.0


def test_gamma_is_kept_in_the_view_settings_and_reset_all_puts_it_back_to_one() -> None:
    auto = np.array([[0, 1000]] * 3, np.float64)
    view = Composite(CHANNELS, auto)
    view.set_gamma(0.5)
    saved = json.loads(json.dumps(view.view_settings()))  # gamma alone is worth keeping
    assert saved is not None and saved["gamma"] == 0.5
    fresh = Composite(CHANNELS, auto)
    assert fresh.apply_view_settings(saved) and fresh.gamma == 0.5
    planes = random_planes()
    assert np.array_equal(fresh.render(planes), view.render(planes))
    assert fresh.copy().gamma == 0.5  # a view's copy keeps it
    older = {"names": ["DAPI", "FITC", "TRITC"], "shown": [True, False, True], "ranges": {}}
    assert fresh.apply_view_settings(older) and fresh.gamma == 1.0  # kept by an older version: no gamma
    fresh.set_gamma(3.0)
    assert fresh.apply_view_settings(None) and fresh.gamma == 1.0
    view.reset_ranges()  # Reset All
    assert view.gamma == 1.0 and view.view_settings() is None


@pytest.mark.parametrize("bad", [0, -2, 50, "2", True, None, [2], float("nan"), 10**400], ids=repr)
def test_a_stored_gamma_that_does_not_hold_changes_nothing(bad) -> None:
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    c.set_gamma(2.0)
    saved = {"names": ["DAPI", "FITC", "TRITC"], "shown": [True, False, True], "ranges": {}, "gamma": bad}
    assert not c.apply_view_settings(saved)
    assert c.gamma == 2.0 and c.visible == [True] * 3


def test_the_full_composite_models_read_follows_the_gamma() -> None:
    planes = np.zeros((4, 5, 3), np.uint16)
    planes[...] = (200, 1000, 400)
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    level = CompositeLevel(planes, c)
    assert tuple(level.full_composite()[1, 1]) == (102, 255, 51)
    c.set_gamma(2.0)
    assert (
        level.full_composite()[1, 1].tolist()
        == formula(planes[:1, :1], c.ranges, (BLUE, GREEN, RED), 2.0)[0, 0].tolist()
    )
