"""A status bar message too long for the bar, readable whole. ``QStatusBar`` draws its message clipped at
the first permanent readout: the DICOM series notes New Project from Folder gives (which series, which were
left out and why) ran past 1366 px and could not be read anywhere. While a message shows, the bar's tooltip
(resting the pointer on the message) holds its whole text; a message that is cut stays ``LONG_MS`` at least
(``MessageTime``), time to rest the pointer on it. Whether it is cut is judged when its own time is up, at
the bar's width then: "Opened <path>" shown while the window was still opening narrow was judged cut and
hid the tool's hint 30 s at 1366 px, where it reads whole. The bar (``MessageBar``) draws a cut message
after its last whole word that fits with ``…``, as the tool's hint: Qt clipped it mid-word ("…puts it to d")
with nothing saying more followed; ``currentMessage()`` stays the whole text."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizeGrip, QStatusBar, QStyle, QStyleOption, QWidget

from pixelproof.ui.cell_text import elide_words

LONG_MS = 30000  # a cut message shows at least this long: time to find it and rest the pointer on it
CLICK_HINT = "Click: every message of the session (View > Messages…)"  # ``ui.messages_window``
LEFT, RIGHT = 6, 12  # QStatusBar's own margins of its message: left, and right with no readout or grip


def _shown_widgets(bar: QStatusBar) -> list[QWidget]:
    """The bar's widgets in sight (while a message shows: the readouts, kept, and the size grip)."""
    return [
        c
        for c in bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if c.isVisible() and c.x() > 0
    ]


def message_rect(bar: QStatusBar) -> QRect:
    """Where the bar draws its message, as QStatusBar does (left to right): up to 2 px before the leftmost
    readout or the size grip in sight."""
    right = min((c.x() - 2 for c in _shown_widgets(bar)), default=bar.width() - RIGHT)
    return QRect(LEFT, 0, max(right - LEFT, 0), bar.height())


def message_room(bar: QStatusBar) -> int:
    """The width the bar draws its message in."""
    return message_rect(bar).width()


def is_cut(bar: QStatusBar, text: str) -> bool:
    """Whether ``text`` is wider than the bar's room for a message (so it is drawn cut, with ``…``)."""
    return bar.fontMetrics().horizontalAdvance(one_line(text)) > message_room(bar)


def one_line(text: str) -> str:
    """A message as the bar draws it: on one line, its line breaks as spaces."""
    return " ".join(text.splitlines())


class MessageBar(QStatusBar):
    """The window's status bar: a message too long for its room drawn after its last whole word that fits
    with ``…`` (``elide_words``, as the tool's hint), its whole text in the tooltip (``MessageTip``) and in
    View > Messages…. Only the drawing is cut: ``currentMessage()`` is the whole text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drawn = ""  # the message as last drawn (what the bar reads at its width)

    def shown_message(self) -> str:
        """The current message as the bar draws it at its width now."""
        text = one_line(self.currentMessage())
        return elide_words(text, self.fontMetrics(), message_room(self)) if text else ""

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.currentMessage():
            self.drawn = ""
            super().paintEvent(event)
            return
        # QStatusBar::paintEvent with the message cut: the panel, the frames of the widgets kept, the text
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        style = self.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        for widget in _shown_widgets(self):
            if not isinstance(widget, QSizeGrip):
                frame = QStyleOption()
                frame.rect = widget.geometry().adjusted(-2, -1, 2, 1)
                frame.palette = self.palette()
                frame.state = QStyle.StateFlag.State_None
                style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameStatusBarItem, frame, painter, widget)
        self.drawn = self.shown_message()
        painter.setPen(self.palette().windowText().color())
        flags = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine
        painter.drawText(message_rect(self), int(flags), self.drawn)


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
