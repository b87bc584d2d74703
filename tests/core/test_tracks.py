"""Giving objects a track in the app (core.tracks): New Track's id is after every track id of the project (its
objects' ints and digit strings, shapes kept from CVAT); putting an object on a track refused when the track
has another object on its image; each change one undo step; a track made so fills between frames and goes to
CVAT as one CVAT for video track."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.track_fill import fill_between_frames
from pixelproof.core.tracks import (
    LIMIT,
    TrackRefused,
    new_tracks,
    next_track_ids,
    parse_track,
    set_track,
)
from pixelproof.interop.cvat import read_cvat, write_cvat


def video(frames: int = 5) -> Project:
    """Frames clip/frame_00000N.png (image id = frame + 1) of 100x80; class car (1)."""
    p = new_project(["car"])
    for f in range(frames):
        p.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 100, 80))
    return p


def add(p: Project, frame: int, bbox: list[float], **extra: object) -> int:
    ann_id = max(p.annotations, default=0) + 1
    p.add_annotation(Annotation(ann_id, frame + 1, 1, bbox, area=bbox[2] * bbox[3], extra=dict(extra)))
    return ann_id


def test_new_track_takes_the_id_after_every_track_of_the_project_and_one_undo_takes_it_back() -> None:
    p = video()
    drawn = add(p, 0, [0.0, 0.0, 10.0, 10.0])
    assert next_track_ids(p) == [0]  # a project without tracks: track 0, as CVAT numbers them
    add(p, 1, [0.0, 0.0, 10.0, 10.0], track_id=4)
    add(p, 2, [0.0, 0.0, 10.0, 10.0], track_id="11")  # a file's digit string: track 11 in every export
    add(p, 3, [0.0, 0.0, 10.0, 10.0], track_id=[99])  # no track id: ignored
    p.images[5].extra["pixelproof"] = {"cvat": {"shapes": [{"attrib": {"track_id": "20"}}]}}  # kept shape
    assert next_track_ids(p, 2) == [21, 22]
    edit = new_tracks(p, [drawn])
    assert edit is not None and edit.label == "New Track 21" and edit.focus == [drawn]
    edit.apply(p)
    assert p.annotations[drawn].extra == {"track_id": 21}
    assert type(p.annotations[drawn].extra["track_id"]) is int  # what the CVAT video writer takes
    edit.revert(p)
    assert p.annotations[drawn].extra == {}


def test_several_objects_each_start_a_track_of_their_own() -> None:
    p = video()
    a, b = add(p, 0, [0.0, 0.0, 10.0, 10.0]), add(p, 0, [20.0, 0.0, 10.0, 10.0])
    edit = new_tracks(p, [a, b])
    assert edit is not None and edit.label == "New Tracks 0-1"
    edit.apply(p)
    assert [p.annotations[i].extra["track_id"] for i in (a, b)] == [0, 1]


def test_the_next_id_past_the_limit_is_the_lowest_free_one() -> None:
    p = video()
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track_id=LIMIT - 1)
    add(p, 1, [0.0, 0.0, 10.0, 10.0], track_id=0)
    assert next_track_ids(p, 2) == [1, 2]


@pytest.mark.parametrize("odd", [-5, True, 2**63 - 1, "-3", " 7 "])
def test_a_files_odd_track_id_never_makes_new_track_start_below_0_or_past_the_limit(odd: object) -> None:
    """A project file's negative track id had New Track start at -4 (a track the CVAT export writes as no
    track and the Track field refuses); true is no track; one past the limit leaves the lowest free ids."""
    p = video()
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track_id=odd)
    drawn = add(p, 1, [0.0, 0.0, 10.0, 10.0])
    want = [8] if odd == " 7 " else [0]
    assert next_track_ids(p) == want
    edit = new_tracks(p, [drawn])
    assert edit is not None and edit.label == f"New Track {want[0]}"


def test_joining_a_track_refused_when_it_has_an_object_on_that_image() -> None:
    p = video()
    first = add(p, 0, [0.0, 0.0, 10.0, 10.0], track_id=3)
    there = add(p, 4, [40.0, 0.0, 10.0, 10.0], track_id="3")  # the same track, as a file's string
    drawn = add(p, 4, [0.0, 40.0, 10.0, 10.0])
    with pytest.raises(TrackRefused, match=r"track 3 already has object #2 on clip/frame_000004\.png"):
        set_track(p, [drawn], 3)
    assert p.annotations[drawn].extra == {}
    with pytest.raises(TrackRefused, match="one image"):  # two of the selection on one frame
        set_track(p, [there, drawn], 5)
    # the object already on it may keep it (nothing changes), and taking it off frees the track there
    assert set_track(p, [first], 3) is None
    off = set_track(p, [there], None)
    assert off is not None and off.label == "Off Track"
    off.apply(p)
    join = set_track(p, [drawn], 3)
    assert join is not None and join.label == "Set Track 3"
    join.apply(p)
    assert p.annotations[drawn].extra == {"track_id": 3} and p.annotations[there].extra == {}
    join.revert(p)
    assert p.annotations[drawn].extra == {}


@pytest.mark.parametrize("text", ["x", "-1", "1.5", "1000000000", "٣"])
def test_a_typed_track_is_a_whole_number_or_nothing(text: str) -> None:
    assert parse_track(" 12 ") == 12 and parse_track("") is None
    with pytest.raises(TrackRefused, match="whole number"):
        parse_track(text)


def test_a_track_made_in_the_app_fills_between_frames_and_exports_as_one_cvat_video_track(
    tmp_path: Path,
) -> None:
    p = video()
    p.path = tmp_path / "project.json"  # the frames' files next to it
    folder = tmp_path / "clip"
    folder.mkdir()
    for f in range(5):
        Image.new("L", (100, 80)).save(folder / f"frame_{f:06d}.png")
    a = add(p, 0, [0.0, 0.0, 10.0, 10.0])
    b = add(p, 4, [40.0, 20.0, 10.0, 10.0])
    start = new_tracks(p, [a])
    assert start is not None
    start.apply(p)
    join = set_track(p, [b], p.annotations[a].extra["track_id"])
    assert join is not None
    join.apply(p)
    done = fill_between_frames(p, 1, 0)
    assert done.filled == 3 and done.edit is not None
    done.edit.apply(p)
    assert [a.bbox for a in p.annotations_of(3)] == [[20.0, 10.0, 10.0, 10.0]]
    write_cvat(p, tmp_path / "out")
    doc = ET.parse(tmp_path / "out" / "annotations.xml").getroot()
    (track,) = doc.findall("track")
    assert track.get("id") == "0" and track.get("label") == "car"
    shapes = [(s.get("frame"), s.get("keyframe"), s.get("xtl")) for s in track]
    assert shapes == [
        ("0", "1", "0.00"),
        ("1", "0", "10.00"),
        ("2", "0", "20.00"),
        ("3", "0", "30.00"),
        ("4", "1", "40.00"),
    ]
    back = read_cvat(tmp_path / "out").project  # read back: one track on the five frames
    assert sorted((a.image_id, a.bbox[0], a.extra["track_id"]) for a in back.annotations.values()) == [
        (i, x, 0) for i, x in zip(sorted(back.images), [0.0, 10.0, 20.0, 30.0, 40.0], strict=True)
    ]
