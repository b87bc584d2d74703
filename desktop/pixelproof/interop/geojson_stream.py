"""Large GeoJSON files read one feature at a time, so a whole slide's cell export (a million cells, a few
GB of text) never becomes one parsed tree in memory (about 13 KB a cell): memory holds the objects made
and a chunk of text.

The file is read twice. The first reading checks the whole of it and keeps nothing: a file that is not
JSON (truncated, not UTF-8, nested more than ``limits.MAX_JSON_DEPTH`` levels: ``json_nesting``, counted as
the bytes are read) is refused before any of it is used, as one read whole is.
The second gives the features of the array the first chose, parsed one by one: where the first reading
found each one's end, with orjson (several times faster), else - and for a feature orjson refuses, or
that holds a run of 19 digits (an integer orjson would make a float) - with the standard library's JSON
decoder (``JSONDecoder.raw_decode``, C speed): its values are those of ``json.loads``,
the parser small files fall back to, so NaN (QuPath writes it for a measurement it could not compute),
numbers too large for a float, unpaired surrogate escapes and duplicate keys (the last one wins) read as
they do when the file is read whole. A stream parser (ijson's yajl) was weighed: it refuses NaN and
numbers past a float or a 64-bit integer, turns an unpaired ``\\ud800`` into ``?``, and parses slower.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from pixelproof.core import limits
from pixelproof.core.json_nesting import Nesting

STREAM_BYTES = 64 * 2**20  # files this large or larger are streamed; smaller ones are parsed whole (orjson)
CHUNK = 2**20  # bytes read at a time
_NEAR_END = 32  # characters: a value ending this close to the text read so far may go on (a number)
_WS = re.compile(r"[ \t\n\r]*")
# 19 digits in a row may be an integer orjson reads otherwise than json (a float past 64 bits): found by
# mapping digits to "0" and the rest to " " (bytes.translate, several times faster than a regex search)
_DIGITS = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
_LONG_RUN = b"0" * 19
_DECODER = json.JSONDecoder()
_BOM = codecs.BOM_UTF8


class Shape:
    """What the first reading found at the top level: ``top`` is ``"list"``, ``"object"`` or ``"other"``;
    an object's ``kind`` is its (last) ``type`` and ``array`` the number of its last ``features`` key when
    that holds an array (1, 2, ...: as in a dict, the last one counts), else None. ``stamp``: the file
    read (device, inode, size, modification and change times), for the second reading to find it unchanged;
    ``ends``: where each feature of that array (or of the top-level list) ends, in characters of the text."""

    def __init__(
        self, top: str, kind: Any, array: int | None, stamp: tuple[int, ...] = (), ends: array | None = None
    ) -> None:
        self.top, self.kind, self.array, self.stamp, self.ends = top, kind, array, stamp, ends


def _stamp(f: BinaryIO) -> tuple[int, ...]:
    """The file's identity and last change: its change time too, which no writer can put back (``cp -p``,
    ``rsync -t`` and an unpacked archive put back the modification time; on a file of the same size the
    second reading, which counts no levels, read another file unchecked)."""
    st = os.fstat(f.fileno())
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def check(file: Path) -> Shape:
    """Read ``file`` whole, keeping nothing, and say what it holds. Raises ValueError naming the file
    (not UTF-8, not JSON, nested too deeply) as ``geojson.load_json`` does, or OSError."""
    with limits.open_regular(file, str(file)) as f:
        stamp = _stamp(f)
        scan = _Scan(f, file, keep=None)
        for _ in scan.features():
            pass
    last = scan.last_features
    chosen = 0 if scan.top == "list" else last[0] if last is not None and last[1] else None
    ends = scan.ends[1] if scan.ends is not None and scan.ends[0] == chosen else None
    return Shape(scan.top, scan.kind, None if chosen == 0 else chosen, stamp, ends)


def features(file: Path, array: int, stamp: tuple[int, ...] = (), ends: array | None = None) -> Iterator[Any]:
    """The features of the ``array``-th top-level ``features`` array (0: the file's top-level list), one
    at a time. Raises ``Changed`` if the file no longer reads as it did when ``check`` read it, or is no
    longer the one it read (``stamp``: another export written over it reads as JSON, but its features
    are not where they were). ``ends``: ``Shape.ends``, for orjson to parse each feature."""
    try:
        with limits.open_regular(file, str(file)) as f:
            if stamp and _stamp(f) != stamp:
                raise Changed(
                    f"{file}: changed after it was checked (written again or replaced); nothing read from "
                    "it: import it again"
                )
            yield from _Scan(f, file, keep=array, ends=ends).features()
            if stamp and _stamp(f) != stamp:
                raise OSError("written to")
    except (OSError, ValueError) as e:
        raise Changed(f"{file}: changed while it was read ({e}); the objects read before are kept") from None


def nested_too_deeply(file: Path, at: int) -> str:
    """A file nesting past ``limits.MAX_JSON_DEPTH`` levels, ``at`` the byte (from the file's first) that
    opens the next: refused the same, read whole or streamed (a parser's own limit differs by parser)."""
    most = limits.MAX_JSON_DEPTH
    return (
        f"{file}: nested too deeply to be GeoJSON (level {most + 1} opens at byte {at}; at most {most} "
        "levels are read); skipped"
    )


class Changed(Exception):
    """A streamed file no longer reads as it did when ``check`` read it."""


class _Text:
    """The file's text, decoded a chunk at a time; ``buf[pos:]`` is what is left to parse."""

    def __init__(self, f: BinaryIO, file: Path, count_levels: bool = True) -> None:
        self.f, self.file = f, file
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buf, self.pos, self.eof = "", 0, False
        self.dropped = 0  # characters before buf[0]
        self.decoded = 0  # bytes given to the decoder (after a byte-order mark, as json.loads counts)
        self.first = True
        # counted on the bytes as read: the place past the limit, as read whole (the second reading of a
        # file the first found whole and unchanged, its stamp the same, need not count again)
        self.nesting = Nesting() if count_levels else None
        self.refusing = False  # reading to the end for a refusal (``refused``)

    def more(self, at_least: int = 0) -> None:
        """Read on (at least ``at_least`` bytes, so a long value is parsed a bounded number of times)."""
        if self.pos:
            self.dropped += self.pos
            self.buf, self.pos = self.buf[self.pos :], 0
        data = self.f.read(max(at_least, CHUNK, len(_BOM) if self.first else 1))
        self.eof = not data
        if self.nesting is not None:
            self.nesting.feed(data)
        if self.first:
            self.first = False
            data = data.removeprefix(_BOM)  # json.loads gets the text decoded as utf-8-sig
        start = self.decoded - len(self.decoder.getstate()[0])  # where the decoder's input begins
        try:
            self.buf += self.decoder.decode(data, final=self.eof)
        except UnicodeDecodeError as e:
            raise ValueError(f"{self.file}: not UTF-8 text (byte {start + e.start}); skipped") from None
        self.decoded += len(data)
        if self.nesting is not None and self.nesting.over is not None and not self.refusing:
            raise self.refused(nested_too_deeply(self.file, self.nesting.over))

    def next_char(self) -> str:
        """The next character after whitespace ('' at the end of the file)."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or self.eof:
                return self.buf[self.pos : self.pos + 1]
            self.more()

    def value(self) -> Any:
        """The JSON value at ``pos``, read on until it is whole."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as e:
                cut = e.pos >= len(self.buf) - _NEAR_END or e.msg.startswith("Unterminated string")
                if self.eof or not cut:
                    raise self.unreadable(e.msg, e.pos) from None
            except RecursionError:
                raise self.refused(f"{self.file}: nested too deeply to be GeoJSON; skipped") from None
            except ValueError:  # an integer past Python's digit limit (4300): json.loads refuses it too
                raise self.unreadable("a number too long to read", self.pos) from None
            else:
                if end < len(self.buf) - _NEAR_END or self.eof:  # a number at the end may go on
                    self.pos = end
                    return value
            self.more(len(self.buf) - self.pos)  # what is pending, again: each retry reads as much more

    def value_to(self, end: int) -> Any:
        """The JSON value at ``pos`` ending at character ``end`` of the text (as the first reading found
        it), parsed by orjson when it reads it as ``json`` does, else by ``value``."""
        while end - self.dropped > len(self.buf) and not self.eof:
            self.more(end - self.dropped - len(self.buf))
        text = self.buf[self.pos : end - self.dropped]
        if _LONG_RUN not in text.encode("utf-8", "surrogatepass").translate(_DIGITS):
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:  # NaN, an unpaired surrogate escape, a changed file: json's word
                pass
            else:
                self.pos = end - self.dropped
                return value
        return self.value()

    def expect(self, chars: str, msg: str) -> str:
        """The next character, one of ``chars``, stepped over; else the file is not JSON."""
        c = self.next_char()
        if not c or c not in chars:
            raise self.unreadable(msg, self.pos)
        self.pos += 1
        return c

    def unreadable(self, msg: str, pos: int) -> ValueError:
        return self.refused(
            f"{self.file}: not a readable JSON file ({msg}: char {self.dropped + pos}); skipped"
        )

    def refused(self, message: str) -> ValueError:
        """The file's refusal; a file that is not UTF-8 further on is refused as such (as ``load_json``
        does, which decodes it whole before parsing), and one nested too deeply further on as such (as
        ``load_json`` counts the levels before parsing)."""
        self.refusing = True
        try:
            while not self.eof:
                self.pos = len(self.buf)
                self.more()
        except ValueError as e:
            return e
        if self.nesting is not None and self.nesting.over is not None:
            return ValueError(nested_too_deeply(self.file, self.nesting.over))
        return ValueError(message)


class _Scan:
    """One reading of a GeoJSON file: every value parsed, those of the ``keep``-th top-level
    ``features`` array (1, 2, ...; 0: the top-level list) given out, the others dropped."""

    def __init__(self, f: BinaryIO, file: Path, keep: int | None, ends: array | None = None) -> None:
        self.text, self.keep = _Text(f, file, count_levels=keep is None), keep
        self.given_ends = ends  # the second reading's: where the kept array's features end
        self.ends: tuple[int, array] | None = None  # the first reading's: those of the last array read
        self.top = ""  # "list", "object" or "other"
        self.kind: Any = None  # the object's "type" (the last one)
        self.last_features: tuple[int, bool] | None = None  # the last "features": its number, an array?

    def features(self) -> Iterator[Any]:
        t = self.text
        c = t.next_char()
        if c == "[":
            self.top = "list"
            yield from self._array(0)
        elif c == "{":
            self.top = "object"
            yield from self._object()
        else:
            self.top = "other"
            t.value()  # a string, number or literal; or what makes the file no JSON
        if t.next_char():
            raise t.unreadable("Extra data", t.pos)

    def _object(self) -> Iterator[Any]:
        t = self.text
        t.pos += 1
        arrays = 0
        if t.next_char() == "}":
            t.pos += 1
            return
        while True:
            if t.next_char() != '"':
                raise t.unreadable("Expecting property name enclosed in double quotes", t.pos)
            key = t.value()
            t.expect(":", "Expecting ':' delimiter")
            if t.next_char() == "[" and key == "features":
                arrays += 1
                self.last_features = (arrays, True)
                yield from self._array(arrays)
            else:
                value = t.value()
                if key == "features":
                    self.last_features = (arrays, False)
                elif key == "type":
                    self.kind = value
            if t.expect(",}", "Expecting ',' delimiter") == "}":
                return

    def _array(self, number: int) -> Iterator[Any]:
        t = self.text
        t.pos += 1
        ends = array("q")
        if self.keep is None:
            self.ends = (number, ends)  # the last array's are kept (as ``last_features`` is)
        if t.next_char() == "]":
            t.pos += 1
            return
        given = self.given_ends if number == self.keep else None
        k = 0
        while True:
            t.next_char()
            item = t.value_to(given[k]) if given is not None and k < len(given) else t.value()
            k += 1
            if self.keep is None:
                ends.append(t.dropped + t.pos)
            if number == self.keep:
                yield item
            del item  # not held while the next is parsed
            if t.expect(",]", "Expecting ',' delimiter") == "]":
                return
