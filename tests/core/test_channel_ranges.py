"""Display ranges the user sets per channel (QuPath's brightness / contrast): a set range replaces the
automatic 0.5 / 99.5 percentiles of that channel in the composite until it is reset; bad ranges are
refused and leave the old one; a view's copy keeps its own; the full composite models get follows them.
Expected colours come from a per-pixel loop written here from the formula, not from ``render``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pixelproof.core.channels import (
    Channel,
    Composite,
    CompositeLevel,
    channel_histograms,
    percentile_ranges,
)

BLUE, GREEN, RED = (0, 0, 255), (0, 255, 0), (255, 0, 0)
CHANNELS = (Channel("DAPI", BLUE), Channel("FITC", GREEN), Channel("TRITC", RED))


def by_hand(values: list[float], ranges: list[tuple[float, float]], colors=(BLUE, GREEN, RED)) -> tuple:
    """One pixel's composite from the formula: sum of clip((v - lo) / (hi - lo), 0, 1) * colour."""
    rgb = [0.0, 0.0, 0.0]
    for v, (lo, hi), color in zip(values, ranges, colors, strict=True):
        f = min(1.0, max(0.0, (v - lo) / (hi - lo)))
        rgb = [a + f * c for a, c in zip(rgb, color, strict=True)]
    return tuple(int(np.rint(min(255.0, a))) for a in rgb)


def pixel(composite: Composite, values: list[float]) -> tuple:
    return tuple(int(v) for v in composite.render(np.array([[values]], np.uint16))[0, 0])


def test_a_range_the_user_sets_replaces_that_channels_automatic_one_until_reset() -> None:
    auto = np.array([[0, 1000], [0, 1000], [0, 1000]], np.float64)
    c = Composite(CHANNELS, auto)
    values = [200, 1000, 400]
    assert pixel(c, values) == by_hand(values, [(0, 1000)] * 3) == (102, 255, 51)

    c.set_range(1, 0, 4000)  # FITC dimmer: 1000 of 4000
    c.set_range(0, 100, 300)  # DAPI brighter: 200 half way
    assert c.is_set(0) and c.is_set(1) and not c.is_set(2)
    want = by_hand(values, [(100, 300), (0, 4000), (0, 1000)])
    assert pixel(c, values) == want == (102, 64, 128)
    assert c.ranges.tolist() == [[100, 300], [0, 4000], [0, 1000]]
    assert c.auto_ranges.tolist() == auto.tolist()  # the automatic ones are kept, not overwritten

    c.reset_range(1)  # "Auto": FITC back to its percentiles
    assert pixel(c, values) == by_hand(values, [(100, 300), (0, 1000), (0, 1000)])
    c.reset_ranges()  # "Reset all"
    assert pixel(c, values) == (102, 255, 51) and not any(c.is_set(i) for i in range(3))


def test_values_outside_a_user_range_clip_and_a_fractional_range_of_a_float_image_works() -> None:
    c = Composite(CHANNELS[:2], np.array([[0, 1], [0, 1]], np.float64))
    c.set_range(0, 0.25, 0.75)
    c.set_range(1, -2.0, -1.0)  # every value above: full green
    planes = np.array([[[0.1, 5.0], [0.5, 5.0], [0.9, 5.0]]], np.float32)
    got = [tuple(int(v) for v in p) for p in c.render(planes)[0]]
    colors = (BLUE, GREEN)
    assert got == [by_hand(list(p), [(0.25, 0.75), (-2, -1)], colors) for p in planes[0].tolist()]
    assert got == [(0, 255, 0), (0, 255, 128), (0, 255, 255)]


@pytest.mark.parametrize("lo, hi", [(5, 5), (10, 2), (math.nan, 1), (0, math.inf), (-math.inf, 0)], ids=str)
def test_a_range_that_is_empty_reversed_or_not_finite_is_refused_and_the_old_one_stays(lo, hi) -> None:
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    c.set_range(2, 10, 20)
    with pytest.raises(ValueError, match="TRITC"):
        c.set_range(2, lo, hi)
    assert c.ranges[2].tolist() == [10, 20]
    with pytest.raises(ValueError, match="no channel 3"):
        c.set_range(3, 0, 1)
    with pytest.raises(ValueError, match="no channel -1"):
        c.set_range(-1, 0, 1)


def test_a_range_set_before_the_automatic_ones_are_computed_waits_for_them() -> None:
    computed = []

    def compute() -> np.ndarray:
        computed.append(1)
        return np.array([[0, 100], [0, 200], [0, 300]], np.float64)

    c = Composite(CHANNELS, compute)
    c.set_range(1, 50, 60)
    assert computed == []  # setting one range does not sample the image
    assert c.ranges.tolist() == [[0, 100], [50, 60], [0, 300]] and computed == [1]


def test_a_views_copy_keeps_the_users_ranges_and_changes_them_on_its_own() -> None:
    shared = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    shared.set_range(0, 1, 2)
    view = shared.copy()
    assert view.ranges.tolist() == shared.ranges.tolist() and view.is_set(0)
    view.set_range(1, 7, 8)
    view.reset_range(0)
    assert shared.ranges.tolist() == [[1, 2], [0, 1000], [0, 1000]]
    assert view.ranges.tolist() == [[0, 1000], [7, 8], [0, 1000]]
    view.ranges[2] = (5, 6)  # the array handed out is a copy: writing it changes nothing
    assert view.ranges[2].tolist() == [0, 1000]


