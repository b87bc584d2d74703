"""Copy / paste of posed objects (core.clipboard): into another project the change-of-class rule holds (a
category naming the same keypoints takes them, one naming none takes the copied names and skeleton as a
merge does, one naming others leaves that object out, saying why); onto a smaller image the points stay at
their pixels (outside it: not labelled, on its border), never squeezed into the cut box."""

from __future__ import annotations

import pytest

from pixelproof.core.clipboard import Pasted, copy_annotations, paste, pasted_edit
from pixelproof.core.coco import new_project
from pixelproof.core.keypoints import POSE_KEY, keypoints_of
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.propagate import propagate

PERSON = ["nose", "left_eye", "right_eye"]
SKELETON = [[1, 2], [1, 3]]


def _source() -> Project:
    """Image 1 (200 x 100): a posed person (1), a box of a car (2), a YOLO pose person (3)."""
    p = new_project(["person", "car"])
    p.categories[1].extra.update({"keypoints": list(PERSON), "skeleton": list(SKELETON)})
    p.add_image(ImageRecord(1, "a.png", 200, 100))
    p.add_image(ImageRecord(2, "b.png", 100, 100))  # narrower
    coco = {"keypoints": [80, 20, 2, 150, 50, 1, 0, 0, 0], "num_keypoints": 2}
    p.add_annotation(Annotation(1, 1, 1, [60.0, 10.0, 100.0, 80.0], area=8000.0, extra=coco))
    p.add_annotation(Annotation(2, 1, 2, [5.0, 5.0, 20.0, 20.0], area=400.0))
    yolo = {
        "yolo": {
            "keypoints": [80 / 200, 0.2, 2, 150 / 200, 0.5, 2, 0, 0, 0],
            "kpt_shape": [3, 3],
            "box": [110 / 200, 0.5, 0.5, 0.8],
        }
    }
    p.add_annotation(Annotation(3, 1, 1, [60.0, 10.0, 100.0, 80.0], area=8000.0, extra=yolo))
    return p


def _target(**person: object) -> Project:
    """Another project: person (1, with ``person`` in its extras), car (2); one 200 x 100 image."""
    p = new_project(["person", "car"])
    p.categories[1].extra.update(person)
    p.add_image(ImageRecord(1, "t.png", 200, 100))
    return p


def _pasted(dst: Project) -> Pasted:
    """The three objects copied from another project (alive while pasted) and pasted onto ``dst``."""
    src = _source()
    return paste(copy_annotations(src, 1, [1, 2, 3]), dst, 1)


def test_a_category_naming_the_same_keypoints_takes_the_posed_object_as_is() -> None:
    dst = _target(keypoints=list(PERSON))
    got = _pasted(dst)
    assert not got.refused and not got.named and len(got.annotations) == 3
    assert got.annotations[0].extra["keypoints"] == [80, 20, 2, 150, 50, 1, 0, 0, 0]


def test_a_category_naming_none_takes_the_names_and_skeleton_in_the_paste_s_undo_step() -> None:
    dst = _target()
    got = _pasted(dst)
    assert not got.refused and len(got.annotations) == 3
    edit = pasted_edit(got, "Paste 3 objects")
    edit.apply(dst)
    assert dst.categories[1].extra == {"keypoints": PERSON, "skeleton": SKELETON}
    kp = keypoints_of(got.annotations[0], dst.images[1], dst.categories[1])
    assert kp is not None and kp.names == PERSON and kp.edges == [(0, 1), (0, 2)]
    edit.revert(dst)
    assert dst.categories[1].extra == {} and dst.annotations == {}


def test_a_category_naming_other_keypoints_leaves_that_object_out_and_says_why() -> None:
    dst = _target(keypoints=["nose", "tail"])
    got = _pasted(dst)
    # the car and the YOLO pose person (its points are the dataset's, unnamed) are pasted
    assert sorted(a.category_id for a in got.annotations) == [1, 2]
    assert all("keypoints" not in a.extra for a in got.annotations)
    assert got.refused == [
        "its 3 keypoints are named by the copied person, and here person names other keypoints"
        " (2: nose, tail)"
    ]
    assert dst.categories[1].extra == {"keypoints": ["nose", "tail"]} and not got.named


