"""CVAT for video read and written back: each track's ``outside="1"`` shapes as CVAT wrote them (their own
geometry, ``occluded`` and attributes: CVAT interpolates from them when the object comes back into view)
and the task's frame range. Before, the export made each outside shape up from the shape before it (track
1's frame 13 got frame 10's points and ``hgl=hgkf`` where the file has ``jk``, track 0's ``occluded`` 0
became 1), dropped track 0's second one (frame 16), and wrote ``stop_frame`` 16 and ``size`` 3 for the
task's 19 and 4 (frame 19 has neither a file nor a shape). Checked on the real CVAT for video export in
tests/data/datumaro/cvat_dataset/for_video (see SOURCE.md and LICENSE there)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation, Project
from pixelproof.interop.cvat import read_cvat, write_cvat

VIDEO = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_video"
TASK = ("size", "start_frame", "stop_frame", "frame_filter", "z_order")


def _shape(s: ET.Element) -> tuple:
    return (s.tag, dict(s.attrib), [(a.get("name"), a.text) for a in s if a.tag == "attribute"])


def _track(t: ET.Element) -> tuple:
    """A track element by element: its label, its shapes in frame order (the order CVAT writes them in)
    with every attribute and ``<attribute>``, its part tracks by label (their order and ids are free).
    A track without ``source`` is CVAT's default "manual" (the export writes it)."""
    shapes = sorted(
        (s for s in t if s.tag not in ("track", "attribute")), key=lambda s: int(s.get("frame", ""))
    )
    parts = {p.get("label"): _track(p) for p in t.findall("track")}
    return (t.get("label"), t.get("source", "manual"), [_shape(s) for s in shapes], parts)


def _tracks(xml: Path) -> dict[str, tuple]:
    """Each track by id (the order of tracks is free)."""
    return {t.get("id", ""): _track(t) for t in ET.parse(xml).getroot().findall("track")}


def _task(xml: Path) -> dict[str, str | None]:
    return {k: ET.parse(xml).getroot().findtext(f"meta/task/{k}") for k in TASK}


def _through_project_file(tmp_path: Path) -> Project:
    """cvat -> a saved PixelProof project -> loaded again: what a user edits."""
    return load_project(save_project(read_cvat(VIDEO).project, tmp_path / "p.json"))


def test_outside_shapes_come_back_as_read(tmp_path: Path) -> None:
    written = tmp_path / "out" / "annotations.xml"
    warnings = write_cvat(_through_project_file(tmp_path), written.parent)
    assert warnings == ["1 image file not found; only their annotations were written"]
    assert _tracks(written) == _tracks(VIDEO / "annotations.xml")
    box_track = ET.parse(written).getroot().find("track[@id='0']")
    assert box_track is not None  # the second outside box, which adds nothing, is kept too
    assert [(s.get("frame"), s.get("outside")) for s in box_track] == [("10", "0"), ("13", "1"), ("16", "1")]


def test_the_task_range_comes_back_as_read(tmp_path: Path) -> None:
    written = tmp_path / "out" / "annotations.xml"
    write_cvat(_through_project_file(tmp_path), written.parent)
    assert _task(written) == _task(VIDEO / "annotations.xml") == {
        "size": "4", "start_frame": "10", "stop_frame": "19", "frame_filter": "step=3", "z_order": "True"
    }  # fmt: skip


def test_frames_removed_give_the_computed_range(tmp_path: Path) -> None:
    """Once frames are taken out, the range read is no longer the task's: it is computed from the frames
    written, as for a project not read from CVAT (the z_order flag stays)."""
    project = _through_project_file(tmp_path)
    last = next(i for i in project.images.values() if i.file_name.endswith("frame_000016.png"))
    project.remove_image(last.id)
    written = tmp_path / "out" / "annotations.xml"
    write_cvat(project, written.parent)
    assert _task(written) == {
        "size": "2", "start_frame": "10", "stop_frame": "13", "frame_filter": "step=3", "z_order": "True"
    }  # fmt: skip


