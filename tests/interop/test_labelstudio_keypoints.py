"""Label Studio ``keypointlabels`` nested under a region (``parentID``) read as that object's keypoints,
moved, and exported: COCO person_keypoints (read by pycocotools) and Label Studio results under the region
again (read back equal; the config checked by Label Studio's own ``parse_config``)."""

from __future__ import annotations

import json
from pathlib import Path

from label_studio_tools.core import label_config
from PIL import Image
from pycocotools.coco import COCO

from pixelproof.core.keypoints import keypoints_of, with_keypoint
from pixelproof.core.limits import MAX_KEYPOINTS
from pixelproof.interop import write_coco
from pixelproof.interop.labelstudio import read_labelstudio, write_labelstudio

SIZE = {"original_width": 200, "original_height": 100}


def _box(rid: str, x: float) -> dict:
    value = {"x": x, "y": 10, "width": 20, "height": 40, "rotation": 0, "rectanglelabels": ["person"]}
    return {
        "id": rid,
        "type": "rectanglelabels",
        "from_name": "box",
        "to_name": "img",
        "value": value,
        **SIZE,
    }


def _point(rid: str, x: float, y: float, name: str, parent: str | None = None) -> dict:
    value = {"x": x, "y": y, "width": 0.75, "keypointlabels": [name]}
    r = {"id": rid, "type": "keypointlabels", "from_name": "kp", "to_name": "img", "value": value, **SIZE}
    return {**r, "parentID": parent} if parent else r


def _read(tmp_path: Path):
    results = [
        _box("r1", 10),
        _point("k1", 15, 20, "nose", "r1"),
        _point("k2", 25, 40, "hand", "r1"),
        _box("r2", 50),
        _point("k3", 60, 30, "hand", "r2"),
        _point("k4", 90, 90, "nose"),  # under no region: kept as a result, as before
        _point("k5", 16, 21, "nose", "r1"),  # a second nose of r1: kept, said
    ]
    tasks = [{"id": 1, "data": {"image": "a.png"}, "annotations": [{"id": 1, "result": results}]}]
    Image.new("RGB", (200, 100)).save(tmp_path / "a.png")
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    return read_labelstudio(tmp_path / "export.json")


def test_points_under_a_region_are_its_keypoints_named_by_their_labels(tmp_path: Path) -> None:
    result = _read(tmp_path)
    project = result.project
    cat = project.category_by_name("person")
    assert cat.extra["keypoints"] == ["nose", "hand"] and cat.extra["skeleton"] == []
    first, second = project.annotations.values()
    image = project.images[first.image_id]
    kp = keypoints_of(first, image, cat)
    assert kp.points == [(30.0, 20.0, 2), (50.0, 40.0, 2)] and kp.names == ["nose", "hand"]
    assert keypoints_of(second, image, cat).points == [(0.0, 0.0, 0), (120.0, 30.0, 2)]
    kept = image.extra["pixelproof"]["labelstudio"]["results"]
    assert [r["id"] for r in kept] == ["k4", "k5"]
    assert any(
        "keypoint 'k5': a second 'nose' under region 'r1'; kept as a result" in p for p in result.problems
    )
    assert any(
        "3 keypoints nested under regions (parentID) read as their objects' keypoints" in p
        for p in result.problems
    )
    assert any("(2 keypointlabels) kept in the image extras" in p for p in result.problems)


def test_a_moved_point_is_exported_to_coco_and_label_studio_and_read_back_equal(tmp_path: Path) -> None:
    project = _read(tmp_path).project
    cat = project.category_by_name("person")
    first = next(iter(project.annotations.values()))
    image = project.images[first.image_id]
    moved = with_keypoint(first, image, 1, 44.0, 61.0)
    project.replace_annotation(moved)
    write_coco(project, tmp_path / "coco.json")
    coco = COCO(str(tmp_path / "coco.json"))
    (cat_id,) = coco.getCatIds(catNms=["person"])
    assert coco.loadCats(cat_id)[0]["keypoints"] == ["nose", "hand"]
    anns = coco.loadAnns(coco.getAnnIds(catIds=[cat_id]))
    assert [a["keypoints"] for a in anns] == [[30, 20, 2, 44, 61, 2], [0, 0, 0, 120, 30, 2]]
    write_labelstudio(project, tmp_path / "out")
    (task,) = json.loads((tmp_path / "out" / "tasks.json").read_text())
    points = [r for r in task["annotations"][0]["result"] if r["type"] == "keypointlabels"]
    assert [(r["id"], r.get("parentID"), r["value"]["keypointlabels"]) for r in points] == [
        ("k1", "r1", ["nose"]),
        ("k2", "r1", ["hand"]),
        ("k3", "r2", ["hand"]),
        ("k4", None, ["nose"]),
        ("k5", "r1", ["nose"]),  # kept as read, under r1 still
    ]
    assert points[1]["value"] == {"x": 22.0, "y": 61.0, "width": 0.75, "keypointlabels": ["hand"]}
    assert points[1]["from_name"] == "kp" and points[1]["to_name"] == "image"
    parsed = label_config.parse_config((tmp_path / "out" / "label_config.xml").read_text())
    assert parsed["kp"]["type"] == "KeyPointLabels" and set(parsed["kp"]["labels"]) == {"nose", "hand"}
    back = read_labelstudio(tmp_path / "out" / "tasks.json").project
    again = list(back.annotations.values())
    back_cat = back.category_by_name("person")
    assert [keypoints_of(a, back.images[a.image_id], back_cat) for a in again] == [
        keypoints_of(a, image, cat) for a in project.annotations.values()
    ]


