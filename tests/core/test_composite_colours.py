"""A channel's colour the user chooses (QuPath: double-click a channel, pick its colour): the composite
colours that channel with it, the view's settings keep it per file, Reset All gives the file's colours back.
Renders are checked against a float64 numpy computation of the formula written here."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pixelproof.core.channels import CompositeLevel
from pixelproof.core.composite import Channel, Composite
from tests.core.test_composite_gamma import CHANNELS, formula, random_planes

BLUE, GREEN, RED, YELLOW = (0, 0, 255), (0, 255, 0), (255, 0, 0), (255, 255, 0)


def test_a_chosen_colour_colours_its_channel_and_reset_gives_the_files_back() -> None:
    planes = random_planes()
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    c.set_color(1, (255, 128, 0))  # FITC orange
    c.set_gamma(2.0)
    assert [ch.color for ch in c.channels] == [BLUE, (255, 128, 0), RED]
    assert [ch.name for ch in c.channels] == ["DAPI", "FITC", "TRITC"]
    got = c.render(planes)
    want = formula(planes, c.ranges, (BLUE, (255, 128, 0), RED), 2.0)
    assert np.abs(got.astype(int) - want).max() <= 1 and (got == want).mean() > 0.99
    assert c.file_channels == CHANNELS  # the file's own are kept
    c.reset_ranges()  # Reset All
    assert c.channels == CHANNELS and c.view_settings() is None


@pytest.mark.parametrize("bad", [(256, 0, 0), (-1, 0, 0), (1, 2), (1.5, 0, 0), (True, 0, 0), "red"], ids=repr)
def test_a_colour_that_is_not_three_values_of_0_to_255_is_refused(bad) -> None:
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    with pytest.raises(ValueError, match="FITC"):
        c.set_color(1, bad)
    with pytest.raises(ValueError, match="no channel 3"):
        c.set_color(3, (1, 2, 3))
    assert c.channels == CHANNELS


def test_colours_are_kept_in_the_view_settings_and_a_views_copy() -> None:
    auto = np.array([[0, 1000]] * 3, np.float64)
    view = Composite(CHANNELS, auto)
    view.set_color(2, YELLOW)
    saved = json.loads(json.dumps(view.view_settings()))  # a colour alone is worth keeping
    assert saved["colors"] == {"2": [255, 255, 0]}
    fresh = Composite(CHANNELS, auto)
    assert fresh.apply_view_settings(saved) and fresh.channels[2] == Channel("TRITC", YELLOW)
    twin = fresh.copy()
    assert twin.channels[2].color == YELLOW and twin.file_channels == CHANNELS
    twin.set_color(2, GREEN)
    assert fresh.channels[2].color == YELLOW  # the copy changes on its own
    planes = random_planes()
    assert np.array_equal(fresh.render(planes), view.render(planes))
    older = {"names": ["DAPI", "FITC", "TRITC"], "shown": [True] * 3, "ranges": {}}
    assert fresh.apply_view_settings(older) and fresh.channels == CHANNELS  # no colours: the file's


@pytest.mark.parametrize(
    "bad",
    [{"1": [256, 0, 0]}, {"1": [0, 0]}, {"1": [True, 0, 0]}, {"1": "red"}, {"9": [1, 2, 3]}, [[1, 2, 3]]],
    ids=repr,
)
def test_stored_colours_that_do_not_hold_change_nothing(bad) -> None:
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    c.set_color(0, YELLOW)
    saved = {"names": ["DAPI", "FITC", "TRITC"], "shown": [True, False, True], "ranges": {}, "colors": bad}
    assert not c.apply_view_settings(saved)
    assert c.channels[0].color == YELLOW and c.visible == [True] * 3


def test_the_full_composite_models_read_follows_the_colours() -> None:
    planes = np.zeros((4, 5, 3), np.uint16)
    planes[...] = (200, 1000, 400)
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    level = CompositeLevel(planes, c)
    assert tuple(level.full_composite()[1, 1]) == (102, 255, 51)
    c.set_color(1, (255, 0, 255))  # FITC magenta
    assert tuple(level.full_composite()[1, 1]) == (255, 0, 255)
