"""The question a folder of images asks before it becomes a project: which categories to label. A project
with no category cannot draw anything, so the answer is asked for up front (``pixelproof PATH
--categories a,b`` answers it on the command line) with a first category filled in to rename or keep."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from pixelproof.core.image_folder import category_names
from pixelproof.ui.dialogs import ok_cancel

DEFAULT_CATEGORY = "object"  # what drawing in a project without categories creates, ready to rename


class CategoriesDialog(QDialog):
    """One line of comma-separated names; OK is refused (with the reason shown) while the names are not
    valid."""

    def __init__(self, folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newProjectDialog")
        self.setWindowTitle("New project")
        intro = QLabel(
            f"A new project over the images in <b>{folder}</b>.<br>Which categories will you label? "
            "Separate them with commas; keys 1-9 choose them while drawing. You can rename and add "
            "categories later in the Categories panel."
        )
        intro.setWordWrap(True)
        self.names = QLineEdit(DEFAULT_CATEGORY)
        self.names.setObjectName("categoryNames")
        self.names.setPlaceholderText("e.g. cat, dog, bird")
        self.names.selectAll()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #d55e00;")
        self.problem.hide()
        self.names.textChanged.connect(lambda _t: self.problem.hide())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.names)
        layout.addWidget(self.problem)
        layout.addWidget(ok_cancel(self))
        self.setMinimumWidth(460)
        self.chosen: list[str] = []

    def accept(self) -> None:
        try:
            self.chosen = category_names(self.names.text())
        except ValueError as e:
            self.problem.setText(f"Names: {e}")
            self.problem.show()
            return
        super().accept()


def ask_categories(parent: QWidget | None, folder: str) -> list[str] | None:
    """The categories of a new project over ``folder``; None when the user cancelled."""
    dialog = CategoriesDialog(folder, parent)
    try:
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
