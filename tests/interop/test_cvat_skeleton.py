"""CVAT ``<skeleton>`` shapes read as objects with keypoints, edited, and written back as skeletons (and as
COCO person_keypoints by the COCO export). Data: Datumaro's CVAT skeleton task (tests/data/datumaro)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from pycocotools.coco import COCO

from pixelproof.core.geometry import clone
from pixelproof.core.keypoints import carry_keypoints, keypoints_of, with_keypoint
from pixelproof.core.limits import MAX_KEYPOINTS
from pixelproof.core.model import Project
from pixelproof.interop import write_coco
from pixelproof.interop.cvat import read_cvat, write_cvat

TASK = Path(__file__).resolve().parents[1] / "data/datumaro/cvat_dataset/for_images/skeleton_task/train.xml"


def _skeletons(project: Project) -> list:
    cat = project.category_by_name("skeleton")
    return [a for a in project.annotations.values() if a.category_id == cat.id]


def test_a_skeleton_is_an_object_with_named_joined_keypoints_and_its_points_extent_as_box() -> None:
    project = read_cvat(TASK).project
    cat = project.category_by_name("skeleton")
    assert cat.extra["keypoints"] == ["1", "2", "3", "4"]
    assert cat.extra["skeleton"] == [[3, 2], [1, 4]]  # the svg's lines, node ids as their circles name them
    first, second = _skeletons(project)
    kp = keypoints_of(first, project.images[first.image_id], cat)
    assert kp.points == [(1.0, 1.0, 0), (2.0, 2.0, 2), (3.0, 3.0, 2), (4.0, 4.0, 2)]  # 1 is outside="1"
    assert kp.names == ["1", "2", "3", "4"] and kp.edges == [(2, 1), (0, 3)]
    assert first.bbox == [2.0, 2.0, 2.0, 2.0]  # the labelled points' extent (the outside one not in it)
    assert second.bbox == [3.0, 3.0, 3.0, 3.0] and second.extra["num_keypoints"] == 3
    # no longer kept as an opaque shape: the polyline and the points shape still are
    kept = [s["tag"] for i in project.images.values() for s in i.extra["pixelproof"]["cvat"]["shapes"]]
    assert kept == ["polyline", "points"]


def test_a_moved_point_is_written_back_moved_in_the_same_skeleton_and_read_back_equal(tmp_path: Path) -> None:
    project = read_cvat(TASK).project
    cat = project.category_by_name("skeleton")
    first = _skeletons(project)[0]
    image = project.images[first.image_id]
    moved = with_keypoint(first, image, 3, 6.5, 7.25)  # point 4 dragged out of the box
    moved = with_keypoint(moved, image, 1, visibility=1)  # point 2 made occluded
    moved = with_keypoint(moved, image, 0, visibility=2)  # point 1 (outside) made visible where it lies
    assert moved.bbox == [1.0, 1.0, 5.5, 6.25]  # the box follows its points
    project.replace_annotation(moved)
    write_cvat(project, tmp_path / "cvat")
    doc = ET.parse(tmp_path / "cvat" / "annotations.xml").getroot()
    shape = doc.find("image/skeleton")
    assert shape is not None and doc.find("image/box[@label='skeleton']") is None  # no box written for it
    points = [(p.get("label"), p.get("outside"), p.get("occluded"), p.get("points")) for p in shape]
    assert points == [
        ("1", "0", "0", "1.00,1.00"),
        ("2", "0", "1", "2.00,2.00"),
        ("3", "0", "0", "3.00,3.00"),
        ("4", "0", "0", "6.50,7.25"),
    ]
    # the attributes CVAT's own export gives a skeleton and its points (dump_as_cvat_annotation)
    original = ET.parse(TASK).getroot().find("image/skeleton")
    assert set(shape.attrib) == {"label", "source", "z_order"}
    assert [set(p.attrib) for p in shape] == [set(p.attrib) for p in original]  # z_order kept as read
    back = read_cvat(tmp_path / "cvat").project
    again = _skeletons(back)[0]
    assert again.extra == moved.extra and again.bbox == moved.bbox
    assert keypoints_of(again, back.images[again.image_id], back.category_by_name("skeleton")) == (
        keypoints_of(moved, image, cat)
    )
    assert [a.extra for a in _skeletons(back)[1:]] == [a.extra for a in _skeletons(project)[1:]]


def test_a_moved_skeleton_box_carries_its_points_into_the_export(tmp_path: Path) -> None:
    project = read_cvat(TASK).project
    second = _skeletons(project)[1]
    moved = clone(second)
    moved.bbox = [second.bbox[0] + 1, second.bbox[1] + 2, second.bbox[2], second.bbox[3]]
    carry_keypoints(second, moved)
    project.replace_annotation(moved)
    write_cvat(project, tmp_path / "cvat")
    shape = ET.parse(tmp_path / "cvat" / "annotations.xml").getroot().findall("image/skeleton")[1]
    assert [p.get("points") for p in shape] == ["4.00,5.00", "5.00,6.00", "6.00,7.00", "7.00,8.00"]


def test_a_skeleton_that_does_not_fit_its_label_is_kept_as_read_and_said(tmp_path: Path) -> None:
    text = TASK.read_text().replace(
        '<points label="4" occluded="0" source="manual" outside="0" points="4,4"',
        ('<points label="9" occluded="0" source="manual" outside="0" points="4,4"'),
    )
    xml = tmp_path / "train.xml"
    xml.write_text(text)
    result = read_cvat(xml)
    assert len(_skeletons(result.project)) == 1
    assert any(
        "<skeleton> 3 (skeleton): not read as keypoints: <points> '9' is no part" in p
        for p in result.problems
    )
    kept = result.project.images[1].extra["pixelproof"]["cvat"]["shapes"]
    assert [s["tag"] for s in kept] == ["polyline", "skeleton"]
    write_cvat(result.project, tmp_path / "cvat")  # written back as read
    written = ET.parse(tmp_path / "cvat" / "annotations.xml").getroot().findall("image/skeleton")
    assert [p.get("label") for p in written[0]] == ["1", "2", "3", "9"]


def test_the_coco_export_writes_person_keypoints_pycocotools_reads(tmp_path: Path) -> None:
    project = read_cvat(TASK).project
    first = _skeletons(project)[0]
    project.replace_annotation(with_keypoint(first, project.images[first.image_id], 3, 5.0, 6.0))
    write_coco(project, tmp_path / "coco.json")
    coco = COCO(str(tmp_path / "coco.json"))
    (cat_id,) = coco.getCatIds(catNms=["skeleton"])
    cat = coco.loadCats(cat_id)[0]
    assert cat["keypoints"] == ["1", "2", "3", "4"] and cat["skeleton"] == [[3, 2], [1, 4]]
    anns = coco.loadAnns(coco.getAnnIds(catIds=[cat_id]))
    assert [a["keypoints"] for a in anns] == [
        [1, 1, 0, 2, 2, 2, 3, 3, 2, 5, 6, 2],
        [3, 3, 2, 4, 4, 2, 5, 5, 0, 6, 6, 2],
    ]
    assert [a["num_keypoints"] for a in anns] == [3, 3] and anns[0]["bbox"] == [2, 2, 3, 4]


def test_a_hostile_svg_gives_its_edges_once_in_order_never_quadratic() -> None:
    """10**5 lines between 500 nodes (each edge drawn twice; self-loops; lines naming missing nodes; an
    entity the fragment does not declare): the edges come once each, first drawn first, without the list
    search that made 10**5 lines 5 x 10**9 comparisons (minutes), and an undeclared entity gives none."""
    from pixelproof.interop.cvat_skeleton import svg_edges

    names = [f"p{i}" for i in range(500)]
    circles = "".join(f'<circle data-node-id="{i}" data-label-name="p{i}"/>' for i in range(500))
    pairs = [(i % 500, i // 500) for i in range(50_000)]  # 49,900 distinct edges
    lines = "".join(f'<line data-node-from="{a}" data-node-to="{b}"/>' for a, b in pairs * 2)
    extra = '<line data-node-from="3" data-node-to="3"/><line data-node-from="3" data-node-to="nowhere"/>'
    got = svg_edges(circles + lines + extra, names)
    want = list(dict.fromkeys((a + 1, b + 1) for a, b in pairs if a != b))
    assert got == [list(e) for e in want]
    assert svg_edges(circles + "&lol;" + lines, names) == []


def test_a_skeleton_label_past_max_keypoints_is_refused_said_and_its_shapes_kept_as_read(
    tmp_path: Path,
) -> None:
    """A skeleton label of 10**5 parts and a shape giving each (10**5 x 10**5 / 2 ``names.index`` tests,
    and each object 10**5 slots): no keypoints for the label, said naming it and the limit; its skeletons
    stay kept shapes, written back as read. The label of 4 parts is still read as before."""
    n = 100_000
    parts = "".join(
        f"<label><name>p{i}</name><type>points</type><parent>big</parent></label>" for i in range(n)
    )
    points = "".join(
        f'<points label="p{i}" outside="0" occluded="0" points="1,1"></points>' for i in range(n)
    )
    text = TASK.read_text()
    text = text.replace(
        "</labels>", f"<label><name>big</name><type>skeleton</type><svg></svg></label>{parts}</labels>"
    )
    text = text.replace("</image>", f'<skeleton label="big" z_order="0">{points}</skeleton></image>', 1)
    xml = tmp_path / "train.xml"
    xml.write_text(text)
    result = read_cvat(xml)
    project = result.project
    assert "keypoints" not in project.category_by_name("big").extra
    assert len(_skeletons(project)) == 2  # the small label's, read as before
    assert any(
        f"label 'big': {n:,} keypoints, over the limit of {MAX_KEYPOINTS:,}" in p and "kept as read" in p
        for p in result.problems
    )
    kept = [s for i in project.images.values() for s in i.extra["pixelproof"]["cvat"]["shapes"]]
    assert [s["tag"] for s in kept if s.get("attrib", {}).get("label") == "big"] == ["skeleton"]
