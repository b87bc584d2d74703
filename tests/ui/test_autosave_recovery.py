"""Autosave and recovery under pressure: an unreadable autosave still lets the project open; recovering
edits over a project file that another program saved since asks before overwriting it; a new (untitled)
project is autosaved under the user's data folder and offered after a crash, not while its app runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from pixelproof.core.coco import ProjectConflictError, load_project, save_project
from pixelproof.core.edits.annotations import AddAnnotations
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation, Category
from pixelproof.ui.document import Document, autosave_path_for
from tests.ui.conftest import make_project, open_main_window, wait_loaded

Button = QMessageBox.StandardButton


def add_box(doc: Document, image_id: int = 1) -> int:
    ann = Annotation(doc.project.next_annotation_id(), image_id, 1, [10.0, 10.0, 20.0, 20.0])
    doc.push(AddAnnotations([ann]))
    return ann.id


def later(path: Path, seconds: float = 5) -> None:
    """Make ``path`` look written ``seconds`` from now (mtime order without sleeping)."""
    t = time.time() + seconds
    os.utime(path, (t, t))


def dead_pid() -> int:
    """The id of a process that has ended: the owner of a crashed app's autosave."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def crash(doc: Document) -> Path:
    """What a crash leaves: the autosave file, owned by a process that is gone."""
    assert doc.autosave()
    auto = doc.autosave_path()
    doc.close()
    text = auto.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n")
    line, _, rest = rest.partition("\n")
    key, _, value = line.partition(": ")
    header = json.loads(value.rstrip(","))
    header["pid"] = dead_pid()
    auto.write_text(f"{head}\n{key}: {json.dumps(header)},\n{rest}", encoding="utf-8")
    return auto


def crash_window(win) -> Path:  # type: ignore[no-untyped-def]
    """The window's app dies with its document unsaved: its autosave stays, owned by no live process."""
    auto = crash(win.document)
    left = auto.read_bytes()
    win.document.undo_stack.setClean()  # (which deletes it: a clean document has nothing to recover)
    win.close()
    auto.write_bytes(left)
    return auto


def test_an_unreadable_autosave_still_lets_the_project_open(qtbot, tmp_path: Path, monkeypatch) -> None:
    from pixelproof.ui import dialogs

    path = make_project(tmp_path)
    auto = autosave_path_for(path)
    auto.write_text('{"images": [', encoding="utf-8")  # cut short
    later(auto)
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "ask_recover", lambda parent, name, changed: True)
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: errors.append(text))
    win = open_main_window(qtbot)
    assert win.open_path(path)
    wait_loaded(qtbot, win)
    assert win.document is not None and win.document.path == path and not win.document.is_modified()
    assert len(errors) == 1 and auto.name in errors[0] and "as last saved" in errors[0]
    win.close()


def test_recovering_over_a_project_saved_since_asks_before_overwriting_it(qtbot, tmp_path: Path) -> None:
    """The app had the project open, another program saved it, the app autosaved its own edits, then
    crashed: the recovered edits must not silently replace the other program's."""
    path = make_project(tmp_path)
    doc = Document.open(path)
    mine = add_box(doc)
    other = load_project(path)  # another program saves a new category meanwhile
    other.categories[9] = Category(9, "bird")
    save_project(other, path)
    auto = crash(doc)
    later(auto)
    asked: list[bool] = []
    again = Document.open(path, ask_recover=lambda a, changed: asked.append(changed) or True)
    assert asked == [True] and mine in again.project.annotations and again.is_modified()
    with pytest.raises(ProjectConflictError):
        again.save()
    assert 9 in load_project(path).categories  # the other program's work is still there
    again.close()


def test_edits_older_than_a_project_saved_after_the_crash_are_still_offered(qtbot, tmp_path: Path) -> None:
    path = make_project(tmp_path)
    doc = Document.open(path)
    mine = add_box(doc)
    auto = crash(doc)
    other = load_project(path)  # after the crash, another program saves the project
    other.categories[9] = Category(9, "bird")
    save_project(other, path)
    later(path)
    asked: list[bool] = []
    again = Document.open(path, ask_recover=lambda a, changed: asked.append(changed) or True)
    assert asked == [True] and mine in again.project.annotations
    with pytest.raises(ProjectConflictError):
        again.save()
    again.close()
    assert auto.exists()  # kept until the user saves or discards


def test_saving_a_new_project_leaves_another_projects_autosave_alone(qtbot, tmp_path: Path) -> None:
    """A folder opened as a new project points at <folder>/project.json; that file may be a real project
    another window is editing: saving the new one elsewhere must not delete that project's autosave."""
    path = make_project(tmp_path)
    theirs = Document.open(path)
    add_box(theirs)
    assert theirs.autosave()
    project = project_from_folder(tmp_path, path, ["cat"])
    new = Document(project, untitled=True)
    add_box(new)
    new.save(tmp_path / "elsewhere.json")
    assert autosave_path_for(path).exists()
    theirs.close()
    new.close()


