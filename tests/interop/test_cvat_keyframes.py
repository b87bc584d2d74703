"""CVAT's interpolated shapes (``keyframe="0"``) come in as Tracks > Fill Between Frames' fills
(core.track_fill): import -> export keeps each shape's keyframe flag (before, every shape went back as a
keyframe and CVAT lost its keyframes), an edited one becomes a key, and Fill Between Frames recomputes the
untouched ones, CVAT's resampled polygons of keys of other vertex counts too, as CVAT computes them."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, Project
from pixelproof.core.track_fill import BETWEEN, SOURCE, fill_between_frames, untouched_fill
from pixelproof.interop.cvat import read_cvat, write_cvat

VIDEO = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_video"


def _box(frame: int, x: float, key: int = 1, outside: int = 0) -> str:
    return (
        f'<box frame="{frame}" keyframe="{key}" outside="{outside}" occluded="0" '
        f'xtl="{x:.2f}" ytl="{x + 2:.2f}" xbr="{x + 8:.2f}" ybr="{x + 10:.2f}" z_order="0"/>'
    )


def _polygon(frame: int, points: str, key: int = 1) -> str:
    return (
        f'<polygon frame="{frame}" keyframe="{key}" outside="0" occluded="0" points="{points}" z_order="0"/>'
    )


SQUARE = "0,0;10,0;10,10;0,10"  # 4 vertices at frame 0
PENTAGON = "4,0;14,0;14,10;9,14;4,10"  # 5 vertices at frame 4
# CVAT's own in-between polygons for these keys (its polyshape_interpolation, run on them)
RESAMPLED = {
    1: "1,0;11,0;11,10;9.75,11;1,10",
    2: "2,0;12,0;12,10;9.5,12;2,10",
    3: "3,0;13,0;13,10;9.25,13;3,10",
}
TRACKS = [
    # car 0: keyframes 0 and 4, CVAT's interpolation between; after the last keyframe; outside on 6
    "".join([_box(0, 0), *(_box(f, f, key=0) for f in (1, 2, 3)), _box(4, 4), _box(5, 4, key=0)])
    + _box(6, 4, outside=1),
    # car 1: polygons of 4 and 5 vertices, CVAT's resampled ones between
    _polygon(0, SQUARE)
    + "".join(_polygon(f, RESAMPLED[f], key=0) for f in (1, 2, 3))
    + _polygon(4, PENTAGON),
    # car 2: frame 1 lies between a keyframe and an outside one: an ordinary object
    _box(0, 20) + _box(1, 20, key=0) + _box(2, 20, outside=1) + _box(3, 22),
]


def _video(tmp_path: Path) -> Path:
    """A CVAT for video export of frames 0-6 (40 x 30) with the tracks above."""
    folder = tmp_path / "cvat"
    (folder / "images").mkdir(parents=True)
    for f in range(7):
        Image.new("RGB", (40, 30)).save(folder / "images" / f"frame_{f:06d}.png")
    tracks = "".join(f'<track id="{k}" label="car" source="manual">{t}</track>' for k, t in enumerate(TRACKS))
    (folder / "annotations.xml").write_text(
        "<annotations><version>1.1</version><meta><task><mode>interpolation</mode>"
        "<labels><label><name>car</name></label></labels>"
        "<original_size><width>40</width><height>30</height></original_size></task></meta>"
        f"{tracks}</annotations>"
    )
    return folder


def _flags(xml: Path) -> dict[tuple[str, str], str]:
    """(track id, frame) -> keyframe of the shapes on their frame."""
    doc = ET.parse(xml).getroot()
    return {
        (t.get("id", ""), s.get("frame", "")): s.get("keyframe", "")
        for t in doc.findall("track")
        for s in t
        if s.get("outside") == "0"
    }


def _on(project: Project, frame: int, track: int) -> Annotation:
    (found,) = [
        a
        for a in project.annotations.values()
        if project.image(a.image_id).file_name.endswith(f"frame_{frame:06d}.png")
        and a.extra["track_id"] == track
    ]
    return found


def _image(project: Project, frame: int) -> int:
    return next(i.id for i in project.images.values() if i.file_name.endswith(f"frame_{frame:06d}.png"))


def test_cvats_interpolated_shapes_are_fills_and_go_back_with_keyframe_0(tmp_path: Path) -> None:
    src = _video(tmp_path)
    project = read_cvat(src).project
    for track in (0, 1):
        for frame in (1, 2, 3):
            a = _on(project, frame, track)
            assert untouched_fill(a) and a.source == SOURCE and a.app_extra[BETWEEN] == [0, 4]
        assert not untouched_fill(_on(project, 0, track)) and not untouched_fill(_on(project, 4, track))
    # after the last keyframe, and before an outside one: ordinary objects (keys when written)
    assert not untouched_fill(_on(project, 5, 0)) and not untouched_fill(_on(project, 1, 2))
    write_cvat(project, tmp_path / "out")
    given = _flags(src / "annotations.xml")
    assert _flags(tmp_path / "out" / "annotations.xml") == given | {("0", "5"): "1", ("2", "1"): "1"}
    assert [given[("0", str(f))] for f in range(6)] == ["1", "0", "0", "0", "1", "0"]
    again = read_cvat(tmp_path / "out").project  # and again: the same fills
    assert untouched_fill(_on(again, 2, 0)) and _on(again, 2, 0).bbox == [2.0, 4.0, 8.0, 8.0]


def test_an_edited_imported_fill_is_a_key(tmp_path: Path) -> None:
    project = read_cvat(_video(tmp_path)).project
    edited = clone(_on(project, 2, 0))
    edited.bbox = [5.0, 4.0, 8.0, 8.0]
    ReplaceAnnotations([edited]).apply(project)
    write_cvat(project, tmp_path / "out")
    flags = _flags(tmp_path / "out" / "annotations.xml")
    assert [flags[("0", str(f))] for f in range(5)] == ["1", "0", "1", "0", "1"]


def test_fill_between_frames_recomputes_imported_boxes_and_resampled_polygons(tmp_path: Path) -> None:
    project = read_cvat(_video(tmp_path)).project
    first = _image(project, 0)
    done = fill_between_frames(project, first, 0)  # CVAT's rectangles are Fill Between Frames' own
    assert done.edit is None and done.unchanged == 3 and done.keys == 3  # keys 0, 4 and 5
    moved = clone(_on(project, 4, 0))
    moved.bbox = [8.0, 2.0, 8.0, 8.0]
    ReplaceAnnotations([moved]).apply(project)
    done = fill_between_frames(project, first, 0)
    assert done.replaced == 3 and done.filled == 3
    done.edit.apply(project)  # type: ignore[union-attr]
    assert _on(project, 2, 0).bbox == pytest.approx([4.0, 2.0, 8.0, 8.0])
    assert untouched_fill(_on(project, 2, 0))

    # a square key and a pentagon key: CVAT's resampled polygons are Fill Between Frames' own too (before,
    # they were passed over as polygons of other vertex counts and could not be recomputed)
    done = fill_between_frames(project, first, 1)
    assert done.edit is None and done.unchanged == 3 and done.skipped == {}
    key = clone(_on(project, 4, 1))
    key.segmentation = [[v + 1.0 for v in key.segmentation[0]]]  # type: ignore[index]
    ReplaceAnnotations([key]).apply(project)  # the 5-vertex key moved: resampled again, as CVAT would
    done = fill_between_frames(project, first, 1)
    assert done.replaced == 3 and done.filled == 3 and done.skipped == {}
    done.edit.apply(project)  # type: ignore[union-attr]
    expected = {  # CVAT's polyshape_interpolation for the moved key (run on them outside this repository)
        1: [1.25, 0.25, 11.25, 0.25, 11.25, 10.25, 10.0, 11.25, 1.25, 10.25],
        2: [2.5, 0.5, 12.5, 0.5, 12.5, 10.5, 10.0, 12.5, 2.5, 10.5],
        3: [3.75, 0.75, 13.75, 0.75, 13.75, 10.75, 10.0, 13.75, 3.75, 10.75],
    }
    for f, ring in expected.items():
        assert _on(project, f, 1).segmentation == [pytest.approx(ring)] and untouched_fill(_on(project, f, 1))


def test_the_datumaro_video_export_keeps_a_box_tracks_keyframes(tmp_path: Path) -> None:
    """The real CVAT for video export, its box track keyed on frames 10 and 16 with CVAT's box between."""
    text = (VIDEO / "annotations.xml").read_text()
    given = [
        '<box frame="13" outside="1" occluded="0" keyframe="1" xtl="7.00" ytl="6.00" xbr="14.00" ybr="8.00"',
        '<box frame="16" outside="1" occluded="0" keyframe="1"',
    ]
    assert all(g in text for g in given)
    text = text.replace(
        given[0],
        '<box frame="13" outside="0" occluded="0" keyframe="0" xtl="5.50" ytl="5.50" xbr="12.00" ybr="11.00"',
    )
    text = text.replace(given[1], '<box frame="16" outside="0" occluded="0" keyframe="1"')
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "annotations.xml").write_text(text)
    project = read_cvat(tmp_path / "in").project
    assert untouched_fill(_on(project, 13, 0)) and _on(project, 13, 0).app_extra[BETWEEN] == [10, 16]
    write_cvat(project, tmp_path / "out")
    written = _flags(tmp_path / "out" / "annotations.xml")
    assert [written[("0", f)] for f in ("10", "13", "16")] == ["1", "0", "1"]
    # the skeleton's poses (untouched) keep their keyframe="0" shapes after its last keyframe too: CVAT
    # repeats that keyframe there, and moves them with it
    given = _flags(tmp_path / "in" / "annotations.xml")
    assert written == given and given[("3", "13")] == "0"


