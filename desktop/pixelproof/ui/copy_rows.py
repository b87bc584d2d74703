"""Ctrl+C in a list or table copies what it shows as selected (rows, messages) as text, not the window's
Copy (which copies the canvas's objects): the one implementation of that idiom for every such widget.

The window's Edit > Copy is an application-wide shortcut, so a key press reaching a focused table was
taken by it first; a widget claims the key in its ``ShortcutOverride`` event, then copies on the key
press. Each widget says only what text its selection is (``copy_key``'s ``copy``) and puts it on the
clipboard with ``to_clipboard``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget

Key = QKeySequence.StandardKey


def to_clipboard(text: str) -> bool:
    """``text`` on the system clipboard; nothing (and False) when it is empty, so an empty selection
    does not wipe what the user copied before."""
    if not text:
        return False
    QGuiApplication.clipboard().setText(text)
    return True


class CopyKey(QObject):
    """The event filter ``copy_key`` installs: kept as the widget's child (it lives as long as it)."""

    def __init__(self, widget: QWidget, copy: Callable[[], object], claim: Iterable[Key] = ()) -> None:
        super().__init__(widget)
        self.widget, self.copy = widget, copy
        self.claim = (Key.Copy, *claim)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.widget or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        if event.type() == QEvent.Type.ShortcutOverride and any(event.matches(k) for k in self.claim):
            event.accept()  # the widget's own key, not the window's action of the same key
            return True
        if event.type() == QEvent.Type.KeyPress and event.matches(Key.Copy):
            self.copy()
            return True
        return super().eventFilter(watched, event)


def copy_key(widget: QWidget, copy: Callable[[], object], claim: Iterable[Key] = ()) -> CopyKey:
    """Ctrl+C (the platform's Copy key) in ``widget`` calls ``copy``; ``claim``: other standard keys the
    widget handles itself (a table's Select All) that the window's actions must not take from it."""
    return CopyKey(widget, copy, claim)
