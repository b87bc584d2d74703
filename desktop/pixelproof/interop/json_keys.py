"""The top-level keys of a JSON file, read incrementally: what tells a COCO file (``images``) from a LabelMe
one (``shapes``) when other keys come first (LVIS writes ~1 MB of ``categories`` before ``images``; a
project read from CVAT keeps ``shapes`` inside its images, which are not top-level keys).

Nothing is parsed: each chunk's escaped quotes are blanked by two bytes.replace, its quotes and brackets are
picked out and numpy counts string parity and depth over those alone, so a Python line runs per top-level
key, not per byte or token (50 MB of COCO images crossed in 0.2-0.5 s). Reading stops when the caller has
what it needs, at the end of the top-level object, after ``CAP`` bytes or ``MAX_TOKENS`` top-level
strings: a truncated file, a 2 GB string, deep nesting, ``NaN`` or a FIFO named ``.json`` just end the keys
early, never hang or raise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from pixelproof.core.limits import LimitError, open_regular

CAP = 256 << 20  # bytes read at most: a COCO file's top-level keys come long before
MAX_TOKENS = 10_000  # top-level strings looked at, at most (a COCO file has a dozen)
_CHUNK = 1 << 20  # reads grow 4 KB, 64 KB, then 1 MB a time: a LabelMe file's keys come in its first lines
_KEY_MAX = 256  # a longer key is none detection asks for: not kept
_CARRY = 4096  # a top-level string cut by a chunk's end is read again with the next chunk, when this short

_SPACE = re.compile(rb"[ \t\r\n]*")
_LIST_START = re.compile(rb"[ \t\r\n]*\[[ \t\r\n]*(?={)")  # a list's opening, up to its first object
_DELTA = np.zeros(256, dtype=np.int32)
_DELTA[list(b"[{")] = 1
_DELTA[list(b"]}")] = -1


def top_level_keys(path: Path, cap: int = CAP) -> Iterator[tuple[str, int]]:
    """(key, file offset of its value) for each key of the JSON object ``path`` holds, in file order; none
    for anything but a regular file whose first character (after a BOM) is ``{``. Close the iterator (or
    let it go) to stop reading."""
    try:
        f = open_regular(path)  # a FIFO or a device is refused without blocking on it
    except (OSError, LimitError):
        return
    with f:
        try:
            yield from _scan(f, cap)
        except OSError:
            return


def first_item_keys(path: Path, offset: int, cap: int = _CHUNK) -> Iterator[str]:
    """The keys of the first item of the JSON list whose value starts at file ``offset`` (a key's offset
    from ``top_level_keys``), when that item is an object; none otherwise. Reads ``cap`` bytes at most."""
    try:
        f = open_regular(path)
    except (OSError, LimitError):
        return
    with f:
        try:
            f.seek(offset)
            head = f.read(4096)
            m = _LIST_START.match(head)
            if m is None:
                return
            f.seek(offset + m.end())
            for key, _ in _scan(f, cap):
                yield key
        except OSError:
            return


class _State:
    """Where a scan stands between chunks."""

    def __init__(self, base: int) -> None:
        self.base = base  # file offset of the chunk's first byte
        self.depth = 1
        self.in_string = False
        self.strings = 0  # top-level strings seen
        self.done = False
        self.pending: str | None = None  # a key closed at a chunk's end, its ':' not yet seen


def _scan(f, cap: int) -> Iterator[tuple[str, int]]:
    size = 4096
    data = f.read(min(size, cap))
    read = skipped = len(data)
    pos = _SPACE.match(data, 3 if data.startswith(b"\xef\xbb\xbf") else 0).end()
    while pos == len(data) and data and read < cap:  # whitespace longer than a read before the '{'
        data = f.read(min(_CHUNK, cap - read))
        read += len(data)
        skipped += len(data)
        pos = _SPACE.match(data).end()
    if data[pos : pos + 1] != b"{":
        return
    state, data, eof = _State(skipped - len(data) + pos + 1), data[pos + 1 :], False
    while True:
        carry = yield from _chunk(data, state, eof)
        if state.done or eof:
            return
        size = min(size * 16, _CHUNK)
        more = f.read(min(size, cap - read)) if read < cap else b""
        read += len(more)
        data, eof = carry + more, not more


def _chunk(data: bytes, state: _State, eof: bool) -> Iterator[tuple[str, int]]:
    """The keys in ``data``; returns the bytes to read again with the next chunk (a key cut by its end)."""
    clean, carry = data, b""
    if b"\\" in data:  # blanked as two bytes, so an escaped quote is no quote and offsets stay
        clean = _blank_escapes(data)
        if clean.endswith(b"\\") and not eof:  # a backslash whose escaped byte comes next
            data, clean, carry = data[:-1], clean[:-1], data[-1:]
    if state.pending is not None:  # the last chunk's key: its ':' comes after whitespace
        at = _SPACE.match(clean).end()
        if at < len(clean):
            if clean[at] == 58:
                yield state.pending, state.base + at + 1
            state.pending = None
    codes = np.frombuffer(clean, dtype=np.uint8)
    folded = codes & 0xDF  # '{' '}' as '[' ']'
    picked = np.flatnonzero((folded == 0x5B) | (folded == 0x5D) | (codes == 34))  # brackets and quotes
    tokens = codes[picked]
    quote = tokens == 34
    quotes = np.cumsum(quote, dtype=np.int32)
    inside = ((quotes - quote + state.in_string) & 1).astype(bool)  # in a string before this token
    step = _DELTA.take(tokens) * ~inside
    after = np.cumsum(step, dtype=np.int64) + state.depth
    ends = np.flatnonzero(after <= 0)
    limit = int(ends[0]) if ends.size else len(tokens)
    at_top = quote[:limit] & ~inside[:limit] & (after[:limit] == 1)  # a string opened at depth 1
    where = np.flatnonzero(quote)
    for k in np.flatnonzero(at_top):
        state.strings += 1
        if state.strings > MAX_TOKENS:
            state.done = True
            return b""
        start = int(picked[k])
        close = int(picked[where[quotes[k]]]) if quotes[k] < where.size else len(clean)
        colon = _SPACE.match(clean, close + 1).end() if close < len(clean) else len(clean)
        if colon < len(clean):
            if clean[colon] == 58 and close - start <= _KEY_MAX:  # ':'
                name = _key_text(data[start + 1 : close])
                if name is not None:
                    yield name, state.base + colon + 1
        elif close < len(clean):  # closed, only whitespace after it: its ':' comes in a later chunk
            if close - start <= _KEY_MAX and not eof:
                state.pending = _key_text(data[start + 1 : close])
        elif len(clean) - start <= _CARRY and not eof:  # cut by the chunk's end: read with the next
            state.base += start
            state.depth, state.in_string = 1, False
            return data[start:] + carry
    if ends.size:
        state.done = True
        return b""
    if tokens.size:
        state.depth = int(after[-1])
        state.in_string = bool((int(quotes[-1]) + state.in_string) & 1)
    state.base += len(data)
    return carry


def _blank_escapes(data: bytes) -> bytes:
    """``data`` with each escaped backslash pair, then each escaped quote, as ``__`` (other escapes hold no
    quote or bracket of valid JSON): left to right as JSON reads them, a trailing lone backslash kept. Two
    ``bytes.replace``, not a regex substitution: a 256 MB string of backslashes took 25 s as 128 M regex
    replacements."""
    return data.replace(b"\\\\", b"__").replace(b'\\"', b"__")


def _key_text(raw: bytes) -> str | None:
    """A key's text, its escapes read (``"imag\\u0065s"``); None when it is no JSON string."""
    try:
        return json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode("utf-8")
    except ValueError:
        return None
