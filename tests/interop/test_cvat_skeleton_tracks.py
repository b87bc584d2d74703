"""CVAT for video skeleton tracks read as a pose (an object with keypoints) on each frame the skeleton is
on, with its track's ``track_id``, and written back as the same skeleton track: before, they stayed opaque
shapes in the frames' extras, shown and edited nowhere. Data: Datumaro's CVAT for video export
(tests/data/datumaro/cvat_dataset/for_video, see SOURCE.md there), whose skeleton track 3 is keyed on
frame 10, CVAT's interpolation (``keyframe="0"``) on 13 and 16, its part 3 outside from 13."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from pixelproof.core.keypoints import keypoints_of, with_keypoint
from pixelproof.core.model import Annotation, Project
from pixelproof.interop.cvat import read_cvat, write_cvat

VIDEO = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_video"


def _poses(project: Project) -> dict[str, Annotation]:
    """The skeleton category's objects by their frame's file name."""
    cat = project.category_by_name("skeleton")
    assert cat is not None
    return {
        Path(project.image(a.image_id).file_name).name: a
        for a in project.annotations.values()
        if a.category_id == cat.id
    }


def _points(project: Project) -> dict[str, tuple]:
    return {name: (a.extra["track_id"], tuple(a.extra["keypoints"])) for name, a in _poses(project).items()}


def _flags(xml: Path, track: str) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(part label or "", frame) -> (keyframe, points) of skeleton track ``track`` and its parts."""
    found = ET.parse(xml).getroot().find(f"track[@id='{track}']")
    assert found is not None
    out = {("", s.get("frame", "")): (s.get("keyframe"), s.get("points")) for s in found.findall("skeleton")}
    for part in found.findall("track"):
        out.update(
            {(part.get("label", ""), s.get("frame", "")): (s.get("keyframe"), s.get("points")) for s in part}
        )
    return out


def test_a_skeleton_track_is_a_pose_on_each_frame_with_its_track_id() -> None:
    project = read_cvat(VIDEO).project
    poses = _poses(project)
    assert list(poses) == ["frame_000010.png", "frame_000013.png", "frame_000016.png"]
    assert {a.extra["track_id"] for a in poses.values()} == {3}
    cat = project.category_by_name("skeleton")
    shown = keypoints_of(poses["frame_000013.png"], project.images[poses["frame_000013.png"].image_id], cat)
    assert shown is not None and shown.names == ["1", "2", "3", "4"]
    # part 3 went out of view on 13 (an outside keyframe) and stays out on 16, where CVAT wrote it no point
    for name in ("frame_000013.png", "frame_000016.png"):
        assert poses[name].extra["keypoints"][6:9] == [83.27, 106.61, 0]
    assert poses["frame_000010.png"].extra["keypoints"][6:9] == [83.27, 106.61, 2]
    # no longer kept as opaque shapes in the frames' extras
    kept = [
        s["tag"]
        for i in project.images.values()
        for s in i.extra.get("pixelproof", {}).get("cvat", {}).get("shapes", [])
    ]
    assert "skeleton" not in kept


def test_a_point_moved_on_one_frame_goes_back_moved_as_a_keyframe(tmp_path: Path) -> None:
    """Point 1 dragged on frame 13 (CVAT's interpolated frame): written there at its new place as a
    keyframe of its part track and of the skeleton; the other parts there and frame 16, untouched, keep
    CVAT's ``keyframe="0"``; read back, every pose and track id is the one written."""
    project = read_cvat(VIDEO).project
    pose = _poses(project)["frame_000013.png"]
    project.replace_annotation(with_keypoint(pose, project.images[pose.image_id], 0, 50.5, 115.25))
    write_cvat(project, tmp_path / "out", images="copy")
    written = tmp_path / "out" / "annotations.xml"
    flags, given = _flags(written, "3"), _flags(VIDEO / "annotations.xml", "3")
    assert flags[("1", "13")] == ("1", "50.50,115.25")
    assert flags[("", "13")] == ("1", "50.50,115.25;48.80,156.28;83.27,106.61;89.11,159.91")
    assert {k: v for k, v in flags.items() if k not in (("1", "13"), ("", "13"))} == {
        k: v for k, v in given.items() if k not in (("1", "13"), ("", "13"))
    }
    assert flags[("2", "13")] == ("0", "48.80,156.28") and flags[("", "16")][0] == "0"
    again = read_cvat(tmp_path / "out").project
    assert _points(again) == _points(project)
    assert _points(again)["frame_000013.png"][1][:3] == (50.5, 115.25, 2)


