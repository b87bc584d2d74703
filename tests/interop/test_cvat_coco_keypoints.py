"""A COCO person_keypoints category (or one given keypoint names in the app) goes to CVAT as a skeleton
label, its objects' keypoints as ``<skeleton>``s, so a COCO -> CVAT export no longer drops them: CVAT read
back gives the same points, names and skeleton (the box becomes the labelled points' extent, said). A name
CVAT's label list cannot hold twice keeps the category's objects boxes, said."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.interop.cvat import read_cvat, write_cvat

NAMES = ["nose", "left_eye", "right_eye"]
POINTS = [30.0, 20.0, 2, 25.5, 18.0, 1, 0, 0, 0]


def _project(*more: str) -> Project:
    p = new_project(["person", "bus", *more])
    p.categories[1].extra.update({"keypoints": list(NAMES), "skeleton": [[1, 2], [1, 3], [1, 2], [2, 9]]})
    p.add_image(ImageRecord(1, "a.png", 100, 80))
    coco = {"keypoints": list(POINTS), "num_keypoints": 2}
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 40.0, 60.0], area=2400.0, extra=coco))
    p.add_annotation(Annotation(2, 1, 1, [60.0, 10.0, 20.0, 20.0], area=400.0))  # no keypoints yet
    p.add_annotation(Annotation(3, 1, 2, [5.0, 5.0, 10.0, 10.0], area=100.0))
    return p


def test_coco_keypoints_go_to_cvat_as_skeletons_and_come_back(tmp_path: Path) -> None:
    p = _project()
    warnings = write_cvat(p, tmp_path / "out", images="keep")
    assert (
        "1 object of person written as CVAT <skeleton>s of its COCO keypoints: CVAT keeps no box with a "
        "skeleton (read back, each box is its labelled points' extent)"
    ) in warnings
    assert "1 object of person without its keypoints: boxes" in warnings
    assert "keypoints" not in p.categories[1].extra.get("cvat", {})  # the project itself is not changed
    back = read_cvat(tmp_path / "out").project
    cat = back.category_by_name("person")
    assert cat.extra["keypoints"] == NAMES and cat.extra["skeleton"] == [[1, 2], [1, 3]]
    (posed,) = [a for a in back.annotations.values() if "keypoints" in a.extra]
    assert posed.extra["keypoints"] == POINTS and posed.extra["num_keypoints"] == 2
    assert posed.bbox == [25.5, 18.0, 4.5, 2.0]
    assert sorted(back.categories[a.category_id].name for a in back.annotations.values()) == [
        "bus",
        "person",
        "person",
    ]


def test_a_keypoint_named_as_another_label_keeps_the_objects_boxes_and_says_so(tmp_path: Path) -> None:
    p = _project("nose")
    warnings = write_cvat(p, tmp_path / "out", images="keep")
    assert any(w.startswith("person: its keypoints written as no CVAT skeleton") for w in warnings)
    xml = (tmp_path / "out" / "annotations.xml").read_text()
    assert "<skeleton" not in xml and "<type>skeleton" not in xml
