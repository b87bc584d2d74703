"""Display settings of multichannel images kept in the project (``pixelproof.channel_display``, QuPath's
per-image display settings): what one annotator saves is read back, survives renumber, split and merge
(the CLI's and the app's edit), undoes exactly, and what a hand-edited or hostile file holds is refused with
its place named; which settings an image shows (the project's, or the user's own over them) is
``choose``'s rule. Without Qt."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tifffile

from pixelproof.core.channel_display import (
    KEY,
    OVER,
    choose,
    display_entries,
    file_channel_names,
    images_with_channels,
    stamped,
    token,
)
from pixelproof.core.coco import dumps_project, load_project, save_project
from pixelproof.core.composite import Channel, Composite
from pixelproof.core.edits import SetChannelDisplay
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_edit import merge_edit
from pixelproof.core.model import ImageRecord
from pixelproof.core.project_json import ProjectFormatError
from pixelproof.core.renumber import renumber
from pixelproof.core.split import split_project
from tests.core.teams_data import make_project
from tests.core.test_channel_ranges import BLUE, GREEN, RED, pixel

NAMES = ["DAPI", "FITC", "TRITC"]


def cells() -> Composite:
    return Composite([Channel(n, c) for n, c in zip(NAMES, (BLUE, GREEN, RED), strict=True)], [[0, 1000]] * 3)


def fitc_2500() -> dict[str, Any]:
    """What an annotator sets to see their cells: FITC up to 2500, TRITC hidden, gamma 0.7, DAPI cyan."""
    c = cells()
    c.set_range(1, 0, 2500)
    c.visible[2] = False
    c.set_gamma(0.7)
    c.set_color(0, (0, 255, 255))
    return stamped(c.display_settings(), "ann")


def test_saved_settings_are_read_back_and_show_the_same_picture_and_undo_exactly(tmp_path: Path) -> None:
    project = make_project(tmp_path, 3)
    save_project(project)
    before = project.path.read_bytes()
    entry = fitc_2500()
    edit = SetChannelDisplay({2: entry})
    edit.apply(project)
    save_project(project)
    again = load_project(project.path)
    assert display_entries(again) == {2: entry}
    fresh = cells()
    assert fresh.apply_view_settings(choose(display_entries(again)[2], None, NAMES).settings)
    values = [200, 1000, 400]  # the formula: sum of clip((v - lo) / (hi - lo), 0, 1) ** gamma * colour
    f = [(200 / 1000) ** 0.7, (1000 / 2500) ** 0.7]  # TRITC hidden
    want = [f[0] * c + f[1] * g for c, g in zip((0, 255, 255), GREEN, strict=True)]
    assert pixel(fresh, values) == tuple(int(np.rint(min(255.0, v))) for v in want)
    edit.revert(project)
    project.path.write_bytes(dumps_project(project))
    assert project.path.read_bytes() == before


def test_a_setting_for_other_channels_is_not_applied_and_said() -> None:
    got = choose(fitc_2500(), None, ["CD3", "CD8"], "slide.ome.tif")
    assert got.settings is None and not got.personal
    assert got.note == (
        "slide.ome.tif: the project's display settings are for channels DAPI, FITC, TRITC; this file has "
        "CD3, CD8: not applied"
    )


def test_names_and_stamps_of_a_hand_edited_entry_are_said_on_one_short_line() -> None:
    entry = {**fitc_2500(), "names": ["CD3\n\u202eevil", "x" * 5000], "shown": [True, True]}
    note = choose(entry, None, NAMES).note
    assert "\n" not in note and "\u202e" not in note and len(note) < 300
    own = {**cells().display_settings(), OVER: None}
    note = choose({**fitc_2500(), "author": "lead\r\nDELETE", "updated": "t" * 9000}, own, NAMES).note
    assert "\r" not in note and "\n" not in note and len(note) < 300


def test_the_project_is_the_baseline_and_a_later_change_of_ones_own_stays_personal_until_saved() -> None:
    entry = fitc_2500()
    assert choose(entry, None, NAMES).settings["ranges"] == {"1": [0.0, 2500.0]}  # the project's
    mine = cells()
    mine.set_range(1, 0, 4000)
    own = {**mine.display_settings(), OVER: token(entry)}  # made over these project settings
    got = choose(entry, own, NAMES)
    assert got.personal and got.settings["ranges"] == {"1": [0.0, 4000.0]} and not got.forget
    newer = {**entry, "updated": "2099-01-01T00:00:00Z", "author": "lead"}  # saved again since (a merge)
    got = choose(newer, own, NAMES)
    assert not got.personal and got.forget and got.settings["ranges"] == {"1": [0.0, 2500.0]}
    assert "saved to the project by lead 2099-01-01T00:00:00Z replace yours" in got.note
    older = {**mine.display_settings()}  # kept before the project had settings (an older version too)
    assert choose(None, older, NAMES).personal
    assert not choose(entry, older, NAMES).personal


def test_renumber_split_and_merge_carry_the_settings_by_image(tmp_path: Path) -> None:
    base = make_project(tmp_path, 4)
    entry = fitc_2500()
    SetChannelDisplay({3: {**entry, "updated": "2020-01-01T00:00:00Z"}}).apply(base)

    ids = list(base.images)
    base.images = {i: base.images[i] for i in reversed(ids)}  # file order 4 3 2 1: ids change
    again = renumber(base).project
    assert display_entries(again) == {2: {**entry, "updated": "2020-01-01T00:00:00Z"}}
    base.images = {i: base.images[i] for i in ids}

    split = split_project(base, ["ann", "bob"], overlap=0.0, seed=1)  # one shard per image
    shards = [Shard.of(split.shards[n], n) for n in ("ann", "bob")]
    held = {n: {s.images[i].file_name for i in display_entries(s)} for n, s in split.shards.items()}
    assert sorted(held["ann"] | held["bob"]) == ["images/img003.png"]  # only the shard of that image
    saved = {}
    for s in shards:  # each annotator saves their own settings for their first image
        iid = min(s.project.images)
        SetChannelDisplay({iid: {**entry, "author": s.name}}).apply(s.project)
        saved[s.project.images[iid].file_name] = s.project.app[KEY][str(iid)]
    for into in (None, base):
        merged = merge_shards(shards, base=into).project
        by_name = {im.file_name: iid for iid, im in merged.images.items()}
        got = {merged.images[i].file_name: e for i, e in display_entries(merged).items()}
        for name, e in saved.items():
            assert got[name] == e
        if "images/img003.png" not in saved:
            assert got["images/img003.png"]["updated"] == "2020-01-01T00:00:00Z"
        assert set(got) <= set(by_name)
    result = merge_shards(shards, base=base)
    before = dumps_project(base)
    edit = merge_edit(base, result)
    edit.apply(base)
    assert base.app[KEY] == result.project.app[KEY]
    edit.revert(base)
    assert dumps_project(base) == before


def test_the_latest_saved_of_an_images_copies_wins_the_merge(tmp_path: Path) -> None:
    base = make_project(tmp_path, 2)
    SetChannelDisplay({1: {**fitc_2500(), "updated": "2030-01-01T00:00:00Z"}}).apply(base)
    split = split_project(base, ["ann", "bob"], overlap=1.0, seed=1)
    shards = [Shard.of(split.shards[n], n) for n in ("ann", "bob")]
    late = {**fitc_2500(), "updated": "2031-01-01T00:00:00Z", "author": "bob"}
    SetChannelDisplay({1: late}).apply(shards[1].project)
    merged = merge_shards(shards, base=base).project
    assert merged.app[KEY]["1"] == late


HOSTILE = [
    ({"5": {"names": NAMES, "shown": [True] * 3, "ranges": {"1": [0, math.nan]}}},
     "pixelproof.channel_display.5.ranges.1: [0, nan] is not finite"),
    ({"5": {"names": NAMES, "shown": [True] * 3, "ranges": {"1": [9, 3]}}},
     "pixelproof.channel_display.5.ranges.1: the maximum 3 is not above the minimum 9"),
    ({"5": {"names": NAMES, "shown": [True] * 3, "ranges": {"7": [0, 3]}}},
     "pixelproof.channel_display.5.ranges.'7': not a channel (0 to 2)"),
    ({"5": {"names": NAMES, "shown": [True] * 3, "ranges": {"0": [0, 10**400]}}},  # read as orjson does: inf
     "pixelproof.channel_display.5.ranges.0: [0, inf] is not finite"),
    ({"5": {"names": NAMES, "shown": [True] * 3, "colors": {"0": [0, 300, 0]}}},
     "pixelproof.channel_display.5.colors.0: expected [r, g, b] of 0 to 255, got [0, 300, 0]"),
    ({"5": {"names": NAMES, "shown": [True] * 3, "colors": {"0": [0, True, 0]}}},
     "pixelproof.channel_display.5.colors.0: expected [r, g, b]"),
    ({"5": {"names": NAMES, "shown": [True, 1, True]}},
     "pixelproof.channel_display.5.shown: expected 3 true / false values"),
    ({"5": {"names": NAMES, "shown": [True] * 3, "gamma": 50}},
     "pixelproof.channel_display.5.gamma: expected a number of 0.1 to 5, got 50"),
    ({"5": {"names": "DAPI", "shown": []}}, "pixelproof.channel_display.5.names: expected a list"),
    ({"5": {"names": ["a"] * 40, "shown": [True] * 40}}, "pixelproof.channel_display.5.names: 40 channels"),
    ({"5": {"names": NAMES, "shown": [True] * 3, "updated": 7}},
     "pixelproof.channel_display.5.updated: expected a string"),
    ({"x": {}}, "pixelproof.channel_display: key 'x' is not an image id"),
    ({"5": "FITC 2500"}, "pixelproof.channel_display.5: expected an object, got a string"),
    ([1], "pixelproof.channel_display: expected an object, got a list"),
]  # fmt: skip


@pytest.mark.parametrize(("value", "message"), HOSTILE, ids=[m.split(": ")[1][:30] for _, m in HOSTILE])
def test_hostile_settings_are_refused_with_their_place_named(
    tmp_path: Path, value: Any, message: str
) -> None:
    path = tmp_path / "p.json"
    data = {"images": [], "annotations": [], "categories": [], "pixelproof": {"format": 2, KEY: value}}
    path.write_text(json.dumps(data))  # NaN as the JSON literal, as a hand edit or another tool writes it
    with pytest.raises(ProjectFormatError) as e:
        load_project(path)
    assert any(p.startswith(message) for p in e.value.problems), e.value.problems
    assert str(path) in str(e.value)


def write_cells(path: Path, names: list[str], z: int = 0) -> None:
    shape = (z, len(names), 16, 16) if z else (len(names), 16, 16)
    meta = {"axes": "ZCYX" if z else "CYX", "Channel": {"Name": names}}
    tifffile.imwrite(path, np.ones(shape, np.uint16), photometric="minisblack", metadata=meta)


def test_images_of_this_kind_are_those_whose_files_have_the_same_channel_names(tmp_path: Path) -> None:
    write_cells(tmp_path / "a.ome.tif", NAMES)
    write_cells(tmp_path / "b.ome.tif", ["CD3", "CD8"])
    write_cells(tmp_path / "c.ome.tif", NAMES, z=2)
    (tmp_path / "d.png").write_bytes(b"not read")
    (tmp_path / "e.tif").write_bytes(b"II*\0damaged")
    project = make_project(tmp_path, 0)
    names = ["a.ome.tif", "b.ome.tif", "c.ome.tif#z=000", "c.ome.tif#z=001", "d.png", "e.tif"]
    for i, name in enumerate(names, 1):
        project.add_image(ImageRecord(i, name, 16, 16))
    assert file_channel_names(tmp_path / "c.ome.tif#z=001") == tuple(NAMES)
    steps: list[tuple[int, int]] = []
    files = {i: str(project.image_path(im)) for i, im in project.images.items()}
    assert images_with_channels(files, NAMES, lambda d, t: steps.append((d, t))) == [1, 3, 4]
    assert steps[-1] == (5, 5)  # each file's header once: the stack's two planes are one file
