"""The CVAT export writes CVAT for video tracks (``<track>``) when objects have a ``track_id``: before, a
video task read from CVAT went back as CVAT for images, each frame's shapes apart, and CVAT lost its
tracks. Checked on the real CVAT for video export in tests/data/datumaro/cvat_dataset/for_video
(openvinotoolkit/datumaro, MIT, see SOURCE.md and LICENSE there)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.cvat import read_cvat, write_cvat

VIDEO = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_video"
GEOMETRY = ("xtl", "ytl", "xbr", "ybr", "points")


def _state(track: ET.Element, frames: list[int]) -> dict[int, tuple | None]:
    """What CVAT shows of a track on each frame: the last keyframe at or before it (None: outside or
    not begun), its kind, occluded flag, geometry as numbers and attributes; a skeleton with its parts."""
    shapes = sorted((s for s in track if s.tag != "track"), key=lambda s: int(s.get("frame", "")))
    out: dict[int, tuple | None] = {}
    for frame in frames:
        last = [s for s in shapes if int(s.get("frame", "")) <= frame]
        if not last or last[-1].get("outside") == "1":
            out[frame] = None
            continue
        s = last[-1]
        geometry = tuple(
            round(float(v), 2)
            for key in GEOMETRY
            for pair in s.get(key, "").split(";")
            for v in pair.split(",")
            if v
        )
        attrs = tuple(sorted((a.get("name"), a.text) for a in s if a.tag == "attribute"))
        parts = tuple((p.get("label"), _state(p, [frame])[frame]) for p in track.findall("track"))
        out[frame] = (s.tag, s.get("occluded"), geometry, attrs, parts)
    return out


def _keyframes(xml: Path) -> dict[tuple[str, ...], str | None]:
    """The keyframe flag of each shape on its frame (not ``outside``), by track, part track and frame."""
    found: dict[tuple[str, ...], str | None] = {}
    for track in ET.parse(xml).getroot().findall("track"):
        for part in [track, *track.findall("track")]:
            at = (track.get("id", ""),) + ((part.get("label", ""),) if part is not track else ())
            for s in part:
                if s.tag != "track" and s.get("outside") == "0":
                    found[(*at, s.tag, s.get("frame", ""))] = s.get("keyframe")
    return found


def _tracks(xml: Path, frames: list[int]) -> dict[str, tuple[str | None, dict]]:
    doc = ET.parse(xml).getroot()
    return {t.get("id", ""): (t.get("label"), _state(t, frames)) for t in doc.findall("track")}


def test_a_video_task_goes_back_to_cvat_as_its_tracks(tmp_path: Path) -> None:
    """Import the CVAT for video export, export it: the same tracks (ids, labels, on which frames each is
    and is outside, boxes, points, polyline, skeleton parts, attributes) within float rounding; every
    written shape a keyframe, an ``outside`` one on the frame after each run, the meta CVAT for video's."""
    project = read_cvat(VIDEO).project
    # frame 16 is in the XML only (the fixture holds two of the three frames' files)
    assert write_cvat(project, tmp_path / "out", images="copy") == [
        "1 image file not found; only their annotations were written"
    ]
    frames = [10, 13, 16]
    written = tmp_path / "out" / "annotations.xml"
    assert _tracks(written, frames) == _tracks(VIDEO / "annotations.xml", frames)
    doc = ET.parse(written).getroot()
    assert doc.find("image") is None
    # each shape on its frame with CVAT's keyframe flag: the skeleton's poses (untouched) and parts keep
    # their keyframe="0" on frames 13 and 16 (before, all went back as keyframes, so CVAT no longer moved
    # them with the keyframe on 10); a box between two keyframes keeps its keyframe="0" too
    # (test_cvat_keyframes.py, on this file with its box track keyed on 10 and 16)
    assert _keyframes(written) == _keyframes(VIDEO / "annotations.xml")
    assert list(_keyframes(written).values()).count("0") == 8
    box = doc.find("track[@id='0']")
    assert box is not None
    # both outside boxes as CVAT wrote them (the second one too: tests/interop/test_cvat_outside.py)
    assert [(s.get("frame"), s.get("outside")) for s in box] == [("10", "0"), ("13", "1"), ("16", "1")]
    assert list(box[0].attrib) == [
        "frame", "keyframe", "outside", "occluded", "xtl", "ytl", "xbr", "ybr", "z_order"
    ]  # fmt: skip
    task = doc.find("meta/task")
    assert task is not None
    assert [task.findtext(k) for k in ("mode", "start_frame", "stop_frame", "frame_filter")] == [
        "interpolation", "10", "19", "step=3"
    ]  # fmt: skip  # the task's range as read: frame 19 has no file and no shape
    assert (task.findtext("original_size/width"), task.findtext("original_size/height")) == ("25", "20")
    assert sorted(p.name for p in (tmp_path / "out" / "images").iterdir()) == [
        "frame_000010.png",
        "frame_000013.png",
    ]

    # and read back: the same objects, kept shapes and track ids on the same frames
    again = read_cvat(tmp_path / "out").project

    def objects(p: Project) -> list:
        return sorted(
            (Path(p.image(a.image_id).file_name).name, a.extra.get("track_id"), list(a.bbox))
            for a in p.annotations.values()
        )

    def kept(p: Project) -> list:
        return [
            (Path(i.file_name).name, s["tag"], s["attrib"].get("track_id"), s["attrib"].get("points"))
            for i in p.images.values()
            for s in i.extra.get("pixelproof", {}).get("cvat", {}).get("shapes", [])
        ]

    # the box and the skeleton track's poses (its box their shown points' extent: part 3 is out from 13)
    assert objects(again) == objects(project)
    assert objects(project) == [
        ("frame_000010.png", 0, [3.0, 4.0, 7.0, 1.0]),
        ("frame_000010.png", 3, [48.8, 106.61, pytest.approx(40.31), pytest.approx(53.3)]),
        ("frame_000013.png", 3, [48.8, 111.77, pytest.approx(40.31), pytest.approx(48.14)]),
        ("frame_000016.png", 3, [48.8, 111.77, pytest.approx(40.31), pytest.approx(48.14)]),
    ]
    assert kept(again) == kept(project) and len(kept(project)) == 2  # the points and polyline tracks


