"""Deciding pending predictions in bulk (the Model panel and ``pixelproof predictions`` share it): which
ones a score range, categories and images pick, and that accepting a mask made from a box still turns the
box into the mask when the box is accepted in the same step."""

from __future__ import annotations

import numpy as np

from pixelproof.core import masks
from pixelproof.core.coco import new_project
from pixelproof.core.edits.box_masks import FROM_BOX
from pixelproof.core.edits.prediction_review import (
    accept_predictions,
    pending_predictions,
    reject_predictions,
)
from pixelproof.core.model import Annotation, ImageRecord


def shelf():
    project = new_project(["cup", "dining table"])
    for i in (1, 2):
        project.add_image(ImageRecord(i, f"{i}.png", 60, 40))
    src = "model:yolo-onnx/yolo11n.onnx@8.4.190"

    def pred(aid, image, cat, score, **kw):
        kw.setdefault("source", src)
        kw.setdefault("review", "pending")
        project.add_annotation(Annotation(aid, image, cat, [1.0, 1.0, 10.0, 10.0], score=score, **kw))

    pred(1, 1, 1, 0.9)
    pred(2, 1, 1, 0.3)
    pred(3, 1, 2, 0.8)  # the table under the shelf
    pred(4, 2, 1, None)  # no score: never below a cut, always above one
    pred(5, 2, 1, 0.95, review="accepted")  # decided already
    pred(6, 2, 1, 0.1, source="manual", review=None)  # a label, not a prediction
    pred(7, 2, 2, 0.2, review="rejected")  # a reviewer's decision stays
    return project


def ids(anns) -> list[int]:
    return [a.id for a in anns]


def test_pending_predictions_by_score_category_and_image() -> None:
    project = shelf()
    assert ids(pending_predictions(project)) == [1, 2, 3, 4]
    assert ids(pending_predictions(project, min_score=0.5)) == [1, 3, 4]
    assert ids(pending_predictions(project, below=0.5)) == [2]
    assert ids(pending_predictions(project, category_ids={2})) == [3]
    assert ids(pending_predictions(project, image_ids={2})) == [4]
    assert ids(pending_predictions(project, min_score=0.2, below=0.85, category_ids={1})) == [2]


def test_reject_deletes_and_accept_marks_accepted_both_undone() -> None:
    project = shelf()
    edit = reject_predictions(pending_predictions(project, category_ids={2}), "Reject")
    edit.apply(project)
    assert 3 not in project.annotations and 7 in project.annotations
    edit.revert(project)
    assert 3 in project.annotations
    edit = accept_predictions(project, pending_predictions(project, min_score=0.5), "Accept")
    edit.apply(project)
    assert {a.id: a.review for a in project.annotations.values()}[1] == "accepted"
    assert ids(pending_predictions(project)) == [2]
    edit.revert(project)
    assert ids(pending_predictions(project)) == [1, 2, 3, 4]


def test_accepting_a_box_and_its_mask_together_keeps_the_box_id_as_the_mask() -> None:
    project = new_project(["cup"])
    project.add_image(ImageRecord(1, "a.png", 60, 40))
    src = "model:yolo-onnx/yolo11n.onnx@8.4.190"
    box = Annotation(4, 1, 1, [10.0, 5.0, 30.0, 20.0], area=600.0, score=0.7, source=src, review="pending")
    m = np.zeros((40, 60), bool)
    m[8:22, 12:38] = True
    mask = Annotation(
        9, 1, 1, masks.bbox(m), segmentation=masks.encode(m), area=float(m.sum()), score=1.0,
        source="model:grabcut/builtin@1", review="pending", app_extra={FROM_BOX: 4},
    )  # fmt: skip
    project.add_annotation(box)
    project.add_annotation(mask)
    accept_predictions(project, pending_predictions(project), "Accept").apply(project)
    assert list(project.annotations) == [4]
    got = project.annotations[4]
    assert got.kind == "mask" and got.review == "accepted" and got.category_id == 1