def test_points_whose_parent_is_no_region_stay_kept_results_never_a_traceback(tmp_path: Path) -> None:
    """parentID a list or an object (a TypeError, unhashable, crashed the whole read), two points each
    the other's parent, a region not there, or points 1e308 % or -5 % across: each stays a kept result
    (the far one said, naming the point); the good point under r1 is read."""
    far = _point("k5", 1e308, 20, "hand", "r1")
    results = [
        _box("r1", 10),
        _point("k1", 15, 20, "nose", "r1"),
        {**_point("k2", 15, 20, "hand"), "parentID": ["r1"]},
        {**_point("k3", 15, 20, "hand"), "parentID": {"id": "r1"}},
        _point("k4", 15, 20, "hand", "k6"),
        _point("k6", 15, 20, "hand", "k4"),  # a -> b -> a
        _point("k7", 15, 20, "hand", "missing"),
        far,
        _point("k8", -5, 20, "hand", "r1"),
    ]
    tasks = [{"id": 1, "data": {"image": "a.png"}, "annotations": [{"id": 1, "result": results}]}]
    Image.new("RGB", (200, 100)).save(tmp_path / "a.png")
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    result = read_labelstudio(tmp_path / "export.json")
    (a,) = result.project.annotations.values()
    cat = result.project.category_by_name("person")
    image = result.project.images[a.image_id]
    assert cat.extra["keypoints"] == ["nose", "hand"]
    assert keypoints_of(a, image, cat).points == [(30.0, 20.0, 2), (-10.0, 20.0, 2)]  # k8 at -5 % kept
    kept = image.extra["pixelproof"]["labelstudio"]["results"]
    assert [r["id"] for r in kept] == ["k2", "k3", "k4", "k6", "k7", "k5"]
    assert any("keypoint 'k5':" in p and "kept as a result" in p for p in result.problems)


def test_names_past_max_keypoints_stay_kept_results_and_many_names_read_in_linear_time(
    tmp_path: Path,
) -> None:
    """10**5 keypoint names under one region (searched in a list, 5 x 10**9 tests: minutes) and a second
    region with one more: the category keeps the first MAX_KEYPOINTS names (each object a triple per name),
    the points of the others stay kept results as they were, each said naming the point and the limit."""
    n = 100_000
    results = [_box("r1", 10), *(_point(f"k{i}", 15, 20, f"n{i}", "r1") for i in range(n))]
    results += [_box("r2", 50), _point("late", 60, 30, "n0", "r2"), _point("new", 60, 30, "extra", "r2")]
    tasks = [{"id": 1, "data": {"image": "a.png"}, "annotations": [{"id": 1, "result": results}]}]
    Image.new("RGB", (200, 100)).save(tmp_path / "a.png")
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    result = read_labelstudio(tmp_path / "export.json")
    project = result.project
    cat = project.category_by_name("person")
    assert cat.extra["keypoints"] == [f"n{i}" for i in range(MAX_KEYPOINTS)]
    first, second = project.annotations.values()
    assert len(first.extra["keypoints"]) == len(second.extra["keypoints"]) == 3 * MAX_KEYPOINTS
    assert first.extra["num_keypoints"] == MAX_KEYPOINTS and second.extra["num_keypoints"] == 1
    kept = project.images[first.image_id].extra["pixelproof"]["labelstudio"]["results"]
    assert [r["id"] for r in kept] == [f"k{i}" for i in range(MAX_KEYPOINTS, n)] + ["new"]
    assert any(
        f"keypoint 'k{MAX_KEYPOINTS}':" in p and f"over the limit of {MAX_KEYPOINTS:,}" in p and "kept" in p
        for p in result.problems
    )


def test_each_annotators_points_under_their_regions_are_their_objects_keypoints(tmp_path: Path) -> None:
    """Two annotators' versions side by side (``annotator_versions="each"``): the older one's points nested
    under its own region are that object's keypoints too, and go back under it. Before, only the most
    recent version's were; the other's were "results that are no regions ... not imported", lost."""
    older = [_box("a1", 10), _point("k1", 15, 20, "nose", "a1"), _point("k2", 25, 40, "hand", "a1")]
    newer = [_box("b1", 11), _point("k3", 16, 21, "nose", "b1"), _point("k4", 90, 90, "nose")]
    tasks = [{"id": 1, "data": {"image": "a.png"}, "annotations": [
        {"id": 1, "completed_by": 3, "updated_at": "2026-01-01T00:00:00Z", "result": older},
        {"id": 2, "completed_by": 4, "updated_at": "2026-01-02T00:00:00Z", "result": newer},
    ]}]  # fmt: skip
    Image.new("RGB", (200, 100)).save(tmp_path / "a.png")
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    result = read_labelstudio(tmp_path / "export.json", annotator_versions="each")
    project = result.project
    cat = project.category_by_name("person")
    image = next(iter(project.images.values()))
    by_who = {a.app_extra["annotator"]: a for a in project.annotations.values()}
    assert keypoints_of(by_who["user3"], image, cat).points == [(30.0, 20.0, 2), (50.0, 40.0, 2)]
    assert keypoints_of(by_who["user4"], image, cat).points == [(32.0, 21.0, 2), (0.0, 0.0, 0)]
    assert not any("of the other annotators' versions not imported" in p for p in result.problems)
    assert [r["id"] for r in image.extra["pixelproof"]["labelstudio"]["results"]] == ["k4"]
    write_labelstudio(project, tmp_path / "out")
    (task,) = json.loads((tmp_path / "out" / "tasks.json").read_text())
    nested = sorted(
        (r["id"], r["parentID"]) for a in task["annotations"] for r in a["result"] if "parentID" in r
    )
    assert nested == [("k1", "a1"), ("k2", "a1"), ("k3", "b1")]