def test_an_outside_shape_that_cannot_be_kept_is_said_by_track_and_frame(tmp_path: Path) -> None:
    """Track 0's box drawn on frame 13 too: its outside box there is no longer true (the object is in
    view), so it is left out and said; the one on frame 16 is still written. A track with no object left
    (track 1's points removed) takes none: each is said."""
    project = _through_project_file(tmp_path)
    images = {Path(i.file_name).name: i for i in project.images.values()}
    box = next(a for a in project.annotations.values() if a.extra.get("track_id") == 0)
    new_id = project.next_annotation_id()
    at = images["frame_000013.png"].id
    project.add_annotation(
        Annotation(new_id, at, box.category_id, [7.0, 6.0, 7.0, 2.0], extra={"track_id": 0})
    )
    for image in project.images.values():  # track 1 is a points track, kept in the image extras
        kept = image.extra.get("pixelproof", {}).get("cvat", {}).get("shapes", [])
        kept[:] = [s for s in kept if s["attrib"].get("track_id") != "1"]
    written = tmp_path / "out" / "annotations.xml"
    warnings = write_cvat(project, written.parent)
    assert [w for w in warnings if w.startswith("track ")] == [
        "track 0: outside <box> on frame 13 kept from CVAT not written: the object is on that frame now",
        "track 1: outside <points> on frame 13 kept from CVAT not written: the track has no object left",
    ]
    box_track = ET.parse(written).getroot().find("track[@id='0']")
    assert box_track is not None
    assert [(s.get("frame"), s.get("outside"), s.get("ybr")) for s in box_track] == [
        ("10", "0", "5.00"), ("13", "0", "8.00"), ("16", "1", "17.00")
    ]  # fmt: skip


def test_a_cvat_for_images_export_says_the_outside_shapes_it_leaves_out(tmp_path: Path) -> None:
    """Tracks 0 (2), 1, 2: CVAT for images has no place for them (the skeleton's part 3 outside on frame
    13 is its pose's unlabelled point there, written with it)."""
    warnings = write_cvat(read_cvat(VIDEO).project, tmp_path / "out", tracks="no")
    assert "4 outside shapes of CVAT for video tracks left out: CVAT for images has no tracks" in warnings


def test_hand_edited_kept_extras_are_no_crash(tmp_path: Path) -> None:
    """A project file whose ``cvat_video`` extras are not what the reader made: the export still writes,
    each outside shape it cannot read said once, the range computed."""
    project = read_cvat(VIDEO).project
    project.extra["cvat_video"] = {
        "frames": 3,
        "task": ["size"],
        "outside": [1, {"track": 0}, {"track": "0", "part": None, "frame": -1, "tag": "box"}, "x"],
    }
    written = tmp_path / "out" / "annotations.xml"
    warnings = write_cvat(project, written.parent)
    assert "4 outside shapes kept in the project's cvat_video extras left out: not readable" in warnings
    assert _task(written) == {
        "size": "3", "start_frame": "10", "stop_frame": "16", "frame_filter": "step=3", "z_order": None
    }  # fmt: skip


def test_outside_shapes_come_back_after_convert_to_a_project_elsewhere(tmp_path: Path) -> None:
    """`pixelproof convert cvat_task/ project.json --to coco` writes the project in another folder: the
    frames' names then lead there from it (``images/...`` became ``for_video/images/...``), and so must the
    video each outside shape names. It did not: the export then found no frame 13 of video ``images``, said
    so, and made track 0's and 1's outside shapes up from the shape before them again."""
    from pixelproof.interop.coco_io import write_coco

    project = read_cvat(VIDEO).project
    write_coco(project, tmp_path / "p.json")
    # the project written from is not changed: an app's Export to COCO leaves the open project as it was
    assert {e["sequence"] for e in project.extra["cvat_video"]["outside"]} == {"images"}
    written = tmp_path / "out" / "annotations.xml"
    warnings = write_cvat(load_project(tmp_path / "p.json"), written.parent)
    assert warnings == ["1 image file not found; only their annotations were written"]
    assert _tracks(written) == _tracks(VIDEO / "annotations.xml")
