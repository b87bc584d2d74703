"""Plain images over the pixel limit: the memory estimate from the header, the factor that fits the
limit, and the downsampled read (JPEG by its DCT, uncompressed TIFF band by band, others whole once)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
from PIL import Image

from pixelproof.core import limits
from pixelproof.core.imageio import ImageTooLargeError, read_image
from pixelproof.core.reduced import UpsampledLevel, inspect_huge, read_reduced


@pytest.fixture
def low_limit():
    limits.set_max_pixels(1_000_000)
    yield
    limits.set_max_pixels(None)


def picture(h: int, w: int) -> np.ndarray:
    y, x = np.mgrid[:h, :w]
    return np.stack([(x // 7 % 256), (y // 5 % 256), ((x + y) // 11 % 256)], axis=2).astype(np.uint8)


def test_estimate_and_factor_from_the_header(tmp_path: Path, low_limit) -> None:
    path = tmp_path / "big.png"
    Image.fromarray(picture(2000, 3000)).save(path)
    with pytest.raises(ImageTooLargeError):
        read_image(path)  # over the limit: refused from the header
    info = inspect_huge(path)
    assert (info.width, info.height, info.channels, info.sample_bytes) == (3000, 2000, 3, 1)
    assert info.full_bytes == 3000 * 2000 * 3 * 4 // 3  # pixels + the display's halvings
    assert info.factor() == 4  # 1/2 is 1500 x 1000 = 1.5 M pixels, over 1 M; 1/4 fits
    assert info.reduced_size(4) == (750, 500)
    assert not info.low_memory and info.peak_bytes(4) == 3000 * 2000 * 3 + info.reduced_bytes(4)
    text = info.describe(4)
    assert "3,000 x 2,000" in text and "23 MB" in text and "750 x 500" in text and "1,000,000" in text


def test_png_read_downsampled_is_the_area_average(tmp_path: Path, low_limit) -> None:
    full = picture(1001, 1403)
    path = tmp_path / "big.png"
    Image.fromarray(full).save(path)
    info = inspect_huge(path)
    k = info.factor()
    small = read_reduced(info, k)
    assert k == 2 and small.shape == (501, 702, 3)
    np.testing.assert_array_equal(small, cv2.resize(full, small.shape[1::-1], interpolation=cv2.INTER_AREA))


def test_jpeg_is_reduced_by_its_dct(tmp_path: Path, low_limit) -> None:
    full = picture(2000, 3000)
    path = tmp_path / "big.jpg"
    Image.fromarray(full).save(path, quality=95)
    info = inspect_huge(path)
    assert info.low_memory and info.format == "JPEG" and info.factor() == 4
    small = read_reduced(info, 4)
    assert small.shape == (500, 750, 3)
    expected = cv2.resize(full, (750, 500), interpolation=cv2.INTER_AREA).astype(int)
    assert np.abs(small.astype(int) - expected).mean() < 4  # JPEG and DCT scaling, not another picture


def test_uncompressed_tiff_is_averaged_band_by_band(tmp_path: Path, low_limit) -> None:
    full = picture(3000, 2000)
    path = tmp_path / "big.tif"
    tifffile.imwrite(path, full)
    info = inspect_huge(path)
    assert info.low_memory and info.factor() == 4
    tracemalloc.start()
    try:
        small = read_reduced(info, 4)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert small.shape == (750, 500, 3)
    np.testing.assert_array_equal(small, cv2.resize(full, (500, 750), interpolation=cv2.INTER_AREA))
    assert peak < full.nbytes / 2  # bands of the memory map, never the whole image


def test_upsampled_level_reads_like_the_full_size_image_by_nearest_neighbour() -> None:
    small = np.arange(5 * 4 * 3, dtype=np.uint8).reshape(5, 4, 3)
    level = UpsampledLevel(small, 4, 19, 15)
    dense = np.repeat(np.repeat(small, 4, axis=0), 4, axis=1)[:19, :15]
    assert level.shape == (19, 15, 3)
    np.testing.assert_array_equal(level[3:17, 2:15], dense[3:17, 2:15])
    np.testing.assert_array_equal(level[18, 14], dense[18, 14])
    with pytest.raises(Exception, match="downsampled"):
        np.asarray(level)


def test_uncompressed_tiff_of_pages_is_reduced_by_its_first_page(tmp_path: Path, low_limit) -> None:
    first = picture(1500, 1000)
    path = tmp_path / "pages.tif"
    tifffile.imwrite(path, np.stack([first, 255 - first]))
    info = inspect_huge(path)
    assert info.low_memory and info.factor() == 2
    np.testing.assert_array_equal(
        read_reduced(info, 2), cv2.resize(first, (500, 750), interpolation=cv2.INTER_AREA)
    )


def test_planar_uncompressed_tiff_is_reduced_from_its_decoded_pixels(tmp_path: Path, low_limit) -> None:
    full = picture(1500, 1000)
    path = tmp_path / "planar.tif"
    tifffile.imwrite(path, np.moveaxis(full, -1, 0), photometric="rgb", planarconfig="separate")
    info = inspect_huge(path)
    assert not info.low_memory  # its planes are not one memory map of pixels
    np.testing.assert_array_equal(
        read_reduced(info, 2), cv2.resize(full, (500, 750), interpolation=cv2.INTER_AREA)
    )
