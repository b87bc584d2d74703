"""The project file's life in the real window, with real keys and clicks: the unsaved-changes question
before close / open / quit, saves that fail, the recent list, files that are no project, Save As targets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from pixelproof.core.coco import load_project
from pixelproof.ui import dialogs
from tests.ui.conftest import make_project, tip_text, wait_loaded
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_two_writers import click_in_next_message_box
from tests.ui.test_workbench import draw_box, key, set_zoom

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict:
    """QMessageBox.question answers ``answers["reply"]`` (recorded in ``answers["asked"]``); critical
    boxes and format-error boxes are recorded in ``answers["errors"]``."""
    state: dict = {"reply": QMessageBox.StandardButton.Cancel, "asked": [], "errors": []}

    def question(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        state["asked"].append(text)
        return state["reply"]

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda parent, title, text: state["errors"].append(text))
    )
    monkeypatch.setattr(dialogs, "show_format_error", lambda parent, e: state["errors"].append(str(e)))
    return state


def edited_window(qtbot, project: Path):  # type: ignore[no-untyped-def]
    """The window on ``project`` with one box drawn by mouse (unsaved)."""
    win = new_window(qtbot)
    assert win.open_path(project)
    wait_loaded(qtbot, win)
    set_zoom(win, 1.0)
    draw_box(win, 40, 30, 120, 90)
    assert win.isWindowModified()
    return win


def test_conflict_reload_of_a_broken_file_keeps_my_work(qtbot, project_file: Path, answers) -> None:
    win = edited_window(qtbot, project_file)
    project_file.write_text("{ broken by another program")
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Reload (discard mine)", seen)
    key(win, Qt.Key.Key_S, CTRL)
    assert seen and answers["errors"]  # the file could not be read again: said so
    assert win.document is not None and len(win.document.project.annotations) == 1
    assert win.document.is_modified() and win.isWindowModified()  # still mine, still unsaved
    answers["reply"] = QMessageBox.StandardButton.Cancel
    win.close()
    assert win.isVisible() and answers["asked"]  # closing still asks
    win.document.undo_stack.setClean()
    win.close()


def click_recent(qtbot, win, path: Path, before_click=lambda: None):  # type: ignore[no-untyped-def]
    """Pop File > Open Recent up and click the entry of ``path`` (``before_click`` runs once the menu is
    up); returns its action."""
    menu = win.files.recent_menu
    menu.popup(win.mapToGlobal(win.rect().center()))
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    act = next(a for a in menu.actions() if tip_text(a.toolTip()) == str(path.resolve()))
    before_click()
    if act.isEnabled():
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(act).center())
    menu.hide()
    return act


def test_recent_entries_that_are_no_longer_a_project_file(qtbot, tmp_path: Path, answers) -> None:
    gone, folder, broken = (make_project(tmp_path / n) for n in ("gone", "folder", "broken"))
    win = new_window(qtbot)
    for p in (gone, folder, broken):
        assert win.open_path(p)
    win.close_project()
    gone.unlink()
    broken.write_text("{ nope")
    click_recent(qtbot, win, broken)
    assert win.document is None and len(answers["errors"]) == 1 and str(broken) in answers["errors"][0]
    # a missing file: shown, marked, not clickable (it may come back: a drive mounted again)
    act = click_recent(qtbot, win, gone)
    assert not act.isEnabled() and "not found" in act.text()
    assert len(answers["errors"]) == 1 and win.recent_projects() == [
        str(p.resolve()) for p in (broken, folder, gone)
    ]

    def make_it_a_folder() -> None:  # after the menu was filled
        folder.unlink()
        folder.mkdir()

    click_recent(qtbot, win, folder, make_it_a_folder)
    assert not answers["asked"]  # no categories asked: a recent project is never read as an image folder
    assert win.document is None and "is a folder" in answers["errors"][-1]


def test_files_that_are_no_project_leave_the_open_one_alone(
    qtbot, project_file: Path, tmp_path: Path, answers, monkeypatch
) -> None:
    """Ctrl+O on each: a message naming the file, and the open project stays as it was, unsaved edits
    included (Discard was answered, but nothing replaced them)."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.json").write_bytes(b"")
    labelme = {"version": "5.0.1", "shapes": [], "imagePath": "a.png", "imageHeight": 8, "imageWidth": 8}
    (bad / "labelme.json").write_text(json.dumps(labelme))
    (bad / "taxonomy.json").write_text(json.dumps({"categories": [{"name": "cat"}]}))
    os.mkfifo(bad / "fifo.json")  # must not hang
    with (bad / "zeros.json").open("wb") as f:
        f.truncate(64 << 20)
    win = edited_window(qtbot, project_file)
    doc = win.document
    answers["reply"] = QMessageBox.StandardButton.Discard
    names = ["empty.json", "labelme.json", "taxonomy.json", "fifo.json", "zeros.json"]
    for n, name in enumerate(names, 1):
        chosen = (str(bad / name), "")
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, c=chosen, **k: c))
        key(win, Qt.Key.Key_O, CTRL)
        assert len(answers["errors"]) == n and str(bad / name) in answers["errors"][-1]
        assert win.document is doc and len(doc.project.annotations) == 1 and win.isWindowModified()
    assert "not a COCO project" in answers["errors"][1] and "FIFO" in answers["errors"][3]
    assert win.recent_projects() == [str(project_file.resolve())]
    doc.undo_stack.setClean()
    win.close()


