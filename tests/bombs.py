"""Small files that declare huge images (decompression bombs), make a decoder work long (a JPEG of
many scans) or are damaged where a decoder meets it late (a short IDAT), made in a blink for the tests."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def zero_zlib(total: int) -> bytes:
    """A zlib stream of ``total`` zero bytes, made without compressing them all: one 16 MiB block ends
    with a full flush (byte-aligned, no history), so it can simply be repeated."""
    block = 1 << 24
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = first.compress(bytes(block)) + first.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(total, block)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = last.compress(bytes(rest)) + last.flush()
    adler, zeros = 1, bytes(block)
    for _ in range(count):
        adler = zlib.adler32(zeros, adler)
    adler = zlib.adler32(bytes(rest), adler)
    return b"\x78\xda" + piece * count + tail + struct.pack(">I", adler)


def png_bomb(width: int, height: int, bit_depth: int = 1) -> bytes:
    """A real, complete PNG of ``width`` x ``height`` black gray pixels: under a megabyte on disk,
    gigabytes once decoded."""
    raw_size = height * (1 + (width * bit_depth + 7) // 8)  # each row: filter byte + pixels
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    idat = zero_zlib(raw_size)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def write_png_bomb(path: Path, width: int = 60000, height: int = 60000) -> Path:
    path.write_bytes(png_bomb(width, height))
    return path


def many_scans_jpeg(side: int, extra_scans: int, mode: str = "RGB") -> bytes:
    """A progressive JPEG (Pillow's, about 10 scans) with ``extra_scans`` copies of its last scan's
    header before EOI: empty scans, each of which a decoder still passes over the whole picture for."""
    rng = np.random.default_rng(5)
    shape = (side, side, 3) if mode == "RGB" else (side, side)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(buf, "JPEG", progressive=True)
    data = buf.getvalue()
    last, end = data.rfind(b"\xff\xda"), data.rfind(b"\xff\xd9")
    header = data[last : last + 2 + int.from_bytes(data[last + 2 : last + 4], "big")]
    return data[:end] + header * extra_scans + data[end:]


def short_idat_png(pixels: np.ndarray, short_by: int = 12) -> bytes:
    """A PNG of ``pixels`` whose IDAT chunk declares ``short_by`` bytes fewer than it holds: the header
    reads fine, and while decoding Pillow takes the rest of the data for the next chunk and raises
    ``SyntaxError("broken PNG file ...")`` (not an OSError)."""
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    raw = buf.getvalue()
    at = raw.index(b"IDAT") - 4
    length = struct.unpack(">I", raw[at : at + 4])[0]
    return raw[:at] + struct.pack(">I", length - short_by) + raw[at + 4 :]