def test_the_full_composite_models_read_follows_the_users_ranges_with_every_channel_shown() -> None:
    planes = np.zeros((4, 5, 3), np.uint16)
    planes[...] = (200, 1000, 400)
    c = Composite(CHANNELS, np.array([[0, 1000]] * 3, np.float64))
    level = CompositeLevel(planes, c)
    c.visible[1] = False  # hidden in the view: models still see it
    assert tuple(level.full_composite()[2, 3]) == (102, 255, 51)
    c.set_range(1, 0, 4000)
    assert tuple(level.full_composite()[2, 3]) == by_hand([200, 1000, 400], [(0, 1000), (0, 4000), (0, 1000)])
    c.reset_ranges()
    assert tuple(level.full_composite()[2, 3]) == (102, 255, 51)


def test_channel_histograms_count_each_channels_finite_values_over_its_own_span() -> None:
    sample = np.array(
        [[0, 5, 1.0], [0, 5, np.nan], [1, 5, 3.0], [1, 5, np.inf], [1, 5, 2.0], [9, 5, 1.0]], np.float32
    )
    counts, spans = channel_histograms(sample, bins=9)
    assert spans.tolist() == [[0, 9], [5, 6], [1, 3]]  # a flat channel: (v, v + 1)
    assert counts[0].tolist() == [2, 3, 0, 0, 0, 0, 0, 0, 1]  # the maximum falls in the last bar
    assert counts[1].tolist() == [6, 0, 0, 0, 0, 0, 0, 0, 0]
    assert counts[2].sum() == 4 and counts[2][0] == 2 and counts[2][-1] == 1  # NaN and inf left out
    empty, spans = channel_histograms(np.zeros((0, 2), np.uint16), bins=4)
    assert empty.tolist() == [[0] * 4] * 2 and spans.tolist() == [[0, 1], [0, 1]]


def test_a_flat_channel_at_a_large_value_has_a_histogram_as_it_has_a_range() -> None:
    """A channel flat at 1e17 (1e17 + 1 == 1e17): the display range took a step its magnitude keeps, the
    histogram did not and numpy refused its bins (the dialog could not open). One rule for both now."""
    sample = np.full((4, 4, 2), 1e17)
    sample[..., 1] = 3.0
    counts, spans = channel_histograms(sample)
    assert counts.sum(axis=1).tolist() == [16, 16]
    assert spans[0, 1] > spans[0, 0] == 1e17
    assert np.array_equal(spans, percentile_ranges(sample))  # flat channels: both spans the same rule


def test_view_settings_round_trip_through_json_onto_a_fresh_composite_of_the_same_channels() -> None:
    import json

    auto = np.array([[0, 1000], [0, 1000], [0, 1000]], float)
    view = Composite(CHANNELS, auto)
    assert view.view_settings() is None  # all shown, automatic: nothing to keep
    view.set_range(1, 0, 4000)
    view.visible[2] = False
    saved = json.loads(json.dumps(view.view_settings()))
    fresh = Composite(CHANNELS, auto)
    assert fresh.apply_view_settings(saved)
    assert fresh.visible == [True, True, False] and fresh.is_set(1) and not fresh.is_set(0)
    assert pixel(fresh, [200, 1000, 400]) == by_hand([200, 1000, 0], [(0, 1000), (0, 4000), (0, 1000)])
    assert fresh.apply_view_settings(None)  # back to every channel at its automatic range
    assert fresh.visible == [True] * 3 and not fresh.is_set(1)


@pytest.mark.parametrize(
    "change",
    [
        {"names": ["DAPI", "FITC", "Cy5"]},  # another file's channels under the same name
        {"shown": [True, False]},
        {"shown": [1, 0, 1]},
        {"shown": "yes"},
        {"ranges": {"1": [4000, 0]}},
        {"ranges": {"1": [0, float("nan")]}},
        {"ranges": {"1": [0, 10**400]}},  # a hand-edited integer json reads, too large for a float
        {"ranges": {"7": [0, 10]}},
        {"ranges": {"x": [0, 10]}},
        {"ranges": {"1": [0]}},
        {"ranges": [[0, 10]]},
        {"names": None},
    ],
)
def test_stored_view_settings_that_do_not_fit_the_channels_change_nothing(change: dict) -> None:
    saved = {"names": ["DAPI", "FITC", "TRITC"], "shown": [True, False, True], "ranges": {"0": [5, 50]}}
    composite = Composite(CHANNELS, np.array([[0, 1000]] * 3, float))
    composite.set_range(2, 1, 2)
    assert not composite.apply_view_settings({**saved, **change})
    assert composite.visible == [True] * 3 and composite.ranges.tolist() == [[0, 1000], [0, 1000], [1, 2]]
    assert not composite.apply_view_settings("not a dict") and not composite.apply_view_settings([1, 2])
