"""A section that folds to one header line: free-text settings most users leave alone (a backend's options)
must not push the controls everyone uses (the Model panel's run buttons) below the fold of a laptop screen."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSizePolicy, QToolButton, QVBoxLayout, QWidget


class CollapsibleSection(QWidget):
    """A header button with an arrow (▸ closed, ▾ open) over ``body``. ``openedByUser``: the user clicked
    the header (the caller remembers the state); ``set_open`` from code does not emit it."""

    openedByUser = Signal(bool)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.toggle.setText(title)
        self.toggle.clicked.connect(self._clicked)
        self.body = QWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        self.set_open(False)

    def is_open(self) -> bool:
        return self.toggle.isChecked()

    def set_open(self, on: bool) -> None:
        self.toggle.setChecked(on)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.toggle.setToolTip(f"Hide the {self.title.lower()}" if on else f"Show the {self.title.lower()}")
        self.body.setVisible(on)

    def set_title(self, text: str) -> None:
        """The header's text (e.g. how many fields are set, seen while closed)."""
        self.toggle.setText(text)

    def _clicked(self, on: bool) -> None:
        self.set_open(on)
        self.openedByUser.emit(on)
