"""A big PNG decoded in strips of rows, so the app can show the top of it before the rest is decoded.

OpenCV and Pillow decode a PNG whole (issue 20: an 8000x8000 PNG took 2-3 s before anything showed). A PNG's
pixel data is one zlib stream of filtered rows, so it can be read in order: ``zlib`` inflates the rows of
one strip, which become a small PNG of their own - the strip's rows, preceded by the previous strip's last
row stored unfiltered (filter type 0) since the filters of a row refer to the row above - and OpenCV
decodes that PNG. Every pixel comes from OpenCV's own decoder, so the result equals ``read_image``'s.

Only the common layouts take this path: 8 or 16 bits, grey / RGB / RGBA, not interlaced, no palette or
transparency chunk, no EXIF orientation; for any other file, or anything unexpected in the data,
``read_png_in_strips`` returns None and the caller decodes the file whole (which reports problems).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np

from pixelproof.core.imageio import _check_file, _header, bgr_to_rgb

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 6: 4}  # PNG colour type -> samples per pixel (grey, RGB, RGBA)
# chunks before the pixel data that change nothing OpenCV decodes (no palette, transparency or bit shift)
HARMLESS = {b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"pHYs", b"tEXt", b"zTXt", b"iTXt", b"tIME", b"bKGD"}
READ_STEP = 1 << 22  # compressed bytes read at a time
INFLATE_STEP = 1 << 23  # inflated bytes at most per zlib call (a bad stream cannot balloon)

StripCallback = Callable[[np.ndarray, int, int], None]


def read_png_in_strips(
    path: str | os.PathLike[str],
    on_strip: StripCallback,
    strip_rows: int = 256,
    first_rows: int | None = None,
) -> np.ndarray | None:
    """The image as ``read_image`` returns it, decoded ``strip_rows`` rows at a time (the first strip
    ``first_rows``, when given: a smaller one shows sooner); after each strip ``on_strip(image, y0, y1)``
    is called (rows ``y0:y1`` of ``image`` are now final). None when the file is not a PNG this path
    handles or its data is not as expected."""
    p = Path(path)
    _check_file(p)
    header = _header(p)  # size limits and the EXIF orientation, as read_image checks them
    if header is None or header[2] != 1:
        return None
    try:
        with open(p, "rb") as f:
            return _decode_strips(f, on_strip, max(1, strip_rows), max(1, first_rows or strip_rows))
    except (OSError, zlib.error):
        return None  # the whole decode says what is wrong


def _decode_strips(
    f: BinaryIO, on_strip: StripCallback, strip_rows: int, first_rows: int
) -> np.ndarray | None:
    layout = _layout(f)
    if layout is None:
        return None
    width, height, depth, channels, idat = layout
    dtype = np.uint8 if depth == 8 else np.uint16
    shape = (height, width) if channels == 1 else (height, width, channels)
    image = np.empty(shape, dtype=dtype)
    row_bytes = width * channels * depth // 8 + 1  # a filter-type byte, then the samples
    rows = _filtered_rows(_pieces(f, idat), row_bytes, (first_rows, strip_rows), height)
    previous = b""
    y0 = 0
    for strip in rows:
        n = len(strip) // row_bytes
        decoded = _decode(strip, previous, width, n, depth, channels)
        if decoded is None or y0 + n > height:
            return None
        image[y0 : y0 + n] = decoded
        last = image[y0 + n - 1]
        previous = b"\x00" + (last.astype(">u2") if depth == 16 else last).tobytes()
        on_strip(image, y0, y0 + n)
        y0 += n
    return image if y0 == height else None


def _layout(f: BinaryIO) -> tuple[int, int, int, int, int] | None:
    """(width, height, bit depth, channels, offset of the first IDAT chunk) of a PNG this module decodes;
    only the chunks before the pixel data are read (the IDAT chunks follow one another: ``_pieces``
    walks them as it reads, so nothing waits for a scan of the whole file)."""
    if f.read(len(SIGNATURE)) != SIGNATURE:
        return None
    size = os.fstat(f.fileno()).st_size
    pos, header = len(SIGNATURE), None
    while pos + 8 <= size:
        f.seek(pos)
        head = f.read(8)
        length, kind = int.from_bytes(head[:4], "big"), head[4:]
        if len(head) != 8 or pos + 12 + length > size:
            return None
        if header is None:
            if kind != b"IHDR" or length != 13:
                return None
            header = f.read(13)
        elif kind == b"IDAT":
            break
        elif kind == b"IEND" or kind not in HARMLESS:
            return None
        pos += 12 + length
    else:
        return None  # no pixel data
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big")
    depth, color, compression, filtering, interlace = header[8:13]
    if color not in CHANNELS or depth not in (8, 16) or (compression, filtering, interlace) != (0, 0, 0):
        return None
    if width < 1 or height < 1:
        return None
    return width, height, depth, CHANNELS[color], pos


def _pieces(f: BinaryIO, pos: int) -> Iterator[bytes]:
    """The data of the IDAT chunks from ``pos`` on, read ``READ_STEP`` bytes at a time, up to the first
    chunk of another kind (the pixel data is over) or the end of the file."""
    while True:
        f.seek(pos)
        head = f.read(8)
        if len(head) != 8 or head[4:] != b"IDAT":
            return
        length = int.from_bytes(head[:4], "big")
        pos += 12 + length
        while length > 0:
            piece = f.read(min(READ_STEP, length))
            if not piece:
                raise OSError("file shorter than its chunks say")
            length -= len(piece)
            yield piece


def _filtered_rows(
    pieces: Iterable[bytes], row_bytes: int, strip_rows: tuple[int, int], height: int
) -> Iterator[bytes]:
    """The inflated pixel stream in strips of whole rows: ``strip_rows`` (first, others) rows each (the
    last strip may be shorter); never more than ``height`` rows, however much a bad stream would inflate
    to."""
    inflate = zlib.decompressobj()
    want = row_bytes * strip_rows[0]
    left = row_bytes * height
    pending = bytearray()
    for piece in pieces:
        data = piece
        while len(data) and left > 0 and not inflate.eof:
            out = inflate.decompress(data, min(INFLATE_STEP, left))
            data = inflate.unconsumed_tail
            left -= len(out)
            pending += out
            while len(pending) >= want:
                yield bytes(pending[:want])
                del pending[:want]
                want = row_bytes * strip_rows[1]
    if left > 0:
        pending += inflate.flush()[:left]
    whole = len(pending) - len(pending) % row_bytes
    if whole:
        yield bytes(pending[:whole])


def _chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(body, zlib.crc32(kind)).to_bytes(4, "big")


def _decode(
    strip: bytes, previous: bytes, width: int, rows: int, depth: int, channels: int
) -> np.ndarray | None:
    """One strip decoded by OpenCV, in RGB(A) order, ``previous`` (the row above, unfiltered) dropped."""
    color = {1: 0, 3: 2, 4: 6}[channels]
    total = rows + (1 if previous else 0)
    ihdr = width.to_bytes(4, "big") + total.to_bytes(4, "big") + bytes((depth, color, 0, 0, 0))
    png = b"".join(
        (
            SIGNATURE,
            _chunk(b"IHDR", ihdr),
            _chunk(b"IDAT", zlib.compress(previous + strip, 0)),
            _chunk(b"IEND", b""),
        )
    )
    img = cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None or img.shape[0] != total:
        return None
    if previous:
        img = img[1:]
    return bgr_to_rgb(img) if channels in (3, 4) else img
