"""A status bar message too long for the bar, readable whole. ``QStatusBar`` draws its message clipped at
the first permanent readout: the DICOM series notes New Project from Folder gives (which series, which were
left out and why) ran past 1366 px and could not be read anywhere. While a message shows, the bar's tooltip
(resting the pointer on the message) holds its whole text; a message that is cut stays ``LONG_MS`` at least
(``Shell.status``), time to rest the pointer on it."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStatusBar

LONG_MS = 30000  # a cut message shows at least this long: time to find it and rest the pointer on it
CLICK_HINT = "Click: every message of the session (View > Messages…)"  # ``ui.messages_window``
MARGIN = 16  # the bar's own padding and the size grip's room, left of the readouts


def message_room(bar: QStatusBar) -> int:
    """The width the bar draws its message in: up to the leftmost visible permanent readout."""
    right = bar.width()
    for child in bar.children():
        if child.isWidgetType() and child.isVisible() and child.x() > 0:  # type: ignore[attr-defined]
            right = min(right, child.x())  # type: ignore[attr-defined]
    return right - MARGIN


def is_cut(bar: QStatusBar, text: str) -> bool:
    """Whether ``text`` is wider than the bar's room for a message (so part of it is not drawn)."""
    return bar.fontMetrics().horizontalAdvance(text) > message_room(bar)


class MessageTip(QObject):
    """The status bar's tooltip follows its message: the whole text while one shows, none after."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.bar = bar
        bar.messageChanged.connect(self._follow)

    def _follow(self, text: str) -> None:
        self.bar.setToolTip(f"{text}\n\n{CLICK_HINT}" if text else "")
