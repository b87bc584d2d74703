"""A folder of images becomes a project with categories (issue 19, item 1), the first paint comes before
any question (item 9), and ``pixelproof --help`` names what opening the app takes (item 9)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from tests.ui.conftest import make_project, wait_loaded
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_workbench import draw_box, key, set_zoom


def image_folder(tmp_path: Path) -> Path:
    make_project(tmp_path / "data", n_images=2)
    (tmp_path / "data" / "project.json").unlink()
    return tmp_path / "data" / "images"


def when_modal(callback) -> None:  # type: ignore[no-untyped-def]
    """Run ``callback(dialog)`` on the next modal dialog, from inside its own event loop."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, poll)
        else:
            callback(dialog)

    QTimer.singleShot(0, poll)


def test_opening_a_folder_asks_for_categories_and_refuses_repeated_names(qtbot, tmp_path, no_prompts):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QLineEdit

    win = new_window(qtbot)
    seen: dict[str, str] = {}
    dialogs: list = []

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog)
        names = dialog.findChild(QLineEdit, "categoryNames")
        seen["default"] = names.text()
        names.selectAll()
        QTest.keyClicks(names, "cat, dog, cat")
        QTest.keyClick(names, Qt.Key.Key_Return)  # refused: stays open, says why
        problem = next(lb for lb in dialog.findChildren(QLabel) if "unique" in lb.text())
        seen["problem"] = problem.text() if problem.isVisible() else ""
        names.selectAll()
        QTest.keyClicks(names, "cat, dog")
        QTest.keyClick(names, Qt.Key.Key_Return)

    when_modal(answer)
    assert win.open_path(image_folder(tmp_path))
    wait_loaded(qtbot, win)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is not dialogs[0], timeout=10000)  # closed and gone
    with qtbot.waitActive(win):  # offscreen Qt does not give the activation back after a dialog
        win.activateWindow()
    assert seen["default"] == "object" and "'cat' is given twice" in seen["problem"]
    doc = win.document
    assert [(c.name, c.shortcut) for c in doc.project.categories.values()] == [("cat", "1"), ("dog", "2")]
    set_zoom(win, 1.0)
    key(win, Qt.Key.Key_2)
    ann = doc.project.annotations[draw_box(win, 10, 10, 60, 50)]
    assert doc.project.categories[ann.category_id].name == "dog"
    doc.undo_stack.setClean()


def test_cancel_keeps_the_folder_closed(qtbot, tmp_path, no_prompts) -> None:
    win = new_window(qtbot)
    when_modal(lambda dialog: dialog.reject())
    assert not win.open_path(image_folder(tmp_path))
    assert win.document is None


def test_without_categories_drawing_makes_one_and_the_hint_says_so(qtbot, tmp_path, no_prompts) -> None:
    from PySide6.QtCore import Qt

    win = new_window(qtbot)
    assert win.open_path(image_folder(tmp_path), [])  # the user emptied the field
    wait_loaded(qtbot, win)
    doc = win.document
    assert doc.project.categories == {}
    hint = win.panels["annotationsDock"].empty
    qtbot.waitUntil(lambda: hint.isVisible(), timeout=10000)
    assert "Press B and drag" in hint.text() and "“object”" in hint.text()
    set_zoom(win, 1.0)
    ann = doc.project.annotations[draw_box(win, 10, 10, 60, 50)]  # not refused
    assert [c.name for c in doc.project.categories.values()] == ["object"]
    assert ann.category_id == next(iter(doc.project.categories))
    assert "rename it in the Categories panel" in win.statusBar().currentMessage()
    combo = win.categories.combo
    assert combo.isEnabled() and combo.currentText().startswith("object")
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.categories == {} and doc.project.annotations == {}  # one undo step, both gone


def test_the_hint_names_the_key_in_force(qtbot, tmp_path, no_prompts) -> None:
    from pixelproof.ui.shortcuts import REGISTRY

    win = new_window(qtbot)
    assert win.open_path(image_folder(tmp_path), ["cat"])
    wait_loaded(qtbot, win)
    hint = win.panels["annotationsDock"].empty
    try:
        REGISTRY.set_keys("tool.box", ["X"])
        assert "Press X and drag" in hint.text() and "object" not in hint.text()
    finally:
        REGISTRY.set_keys("tool.box", None)
    assert "Press B and drag" in hint.text()


def test_categories_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pixelproof.ui.app import app_parser, run_app

    args, _qt = app_parser().parse_known_args([str(tmp_path), "--categories", "cat,dog", "--reset-layout"])
    assert (args.path, args.categories, args.reset_layout) == (str(tmp_path), "cat,dog", True)
    assert run_app([str(tmp_path), "--categories", "a, a"]) == 2  # before any window
    assert "--categories: names must be unique" in capsys.readouterr().err


def test_help_lists_path_and_the_app_options(capsys: pytest.CaptureFixture[str]) -> None:
    from pixelproof import cli
    from pixelproof.ui.app import app_parser

    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "PATH" in text
    for action in app_parser()._actions:
        for flag in action.option_strings:
            assert flag in text, flag


class PaintSeen(QObject):
    """Notes every paint of the main window's widgets as it happens."""

    def __init__(self, log: list[bool]) -> None:
        super().__init__()
        self.log = log
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        main = isinstance(obj, QWidget) and obj.window().objectName() == "mainWindow"
        if event.type() == QEvent.Type.Paint and main:
            self.log.append(True)
        return False


def test_recovery_question_comes_after_the_first_paint(qtbot, project_file: Path, monkeypatch) -> None:
    """What ``pixelproof PROJECT`` does: show the window, open the project once it has painted."""
    from pixelproof.ui.app import create_app, show_main_window

    auto = project_file.with_name("project.json.autosave")
    edited = json.loads(project_file.read_bytes())
    edited["categories"][0]["name"] += " (edited)"  # an autosave of the saved file itself is not offered
    auto.write_text(json.dumps(edited))
    future = time.time() + 5
    os.utime(auto, (future, future))
    painted: list[bool] = []
    asked: list[bool] = []
    seen = PaintSeen(painted)

    def question(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(bool(painted))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    create_app()
    win = show_main_window(project_file)
    qtbot.addWidget(win)
    assert asked == [] and win.document is None  # nothing opened before the window painted
    qtbot.waitUntil(lambda: win.document is not None, timeout=10000)
    assert asked == [True]
    QApplication.instance().removeEventFilter(seen)
