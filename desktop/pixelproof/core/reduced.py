"""Plain (non-pyramidal) images past the pixel limit: what opening them costs, and a downsampled read.

A 30,000 x 30,000 RGB PNG is 2.7 GB decoded (3.6 GB with the display's pyramid), over
``limits.max_pixels()``: the reader refuses it from its header (``ImageTooLargeError``). The app then shows
:meth:`HugeImage.describe` - the size, the memory it would take and what a downsampled view costs - and
lets the user open it downsampled by a power of two (``factor``) that fits the limit. Labels stay in the
image's full-resolution pixels: :class:`UpsampledLevel` shows the reduced pixels at full-resolution
coordinates, nearest-neighbour, so the canvas, the status bar and the wand work unchanged.

Reading reduced costs little memory where the format allows: JPEG is decoded at 1/2, 1/4 or 1/8 by its DCT
(Pillow's ``draft``), uncompressed TIFF strips are averaged band by band from a memory map. Other formats
(PNG, compressed TIFF, WebP, BMP) have no reduced decoder: the image is decoded once at full size and only
the reduced copy kept; ``peak_bytes`` says so and the dialog shows it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pixelproof.core.imageio import ImageReadError, orient
from pixelproof.core.limits import max_pixels
from pixelproof.core.wording import plural

PYRAMID_OVERHEAD = 4 / 3  # the display keeps halvings of the image: 1 + 1/4 + 1/16 + ...
_BAND_ROWS = 1024  # rows of a memory-mapped TIFF averaged at a time


@dataclass(frozen=True)
class HugeImage:
    """A plain image's header: enough to say what opening it costs before decoding anything."""

    path: Path
    width: int  # as shown (after the EXIF orientation)
    height: int
    channels: int
    sample_bytes: int
    format: str  # "JPEG", "PNG", "TIFF" ...
    low_memory: bool  # a reduced read never holds the full-size pixels (JPEG, uncompressed TIFF)
    orientation: int = 1

    @property
    def full_bytes(self) -> int:
        """Memory the app needs to show the image at full resolution (pixels + display pyramid)."""
        return int(self.width * self.height * self.channels * self.sample_bytes * PYRAMID_OVERHEAD)

    def factor(self, limit: int | None = None) -> int:
        """The smallest power of two whose downsampled image fits ``limit`` pixels (default: the limit)."""
        limit = max_pixels() if limit is None else limit
        k = 2
        while math.ceil(self.width / k) * math.ceil(self.height / k) > limit:
            k *= 2
        return k

    def reduced_size(self, k: int) -> tuple[int, int]:
        return math.ceil(self.width / k), math.ceil(self.height / k)

    def reduced_bytes(self, k: int) -> int:
        w, h = self.reduced_size(k)
        return int(w * h * self.channels * self.sample_bytes * PYRAMID_OVERHEAD)

    def peak_bytes(self, k: int) -> int:
        """Memory while reading at 1/``k``: the reduced copy, plus the full decode when the format has no
        reduced decoder."""
        full = 0 if self.low_memory else self.width * self.height * self.channels * self.sample_bytes
        return full + self.reduced_bytes(k)

    def describe(self, k: int) -> str:
        w, h = self.reduced_size(k)
        depth = f"{8 * self.sample_bytes}-bit, {plural(self.channels, 'channel')}"
        reading = (
            ""
            if self.low_memory
            else f" {self.format} has no reduced decoder: reading it still takes {gb(self.peak_bytes(k))} "
            "once, then only the reduced copy is kept."
        )
        return (
            f"{self.path.name} is {self.width:,} x {self.height:,} pixels ({depth}, {self.format}). Opening "
            f"it at full resolution needs about {gb(self.full_bytes)} of memory, over the limit of "
            f"{max_pixels():,} pixels decoded at once (Image > Pixel Limit raises it).\n\n"
            f"Downsampled 1/{k} it is {w:,} x {h:,} pixels, about {gb(self.reduced_bytes(k))}.{reading} "
            "Labels stay in full-resolution pixels; only the view is coarser."
        )


def gb(n: int) -> str:
    """Bytes as the dialog says them: 3.6 GB, 23 MB, 0.8 MB."""
    if n >= 2**30:
        return f"{n / 2**30:.1f} GB"
    return f"{n / 2**20:.0f} MB" if n >= 10 * 2**20 else f"{n / 2**20:.1f} MB"


_SAMPLE_BYTES = {"1": 1, "L": 1, "P": 1, "RGB": 1, "RGBA": 1, "LA": 1, "I;16": 2, "I": 4, "F": 4}


def inspect_huge(path: str | os.PathLike[str]) -> HugeImage:
    """The header of a plain image (any size; nothing decoded); raises ``ImageReadError``."""
    from PIL import Image

    from pixelproof.core.imageio import _orientation

    p = Path(path)
    if p.suffix.lower() in (".tif", ".tiff"):
        return _inspect_tiff(p)
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # the size is what we want to know; nothing is decoded here
    try:
        with Image.open(p) as im:
            orientation = _orientation(im)
            w, h = int(im.width), int(im.height)
            mode = im.mode
            channels = 3 if mode == "P" else len(im.getbands())  # palette images are shown as RGB
            sample = _SAMPLE_BYTES.get(mode, 2 if mode.startswith("I;16") else 1)
            fmt = str(im.format or p.suffix.lstrip(".").upper())
    except OSError as e:
        raise ImageReadError(f"{p}: cannot read the image header: {e}") from None
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    return HugeImage(p, w, h, channels, sample, fmt, fmt == "JPEG", orientation)


