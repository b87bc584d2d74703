"""pycocotools' compressed RLE counts strings -> run lengths, with numpy alone: loading and validating a
project (``rle_check``) decodes them without importing OpenCV or pycocotools (~16 MB and a tenth of a second
at start).

Format (pycocotools ``rleToString``): each count is written in 5-bit groups, low first, as ``chr(48 +
group)`` with 0x20 = "more groups follow" and 0x10 in the last group = negative; counts from index 3 on are
stored as the difference to the count two places before.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np


def rle_counts(rle: dict[str, Any]) -> np.ndarray:
    """Run lengths (int64, zeros first) of a compressed (str/bytes) or uncompressed (list) RLE: the one-RLE
    case of ``counts_batch`` (ValueError for a string that stops inside a number)."""
    values, _, broken = counts_batch([rle])
    if broken[0]:
        raise ValueError("not a pycocotools compressed RLE: the counts string stops inside a number")
    return values


def counts_batch(rles: Sequence[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run lengths of many RLEs in one numpy pass - one image's thousands of small masks cost ~10 numpy
    calls each decoded one by one: (values, offsets, broken), RLE k's run lengths (int64) being
    ``values[offsets[k]:offsets[k + 1]]``. All compressed strings are decoded as one: each number ends in
    its own string, so only the delta coding needs the strings' bounds. A string that stops inside a
    number is ``broken`` (and has no values): joined to the next it would shift every number after it."""
    n = len(rles)
    raws: list[bytes] = []
    listed: dict[int, np.ndarray] = {}
    for k, rle in enumerate(rles):
        counts = rle["counts"]
        if isinstance(counts, list):
            listed[k] = np.asarray(counts, dtype=np.int64)
            raws.append(b"")
        else:
            raws.append(counts.encode("ascii") if isinstance(counts, str) else bytes(counts))
    bad = [bool(r) and (r[-1] - 48) & 0x20 != 0 for r in raws]  # the last chunk must end a number
    if any(bad):
        raws = [b"" if b else r for r, b in zip(raws, bad, strict=True)]
    broken = np.array(bad, dtype=bool)
    c = np.frombuffer(b"".join(raws), dtype=np.uint8).astype(np.int64) - 48
    ends = np.flatnonzero((c & 0x20) == 0)  # the last chunk of each number has no continuation bit
    if n == 1:
        offsets = np.array([0, ends.size])
    else:  # each string's first number: the numbers in the strings before it
        offsets = np.zeros(n + 1, dtype=np.int64)
        offsets[1:] = np.searchsorted(ends, np.fromiter(itertools.accumulate(map(len, raws)), np.int64, n))
    first = offsets[:-1]
    n_values = offsets[1:] - first
    if ends.size:
        starts = np.concatenate(([0], ends[:-1] + 1))
        chunks = ends - starts + 1
        k = np.arange(c.size) - np.repeat(starts, chunks)
        vals = np.add.reduceat((c & 0x1F) << (5 * k), starts)
        vals -= ((c[ends] >> 4) & 1) << (5 * chunks)  # the sign: bit 4 of a number's last chunk
        values = undelta(vals, first, n_values)
    else:
        values = np.zeros(0, dtype=np.int64)
    if listed:  # uncompressed counts are already run lengths: laid in among the decoded ones
        pieces = [listed.get(k, values[first[k] : first[k] + n_values[k]]) for k in range(n)]
        if n == 1:
            return pieces[0], np.array([0, pieces[0].size]), broken
        values = np.concatenate(pieces) if n else values
        offsets = np.concatenate(([0], np.cumsum([p.size for p in pieces], dtype=np.int64)))
    return values, offsets, broken


def undelta(x: np.ndarray, first: np.ndarray, n_values: np.ndarray) -> np.ndarray:
    """Undo pycocotools' delta coding of many strings' values ``x`` (string k's ``n_values[k]`` values
    from ``first[k]``): in each string, value m >= 3 is stored as the difference to value m - 2, so values
    1, 3, 5, ... and 2, 4, 6, ... are running sums. Both chains of every string are contiguous in the
    global sequence of odd / even positions: one cumsum each, minus the chain's start (int64 wraps alike
    both ways, so even overflowing crafted values come out as one string's own cumsum gives them)."""
    head = first[n_values > 0]
    running = x.copy()
    running[head] = 0  # value 0 of a string belongs to no chain
    total = np.empty_like(x)
    total[0::2] = np.cumsum(running[0::2])
    total[1::2] = np.cumsum(running[1::2])
    if first.size == 1:  # one string, from position 0: its chains are the running sums themselves
        total[head] = x[head]
        return total
    string_first = np.repeat(first, n_values)
    m = np.arange(len(x)) - string_first
    chain_start = np.minimum(string_first + 2 - (m & 1), len(x) - 1)  # value 1 or 2 of the string
    counts = total - (total[chain_start] - x[chain_start])
    counts[head] = x[head]
    return counts


def row_starts(
    rles: Sequence[dict[str, Any]], origins: Sequence[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Per RLE (its top-left pixel at ``origins[k]`` in the image): x of its top row's first pixel and of its
    bottom row's first pixel, as ``geometry.row_start`` finds them in the decoded pixels (a mask's tag
    sits there), from the runs alone: NaN for an empty or broken RLE. The canvas places the tags of a
    slide's 64,000 masks without decoding one (``ui.canvas.mask_layer``)."""
    n = len(rles)
    top, low = np.full(n, np.nan), np.full(n, np.nan)
    values, offsets, _ = counts_batch(rles)
    if not n or not values.size:
        return top, low
    lens = np.diff(offsets)
    owner = np.repeat(np.arange(n), lens)
    before = np.concatenate(([0], np.cumsum(values)))[offsets[:-1]]  # every earlier RLE's runs
    end = np.cumsum(values) - np.repeat(before, lens)  # column-major index after each run, in its RLE
    start = end - values
    on = ((np.arange(values.size) - np.repeat(offsets[:-1], lens)) % 2 == 1) & (values > 0)
    own, s, e = owner[on], start[on], end[on] - 1
    h = np.array([max(int(r["size"][0]), 1) for r in rles], dtype=np.int64)[own]
    col_s, row_s = np.divmod(s, h)
    col_e, row_e = np.divmod(e, h)
    wraps = col_e > col_s  # a run down to the bottom of one column and on from the top of the next
    r_top = np.where(wraps, 0, row_s)
    c_top = np.where(row_s == r_top, col_s, col_s + 1)
    r_low = np.where(wraps, h - 1, row_e)
    ox = np.array([float(o[0]) for o in origins], dtype=np.float64)
    if not own.size:
        return top, low
    firsts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])  # each RLE's runs are contiguous
    who = own[firsts]
    m = int(max(col_e.max(), col_s.max())) + 2
    for out, rows, cols in ((top, r_top, c_top), (low, -r_low, col_s)):
        best = np.minimum.reduceat(rows * m + cols, firsts)  # its top (bottom) row first, leftmost first
        out[who] = ox[who] + np.mod(best, m)
    return top, low
