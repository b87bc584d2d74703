"""A background edit's progress in the status bar: what it does, a progress bar and Cancel, at the bar's
right while it runs, so the user goes on working beside it (a modal progress dialog, ``dialogs.run_job``,
would block the window the edit is for). Fill Between Frames on a long track uses it.

Without the mouse: Esc on the view ``home`` cancels it (when no drawing there is in progress: Esc cancels
that first), and Tab reaches Cancel too."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStatusBar,
    QWidget,
)


class StatusProgress(QWidget):
    """``show_work(text, on_cancel)`` puts it in ``bar``; ``progress(done, total)`` moves it; ``end()``
    takes it out. Cancel (or Esc on ``home`` unless ``gesture_busy()``) calls ``on_cancel`` once and says
    "Cancelling…" until the work has stopped."""

    def __init__(
        self, bar: QStatusBar, home: QWidget | None = None, gesture_busy: Callable[[], bool] = lambda: False
    ) -> None:
        super().__init__(bar)
        self.bar, self.home, self._gesture_busy = bar, home, gesture_busy
        self.label = QLabel(self)
        self.bar_widget = QProgressBar(self)
        self.bar_widget.setMaximumWidth(160)
        self.bar_widget.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel the background edit")
        self.cancel_button.clicked.connect(self._cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar_widget)
        row.addWidget(self.cancel_button)
        self._on_cancel: Callable[[], None] | None = None
        self.hide()

    def show_work(self, text: str, on_cancel: Callable[[], None]) -> None:
        """Show ``text`` with an empty progress bar and Cancel (calling ``on_cancel``)."""
        self._on_cancel = on_cancel
        self.label.setText(text)
        esc = " (Esc on the canvas)" if self.home is not None else ""
        self.cancel_button.setToolTip(f"{text}: stop it{esc}; the project stays as it is")
        self.cancel_button.setAccessibleName(f"Cancel: {text}")  # a screen reader says which work it stops
        self.bar_widget.setAccessibleName(text)
        self.cancel_button.setEnabled(True)
        self.bar_widget.setRange(0, 0)  # busy until the first progress
        self.bar.addPermanentWidget(self)
        self.show()
        if self.home is not None:
            self.home.installEventFilter(self)

    def progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar_widget.setRange(0, total)
            self.bar_widget.setValue(min(done, total))

    def end(self) -> None:
        """Out of the status bar (the work finished, failed or stopped)."""
        self._on_cancel = None
        if self.home is not None:
            self.home.removeEventFilter(self)
        self.bar.removeWidget(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc on ``home`` while the work runs cancels it, unless a drawing there is in progress."""
        if (
            watched is self.home
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and self._on_cancel is not None
            and not self._gesture_busy()
        ):
            self._cancel()
            return True
        return False

    def _cancel(self) -> None:
        on_cancel, self._on_cancel = self._on_cancel, None
        if on_cancel is not None:
            self.cancel_button.setEnabled(False)
            self.label.setText("Cancelling…")
            on_cancel()
