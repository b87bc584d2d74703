"""The session's status messages, kept: a status bar message lasts seconds, and one shown while the user
looked elsewhere (an import's skipped shapes, a save refused, time spent not saved) was lost. Every message
the window shows (``Shell.status``) is kept here with its time and kind, the last ``LIMIT`` of them, for
View > Messages… (``ui.messages_window``) to list and copy, as an IDE's or QGIS's message log."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("info", "warning", "error")
LIMIT = 500  # a long session's messages: enough to look back over, never a growing memory
REPORT_MOST = 100  # a report's lines kept (an import's skipped files): its 100,000 never push the rest out


@dataclass(frozen=True)
class Message:
    text: str
    kind: str = "info"  # one of KINDS
    time: datetime = field(default_factory=datetime.now)

    def line(self) -> str:
        """The message as copied: its time, its kind when not plain info, its text."""
        mark = "" if self.kind == "info" else f"[{self.kind}] "
        return f"{self.time:%H:%M:%S}  {mark}{self.text}"


class MessageLog:
    """The last ``limit`` messages, oldest first."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._messages: deque[Message] = deque(maxlen=limit)

    def add(self, text: str, kind: str = "info", time: datetime | None = None) -> Message | None:
        """Keep ``text`` (an empty text, the bar cleared, is no message: None); an unknown kind is info."""
        if not text.strip():
            return None
        message = Message(text, kind if kind in KINDS else "info", time or datetime.now())
        self._messages.append(message)
        return message

    def clear(self) -> None:
        self._messages.clear()

    @property
    def messages(self) -> list[Message]:
        return list(self._messages)

    def __len__(self) -> int:
        return len(self._messages)


def as_text(messages: Iterable[Message]) -> str:
    """Messages as the clipboard gets them: one line each (a message of several lines keeps them)."""
    return "\n".join(m.line() for m in messages)


def report_lines(title: str, lines: list[str], most: int = REPORT_MOST) -> list[str]:
    """A report's lines (an import's located problems) as log messages, each naming the report: a report
    window is closed and gone, the log keeps them for the session. At most ``most`` (a fifth of ``LIMIT``),
    then one line saying how many more the report had, so one big report cannot push out the session's
    other messages."""
    kept = [f"{title}: {line}" for line in lines[:most]]
    if len(lines) > most:
        kept.append(f"{title}: … and {len(lines) - most:,} more, not kept here (the report lists them all)")
    return kept
