"""A tiled TIFF whose reduced level is a SubIFD at 1/16 of the slide (OME-TIFF's and bfconvert's layout,
any reduction): tifffile's series takes a SubIFD as a level only at half the size of the one before, so
the slide read as one level, refused as too large to decode (a QuPath import said to raise the pixel
limit)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tifffile

from pixelproof.core.imageio import image_size
from pixelproof.core.pyramid import open_pyramid


def _slide(path: Path, side: int, reduce: int) -> np.ndarray:
    y, x = np.mgrid[0:side, 0:side]
    full = ((x // 7 + y // 5) % 251).astype(np.uint8)
    small = full[::reduce, ::reduce].copy()
    with tifffile.TiffWriter(path) as tw:
        tw.write(full, tile=(256, 256), compression="zlib", subifds=1)
        tw.write(small, tile=(128, 128), compression="zlib", subfiletype=1)
    return small


def test_a_sixteenth_in_a_subifd_is_a_level(tmp_path: Path) -> None:
    path = tmp_path / "slide.tif"
    small = _slide(path, 2048, 16)
    assert [lv.shape for lv in tifffile.TiffFile(path).series[0].levels] == [(2048, 2048)]  # tifffile's
    pyr = open_pyramid(path)
    assert [(lv.width, lv.height) for lv in pyr.levels] == [(2048, 2048), (128, 128)]
    assert np.array_equal(pyr.levels[1].region(0, 128, 0, 128), small)


def test_over_the_pixel_limit_the_header_still_gives_the_size(tmp_path: Path, monkeypatch) -> None:
    from pixelproof.core import limits

    path = tmp_path / "slide.tif"
    _slide(path, 2048, 16)
    monkeypatch.setattr(limits, "max_pixels", lambda: 1_000_000)  # the slide is 4 Mpx: a real one's 5 Gpx
    assert image_size(path) == (2048, 2048)


def test_a_subifd_that_is_no_level_leaves_the_plain_pages_as_levels(tmp_path: Path) -> None:
    """The base's SubIFD is a stripped thumbnail, not a level; its levels are the plain pages after it (as
    before SubIFDs were looked at, which then hid them: one level, too large to decode)."""
    y, x = np.mgrid[0:2048, 0:2048]
    full = ((x // 7 + y // 5) % 251).astype(np.uint8)
    quarter = full[::4, ::4].copy()
    path = tmp_path / "slide.tif"
    with tifffile.TiffWriter(path) as tw:
        tw.write(full, tile=(256, 256), compression="zlib", subifds=1)
        tw.write(full[::32, ::32].copy(), subfiletype=1)  # a stripped thumbnail
        tw.write(quarter, tile=(256, 256), compression="zlib")
    pyr = open_pyramid(path)
    assert [(lv.width, lv.height) for lv in pyr.levels] == [(2048, 2048), (512, 512)]
    assert np.array_equal(pyr.levels[1].region(0, 512, 0, 512), quarter)