def _frames_project(tmp_path: Path, names: list[str]) -> Project:
    project = Project(path=tmp_path / "project.json")
    project.add_category(Category(id=1, name="car"))
    for k, name in enumerate(names, start=1):
        Image.new("RGB", (40, 30)).save(tmp_path / name)
        project.add_image(ImageRecord(id=k, file_name=name, width=40, height=30))
    return project


def test_objects_without_a_track_and_gaps_are_written_as_cvat_writes_them(tmp_path: Path) -> None:
    """Images not named as video frames are frames 0, 1, ... in file order; a track that leaves the view
    and comes back has an ``outside`` keyframe on the frame after it left; an object without a track is a
    track of its own, one keyframe and ``outside`` on the next frame (none after the last frame), as CVAT's
    video export writes a standalone shape; its track gets an id no other track has."""
    project = _frames_project(tmp_path, ["img10.png", "img2.png", "img1.png"])  # frames 2, 1, 0
    objects = [(3, 5), (2, None), (1, 5), (1, None)]  # (image id, track id): track 5 on frames 0 and 2
    for n, (image_id, track) in enumerate(objects, start=1):
        project.add_annotation(
            Annotation(
                id=n,
                image_id=image_id,
                category_id=1,
                bbox=[n, 2.0, 5.0, 6.0],
                extra={"track_id": track} if track is not None else {},
            )
        )
    write_cvat(project, tmp_path / "out")
    doc = ET.parse(tmp_path / "out" / "annotations.xml").getroot()
    got = {
        t.get("id"): [(s.get("frame"), s.get("outside"), s.get("xtl")) for s in t]
        for t in doc.findall("track")
    }
    assert got == {
        "5": [("0", "0", "1.00"), ("1", "1", "1.00"), ("2", "0", "3.00")],
        "6": [("1", "0", "2.00"), ("2", "1", "2.00")],
        "7": [("2", "0", "4.00")],
    }
    assert sorted(p.name for p in (tmp_path / "out" / "images").iterdir()) == [
        f"frame_00000{f}.png" for f in range(3)
    ]
    again = read_cvat(tmp_path / "out").project
    back = sorted(
        (Path(again.image(a.image_id).file_name).name, a.extra["track_id"], a.bbox[0])
        for a in again.annotations.values()
    )
    assert back == [
        ("frame_000000.png", 5, 1.0),
        ("frame_000001.png", 6, 2.0),
        ("frame_000002.png", 5, 3.0),
        ("frame_000002.png", 7, 4.0),
    ]


