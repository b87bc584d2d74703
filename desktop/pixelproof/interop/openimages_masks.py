"""Open Images mask PNGs, which come at their own size, scaled to their image as OpenCV's nearest-neighbour
resize does, straight into COCO RLE (the reader's part that decodes pixels)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import mask_edit, rle_codec
from pixelproof.core.imageio import open_pillow
from pixelproof.core.limits import check_image_size, check_rle_size
from pixelproof.core.model import ImageRecord


def _scale(sw: int, dw: int) -> float:
    return 1.0 / (dw / sw)  # as OpenCV's nearest-neighbour resize computes it


def source_index(start: int, stop: int, sw: int, dw: int) -> np.ndarray:
    """For target pixels ``start..stop-1`` of ``dw``, the source pixel (of ``sw``) OpenCV's
    nearest-neighbour resize takes."""
    picked = np.floor(np.arange(start, stop, dtype=np.float64) * _scale(sw, dw)).astype(np.int64)
    return np.minimum(picked, sw - 1)


def _target_span(s0: int, s1: int, sw: int, dw: int) -> tuple[int, int]:
    """Target pixels around those that take source pixels ``s0..s1`` (a few pixels wider)."""
    ifx = _scale(sw, dw)
    return max(0, math.floor(s0 / ifx) - 2), min(dw, math.ceil((s1 + 1) / ifx) + 2)


def mask_rle(file: Path, image: ImageRecord) -> dict[str, Any]:
    """The mask PNG scaled to the image (nearest neighbour, as OpenCV) as COCO RLE, made from the PNG's
    runs (``rle_codec.sampled_rle``): no image-sized array, so a tiny PNG on a 16384^2 image costs
    milliseconds. The PNG's header size is checked before decoding; a mask whose box, scaled, is over
    the pixel limit is refused as every mask box is (``LimitError``); ``OSError``/``ValueError`` for a
    file that is no PNG."""
    check_rle_size(image.height, image.width, str(file))
    with open_pillow(file, str(file)) as im:
        raw = np.asarray(im.convert("L")) > 0
    sh, sw = raw.shape
    rect = mask_edit.true_rect(raw)
    if rect is not None and (sh, sw) != (image.height, image.width):
        x, y, w, h = rect
        (ty0, ty1), (tx0, tx1) = (
            _target_span(y, y + h - 1, sh, image.height),
            _target_span(x, x + w - 1, sw, image.width),
        )
        check_image_size(tx1 - tx0, ty1 - ty0, str(file), what="mask box (scaled to its image)")
    rows, cols = (
        source_index(0, image.height, sh, image.height),
        source_index(0, image.width, sw, image.width),
    )
    return rle_codec.sampled_rle(raw, rows, cols)
