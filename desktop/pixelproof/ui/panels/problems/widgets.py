"""Small widgets of the Problems panel, shaped for a narrow dock on a 768-px screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pixelproof.ui.one_line import elide_lines


def column(*parts: QWidget | QLayout) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part, 1 if isinstance(part, QTableView) else 0)
    return box


class WrappedLabel(QLabel):
    """A word-wrapped label that does not ask for height-for-width: the dock's scroll area would otherwise
    size the panel by its preferred height and scroll a panel that fits (a 768-px screen). QLabel turns the
    size policy's flag back on with every text, hence the override."""

    def hasHeightForWidth(self) -> bool:
        return False


class FittedLines(WrappedLabel):
    """A WrappedLabel that draws only the lines its height holds, the last cut with ``…`` and the whole
    text then in its tooltip (``one_line.elide_lines``): the line under the list wrapped to two in a
    1024-px window, had the height of one and showed both lines cut in half. ``text()`` stays whole."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._shown = text

    def shown_text(self) -> str:
        return self._shown

    def setText(self, text: str) -> None:  # type: ignore[override]
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The lines to draw, worked out when the text or the size changes (not at each paint)."""
        rect = self.contentsRect()
        lines = max(1, rect.height() // self.fontMetrics().lineSpacing())
        self._shown = elide_lines(self.text(), self.fontMetrics(), rect.width(), lines)
        self.setToolTip(self.text() if self._shown != self.text() else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        flags = int(self.alignment()) | int(Qt.TextFlag.TextWordWrap)
        painter.drawText(self.contentsRect(), flags, self._shown)


def wrapped_label(name: str, text: str = "", fitted: bool = False) -> QLabel:
    label = WrappedLabel(text) if not fitted else FittedLines(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def combo_box(name: str, said: str) -> QComboBox:
    """A combo box that may be narrower than its longest entry (docks are narrow), ``said`` its name for a
    screen reader (which says a combo box by its value alone: "All kinds")."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(said)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    return combo


def refill(combo: QComboBox, first: str, entries: dict[str, tuple[str, str]]) -> None:
    """``combo``'s entries again after a run or a re-check: ``first`` (data None) then each value's text and
    tooltip; the entry chosen stays chosen while listed, and no signal says a choice the user made."""
    chosen = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(first, None)
    for value, (text, tip) in entries.items():
        combo.addItem(text, value)
        if tip:
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(max(combo.findData(chosen) if chosen is not None else 0, 0))
    combo.blockSignals(False)


def action_button(action: QAction, text: str, keys: bool = False) -> QPushButton:
    """A push button for ``action`` with its own short text (and the action's key in force, when ``keys``);
    enabled and described as the action is."""
    button = QPushButton(text)
    button.setObjectName(f"button_{action.property('shortcut_id')}")
    button.clicked.connect(action.trigger)

    def sync() -> None:
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        button.setText(f"{text} ({key})" if keys and key else text)
        button.setEnabled(action.isEnabled())
        button.setToolTip(action.toolTip())

    action.changed.connect(sync)
    sync()
    return button
