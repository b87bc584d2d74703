"""Masks on a 70,000 x 70,000 slide (4.9 * 10**9 pixels: no RLE of the image can exist, so the app stores
them cropped at ``rle_origin``) survive an export and the import of that export, in every format that
holds masks as shapes; the COCO export reads in pycocotools as the RLE of the crop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.annotation_pixels import annotation_crop
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.model import Annotation, ImageRecord, Project

SIDE = 70_000


def corner_disc() -> tuple[int, int, np.ndarray]:
    """A disc of radius 15 cut by the slide's right and bottom edges, as (x, y, pixels of its box)."""
    yy, xx = np.mgrid[69_940:SIDE, 69_920:SIDE]
    m = (yy - 69_985) ** 2 + (xx - 69_990) ** 2 <= 15**2
    x, y, w, h = (int(v) for v in masks.bbox(m))
    return 69_920 + x, 69_940 + y, m[y : y + h, x : x + w]


def slide_project(folder: Path) -> Project:
    project = new_project(["nucleus"])
    project.add_image(ImageRecord(1, "slide.tif", SIDE, SIDE))
    x, y, crop = corner_disc()
    rle, origin = masks.encode_cropped(crop)
    ann = Annotation(1, 1, 1, [float(x), float(y), *map(float, crop.shape[::-1])], rle, float(crop.sum()))
    ann.app_extra[RLE_ORIGIN] = [x + origin[0], y + origin[1]]
    project.add_annotation(ann)
    project.path = folder / "p.json"
    save_project(project, project.path)
    return project


@pytest.mark.parametrize("fmt", ["coco", "labelme", "cvat"])
def test_a_slide_mask_is_read_back_where_it_was(tmp_path: Path, fmt: str) -> None:
    from pixelproof.interop.formats import FORMATS

    x, y, crop = corner_disc()
    out = tmp_path / "out" / ("out.json" if fmt == "coco" else "out")
    FORMATS[fmt].write(slide_project(tmp_path), out)
    result = FORMATS[fmt].read(out)
    (ann,) = result.project.annotations.values()
    assert ann.kind == "mask"
    assert ann.bbox == [float(x), float(y), float(crop.shape[1]), float(crop.shape[0])]
    assert ann.area == float(crop.sum()) and ann.app_extra[RLE_ORIGIN] == [x, y]
    rect, pixels = annotation_crop(ann, SIDE, SIDE)
    assert rect == (x, y, crop.shape[1], crop.shape[0]) and np.array_equal(pixels, crop)


def test_pycocotools_reads_the_coco_export_as_the_crop(tmp_path: Path) -> None:
    from pycocotools.coco import COCO

    from pixelproof.interop.formats import FORMATS

    out = tmp_path / "out.json"
    FORMATS["coco"].write(slide_project(tmp_path), out)
    coco = COCO(str(out))
    (ann,) = coco.loadAnns(coco.getAnnIds())
    _, _, crop = corner_disc()
    assert np.array_equal(coco.annToMask(ann).astype(bool), crop)  # the crop, placed by rle_origin
    assert tuple(ann["pixelproof"]["rle_origin"]) == corner_disc()[:2] == tuple(ann["bbox"][:2])
