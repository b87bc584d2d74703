"""A project file parsed a few thousand lines at a time, so parsing never holds the whole file's parse tree
twice (issue 20: orjson's document for a 56 MB project took 170 MB beside the objects it becomes).

``dumps_project`` writes one top-level key per line and one image / category / annotation per line inside
the three lists. A raw newline in valid JSON is always whitespace (strings escape theirs), so the file can
be cut at newlines and each piece parsed alone: ``parse_by_lines`` does that for a file laid out so, and
returns None for anything else (another layout, a piece that does not parse, a trailing comma the whole
file would not allow) - the caller then parses the file whole, which also says where a real error is.
"""

from __future__ import annotations

from typing import Any

import orjson

GROUP_BYTES = 1 << 20  # list members parsed together


def parse_by_lines(raw: bytes) -> dict[str, Any] | None:
    """The JSON object in ``raw`` when it is laid out as ``dumps_project`` writes it, else None."""
    lines = _Lines(raw)
    if lines.next() != b"{":
        return None
    out: dict[str, Any] = {}
    comma: bool | None = None  # did the previous member end with a comma (None: no member yet)
    while True:
        line = lines.next()
        if line is None or (comma is False and line != b"}"):
            return None  # the file ends early, or two members without a comma between them
        if line == b"}":
            return out if comma is not True and lines.next() is None else None
        body = line[:-1] if line.endswith(b",") else line
        if body.endswith(b"["):  # "key": [ ... one member per line ... ]
            key = _loads(b"{" + body + b"0]}")  # the key, with a stand-in list
            members, comma = _list_members(lines)
            if not isinstance(key, dict) or len(key) != 1 or members is None:
                return None
            out[next(iter(key))] = members
        else:
            member = _loads(b"{" + body + b"}")
            if not isinstance(member, dict) or len(member) != 1:
                return None
            out.update(member)
            comma = body is not line


def _list_members(lines: _Lines) -> tuple[list | None, bool]:
    """The members of a list whose ``[`` ended the previous line, up to the line ``]`` or ``],`` (None when
    they do not parse), and whether that line has the comma. The members are cut into groups of about
    ``GROUP_BYTES`` at newlines; a cut inside a member leaves a group that does not parse (None)."""
    raw, start = lines.raw, lines.pos
    close = raw.find(b"\n]", start - 1)  # the newline before the list's closing line
    if close < 0:
        return None, False
    members: list = []
    pos, expecting = start, False  # expecting: the last group ended with a comma, a member must follow
    while pos < close:
        cut = raw.find(b"\n", min(pos + GROUP_BYTES, close))
        cut = cut if 0 <= cut < close else close
        group = raw[pos:cut].strip(b" \t\r\n")
        pos = cut + 1
        if group:
            if not _add(members, group, closing=cut == close):
                return None, False
            expecting = cut != close
    lines.pos = close + 1
    line = lines.next()
    if expecting or line not in (b"]", b"],"):
        return None, False
    return members, line == b"],"


def _add(members: list, group: bytes, closing: bool) -> bool:
    """Parse ``group`` (whole lines of list members) onto ``members``; every group but the list's last
    ends with the comma before the next member, the last one without."""
    if group.endswith(b",") == closing:
        return False
    parsed = _loads(b"[" + (group if closing else group[:-1]) + b"]")
    if not isinstance(parsed, list):
        return False
    members.extend(parsed)
    return True


def _loads(text: bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


class _Lines:
    """The lines of ``raw`` without the whitespace around them; blank lines skipped."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.pos = 0

    def next(self) -> bytes | None:
        raw = self.raw
        while self.pos < len(raw):
            end = raw.find(b"\n", self.pos)
            if end < 0:
                end = len(raw)
            line = raw[self.pos : end].strip(b" \t\r")  # JSON's whitespace (bytes.strip() takes more)
            self.pos = end + 1
            if line:
                return line
        return None