def test_save_with_nothing_changed_keeps_the_file_and_its_backup(qtbot, project_file: Path, answers) -> None:
    """Ctrl+S, then Ctrl+S again out of habit: the second one wrote the same bytes again and made the
    backup a copy of them - the version before the edits was gone."""
    original = project_file.read_bytes()
    win = edited_window(qtbot, project_file)
    key(win, Qt.Key.Key_S, CTRL)
    bak = project_file.with_name("project.json.bak")
    assert bak.read_bytes() == original and not win.isWindowModified()
    saved, saved_ns = project_file.read_bytes(), project_file.stat().st_mtime_ns
    log = project_file.with_name("project.history.jsonl").read_bytes()
    os.utime(project_file, ns=(saved_ns - 10**9, saved_ns - 10**9))  # a rewrite would show in the time
    key(win, Qt.Key.Key_S, CTRL)
    assert bak.read_bytes() == original and project_file.read_bytes() == saved
    assert project_file.stat().st_mtime_ns == saved_ns - 10**9
    assert project_file.with_name("project.history.jsonl").read_bytes() == log
    assert "Saved" in win.statusBar().currentMessage() and not answers["errors"]
    draw_box(win, 150, 100, 200, 150)  # a real change is written, the backup then holds the last save
    key(win, Qt.Key.Key_S, CTRL)
    assert bak.read_bytes() == saved and len(load_project(project_file).annotations) == 2
    win.close()


def test_save_as_targets(qtbot, tmp_path: Path, answers, monkeypatch) -> None:
    """Ctrl+Shift+S onto: a name typed without .json whose .json is another project (asked first: the
    file dialog asked about the name without it), a .json that is no JSON (refused), the open file itself
    (a save)."""
    mine = make_project(tmp_path / "mine")
    other = make_project(tmp_path / "other")
    other_bytes = other.read_bytes()
    notes = tmp_path / "other" / "notes.json"
    notes.write_bytes(b"plain text, not JSON")
    win = edited_window(qtbot, mine)
    chosen: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (chosen[-1], "")))
    shift_ctrl = CTRL | Qt.KeyboardModifier.ShiftModifier

    chosen.append(str(other.with_suffix("")))  # ".../other/project"
    answers["reply"] = QMessageBox.StandardButton.No
    key(win, Qt.Key.Key_S, shift_ctrl)
    assert answers["asked"] and "project.json" in answers["asked"][-1] and "exists" in answers["asked"][-1]
    assert other.read_bytes() == other_bytes and win.isWindowModified()
    assert win.document.project.path == mine

    chosen.append(str(notes))
    key(win, Qt.Key.Key_S, shift_ctrl)
    assert notes.read_bytes() == b"plain text, not JSON" and "not a project file" in answers["errors"][-1]
    assert win.isWindowModified() and len(answers["asked"]) == 1

    chosen.append(str(mine))
    key(win, Qt.Key.Key_S, shift_ctrl)
    assert not win.isWindowModified() and len(load_project(mine).annotations) == 1

    draw_box(win, 150, 100, 200, 150)
    chosen.append(str(other.with_suffix("")))
    answers["reply"] = QMessageBox.StandardButton.Yes
    key(win, Qt.Key.Key_S, shift_ctrl)
    assert len(load_project(other).annotations) == 2 and win.document.project.path == other
    assert other.with_name("project.json.bak").read_bytes() == other_bytes and not win.isWindowModified()
    win.close()


def click_file_menu(qtbot, win, text: str) -> None:  # type: ignore[no-untyped-def]
    """File > ``text``, clicked with the mouse in the popped-up File menu."""
    menu = next(m for m in win.menus if m.objectName() == "fileMenu")
    menu.popup(win.mapToGlobal(win.rect().center()))
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    act = next(a for a in menu.actions() if a.text().replace("&", "") == text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(act).center())


