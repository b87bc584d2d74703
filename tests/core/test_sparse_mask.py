"""Masks on images past 2**32 pixels (whole slides): the run-based geometry, splice and sparse mask equal
pycocotools and the dense code on small images, and a 100,000 x 100,000 edit never allocates the image."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from pixelproof.core import mask_edit, masks, paint
from pixelproof.core.coco import new_project
from pixelproof.core.edits import PaintMask, new_mask_annotation
from pixelproof.core.limits import LimitError
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.sparse_mask import SparseMask, polygons_rle, replace_rect_runs, runs_geometry

SLIDE = 100_000


def random_masks(seed: int, n: int = 40):
    rng = np.random.default_rng(seed)
    for k in range(n):
        h, w = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        m = rng.random((h, w)) < rng.choice([0.05, 0.5, 0.95])
        if k % 7 == 0:
            m[:, int(rng.integers(0, w))] = True  # a full column: runs wrap into the next column
        if k % 11 == 0:
            m[:] = False
        yield m


def test_run_geometry_equals_pycocotools() -> None:
    for m in random_masks(1):
        rle = masks.encode(m)
        pyco = {"size": rle["size"], "counts": rle["counts"].encode()}
        bbox, area = runs_geometry(rle)
        assert bbox == [float(v) for v in mask_utils.toBbox(pyco)]
        assert area == float(mask_utils.area(pyco)) == float(m.sum())


def test_splicing_runs_equals_the_column_splice() -> None:
    rng = np.random.default_rng(2)
    for m in random_masks(3, 60):
        h, w = m.shape
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        rw, rh = int(rng.integers(1, w - x + 1)), int(rng.integers(1, h - y + 1))
        if rng.random() < 0.2:
            y, rh = 0, h  # full-height rectangles: segments of neighbouring columns touch
        values = rng.random((rh, rw)) < 0.5
        rle = masks.encode(m)
        expected = mask_edit.replace_rect(rle, (x, y, rw, rh), values)
        assert replace_rect_runs(rle, (x, y, rw, rh), values) == expected
        dense = m.copy()
        dense[y : y + rh, x : x + rw] = values
        assert masks.decode(expected).tolist() == dense.tolist()


def test_sparse_mask_reads_and_writes_like_an_array() -> None:
    rng = np.random.default_rng(4)
    dense = rng.random((700, 600)) < 0.3
    sparse = SparseMask(700, 600, masks.encode(dense))
    for _ in range(30):
        y0, x0 = int(rng.integers(0, 700)), int(rng.integers(0, 600))
        y1, x1 = int(rng.integers(y0, 701)), int(rng.integers(x0, 601))
        if rng.random() < 0.5:
            values = rng.random((y1 - y0, x1 - x0)) < 0.5
            sparse[y0:y1, x0:x1] = values
            dense[y0:y1, x0:x1] = values
        assert np.array_equal(sparse[y0:y1, x0:x1], dense[y0:y1, x0:x1])
    assert np.array_equal(sparse[:, :], dense)
    with pytest.raises(IndexError):
        sparse[::2, :]


def test_polygons_rasterized_in_their_box_equal_pycocotools() -> None:
    # quarters: exact in floats however far they are shifted, so the shift cannot move a pixel edge
    polys = [[3.25, 4.75, 40.5, 8.0, 30.75, 50.25, 6.0, 33.5], [50.0, 50.0, 58.5, 52.0, 54.0, 61.0]]
    rle = polygons_rle(polys, 80, 70)
    expected = mask_utils.merge(mask_utils.frPyObjects(polys, 80, 70))
    assert masks.decode(rle).tolist() == mask_utils.decode(expected).astype(bool).tolist()
    # on a slide: the same pixels, placed at the polygon (area and box as on the small image)
    shifted = [[v + 70_000 for v in p] for p in polys]
    area = masks.segmentation_area(shifted, [], SLIDE, SLIDE)
    assert area == float(mask_utils.area(expected))
    bbox = masks.segmentation_bbox(masks.compress(masks.polygons_to_rle(shifted, SLIDE, SLIDE)), SLIDE, SLIDE)
    x, y, w, h = (float(v) for v in mask_utils.toBbox(expected))
    assert bbox == [x + 70_000, y + 70_000, w, h]


def test_brush_stroke_and_undo_on_a_100k_slide_touch_only_their_tiles() -> None:
    project = new_project(["tissue"])
    project.add_image(ImageRecord(1, "slide.tif", SLIDE, SLIDE))
    tracemalloc.start()
    try:
        ann = new_mask_annotation(project, 1, 1)
        mask = mask_edit.editable_mask(None, SLIDE, SLIDE)
        assert isinstance(mask, SparseMask)
        stroke = paint.Stroke(mask, 20, others=mask_edit.OthersMask([], SLIDE, SLIDE))
        for x in range(60_000, 60_400, 7):  # a drag across tile and column boundaries, far in the slide
            stroke.move_to(x, 80_000 + (x - 60_000) // 4)
        patch = stroke.finish()
        edit = PaintMask(ann, patch, is_new=True)
        edit.apply(project)
        made = project.annotations[ann.id]
        # erase a bite out of it with a second stroke on the stored RLE
        eraser = paint.Stroke(mask_edit.editable_mask(made, SLIDE, SLIDE), 10, erase=True)
        eraser.move_to(60_200, 80_050)
        erase = PaintMask(made, eraser.finish(), "Erase")
        erase.apply(project)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20  # a dense mask would be 10 GB; the edit's tiles and strips are megabytes
    # the same strokes on a small canvas placed where they were
    ref = np.zeros((800, 800), dtype=bool)
    small = paint.Stroke(ref, 20)
    for x in range(60_000, 60_400, 7):
        small.move_to(x - 59_700, 80_000 + (x - 60_000) // 4 - 79_700)
    paint.Stroke(ref, 10, erase=True).move_to(500, 350)
    now = project.annotations[ann.id]
    rx, ry, rw, rh = (int(v) for v in masks.bbox(ref))
    assert now.bbox == [float(rx + 59_700), float(ry + 79_700), float(rw), float(rh)]
    assert now.area == float(ref.sum())
    x, y, w, h = (int(v) for v in now.bbox)
    assert np.array_equal(
        mask_edit.decode_rect(now.segmentation, (x, y, w, h)), ref[ry : ry + rh, rx : rx + rw]
    )
    erase.revert(project)
    assert project.annotations[ann.id].area == float(made.area)


def test_whole_mask_operations_refuse_a_slide_clearly() -> None:
    ann = Annotation(1, 1, 1, [0, 0, 10, 10], mask_edit.empty_rle(SLIDE, SLIDE), 0.0)
    with pytest.raises(LimitError, match="2\\*\\*32"):
        masks.decode(ann.segmentation)
    with pytest.raises(LimitError, match="2\\*\\*32"):
        mask_edit.others_mask([ann], SLIDE, SLIDE)


class LazyImage:
    """Stands in for a pyramid level: slicing decodes, anything whole would be 30 GB."""

    shape = (SLIDE, SLIDE, 3)
    dtype = np.dtype(np.uint8)

    def __getitem__(self, key):
        ys, xs = key
        yy, xx = np.mgrid[ys, xs]
        disc = (yy - 50_000) ** 2 + (xx - 30_000) ** 2 <= 300**2
        return np.repeat(np.where(disc, 200, 20).astype(np.uint8)[:, :, None], 3, axis=2)

    def __array__(self, *args, **kwargs):
        raise AssertionError("the whole slide was asked for")


def test_wand_on_a_slide_reads_a_window_around_the_click() -> None:
    rect, region = paint.wand_region(LazyImage(), (30_000, 50_000), 10)
    x, y, w, h = rect
    assert (x, y, w, h) == (29_700, 49_700, 601, 601)
    assert region.sum() == sum(
        1 for dy in range(-300, 301) for dx in range(-300, 301) if dx * dx + dy * dy <= 90_000
    )
