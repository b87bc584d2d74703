"""Masks on images past 2**32 pixels (whole slides): the run-based geometry, splice and sparse mask equal
pycocotools and the dense code on small images, and a 100,000 x 100,000 edit never allocates the image."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from pixelproof.core import annotation_pixels, mask_edit, masks, paint
from pixelproof.core.coco import new_project
from pixelproof.core.edits import PaintMask, new_mask_annotation
from pixelproof.core.limits import RLE_ORIGIN, LimitError
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.sparse_mask import SparseMask, decode_at, patch_cropped, replace_rect_runs

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


def test_sparse_mask_over_a_cropped_mask_and_the_patch_on_the_crop() -> None:
    rng = np.random.default_rng(5)
    dense = np.zeros((500, 400), dtype=bool)
    dense[120:300, 50:260] = rng.random((180, 210)) < 0.4
    crop, origin = masks.encode_cropped(dense)
    sparse = SparseMask(500, 400, crop, origin)
    assert np.array_equal(sparse[:, :], dense)
    assert np.array_equal(decode_at(crop, origin, (30, 100, 300, 250)), dense[100:350, 30:330])
    values = rng.random((40, 90)) < 0.5  # a patch reaching out of the crop's box
    seg, new_origin, bbox, area = patch_cropped(crop, origin, (230, 280, 90, 40), values)
    dense[280:320, 230:320] = values
    assert bbox == masks.bbox(dense) and area == float(dense.sum())
    assert np.array_equal(decode_at(seg, new_origin, (0, 0, 400, 500)), dense)
    emptied = patch_cropped(seg, new_origin, (0, 0, 400, 500), np.zeros((500, 400), bool))
    assert emptied[2:] == ([0.0, 0.0, 0.0, 0.0], 0.0)


def test_brush_stroke_and_undo_on_a_100k_slide_touch_only_their_tiles() -> None:
    project = new_project(["tissue"])
    project.add_image(ImageRecord(1, "slide.tif", SLIDE, SLIDE))
    tracemalloc.start()
    try:
        ann = new_mask_annotation(project, 1, 1)
        mask = annotation_pixels.editable_mask(None, SLIDE, SLIDE)
        assert isinstance(mask, SparseMask)
        stroke = paint.Stroke(mask, width=41, others=annotation_pixels.OthersMask([], SLIDE, SLIDE))
        for x in range(60_000, 60_400, 7):  # a drag across tile and column boundaries, far in the slide
            stroke.move_to(x, 80_000 + (x - 60_000) // 4)
        patch = stroke.finish()
        edit = PaintMask(ann, patch, is_new=True)
        edit.apply(project)
        made = project.annotations[ann.id]
        # erase a bite out of it with a second stroke on the stored RLE
        eraser = paint.Stroke(annotation_pixels.editable_mask(made, SLIDE, SLIDE), width=21, erase=True)
        eraser.move_to(60_200, 80_050)
        erase = PaintMask(made, eraser.finish(), "Erase")
        erase.apply(project)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20  # a dense mask would be 10 GB; the edit's tiles and strips are megabytes
    # the same strokes on a small canvas placed where they were
    ref = np.zeros((800, 800), dtype=bool)
    small = paint.Stroke(ref, width=41)
    for x in range(60_000, 60_400, 7):
        small.move_to(x - 59_700, 80_000 + (x - 60_000) // 4 - 79_700)
    paint.Stroke(ref, width=21, erase=True).move_to(500, 350)
    now = project.annotations[ann.id]
    rx, ry, rw, rh = (int(v) for v in masks.bbox(ref))
    assert now.bbox == [float(rx + 59_700), float(ry + 79_700), float(rw), float(rh)]
    assert now.area == float(ref.sum())
    # stored as the format says for images past 2**32 pixels: the crop of its box, at rle_origin
    assert now.segmentation["size"] == [rh, rw] and now.app_extra[RLE_ORIGIN] == [rx + 59_700, ry + 79_700]
    assert np.array_equal(masks.decode(now.segmentation), ref[ry : ry + rh, rx : rx + rw])
    erase.revert(project)
    back = project.annotations[ann.id]
    assert (back.segmentation, back.bbox, back.area, back.app_extra) == (
        made.segmentation,
        made.bbox,
        made.area,
        made.app_extra,
    )


def test_whole_mask_operations_refuse_a_slide_clearly() -> None:
    ann = Annotation(1, 1, 1, [0, 0, 10, 10], {"size": [1, 1], "counts": "1"}, 0.0)
    ann.app_extra[RLE_ORIGIN] = [5, 5]
    with pytest.raises(LimitError, match="2\\*\\*32"):
        annotation_pixels.others_mask([ann], SLIDE, SLIDE)


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


def test_preserve_others_on_a_slide_sees_cropped_masks_polygons_and_boxes() -> None:
    rng = np.random.default_rng(6)
    local = rng.random((50, 60)) < 0.5
    crop, (dx, dy) = masks.encode_cropped(local)
    mask_ann = Annotation(1, 1, 1, [0, 0, 1, 1], crop, float(local.sum()))
    mask_ann.app_extra[RLE_ORIGIN] = [70_000 + dx, 40_000 + dy]
    poly = [[70_010.0, 40_060.0, 70_050.0, 40_062.0, 70_030.0, 40_090.0]]
    poly_ann = Annotation(2, 1, 1, masks.polygons_bbox(poly), poly, 0.0)
    box_ann = Annotation(3, 1, 1, [70_070.0, 40_005.0, 12.0, 9.0], None, 108.0)
    others = annotation_pixels.OthersMask([mask_ann, poly_ann, box_ann], SLIDE, SLIDE)
    # the same shapes 70_000 / 40_000 px closer to the origin, on a small image pycocotools can hold
    expected = np.zeros((120, 100), dtype=bool)
    expected[:50, :60] = local
    near = [[v - (70_000 if i % 2 == 0 else 40_000) for i, v in enumerate(p)] for p in poly]
    expected |= masks.polygons_to_mask(near, 120, 100)
    expected |= masks.box_to_mask([70.0, 5.0, 12.0, 9.0], 120, 100)
    assert np.array_equal(others[40_000:40_120, 70_000:70_100], expected)
