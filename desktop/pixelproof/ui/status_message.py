"""A status bar message too long for the bar, readable whole. ``QStatusBar`` draws its message clipped at
the first permanent readout: the DICOM series notes New Project from Folder gives (which series, which were
left out and why) ran past 1366 px and could not be read anywhere. While a message shows, the bar's tooltip
(resting the pointer on the message) holds its whole text; a message that is cut stays ``LONG_MS`` at least
(``MessageTime``), time to rest the pointer on it. Whether it is cut is judged when its own time is up, at
the bar's width then: "Opened <path>" shown while the window was still opening narrow was judged cut and
hid the tool's hint 30 s at 1366 px, where it reads whole."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QTimer
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


class MessageTime(QObject):
    """How long a message hides the tool's hint (a status bar message covers the bar's left widgets):
    its own ``msecs``, then ``LONG_MS`` from its start only if it is cut at the bar's width then."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.bar = bar
        self.text = ""
        self.msecs = 0
        self.kept = False  # its own time is up and it stays, cut: time to rest the pointer on it
        self._clock = QElapsedTimer()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._time_up)
        bar.messageChanged.connect(self._follow)

    def show(self, text: str, msecs: int) -> None:
        """``text`` for ``msecs`` (0: until the next message), longer if it is cut when they are up."""
        self.text, self.msecs, self.kept = text, msecs, False
        self.bar.showMessage(text)  # no timeout of the bar's own: ours decides when it goes
        self._clock.start()
        if msecs:
            self.timer.start(msecs)

    def _follow(self, text: str) -> None:
        if text != self.text:  # another message, or cleared: our timing no longer applies
            self.timer.stop()
            self.text, self.kept = "", False

    def _time_up(self) -> None:
        if self.bar.currentMessage() != self.text:
            return
        left = LONG_MS - self._clock.elapsed()
        if not self.kept and left > 0 and is_cut(self.bar, self.text):
            self.kept = True
            self.timer.start(int(left))
            return
        self.bar.clearMessage()