def _inspect_tiff(p: Path) -> HugeImage:
    from pixelproof.core.channels import channel_layout
    from pixelproof.core.tiff_stack import parse_stack

    try:
        with parse_stack(p) as tif:  # though a later channel page is stored otherwise than the first
            page = tif.pages[0]
            h, w = int(page.imagelength), int(page.imagewidth)
            channels = int(page.samplesperpixel)
            sample = int(np.dtype(page.dtype).itemsize)
            chunky = channels == 1 or int(page.planarconfig) == 1  # samples of a pixel together
            plain = int(page.compression) == 1 and bool(page.is_contiguous) and chunky  # memory-mappable
            layout = channel_layout(tif)
            if layout is not None:  # decoded whole and composed (its first page alone is one channel)
                channels, plain = len(layout.channels), False
    except Exception as e:  # tifffile raises many kinds on a broken header
        raise ImageReadError(f"{p}: cannot read the TIFF header: {type(e).__name__}: {e}") from None
    return HugeImage(p, w, h, channels, sample, "TIFF", plain)


def read_reduced(info: HugeImage, k: int) -> np.ndarray:
    """The image downsampled 1/``k`` (area average), ``info.reduced_size(k)``; raises ``ImageReadError``."""
    w, h = info.reduced_size(k)
    try:
        if info.format == "JPEG":
            arr = _read_jpeg_reduced(info, k)
        elif info.format == "TIFF" and info.low_memory:
            arr = _read_tiff_reduced(info.path, k)
        else:
            arr = orient(_read_full(info.path), info.orientation)
    except MemoryError:
        raise ImageReadError(f"{info.path}: not enough memory to read the image even downsampled") from None
    except (OSError, ValueError) as e:
        raise ImageReadError(f"{info.path}: cannot read the image: {e}") from None
    if arr.shape[:2] != (h, w):
        arr = _area(arr, w, h)
    return arr


def _area(arr: np.ndarray, w: int, h: int) -> np.ndarray:
    src = arr if arr.dtype in (np.uint8, np.uint16, np.float32) else arr.astype(np.float32)
    out = cv2.resize(src, (w, h), interpolation=cv2.INTER_AREA)
    return out.astype(arr.dtype, copy=False) if out.ndim == arr.ndim else out.reshape(h, w, *arr.shape[2:])


def _read_jpeg_reduced(info: HugeImage, k: int) -> np.ndarray:
    from PIL import Image

    from pixelproof.core.imageio import check_jpeg_scans

    check_jpeg_scans(info.path, info.path.read_bytes())  # DCT scaling still passes over every scan

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(info.path) as im:
            stored = (im.width, im.height)
            im.draft(im.mode, (math.ceil(stored[0] / k), math.ceil(stored[1] / k)))  # DCT scaling
            im.load()
            arr = np.asarray(im.convert("RGB") if im.mode not in ("L", "RGB") else im)
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    return orient(arr, info.orientation)


def _read_tiff_reduced(path: Path, k: int) -> np.ndarray:
    from pixelproof.core.tiff_guard import import_tifffile

    tifffile = import_tifffile()

    full = tifffile.memmap(path, page=0, mode="r")  # uncompressed: the first page, paged in band by band
    h, w = full.shape[:2]
    rows = max(k, _BAND_ROWS // k * k)
    bands = []
    for y in range(0, h, rows):
        band = np.asarray(full[y : y + rows])
        bands.append(_area(band, math.ceil(w / k), math.ceil(band.shape[0] / k)))
    return np.concatenate(bands, axis=0)


def _read_full(path: Path) -> np.ndarray:
    """The whole image, decoded past the pixel limit (the user chose to, having seen the cost)."""
    from pixelproof.core.imageio import decode_file

    return decode_file(path, past_limit=True)


class UpsampledLevel:
    """A reduced image seen at full-resolution coordinates (nearest neighbour), sliced like an array:
    the canvas's level 0 for an image opened downsampled."""

    def __init__(self, reduced: np.ndarray, k: int, height: int, width: int) -> None:
        self.reduced, self.k = reduced, int(k)
        self.shape: tuple[int, ...] = (int(height), int(width), *reduced.shape[2:])
        self.dtype = reduced.dtype
        self.ndim = len(self.shape)

    def __getitem__(self, key: Any) -> Any:
        ys, xs = key[0], key[1]
        rest = tuple(key[2:])
        if isinstance(ys, int | np.integer) and isinstance(xs, int | np.integer):
            px = self.reduced[int(ys) // self.k, int(xs) // self.k]
            return px[rest] if rest else px
        y0, y1, _ = ys.indices(self.shape[0])
        x0, x1, _ = xs.indices(self.shape[1])
        rows = np.minimum(np.arange(y0, max(y0, y1)) // self.k, self.reduced.shape[0] - 1)
        cols = np.minimum(np.arange(x0, max(x0, x1)) // self.k, self.reduced.shape[1] - 1)
        out = self.reduced[rows[:, None], cols[None, :]]
        return out[(slice(None), slice(None), *rest)] if rest else out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise ImageReadError("an image opened downsampled is not read whole at full resolution")
