"""CVAT for video tracks, on the real export in tests/data/datumaro/cvat_dataset/for_video (cvat-ai/datumaro,
MIT, see SOURCE.md there): each track shape not ``outside`` is a shape on its frame's image, as Datumaro's
CVAT importer reads it; tracks were skipped whole, so a video task came in empty."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from pixelproof.core.clipboard import track_of
from pixelproof.core.coco import load_project
from pixelproof.interop.coco_io import write_coco
from pixelproof.interop.cvat import read_cvat, write_cvat

VIDEO = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_video"


def _shapes(image) -> list[tuple[str, str, int]]:
    kept = image.extra.get("pixelproof", {}).get("cvat", {}).get("shapes", [])
    return [(s["tag"], s["attrib"]["label"], len(s.get("children", []))) for s in kept]


def test_video_tracks_are_shapes_on_their_frames(tmp_path: Path) -> None:
    said: list[str] = []
    result = read_cvat(VIDEO, on_problem=said.append)
    project = result.project
    names = {c.id: c.name for c in project.categories.values()}
    frames = {Path(i.file_name).name: i for i in project.images.values()}
    assert list(frames) == ["frame_000010.png", "frame_000013.png", "frame_000016.png"]
    assert all((i.width, i.height) == (25, 20) for i in frames.values())  # the task's original_size
    # the box of track 0 on frame 10 (occluded); on 13 and 16 it is outside: no object
    [box] = [a for a in project.annotations.values() if a.extra["track_id"] == 0]
    assert Path(project.image(box.image_id).file_name).name == "frame_000010.png"
    assert names[box.category_id] == "II" and list(box.bbox) == [3.0, 4.0, 7.0, 1.0]
    assert box.app_extra["occluded"] == 1
    # the skeleton track (3) a pose on each frame (tests/interop/test_cvat_skeleton_tracks.py)
    poses = [a for a in project.annotations.values() if a.extra["track_id"] == 3]
    assert [Path(project.image(a.image_id).file_name).name for a in poses] == list(frames)
    # points (track 1, with its attribute) and a polyline (track 2) kept as they are
    assert _shapes(frames["frame_000010.png"]) == [("points", "klhg", 0)]
    assert _shapes(frames["frame_000013.png"]) == [("polyline", "II", 0)]
    kept = frames["frame_000010.png"].extra["pixelproof"]["cvat"]["shapes"]
    assert kept[0]["attributes"] == {"hgl": "hgkf"}
    assert not result.skipped.get("tracks")
    assert any("4 <track> elements (CVAT for video) read as 6 shapes on 3 frames" in s for s in said)

    # back to CVAT (as tracks: see test_cvat_video_export.py): the same frames, box and kept shapes
    write_cvat(project, tmp_path / "out")
    again = read_cvat(tmp_path / "out").project
    assert [Path(i.file_name).name for i in again.images.values()] == list(frames)
    assert sorted(list(a.bbox) for a in again.annotations.values()) == sorted(
        list(a.bbox) for a in project.annotations.values()
    )
    assert [_shapes(i) for i in again.images.values()] == [_shapes(i) for i in frames.values()]


def test_a_track_shape_without_a_frame_number_is_said_where_it_is(tmp_path: Path) -> None:
    """Before: a track shape whose ``frame`` is no number was dropped without a word, where every other
    shape skipped is said. It is now said naming the track and the shape's place, and counted."""
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version><meta><task>'
        "<original_size><width>25</width><height>20</height></original_size></task></meta>"
        '<track id="7" label="car">'
        '<box frame="x1" outside="0" xtl="1" ytl="1" xbr="5" ybr="5"/>'
        '<box frame="2" outside="0" xtl="1" ytl="1" xbr="5" ybr="5"/>'
        '<box outside="0" xtl="1" ytl="1" xbr="5" ybr="5"/>'
        '<box frame="-3" outside="0" xtl="1" ytl="1" xbr="5" ybr="5"/>'
        "</track></annotations>",
        encoding="utf-8",
    )
    said: list[str] = []
    result = read_cvat(xml, on_problem=said.append)
    assert [Path(i.file_name).name for i in result.project.images.values()] == ["frame_000002.png"]
    assert len(result.project.annotations) == 1
    assert (
        f"{xml}: <track> 7 (car): <box> 1: frame 'x1' is no frame number (0 to 999,999,999); skipped" in said
    ), said
    assert f"{xml}: <track> 7 (car): <box> 3: no frame; skipped" in said
    assert (
        f"{xml}: <track> 7 (car): <box> 4: frame '-3' is no frame number (0 to 999,999,999); skipped" in said
    )
    assert result.skipped["invalid"] == 3


