"""A project-sized JSON file read safely, every error located: a regular file only (FIFOs and devices
refused without blocking), a big file that is no JSON object refused from its first bytes, orjson with
the stdlib parser behind it for NaN literals and line/column positions (``core.coco`` builds the project).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import orjson

from pixelproof.core.json_lines import parse_by_lines
from pixelproof.core.limits import MAX_JSON_DEPTH, LimitError, open_regular
from pixelproof.core.wording import plural


class ProjectFormatError(Exception):
    """The file is not a valid project; ``problems`` lists each one as ``location: what is wrong``."""

    def __init__(self, path: str | os.PathLike[str], problems: list[str]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{self.path}: {plural(n, 'problem')}"
        super().__init__(head + "".join(f"\n  {p}" for p in self.problems))


def read_json(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file; errors become a ``ProjectFormatError`` naming the file and the position."""
    p = Path(path)
    return parse_json(read_bytes(p, lists=True)[0], p)


def read_bytes(p: Path, *, lists: bool = False) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its stat, both of the one file opened (a concurrent rename cannot mix them).

    FIFOs, devices and folders are refused without blocking on them (``limits.open_regular``). A big
    file whose first bytes show it is no JSON object is refused before it is read; ``lists`` lets a
    JSON list through (a COCO results file is one: only a project must be an object).
    """
    try:
        with open_regular(p, "") as f:
            if os.fstat(f.fileno()).st_size > _HEAD_BYTES:  # a big file that is no project: said at once
                _check_head(p, f.read(_HEAD_BYTES), lists)
                f.seek(0)
            return f.read(), os.fstat(f.fileno())
    except LimitError as e:
        raise ProjectFormatError(p, [str(e)]) from None
    except IsADirectoryError:
        raise ProjectFormatError(p, ["is a folder, not a file to read"]) from None
    except FileNotFoundError:
        raise ProjectFormatError(p, ["file not found"]) from None
    except PermissionError:
        raise ProjectFormatError(p, ["cannot read the file: permission denied"]) from None
    except OSError as e:
        raise ProjectFormatError(p, [f"cannot read the file: {e.strerror or e}"]) from None


_HEAD_BYTES = 1 << 20


def _check_head(p: Path, head: bytes, lists: bool) -> None:
    """``ProjectFormatError`` when the first bytes of a big file show it is no JSON object, before the
    whole file is read, hashed and parsed (2 GB of zeros took 29 s and 6 GB of memory to refuse)."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not text or text[:1] == b"{" or (lists and text[:1] == b"["):
        return
    if text[:1] == b"[":
        raise ProjectFormatError(p, ["top level: expected a JSON object, got a list"])
    at = len(head) - len(text)
    line = head.count(b"\n", 0, at) + 1
    column = at - (head.rfind(b"\n", 0, at) + 1) + 1
    where = f"byte 0x{text[0]:02x} at line {line} column {column}"
    if lists:
        raise ProjectFormatError(p, [f"not a JSON file: it starts with {where}, not with '{{' or '['"])
    raise ProjectFormatError(p, [f"not a project file: it starts with {where}, not with '{{'"])


def parse_json(raw: bytes, p: str | os.PathLike[str]) -> Any:
    """Parsed JSON of ``raw`` (read from ``p``); errors become a located ``ProjectFormatError``.

    Bytes that are not UTF-8 are an error, not characters quietly replaced; nesting too deep for the
    parser is an error, not a crash (values kept as read are checked against ``MAX_JSON_DEPTH`` later).
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark, as some Windows tools write
    data = parse_by_lines(raw)  # a project as save_project lays it out, in pieces: far less memory
    if data is not None:
        return data
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        if e.msg.endswith("surrogate in string"):  # "\ud800" alone: json takes it, no save writes it
            where = f"line {e.lineno} column {e.colno}"
            raise ProjectFormatError(
                p, [f"not valid text: an unpaired surrogate escape (such as \\ud800) at {where}"]
            ) from None
        return _parse_slowly(raw, p)


def _parse_slowly(raw: bytes, p: str | os.PathLike[str]) -> Any:
    """The stdlib parser: it accepts NaN/Infinity literals (validation then reports where) and gives
    line/column positions for real syntax errors."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise ProjectFormatError(
            p, [f"not UTF-8 text: byte 0x{raw[e.start]:02x} at line {line} column {column}"]
        ) from None
    try:
        return json.loads(text, parse_int=_json_int)
    except RecursionError:
        raise ProjectFormatError(p, [f"JSON nested deeper than {MAX_JSON_DEPTH} levels"]) from None
    except json.JSONDecodeError as e:
        if not raw.strip():
            raise ProjectFormatError(p, ["file is empty, not JSON"]) from None
        raise ProjectFormatError(
            # json's "Unterminated string starting at" names the position itself: no "at at"
            p,
            [f"not valid JSON: {e.msg.removesuffix(' at')} at line {e.lineno} column {e.colno}"],
        ) from None
    except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise ProjectFormatError(p, [f"not valid JSON: {_long_number(text)}"]) from None


def _json_int(digits: str) -> int | float:
    """An integer as orjson reads it (the usual parser): kept in the 64-bit range orjson writes, else a
    float (infinity past a double's range, reported where it is kept). A 400-digit ``num_keypoints`` read
    as an int loaded and validated, then made every save of the project fail."""
    value = int(digits)
    return value if -(2**63) <= value < 2**64 else float(digits)


def _long_number(text: str) -> str:
    """Where the first integer too long for ``int()`` is, as line and column."""
    most = sys.get_int_max_str_digits()
    found = re.search(rf"\d{{{most + 1},}}", text)
    if found is None:
        return "a number too long to read"
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    return f"a number of {len(found[0])} digits (at most {most}) at line {line} column {column}"
