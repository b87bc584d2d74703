"""The review view's banner: why QA cannot run (red), or the warnings of the last run (amber).

Five warnings took ~80 px above the tables at 1366x768 with no way to put them away. The banner folds to
its first line and "n more", or closes; both buttons are in the Tab order. Folded or closed, it stays so
while the runs that follow (QA re-runs after every edit) bring the same lines, and opens whole again when
a line comes that the user has not folded or closed away: a later run's new warning is never hidden."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton

from pixelproof.ui.dialogs import as_text

STYLE = """
#reviewBanner {{ background: {bg}; border-radius: 4px; }}
#reviewBanner QLabel {{ color: {fg}; background: transparent; }}
#reviewBanner QToolButton {{ color: {fg}; background: transparent; border: 1px solid {line};
                             border-radius: 3px; padding: 1px 6px; }}
#reviewBanner QToolButton:hover {{ border-color: {fg}; }}
#reviewBanner QToolButton:focus {{ border: 2px solid {fg}; }}
"""
ERROR = STYLE.format(bg="#5c2b29", fg="#ffe9e7", line="rgba(255, 233, 231, 90)")
WARNING = STYLE.format(bg="#4a4320", fg="#fff6d8", line="rgba(255, 246, 216, 90)")


class ReviewBanner(QFrame):
    """Lines of text with a fold button ("4 more" / "Show less") and a close button."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("reviewBanner")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # file names and messages shown as written
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.toggle_button = QToolButton()
        self.toggle_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.toggle_button.clicked.connect(self.toggle)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.close_button.setAccessibleName("Hide the banner")
        self.close_button.setToolTip("Hide these lines until a run brings a new one")
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 5, 6, 5)
        layout.setSpacing(6)
        layout.addWidget(self.label, 1)
        for b in (self.toggle_button, self.close_button):
            layout.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        self.lines: list[str] = []
        self.folded = False
        self.closed = False
        self.seen: set[str] = set()  # lines the user folded or closed away
        self.setStyleSheet(ERROR)
        self.hide()

    def show_text(self, text: str | None, tip: str | None = None, warning: bool = False) -> None:
        """Show ``text`` (None: nothing), as a warning (amber) or an error (red); ``tip`` on hover. A line
        the user has not folded or closed away opens the banner whole."""
        self.lines = text.splitlines() if text else []
        if not self.lines:
            self.seen = set()  # nothing to say: what comes back later is news again
        elif any(line not in self.seen for line in self.lines):
            self.folded = self.closed = False
        self.setToolTip(as_text(tip) if tip else "")
        self.setStyleSheet(WARNING if warning else ERROR)
        self._refresh()

    def text(self) -> str:
        """All the lines, folded or not."""
        return "\n".join(self.lines)

    def shown_text(self) -> str:
        return self.label.text()

    def toggle(self) -> None:
        """Fold to the first line, or show every line."""
        self.folded = not self.folded
        if self.folded:
            self.seen = set(self.lines)
        self._refresh()

    def dismiss(self) -> None:
        """Hide the banner until a run brings a line it did not have."""
        self.closed = True
        self.seen = set(self.lines)
        self._refresh()

    def _refresh(self) -> None:
        more = len(self.lines) - 1
        folded = self.folded and more > 0
        self.label.setWordWrap(not folded)
        if folded:  # one line, cut at the banner's width (the rest is one click or Space away)
            room = max(self.label.width(), 100)
            self.label.setText(
                self.fontMetrics().elidedText(self.lines[0], Qt.TextElideMode.ElideRight, room)
            )
        else:
            self.label.setText(self.text())
        self.toggle_button.setVisible(more > 0)
        self.toggle_button.setText(f"▸ {more} more" if folded else "▾ Show less")
        self.toggle_button.setAccessibleName(
            f"Show {more} more lines" if folded else "Show the first line only"
        )
        self.toggle_button.setToolTip("Show every line" if folded else "Fold the banner to its first line")
        self.setVisible(bool(self.lines) and not self.closed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.folded:
            self._refresh()