def _video_export(folder: Path, frames: int, tracks: str, suffix: str = ".jpg") -> Path:
    """A CVAT for video export as an annotator unzips it: ``annotations.xml`` and ``images/frame_*``."""
    (folder / "images").mkdir(parents=True)
    for f in range(frames):
        Image.new("RGB", (32, 24), (f * 8, 0, 0)).save(folder / "images" / f"frame_{f:06d}{suffix}")
    (folder / "annotations.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version><meta><task>'
        f"<size>{frames}</size><mode>interpolation</mode><start_frame>0</start_frame>"
        "<labels><label><name>car</name></label></labels>"
        "<original_size><width>32</width><height>24</height></original_size></task></meta>"
        f"{tracks}</annotations>",
        encoding="utf-8",
    )
    return folder


def _box(frame: int, outside: int = 0, x: int = 1) -> str:
    return f'<box frame="{frame}" outside="{outside}" keyframe="1" xtl="{x}" ytl="2" xbr="{x + 5}" ybr="9"/>'


def test_each_object_keeps_its_track_id_and_every_frame_on_disk_comes_in(tmp_path: Path) -> None:
    """Before: which objects were one track was lost (a COCO export of a video task had no track_id, and
    Propagate's copies none either), and the frames no track was on (the object left the view, frames not
    labeled yet) were not images of the project: D jumped over them, nothing could be drawn there. A frame
    missing from a folder of JPEGs was named ``.png``."""
    # car 4 leaves after frame 1 and comes back on 4 (keyframes written out of order); car 9 on frame 2;
    # the XML counts 7 frames, the folder holds 6
    tracks = (
        f'<track id="4" label="car">{_box(4, x=9)}{_box(0)}{_box(1, x=2)}{_box(2, outside=1)}'
        f"{_box(6)}</track>"
        f'<track id="9" label="car">{_box(2, x=20)}{_box(3, outside=1, x=20)}</track>'
    )
    src = _video_export(tmp_path / "cvat", 6, tracks)
    said: list[str] = []
    project = read_cvat(src, on_problem=said.append).project
    names = [Path(i.file_name).name for i in project.images.values()]
    assert names == [f"frame_{f:06d}.jpg" for f in range(7)]  # 6 on disk; 6 only in the XML, named .jpg
    by_frame = {
        Path(project.image(a.image_id).file_name).name[6:12]: (a.extra.get("track_id"), a.bbox[0])
        for a in project.annotations.values()
    }
    assert sorted(by_frame.items()) == [
        ("000000", (4, 1.0)),
        ("000001", (4, 2.0)),
        ("000002", (9, 20.0)),
        ("000004", (4, 9.0)),
        ("000006", (4, 1.0)),
    ]
    assert all("cvat_attrib" not in a.app_extra for a in project.annotations.values())
    assert any("each object keeps its track's id as track_id" in s for s in said), said

    # COCO has the track_id on each object, and reads it back
    write_coco(project, tmp_path / "out.json")
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert sorted(a["track_id"] for a in written["annotations"]) == [4, 4, 4, 4, 9]
    again = load_project(tmp_path / "out.json")
    assert sorted(a.extra["track_id"] for a in again.annotations.values()) == [4, 4, 4, 4, 9]


def test_track_ids_used_twice_are_said(tmp_path: Path) -> None:
    """Two exports joined by hand can hold two ``<track id="3">``: their objects would share a track_id that
    a COCO video reader takes for one object. Said in one line naming the id."""
    tracks = f'<track id="3" label="car">{_box(0)}</track><track id="3" label="car">{_box(0, x=20)}</track>'
    src = _video_export(tmp_path / "cvat", 1, tracks)
    said: list[str] = []
    read_cvat(src, on_problem=said.append)
    assert any("<track> ids used more than once: '3' (2 tracks)" in s for s in said), said


def test_track_ids_come_back_from_the_cvat_export(tmp_path: Path) -> None:
    """The CVAT for images export (``tracks="no"``; it has no ``<track>``) writes each object's track id
    as the shape's ``track_id``; read back, the objects have it again (it was lost on the way through CVAT
    XML)."""
    tracks = (
        f'<track id="4" label="car">{_box(0)}{_box(1, x=3)}</track>'
        f'<track id="7" label="car">{_box(1)}</track>'
    )
    project = read_cvat(_video_export(tmp_path / "cvat", 2, tracks)).project
    write_cvat(project, tmp_path / "out", tracks="no")
    xml = (tmp_path / "out" / "annotations.xml").read_text(encoding="utf-8")
    assert "<track" not in xml and "<mode>annotation</mode>" in xml
    assert xml.count('track_id="4"') == 2 and xml.count('track_id="7"') == 1
    again = read_cvat(tmp_path / "out").project
    got = sorted((a.image_id, a.extra["track_id"], a.bbox[0]) for a in again.annotations.values())
    assert got == [(1, 4, 1.0), (2, 4, 3.0), (2, 7, 1.0)]
    assert all("cvat_attrib" not in a.app_extra for a in again.annotations.values())


