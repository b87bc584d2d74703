"""The exports that group objects by track (CVAT for video's ``<track>``, CVAT for images' ``track_id``
attribute, MOT's id column) read an object's track id as the app does (``core.clipboard.track_value``):
``"03"``, ``" 3"`` and ``3`` are track 3. Before, the CVAT writer wrote a ``track_id`` only for an int, so an
object stored with ``"03"`` (a hand-edited or converted file) became a track of its own. A track named by
text that is no number (``"car-7"``) is one track, given a free number, said, the same on CVAT and MOT."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from pixelproof.core.clipboard import track_of
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.track_outside import KEPT, OUTSIDE
from pixelproof.core.tracks import exported_track, named_tracks
from pixelproof.interop.cvat import read_cvat, write_cvat
from pixelproof.interop.formats import FORMATS

NAMED = "1 track named by text, not a whole number, written as track ids: 'car-7' as 4"


def _video(tmp_path: Path, tracks: list[list[object]]) -> Project:
    """Frames ``frame_000000.png`` ... with, on frame k, one box per track id in ``tracks[k]``."""
    project = Project(path=tmp_path / "project.json")
    project.add_category(Category(id=1, name="car"))
    n = 0
    for k, on_frame in enumerate(tracks):
        name = f"frame_{k:06d}.png"
        Image.new("RGB", (40, 30)).save(tmp_path / name)
        project.add_image(ImageRecord(id=k + 1, file_name=name, width=40, height=30))
        for j, track in enumerate(on_frame):
            n += 1
            box = [1.0 + k + 10 * j, 2.0, 5.0, 6.0]
            project.add_annotation(Annotation(n, k + 1, 1, box, extra={"track_id": track}))
    return project


def _tracks(xml: Path) -> dict[str, list[tuple[str, str]]]:
    doc = ET.parse(xml).getroot()
    return {
        t.get("id", ""): [(s.get("frame", ""), s.get("outside", "")) for s in t] for t in doc.iter("track")
    }


def test_track_03_and_3_on_two_frames_are_one_cvat_track(tmp_path: Path) -> None:
    """``"03"`` on frame 0, ``3`` on frame 1, ``" 3"`` on frame 2: one ``<track id="3">`` on the three frames
    (before: track 3 on frame 1 and two standalone tracks); read back, all three objects are on track 3."""
    project = _video(tmp_path, [["03"], [3], [" 3"]])
    assert write_cvat(project, tmp_path / "out") == []
    assert _tracks(tmp_path / "out" / "annotations.xml") == {"3": [("0", "0"), ("1", "0"), ("2", "0")]}
    back = read_cvat(tmp_path / "out").project
    assert sorted(track_of(a) for a in back.annotations.values()) == [3, 3, 3]


def test_a_project_whose_tracks_are_text_digits_is_written_as_cvat_for_video(tmp_path: Path) -> None:
    """Tracks stored only as text (``"5"``, as a COCO file may hold them): ``tracks="auto"`` writes CVAT for
    video (before: CVAT for images, no ``track_id`` at all); ``tracks="no"`` writes ``track_id="5"``."""
    project = _video(tmp_path, [["5"], ["05"]])
    write_cvat(project, tmp_path / "video")
    assert _tracks(tmp_path / "video" / "annotations.xml") == {"5": [("0", "0"), ("1", "0")]}
    write_cvat(project, tmp_path / "images", tracks="no")
    doc = ET.parse(tmp_path / "images" / "annotations.xml").getroot()
    assert [box.get("track_id") for box in doc.iter("box")] == ["5", "5"]


def test_a_track_named_by_text_is_one_track_with_a_free_number_said(tmp_path: Path) -> None:
    """``"car-7"`` on frames 0 and 3 (track 3 beside it): one track, numbered after the highest (4), outside
    from frame 1, with its leaves-view mark kept under its name (frame 2) written on it; the warning says
    which number; MOT gives it one id too (before: a new id per object, the track split)."""
    project = _video(tmp_path, [["car-7", 3], [3], [3], ["car-7", 3]])
    project.extra[KEPT] = {OUTSIDE: [{"track": "car-7", "part": None, "frame": 2, "tag": None}]}
    warnings = write_cvat(project, tmp_path / "out")
    assert warnings == [NAMED]
    got = _tracks(tmp_path / "out" / "annotations.xml")
    assert got == {
        "3": [("0", "0"), ("1", "0"), ("2", "0"), ("3", "0")],
        "4": [("0", "0"), ("1", "1"), ("2", "1"), ("3", "0")],
    }
    assert NAMED in FORMATS["mot"].write(project, tmp_path / "mot", images="link")
    (gt,) = (tmp_path / "mot").glob("*/gt/gt.txt")
    by_frame = sorted(
        (int(f), int(t)) for f, t, *_ in (line.split(",") for line in gt.read_text().splitlines())
    )
    assert by_frame == [(1, 3), (1, 4), (2, 3), (3, 3), (4, 3), (4, 4)]


def test_exported_track_reads_as_the_app_and_never_raises() -> None:
    """What a writer is handed for any value a file may hold: a number, its text, a name (its number), or
    None for no track, a negative one, one past the CVAT reader's 9 digits, a bool, a list."""
    named = {"car-7": 12}
    values = [3, "03", " 3", "car-7", "bus", -1, 10**9, "1234567890", True, [3], None, 3.0, "٣"]
    assert [exported_track(v, named) for v in values] == [3, 3, 3, 12] + [None] * 9


def test_named_tracks_are_numbered_in_name_order_after_every_track_id(tmp_path: Path) -> None:
    project = _video(tmp_path, [["zeta", "alpha", 8], ["alpha", "08"]])
    assert named_tracks(project) == {"alpha": 9, "zeta": 10}