def test_a_groups_interpolated_parts_are_joined_into_one_fill_as_its_keyframes_are(tmp_path: Path) -> None:
    """Two polygon tracks of one label in one group are one object on every frame, the interpolated ones
    too (each part's own digest kept them apart: two objects on the frames between, one on the keys)."""
    folder = tmp_path / "cvat"
    (folder / "images").mkdir(parents=True)
    for f in range(3):
        Image.new("RGB", (40, 30)).save(folder / "images" / f"frame_{f:06d}.png")
    left = _polygon(0, "0,0;5,0;5,5") + _polygon(1, "1,0;6,0;6,5", key=0) + _polygon(2, "2,0;7,0;7,5")
    right = (
        _polygon(0, "20,0;25,0;25,5") + _polygon(1, "21,0;26,0;26,5", key=0) + _polygon(2, "22,0;27,0;27,5")
    )
    tracks = "".join(
        f'<track id="{k}" label="car" source="manual" group_id="1">{t}</track>'
        for k, t in enumerate((left, right))
    )
    (folder / "annotations.xml").write_text(
        "<annotations><version>1.1</version><meta><task><mode>interpolation</mode>"
        "<labels><label><name>car</name></label></labels>"
        "<original_size><width>40</width><height>30</height></original_size></task></meta>"
        f"{tracks}</annotations>"
    )
    project = read_cvat(folder).project
    by_frame = {im.file_name: project.annotations_of(im.id) for im in project.images.values()}
    assert [len(by_frame[f"images/frame_{f:06d}.png"]) for f in range(3)] == [1, 1, 1]
    (between,) = by_frame["images/frame_000001.png"]
    assert len(between.segmentation) == 2
    assert untouched_fill(between) and between.app_extra[BETWEEN] == [0, 2]


