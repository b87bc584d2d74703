"""The review view's layers of an image over the pixel limit (a whole slide): the difference map and the
objects of each side were image-sized arrays, refused from 2^28 pixels, so the review view of a slide drew
no object at all (only a passing status message said why). Past the limit they are drawn at one pixel per
``scale`` x ``scale`` block, a block taking a class when any of its pixels has it: a cell of a few pixels
is never skipped by the reduction."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core import limits, masks
from pixelproof.core.limits import LimitError
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa_difference import DIFF_AGREE, DIFF_FN, DIFF_NONE, difference_image, layer_scale
from pixelproof.core.qa_objects import ImagePair

H, W = 48, 64  # 3,072 pixels


def _project(objects: list[tuple[str, np.ndarray]]) -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "slide.tif", W, H))
    for i, name in enumerate(("Tumor", "Stroma"), start=1):
        p.add_category(Category(i, name))
    for k, (cat, m) in enumerate(objects, start=1):
        cid = p.category_by_name(cat).id
        p.add_annotation(Annotation(k, 1, cid, masks.bbox(m), masks.encode(m), float(m.sum())))
    return p


def _rect(y0: int, x0: int, y1: int, x1: int) -> np.ndarray:
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


@pytest.fixture
def small_limit():
    limits.set_max_pixels(2_000)
    yield
    limits.set_max_pixels(None)


def _pair() -> tuple[ImagePair, Project, Project]:
    region = _rect(8, 8, 32, 40)  # whole 4 x 4 blocks
    cell = _rect(41, 49, 43, 51)  # 2 x 2 px, across blocks: every 4th pixel would miss it
    ref = _project([("Tumor", region), ("Stroma", cell)])
    cand = _project([("Tumor", region)])
    return ImagePair("slide.tif", ref.images[1], cand.images[1]), ref, cand


def test_scale_is_one_within_the_limit_and_fits_it_past() -> None:
    assert layer_scale(H, W) == 1
    limits.set_max_pixels(2_000)
    try:
        s = layer_scale(H, W)
        assert s > 1 and -(-H // s) * -(-W // s) <= 2_000
    finally:
        limits.set_max_pixels(None)


def test_difference_past_the_limit_is_drawn_by_blocks(small_limit: None) -> None:
    pair, ref, cand = _pair()
    with pytest.raises(LimitError):
        difference_image(pair, ref, cand)  # full resolution is still refused
    codes = difference_image(pair, ref, cand, scale=4)
    assert codes.shape == (12, 16)
    limits.set_max_pixels(None)
    full = difference_image(pair, ref, cand)
    region_blocks = full[8:32:4, 8:40:4]
    assert (region_blocks == DIFF_AGREE).all()
    assert (codes[2:8, 2:10] == region_blocks).all()
    # the 2 x 2 missed cell at rows 41-42, columns 49-50 lies in blocks (10, 12)
    assert codes[10, 12] == DIFF_FN
    assert int(np.count_nonzero(codes == DIFF_FN)) == 1
    assert int(np.count_nonzero(codes != DIFF_NONE)) == 6 * 8 + 1
