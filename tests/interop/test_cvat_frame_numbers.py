"""A CVAT for video file whose shapes' ``frame`` is a number no video has (thousands of digits, past 2**63,
digits of another script) or whose ``keyframe`` flag is not "0"/"1": the shape is skipped and said, naming
its track, and the project made saves (before, 5,000 digits raised out of ``int()`` and a frame past 2**63
gave a project whose save failed on the interpolated shape's key frames)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.track_fill import SOURCE
from pixelproof.interop._util import ImportResult
from pixelproof.interop.cvat import read_cvat


def _box(frame: str, x: int, key: str = "1") -> str:
    return (
        f'<box frame="{frame}" keyframe="{key}" outside="0" occluded="0" '
        f'xtl="{x}" ytl="{x}" xbr="{x + 5}" ybr="{x + 5}" z_order="0"/>'
    )


def _read(tmp_path: Path, shapes: str) -> ImportResult:
    folder = tmp_path / "cvat"
    (folder / "images").mkdir(parents=True)
    for f in range(3):
        Image.new("RGB", (40, 30)).save(folder / "images" / f"frame_{f:06d}.png")
    (folder / "annotations.xml").write_text(
        "<annotations><version>1.1</version><meta><task><mode>interpolation</mode>"
        "<labels><label><name>car</name></label></labels>"
        "<original_size><width>40</width><height>30</height></original_size></task></meta>"
        f'<track id="4" label="car" source="manual">{shapes}</track></annotations>'
    )
    return read_cvat(folder)


@pytest.mark.parametrize("frame", ["9" * 5000, str(10**20), "\u0663", "1000000000"])
def test_a_frame_no_video_has_is_skipped_and_said_and_the_project_saves(tmp_path: Path, frame: str) -> None:
    done = _read(tmp_path, _box("0", 1) + _box(frame, 2, key="0") + _box("2", 3))
    said = [p for p in done.problems if "<track> 4 (car): <box> 2" in p]
    assert len(said) == 1 and "is no frame number (0 to 999,999,999); skipped" in said[0]
    anns = done.project.annotations.values()
    assert sorted(a.bbox[0] for a in anns) == [1.0, 3.0]  # the two keyframes; nothing interpolated
    assert not [a for a in anns if a.source == SOURCE]
    save_project(done.project, tmp_path / "p.json")
    assert len(load_project(tmp_path / "p.json").annotations) == 2


@pytest.mark.parametrize("flag", ["", "2", "yes", " 0"])
def test_a_keyframe_flag_other_than_0_is_a_keyframe(tmp_path: Path, flag: str) -> None:
    done = _read(tmp_path, _box("0", 1) + _box("1", 2, key=flag) + _box("2", 3))
    assert len(done.project.annotations) == 3
    assert not [a for a in done.project.annotations.values() if a.source == SOURCE]  # kept as drawn
