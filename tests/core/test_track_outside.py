"""Where a track leaves the view (core.track_outside, core.track_edit.leave_view), without Qt: no fill crosses
an outside mark (CVAT's ``outside`` keyframe), whether Fill Between Frames or the refill after a key's edit;
the mark is made (and taken away) in one undo step, kept where the CVAT reader keeps CVAT's own, and a CVAT
read -> fill -> write round trip gives ``outside="1"`` back; MOT leaves the frames out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.clipboard import track_of
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.model import Project
from pixelproof.core.track_edit import TrackEditRefused, back_in_view, leave_view
from pixelproof.core.track_fill import OUT_OF_VIEW, fill_between_frames, untouched_fill
from pixelproof.core.track_outside import marked_tracks, marks_by_frame, outside_frames
from pixelproof.core.track_refill import refill_after
from pixelproof.interop.cvat import read_cvat, write_cvat
from pixelproof.interop.mot_writer import write_mot
from tests.core.test_track_fill import add, on, video


def _fill(p: Project, track: int = 3) -> None:
    done = fill_between_frames(p, 1, track)
    assert done.edit is not None
    done.edit.apply(p)


def _frames_with(p: Project, frames: range, track: int = 3) -> list[int]:
    return [f for f in frames if any(track_of(a) == track for a in on(p, f))]


def test_fill_never_crosses_an_outside_mark() -> None:
    p = video(list(range(11)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    add(p, 10, [50.0, 0.0, 10.0, 10.0])
    p.extra["cvat_video"] = {"outside": [{"track": "3", "part": None, "frame": 6, "tag": "box"}]}
    done = fill_between_frames(p, 1, 3)
    assert done.filled == 5 and done.skipped == {OUT_OF_VIEW: 4}  # frames 1-5; 6-9 out of view
    done.edit.apply(p)  # type: ignore[union-attr]
    assert _frames_with(p, range(11)) == [0, 1, 2, 3, 4, 5, 10]
    assert on(p, 5)[0].bbox[0] == 25.0  # as the two keys place it
    # a skeleton point's outside shape is no mark of the track; another track's neither
    p.extra["cvat_video"]["outside"] = [
        {"track": "3", "part": "nose", "frame": 6, "tag": "points"},
        {"track": "4", "part": None, "frame": 6, "tag": "box"},
    ]
    assert fill_between_frames(p, 1, 3).filled == 4


def test_leaves_view_removes_the_frame_and_the_fills_after_it_one_undo_and_fills_stop_there() -> None:
    p = video(list(range(11)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    last = add(p, 10, [50.0, 0.0, 10.0, 10.0])
    _fill(p)
    before = {a.id: (a.image_id, list(a.bbox)) for a in p.annotations.values()}
    (at4,) = on(p, 4)
    done = leave_view(p, at4.image_id, 3)
    assert done.frame == 4 and done.removed == 6 and done.edit.label.startswith("Track Leaves View Here")
    done.edit.apply(p)
    assert _frames_with(p, range(11)) == [0, 1, 2, 3, 10]
    assert outside_frames(p, 3) == {4}
    mark = {"track": "3", "part": None, "frame": 4, "tag": None, "sequence": "clip"}  # its video's folder
    assert p.extra["cvat_video"]["outside"] == [mark]
    # Fill Between Frames again: nothing past the mark
    again = fill_between_frames(p, 1, 3)
    assert again.edit is None and again.skipped == {OUT_OF_VIEW: 6}
    # a key's edit: the refill recomputes frames 1-3 only
    moved = clone(p.annotations[last])
    moved.bbox = [60.0, 0.0, 10.0, 10.0]
    edit = ReplaceAnnotations([moved])
    refill = refill_after(p, edit, edit.apply(p))
    assert refill.edit is not None and refill.filled == 3
    refill.edit.apply(p)
    assert _frames_with(p, range(11)) == [0, 1, 2, 3, 10]
    refill.edit.revert(p)
    edit.revert(p)
    done.edit.revert(p)  # one undo: the objects and the extras as they were
    assert {a.id: (a.image_id, list(a.bbox)) for a in p.annotations.values()} == before
    assert "cvat_video" not in p.extra


def test_used_again_on_the_marked_frame_it_takes_the_mark_away() -> None:
    p = video(list(range(11)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    add(p, 10, [50.0, 0.0, 10.0, 10.0])
    kept = {"task": {"size": "11"}, "outside": [{"track": "9", "part": None, "frame": 2, "tag": "box"}]}
    p.extra["cvat_video"] = kept
    leave_view(p, on(p, 0)[0].image_id, 3).edit.apply(p)  # on a key: marks frame 0
    with pytest.raises(TrackEditRefused, match="no track leaves the view on frame 5"):
        back_in_view(p, 6)
    back = back_in_view(p, 1)  # frame 0's image
    assert back.tracks == ("3",) and not back.left
    back.edit.apply(p)
    assert outside_frames(p, 3) == set()
    assert p.extra["cvat_video"] == kept  # CVAT's own mark of track 9 and the task stay
    back.edit.revert(p)
    assert outside_frames(p, 3) == {0}


CVAT_VIDEO = """<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version>
<meta><task><size>8</size><mode>interpolation</mode><start_frame>0</start_frame><stop_frame>7</stop_frame>
<original_size><width>100</width><height>80</height></original_size></task></meta>
<track id="0" label="car" source="manual">
<box frame="0" keyframe="1" outside="0" occluded="0" xtl="0" ytl="0" xbr="10" ybr="10" z_order="0"/>
<box frame="3" keyframe="1" outside="1" occluded="0" xtl="6" ytl="0" xbr="16" ybr="10" z_order="0"/>
<box frame="6" keyframe="1" outside="0" occluded="0" xtl="30" ytl="0" xbr="40" ybr="10" z_order="0"/>
<box frame="7" keyframe="1" outside="1" occluded="0" xtl="30" ytl="0" xbr="40" ybr="10" z_order="0"/>
</track>
</annotations>
"""


def _boxes(xml: Path) -> list[tuple[str | None, ...]]:
    track = ET.parse(xml).getroot().find("track")
    assert track is not None
    return [(s.get("frame"), s.get("keyframe"), s.get("outside"), s.get("xtl")) for s in track]


def test_cvat_read_fill_write_keeps_outside_and_a_mark_made_here_is_written_as_cvat_writes_one(
    tmp_path: Path,
) -> None:
    src = tmp_path / "task"
    (src / "images").mkdir(parents=True)
    for f in range(8):
        Image.new("RGB", (100, 80)).save(src / "images" / f"frame_{f:06d}.png")
    (src / "annotations.xml").write_text(CVAT_VIDEO, encoding="utf-8")
    p = read_cvat(src).project
    ids = {Path(i.file_name).name: i.id for i in p.images.values()}
    done = fill_between_frames(p, ids["frame_000000.png"], 0)
    assert done.filled == 2 and done.skipped == {OUT_OF_VIEW: 3}  # CVAT's mark on 3: frames 3-5 stay empty
    done.edit.apply(p)  # type: ignore[union-attr]
    write_cvat(p, tmp_path / "out", images="copy")
    assert _boxes(tmp_path / "out" / "annotations.xml") == [
        ("0", "1", "0", "0.00"),
        ("1", "0", "0", "5.00"),
        ("2", "0", "0", "10.00"),
        ("3", "1", "1", "6"),  # CVAT's outside shape, as read
        ("6", "1", "0", "30.00"),
        ("7", "1", "1", "30"),
    ]

    # a mark made here on frame 2 of a track keyed on 0 and 6, filled between
    p = read_cvat(src).project
    p.extra["cvat_video"].pop("outside")
    done = fill_between_frames(p, ids["frame_000000.png"], 0)
    assert done.filled == 5
    done.edit.apply(p)  # type: ignore[union-attr]
    leave_view(p, ids["frame_000002.png"], 0).edit.apply(p)
    assert fill_between_frames(p, ids["frame_000000.png"], 0).edit is None
    write_cvat(p, tmp_path / "out2", images="copy")
    assert _boxes(tmp_path / "out2" / "annotations.xml") == [
        ("0", "1", "0", "0.00"),
        ("1", "0", "0", "5.00"),  # the fill before the mark, interpolated (no keyframe)
        ("2", "1", "1", "5.00"),  # the mark: outside, with the shape before it
        ("6", "1", "0", "30.00"),
        ("7", "1", "1", "30.00"),
    ]
    again = read_cvat(tmp_path / "out2").project
    assert [e["frame"] for e in again.extra["cvat_video"]["outside"]] == [2, 7]

    # MOT: the frames out of view hold no row of the track
    write_mot(p, tmp_path / "mot", images="copy")
    (gt,) = (tmp_path / "mot").rglob("gt.txt")
    assert sorted(int(line.split(",")[0]) for line in gt.read_text().splitlines()) == [1, 2, 7]
    assert all(untouched_fill(a) or track_of(a) == 0 for a in p.annotations.values())


@pytest.mark.parametrize("written", ["03", " 3", 3])
def test_a_mark_whose_track_is_written_otherwise_is_the_tracks_as_an_objects_id_is(
    written: object, tmp_path: Path
) -> None:
    """A hand-edited or foreign mark naming track ``"03"``, ``" 3"`` or ``3``: track 3, as an object's track
    id written so is (``track_value``). Fill Between Frames stops there, the Tracks menu sees it, Back in
    View takes it away, and the CVAT export writes it on track 3 (it said "the track has no object left")."""
    p = video(list(range(11)))
    del p.images[99]  # one video: the export keeps its frame numbers
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    add(p, 10, [50.0, 0.0, 10.0, 10.0])
    p.extra["cvat_video"] = {"outside": [{"track": written, "part": None, "frame": 6, "tag": None}]}
    assert outside_frames(p, 3) == outside_frames(p, "3") == {6}
    assert marked_tracks(p, 6) == marked_tracks(p, 6, "clip", marks_by_frame(p)) == ["3"]
    done = fill_between_frames(p, 1, 3)
    assert done.skipped == {OUT_OF_VIEW: 4}
    warnings = write_cvat(p, tmp_path / "out")
    assert not [w for w in warnings if w.startswith("track ")]
    (track,) = ET.parse(tmp_path / "out" / "annotations.xml").getroot().iter("track")
    assert track.get("id") == "3"
    assert [(s.get("frame"), s.get("outside")) for s in track] == [
        ("0", "0"),
        ("1", "1"),
        ("6", "1"),
        ("10", "0"),
    ]
    back = back_in_view(p, 7)  # frame 6's image
    assert back.tracks == ("3",)
    back.edit.apply(p)
    assert outside_frames(p, 3) == set()
