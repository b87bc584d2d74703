"""Who did what, from the change log (``pixelproof log --by-user``): objects added, changed and removed,
review decisions and images touched per author (and per day), over a time range.

The log is the one record of who changed what: each entry is one save by one author (``core.history``),
so a removal is that author's even though the removed object is gone from the project. An object's
``author`` is not read here: only a merge sets it (the shard's annotator) or an import brings it. Entries
not on the project's chain (a save that failed) changed nothing and are left out (``summarise`` counts
them); with a range, so are entries whose time cannot be read (``in_span`` counts them). A merge is one
entry by whoever merged: the annotators' own saves are in their shards' logs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pixelproof.core.names import annotator_name

# the entry's ``time`` is ``model.utc_now()``: 2026-12-06T21:44:36Z
_DAY_CHARS = 10


@dataclass
class Span:
    """A half-open range of UTC times, ``start <= t < end`` (None: unbounded)."""

    start: datetime | None = None
    end: datetime | None = None

    def holds(self, t: datetime) -> bool:
        return (self.start is None or self.start <= t) and (self.end is None or t < self.end)

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None


def parse_time(text: str, *, end: bool = False) -> datetime:
    """``--since``/``--until``: a day (``2026-03-01``; as an end, the whole day is included) or a time
    (``2026-03-01T14:30``, ``...Z`` or with an offset; without one it is UTC, as the log's times are). An
    end time is included to the second. Raises ValueError with what was expected."""
    s = text.strip()
    try:
        if len(s) == _DAY_CHARS:
            day = datetime.strptime(s, "%Y-%m-%d").replace(tzinfo=UTC)
            return day + timedelta(days=1) if end else day
        t = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"expected a day (2026-03-01) or a time (2026-03-01T14:30Z), got {text!r}") from None
    t = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    return t + timedelta(seconds=1) if end else t


def entry_time(entry: dict[str, Any]) -> datetime | None:
    """The entry's time as a UTC datetime; None when it is missing or not a time (a hand-edited line)."""
    value = entry.get("time")
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def in_span(entries: list[dict[str, Any]], span: Span) -> tuple[list[dict[str, Any]], int]:
    """The entries whose time is in ``span``, and how many others had no readable time (all entries are
    kept when the span is unbounded)."""
    if not span.bounded:
        return list(entries), 0
    kept, unreadable = [], 0
    for e in entries:
        t = entry_time(e)
        if t is None:
            unreadable += 1
        elif span.holds(t):
            kept.append(e)
    return kept, unreadable


@dataclass
class Row:
    """One author's (and day's) totals."""

    user: str | None
    day: str | None
    entries: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    reviewed: int = 0
    images: set[str] = field(default_factory=set)
    tools: Counter[str] = field(default_factory=Counter)
    first: str | None = None
    last: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.user is not None:
            out["user"] = self.user
        if self.day is not None:
            out["day"] = self.day
        out.update(
            entries=self.entries,
            added=self.added,
            changed=self.changed,
            removed=self.removed,
            reviewed=self.reviewed,
            images=len(self.images),
            tools=dict(sorted(self.tools.items())),
            first=self.first,
            last=self.last,
        )
        return out


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def summarise(
    entries: list[dict[str, Any]], *, by_user: bool = True, by_day: bool = False
) -> tuple[list[Row], int]:
    """Totals per author and/or UTC day of the committed ``entries`` (``history.read_log``'s), ordered by
    author then day, and how many entries were left out as not committed."""
    rows: dict[tuple[str | None, str | None], Row] = {}
    uncommitted = 0
    for e in entries:
        if not e.get("committed", True):
            uncommitted += 1
            continue
        author = e.get("author")
        user = (annotator_name(author) if isinstance(author, str) and author else "?") if by_user else None
        t = entry_time(e)
        stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ") if t is not None else None
        day = (stamp[:_DAY_CHARS] if stamp else "?") if by_day else None
        row = rows.setdefault((user, day), Row(user, day))
        totals = e.get("totals") if isinstance(e.get("totals"), dict) else {}
        row.entries += 1
        row.added += _count(totals.get("added"))
        row.changed += _count(totals.get("changed"))
        row.removed += _count(totals.get("removed"))
        review = e.get("review") if isinstance(e.get("review"), dict) else {}
        row.reviewed += sum(_count(n) for n in review.values())
        row.images.update(str(name) for name in e.get("per_image", {}))
        tool = e.get("tool")
        row.tools[tool if isinstance(tool, str) and tool else "?"] += 1
        if stamp is not None:
            row.first = stamp if row.first is None else min(row.first, stamp)
            row.last = stamp if row.last is None else max(row.last, stamp)
    ordered = sorted(rows.values(), key=lambda r: ((r.user or "").casefold(), r.user or "", r.day or ""))
    return ordered, uncommitted
