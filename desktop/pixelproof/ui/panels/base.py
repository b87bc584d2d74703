"""Base class of the dock panels."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from pixelproof.ui.document import Document

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


class Panel(QWidget):
    """A dock's content. Subclasses connect to the document's signals in ``bind`` and rebuild in
    ``refresh``; ``schedule_refresh`` coalesces bursts of signals (an undo of 500 deletions) into one."""

    title: ClassVar[str] = "Panel"
    object_name: ClassVar[str] = "panel"
    area: ClassVar[Qt.DockWidgetArea] = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._bound: list = []

    def set_document(self, doc: Document | None) -> None:
        for sig, slot in self._bound:
            sig.disconnect(slot)
        self._bound = []
        self.document = doc
        if doc is not None:
            for sig, slot in self.bind(doc):
                sig.connect(slot)
                self._bound.append((sig, slot))
        self.refresh()

    def install(self, shell: Shell) -> None:
        """Called once the window is built: a panel that needs more than its document (a menu, the canvas,
        window-wide keys) takes it from ``shell`` here."""

    def bind(self, doc: Document) -> list:
        """(signal, slot) pairs to connect while ``doc`` is shown."""
        return []

    def schedule_refresh(self, *_args: object) -> None:
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Rebuild from the document."""


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()  # passed on to the parent: the dock's scroll area scrolls
            return True
        return False


_WHEEL_GUARD = _WheelGuard()


def scroll_safe(*widgets: QWidget) -> None:
    """Combos and spin boxes in a scrolling dock take the wheel only once clicked into: scrolling the
    dock past one must not change its value (a class mapping, a threshold) on the way."""
    for w in widgets:
        w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        w.installEventFilter(_WHEEL_GUARD)


class _EscReverts(QObject):
    """Remembers a field's text as shown (at each event it gets while nothing is typed since it was last
    set or saved) and puts it back on Esc, before the window hands the keys back to the canvas: leaving a
    field saves its text. Text also comes without a key press (an input method's commit, a paste from the
    context menu, a drop): remembered at the first key only, Esc then put back an earlier object's note,
    or nothing, which leaving the field saved over the note."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QLineEdit) or event.type() == QEvent.Type.DynamicPropertyChange:
            return False
        if not watched.isModified():
            if watched.property(SHOWN_TEXT) != watched.text():
                watched.setProperty(SHOWN_TEXT, watched.text())
        elif (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape
        ):
            watched.setText(watched.property(SHOWN_TEXT) or "")
            watched.setModified(False)
        return False


SHOWN_TEXT = "shown_text"  # a field's property: its text as last set or saved (``_EscReverts``)


_ESC_REVERTS = _EscReverts()


def esc_reverts(*edits: QLineEdit) -> None:
    """Esc in these fields drops what was typed since they were last set or saved (the Note, a CVAT text
    attribute), as Enter keeps it."""
    for edit in edits:
        edit.installEventFilter(_ESC_REVERTS)