def _line(tag: str, frame: int, points: str, key: int = 1) -> str:
    return f'<{tag} frame="{frame}" keyframe="{key}" outside="0" occluded="0" points="{points}" z_order="0"/>'


def test_polyline_and_points_tracks_keep_cvats_interpolated_frames(tmp_path: Path, monkeypatch) -> None:
    """A polyline and a points track (kept as read: PixelProof makes no object of them, so Fill Between
    Frames never recomputes them) go back with CVAT's ``keyframe="0"`` on the frames it interpolated, so
    moving a keyframe in CVAT still moves them; none becomes a keyframe."""
    line = (
        _line("polyline", 0, "0,0;10,0;10,10")
        + _line("polyline", 1, "1,0;11,0;11,10", key=0)
        + _line("polyline", 2, "2,0;12,0;12,10", key=0)
        + _line("polyline", 4, "4,0;14,0;14,10")
    )
    dots = (
        _line("points", 0, "0,0;5,5") + _line("points", 1, "1,1;6,6", key=0) + _line("points", 4, "4,4;9,9")
    )
    monkeypatch.setattr(sys.modules[__name__], "TRACKS", [line, dots])
    folder = _video(tmp_path)
    write_cvat(read_cvat(folder).project, tmp_path / "out")
    written = _flags(tmp_path / "out" / "annotations.xml")
    assert written == _flags(folder / "annotations.xml")
    assert [f for (t, f), key in written.items() if key == "0"] == ["1", "2", "1"]


def test_a_fill_after_a_gap_in_its_track_is_written_as_a_keyframe(tmp_path: Path) -> None:
    """CVAT's import keeps a track's keyframes only (``keyframe="0"`` shapes are dropped: it interpolates
    them again), and a track is out of view from an ``outside`` keyframe to its next keyframe. A fill right
    after a gap (a filled box deleted between two keys; a merged shard's track) followed the ``outside`` the
    export writes after the run before it with ``keyframe="0"``: CVAT dropped track 0's frame 3 here."""
    from pixelproof.core.edits import RemoveAnnotations

    project = read_cvat(_video(tmp_path)).project
    RemoveAnnotations([_on(project, 2, 0).id]).apply(project)  # frames 1 and 3 stay fills of 0..4
    assert untouched_fill(_on(project, 3, 0))
    write_cvat(project, tmp_path / "out")
    (track,) = [t for t in ET.parse(tmp_path / "out" / "annotations.xml").getroot() if t.get("id") == "0"]
    shapes = [(s.get("frame"), s.get("keyframe"), s.get("outside")) for s in track]
    assert shapes[:5] == [("0", "1", "0"), ("1", "0", "0"), ("2", "1", "1"), ("3", "1", "0"), ("4", "1", "0")]