def test_a_project_without_track_ids_still_exports_cvat_for_images(tmp_path: Path) -> None:
    """No object has a ``track_id``: ``<image>`` elements in annotation mode, named as before; and
    ``tracks="yes"`` on images of two sizes stays CVAT for images, with a warning (a video has one size)."""
    project = _frames_project(tmp_path, ["b.png", "a.png"])
    project.add_annotation(Annotation(id=1, image_id=1, category_id=1, bbox=[1.0, 2.0, 5.0, 6.0]))
    write_cvat(project, tmp_path / "out")
    doc = ET.parse(tmp_path / "out" / "annotations.xml").getroot()
    assert doc.find("track") is None and doc.findtext("meta/task/mode") == "annotation"
    assert [(i.get("name"), [s.tag for s in i]) for i in doc.findall("image")] == [
        ("b.png", ["box"]),
        ("a.png", []),
    ]
    project.images[2].width = 50
    warnings = write_cvat(project, tmp_path / "out2", tracks="yes")
    assert any("2 sizes: written as CVAT for images" in w for w in warnings), warnings
    assert ET.parse(tmp_path / "out2" / "annotations.xml").getroot().find("track") is None


def test_a_video_task_written_as_cvat_for_images_has_no_keyframe_flags(tmp_path: Path) -> None:
    """``tracks="no"``: the skeleton track's poses keep their ``keyframe="0"`` for a video export only;
    CVAT for images has no keyframes, so none is written on any shape or part."""
    project = read_cvat(VIDEO).project
    write_cvat(project, tmp_path / "out", images="keep", tracks="no")
    doc = ET.parse(tmp_path / "out" / "annotations.xml").getroot()
    assert doc.find("track") is None and len(doc.findall("image/skeleton")) == 3
    assert [s.tag for s in doc.iter() if "keyframe" in s.attrib] == []


def test_a_long_track_is_written_without_comparing_each_frame_with_all_before() -> None:
    """Each shape of a track was checked against every frame the track had so far: one object tracked
    over 50,000 frames did not export in a minute. Counted, not timed: the frame comparisons. The
    tracks written are unchanged: a second shape on a frame and another label go to tracks of their own."""
    from collections import Counter

    from pixelproof.interop.cvat_video_writer import write_tracks

    compared = []

    class Frame(int):
        def __eq__(self, other: object) -> bool:
            compared.append(1)
            return int(self) == other

        __hash__ = int.__hash__

    def box(label: str) -> ET.Element:
        return ET.Element(
            "box", {"label": label, "track_id": "3", "xtl": "1", "ytl": "1", "xbr": "2", "ybr": "2"}
        )

    n = 2_000
    shapes = [(Frame(f), box("car")) for f in range(n)]
    shapes += [(Frame(5), box("car")), (Frame(6), box("bus"))]  # a second car on frame 5; a bus
    doc, counts = ET.Element("annotations"), Counter()
    write_tracks(doc, shapes, list(range(n)), counts)
    tracks = [
        (t.get("id"), t.get("label"), [int(s.get("frame")) for s in t if s.get("outside") == "0"])
        for t in doc
    ]
    assert tracks == [("3", "car", list(range(n))), ("4", "bus", [6]), ("5", "car", [5])]
    assert counts["split"] == 2
    assert len(compared) < 10 * n, f"{len(compared):,} frame comparisons for a track of {n:,} frames"
