"""The question a folder of images asks before it becomes a project: which categories to label. A project
with no category cannot draw anything, so the answer is asked for up front (``pixelproof PATH
--categories a,b`` answers it on the command line) with a first category filled in to rename or keep."""

from __future__ import annotations

import time
from html import escape
from pathlib import Path

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QMessageBox, QVBoxLayout, QWidget

from pixelproof.core.folder_project import SavedProject
from pixelproof.core.image_folder import category_names
from pixelproof.core.wording import plural
from pixelproof.ui.dialogs import MAX_LISTED, answer, as_text, ok_cancel

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


def ask_folder_has_project(parent: QWidget | None, saved: SavedProject, other: Path) -> str:
    """New Project from Folder over a folder with a saved project: "open" it, start a "new" one saved as
    ``other`` beside it (never over it), or "cancel"."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("This folder has a project")
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved.saved))
    box.setText(
        f"<b>{escape(str(saved.path.parent))}</b><br>This folder already has a project "
        f"({escape(saved.path.name)}, {plural(saved.images, 'image')}, saved {when})."
    )
    box.setInformativeText(
        f"Open it, or start a new project over the folder, saved as {other.name} beside it "
        f"({saved.path.name} is kept as it is)."
    )
    buttons = {
        box.addButton("Open It", QMessageBox.ButtonRole.AcceptRole): "open",
        box.addButton("Start a New One", QMessageBox.ButtonRole.ActionRole): "new",
        box.addButton(QMessageBox.StandardButton.Cancel): "cancel",
    }
    return answer(box, buttons)


def ask_broken_project(parent: QWidget | None, saved: SavedProject, other: Path) -> bool:
    """The folder's project file does not load: start a new project saved as ``other`` (True), leaving the
    file as it is, or not (False). It is never replaced by a new project unasked."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Cannot open the folder's project")
    box.setText(
        f"<b>{escape(str(saved.path))}</b><br>is where a project over this folder is saved, but it cannot "
        f"be opened as a project ({plural(len(saved.problems), 'problem')}). It is left as it is."
    )
    shown = saved.problems[:MAX_LISTED]
    more = f"\n… and {len(saved.problems) - MAX_LISTED} more" if len(saved.problems) > MAX_LISTED else ""
    box.setInformativeText(
        as_text("\n".join(shown) + more + f"\n\nStart a new project over the folder, saved as {other.name}?")
    )
    start = box.addButton(f"New Project as {other.name}", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(start)
    box.exec()
    return box.clickedButton() is start
