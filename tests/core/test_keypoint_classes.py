"""An object's COCO keypoints are named by its category: a change of class to one that names other points
(or none) is refused, saying both (``core.keypoints.require_same_keypoints``), as CVAT keeps a skeleton in
labels of its kind; a merge into a class naming none gives it the merged class's names and skeleton, so
nothing is renamed or lost. A YOLO pose object's points are the dataset's: it changes class freely."""

from __future__ import annotations

import pytest

from pixelproof.core import taxonomy
from pixelproof.core.coco import new_project
from pixelproof.core.edits import set_category
from pixelproof.core.keypoints import KeypointsRefused
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

PERSON = ["nose", "left_eye", "right_eye"]


def _project() -> Project:
    p = new_project(["person", "dog", "bus", "human"])
    p.categories[1].extra.update({"keypoints": list(PERSON), "skeleton": [[1, 2], [1, 3]]})
    p.categories[2].extra.update({"keypoints": ["nose", "tail"]})
    p.add_image(ImageRecord(1, "a.png", 100, 80))
    coco = {"keypoints": [10, 10, 2, 12, 8, 1, 0, 0, 0], "num_keypoints": 2}
    p.add_annotation(Annotation(1, 1, 1, [5.0, 5.0, 20.0, 20.0], area=400.0, extra=coco))
    yolo = {"yolo": {"keypoints": [0.5, 0.5, 2], "kpt_shape": [1, 3], "box": [0.5, 0.5, 0.2, 0.2]}}
    p.add_annotation(Annotation(2, 1, 1, [40.0, 32.0, 20.0, 16.0], area=320.0, extra=yolo))
    p.add_annotation(Annotation(3, 1, 1, [60.0, 5.0, 10.0, 10.0], area=100.0))  # a box, no keypoints yet
    return p


@pytest.mark.parametrize(
    ("target", "said"),
    [(2, "dog names other keypoints (2: nose, tail)"), (3, "bus names no keypoints")],
)
def test_a_posed_object_keeps_its_class_when_the_new_one_names_other_keypoints(
    target: int, said: str
) -> None:
    p = _project()
    edit = set_category(p, [1], target)
    with pytest.raises(KeypointsRefused) as e:
        edit.apply(p)
    assert str(e.value).endswith(said)
    assert e.value.annotation_id == 1
    assert "#1 stays person: its 3 keypoints are person's" in str(e.value)
    assert p.annotations[1].category_id == 1


def test_a_box_without_keypoints_and_a_yolo_pose_object_change_class_freely() -> None:
    p = _project()
    set_category(p, [2, 3], 2).apply(p)
    assert p.annotations[2].category_id == 2 and p.annotations[3].category_id == 2


def test_a_class_of_the_same_keypoint_names_takes_a_posed_object() -> None:
    p = _project()
    p.categories[4].extra["keypoints"] = list(PERSON)
    set_category(p, [1], 4).apply(p)
    assert p.annotations[1].category_id == 4


def test_a_merge_into_a_class_naming_no_keypoints_gives_it_the_names_and_skeleton() -> None:
    p = _project()
    edit = taxonomy.merge_categories(p, "person", "human")
    edit.apply(p)
    assert p.annotations[1].category_id == 4
    assert p.categories[4].extra["keypoints"] == PERSON and p.categories[4].extra["skeleton"] == [
        [1, 2],
        [1, 3],
    ]
    edit.revert(p)
    assert p.annotations[1].category_id == 1 and "keypoints" not in p.categories[4].extra


def test_a_merge_into_a_class_naming_other_keypoints_is_refused() -> None:
    p = _project()
    with pytest.raises(taxonomy.TaxonomyError, match="cannot merge 'person' into 'dog': #1 stays person"):
        taxonomy.merge_categories(p, "person", "dog")


def test_a_renamed_class_keeps_its_keypoints() -> None:
    p = _project()
    taxonomy.rename_category(p, "person", "pedestrian").apply(p)
    assert p.categories[1].name == "pedestrian" and p.categories[1].extra["keypoints"] == PERSON


def test_a_category_object_is_untouched_by_a_refusal() -> None:
    p = _project()
    before = Category(1, "person", extra=dict(p.categories[1].extra))
    with pytest.raises(KeypointsRefused):
        set_category(p, [1, 3], 3).apply(p)
    assert p.annotations[3].category_id == 1  # nothing changed, the box neither
    assert p.categories[1].extra == before.extra


def test_a_lint_fix_giving_a_posed_object_another_class_is_refused() -> None:
    from pixelproof.core.lint.apply import FixError, fix_edit
    from pixelproof.core.lint.fixes import set_category as set_category_fix

    p = _project()
    with pytest.raises(FixError, match="#1 stays person"):
        fix_edit(p, set_category_fix(1, 3, "bus"))
    fix_edit(p, set_category_fix(3, 3, "bus")).apply(p)  # a box without keypoints: as before
    assert p.annotations[3].category_id == 3
