"""LabelMe import checked against LabelMe's own exports of the same data (../shared/fixtures/labelme)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from pixelproof.core import masks
from pixelproof.core.coco import read_json
from pixelproof.core.wording import skipped_counts
from pixelproof.interop.labelme import read_labelme
from pixelproof.interop.voc import read_voc


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a & b) / np.count_nonzero(a | b))


def test_instances_match_labelme_coco_export(labelme_dir: Path) -> None:
    seg = labelme_dir / "instance_segmentation"
    result = read_labelme(seg / "data_annotated")
    assert result.problems == []
    ours = result.project
    ref = read_json(seg / "data_dataset_coco" / "annotations.json")
    ref_cats = {c["id"]: c["name"] for c in ref["categories"]}
    ref_images = {im["id"]: im for im in ref["images"]}
    checked = 0
    for image in ours.images.values():
        name = Path(image.file_name).name
        (ref_img,) = [im for im in ref_images.values() if Path(im["file_name"]).name == name]
        h, w = ref_img["height"], ref_img["width"]
        assert (image.height, image.width) == (h, w)
        ref_anns = [a for a in ref["annotations"] if a["image_id"] == ref_img["id"]]
        mine = ours.annotations_of(image.id)
        for ra in ref_anns:
            cat = ref_cats[ra["category_id"]]
            ref_mask = masks.polygons_to_mask(ra["segmentation"], h, w)
            candidates = [a for a in mine if ours.categories[a.category_id].name == cat]
            best = max(_iou(a.mask(h, w), ref_mask) for a in candidates)
            assert best >= 0.99, (name, cat, best)
            checked += 1
    assert checked == len(ref["annotations"]) == 12


def test_instances_match_labelme_voc_instance_pngs(labelme_dir: Path) -> None:
    """Instance ids in SegmentationObject are the order of LabelMe objects (label + group) in the file;
    later shapes paint over earlier ones, so each object is compared where it is visible.

    LabelMe drew these PNGs with PIL (outline pixels included), PixelProof rasterizes polygons as
    pycocotools does (pixel centres inside), so they differ by part of a pixel along every edge: on the
    873-pixel bottle that alone costs 6.6% IoU. LabelMe's PNGs have no VOC void border (their 255s mark
    ``__ignore__`` regions), so the VOC convention is applied here: a 1-px band along instance edges is
    void, like 255 pixels. Raw IoU (no band) is checked too, with the bound the rasterizers allow.
    """
    seg = labelme_dir / "instance_segmentation"
    project = read_labelme(seg / "data_annotated").project
    checked = 0
    kernel = np.ones((3, 3), np.uint8)
    for image in project.images.values():
        stem = Path(image.file_name).stem
        obj = np.asarray(Image.open(seg / "data_dataset_voc" / "SegmentationObject" / f"{stem}.png"))
        cls = np.asarray(Image.open(seg / "data_dataset_voc" / "SegmentationClass" / f"{stem}.png"))
        valid = (obj != 255) & (cls != 255)
        border = cv2.dilate(obj, kernel) != cv2.erode(obj, kernel)
        anns = sorted(project.annotations_of(image.id), key=lambda a: a.id)
        h, w = image.height, image.width
        painted = np.zeros((h, w), dtype=np.int32)
        for k, a in enumerate(anns, start=1):
            painted[a.mask(h, w)] = k
        for k, a in enumerate(anns, start=1):
            if project.categories[a.category_id].name == "__ignore__":
                assert not (obj == k).any()  # LabelMe clears ignored regions
                continue
            ours, theirs = painted == k, obj == k
            assert _iou(ours & valid & ~border, theirs & valid & ~border) >= 0.98, (stem, k)
            assert _iou(ours & valid, theirs & valid) >= 0.93, (stem, k)
            checked += 1
    assert checked == 12


def test_boxes_match_labelme_voc_xml(labelme_dir: Path) -> None:
    box = labelme_dir / "bbox_detection"
    ours = read_labelme(box / "data_annotated").project
    # LabelMe writes its own point coordinates into the XML, not VOC's 1-based pixel indexes
    ref = read_voc(box / "data_dataset_voc", one_based=False).project
    assert len(ours.annotations) == len(ref.annotations) > 0
    for image in ours.images.values():
        name = Path(image.file_name).name
        ref_image = next(im for im in ref.images.values() if Path(im.file_name).name == name)
        mine = [(ours.categories[a.category_id].name, a.bbox) for a in ours.annotations_of(image.id)]
        theirs = [(ref.categories[a.category_id].name, a.bbox) for a in ref.annotations_of(ref_image.id)]
        assert len(mine) == len(theirs)
        for (n1, b1), (n2, b2) in zip(mine, theirs, strict=True):
            assert n1 == n2
            assert np.abs(np.array(b1) - np.array(b2)).max() <= 1.0, (name, b1, b2)
    assert all(a.kind == "box" for a in ours.annotations.values())


def test_primitives_skipped_shapes_reported_by_type(labelme_dir: Path) -> None:
    problems: list[str] = []
    result = read_labelme(labelme_dir / "primitives" / "primitives.json", on_problem=problems.append)
    assert result.skipped == {"line shapes": 1, "point shapes": 1, "linestrip shapes": 1}
    # the import report's "Skipped:" line reads as English, not "1 line, 1 linestrip, 1 point"
    assert skipped_counts(result.skipped) == "1 line shape, 1 linestrip shape, 1 point shape"
    assert problems == result.problems
    assert len(problems) == 1 and "primitives.json" in problems[0]
    assert "1 line shape (" in problems[0] and "1 point shape (" in problems[0]
    assert "1 linestrip shape (" in problems[0]
    kinds = sorted(a.kind for a in result.project.annotations.values())
    assert kinds == ["box", "box", "mask", "polygon", "polygon"]
    circle = next(a for a in result.project.annotations.values() if a.app_extra == {} and a.area == 8108.0)
    assert len(circle.segmentation[0]) == 2 * 64
    # the circle's radius is the distance from centre (195, 84) to (225, 125): ~50.8 px
    r = np.hypot(30, 41)
    assert circle.bbox[2] == pytest.approx(2 * r, abs=0.01)
    octagon = next(a for a in result.project.annotations.values() if a.kind == "mask")
    assert octagon.bbox[:2] == [417.0, 305.0]
