"""Label Studio's brush RLE: the RGBA bytes of a whole image (``width * height * 4`` values, row-major),
packed with thi.ng's ``rle-pack`` as Label Studio's editor writes it.

The bit stream: the value count (32 bits), the word size minus 1 (5 bits), four run-length field sizes
minus 1 (4 bits each); then tokens, each a flag bit, a 2-bit index into the four sizes and a run length
minus 1 in that many bits; flag 1: one value repeated over the run, flag 0: the run's values one by one.
A pixel is in the mask when its alpha byte (the 4th) is not 0, as the editor draws it (it writes 255 in
every channel of a painted pixel). The reference is label-studio-converter's ``brush.py``; this module is
our own vectorised codec (theirs walks a string of '0'/'1' characters, a byte at a time).
"""

from __future__ import annotations

import numpy as np

from pixelproof.core.limits import LimitError, check_image_size

WORD_SIZE = 8
RUN_SIZES = (3, 4, 8, 16)  # the run-length field sizes Label Studio's converter writes
MAX_RUN = 1 << 16  # the longest run one token holds with 16 bits
_HEADER_BITS = 32 + 5 + 4 * 4
_BLOCK = 1 << 16  # tokens turned into bits at a time (bounds the temporary arrays)


class RleError(ValueError):
    """An RLE that is not Label Studio's brush format for the declared image size."""


def _as_bytes(rle: object) -> np.ndarray:
    """The RLE list as bytes; ``RleError`` unless it is a list of whole numbers 0..255."""
    if not isinstance(rle, list) or not rle:
        raise RleError("rle must be a non-empty list of numbers 0..255")
    try:
        arr = np.asarray(rle)
    except ValueError:
        raise RleError("rle must be a flat list of numbers 0..255") from None
    if arr.ndim != 1 or arr.dtype.kind not in "iu" or int(arr.min()) < 0 or int(arr.max()) > 255:
        raise RleError("rle must be a flat list of whole numbers 0..255")
    return arr.astype(np.uint8)


def decode(rle: object, width: int, height: int, where: str) -> np.ndarray:
    """The ``height x width`` boolean mask of a brush RLE. ``RleError`` when the stream is malformed or
    holds another count than ``width * height * 4`` values; ``LimitError`` when the mask would be over
    the pixel limit (checked before anything the size of the image is made)."""
    check_image_size(width, height, where, "brush mask")
    raw = _as_bytes(rle)
    data = raw.tobytes() + bytes(8)  # reads never run off the end
    total = len(raw) * 8

    def read(p: int, k: int) -> int:
        chunk = int.from_bytes(data[p >> 3 : (p >> 3) + 5], "big")
        return (chunk >> (40 - (p & 7) - k)) & ((1 << k) - 1)

    if total < _HEADER_BITS:
        raise RleError(f"rle of {len(raw)} bytes is shorter than its header")
    num = read(0, 32)
    if num != width * height * 4:
        raise RleError(
            f"rle holds {num:,} values, not width x height x 4 = {width * height * 4:,} "
            f"({width} x {height} RGBA)"
        )
    ws = read(32, 5) + 1
    sizes = [read(37 + 4 * k, 4) + 1 for k in range(4)]
    bits: np.ndarray | None = None
    mask = np.zeros(width * height, dtype=bool)
    i, p = 0, _HEADER_BITS
    while i < num:
        if p + 3 > total:
            raise RleError(f"rle ends after {i:,} of {num:,} values")
        flag, size = read(p, 1), sizes[read(p + 1, 2)]
        if p + 3 + size > total:
            raise RleError(f"rle ends after {i:,} of {num:,} values")
        j = i + 1 + read(p + 3, size)
        p += 3 + size
        if j > num:
            raise RleError(f"a run of rle passes its {num:,} values")
        first, stop = -(-(i - 3) // 4), -(-(j - 3) // 4)  # pixels whose alpha byte is in [i, j)
        if flag:
            if p + ws > total:
                raise RleError(f"rle ends after {i:,} of {num:,} values")
            if read(p, ws) and first < stop:
                mask[first:stop] = True
            p += ws
        else:
            if p + (j - i) * ws > total:
                raise RleError(f"rle ends after {i:,} of {num:,} values")
            if first < stop:
                if bits is None:
                    bits = np.unpackbits(raw)
                alpha = np.arange(first, stop, dtype=np.int64)
                at = p + (alpha * 4 + 3 - i) * ws
                words = bits[at[:, None] + np.arange(ws)].astype(np.int64)
                on = (words @ (1 << np.arange(ws - 1, -1, -1, dtype=np.int64))) != 0
                mask[alpha[on]] = True
            p += (j - i) * ws
        i = j
    return mask.reshape(height, width)


def encode(mask: np.ndarray) -> list[int]:
    """The brush RLE of a boolean mask (every channel 255 on a painted pixel, 0 elsewhere), as Label
    Studio's converter writes it (``mask2rle``: 8-bit words, run fields of 3, 4, 8 and 16 bits).
    ``LimitError`` for an image of 2**30 pixels or more: the value count is 32 bits."""
    height, width = mask.shape
    if width * height * 4 >= 1 << 32:
        raise LimitError(
            "brush mask", f"{width} x {height} pixels do not fit Label Studio's RLE (under 2**30 pixels)"
        )
    flat = np.asarray(mask, dtype=bool).reshape(-1)
    edges = np.concatenate(([0], np.flatnonzero(flat[1:] != flat[:-1]) + 1, [flat.size]))
    lengths = np.diff(edges).astype(np.int64) * 4  # a pixel is 4 equal bytes
    values = np.where(flat[edges[:-1]], 255, 0).astype(np.int64)
    chunks = (lengths - 1) // MAX_RUN + 1  # runs over 65536 values split, as the converter does
    run = np.repeat(np.arange(lengths.size), chunks)
    nth = np.arange(run.size) - np.repeat(np.cumsum(chunks) - chunks, chunks)
    last = nth == chunks[run] - 1
    lens = np.where(last, lengths[run] - (chunks[run] - 1) * MAX_RUN, MAX_RUN)
    vals = values[run]
    index = np.searchsorted(np.array([8, 16, 256]), lens)  # first field size that holds len - 1
    field = np.array(RUN_SIZES, dtype=np.int64)[index]
    width_bits = 1 + 2 + field + WORD_SIZE
    tokens = (1 << (width_bits - 1)) | (index << (field + WORD_SIZE)) | ((lens - 1) << WORD_SIZE) | vals
    header = (flat.size * 4) << 21 | (WORD_SIZE - 1) << 16
    for k, size in enumerate(RUN_SIZES):
        header |= (size - 1) << (12 - 4 * k)
    parts = [_bits(np.array([header], dtype=np.int64), np.array([_HEADER_BITS], dtype=np.int64))]
    for start in range(0, tokens.size, _BLOCK):
        parts.append(_bits(tokens[start : start + _BLOCK], width_bits[start : start + _BLOCK]))
    return np.packbits(np.concatenate(parts)).tolist()


def _bits(values: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Each value's ``width`` lowest bits, most significant first, one after the other (0/1 bytes)."""
    rep = np.repeat(values, widths)
    wrep = np.repeat(widths, widths)
    offset = np.arange(rep.size) - np.repeat(np.cumsum(widths) - widths, widths)
    return ((rep >> (wrep - 1 - offset)) & 1).astype(np.uint8)
