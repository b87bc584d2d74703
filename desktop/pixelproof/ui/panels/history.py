"""History dock: the undo stack as a list (click an entry to go back to it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QUndoView, QVBoxLayout, QWidget

from pixelproof.ui.document import Document
from pixelproof.ui.panels.base import Panel


class HistoryPanel(Panel):
    title = "History"
    object_name = "historyDock"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = QUndoView()
        self.view.setAccessibleName("Undo history")
        self.view.setEmptyLabel("Opened")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_document(self, doc: Document | None) -> None:
        super().set_document(doc)
        self.view.setStack(doc.undo_stack if doc is not None else None)