@pytest.mark.parametrize("how", ["close", "quit", "open", "recent"])
@pytest.mark.parametrize("reply", ["Save", "Discard", "Cancel"])
def test_unsaved_changes_save_discard_cancel(qtbot, tmp_path: Path, answers, monkeypatch, how, reply) -> None:
    mine, other = make_project(tmp_path / "mine"), make_project(tmp_path / "other", n_images=1)
    win = new_window(qtbot)
    assert win.open_path(other)
    assert win.open_path(mine)
    wait_loaded(qtbot, win)
    set_zoom(win, 1.0)
    draw_box(win, 40, 30, 120, 90)
    doc = win.document
    assert doc.autosave()
    auto = mine.with_name("project.json.autosave")
    original = mine.read_bytes()
    answers["reply"] = getattr(QMessageBox.StandardButton, reply)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(other), "")))
    if how == "close":
        win.close()
    elif how == "quit":
        click_file_menu(qtbot, win, "Quit")
    elif how == "open":
        key(win, Qt.Key.Key_O, CTRL)
    else:
        click_recent(qtbot, win, other)
    assert len(answers["asked"]) == 1 and "project.json" in answers["asked"][0]
    closing = how in ("close", "quit")
    if reply == "Cancel":  # everything as it was
        assert win.isVisible() and win.document is doc and win.isWindowModified()
        assert mine.read_bytes() == original and auto.exists()
        doc.undo_stack.setClean()
        win.close()
        return
    assert len(load_project(mine).annotations) == (1 if reply == "Save" else 0)
    assert not auto.exists()
    if closing:
        assert not win.isVisible()
    else:
        assert win.isVisible() and win.document.project.path == other
        win.close()


@pytest.mark.parametrize("failure", ["folder gone", "changed on disk"])
def test_closing_when_the_save_fails_keeps_the_window_and_the_work(
    qtbot, tmp_path: Path, answers, failure
) -> None:
    project = make_project(tmp_path / "p")
    win = edited_window(qtbot, project)
    if failure == "folder gone":
        (tmp_path / "p").rename(tmp_path / "moved")
    else:
        (project.parent / "project.json").write_text(project.read_text().replace('"dog"', '"hound"'))
    answers["reply"] = QMessageBox.StandardButton.Save
    seen: list[str] = []
    if failure == "changed on disk":
        click_in_next_message_box(qtbot, "Cancel", seen)
    win.close()
    assert win.isVisible() and win.isWindowModified() and len(win.document.project.annotations) == 1
    assert (answers["errors"] and "does not exist" in answers["errors"][0]) or seen
    if failure == "changed on disk":
        assert "hound" in project.read_text()  # theirs kept too
    win.document.undo_stack.setClean()
    win.close()


def test_title_star_follows_the_saved_state_through_undo_and_redo(qtbot, project_file: Path, answers) -> None:
    win = edited_window(qtbot, project_file)
    auto = project_file.with_name("project.json.autosave")
    assert win.windowTitle() == "project.json[*] — PixelProof" and win.isWindowModified()
    assert win.document.autosave() and auto.exists()
    key(win, Qt.Key.Key_Z, CTRL)  # back to the file's state: clean, and the autosave has nothing to keep
    assert not win.isWindowModified() and not auto.exists()
    win.close()
    assert not win.isVisible() and not answers["asked"]  # nothing to ask
    win = edited_window(qtbot, project_file)
    key(win, Qt.Key.Key_S, CTRL)
    assert not win.isWindowModified()
    key(win, Qt.Key.Key_Z, CTRL)  # the saved box taken back: that is a change to the file
    assert win.isWindowModified()
    key(win, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert not win.isWindowModified()
    win.close()
    assert not win.isVisible() and not answers["asked"]


@pytest.mark.parametrize("kind", ["fifo", "labelme", "empty", "empty folder"])
def test_command_line_path_that_is_no_project(qtbot, tmp_path: Path, answers, kind) -> None:
    """``pixelproof PATH``: the window opens, says what is wrong with PATH, and keeps running (a FIFO is
    never waited on)."""
    from pixelproof.ui.app import create_app, show_main_window

    path = tmp_path / "p.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "labelme":
        path.write_text(json.dumps({"shapes": [], "imagePath": "a.png"}))
    elif kind == "empty":
        path.write_bytes(b"")
    else:  # a folder is a new project over its images: with no images, that is said
        path.mkdir()
    create_app()
    win = show_main_window(path, ["thing"])
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: bool(answers["errors"]), timeout=10000)
    assert str(path) in answers["errors"][0] and win.isVisible() and win.document is None
    win.close()


def test_recent_projects_of_the_same_name_are_told_apart_by_their_folders(
    qtbot, tmp_path: Path, answers
) -> None:
    """Every new project is saved as project.json by default: Open Recent listed "project.json" once per
    project, and only the hover tooltip said which was which. Each entry now shows the folders that set it
    apart (as few as do)."""
    paths = [make_project(tmp_path / a / b) for a, b in (("zoo", "cats"), ("zoo", "dogs"), ("farm", "dogs"))]
    win = new_window(qtbot)
    for p in paths:
        assert win.open_path(p)
    texts = {p: click_recent(qtbot, win, p).text() for p in paths}
    menu = win.files.recent_menu
    shown = [a.text() for a in menu.actions() if tip_text(a.toolTip()) in {str(p.resolve()) for p in paths}]
    assert len(set(shown)) == 3 and set(shown) == set(texts.values())
    assert texts[paths[0]].replace("&&", "&") == os.path.join("cats", "project.json")
    assert texts[paths[1]].replace("&&", "&") == os.path.join("zoo", "dogs", "project.json")
    assert texts[paths[2]].replace("&&", "&") == os.path.join("farm", "dogs", "project.json")
    assert Path(win.document.path).resolve() == paths[2].resolve()  # the entry clicked last is open
