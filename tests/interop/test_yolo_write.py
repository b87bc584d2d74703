"""What ``write_yolo`` puts in label files: boxes that leave the image are clipped to it first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop.yolo import read_yolo, write_yolo


@pytest.mark.parametrize("task", ["detect", "segment"])
def test_boxes_leaving_the_image_are_clipped_to_it_with_a_warning(task: str, tmp_path: Path) -> None:
    Image.fromarray(np.zeros((60, 80, 3), np.uint8)).save(tmp_path / "x.png")
    project = new_project(["a"])
    project.path = tmp_path / "project.json"
    project.add_image(ImageRecord(1, "x.png", 80, 60))
    boxes = {
        # box -> its part inside the 80 x 60 image
        (-10.0, -20.0, 15.0, 30.0): (0.0, 0.0, 5.0, 10.0),  # the centre is outside: clamping it moved the box
        (70.0, 50.0, 20.0, 20.0): (70.0, 50.0, 10.0, 10.0),
        (10.0, 10.0, 20.0, 20.0): (10.0, 10.0, 20.0, 20.0),
    }
    for n, box in enumerate(boxes, start=1):
        project.add_annotation(Annotation(n, 1, 1, list(box), None, box[2] * box[3]))
    warnings = write_yolo(project, tmp_path / "yolo", task=task)
    assert any("2 object(s) reaching outside the image clipped to it" in w for w in warnings)
    back = read_yolo(tmp_path / "yolo").project
    got = [a.bbox for a in sorted(back.annotations.values(), key=lambda a: a.id)]
    for bbox, want in zip(got, boxes.values(), strict=True):
        assert bbox == pytest.approx(want, abs=1e-4)
