"""Numbering a video's frames without a PurePath per image (``core.paths.name_parts``, ``track_fill.
frame_numbers``): a folder of 100,000 frames took 2 s to number at each Go to Frame, Track Box Here and key
edit (``fills_out_of_date``). The text split must give the parts PurePath gives."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from pixelproof.core import frame_sequences, paths, track_fill
from pixelproof.core.coco import new_project
from pixelproof.core.model import ImageRecord
from pixelproof.core.paths import name_parts

NAMES = [
    "a.png",
    "clip/frame_000001.png",
    "a/b/c.png",
    "./a.png",
    "/abs/a.png",
    "a//b.png",
    "a/./b.png",
    "a/.",
    "a/",
    "",
    ".",
    "..",
    "../x/y.png",
    "a/../b.png",
    "C:x.png",
    "a\\b.png",
    ".hidden/x.png",
    "x/..",
]


@pytest.mark.parametrize("name", NAMES)
def test_name_parts_are_purepaths(name: str) -> None:
    """As PurePath splits them, a backslash a separator (``stored_path`` leads there too)."""
    assert name_parts(name) == PurePath(name.replace("\\", "/")).parts


def test_named_frames_are_numbered_without_sorting_by_file_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every name ``frame_000010.png``: the numbers are the names', so no sort by file order is needed."""
    p = new_project(["car"])
    for k, f in enumerate([30, 0, 10]):
        p.add_image(ImageRecord(k + 1, f"clip/frame_{f:06d}.png", 100, 80))
    p.add_image(ImageRecord(9, "other/x.png", 100, 80))

    def no_sort(_name: object) -> tuple:
        raise AssertionError("sorted by file order")

    monkeypatch.setattr(frame_sequences, "natural_key", no_sort)
    assert track_fill.sequence_frames(p, 2) == [(0, 2), (10, 3), (30, 1)]
    monkeypatch.setattr(frame_sequences, "natural_key", paths.natural_key)
    p.add_image(ImageRecord(4, "clip/still.png", 100, 80))  # one name of another kind: file order
    assert track_fill.sequence_frames(p, 2) == [(0, 2), (1, 3), (2, 1), (3, 4)]