def test_a_copy_made_in_pixelproof_is_a_keyframe(tmp_path: Path) -> None:
    """A pose pasted or propagated onto frame 16 (source "manual", its points frame 13's as read) is the
    user's: a keyframe of the skeleton and every part, not CVAT's interpolation to be recomputed."""
    project = read_cvat(VIDEO).project
    pose = _poses(project)["frame_000016.png"]
    pose.source = "manual"
    write_cvat(project, tmp_path / "out", images="copy")
    flags = _flags(tmp_path / "out" / "annotations.xml", "3")
    assert {k: v[0] for k, v in flags.items() if k[1] == "16"} == {
        ("", "16"): "1", ("1", "16"): "1", ("2", "16"): "1", ("4", "16"): "1"
    }  # fmt: skip


# A skeleton track laid out as the Datumaro fixture's (a CVAT for video export: the skeleton's shapes, then
# a part track per point, each shape with frame, outside, occluded, keyframe, points, z_order): the hand
# leaves the view on frame 1 (the skeleton and its points ``outside="1"``) and comes back on frame 2. Written
# here because that export has no outside skeleton; CVAT's own dump_as_cvat_interpolation was not read.
LABELS = (
    "<labels><label><name>hand</name><type>skeleton</type><attributes/><svg>"
    '&lt;line data-type="edge" data-node-from="1" data-node-to="2"&gt;&lt;/line&gt;'
    '&lt;circle data-type="element node" data-node-id="1" data-label-name="tip"&gt;&lt;/circle&gt;'
    '&lt;circle data-type="element node" data-node-id="2" data-label-name="base"&gt;&lt;/circle&gt;'
    "</svg></label>"
    "<label><name>tip</name><type>points</type><attributes/><parent>hand</parent></label>"
    "<label><name>base</name><type>points</type><attributes/><parent>hand</parent></label></labels>"
)


def _shape(tag: str, frame: int, outside: int, points: str) -> str:
    return (
        f'<{tag} frame="{frame}" outside="{outside}" occluded="0" keyframe="1" points="{points}" z_order="0">'
        f"</{tag}>"
    )


def _hand_task(folder: Path) -> Path:
    (folder / "images").mkdir(parents=True)
    for f in range(3):
        Image.new("RGB", (20, 10)).save(folder / "images" / f"frame_{f:06d}.png")
    at = {"tip": ["1.00,2.00", "1.00,2.00", "5.00,6.00"], "base": ["3.00,4.00", "3.00,4.00", "7.00,8.00"]}
    skeleton = "".join(
        _shape("skeleton", f, int(f == 1), f"{at['tip'][f]};{at['base'][f]}") for f in range(3)
    )
    parts = "".join(
        f'<track id="{k}" label="{name}" source="manual">'
        + "".join(_shape("points", f, int(f == 1), at[name][f]) for f in range(3))
        + "</track>"
        for k, name in enumerate(at)
    )
    (folder / "annotations.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version><meta><task>'
        "<size>3</size><mode>interpolation</mode><start_frame>0</start_frame><stop_frame>2</stop_frame>"
        f"{LABELS}<original_size><width>20</width><height>10</height></original_size></task></meta>"
        f'<track id="7" label="hand" source="manual">{skeleton}{parts}</track></annotations>'
    )
    return folder / "annotations.xml"


def _track(xml: Path) -> list[tuple[str, str, dict[str, str]]]:
    """Every shape of the file's tracks with all its attributes, by track label and frame."""
    found = ET.parse(xml).getroot().find("track")
    assert found is not None
    shapes = [(found.get("label", ""), s) for s in found if s.tag != "track"]
    shapes += [(p.get("label", ""), s) for p in found.findall("track") for s in p]
    return sorted((label, s.get("frame", ""), dict(s.attrib)) for label, s in shapes)


def test_a_frame_the_skeleton_is_outside_has_no_pose_and_goes_back_as_read(tmp_path: Path) -> None:
    given = _hand_task(tmp_path / "in")
    project = read_cvat(given.parent).project
    by_frame = {Path(i.file_name).name: project.annotations_of(i.id) for i in project.images.values()}
    assert [len(anns) for anns in by_frame.values()] == [1, 0, 1]  # frame 1 is in view of D, empty
    assert [a.extra["track_id"] for a in project.annotations.values()] == [7, 7]
    assert by_frame["frame_000002.png"][0].extra["keypoints"] == [5.0, 6.0, 2, 7.0, 8.0, 2]
    write_cvat(project, tmp_path / "out", images="copy")
    written = tmp_path / "out" / "annotations.xml"
    assert _track(written) == _track(given)  # the outside skeleton and points of frame 1 as CVAT wrote them
    assert ET.parse(written).getroot().find("track").get("id") == "7"  # type: ignore[union-attr]
