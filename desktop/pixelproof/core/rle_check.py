"""RLE objects of a project file checked before pycocotools ever decodes them (its ``decode`` trusts the
counts and writes past its buffer when they sum past height x width)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pixelproof.core.coco_values import MISSING, origin_ok, typename
from pixelproof.core.limits import RLE_MAX_PIXELS, RLE_ORIGIN, LimitError, check_json_depth, short_repr
from pixelproof.core.model import ImageRecord
from pixelproof.core.rle_strings import undelta

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
        if len(seg) > 2:  # other keys are kept as read, so checked as every kept value is
            for key in [k for k in seg if k not in ("size", "counts")]:  # in file order
                try:
                    check_json_depth(seg[key], f"{where}.{key}")
                except LimitError as e:
                    err(str(e))
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
    n_bad = np.zeros(n, dtype=np.int64)
    out_of_range = c > 63
    if out_of_range.any():
        owner = np.repeat(np.arange(n), lengths)
        n_bad += np.bincount(owner[out_of_range], minlength=n)
        c = c & np.uint8(0x3F)
    string_stop = np.cumsum(lengths)  # one past each string's last character
    end = (c & 0x20) == 0  # last group of a value
    last = string_stop[lengths > 0] - 1
    n_bad[np.flatnonzero(lengths > 0)[~end[last]]] += 1  # a string must not stop inside a value
    end[last] = True  # values never run on into the next string
    value_end = np.flatnonzero(end)
    upto = np.searchsorted(value_end, string_stop)  # values in this string and the ones before
    n_values = np.diff(upto, prepend=0)
    first = upto - n_values  # each string's first value
    value_start = np.empty_like(value_end)
    value_start[0] = 0
    value_start[1:] = value_end[:-1] + 1
    n_groups = value_end - value_start + 1
    long = np.flatnonzero(n_groups > 7)  # > 35 bits: more pixels than any image
    n_bad += np.bincount(np.searchsorted(upto, long, side="right"), minlength=n)
    x = _values(c, value_start, n_groups)
    counts = undelta(x, first, n_values)
    negative = np.flatnonzero(counts < 0)
    n_bad += np.bincount(np.searchsorted(upto, negative, side="right"), minlength=n)
    totals = np.zeros(n, dtype=np.int64)
    has = n_values > 0
    totals[has] = np.add.reduceat(counts, first[has])
    bad = n_bad > 0
    for k, (where, _, expected) in enumerate(items):
        if bad[k]:
            err(f"{where}.counts: not a valid pycocotools compressed RLE string")
        elif totals[k] != expected:
            err(f"{where}.counts: runs cover {int(totals[k])} pixels, expected height*width = {expected}")


def _values(c: np.ndarray, value_start: np.ndarray, n_groups: np.ndarray) -> np.ndarray:
    """The signed values of the 5-bit groups ``c`` (low group first); groups past the 7th are ignored
    (such values are refused anyway). Most values are one group: the others are added group by group."""
    groups = (c & 0x1F).astype(np.int64)
    x = groups[value_start]
    multi = np.flatnonzero(n_groups > 1)
    starts, sizes = value_start[multi], n_groups[multi]
    for p in range(1, min(int(n_groups.max()), 7)):
        more = sizes > p
        multi, starts, sizes = multi[more], starts[more], sizes[more]
        x[multi] += groups[starts + p] << (5 * p)
    sign = (c[value_start + n_groups - 1] & 0x10) != 0  # in the value's last group
    x[sign] -= np.int64(1) << (5 * n_groups[sign].clip(max=7))
    return x
