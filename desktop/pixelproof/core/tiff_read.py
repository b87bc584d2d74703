"""TIFF pages decoded by tifffile rather than OpenCV, and the checks made on a page before anything of it
is decoded (tile sides, JPEG scans, a short tile table). ``imageio.decode_file`` decides which reader
decodes a plain TIFF here; ``tiff_stack`` checks a stack's pages with ``check_tiff_page``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.imageio import ImageReadError, check_jpeg_scans
from pixelproof.core.limits import MAX_TILE_SIDE

TIFF_MAGIC = (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+")  # classic and BigTIFF, either byte order


def tifffile_reads(p: Path, raw: np.ndarray) -> bool:
    """Whether tifffile, not OpenCV, decodes this TIFF: an 8-bit RGBA first page with unassociated alpha
    (what Pillow, GIMP and Photoshop write), which OpenCV premultiplies as libtiff's RGBA interface does,
    and a grey or RGB page of whole-byte (or 1-bit) samples not JPEG-compressed, which both read alike:
    OpenCV gave a damaged tile black, printing libtiff's errors, where tifffile's decoder says what is
    wrong (``read_tiff``). Palette, YCbCr, CMYK, min-is-white, 4- or 12-bit and JPEG pages stay OpenCV's
    (it converts them to RGB, or to 8 bits).
    ``ImageReadError``, before anything is decoded, for tiles over ``MAX_TILE_SIDE`` (a decoder holds a
    whole tile whatever the image's size: a 16 x 16 image in one 32768^2 tile, 3 MB of file, took 3.2
    GB), for more than 4 samples a pixel (a hyperspectral cube: not an image this reads) and for a JPEG
    strip or tile of more than ``MAX_JPEG_SCANS`` scans (``check_jpeg_scans``; ``raw``: the file)."""
    try:
        from pixelproof.core.tiff_guard import import_tifffile

        tifffile = import_tifffile()

        with tifffile.TiffFile(p) as tif:
            page = tif.pages.first
            samples = int(page.samplesperpixel)
            straight = (
                samples == 4
                and page.dtype == np.uint8
                and page.photometric == tifffile.PHOTOMETRIC.RGB
                and tuple(page.extrasamples) == (tifffile.EXTRASAMPLE.UNASSALPHA,)
            )
            plain = (
                (samples, page.photometric)
                in ((1, tifffile.PHOTOMETRIC.MINISBLACK), (3, tifffile.PHOTOMETRIC.RGB))
                and not tuple(page.extrasamples)
                and int(page.bitspersample) in (1, 8, 16, 32, 64)
                and int(page.compression) not in (6, 7)  # old- and new-style JPEG
            )
            check_tiff_page(p, raw, page)
    except ImageReadError:
        raise
    except Exception:  # a damaged header: the decoders say what they can
        return False
    if samples > 4:
        raise ImageReadError(f"{p}: {samples} samples a pixel (grey, RGB and RGBA images are read)")
    return straight or plain


def check_tiff_page(p: Path, raw: np.ndarray, page: Any) -> None:
    """``ImageReadError`` for a page (or tifffile frame) of tiles over ``MAX_TILE_SIDE`` or of JPEG pieces
    of more than ``MAX_JPEG_SCANS`` scans, before anything of it is decoded."""
    key = page.keyframe  # a frame's layout is its series' first page's
    tile = (int(key.tilewidth), int(key.tilelength)) if key.is_tiled else (0, 0)
    if max(tile) > MAX_TILE_SIDE:
        raise ImageReadError(
            f"{p}: tiles of {tile[0]} x {tile[1]} pixels (at most {MAX_TILE_SIDE} a side): not decoded"
        )
    if int(key.compression) in (6, 7):  # old- and new-style JPEG
        for offset, size in zip(page.dataoffsets, page.databytecounts, strict=False):
            check_jpeg_scans(p, raw[int(offset) : int(offset) + int(size)].tobytes())


def read_tiff(p: Path, first: bool = False) -> np.ndarray | None:
    """A TIFF's first page as tifffile reads it, in RGB order (None when it cannot): the ones OpenCV
    cannot decode (float64, odd sample layouts) or alters, and those tifffile reads ``first``
    (``tifffile_reads``): then data its decoder finds damaged is ``ImageReadError`` naming the file, not
    left to OpenCV to decode black. Only the first page, as OpenCV and ``_header`` read it: the file's
    series may stack thousands of pages into one array."""
    try:
        from pixelproof.core.tiff_guard import import_tifffile, short_segment_table

        tifffile = import_tifffile()

        with tifffile.TiffFile(p) as tif:
            page = tif.pages.first
            if int(page.samplesperpixel) > 4:  # never decode bands this does not read
                return None
            short = short_segment_table(p, page)
            arr = None if short else page.asarray()
    except Exception as e:  # tifffile raises many kinds on a damaged file
        if first and type(e).__module__.partition(".")[0] in ("imagecodecs", "zlib"):
            raise ImageReadError(
                f"{p}: its image data does not decode ({type(e).__name__}: {e}): damaged or truncated"
            ) from None
        return None
    if short:
        raise ImageReadError(short)
    if (arr.ndim == 3 and arr.shape[2] in (3, 4)) or arr.ndim == 2:
        return arr
    if arr.ndim == 3 and arr.shape[0] in (3, 4) and arr.shape[2] > 4:  # planar (C, H, W)
        return np.ascontiguousarray(np.moveaxis(arr, 0, -1))
    return None


def tiff_page_size(p: Path) -> tuple[int, int] | None:
    """(width, height) of a TIFF's first page from its header (None when tifffile cannot read it);
    ``ImageReadError`` when its tile or strip table lists fewer pieces than that size needs
    (``tiff_guard.short_segment_table``): ``new`` and ``validate --images`` refuse it by name, as
    decoding it does, rather than a pre-label failing later."""
    from pixelproof.core.tiff_guard import import_tifffile, short_segment_table

    try:
        with import_tifffile().TiffFile(p) as tif:
            page = tif.pages.first  # its own size: a planar page's shape starts with its samples
            size, short = (int(page.imagewidth), int(page.imagelength)), short_segment_table(p, page)
    except Exception:  # tifffile raises many kinds on a damaged file
        return None
    if short:
        raise ImageReadError(short)
    return size
