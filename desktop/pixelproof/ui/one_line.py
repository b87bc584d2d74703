"""A read-only line of plain text that never wraps nor widens its panel: cut at its end with ``…`` where its
room is narrower. A QLabel with an Ignored width is clipped at the panel's edge in the middle of a word
(a QuPath cell's line read 'cell · Nucleus: Area µm^2 0 · Nucleus', nothing telling that dozens of values
followed)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QContextMenuEvent, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy

from pixelproof.ui.copy_rows import to_clipboard


class OneLineLabel(QLabel):
    """``whole`` shown on one line (its line breaks as ``↵``), cut to the room with ``…``. The tooltip is
    the caller's ``tip``, or else the whole line when it is cut. Selectable, its context menu copies the
    whole line (the mouse can select only what is shown)."""

    def __init__(self, text: str = "", selectable: bool = False) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)  # values from a file: never rich text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.selectable = selectable
        if selectable:
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.whole, self.tip = text, ""
        self._show()

    def set_line(self, text: str, tip: str = "") -> None:
        """Show ``text`` (cut to the room); ``tip``: the tooltip (else the whole text where it is cut)."""
        self.whole, self.tip = text, tip
        self._show()

    def is_cut(self) -> bool:
        return self.text() != self.whole

    def copy_all(self) -> None:
        """The whole line to the clipboard, the part cut off included."""
        to_clipboard(self.whole)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if not self.is_cut() or not self.selectable:
            super().contextMenuEvent(event)
            return
        menu = QMenu(self)
        copy = menu.addAction("Copy", lambda: to_clipboard(self.selectedText()))
        copy.setEnabled(self.hasSelectedText())
        menu.addAction("Copy All", self.copy_all)
        menu.exec(event.globalPos())

    def room(self) -> int:
        """Pixels the text may take."""
        return self.contentsRect().width()

    def tooltip_text(self) -> str:
        """The tooltip for the line as now shown (a subclass may add the whole line to its own tip)."""
        return self.tip or (self.whole if self.is_cut() else "")

    def elide(self, text: str, width: int) -> str:
        """``text`` cut to ``width`` px with ``…`` (a subclass may cut after a whole word instead)."""
        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(width, 0))

    def _show(self) -> None:
        flat = "↵".join(self.whole.splitlines())  # a value's line break (a CVAT note) would wrap the line
        shown = self.elide(flat, self.room())
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self.tooltip_text())


def elide_lines(text: str, metrics: QFontMetrics, width: int, lines: int) -> str:
    """``text`` word-wrapped at ``width`` in at most ``lines`` lines: whole if it fits, else its longest
    start that fits with ``…`` after it."""

    def fits(t: str) -> bool:
        room = QRect(0, 0, max(width, 1), 1 << 20)
        return (
            metrics.boundingRect(room, Qt.TextFlag.TextWordWrap, t).height() <= lines * metrics.lineSpacing()
        )

    if width <= 0 or fits(text):
        return text
    lo, hi = 0, len(text)  # text[:lo] + "…" fits; text[:hi] + "…" does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(text[:mid].rstrip() + "…") else (lo, mid)
    return text[:lo].rstrip() + "…"


class FewLinesLabel(QLabel):
    """Plain text word-wrapped in at most ``lines`` lines, cut at the end with ``…`` where its room is
    narrower (``elide_lines``), the whole of it then in the tooltip: a long reason from a model (the Model
    panel's state) wrapped to four lines at 1366x768 and pushed the panel's options down."""

    def __init__(self, text: str = "", lines: int = 2) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.lines = lines
        self.whole = text
        self.tip = text
        self._show()

    def set_line(self, text: str, tip: str = "") -> None:
        """Show ``text``; the tooltip gives ``tip`` (default: ``text``) when what is shown is less."""
        self.whole = text
        self.tip = tip or text
        self._show()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def _show(self) -> None:
        shown = elide_lines(self.whole, self.fontMetrics(), self.contentsRect().width(), self.lines)
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self.tip if shown != self.tip else "")
