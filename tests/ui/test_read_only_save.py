"""Ctrl+S on a project file with no write permission: asked, as a text editor asks, whether to save as
another file (it used to be replaced all the same: the atomic save renames over it); Cancel keeps the edits
open and unsaved. And the conflict question says time spent is lost with a Reload."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from pixelproof.core.coco import load_project
from tests.ui.conftest import wait_loaded
from tests.ui.test_time_kept import _view_first_image_for
from tests.ui.test_two_writers import click_in_next_message_box, someone_else_saves
from tests.ui.test_workbench import draw_box, key, set_zoom

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _ctrl_s(window) -> None:  # type: ignore[no-untyped-def]
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_s_on_a_read_only_project_cancelled_keeps_the_edits_and_the_file(
    window, project_file: Path, qtbot, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    chosen: list[object] = []

    def save_dialog(*args: object, **kwargs: object) -> tuple[str, str]:
        chosen.append(args)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    before = project_file.read_bytes()
    project_file.chmod(0o444)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Cancel", seen)
    _ctrl_s(window)
    assert len(seen) == 1 and str(project_file) in seen[0] and "is read-only" in seen[0]
    assert chosen == []  # Cancel: no file dialog either
    doc = window.document
    assert doc.is_modified() and len(doc.project.annotations) == 1
    assert project_file.read_bytes() == before and os.stat(project_file).st_mode & 0o777 == 0o444
    assert window.isWindowModified()


def test_ctrl_s_on_a_read_only_project_saves_as_another_file(
    window, project_file: Path, qtbot, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "mine.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(copy), "")))
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    before = project_file.read_bytes()
    project_file.chmod(0o444)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Save As…", seen)
    _ctrl_s(window)
    assert len(seen) == 1
    doc = window.document
    assert not doc.is_modified() and doc.path == copy
    assert len(load_project(copy).annotations) == 1
    assert project_file.read_bytes() == before


def _answer_next_box(qtbot, label: str, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Once the modal box is up, note its text and informative text, then click ``label``."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        texts.append(box.text() + "\n" + box.informativeText())
        button = next(b for b in box.findChildren(QPushButton) if b.text() == label)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, click)


@pytest.mark.parametrize("time_spent", [True, False])
def test_the_conflict_question_says_whether_reload_drops_unsaved_time_spent(
    window, project_file: Path, qtbot, time_spent: bool
) -> None:  # type: ignore[no-untyped-def]
    if time_spent:
        _view_first_image_for(window, qtbot, 9.0)  # then on image 2
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    someone_else_saves(project_file)
    texts: list[str] = []
    _answer_next_box(qtbot, "Cancel", texts)
    _ctrl_s(window)
    assert len(texts) == 1 and "changed by another window" in texts[0]
    assert ("time spent on its images are discarded" in texts[0]) == time_spent
    assert window.document.is_modified() and window.document.time_unsaved == time_spent


def test_ctrl_s_keeps_a_read_only_backup_and_the_status_bar_says_so(
    window, project_file: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    """The save is made (a backup is no reason to leave the edits unsaved); the .bak is not replaced."""
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    bak = project_file.with_name(project_file.name + ".bak")
    bak.write_bytes(b'{"images": [], "annotations": [], "categories": []}\n')
    bak.chmod(0o444)
    before = bak.read_bytes()
    _ctrl_s(window)
    assert not window.document.is_modified()
    assert len(load_project(project_file).annotations) == 1
    assert bak.read_bytes() == before and os.stat(bak).st_mode & 0o777 == 0o444
    said = window.statusBar().currentMessage()
    assert said.startswith(f"Saved {project_file}; {bak}: read-only (no write permission), so kept as it was")


def test_a_read_only_project_says_so_when_opened(window, project_file: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    """On a read-only share the first word of it came at Ctrl+S, after the work; now opening says it."""
    window.statusBar().clearMessage()
    project_file.chmod(0o444)
    assert window.files.open_project(project_file)
    wait_loaded(qtbot, window)
    said = window.shell.messages.messages[-1]
    assert said.kind == "warning"
    assert said.text == (
        f"Opened {project_file} read-only (no write permission): save your changes as another file "
        "(File > Save As)"
    )
    project_file.chmod(0o644)
    assert window.files.open_project(project_file)
    assert window.shell.messages.messages[-1].text == f"Opened {project_file}"


def test_an_autosave_failing_for_the_same_reason_is_said_once(window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A project edited in a folder nobody may write in (a read-only share) said "Autosave failed" on the
    status bar every minute as long as the edits stayed open; now once, and again only after an autosave
    went through or for another reason."""
    import errno

    from pixelproof.ui import document

    real = document.write_autosave

    def refuse(target: Path, *_a: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(target))

    monkeypatch.setattr(document, "write_autosave", refuse)
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    doc = window.document

    def failures() -> list[str]:
        return [m.text for m in window.shell.messages.messages if m.text.startswith("Autosave failed")]

    assert not doc.autosave() and not doc.autosave() and not doc.autosave()
    assert len(failures()) == 1 and str(doc.autosave_path()) in failures()[0]
    monkeypatch.setattr(document, "write_autosave", real)
    assert doc.autosave()
    monkeypatch.setattr(document, "write_autosave", refuse)
    assert not doc.autosave()
    assert len(failures()) == 2
    doc.undo_stack.setClean()