def test_an_annotations_only_video_export_says_the_missing_frames_in_a_few_lines(tmp_path: Path) -> None:
    """Exported without *Save images*, a video task's XML names frames no folder holds: each was said in a
    line of its own (a 3,000-frame video, 3,000 lines). The first few are named, the rest counted."""
    tracks = '<track id="0" label="car">' + "".join(_box(f) for f in range(40)) + "</track>"
    src = _video_export(tmp_path / "cvat", 40, tracks)
    for f in (src / "images").iterdir():
        f.unlink()
    said: list[str] = []
    project = read_cvat(src, on_problem=said.append).project
    assert len(project.images) == 40 and len(project.annotations) == 40
    missing = [s for s in said if "image file not found" in s]
    assert len(missing) == 5 and "image 0 (frame_000000.png)" in missing[0]
    assert f"... and 35 more images without their file in {src / 'annotations.xml'}" in said, said


def test_a_long_skeleton_track_looks_its_parts_up_once(tmp_path: Path) -> None:
    """Each skeleton shape looked its points up by a scan of every part track: a 10 MB file of 100,000
    frames did not finish in an hour (frames x points). Counted here, not timed: the reads of the parts'
    ``frame`` attribute. The parts each frame gets are unchanged."""
    import xml.etree.ElementTree as ET

    from pixelproof.interop._util import Reporter
    from pixelproof.interop.cvat_tracks import frames_of_tracks

    reads = []

    class Counted(ET.Element):
        def get(self, key, default=None):
            reads.append(key)
            return super().get(key, default)

    n = 300
    skeletons = "".join(f'<skeleton frame="{i}" keyframe="1" outside="0"/>' for i in range(n))
    tips = "".join(f'<points frame="{i}" outside="{int(i == 7)}" points="{i},1"/>' for i in range(n))
    xml = (
        "<annotations><meta><task><original_size><width>9</width><height>9</height></original_size>"
        f'</task></meta><track id="0" label="hand">{skeletons}<track id="1" label="tip">{tips}</track>'
        "</track></annotations>"
    )
    parser = ET.XMLParser(target=ET.TreeBuilder(element_factory=Counted))
    parser.feed(xml)
    doc = parser.close()
    images, count = frames_of_tracks(doc, tmp_path, tmp_path / "annotations.xml", Reporter(None))
    assert count == n and len(images) == n
    parts = [[p.get("points") for p in image.find("skeleton")] for image in images]
    # an outside point is its skeleton's there, outside (a pose's unlabelled point)
    assert parts[6:9] == [["6,1"], ["7,1"], ["8,1"]]
    assert [image.find("skeleton")[0].get("outside") for image in images[6:9]] == [None, "1", None]
    assert len(reads) < 20 * n, f"{len(reads):,} attribute reads for {n} frames"


def test_a_text_track_id_of_cvat_for_images_is_kept_as_the_app_reads_track_ids(tmp_path: Path) -> None:
    """A shape's ``track_id`` attribute is read as the app reads an object's track id (``track_value``):
    ``" 03"`` is track 3, ``"car-7"`` a track named so (both its objects on it, which the exports number).
    Before, every id but ASCII digits was dropped in silence."""
    folder = tmp_path / "cvat"
    (folder / "images").mkdir(parents=True)
    boxes = {0: ("car-7", " 03"), 1: ("car-7", "")}
    images = []
    for k, ids in boxes.items():
        Image.new("RGB", (40, 30)).save(folder / "images" / f"f{k}.png")
        shapes = "".join(
            f'<box label="car" xtl="{1 + 10 * j}" ytl="2" xbr="{6 + 10 * j}" ybr="8" track_id="{t}"/>'
            for j, t in enumerate(ids)
        )
        images.append(f'<image id="{k}" name="f{k}.png" width="40" height="30">{shapes}</image>')
    (folder / "annotations.xml").write_text(f"<annotations>{''.join(images)}</annotations>", encoding="utf-8")
    project = read_cvat(folder).project
    got = sorted((a.image_id, a.bbox[0], track_of(a)) for a in project.annotations.values())
    assert got == [(1, 1.0, "car-7"), (1, 11.0, 3), (2, 1.0, "car-7"), (2, 11.0, None)], got
    assert all("cvat_attrib" not in a.app_extra for a in project.annotations.values())
