"""How deep a JSON text nests, found from its bytes as they are read, before (or without) parsing it.

A parser's own limit is no limit to document: Python's ``json`` stops where the interpreter's stack does
(about 990 levels, fewer when called from deep in the app), orjson at 1,024; a file read whole by one and
streamed by the other was read or refused by the road it took. ``Nesting`` counts the brackets outside
strings itself, a chunk at a time (the stream's chunks, or a file held whole in 1 MiB slices), and says
the byte that opens the first level past a limit (``limits.MAX_JSON_DEPTH``): the same verdict and place
for any text, whichever way it is read, whatever the chunks.

The count follows JSON's strings: a ``"`` opens or closes one, a ``\\`` escapes the byte after it (in a
valid text backslashes occur only in strings; in any other the rule is applied alike everywhere, so
both ways of counting below agree on every text).
"""

from __future__ import annotations

import numpy as np

from pixelproof.core.limits import MAX_JSON_DEPTH

_SLICE = 1 << 20  # bytes counted at once with numpy (a few arrays of this many items)
_SMALL = 512  # fewer bytes than this: counted byte by byte (numpy's calls cost more than the loop)
_QUOTE, _BACKSLASH = 0x22, 0x5C
_OPEN, _CLOSE = b"[{", b"]}"


class Nesting:
    """Fed a JSON text's bytes in order (``feed``), ``over`` is the offset of the byte (from the first
    fed) that opens level ``limit`` + 1, or None while there is none (a scalar at the top is level 0;
    ``[[1]]`` nests 2 levels)."""

    def __init__(self, limit: int = MAX_JSON_DEPTH) -> None:
        self.limit = limit
        self.over: int | None = None
        self.offset = 0  # bytes fed so far
        self.depth = 0  # levels open after them
        self.in_string = False
        self.escaped = False  # the next byte is escaped (a run of an odd number of backslashes ended them)

    def feed(self, data: bytes | memoryview) -> None:
        """Count ``data``, the bytes after those fed before (nothing more once ``over`` is found)."""
        view = memoryview(data).cast("B")
        for start in range(0, len(view), _SLICE):
            if self.over is not None:
                return
            piece = view[start : start + _SLICE]
            if len(piece) < _SMALL:
                self._bytes(bytes(piece))
            else:
                self._numpy(np.frombuffer(piece, np.uint8))
            self.offset += len(piece)

    def _bytes(self, data: bytes) -> None:
        depth, in_string, escaped = self.depth, self.in_string, self.escaped
        for i, c in enumerate(data):
            if escaped:
                escaped = False
            elif c == _BACKSLASH:
                escaped = True
            elif c == _QUOTE:
                in_string = not in_string
            elif in_string:
                continue
            elif c in _OPEN:
                depth += 1
                if depth > self.limit:
                    self.over = self.offset + i
                    return
            elif c in _CLOSE:
                depth -= 1
        self.depth, self.in_string, self.escaped = depth, in_string, escaped

    def _numpy(self, a: np.ndarray) -> None:
        n = len(a)
        backslash = a == _BACKSLASH
        live = None  # bytes not escaped: all
        if self.escaped or backslash.any():
            live = np.ones(n, bool)
            edges = np.diff(backslash.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
            starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # runs [start, end)
            lengths = ends - starts
            if self.escaped:  # the run the last piece ended with goes on, or escapes this one's first byte
                if len(starts) and starts[0] == 0:
                    lengths[0] += 1
                else:
                    live[0] = False
            odd = ends[lengths % 2 == 1]
            live[odd[odd < n]] = False
            self.escaped = bool(len(odd)) and odd[-1] == n
        low = a | 0x20  # "[" and "{", "]" and "}" differ by this bit alone
        opens, closes, quotes = low == 0x7B, low == 0x7D, a == _QUOTE
        if live is not None:
            quotes &= live
            opens &= live
            closes &= live
        at = np.flatnonzero(opens | closes | quotes)  # what the count looks at, a few bytes in ten
        if not len(at):
            return
        inside = np.logical_xor.accumulate(quotes[at])  # in a string after each (this piece's quotes)
        if self.in_string:
            inside = ~inside
        step = opens[at].astype(np.int32)
        step -= closes[at]
        step[inside] = 0
        depth = np.cumsum(step)
        if int(depth.max()) + self.depth > self.limit:
            self.over = self.offset + int(at[np.argmax(depth > self.limit - self.depth)])
            return
        self.depth += int(depth[-1])
        self.in_string = bool(inside[-1])
