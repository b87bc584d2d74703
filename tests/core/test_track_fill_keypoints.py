"""Fill Between Frames on a posed track (core.keypoint_fill): each filled object carries the keys' keypoints
mixed linearly point by point, with CVAT's visibility rule (the earlier key's visibility kept; a point not
labelled there stays so; a later point never placed gives no place to go), written as the key holds them
(COCO triples, a YOLO pose line, a CVAT skeleton's extent box); COCO, YOLO pose and CVAT for video exports
give the filled points back; keys with other keypoints are passed over, said. Before, the filled frames got
boxes without keypoints."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.keypoint_fill import point_between
from pixelproof.core.keypoints import BOX_OF_KEYPOINTS, keypoints_of, with_keypoint
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.track_fill import OTHER_KEYPOINTS, fill_between_frames, untouched_fill
from pixelproof.interop.coco_io import read_coco, write_coco
from pixelproof.interop.cvat import read_cvat, write_cvat
from pixelproof.interop.yolo import read_yolo, write_yolo
from pixelproof.interop.yolo_writer import POSE_KEY

NAMES = ["nose", "left_eye", "right_eye", "tail"]
# key on frame 0 and on frame 4: nose visible at both; left_eye occluded then visible; right_eye not
# labelled then visible; tail visible then never placed (0 0 0)
K0 = [10.0, 10.0, 2, 20.0, 20.0, 1, 30.0, 30.0, 0, 15.0, 15.0, 2]
K4 = [30.0, 10.0, 2, 40.0, 40.0, 2, 50.0, 50.0, 2, 0, 0, 0]
# frame 1 (t = 1/4), by hand: nose 10 + 20/4 = 15; left_eye 20 + 20/4 = 25, still occluded; right_eye as on
# frame 0, not labelled; tail where it was
F1 = [15.0, 10.0, 2, 25.0, 25.0, 1, 30.0, 30.0, 0, 15.0, 15.0, 2]
F2 = [20.0, 10.0, 2, 30.0, 30.0, 1, 30.0, 30.0, 0, 15.0, 15.0, 2]


def clip(tmp_path: Path | None = None, frames: int = 5) -> Project:
    """Frames frame_00000N.png (image id N + 1) of 100 x 80, written to ``tmp_path`` when given; class
    person naming ``NAMES``."""
    p = new_project(["person"]) if tmp_path is None else Project(path=tmp_path / "p.json")
    if tmp_path is not None:
        p.categories.update(new_project(["person"]).categories)
    p.categories[1].extra.update({"keypoints": list(NAMES), "skeleton": [[1, 2], [1, 3]]})
    for f in range(frames):
        if tmp_path is not None:
            Image.new("RGB", (100, 80)).save(tmp_path / f"frame_{f:06d}.png")
        p.add_image(ImageRecord(f + 1, f"frame_{f:06d}.png", 100, 80))
    return p


def key(p: Project, frame: int, bbox: list[float], **extra: object) -> None:
    ann_id = max(p.annotations, default=0) + 1
    p.add_annotation(
        Annotation(ann_id, frame + 1, 1, bbox, area=bbox[2] * bbox[3], extra={"track_id": 3, **extra})
    )


def filled(p: Project) -> dict[int, Annotation]:
    done = fill_between_frames(p, 1, 3)
    assert done.edit is not None, done
    done.edit.apply(p)
    return {a.image_id - 1: a for a in p.annotations.values()}


def coco_track(tmp_path: Path | None = None) -> Project:
    p = clip(tmp_path)
    key(p, 0, [10.0, 10.0, 20.0, 20.0], keypoints=list(K0), num_keypoints=3)
    key(p, 4, [30.0, 10.0, 20.0, 40.0], keypoints=list(K4), num_keypoints=3)
    return p


def test_the_visibility_rule_point_by_point() -> None:
    assert point_between((0.0, 0.0, 2), (8.0, 4.0, 2), 0.25) == (2.0, 1.0, 2)
    assert point_between((0.0, 0.0, 1), (8.0, 4.0, 2), 0.5) == (4.0, 2.0, 1)  # occluded until the next key
    assert point_between((3.0, 3.0, 0), (8.0, 4.0, 2), 0.5) == (3.0, 3.0, 0)  # not labelled until then
    assert point_between((0.0, 0.0, 2), (8.0, 4.0, 0), 0.5) == (4.0, 2.0, 2)  # towards where it left view
    assert point_between((1.0, 1.0, 2), (0, 0, 0), 0.5) == (1.0, 1.0, 2)  # never placed: nowhere to go


def test_coco_keypoints_are_mixed_by_frame_number_with_cvats_visibility() -> None:
    anns = filled(coco_track())
    assert anns[1].extra["keypoints"] == F1 and anns[2].extra["keypoints"] == F2
    assert anns[1].extra["num_keypoints"] == 3 and anns[1].extra["track_id"] == 3
    assert anns[1].bbox == pytest.approx([15.0, 10.0, 20.0, 25.0])
    assert untouched_fill(anns[1])


def test_a_moved_filled_point_makes_the_fill_a_key_kept_by_the_next_fill() -> None:
    p = coco_track()
    anns = filled(p)
    moved = with_keypoint(anns[2], p.images[3], 0, 60.0, 60.0)
    assert not untouched_fill(moved)  # the digest holds the keypoints
    ReplaceAnnotations([moved]).apply(p)
    again = fill_between_frames(p, 1, 3)
    assert again.keys == 3  # frame 2 is a key now: frames 1 and 3 refilled around it, it is kept
    again.edit.apply(p)  # type: ignore[union-attr]
    assert p.annotations[moved.id].extra["keypoints"][:3] == [60.0, 60.0, 2]


def test_a_cvat_skeletons_box_is_its_filled_points_extent() -> None:
    p = clip()
    key(p, 0, [10.0, 10.0, 20.0, 20.0], keypoints=list(K0), num_keypoints=3)
    key(p, 4, [30.0, 10.0, 20.0, 40.0], keypoints=list(K4), num_keypoints=3)
    for a in p.annotations.values():
        a.app_extra[BOX_OF_KEYPOINTS] = True
    anns = filled(p)
    assert anns[1].bbox == [15.0, 10.0, 10.0, 15.0]  # nose, left_eye and tail; right_eye not labelled
    assert anns[1].app_extra[BOX_OF_KEYPOINTS] is True and untouched_fill(anns[1])


def test_keys_with_other_keypoints_are_passed_over_and_said() -> None:
    p = clip()
    key(p, 0, [10.0, 10.0, 20.0, 20.0], keypoints=list(K0), num_keypoints=3)
    key(p, 4, [30.0, 10.0, 20.0, 40.0])  # a plain box
    done = fill_between_frames(p, 1, 3)
    assert done.edit is None and done.skipped == {OTHER_KEYPOINTS: 3}
    p.annotations[2].extra["keypoints"] = K4[:9]  # three points against four
    assert fill_between_frames(p, 1, 3).skipped == {OTHER_KEYPOINTS: 3}


def test_coco_export_gives_the_filled_points_back(tmp_path: Path) -> None:
    p = coco_track(tmp_path)
    filled(p)
    write_coco(p, tmp_path / "out.json")
    back = read_coco(tmp_path / "out.json").project
    got = {
        Path(back.images[a.image_id].file_name).name: a.extra["keypoints"] for a in back.annotations.values()
    }
    assert got["frame_000001.png"] == F1 and got["frame_000002.png"] == F2


def test_cvat_video_export_gives_the_filled_points_back(tmp_path: Path) -> None:
    p = coco_track(tmp_path)
    filled(p)
    write_cvat(p, tmp_path / "out")
    (track,) = ET.parse(tmp_path / "out" / "annotations.xml").getroot().findall("track")
    nose = track.find("track[@label='nose']")
    assert nose is not None  # the filled frames are CVAT's interpolated ones, the skeleton's and its points'
    for shapes in (track.findall("skeleton"), nose.findall("points")):
        assert [s.get("keyframe") for s in shapes] == ["1", "0", "0", "0", "1"]
    back = read_cvat(tmp_path / "out").project
    cat = back.category_by_name("person")
    got = {
        Path(back.images[a.image_id].file_name).name: keypoints_of(a, back.images[a.image_id], cat)
        for a in back.annotations.values()
    }
    for name, want in (("frame_000001.png", F1), ("frame_000002.png", F2)):
        kp = got[name]
        assert kp is not None and kp.names == NAMES
        labelled = [(x, y, v) for x, y, v in kp.points if v > 0]
        assert labelled == [tuple(want[i : i + 3]) for i in range(0, 12, 3) if want[i + 2] > 0]


def test_yolo_pose_points_are_mixed_and_a_pose_export_gives_them_back(tmp_path: Path) -> None:
    p = clip(tmp_path)
    p.categories[1].extra.clear()
    p.extra[POSE_KEY] = {"kpt_shape": [3, 3]}
    # normalised on 100 x 80: (0.1, 0.125) = (10, 10) px ...
    a = {
        "kpt_shape": [3, 3],
        "keypoints": [0.1, 0.125, 2, 0.2, 0.25, 1, 0.3, 0.375, 0],
        "box": [0.2, 0.25, 0.2, 0.25],
    }
    b = {
        "kpt_shape": [3, 3],
        "keypoints": [0.3, 0.125, 2, 0.4, 0.5, 2, 0.5, 0.625, 2],
        "box": [0.4, 0.25, 0.2, 0.25],
    }
    key(p, 0, [10.0, 10.0, 20.0, 20.0], yolo=a)
    key(p, 4, [30.0, 10.0, 20.0, 20.0], yolo=b)
    anns = filled(p)
    kept = anns[1].extra["yolo"]
    assert kept["kpt_shape"] == [3, 3]
    assert kept["keypoints"] == pytest.approx([0.15, 0.125, 2, 0.25, 0.3125, 1, 0.3, 0.375, 0])
    assert kept["box"] == pytest.approx([0.25, 0.25, 0.2, 0.25])  # the filled box, which they go with
    write_yolo(p, tmp_path / "out", task="pose", images="copy")
    back = read_yolo(tmp_path / "out").project
    got = {Path(back.images[a.image_id].file_name).name: a for a in back.annotations.values()}
    one = got["frame_000001.png"]
    assert one.extra["yolo"]["keypoints"] == pytest.approx(kept["keypoints"], abs=1e-6)
    assert one.bbox == pytest.approx(anns[1].bbox, abs=1e-3)


def test_yolo_points_without_visibility_stay_absent_at_0_0() -> None:
    p = clip()
    a = {"kpt_shape": [2, 2], "keypoints": [0.1, 0.125, 0, 0], "box": [0.2, 0.25, 0.2, 0.25]}
    b = {"kpt_shape": [2, 2], "keypoints": [0.3, 0.125, 0.5, 0.5], "box": [0.4, 0.25, 0.2, 0.25]}
    key(p, 0, [10.0, 10.0, 20.0, 20.0], yolo=a)
    key(p, 4, [30.0, 10.0, 20.0, 20.0], yolo=b)
    anns = filled(p)
    assert anns[2].extra["yolo"]["keypoints"] == pytest.approx([0.2, 0.125, 0.0, 0.0])