def open_new_project(qtbot, win, folder: Path) -> Document:
    assert win.open_path(folder, ["cat"])
    qtbot.waitUntil(lambda: win.document is not None, timeout=20000)
    wait_loaded(qtbot, win)
    return win.document


def test_a_new_project_is_autosaved_and_offered_after_a_crash(qtbot, tmp_path: Path, monkeypatch) -> None:
    make_project(tmp_path / "data")
    folder = tmp_path / "data" / "images"
    win = open_main_window(qtbot)
    doc = open_new_project(qtbot, win, folder)
    assert doc.untitled
    assert doc.autosave() is False  # nothing to keep yet
    box = add_box(doc)
    recovery = doc.autosave_path()
    assert recovery is not None and folder not in recovery.parents
    asked: list[str] = []

    def answer(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return Button.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    assert doc.autosave() and recovery.exists()
    other = open_main_window(qtbot)
    assert other.files.offer_recovery() is False and asked == []  # its app still runs: not offered
    crash_window(win)  # the first app dies

    assert other.files.offer_recovery()
    assert len(asked) == 1 and str(folder) in asked[0]
    got = other.document
    wait_loaded(qtbot, other)  # the images are found where the new project pointed
    assert got.untitled and got.is_modified() and box in got.project.annotations
    assert got.autosave_path() == recovery and recovery.exists()
    target = tmp_path / "data" / "saved.json"
    got.save(target)
    assert not recovery.exists()
    saved = load_project(target)
    assert box in saved.annotations and (target.parent / saved.images[1].file_name).exists()
    got.undo_stack.setClean()
    other.close()


@pytest.mark.parametrize("choice", [Button.Discard, Button.Cancel])
def test_a_crashed_new_project_can_be_discarded_or_kept_for_later(
    qtbot, tmp_path, monkeypatch, choice
) -> None:
    make_project(tmp_path / "data")
    win = open_main_window(qtbot)
    doc = open_new_project(qtbot, win, tmp_path / "data" / "images")
    add_box(doc)
    recovery = crash_window(win)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: choice))
    other = open_main_window(qtbot)
    assert not other.files.offer_recovery() and other.document is None
    assert recovery.exists() == (choice == Button.Cancel)
    other.close()


def test_an_unreadable_recovery_file_is_named_and_nothing_breaks(qtbot, tmp_path, monkeypatch) -> None:
    make_project(tmp_path / "data")
    win = open_main_window(qtbot)
    doc = open_new_project(qtbot, win, tmp_path / "data" / "images")
    add_box(doc)
    recovery = crash_window(win)
    recovery.write_text(recovery.read_text(encoding="utf-8")[:200], encoding="utf-8")  # cut short
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: Button.Yes))
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: errors.append(text))
    other = open_main_window(qtbot)
    assert not other.files.offer_recovery() and other.document is None
    assert len(errors) == 1 and str(recovery) in errors[0]
    other.close()


def test_an_autosave_identical_to_the_saved_file_is_removed_not_offered(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    """Killed between a save and the removal of its autosave, the app left edits that are all in the file:
    asking 'file changed since' about them alarmed for nothing."""
    from pixelproof.ui import dialogs

    path = make_project(tmp_path)
    doc = Document.open(path)
    add_box(doc)
    left = crash(doc).read_bytes()  # autosaved, then saved: the autosave would have gone next
    again = Document.open(path)
    add_box(again)
    again.save()
    again.close()
    auto = autosave_path_for(path)
    auto.write_bytes(left)
    later(auto)
    asked: list[bool] = []
    monkeypatch.setattr(
        dialogs, "ask_recover", lambda parent, name, changed: asked.append(changed) or False
    )  # had it asked
    win = open_main_window(qtbot)

    assert win.open_path(path)
    wait_loaded(qtbot, win)

    assert asked == [] and not auto.exists()
    assert len(win.document.project.annotations) == 1 and not win.document.is_modified()
    assert "an autosave identical to the saved file was removed" in win.statusBar().currentMessage()
    win.close()


def test_an_autosave_one_object_apart_from_the_saved_file_is_offered(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    from pixelproof.ui import dialogs

    path = make_project(tmp_path)
    doc = Document.open(path)
    add_box(doc)
    doc.save()
    add_box(doc)  # one more after the save, autosaved, then the app was killed
    auto = crash(doc)
    later(auto)
    asked: list[bool] = []
    monkeypatch.setattr(dialogs, "ask_recover", lambda parent, name, changed: asked.append(changed) or True)
    win = open_main_window(qtbot)

    assert win.open_path(path)
    wait_loaded(qtbot, win)

    assert asked == [False] and len(win.document.project.annotations) == 2 and win.document.is_modified()
    win.document.undo_stack.setClean()  # (closing asks about unsaved changes otherwise)
    win.close()
