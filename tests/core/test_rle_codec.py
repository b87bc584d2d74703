"""RLE of masks given as crops, many in one pass: byte-identical to pycocotools encoding the full-size
masks one by one, with its bbox and area."""

from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import masks, rle_codec, rle_strings


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


def reference_string(counts: list[int]) -> str:
    """pycocotools' ``rleToString`` written out from its C source, in plain Python (any size of run)."""
    out = []
    for i, value in enumerate(counts):
        x = value - counts[i - 2] if i > 2 else value
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            out.append(chr((c | (0x20 if more else 0)) + 48))
    return "".join(out)


def test_runs_of_2_24_and_more_never_reach_the_c_encoder() -> None:
    """pycocotools' encoder writes past its buffer when runs take 6-7 characters each (four runs of 2**29
    or more in a crafted file corrupt the heap): such counts are encoded in numpy, exactly as it would."""
    crafted = [2**29, 2**29, 2**29, 2**30]  # sums to 2.5 * 2**30: a 40960 x 65536 image
    string = rle_codec.counts_string(np.array(crafted))
    assert string == reference_string(crafted)
    assert rle_strings.rle_counts({"counts": string}).tolist() == crafted
    pyco = rle_codec.compressed({"size": [40960, 65536], "counts": crafted})
    assert pyco == {"size": [40960, 65536], "counts": string.encode()}
    assert masks.compress({"size": [40960, 65536], "counts": crafted})["counts"] == string
    for big in ([2**24, 2**24], [0, 2**33, 5, 2**40], [3, 2**24 - 1, 2**24 + 7, 1]):
        assert rle_codec.counts_string(np.array(big)) == reference_string(big)


def test_masks_of_2_24_pixels_and_more_encode_as_pycocotools_does() -> None:
    """``masks.encode`` finds such masks' runs itself (pycocotools' encoder is unsafe for long runs)."""
    m = np.zeros((4096, 4097), bool)
    m[100:3000, 5:4000] = True
    m[4000:, 4096] = True
    for mask in (m, ~m, np.zeros_like(m)):
        expected = mask_utils.encode(np.asfortranarray(mask, dtype=np.uint8))["counts"].decode()
        assert masks.encode(mask) == {"size": [4096, 4097], "counts": expected}


def test_sampled_rle_equals_pycocotools_on_the_resized_mask() -> None:
    """A nearest-neighbour resize encoded from the source's runs is byte for byte pycocotools' encoding of
    the resized array: up, down, unsampled source rows (runs that join), any column order."""
    rng = np.random.default_rng(11)
    for _ in range(600):
        sh, sw = (int(v) for v in rng.integers(1, 12, 2))
        h, w = (int(v) for v in rng.integers(1, 40, 2))
        source = rng.random((sh, sw)) < rng.choice([0.0, 0.1, 0.5, 1.0])
        rows = np.minimum(np.floor(np.arange(h) * (sh / h)).astype(np.int64), sh - 1)
        cols = np.minimum(np.floor(np.arange(w) * (sw / w)).astype(np.int64), sw - 1)
        if rng.random() < 0.3:
            cols = rng.integers(0, sw, w)
        want = mask_utils.encode(np.asfortranarray(source[rows][:, cols].astype(np.uint8)))
        got = rle_codec.sampled_rle(source, rows, cols)
        assert got["size"] == [h, w]
        assert got["counts"].encode() == want["counts"], (sh, sw, h, w)
