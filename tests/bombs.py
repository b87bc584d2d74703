"""Small files that declare huge images (decompression bombs), made in a blink for the tests."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


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
