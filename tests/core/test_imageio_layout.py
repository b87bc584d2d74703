"""core/imageio.py: ``read_image`` gives RGB(A) in C order whatever the depth, as Pillow and tifffile read
the same files (OpenCV decodes BGR(A); a channel-planar copy would cost every later step another copy;
it premultiplies an 8-bit TIFF's unassociated alpha)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image

from pixelproof.core.imageio import read_image


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_png_written_by_pillow_reads_as_pillow_reads_it(tmp_path: Path, mode: str) -> None:
    rng = np.random.default_rng(1)
    path = tmp_path / "a.png"
    Image.fromarray(rng.integers(0, 256, (23, 31, len(mode)), dtype=np.uint8), mode).save(path)
    image = read_image(path)
    np.testing.assert_array_equal(image, np.asarray(Image.open(path)))
    assert image.flags.c_contiguous


@pytest.mark.parametrize("dtype", [np.uint16, np.int16, np.float32, np.float64])
@pytest.mark.parametrize("channels", [3, 4])
def test_tiff_of_any_depth_reads_as_tifffile_reads_it(tmp_path: Path, dtype: type, channels: int) -> None:
    rng = np.random.default_rng(2)
    path = tmp_path / "a.tif"
    pixels = (rng.random((17, 13, channels)) * 1000 - (500 if dtype is np.int16 else 0)).astype(dtype)
    extra = ["unassalpha"] if channels == 4 else None
    tifffile.imwrite(path, pixels, photometric="rgb", extrasamples=extra)
    image = read_image(path)
    assert image.dtype == dtype
    np.testing.assert_array_equal(image, tifffile.imread(path))
    assert image.flags.c_contiguous


@pytest.mark.parametrize("compression", [None, "tiff_lzw"])
def test_rgba_tiff_keeps_its_colours_where_it_is_transparent(tmp_path: Path, compression: str | None) -> None:
    """Pillow (like GIMP and Photoshop) writes unassociated alpha; OpenCV's decoder premultiplies it."""
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (19, 23, 4), dtype=np.uint8)
    pixels[0, :, 3] = 0  # a transparent row keeps its colours too
    path = tmp_path / "a.tif"
    Image.fromarray(pixels, "RGBA").save(path, compression=compression)
    image = read_image(path)
    np.testing.assert_array_equal(image, np.asarray(Image.open(path)))
    np.testing.assert_array_equal(image, pixels)


def test_rgba_tiff_of_several_pages_reads_its_first_page(tmp_path: Path) -> None:
    first = np.full((9, 11, 4), (200, 100, 50, 60), np.uint8)
    second = np.full((9, 11, 4), (1, 2, 3, 255), np.uint8)
    path = tmp_path / "pages.tif"
    Image.fromarray(first, "RGBA").save(path, save_all=True, append_images=[Image.fromarray(second, "RGBA")])
    np.testing.assert_array_equal(read_image(path), first)
