"""A background edit's progress in the status bar: what it does, a progress bar and Cancel, at the bar's
right while it runs, so the user goes on working beside it (a modal progress dialog, ``dialogs.run_job``,
would block the window the edit is for). Fill Between Frames on a long track uses it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QStatusBar, QWidget


class StatusProgress(QWidget):
    """``show_work(text, on_cancel)`` puts it in ``bar``; ``progress(done, total)`` moves it; ``end()``
    takes it out. Cancel calls ``on_cancel`` once and says "Cancelling…" until the work has stopped."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.bar = bar
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
        self.cancel_button.setToolTip(f"{text}: stop it; the project stays as it is")
        self.cancel_button.setEnabled(True)
        self.bar_widget.setRange(0, 0)  # busy until the first progress
        self.bar.addPermanentWidget(self)
        self.show()

    def progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar_widget.setRange(0, total)
            self.bar_widget.setValue(min(done, total))

    def end(self) -> None:
        """Out of the status bar (the work finished, failed or stopped)."""
        self._on_cancel = None
        self.bar.removeWidget(self)
        self.hide()

    def _cancel(self) -> None:
        on_cancel, self._on_cancel = self._on_cancel, None
        if on_cancel is not None:
            self.cancel_button.setEnabled(False)
            self.label.setText("Cancelling…")
            on_cancel()
