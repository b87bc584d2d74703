"""Help > Open Demo Project: a first start without a project (``python -m pixelproof``) reaches the bundled
demo from the menu, copied where ``pixelproof demo`` puts it; unsaved work is asked about first, as File >
Open asks; the empty window says where the demo is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from pixelproof.core.coco import load_project
from pixelproof.core.demo import DEMO_PROJECT, demo_folder_default
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import open_main_window

ALT = Qt.KeyboardModifier.AltModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def listed_files(win) -> list[str]:  # type: ignore[no-untyped-def]
    """The file names the Images panel lists."""
    model = win.panels["imagesDock"].table.model()
    return sorted(model.index(r, 0).data() for r in range(model.rowCount()))


def demo_file_names() -> list[str]:
    project = load_project(demo_folder_default() / DEMO_PROJECT)
    return sorted(Path(i.file_name).name for i in project.images.values())


def test_help_menu_opens_the_demo_from_an_empty_window(qtbot, no_prompts) -> None:
    win = open_main_window(qtbot)
    win.activateWindow()  # Alt+H reaches the menu bar of the active window only
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=10000)
    assert win.document is None
    hint = win.image_list.empty_hint.label
    assert (
        hint.isVisible() and "Open Demo Project" in hint.text() and REGISTRY.text("help.demo") in hint.text()
    )
    assert not (demo_folder_default() / DEMO_PROJECT).exists()  # the test's own data folder
    help_menu = next(a for a in win.menuBar().actions() if a.text() == "&Help")
    QTest.keyClick(win, Qt.Key.Key_H, ALT)  # Alt+H opens Help, D picks Open Demo Project
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is help_menu.menu(), timeout=10000)
    QTest.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_D)
    qtbot.waitUntil(lambda: win.document is not None and len(listed_files(win)) > 0, timeout=10000)
    assert win.document.path == demo_folder_default() / DEMO_PROJECT  # where `pixelproof demo` puts it
    names = demo_file_names()
    assert len(names) >= 9
    qtbot.waitUntil(lambda: [Path(n).name for n in listed_files(win)] == names, timeout=10000)
    assert not hint.isVisible() and no_prompts == []  # nothing unsaved: nothing asked
    win.close()


def test_the_key_asks_about_unsaved_work_first(qtbot, window, no_prompts, monkeypatch) -> None:
    """Ctrl+Shift+D over an edited project: Cancel keeps it open, edits and all; Discard opens the demo."""
    doc = window.document
    doc.push(AddAnnotations([Annotation(99, 1, 1, [10.0, 10.0, 30.0, 30.0], area=900.0)]))
    assert doc.is_modified()
    asked: list[str] = []

    def cancel(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(title)
        return QMessageBox.StandardButton.Cancel

    with monkeypatch.context() as m:
        m.setattr(QMessageBox, "question", staticmethod(cancel))
        QTest.keyClick(window, Qt.Key.Key_D, CTRL_SHIFT)
        qtbot.waitUntil(lambda: asked == ["Unsaved changes"], timeout=10000)
    assert window.document is doc and doc.is_modified()
    QTest.keyClick(window, Qt.Key.Key_D, CTRL_SHIFT)  # no_prompts answers Discard
    qtbot.waitUntil(lambda: window.document is not doc and window.document is not None, timeout=10000)
    assert [t for t, _ in no_prompts] == ["Unsaved changes"]
    assert window.document.path == demo_folder_default() / DEMO_PROJECT
    qtbot.waitUntil(lambda: len(listed_files(window)) == len(demo_file_names()), timeout=10000)


def test_a_demo_that_cannot_be_copied_says_why(qtbot, no_prompts, errors, monkeypatch) -> None:
    """The data folder is a file (or read-only): an error naming it, no crash, still no project."""
    blocker = demo_folder_default().parent
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")
    win = open_main_window(qtbot)
    assert win.demo.open_demo() is False
    assert win.document is None
    ((title, text),) = errors
    assert title == "Could not copy the demo project" and "PixelProof" in text
    win.close()
