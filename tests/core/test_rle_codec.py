"""RLE of masks given as crops, many in one pass: byte-identical to pycocotools encoding the full-size
masks one by one, with its bbox and area."""

from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import masks, rle_codec


def full(rect: tuple[int, int, int, int], crop: np.ndarray, height: int, width: int) -> np.ndarray:
    x, y, w, h = rect
    out = np.zeros((height, width), bool)
    out[y : y + h, x : x + w] = crop
    return out


def test_crops_rle_equals_pycocotools_for_every_crop() -> None:
    rng = np.random.default_rng(7)
    height, width = 37, 53
    crops = []
    for i in range(300):
        w, h = int(rng.integers(1, width + 1)), int(rng.integers(1, height + 1))
        if i % 10 == 0:  # full-height crops: runs that go on into the next column
            h = height
        x, y = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
        crop = rng.random((h, w)) < rng.random()
        if i % 7 == 0:  # blocks reaching the crop's (and sometimes the image's) last pixel
            crop = np.zeros((h, w), bool)
            crop[int(rng.integers(0, h)) :, int(rng.integers(0, w)) :] = True
        crops.append(((x, y, w, h), crop))
    crops += [
        ((0, 0, width, height), np.ones((height, width), bool)),  # the whole image
        ((3, 4, 5, 6), np.zeros((6, 5), bool)),  # empty: None
        ((2, 2, 0, 0), np.zeros((0, 0), bool)),  # nothing at all: None
        ((width - 1, height - 1, 1, 1), np.ones((1, 1), bool)),  # the last pixel
    ]
    got = rle_codec.crops_rle(crops, height, width)
    assert len(got) == len(crops)
    for (rect, crop), geometry in zip(crops, got, strict=True):
        m = full(rect, crop, height, width)
        if not m.any():
            assert geometry is None
            assert rle_codec.region_rle(rect, crop, height, width) == masks.encode(m)
            continue
        assert geometry is not None
        rle, bbox, area = geometry
        want = masks.encode(m)
        assert rle == want
        pyco = {"size": want["size"], "counts": want["counts"].encode()}
        assert bbox == [float(v) for v in mask_utils.toBbox(pyco)]
        assert area == float(m.sum())
        assert rle_codec.region_rle(rect, crop, height, width) == want


def test_a_big_crop_goes_through_opencv_transpose() -> None:
    rng = np.random.default_rng(8)
    crop = rng.random((150, 90)) < 0.5  # over 4096 pixels
    (rle, _, area), small = rle_codec.crops_rle(
        [((10, 20, 90, 150), crop), ((0, 0, 2, 2), crop[:2, :2])], 200, 120
    )
    assert rle == masks.encode(full((10, 20, 90, 150), crop, 200, 120))
    assert area == crop.sum()
    assert small is not None and small[0] == masks.encode(full((0, 0, 2, 2), crop[:2, :2], 200, 120))
