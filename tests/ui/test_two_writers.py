"""The app and another writer on one project (issue 11, item 1): Ctrl+S on a file someone else changed
asks Save as / Reload / Overwrite; a project open elsewhere is announced with who holds it."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QToolBar

from pixelproof.core import lock
from pixelproof.core.coco import load_project, save_project
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_workbench import draw_box, key, set_zoom


def click_in_next_message_box(qtbot, label: str, seen: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Once the modal box is up, click its button called ``label`` with the mouse."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        button = next(b for b in box.findChildren(QPushButton) if b.text() == label)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, click)


def click_save_button(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The toolbar's Save button, clicked with the mouse."""
    button = next(
        w for tb in window.findChildren(QToolBar) if (w := tb.widgetForAction(window.act_save)) is not None
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def someone_else_saves(path: Path) -> None:
    other = load_project(path)
    other.categories[2].name = "renamed elsewhere"
    save_project(other)


def test_save_over_a_changed_file_offers_the_three_choices(window, project_file: Path, qtbot) -> None:
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    someone_else_saves(project_file)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Cancel", seen)
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert seen and "changed by another window" in seen[0]
    assert window.document.is_modified()  # nothing written, nothing lost
    assert load_project(project_file).categories[2].name == "renamed elsewhere"

    click_in_next_message_box(qtbot, "Overwrite", seen)
    click_save_button(window, qtbot)
    assert len(seen) == 2 and not window.document.is_modified()
    saved = load_project(project_file)
    assert len(saved.annotations) == 1 and saved.categories[2].name == "dog"


def test_reload_discards_mine_and_shows_theirs(window, project_file: Path, qtbot) -> None:
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    someone_else_saves(project_file)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Reload (discard mine)", seen)
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    doc = window.document
    assert seen and not doc.is_modified()
    assert doc.project.categories[2].name == "renamed elsewhere" and doc.project.annotations == {}
    assert load_project(project_file).annotations == {}


def test_project_open_elsewhere_names_the_holder(qtbot, project_file: Path, no_prompts, monkeypatch) -> None:
    lock_file = lock.lock_path(project_file)
    holder = {"user": "ana", "host": socket.gethostname(), "pid": os.getppid(), "since": "2024-05-01 09:00"}
    lock_file.write_text(json.dumps(holder))
    asked: list[str] = []

    def warning(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Cancel if len(asked) == 1 else QMessageBox.StandardButton.Open

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    win = new_window(qtbot)
    assert not win.open_path(project_file)  # Cancel: not opened, the lock is theirs still
    assert "ana on" in asked[0] and str(os.getppid()) in asked[0]
    assert json.loads(lock_file.read_text())["user"] == "ana"
    assert win.open_path(project_file)  # Open anyway: the lock is taken over
    assert lock.read_lock(project_file).is_me()
    win.close_project()
    assert not lock_file.exists()  # released on close
