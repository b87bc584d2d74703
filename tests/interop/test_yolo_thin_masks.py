"""A YOLO segment export says which masks Ultralytics reads back wider than drawn: its ``polygon2mask``
truncates the points to whole pixels and fills them with ``cv2.fillPoly``, which takes in the outline, so
a 2 px scratch (an inspection team's typical defect) trains as about 3.5 px. A large mask is not named."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pixelproof.core import annotation_pixels, masks
from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop.yolo import read_yolo, write_yolo


def ultralytics_polygon2mask(line: str, w: int, h: int) -> np.ndarray:
    """Ultralytics' own reading of one segment line (``ultralytics.data.utils.polygon2mask``, ratio 1)."""
    xy = np.array(line.split()[1:], np.float32).reshape(-1, 2) * (w, h)
    out = np.zeros((h, w), np.uint8)
    cv2.fillPoly(out, [np.asarray(xy, dtype=np.int32)], 1)
    return out.astype(bool)


def add_mask(project, ann_id: int, image_id: int, mask: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    ys, xs = np.nonzero(mask)
    box = [float(xs.min()), float(ys.min()), float(np.ptp(xs) + 1), float(np.ptp(ys) + 1)]
    project.add_annotation(Annotation(ann_id, image_id, 1, box, masks.encode(mask), float(mask.sum())))


def test_thin_and_tiny_masks_are_named_as_ultralytics_reads_them_wider(tmp_path: Path) -> None:
    w = h = 256
    project = new_project(["scratch"])
    project.path = tmp_path / "project.json"
    scratch = np.zeros((h, w), bool)
    for t in range(120):  # a 2 px scratch falling one row every third column
        scratch[60 + t // 3 : 62 + t // 3, 40 + t] = True
    blob = np.zeros((h, w), bool)
    blob[100:200, 50:180] = True
    for i, (name, mask) in enumerate([("scratch.png", scratch), ("blob.png", blob)], start=1):
        Image.fromarray(np.zeros((h, w), np.uint8)).save(tmp_path / name)
        project.add_image(ImageRecord(i, name, w, h))
        add_mask(project, i, i, mask)
    warnings = write_yolo(project, tmp_path / "yolo", task="segment")

    # what Ultralytics trains on: the scratch grows by more than half, the blob by a rim
    read = {}
    for name, mask in (("scratch", scratch), ("blob", blob)):
        line = (tmp_path / "yolo" / "labels" / "train" / f"{name}.txt").read_text().strip()
        read[name] = (ultralytics_polygon2mask(line, w, h) != mask).sum() / mask.sum()
    assert read["scratch"] > 0.5 and read["blob"] < 0.05

    grown = [x for x in warnings if "when Ultralytics reads them" in x]
    assert len(grown) == 1, warnings
    assert grown[0].startswith("1 mask on 1 image change by more than 20% of their pixels")
    assert "scratch.png" in grown[0] and "blob.png" not in grown[0]
    # the polygons themselves stay exact for pycocotools, PixelProof's own reader
    back = read_yolo(tmp_path / "yolo").project
    got = {Path(back.images[a.image_id].file_name).name: a for a in back.annotations.values()}
    for name, mask in (("scratch.png", scratch), ("blob.png", blob)):
        assert np.array_equal(masks.decode(annotation_pixels.annotation_rle(got[name], h, w)), mask)
