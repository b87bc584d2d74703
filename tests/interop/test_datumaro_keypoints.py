"""Datumaro ``skeleton`` and ``points`` annotations read as objects with keypoints, edited, and exported as
COCO person_keypoints (read by pycocotools) and CVAT skeletons. Data: Datumaro's skeleton dataset
(tests/data/datumaro, the CVAT fork's JSON) and small files in Datumaro's own ``elements`` form."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from pycocotools.coco import COCO

from pixelproof.core.keypoints import BOX_OF_KEYPOINTS, keypoints_of, with_keypoint
from pixelproof.core.limits import MAX_KEYPOINTS
from pixelproof.core.model import Project
from pixelproof.interop import write_coco
from pixelproof.interop.cvat import read_cvat, write_cvat
from pixelproof.interop.datumaro import read_datumaro

SKELETON = Path(__file__).resolve().parents[1] / "data/datumaro/datumaro_dataset/with_skeleton"
PARTS = ["point1-label", "point3-label", "point2-label"]


def _only(project: Project):
    (a,) = project.annotations.values()
    return a, project.images[a.image_id], project.categories[a.category_id]


def test_a_skeleton_is_an_object_with_its_points_category_names_joints_and_visibility() -> None:
    result = read_datumaro(SKELETON)
    a, image, cat = _only(result.project)
    assert [c.name for c in result.project.categories.values()] == ["skeleton-label"]  # parts are none
    assert cat.extra["keypoints"] == PARTS and cat.extra["skeleton"] == [[2, 3], [1, 2]]
    kp = keypoints_of(a, image, cat)
    assert kp.points == [(0.9, 3.53, 2), (2.45, 7.6, 2), (5.2, 2.5, 2)]
    assert kp.names == PARTS and kp.edges == [(1, 2), (0, 1)]
    assert a.bbox == [0.9, 2.5, 4.3, 5.1] and a.app_extra[BOX_OF_KEYPOINTS] is True
    assert "annotations" not in image.extra["pixelproof"]["datumaro"]  # no longer kept opaque
    assert not any("enclose no area" in p for p in result.problems)


def test_a_moved_point_goes_to_coco_and_cvat_and_reads_back_equal(tmp_path: Path) -> None:
    project = read_datumaro(SKELETON).project
    a, image, cat = _only(project)
    moved = with_keypoint(a, image, 1, 3.0, 9.5)  # point3 dragged out of the box
    moved = with_keypoint(moved, image, 2, visibility=1)  # point2 hidden
    assert moved.bbox == [0.9, 2.5, 4.3, 7.0]  # the box follows its points
    project.replace_annotation(moved)
    write_coco(project, tmp_path / "coco.json")
    coco = COCO(str(tmp_path / "coco.json"))
    (cat_id,) = coco.getCatIds(catNms=["skeleton-label"])
    assert coco.loadCats(cat_id)[0]["keypoints"] == PARTS
    assert coco.loadCats(cat_id)[0]["skeleton"] == [[2, 3], [1, 2]]
    (ann,) = coco.loadAnns(coco.getAnnIds(catIds=[cat_id]))
    assert ann["keypoints"] == [0.9, 3.53, 2, 3.0, 9.5, 2, 5.2, 2.5, 1] and ann["num_keypoints"] == 3
    write_cvat(project, tmp_path / "cvat")
    shape = ET.parse(tmp_path / "cvat" / "annotations.xml").getroot().find("image/skeleton")
    assert shape is not None
    assert [(p.get("label"), p.get("occluded"), p.get("points")) for p in shape.iter("points")] == [
        ("point1-label", "0", "0.90,3.53"),
        ("point3-label", "0", "3.00,9.50"),
        ("point2-label", "1", "5.20,2.50"),
    ]
    checkbox = shape.find("points[@label='point3-label']/attribute")  # a part's own attribute kept
    assert (
        checkbox is not None
        and checkbox.get("name") == "point3-attribute-checkbox"
        and checkbox.text == "true"
    )
    back = read_cvat(tmp_path / "cvat").project  # the svg drawn for CVAT joins the same parts
    b, b_image, b_cat = _only(back)
    assert keypoints_of(b, b_image, b_cat) == keypoints_of(moved, image, cat)
    assert b.bbox == moved.bbox


def _write(tmp_path: Path, annotations: list[dict]) -> Path:
    doc = {
        "categories": {
            "label": {
                "labels": [
                    {"name": "person", "parent": ""},
                    {"name": "head", "parent": "person"},
                    {"name": "hand", "parent": "person"},
                    {"name": "face", "parent": ""},
                ]
            },
            "points": {
                "items": [
                    {"label_id": 0, "labels": ["head", "hand"], "joints": [[1, 2]]},
                    {"label_id": 3, "labels": ["eye", "nose", "mouth"], "joints": [[1, 2], [2, 3], [0, 9]]},
                ]
            },
        },
        "items": [{"id": "a", "image": {"path": "a.png", "size": [40, 50]}, "annotations": annotations}],
    }
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "default.json").write_text(json.dumps(doc))
    return tmp_path


def test_datumaros_own_elements_and_a_points_annotation_with_visibility(tmp_path: Path) -> None:
    skeleton = {
        "type": "skeleton",
        "label_id": 0,
        "elements": [  # Datumaro's JSON: one points annotation per part, in any order
            {"type": "points", "label_id": 2, "points": [30, 20], "visibility": [1]},
            {"type": "points", "label_id": 1, "points": [10, 5], "visibility": [2], "attributes": {"c": 1}},
        ],
    }
    face = {"type": "points", "label_id": 3, "points": [5, 6, 0, 0, 9, 8], "visibility": [2, 0, 1]}
    project = read_datumaro(_write(tmp_path, [skeleton, face])).project
    person, face_cat = project.category_by_name("person"), project.category_by_name("face")
    assert face_cat.extra["skeleton"] == [[1, 2], [2, 3]]  # a joint of no part left out
    assert person.extra["cvat"]["type"] == "skeleton" and "cvat" not in face_cat.extra  # no parts of its own
    first, second = project.annotations.values()
    image = project.images[first.image_id]
    assert keypoints_of(first, image, person).points == [(10.0, 5.0, 2), (30.0, 20.0, 1)]
    assert first.bbox == [10.0, 5.0, 20.0, 15.0]
    assert keypoints_of(second, image, face_cat).points == [(5.0, 6.0, 2), (0.0, 0.0, 0), (9.0, 8.0, 1)]
    assert second.bbox == [5.0, 6.0, 4.0, 2.0]  # the absent point is not in it


def test_one_that_does_not_fit_its_parts_is_said_and_kept(tmp_path: Path) -> None:
    bad = [
        {
            "type": "skeleton",
            "label_id": 0,
            "elements": [{"type": "points", "label_id": 3, "points": [1, 1]}],
        },
        {"type": "points", "label_id": 3, "points": [1, 1, 2, 2, 3, 3], "visibility": [2, 7, 2]},
        {"type": "points", "label_id": 3, "points": [1, 1, 2, 2, 3, 9000]},
    ]
    result = read_datumaro(_write(tmp_path, bad))
    assert not result.project.annotations
    kept = next(iter(result.project.images.values())).extra["pixelproof"]["datumaro"]["annotations"]
    assert kept == bad
    said = [p for p in result.problems if "not read as keypoints" in p]
    assert "elements[0]: label_id 3 is no part of it" in said[0]
    assert "visibility 7 is none of 0 (absent), 1 (hidden), 2 (visible)" in said[1]
    assert "annotations[2] (points, face)" in said[2]


def test_joints_by_the_hundred_thousand_come_once_each_never_quadratic() -> None:
    """10**5 joints among 500 parts, each twice, with self-loops and indices out of range: each edge once,
    first given first, without the list search that made them 5 x 10**9 comparisons (minutes)."""
    from pixelproof.core.model import Category
    from pixelproof.interop._util import Builder, Reporter
    from pixelproof.interop.datumaro_keypoints import declare_keypoints

    project = Project()
    project.add_category(Category(1, "pose"))
    pairs = [[i % 500 + 1, i // 500 + 1] for i in range(50_000)]
    joints = pairs * 2 + [[3, 3], [0, 1], [1, 501], [1.0, 2]]
    categories = {
        "label": {"labels": [{"name": "pose"}]},
        "points": {"items": [{"label_id": 0, "labels": [f"p{i}" for i in range(500)], "joints": joints}]},
    }
    declare_keypoints(categories, ["pose"], Builder(project), "d.json", Reporter(None))
    assert project.categories[1].extra["skeleton"] == [p for p in pairs if p[0] != p[1]]


def test_points_categories_by_the_ten_thousand_are_indexed_once(tmp_path: Path) -> None:
    """30,000 labels, each with a points category, and a skeleton label of 30,000 parts and an annotation
    giving each: the categories and child labels are looked up in dicts (scanning all 60,000 labels for
    each entry was 1.8 x 10**9 tests: minutes); the big skeleton is refused (over MAX_KEYPOINTS), said
    naming its entry, and its annotation kept as read."""
    n = 30_000
    labels = [{"name": f"c{i}", "parent": ""} for i in range(n)] + [{"name": "big", "parent": ""}]
    labels += [{"name": f"p{i}", "parent": "big"} for i in range(n)]
    items = [{"label_id": i, "labels": ["a", "b"], "joints": [[1, 2]]} for i in range(n)]
    items.append({"label_id": n, "labels": [f"p{i}" for i in range(n)]})
    elements = [{"type": "points", "label_id": n + 1 + i, "points": [1, 1]} for i in range(n)]
    big = {"type": "skeleton", "label_id": n, "elements": elements}
    small = {"type": "points", "label_id": 7, "points": [1, 2, 3, 4], "visibility": [2, 2]}
    doc = {
        "categories": {"label": {"labels": labels}, "points": {"items": items}},
        "items": [{"id": "a", "image": {"path": "a.png", "size": [40, 50]}, "annotations": [small, big]}],
    }
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "default.json").write_text(json.dumps(doc))
    result = read_datumaro(tmp_path)
    project = result.project
    assert project.category_by_name(f"c{n - 1}").extra["keypoints"] == ["a", "b"]
    assert "keypoints" not in project.category_by_name("big").extra
    (a,) = project.annotations.values()
    assert project.categories[a.category_id].name == "c7" and a.extra["num_keypoints"] == 2
    kept = next(iter(project.images.values())).extra["pixelproof"]["datumaro"]["annotations"]
    assert kept == [big]
    assert any(
        f"categories.points.items[{n}] ('big'): {n:,} keypoints, over the limit of {MAX_KEYPOINTS:,}" in p
        for p in result.problems
    )
