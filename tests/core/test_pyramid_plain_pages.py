"""A tiled TIFF whose reduced levels are plain pages (NewSubfileType 0: what writing each level with
tifffile, or many converters, gives) is a slide: OpenSlide, and so QuPath, take every tiled page of
decreasing size as a level. tifffile makes each page a series of its own, and the file was refused as one
image over the pixel limit. tifffile's page-by-page read is the reference for each level's pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile

from pixelproof.core import limits
from pixelproof.core.pyramid import is_pyramid, open_pyramid
from tests.core.test_pyramid import smooth_rgb

W, H, TILE = 1024, 768, 128


@pytest.fixture
def low_limit():
    limits.set_max_pixels(200_000)  # the base (786,432 px) is over it, as a slide is over the default
    try:
        yield
    finally:
        limits.set_max_pixels(None)


def _write(path: Path, *, thumbnail: bool = False, label: bool = False) -> np.ndarray:
    base = smooth_rgb(H, W)
    with tifffile.TiffWriter(path) as tw:
        tw.write(base, tile=(TILE, TILE), photometric="rgb", compression="zlib")
        if thumbnail:  # stripped, as scanners store one: not a level
            tw.write(base[::8, ::8], photometric="rgb")
        for k in (2, 4):
            tw.write(base[::k, ::k], tile=(TILE, TILE), photometric="rgb", compression="zlib")
        if label:  # tiled, smaller, of another shape: not a level either
            tw.write(np.zeros((128, 96, 3), np.uint8), tile=(TILE, TILE), photometric="rgb")
    return base


def _level_pixels(level, h: int, w: int, step: int = 256) -> np.ndarray:
    """A level read by regions under the lowered limit."""
    out = np.zeros((h, w, 3), np.uint8)
    for y in range(0, h, step):
        for x in range(0, w, step):
            out[y : y + step, x : x + step] = level[y : min(h, y + step), x : min(w, x + step)]
    return out


@pytest.mark.parametrize("extra", [{}, {"thumbnail": True, "label": True}])
def test_plain_tiled_pages_of_decreasing_size_are_the_levels(tmp_path: Path, low_limit, extra: dict) -> None:
    path = tmp_path / "plain_levels.tif"
    _write(path, **extra)
    with tifffile.TiffFile(path) as tif:
        assert len(tif.series[0].levels) == 1 and len(tif.series) >= 3  # tifffile: separate images
        pages = [
            p for p in tif.pages if p.is_tiled and p.shape[:2] in ((H, W), (H // 2, W // 2), (H // 4, W // 4))
        ]
        expected = [p.asarray() for p in pages]
    assert is_pyramid(path)
    pyr = open_pyramid(path)
    assert [(lv.shape[1], lv.shape[0]) for lv in pyr.levels] == [(W, H), (W // 2, H // 2), (W // 4, H // 4)]
    for level, want in zip(pyr.levels, expected, strict=True):
        np.testing.assert_array_equal(_level_pixels(level, *want.shape[:2]), want)


def test_pages_of_another_type_are_not_levels(tmp_path: Path, low_limit) -> None:
    """A smaller tiled page of other samples (a grey mask saved after the slide) is not drawn as it."""
    path = tmp_path / "with_mask.tif"
    base = smooth_rgb(H, W)
    with tifffile.TiffWriter(path) as tw:
        tw.write(base, tile=(TILE, TILE), photometric="rgb")
        tw.write(base[::2, ::2], tile=(TILE, TILE), photometric="rgb")
        tw.write(np.zeros((H // 4, W // 4), np.uint8), tile=(TILE, TILE))
    assert len(open_pyramid(path).levels) == 2
