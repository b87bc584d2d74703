"""RLE objects of a project file checked before pycocotools ever decodes them (its ``decode`` trusts the
counts and writes past its buffer when they sum past height x width)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pixelproof.core.coco_values import MISSING, origin_ok, typename
from pixelproof.core.limits import RLE_MAX_PIXELS, RLE_ORIGIN, short_repr
from pixelproof.core.model import ImageRecord

RLE_BATCH_CHARS = 1 << 20  # compressed RLE characters checked together


def check_rles(
    rles: list[tuple[int, str, dict, ImageRecord | None, Any]], err: Callable[[str], None]
) -> None:
    """Size, counts type and - for every RLE - that the runs cover exactly height x width pixels.

    pycocotools trusts the counts: runs that sum past h*w make ``decode`` write past its buffer, so a
    broken RLE must be caught here, not when the user opens the image. Its counts are 32-bit: an RLE
    covers fewer than 2**32 pixels; masks of bigger images are stored cropped (``pixelproof.rle_origin``).
    """
    compressed: list[tuple[str, str, int]] = []
    for _row, where, seg, image, origin in rles:
        size = seg.get("size")
        counts = seg.get("counts")
        size_ok = type(size) is list and len(size) == 2 and all(type(v) is int and v >= 0 for v in size)
        if not size_ok:
            err(f"{where}.size: expected [height, width] as 2 non-negative integers, got {short_repr(size)}")
        elif size[0] * size[1] >= RLE_MAX_PIXELS:
            err(
                f"{where}.size: {size[0]} x {size[1]} = {size[0] * size[1]:,} pixels: pycocotools counts "
                f"in 32 bits; store the mask cropped to its box ({RLE_ORIGIN})"
            )
            size_ok = False
        elif image is not None and not size_fits(size, image, origin):
            if origin is MISSING:
                err(
                    f"{where}.size: RLE size {size} differs from image {image.id} size "
                    f"[{image.height}, {image.width}] (height, width)"
                )
            elif origin_ok(origin):
                err(
                    f"{where}.size: a crop of {size} at {RLE_ORIGIN} {origin} does not fit image "
                    f"{image.id} [{image.height}, {image.width}]"
                )
            size_ok = False
        if type(counts) is str:
            if size_ok:
                compressed.append((where, counts, size[0] * size[1]))
        elif type(counts) is list:
            if not all(type(v) is int and v >= 0 for v in counts):
                err(f"{where}.counts: uncompressed RLE counts must be non-negative integers")
            elif size_ok and sum(counts) != size[0] * size[1]:
                err(
                    f"{where}.counts: uncompressed RLE counts sum to {sum(counts)}, "
                    f"expected height*width = {size[0] * size[1]}"
                )
        else:
            err(
                f"{where}.counts: expected a string (compressed RLE) or a list of integers, "
                f"got {typename(counts)}"
            )
    batch: list[tuple[str, str, int]] = []
    chars = 0
    for item in compressed:  # a few MB of strings at a time: the decoding arrays take ~20 bytes a character
        batch.append(item)
        chars += len(item[1])
        if chars >= RLE_BATCH_CHARS:
            check_compressed_counts(batch, err)
            batch, chars = [], 0
    if batch:
        check_compressed_counts(batch, err)


def size_fits(size: list[int], image: ImageRecord, origin: Any) -> bool:
    if origin is MISSING:
        return size == [image.height, image.width]
    return origin_ok(origin) and origin[1] + size[0] <= image.height and origin[0] + size[1] <= image.width


def check_compressed_counts(items: list[tuple[str, str, int]], err: Callable[[str], None]) -> None:
    """Decode pycocotools' compressed counts (all strings at once, numpy) and check each run total.

    Format (pycocotools ``rleToString``): each count is written in 5-bit groups, low first, as
    ``chr(48 + group)`` with 0x20 = "more groups follow" and 0x10 in the last group = negative; counts
    from index 3 on are stored as the difference to the count two places before.
    """
    try:
        buf = "".join(c for _, c, _ in items).encode("ascii")
    except UnicodeEncodeError:
        buf = b""
    lengths = np.fromiter((len(c) for _, c, _ in items), dtype=np.int64, count=len(items))
    if len(buf) != int(lengths.sum()):  # some string is not ASCII: find which, one by one
        for where, counts, total in items:
            if counts.isascii():
                check_compressed_counts([(where, counts, total)], err)
            else:
                err(f"{where}.counts: not a pycocotools compressed RLE (non-ASCII characters)")
        return
    if not buf:
        buf = b"0"  # one dummy zero run so the arrays below are never empty; owned by nobody
        lengths = np.append(lengths, 1)
    n = len(lengths)
    c = np.frombuffer(buf, dtype=np.uint8) - np.uint8(48)  # wraps below "0": one range test
    owner = np.repeat(np.arange(n, dtype=np.int32), lengths)
    out_of_range = c > 63
    n_bad = np.zeros(n, dtype=np.int64)
    if out_of_range.any():
        n_bad += np.bincount(owner[out_of_range], minlength=n)
        c = c & np.uint8(0x3F)
    end = (c & 0x20) == 0  # last group of a value
    ends_at = np.cumsum(lengths)[lengths > 0] - 1
    n_bad[owner[ends_at[~end[ends_at]]]] += 1  # a string must not stop inside a value
    end[ends_at] = True  # values never run on into the next string
    value_end = np.flatnonzero(end)
    value_start = np.empty_like(value_end)
    value_start[0] = 0
    value_start[1:] = value_end[:-1] + 1
    n_groups = value_end - value_start + 1
    v_owner = owner[value_end]
    n_bad += np.bincount(v_owner[n_groups > 7], minlength=n)  # > 35 bits: more pixels than any image
    shift = (np.arange(len(c)) - np.repeat(value_start, n_groups)).clip(max=7) * 5
    x = np.add.reduceat((c & 0x1F).astype(np.int64) << shift, value_start)
    negative = (c[value_end] & 0x10) != 0
    x[negative] -= np.int64(1) << (5 * n_groups[negative].clip(max=7))
    # undo the delta coding: within each string, chains {0}, {1, 3, 5, ...}, {2, 4, 6, ...}
    first = np.flatnonzero(np.diff(v_owner, prepend=-1))
    m = np.arange(len(x)) - np.repeat(first, np.diff(first, append=len(x)))
    counts = x.copy()
    for sel in (m % 2 == 1, (m % 2 == 0) & (m > 0)):
        xs, own = x[sel], v_owner[sel]
        csum = np.cumsum(xs)
        starts = np.flatnonzero(np.diff(own, prepend=-1))
        offset = np.repeat(csum[starts] - xs[starts], np.diff(starts, append=len(xs)))
        counts[sel] = csum - offset
    n_bad += np.bincount(v_owner[counts < 0], minlength=n)
    totals = np.bincount(v_owner, weights=counts, minlength=n)
    bad = n_bad > 0
    for k, (where, _, expected) in enumerate(items):
        if bad[k]:
            err(f"{where}.counts: not a valid pycocotools compressed RLE string")
        elif totals[k] != expected:
            err(f"{where}.counts: runs cover {int(totals[k])} pixels, expected height*width = {expected}")
