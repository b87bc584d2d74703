"""CVAT for video tracks, on the real export in tests/data/datumaro/cvat_dataset/for_video (cvat-ai/datumaro,
MIT, see SOURCE.md there): each track shape not ``outside`` is a shape on its frame's image, as Datumaro's
CVAT importer reads it; tracks were skipped whole, so a video task came in empty."""

from __future__ import annotations

from pathlib import Path

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
    [box] = project.annotations.values()
    assert Path(project.image(box.image_id).file_name).name == "frame_000010.png"
    assert names[box.category_id] == "II" and list(box.bbox) == [3.0, 4.0, 7.0, 1.0]
    assert box.app_extra["occluded"] == 1
    # points (track 1, with its attribute), a polyline (track 2) and the skeleton with the parts on that frame
    assert _shapes(frames["frame_000010.png"]) == [("points", "klhg", 0), ("skeleton", "skeleton", 4)]
    assert _shapes(frames["frame_000013.png"]) == [("polyline", "II", 0), ("skeleton", "skeleton", 3)]
    kept = frames["frame_000010.png"].extra["pixelproof"]["cvat"]["shapes"]
    assert kept[0]["attributes"] == {"hgl": "hgkf"}
    assert not result.skipped.get("tracks")
    assert any("4 <track> elements (CVAT for video) read as 6 shapes on 3 frames" in s for s in said)

    # back to CVAT (for images): the same frames, box and kept shapes
    write_cvat(project, tmp_path / "out")
    again = read_cvat(tmp_path / "out").project
    assert [Path(i.file_name).name for i in again.images.values()] == list(frames)
    [box2] = again.annotations.values()
    assert list(box2.bbox) == [3.0, 4.0, 7.0, 1.0]
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
    assert f"{xml}: <track> 7 (car): <box> 1: frame 'x1' is no frame number; skipped" in said, said
    assert f"{xml}: <track> 7 (car): <box> 3: no frame; skipped" in said
    assert f"{xml}: <track> 7 (car): <box> 4: frame '-3' is no frame number; skipped" in said
    assert result.skipped["invalid"] == 3
