"""core.keypoints: an object's keypoints in image pixels whatever they were read from (a YOLO pose line, a
COCO person_keypoints triple), with the skeleton when known, and a moved keypoint written back where it was
read, so a YOLO export (read back) and a COCO file (read by pycocotools) hold the moved point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pycocotools.coco import COCO

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.geometry import translated, with_box
from pixelproof.core.keypoints import keypoints_of, with_keypoint
from pixelproof.core.model import Annotation, Category, ImageRecord
from pixelproof.interop.coco_io import write_coco
from pixelproof.interop.yolo import read_yolo, write_yolo
from tests.interop.test_yolo_ultralytics_yaml import _dataset

# images are 100 x 50: one person with 17 keypoints (visible, occluded, absent)
_LINE = "0 0.5 0.5 0.2 0.4 " + " ".join(["0.45 0.4 2"] * 8 + ["0.5 0.6 1"] * 8 + ["0 0 0"])


def _yolo(tmp_path: Path):
    root = _dataset(tmp_path / "pose", "coco8-pose.yaml", {"images/train/a.png": _LINE + "\n"})
    project = read_yolo(root).project
    (a,) = project.annotations.values()
    return project, a, project.images[a.image_id]


def _rows(file: Path) -> list[list[float]]:
    return [[float(v) for v in line.split()] for line in file.read_text().splitlines() if line.strip()]


def test_yolo_keypoints_in_pixels_with_the_coco_person_skeleton(tmp_path: Path) -> None:
    _, a, image = _yolo(tmp_path)
    kp = keypoints_of(a, image)
    assert kp is not None and kp.source == "yolo"
    assert kp.points[0] == pytest.approx((45.0, 20.0, 2))
    assert kp.points[8] == pytest.approx((50.0, 30.0, 1))
    assert kp.points[16][2] == 0  # absent: not drawn
    assert kp.shown() == list(range(16))
    assert (15, 13) in kp.edges and len(kp.edges) == 19  # COCO's [16, 14], 0-based


def test_a_moved_yolo_keypoint_is_written_by_the_export_and_read_back(tmp_path: Path) -> None:
    project, a, image = _yolo(tmp_path)
    moved = with_keypoint(a, image, 3, 60.0, 10.0)
    assert keypoints_of(moved, image).points[3] == pytest.approx((60.0, 10.0, 2))
    assert a.extra["yolo"]["keypoints"][9:11] == [0.45, 0.4]  # the original is untouched (undo keeps it)
    project.replace_annotation(moved)
    write_yolo(project, tmp_path / "out")
    (row,) = _rows(tmp_path / "out" / "labels" / "train" / "a.txt")
    assert row[5 + 9 : 5 + 12] == pytest.approx([0.6, 0.2, 2])
    assert row[5:14] == pytest.approx([0.45, 0.4, 2] * 3)  # the others as read
    (again,) = read_yolo(tmp_path / "out").project.annotations.values()
    assert keypoints_of(again, image).points[3] == pytest.approx((60.0, 10.0, 2))


def test_a_keypoint_moved_after_its_box_keeps_the_others_with_the_box(tmp_path: Path) -> None:
    """The box moved 10 px right: the keypoints are shown (and exported) with it; one dragged after that
    lands where it was dropped, the others stay with the box."""
    project, a, image = _yolo(tmp_path)
    shifted = translated(a, 10, 0, image.width, image.height)
    assert keypoints_of(shifted, image).points[0] == pytest.approx((55.0, 20.0, 2))
    moved = with_keypoint(shifted, image, 0, 40.0, 25.0)
    kp = keypoints_of(moved, image)
    assert kp.points[0] == pytest.approx((40.0, 25.0, 2))
    assert kp.points[1] == pytest.approx((55.0, 20.0, 2))
    project.replace_annotation(moved)
    warnings = write_yolo(project, tmp_path / "out")
    assert not any("moved with" in w for w in warnings), warnings  # stored where they are shown
    (row,) = _rows(tmp_path / "out" / "labels" / "train" / "a.txt")
    assert row[5:11] == pytest.approx([0.4, 0.5, 2, 0.55, 0.4, 2])


def test_yolo_visibility_set_and_a_two_value_shape_refused(tmp_path: Path) -> None:
    _, a, image = _yolo(tmp_path)
    assert keypoints_of(with_keypoint(a, image, 0, visibility=1), image).points[0][2] == 1
    a2 = Annotation(
        9, a.image_id, 1, list(a.bbox), extra={"yolo": {"keypoints": [0.5, 0.5], "kpt_shape": [1, 2]}}
    )
    assert keypoints_of(a2, image).points == [pytest.approx((50.0, 25.0, 2))]
    with pytest.raises(ValueError, match="no visibility"):
        with_keypoint(a2, image, 0, visibility=1)
    with pytest.raises(ValueError, match="out of range"):
        with_keypoint(a2, image, 1, 1.0, 1.0)


def _coco_file(tmp_path: Path) -> Path:
    data = {
        "images": [{"id": 1, "file_name": "a.png", "width": 100, "height": 50}],
        "categories": [
            {
                "id": 1,
                "name": "person",
                "supercategory": "person",
                "keypoints": ["nose", "left_eye", "right_eye"],
                "skeleton": [[1, 2], [1, 3], [2, 9]],  # the last names no point: left out
            }
        ],
        "annotations": [
            {
                "id": 5,
                "image_id": 1,
                "category_id": 1,
                "bbox": [10, 10, 40, 30],
                "area": 1200,
                "iscrowd": 0,
                "keypoints": [20, 15, 2, 30, 16, 1, 0, 0, 0],
                "num_keypoints": 2,
            }
        ],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    return path


def test_coco_keypoints_with_names_and_skeleton_moved_and_read_by_pycocotools(tmp_path: Path) -> None:
    path = _coco_file(tmp_path)
    project = load_project(path)
    a, image, cat = project.annotations[5], project.images[1], project.categories[1]
    kp = keypoints_of(a, image, cat)
    assert kp.source == "coco" and kp.names == ["nose", "left_eye", "right_eye"]
    assert kp.points == [(20.0, 15.0, 2), (30.0, 16.0, 1), (0.0, 0.0, 0)]
    assert kp.edges == [(0, 1), (0, 2)]
    moved = with_keypoint(a, image, 1, 33.5, 18.25, visibility=2)
    project.replace_annotation(moved)
    save_project(project, path)
    write_coco(project, tmp_path / "export" / "coco.json")  # and a COCO export
    for written in (path, tmp_path / "export" / "coco.json"):
        coco = COCO(str(written))
        ann = coco.loadAnns(coco.getAnnIds())[0]
        assert ann["keypoints"] == [20, 15, 2, 33.5, 18.25, 2, 0, 0, 0]
        assert ann["num_keypoints"] == 2
        assert coco.loadCats(coco.getCatIds())[0]["skeleton"] == [[1, 2], [1, 3], [2, 9]]
    unlabelled = with_keypoint(moved, image, 0, visibility=0)
    assert unlabelled.extra["num_keypoints"] == 1 and keypoints_of(unlabelled, image, cat).shown() == [1]


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"keypoints": "x"},
        {"keypoints": [1, 2]},
        {"keypoints": [1, 2, float("nan")]},
        {"yolo": {"keypoints": [0.5], "kpt_shape": [1, 2]}},
        {"yolo": {"keypoints": [0.5, 0.5], "kpt_shape": "17,3"}},
        {"yolo": []},
    ],
)
def test_broken_keypoints_are_none_not_a_crash(extra: dict) -> None:
    image = ImageRecord(1, "a.png", 100, 50)
    a = Annotation(1, 1, 1, [0.0, 0.0, 10.0, 10.0], extra=extra)
    assert keypoints_of(a, image) is None
    with pytest.raises(ValueError, match="no keypoints"):
        with_keypoint(a, image, 0, 1.0, 1.0)


def test_coco_keypoints_go_with_a_moved_or_resized_object(tmp_path: Path) -> None:
    """As a YOLO object's follow its box: a move carries the labelled points, a resize maps them onto the
    new box; an unlabelled one (v 0) stays 0 0 0."""
    project = load_project(_coco_file(tmp_path))
    a, image, cat = project.annotations[5], project.images[1], project.categories[1]
    moved = translated(a, 5, -2, image.width, image.height)
    assert moved.extra["keypoints"] == [25, 13, 2, 35, 14, 1, 0, 0, 0]
    assert a.extra["keypoints"] == [20, 15, 2, 30, 16, 1, 0, 0, 0]
    resized = with_box(a, [10.0, 10.0, 80.0, 15.0])  # twice as wide, half as high, from the same corner
    assert keypoints_of(resized, image, cat).points == [(30.0, 12.5, 2), (50.0, 13.0, 1), (0.0, 0.0, 0)]


def test_a_point_set_not_labelled_keeps_its_position_and_follows_its_box(tmp_path: Path) -> None:
    """v 0 set by the user: the position stays (COCO and YOLO), so the point can be made visible where it
    was; a moved box carries it like the labelled ones, while a never placed one (0 0) stays 0 0."""
    project = load_project(_coco_file(tmp_path))
    a, image, cat = project.annotations[5], project.images[1], project.categories[1]
    off = with_keypoint(a, image, 0, visibility=0)
    assert off.extra["keypoints"][:3] == [20, 15, 0] and off.extra["num_keypoints"] == 1
    assert [keypoints_of(off, image, cat).placed()] == [[0, 1]]
    moved = translated(off, 5, -2, image.width, image.height)
    assert moved.extra["keypoints"] == [25, 13, 0, 35, 14, 1, 0, 0, 0]
    project, y, image = _yolo(tmp_path)
    off = with_keypoint(y, image, 0, visibility=0)
    assert off.extra["yolo"]["keypoints"][:3] == pytest.approx([0.45, 0.4, 0])
    moved = translated(off, 10, 0, image.width, image.height)
    points = keypoints_of(moved, image).points
    assert points[0] == pytest.approx((55.0, 20.0, 0)) and points[16] == (0.0, 0.0, 0)


def test_keypoints_placed_on_an_object_without_them_coco_and_yolo(tmp_path: Path) -> None:
    """A category naming keypoints (COCO) or a pose dataset's kpt_shape (YOLO) lets an object without
    keypoints be given them: visible where placed, a skipped one not labelled (0 0 0, or 0 0)."""
    from pixelproof.core.keypoints import names_to_place, with_new_keypoints

    project = load_project(_coco_file(tmp_path))
    image, cat = project.images[1], project.categories[1]
    bare = Annotation(99, 1, 1, [10.0, 10.0, 40.0, 20.0], area=800.0)
    assert names_to_place(project.annotations[5], cat, None) is None  # it has keypoints
    names = names_to_place(bare, cat, None)
    assert names == cat.extra["keypoints"]
    placed = with_new_keypoints(bare, image, cat, None, [(12.0, 14.0), None, (30.5, 20.0)])
    assert placed.extra["keypoints"] == [12.0, 14.0, 2, 0, 0, 0, 30.5, 20.0, 2]
    assert placed.extra["num_keypoints"] == 2 and "keypoints" not in bare.extra
    with pytest.raises(ValueError):
        with_new_keypoints(bare, image, cat, None, [(1.0, 1.0)])
    pose = {"kpt_shape": [2, 3]}
    plain = type(cat)(7, "dog")
    assert names_to_place(bare, plain, pose) == ["keypoint 1", "keypoint 2"]
    assert (
        names_to_place(bare, plain, {"kpt_shape": "17"}) is None and names_to_place(bare, plain, None) is None
    )
    yolo = with_new_keypoints(bare, image, plain, pose, [(20.0, 15.0), None])
    kp = keypoints_of(yolo, image)
    assert kp.source == "yolo" and kp.points[0] == pytest.approx((20.0, 15.0, 2)) and kp.points[1][2] == 0
    two = with_new_keypoints(bare, image, plain, {"kpt_shape": [2, 2]}, [None, (20.0, 15.0)])
    assert keypoints_of(two, image).points[0] == (0.0, 0.0, 0)


def test_a_skeleton_of_a_million_repeated_edges_is_read_as_its_distinct_ones() -> None:
    """1,000,000 copies of one edge took seconds an object and every repaint drew them all: ``k`` points
    have at most k (k + 1) / 2 distinct edges, so no more entries are looked at, each kept once."""
    image = ImageRecord(1, "a.png", 100, 100)
    cat = Category(1, "person", extra={"skeleton": [[1, 2]] * 1_000_000 + [[2, 3]], "keypoints": ["a", "b"]})
    a = Annotation(1, 1, 1, [10.0, 10.0, 10.0, 10.0], extra={"keypoints": [11, 11, 2, 12, 12, 2]})
    found = keypoints_of(a, image, cat)
    assert found is not None and found.edges == [(0, 1)] and found.names == ["a", "b"]
    cat.extra["skeleton"] = [[2, 1], [1, 2], [2, 1], [0, 1], [1, 3], [1.0, 2], [2, 2]]
    assert keypoints_of(a, image, cat).edges == [(1, 0), (0, 1)]  # type: ignore[union-attr]


def test_keypoints_moved_with_a_box_never_become_infinity() -> None:
    """A COCO point at 1e308 whose box is doubled, a YOLO line read with a box of 1e-300: moving them with
    the box gave infinity, which a save writes as null (the keypoints then lost). They stay as read."""
    image = ImageRecord(1, "a.png", 100, 100)
    a = Annotation(1, 1, 1, [10.0, 10.0, 10.0, 10.0], extra={"keypoints": [1e308, 1e308, 2, 15, 15, 2]})
    assert with_box(a, [10.0, 10.0, 40.0, 40.0]).extra["keypoints"] == [1e308, 1e308, 2, 15, 15, 2]
    read_box = [1e300, 1e300, 1e-300, 1e-300]
    y = Annotation(2, 1, 1, [10.0, 10.0, 10.0, 10.0], extra={"yolo": {"keypoints": [0.15, 0.15, 2],
                   "kpt_shape": [1, 3], "box": read_box}})  # fmt: skip
    assert keypoints_of(y, image).points == [(15.0, 15.0, 2)]  # type: ignore[union-attr]
    assert with_keypoint(y, image, 0, visibility=1).extra["yolo"]["keypoints"] == [0.15, 0.15, 1.0]


def test_a_coco_category_of_a_million_keypoints_is_said_and_its_objects_kept_as_read(tmp_path: Path) -> None:
    """A category naming 10**6 keypoints and an object holding as many triples: the import says it (naming
    the category and MAX_KEYPOINTS); the object shows and offers no keypoints (a repaint made 10**6 points,
    placing one click each) and keeps them as read; a YOLO kpt_shape of 10**9 offers none to place."""
    from pixelproof.core.keypoints import names_to_place
    from pixelproof.core.limits import MAX_KEYPOINTS
    from pixelproof.interop.coco_io import read_coco

    n = 10**6
    cats = [{"id": 1, "name": "swarm", "keypoints": [f"k{i}" for i in range(n)], "skeleton": [[1, 2]]}]
    values = [1, 1, 2] * n
    ann = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}
    doc = {
        "images": [{"id": 1, "file_name": "a.png", "width": 100, "height": 50}],
        "annotations": [{**ann, "keypoints": values, "num_keypoints": n}, {**ann, "id": 2}],
        "categories": cats,
    }
    (tmp_path / "c.json").write_text(json.dumps(doc))
    result = read_coco(tmp_path / "c.json", check_images=False)
    project = result.project
    assert any(
        f"category 1 (swarm): {n:,} keypoints, over the limit of {MAX_KEYPOINTS:,}" in p
        for p in result.problems
    )
    a, b = project.annotations[1], project.annotations[2]
    cat, image = project.categories[1], project.images[1]
    assert keypoints_of(a, image, cat) is None and a.extra["keypoints"] == values
    assert names_to_place(b, cat, None) is None
    assert names_to_place(b, None, {"kpt_shape": [10**9, 3]}) is None
    assert names_to_place(b, None, {"kpt_shape": [MAX_KEYPOINTS, 3]})[-1] == f"keypoint {MAX_KEYPOINTS}"
