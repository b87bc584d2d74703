"""Outside marks of a project of two videos (two folders of frames, as two CVAT tasks or a merge give) whose
track ids repeat, without Qt: a mark names its video (``sequence``, the folder), so a mark of track 3 on
frame 4 of one video stops no fill of the other's track 3; a mark without a video (older projects) is one of
every video, as before; Save As and Locate Missing Images rewrite the marks' folders with the images'
names; the window's sign
(``out_of_view``) says from the mark to the track's next object; the CVAT for video export writes each mark
on its own video's frame, and the reader names the task's folder."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pixelproof.core.clipboard import track_of
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.edits.images import RelocateImages
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.track_edit import TrackEditRefused, back_in_view, leave_view
from pixelproof.core.track_fill import fill_between_frames
from pixelproof.core.track_outside import OutOfView, marked_tracks, out_of_view, outside_frames
from pixelproof.interop.cvat import read_cvat, write_cvat

FRAMES = 11


def two_videos() -> Project:
    """Folders a/ and b/ of frames frame_000000..10.png (image ids 1-11 and 101-111); in each, track 3's
    box on frames 0 and 10 (class car)."""
    p = new_project(["car"])
    for base, folder in ((1, "a"), (101, "b")):
        for f in range(FRAMES):
            p.add_image(ImageRecord(base + f, f"{folder}/frame_{f:06d}.png", 100, 80))
        for f, x in ((0, 0.0), (10, 50.0)):
            ann = Annotation(max(p.annotations, default=0) + 1, base + f, 1, [x, 0.0, 10.0, 10.0])
            ann.extra["track_id"] = 3
            p.add_annotation(ann)
    return p


def _filled(p: Project, image_id: int) -> int:
    done = fill_between_frames(p, image_id, 3)
    if done.edit is not None:
        done.edit.apply(p)
    return done.filled


def _frames(p: Project, base: int) -> list[int]:
    return [f for f in range(FRAMES) if any(track_of(a) == 3 for a in p.annotations_of(base + f))]


def test_a_mark_in_one_video_stops_no_fill_of_the_other_videos_track_of_that_id() -> None:
    p = two_videos()
    leave_view(p, 5, 3).edit.apply(p)  # a/frame 4: no object there yet, the mark is made
    assert p.extra["cvat_video"]["outside"][0]["sequence"] == "a"
    assert outside_frames(p, 3, "a") == {4} and outside_frames(p, 3, "b") == set()
    assert marked_tracks(p, 4, "a") == ["3"] and marked_tracks(p, 4, "b") == []
    assert _filled(p, 101) == 9  # b: every frame between its keys
    assert _filled(p, 1) == 3  # a: frames 1-3, then out of view up to frame 10
    assert _frames(p, 1) == [0, 1, 2, 3, 10] and _frames(p, 101) == list(range(FRAMES))
    with pytest.raises(TrackEditRefused, match="no track leaves the view on frame 4"):
        back_in_view(p, 105)  # b's frame 4 has no mark: a's is not taken away from there
    back_in_view(p, 5).edit.apply(p)
    assert outside_frames(p, 3) == set()


def test_the_same_track_marked_in_both_videos_on_one_frame_is_two_marks() -> None:
    p = two_videos()
    leave_view(p, 5, 3).edit.apply(p)
    leave_view(p, 105, 3).edit.apply(p)  # before, the first mark made this one "already marked"
    assert [(e["sequence"], e["frame"]) for e in p.extra["cvat_video"]["outside"]] == [("a", 4), ("b", 4)]
    back_in_view(p, 105).edit.apply(p)  # only b's
    assert outside_frames(p, 3, "a") == {4} and outside_frames(p, 3, "b") == set()


def test_a_mark_without_a_video_is_one_of_every_video_as_before() -> None:
    p = two_videos()
    p.extra["cvat_video"] = {"outside": [{"track": "3", "part": None, "frame": 4, "tag": "box"}]}
    assert _filled(p, 1) == 3 and _filled(p, 101) == 3
    assert out_of_view(p, 5, 3) == out_of_view(p, 105, 3) == OutOfView("3", 4, 10, 1)
    back_in_view(p, 105).edit.apply(p)  # taken away from any video's frame 4
    assert outside_frames(p, 3) == set()


def test_out_of_view_runs_from_the_mark_to_the_next_object() -> None:
    p = two_videos()
    leave_view(p, 5, 3).edit.apply(p)
    assert [out_of_view(p, 1 + f, 3) for f in (0, 3, 10)] == [None, None, None]  # before; on the key
    assert out_of_view(p, 5, 3) == out_of_view(p, 10, 3) == OutOfView("3", 4, 10, 1)
    assert out_of_view(p, 105, 3) is None and out_of_view(p, 5, 4) is None  # other video; other track
    # the key on frame 10 gone: out of view to the end, none to come back at; its class from frame 0's
    (last,) = [a.id for a in p.annotations_of(11)]
    p.remove_annotation(last)
    assert out_of_view(p, 11, 3) == OutOfView("3", 4, None, 1)
    # an object put on frame 7: back in view there
    p.add_annotation(Annotation(99, 8, 1, [5.0, 0.0, 10.0, 10.0], extra={"track_id": 3}))
    assert out_of_view(p, 7, 3) == OutOfView("3", 4, 7, 1) and out_of_view(p, 8, 3) is None
    assert out_of_view(p, 9, 3) is None  # in view again after frame 7 (no later mark)


def test_save_as_elsewhere_renames_the_marks_folder_with_the_images(tmp_path: Path) -> None:
    p = two_videos()
    leave_view(p, 5, 3).edit.apply(p)
    (tmp_path / "one").mkdir()
    save_project(p, tmp_path / "one" / "p.json")
    moved = load_project(save_project(load_project(tmp_path / "one" / "p.json"), tmp_path / "p.json"))
    assert next(i.file_name for i in moved.images.values()).startswith("one/")
    assert moved.extra["cvat_video"]["outside"][0]["sequence"] == "one/a"
    assert _filled(moved, 1) == 3 and _filled(moved, 101) == 9  # still a's mark only


def test_locating_a_videos_moved_frames_moves_its_marks_and_undo_moves_them_back() -> None:
    p = two_videos()
    leave_view(p, 5, 3).edit.apply(p)
    moved = RelocateImages({i: f"moved/a/frame_{i - 1:06d}.png" for i in range(1, 1 + FRAMES)})
    moved.apply(p)
    assert p.extra["cvat_video"]["outside"][0]["sequence"] == "moved/a"
    assert _filled(p, 1) == 3
    moved.revert(p)
    assert p.extra["cvat_video"]["outside"][0]["sequence"] == "a"


def test_cvat_export_writes_each_mark_on_its_own_videos_frame_and_reads_it_back(tmp_path: Path) -> None:
    """Two videos in one export are one task numbered anew (a's frames 0-10, b's 11-21): b's mark on its
    frame 4 is written on frame 15, inside track 3, not on a's frame 4. Read back, the task's folder names
    the mark's video."""
    p = two_videos()
    leave_view(p, 105, 3).edit.apply(p)
    p.extra["cvat_video"]["outside"].append(  # a mark of a video no longer in the project: said, left out
        {"track": "3", "part": None, "frame": 2, "tag": None, "sequence": "gone"}
    )
    warnings = write_cvat(p, tmp_path / "out")
    assert (
        "track 3: leaves-view mark on frame 2 kept from CVAT not written: its video (folder gone) has no "
        "frame 2 in this export"
    ) in warnings
    root = ET.parse(tmp_path / "out" / "annotations.xml").getroot()
    outside = [
        (s.get("frame"), t.get("id")) for t in root.iter("track") for s in t if s.get("outside") == "1"
    ]
    assert ("15", "3") in outside and ("4", "3") not in outside
    again = read_cvat(tmp_path / "out").project
    marks = [(e["sequence"], e["frame"]) for e in again.extra["cvat_video"]["outside"]]
    assert ("images", 15) in marks and all(video == "images" for video, _ in marks)


def test_a_mark_whose_video_is_null_is_one_of_every_video_for_the_fill_as_for_the_export() -> None:
    """A hand-edited ``"sequence": null`` was no mark to Fill Between Frames (it filled across it) while the
    export wrote it as a mark of every video; one that is no text (a number, a list) is no mark to either."""
    p = two_videos()
    p.extra["cvat_video"] = {
        "outside": [{"track": "3", "part": None, "frame": 4, "tag": None, "sequence": None}]
    }
    assert _filled(p, 1) == 3 and _filled(p, 101) == 3
    assert out_of_view(p, 5, 3) == OutOfView("3", 4, 10, 1)
    for bad in (4, ["a"]):
        p = two_videos()
        p.extra["cvat_video"] = {
            "outside": [{"track": "3", "part": None, "frame": 4, "tag": None, "sequence": bad}]
        }
        assert _filled(p, 1) == 9 and out_of_view(p, 5, 3) is None
