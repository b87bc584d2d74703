"""Detect, then segment on a real picture: yolo11n.onnx finds boxes, grabcut outlines each one."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from skimage import data

from pixelproof.core.coco import new_project
from pixelproof.core.edits.box_masks import FROM_BOX
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.inference.base import BackendError
from pixelproof.inference.classical import GrabCutBackend, ThresholdBackend
from pixelproof.inference.from_boxes import (
    BoxFailure,
    box_annotations,
    empty_box_reason,
    failure_lines,
    segment_boxes,
)
from pixelproof.inference.onnx_yolo import YoloOnnxBackend

pytest.importorskip("onnxruntime")


def test_yolo_boxes_become_grabcut_masks(shared_models: Path) -> None:
    image = data.coffee()
    yolo = YoloOnnxBackend()
    yolo.configure(model_path=shared_models / "yolo11n.onnx", threads=2, score_threshold=0.5)
    project = new_project(["cup"])
    project.add_image(ImageRecord(1, "coffee.png", image.shape[1], image.shape[0]))
    for i, p in enumerate(yolo.predict(image), start=1):
        project.add_annotation(Annotation(i, 1, 1, p.bbox, area=p.bbox[2] * p.bbox[3], review="pending"))
    boxes = box_annotations(project, 1)
    assert boxes  # the cup
    results = segment_boxes(GrabCutBackend(), image, boxes)
    assert [b.id for b, _, _ in results] == [b.id for b in boxes]
    for box, pred, why in results:
        assert pred is not None, why
        x, y = math.floor(box.bbox[0]), math.floor(box.bbox[1])
        w, h = math.ceil(box.bbox[0] + box.bbox[2]) - x, math.ceil(box.bbox[1] + box.bbox[3]) - y
        mask = pred.full_mask(*image.shape[:2])
        inside = mask[y : y + h, x : x + w].sum()
        assert inside == mask.sum()  # grabcut keeps to its box
        assert 0.3 * w * h < inside < 0.98 * w * h  # an outline, not the box
    # a box that already has a mask made from it is not prompted again
    project.add_annotation(Annotation(50, 1, 1, [0, 0, 5, 5], segmentation={"size": [1, 1], "counts": "1"},
                                      app_extra={FROM_BOX: boxes[0].id}))  # fmt: skip
    assert boxes[0].id not in [b.id for b in box_annotations(project, 1)]
    with pytest.raises(BackendError, match="not interactive"):
        segment_boxes(ThresholdBackend(), image, boxes)


def test_a_box_the_backend_refuses_is_reported_not_raised() -> None:
    image = np.zeros((40, 40, 3), np.uint8)
    thin = Annotation(1, 1, 1, [100.0, 100.0, 5.0, 5.0])  # outside the image: grabcut refuses it
    ((box, pred, why),) = segment_boxes(GrabCutBackend(), image, [thin])
    assert box is thin and pred is None and "outside the image" in why


def test_empty_boxes_are_reported_before_the_backend_sees_them() -> None:
    """A zero-width box and one outside the picture fail with the same reason whatever the backend."""
    image = np.zeros((40, 60, 3), np.uint8)
    flat = Annotation(1, 1, 1, [10.0, 10.0, 0.0, 5.0])
    outside = Annotation(2, 1, 1, [-30.0, 5.0, 20.0, 5.0])
    project = new_project(["cup"])
    project.add_image(ImageRecord(1, "a.png", 60, 40))
    project.add_annotation(flat)
    assert box_annotations(project, 1) == [flat]  # attempted, so its failure is told
    results = segment_boxes(GrabCutBackend(), image, [flat, outside])
    assert [(b.id, p, why) for b, p, why in results] == [
        (1, None, "the box is empty (0 x 5 px)"),
        (2, None, "the box is outside the image (empty once clamped to 60x40)"),
    ]
    assert empty_box_reason([55.5, 0, 10, 10], 40, 60) == ""


def test_failure_lines_name_each_box_then_count_the_rest() -> None:
    failures = [("a.png", BoxFailure(i, "cup", "mask empty")) for i in range(1, 5)]
    assert failure_lines(failures, 2) == [
        "a.png: annotation 1 (cup): mask empty",
        "a.png: annotation 2 (cup): mask empty",
        "... and 2 more boxes not outlined",
    ]
    assert len(failure_lines(failures)) == 4


def test_a_mask_scores_no_more_than_the_pending_detection_it_was_made_from() -> None:
    """GrabCut scores each mask 1.0: the mask of a 0.30 detection read 1.00, so a score cut (the Show
    slider, Accept All in Project, ``predictions accept --min-score``) kept and accepted it, and
    accepting it turned the 0.30 box into an accepted mask. A box a person drew keeps the mask's score."""
    image = np.zeros((60, 80, 3), np.uint8)
    image[15:45, 20:60] = (200, 180, 40)
    src = "model:yolo-onnx/yolo11n.onnx@8.4.190"
    weak = Annotation(1, 1, 1, [15.0, 10.0, 50.0, 40.0], score=0.3, source=src, review="pending")
    drawn = Annotation(2, 1, 1, [15.0, 10.0, 50.0, 40.0], source="manual")
    kept = Annotation(3, 1, 1, [15.0, 10.0, 50.0, 40.0], score=0.3, source=src, review="accepted")
    results = segment_boxes(GrabCutBackend(), image, [weak, drawn, kept])
    assert [round(p.score, 2) for _, p, _ in results] == [0.3, 1.0, 1.0]
