"""COCO RLE counts without whole masks: run lengths <-> pycocotools' compressed string, and the RLE of
masks given as crops at their place in the image, one crop or thousands in one numpy pass.

COCO RLE is column-major: runs of the flat index ``column * height + row``. A crop's runs are the toggles
of each of its columns, moved to the column's image offset; no image-sized array is ever made. Pre-labeling
with a semantic model turns one picture into thousands of components: encoding them one call each costs
~15 numpy calls per mask, so ``crops_rle`` finds the toggles, boxes, areas and run lengths of every crop at
once and only the final string is made per mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from pycocotools import mask as mask_utils

Rect = tuple[int, int, int, int]  # x, y, w, h in pixels
Geometry = tuple[dict[str, Any], list[float], float]  # (compressed RLE, bbox, area)


# pycocotools' string encoder (``rleToString``) allocates 6 characters per run and writes one more (the
# end): a number of 2**24 or more can take 6 or 7 characters, and a few such runs write past the buffer
# (heap corruption; a crafted file with four runs of 2**29 crashes the process). Runs under this bound
# take at most 5 characters, so only those go to it; bigger ones are encoded here.
C_ENCODER_SAFE = 2**24


def counts_string(counts: np.ndarray) -> str:
    """Run lengths -> pycocotools' compressed counts string (byte-identical to ``mask.encode``): its C
    encoder (~10x numpy's per call, what thousands of small masks cost) while every run is under
    ``C_ENCODER_SAFE``, else in numpy (big images, gigapixel slides)."""
    cnts = np.asarray(counts, dtype=np.int64)
    if cnts.size and int(cnts.min()) >= 0 and int(cnts.max()) < C_ENCODER_SAFE:
        return _c_string(cnts)
    return _counts_string_numpy(cnts)


def compressed(rle: dict[str, Any]) -> dict[str, Any]:
    """An RLE in pycocotools' compressed form (bytes counts), without its encoder for big runs:
    uncompressed (list) counts are encoded by ``counts_string`` (``mask.frPyObjects`` would hand them to
    the C encoder whatever their size)."""
    counts = rle["counts"]
    if isinstance(counts, list):
        counts = counts_string(np.asarray(counts, dtype=np.int64))
    if isinstance(counts, str):
        counts = counts.encode("ascii")
    return {"size": [int(v) for v in rle["size"]], "counts": counts}


def _c_string(counts: np.ndarray) -> str:
    """pycocotools' C encoder: only for runs under ``C_ENCODER_SAFE`` (see there)."""
    rle = mask_utils.frPyObjects({"size": [1, 1], "counts": counts.astype(np.uint32, copy=False)}, 1, 1)
    return rle["counts"].decode("ascii")


# a number takes k 5-bit chunks (sign in the last chunk's bit 4) when -2**(5k-1) <= x < 2**(5k-1)
_CHUNK_LIMITS = np.array([1 << (5 * k - 1) for k in range(1, 13)], np.int64)


def _encoded(x: np.ndarray) -> np.ndarray:
    """pycocotools' characters for the (delta-coded) numbers ``x``: 5 bits each, low bits first, bit 5
    set on all but a number's last, + 48."""
    magnitude = np.where(x < 0, ~x, x)  # the sign needs a bit too: -16 fits one chunk, 16 does not
    chunks = np.searchsorted(_CHUNK_LIMITS, magnitude, side="right") + 1
    k = np.arange(int(chunks.max(initial=1)))
    used = k < chunks[:, None]  # [number, chunk]: row-major order is the string's order
    more = (k < chunks[:, None] - 1).astype(np.int64) << 5
    chars = ((x[:, None] >> (5 * k)) & 0x1F | more) + 48
    return chars[used].astype(np.uint8)


def _counts_string_numpy(cnts: np.ndarray) -> str:
    x = cnts.copy()
    if x.size > 3:
        x[3:] = cnts[3:] - cnts[1:-2]
    return _encoded(x).tobytes().decode("ascii")


def runs_rle(
    starts: np.ndarray, lengths: np.ndarray, owners: np.ndarray, height: int, width: int
) -> list[dict[str, Any]]:
    """COCO RLE of each owner's pixels, given as runs (flat column-major start, length, owner) in start
    order, maximal (two runs of one owner never touch): one dict per distinct owner, in owner order. All
    owners' run lengths come from one numpy pass; only the string is made per owner."""
    total = int(height) * int(width)
    key = owners
    if owners.size and int(owners.min()) >= 0 and int(owners.max()) < 1 << 16:
        key = owners.astype(np.uint16)  # numpy's stable sort of 16-bit keys is a radix sort: ~5x faster
    order = np.argsort(key, kind="stable")  # each owner's runs together, still in start order
    s, n, who = starts[order].astype(np.int64), lengths[order].astype(np.int64), owners[order]
    if s.size == 0:
        return []
    first = np.r_[True, who[1:] != who[:-1]]
    end = s + n
    gap = s - np.r_[0, end[:-1]]
    gap[first] = s[first]  # an owner's first run: the zeros before it from the image's start
    index = np.cumsum(first) - 1  # the owner of each run, numbered 0..
    slot = 2 * np.arange(s.size) + index  # where each run's (zeros, ones) pair goes; + 1 trailing each
    counts = np.empty(2 * s.size + int(index[-1]) + 1, np.int64)
    counts[slot], counts[slot + 1] = gap, n
    last = np.r_[np.flatnonzero(first)[1:], s.size] - 1
    tail = total - end[last]
    counts[slot[last] + 2] = tail
    stop = slot[last] + 2 + (tail > 0)  # no zero-length last run, as pycocotools writes it
    size = [int(height), int(width)]
    encode = _c_string if total < C_ENCODER_SAFE else counts_string  # every run under 2**24: C is safe
    return [
        {"size": size, "counts": encode(counts[a:b])}
        for a, b in zip(slot[first].tolist(), stop.tolist(), strict=True)
    ]


def region_rle(rect: Rect, crop: np.ndarray, height: int, width: int) -> dict[str, Any]:
    """RLE of a mask that is ``crop`` at ``rect`` and empty elsewhere, without a full-size array."""
    found = crops_rle([(rect, crop)], height, width)[0]
    if found is None:
        return {"size": [int(height), int(width)], "counts": counts_string(np.array([height * width]))}
    return found[0]


def _sampled_runs(mask: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximal runs (flat column-major start, length) of ``mask[rows][:, cols]`` - a nearest-neighbour
    resize, each output row and column naming its source; ``rows`` non-decreasing - without making it.
    Each source column's runs are found once and mapped to output rows by ``searchsorted``, then laid
    out for every output column that samples it: a 6 x 5 mask scaled to a 16384^2 image is ~50,000 runs,
    not a 268 MB array (3 s an object)."""
    height = rows.size
    column_major = np.zeros((mask.shape[1], mask.shape[0] + 2), np.int8)
    column_major[:, 1:-1] = np.asarray(mask, dtype=bool).T
    col, at = np.nonzero(np.diff(column_major, axis=1))  # toggles: each column's on/off pairs, in order
    src_col, on, off = col[0::2], at[0::2], at[1::2]
    top, bottom = np.searchsorted(rows, on), np.searchsorted(rows, off)  # output rows [top, bottom)
    seen = bottom > top  # a run no output row samples is dropped
    src_col, top, bottom = src_col[seen], top[seen], bottom[seen]
    first = np.searchsorted(src_col, np.arange(mask.shape[1] + 1))  # each source column's runs
    per_col = (first[1:] - first[:-1])[cols]
    out_col = np.repeat(np.arange(cols.size, dtype=np.int64), per_col)
    within = np.arange(out_col.size) - np.repeat(np.cumsum(per_col) - per_col, per_col)
    run = first[cols][out_col] + within
    starts = out_col * height + top[run]
    ends = out_col * height + bottom[run]
    new = np.r_[True, starts[1:] != ends[:-1]] if starts.size else np.zeros(0, bool)
    keep = np.flatnonzero(new)  # runs that touch across a column's end (or an unsampled gap) join
    last = np.r_[keep[1:] - 1, starts.size - 1] if starts.size else keep
    return starts[keep], ends[last] - starts[keep]


def sampled_rle(mask: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> dict[str, Any]:
    """COCO RLE of ``mask[rows][:, cols]`` (see ``_sampled_runs``), of size [len(rows), len(cols)]."""
    height, width = rows.size, cols.size
    starts, lengths = _sampled_runs(mask, rows, cols)
    if starts.size == 0:
        return {"size": [int(height), int(width)], "counts": counts_string(np.array([height * width]))}
    return runs_rle(starts, lengths, np.zeros(starts.size, np.int64), height, width)[0]


def _transposed(crop: np.ndarray) -> np.ndarray:
    """A big crop through OpenCV's blocked transpose (~7x numpy's strided copy); a small one as a view."""
    if crop.size < 4096:
        return crop.T
    return cv2.transpose(np.ascontiguousarray(crop).view(np.uint8)).view(bool)


def crops_rle(crops: Sequence[tuple[Rect, np.ndarray]], height: int, width: int) -> list[Geometry | None]:
    """(RLE, bbox, area) of each mask given as a crop (bool, h x w) at its rect in a height x width image
    (None for an empty crop), as pycocotools would give them for the full-size masks. The crops must lie
    inside the image."""
    total = int(height) * int(width)
    rects = np.array([rect for rect, _ in crops], dtype=np.int64).reshape(-1, 4)
    x, y, w, h = rects.T
    padded = h + 2  # each crop column between two zero rows, so each column's toggles come in pairs
    starts = np.concatenate(([0], np.cumsum(w * padded)))
    buf = np.zeros(int(starts[-1]) + 1, dtype=np.int8)
    for i, (_, crop) in enumerate(crops):
        if crop.size:
            column_major = buf[starts[i] : starts[i + 1]].reshape(int(w[i]), int(padded[i]))
            column_major[:, 1:-1] = _transposed(np.asarray(crop, dtype=bool))
    q = np.flatnonzero(buf[1:] != buf[:-1]) + 1  # a new value starts at padded index q
    owner = np.searchsorted(starts, q, side="right") - 1
    col, row = np.divmod(q - starts[owner], padded[owner])
    t = (x[owner] + col) * height + y[owner] + row - 1  # image flat index where the value toggles
    out: list[Geometry | None] = [None] * len(crops)
    if t.size == 0:
        return out
    firsts = np.flatnonzero(
        np.r_[True, owner[2::2] != owner[:-2:2]]
    )  # runs (on, off pairs): each crop's first
    who = owner[0::2][firsts]
    run_col = col[0::2]
    x0, x1 = np.minimum.reduceat(run_col, firsts), np.maximum.reduceat(run_col, firsts) + 1
    y0, y1 = np.minimum.reduceat(row[0::2] - 1, firsts), np.maximum.reduceat(row[1::2] - 1, firsts)
    area = np.add.reduceat(t[1::2] - t[0::2], firsts)
    # a run going on into the next column (a full-height crop) toggles twice at one index: neither counts,
    # and a toggle after the last pixel ends no run
    keep = np.ones(t.size, dtype=bool)
    same = np.flatnonzero((t[1:] == t[:-1]) & (owner[1:] == owner[:-1]))
    keep[same] = keep[same + 1] = False
    keep &= t < total
    counts, first, last = _fenced_counts(t[keep], owner[keep], who, total)
    size = [int(height), int(width)]
    boxes = np.stack([x[who] + x0, y[who] + y0, x1 - x0, y1 - y0], axis=1).astype(float).tolist()
    for k, (i, box, a) in enumerate(zip(who.tolist(), boxes, area.tolist(), strict=True)):
        runs = counts[first[k] : last[k]]
        string = _c_string(runs) if total < C_ENCODER_SAFE else counts_string(runs)
        out[i] = ({"size": size, "counts": string}, box, float(a))
    return out


def _fenced_counts(
    t: np.ndarray, owner: np.ndarray, who: np.ndarray, total: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every crop's run lengths in one diff: its toggles ``t`` fenced by a 0 and the image's last index.
    Crop ``who[k]``'s counts are ``counts[first[k]:last[k]]`` (what lies between is never read)."""
    n = who.size
    bounds = np.searchsorted(owner, np.r_[who, who[-1] + 1])
    edges = np.repeat(bounds[:-1], 2)
    edges[1::2] = bounds[1:]
    fenced = np.insert(t, edges, np.tile(np.array([0, total], np.int64), n))
    counts = np.diff(fenced)
    if total < 2**32:
        counts = counts.astype(np.uint32)
    shift = 2 * np.arange(n)
    return counts, bounds[:-1] + shift, bounds[1:] + shift + 1