def test_a_category_naming_none_but_holding_unnamed_keypoints_leaves_it_out() -> None:
    dst = _target()
    unnamed = {"keypoints": [1, 1, 2], "num_keypoints": 1}
    dst.add_annotation(Annotation(9, 1, 1, [0.0, 0.0, 5.0, 5.0], area=25.0, extra=unnamed))
    got = _pasted(dst)
    assert got.refused == [
        "its 3 keypoints are named by the copied person, and here person names no keypoints"
        " and holds keypoints of its own"
    ]
    assert len(got.annotations) == 2 and dst.categories[1].extra == {}


def test_pasted_back_into_its_own_project_nothing_is_refused() -> None:
    src = _source()
    got = paste(copy_annotations(src, 1, [1, 2, 3]), src, 1)
    assert len(got.annotations) == 3 and not got.refused and not got.named


@pytest.mark.parametrize("how", ["paste", "propagate"])
def test_on_a_smaller_image_the_points_stay_at_their_pixels_and_those_outside_are_not_labelled(
    how: str,
) -> None:
    src = _source()
    if how == "paste":
        coco, _, yolo = paste(copy_annotations(src, 1, [1, 2, 3]), src, 2).annotations
    else:
        edit = propagate(src, 1, [1, 3], [2]).edit
        assert edit is not None
        coco, yolo = edit.annotations
    image = src.images[2]  # 100 x 100: the boxes are cut to x 60..100
    assert coco.bbox == yolo.bbox == [60.0, 10.0, 40.0, 80.0]
    # 80, 20 where it was (not squeezed to 68, 20); 150, 50 outside: on the border, not labelled
    assert coco.extra["keypoints"] == [80, 20, 2, 100.0, 50, 0, 0, 0, 0] and coco.extra["num_keypoints"] == 1
    kp = keypoints_of(yolo, image)
    assert kp is not None and kp.points == [(80.0, 20.0, 2), (100.0, 50.0, 0), (0.0, 0.0, 0)]


def test_a_yolo_line_without_visibility_marks_a_point_outside_absent() -> None:
    p = _source()
    p.annotations[3].extra["yolo"] = {"keypoints": [0.4, 0.2, 0.75, 0.5], "kpt_shape": [2, 2], "box": None}
    (yolo,) = paste(copy_annotations(p, 1, [3]), p, 2).annotations
    assert yolo.extra["yolo"]["keypoints"] == [0.8, 0.2, 0.0, 0.0]
    kp = keypoints_of(yolo, p.images[2])
    assert kp is not None and kp.points == [(80.0, 20.0, 2), (0.0, 0.0, 0)]


def test_a_copy_on_an_image_of_the_same_size_keeps_its_keypoints_as_read() -> None:
    p = _source()
    pasted = paste(copy_annotations(p, 1, [1, 3]), p, 1).annotations
    assert [a.extra for a in pasted] == [p.annotations[1].extra, p.annotations[3].extra]


@pytest.mark.parametrize("shape", [[17, 3], [3, 2]])
def test_a_yolo_pose_object_into_a_pose_dataset_of_another_kpt_shape_is_left_out_and_said(shape) -> None:
    dst = _target()
    dst.extra[POSE_KEY] = {"kpt_shape": shape}
    src = _source()
    pasted = paste(copy_annotations(src, 1, [2, 3]), dst, 1)
    assert [a.category_id for a in pasted.annotations] == [2]  # the car; the YOLO person left out
    assert pasted.refused == [
        "its 3 YOLO keypoints are of kpt_shape [3, 3], and this project's pose dataset is of kpt_shape "
        f"{shape}"
    ]


def test_a_yolo_pose_object_goes_into_a_project_of_its_kpt_shape_or_of_none() -> None:
    src = _source()
    for kept in ({"kpt_shape": [3, 3]}, None):
        dst = _target()
        if kept is not None:
            dst.extra[POSE_KEY] = kept
        pasted = paste(copy_annotations(src, 1, [3]), dst, 1)
        assert pasted.refused == [] and pasted.annotations[0].extra["yolo"]["kpt_shape"] == [3, 3]
    dst = _target()  # no kpt_shape kept: its objects' is the dataset's
    dst.add_annotation(Annotation(9, 1, 1, [0.0, 0.0, 5.0, 5.0], extra={"yolo": {"kpt_shape": [5, 2]}}))
    assert len(paste(copy_annotations(src, 1, [3]), dst, 1).refused) == 1
