"""Small widgets of the Problems panel, shaped for a narrow dock on a 768-px screen."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)


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


def wrapped_label(name: str, text: str = "") -> QLabel:
    label = WrappedLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def combo_box(name: str) -> QComboBox:
    """A combo box that may be narrower than its longest entry (docks are narrow)."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    return combo


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


def place_filters(
    filters: tuple[QWidget, ...],
    rules: QWidget,
    rows: tuple[QHBoxLayout, QHBoxLayout],
    beside: QHBoxLayout,
    one_row: bool,
) -> None:
    """The Problems list's filters (kind, class, lowest score, show dismissed) in one row, ``rules`` in
    ``beside``; or kind and class in the first row, the rest and ``rules`` in the second."""
    first, second = rows
    rest = first if one_row else second
    places = [
        (w, first if i < 2 else rest, 0 if isinstance(w, QCheckBox) else 1) for i, w in enumerate(filters)
    ]
    for widget, row, stretch in [*places, (rules, beside if one_row else rest, 0)]:
        for layout in (first, second, beside):
            layout.removeWidget(widget)
        row.addWidget(widget, stretch)
