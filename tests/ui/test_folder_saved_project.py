"""A folder opened as a new project and saved there (``FOLDER/project.json``) is opened again as that
project: ``pixelproof FOLDER`` the next day shows yesterday's objects instead of asking for categories and
starting an empty project whose save would replace them. File > New Project from Folder over such a folder
asks first (open it, or a new one saved as ``project_2.json`` beside it); a ``project.json`` that does not
load is said and left as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from pixelproof.ui import project_files
from tests.ui.conftest import wait_loaded
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_labelme_folder_open import answer_categories, click_in_next_message_box
from tests.ui.test_labelme_folder_open import labelme_folder as labelme_folder  # the fixture
from tests.ui.test_new_project_flow import image_folder
from tests.ui.test_workbench import draw_box, key, set_zoom

CTRL = Qt.KeyboardModifier.ControlModifier


class ModalWatch:
    """Records and closes every modal dialog shown while it runs: a question the flow must not ask fails
    the test instead of blocking it."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            self.seen.append(f"{type(dialog).__name__}: {dialog.windowTitle()}")
            dialog.reject()

    def stop(self) -> list[str]:
        self.timer.stop()
        return self.seen


@pytest.fixture
def save_where_suggested(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Save dialog accepts the file name it suggests (recorded): a new project's first Ctrl+S."""
    suggested: list[str] = []

    def save_dialog(_parent, _caption, start, *_a, **_k):  # type: ignore[no-untyped-def]
        suggested.append(start)
        return start, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    return suggested


def click_in_turn(qtbot, labels: list[str], seen: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Click ``labels[0]`` in the next question, then ``labels[1]`` in the one after it (another, once the
    first has closed), and so on; a dialog that is no question is recorded and closed."""
    done: list[object] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog in done:
            QTimer.singleShot(10, poll)
            return
        done.append(dialog)
        if not isinstance(dialog, QMessageBox):
            seen.append(f"no question: {type(dialog).__name__}")
            dialog.reject()
            return
        seen.append(dialog.text())
        label = labels[len(done) - 1]
        if len(done) < len(labels):
            QTimer.singleShot(10, poll)
        button = next(b for b in dialog.findChildren(QPushButton) if b.text() == label)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, poll)


def labelled_folder(qtbot, win, folder: Path, suggested: list[str]) -> int:  # type: ignore[no-untyped-def]
    """Yesterday: a new project over ``folder`` (cat, dog), one box drawn, saved with Ctrl+S where it
    suggests (``folder/project.json``), closed. The box's id."""
    assert win.open_path(folder, ["cat", "dog"])
    wait_loaded(qtbot, win)
    with qtbot.waitActive(win):
        win.activateWindow()
    win.canvas.setFocus()
    set_zoom(win, 1.0)
    box = draw_box(win, 10, 10, 60, 50)
    key(win, Qt.Key.Key_S, CTRL)
    assert suggested == [str(folder.resolve() / "project.json")]
    assert not win.document.is_modified() and (folder / "project.json").is_file()
    assert win.files.close_project() and win.document is None
    return box


def test_opening_the_folder_again_opens_its_saved_project(
    qtbot, tmp_path: Path, no_prompts, save_where_suggested
) -> None:
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    box = labelled_folder(qtbot, win, folder, save_where_suggested)
    saved = (folder / "project.json").read_bytes()
    watch = ModalWatch()
    try:
        opened = win.open_path(folder)  # what `pixelproof FOLDER` calls
    finally:
        seen = watch.stop()
    assert opened and seen == []  # no categories question, no LabelMe question
    wait_loaded(qtbot, win)
    doc = win.document
    assert not doc.untitled and doc.path == folder.resolve() / "project.json"
    assert box in doc.project.annotations and doc.project.annotations[box].kind == "box"
    assert [c.name for c in doc.project.categories.values()] == ["cat", "dog"]
    message = win.statusBar().currentMessage()
    assert "project.json, the project saved in this folder" in message
    assert "New Project from Folder" in message
    assert (folder / "project.json").read_bytes() == saved


def test_categories_on_the_command_line_do_not_replace_the_saved_project(
    qtbot, tmp_path: Path, no_prompts, save_where_suggested
) -> None:
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    box = labelled_folder(qtbot, win, folder, save_where_suggested)
    assert win.open_path(folder, ["bird"])  # `pixelproof FOLDER --categories bird`
    wait_loaded(qtbot, win)
    project = win.document.project
    assert box in project.annotations and [c.name for c in project.categories.values()] == ["cat", "dog"]
    assert "--categories not used" in win.statusBar().currentMessage()
    said = [m for m in win.shell.messages.messages if "--categories not used" in m.text]
    assert [m.kind for m in said] == ["warning"]


@pytest.fixture
def menu_on(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """File > New Project from Folder…'s folder dialog answers ``folder``."""

    def choose(folder: Path) -> None:
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))

    return choose


def test_new_project_from_folder_asks_and_open_it_opens_it(
    qtbot, tmp_path: Path, no_prompts, save_where_suggested, menu_on, monkeypatch
) -> None:
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    box = labelled_folder(qtbot, win, folder, save_where_suggested)
    menu_on(folder)
    loads = count_loads(monkeypatch)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Open It", seen)
    win.files.act_open_folder.trigger()  # File > New Project from Folder…
    assert seen and "already has a project (project.json, 2 images, saved " in seen[0]
    wait_loaded(qtbot, win)
    doc = win.document
    assert (
        not doc.untitled and doc.path == folder.resolve() / "project.json" and box in doc.project.annotations
    )
    assert loads == [folder.resolve() / "project.json"]  # loaded to ask, then shown: not read twice


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every project file ``load_project`` loads from now on, where the folder question and the document
    call it."""
    from pixelproof.core import coco, folder_project
    from pixelproof.ui import document

    loads: list[Path] = []

    def counted(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        loads.append(Path(path))
        return coco.load_project(path, *args, **kwargs)

    for module in (folder_project, document):
        monkeypatch.setattr(module, "load_project", counted)
    return loads


def test_open_it_loads_the_file_again_when_it_changed_after_the_question(
    qtbot, tmp_path: Path, no_prompts, save_where_suggested, menu_on, monkeypatch
) -> None:
    """The project loaded to ask is shown only while the file is as it was: one saved meanwhile (by the
    app in another window, a sync tool) is loaded as it is now."""
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    box = labelled_folder(qtbot, win, folder, save_where_suggested)
    menu_on(folder)
    project_file = folder / "project.json"
    asked = project_files.ask_folder_has_project

    def ask_then_changed(*args):  # type: ignore[no-untyped-def]
        choice = asked(*args)
        data = json.loads(project_file.read_text(encoding="utf-8"))
        data["annotations"] = []
        project_file.write_text(json.dumps(data), encoding="utf-8")
        return choice

    monkeypatch.setattr(project_files, "ask_folder_has_project", ask_then_changed)
    loads = count_loads(monkeypatch)
    click_in_next_message_box(qtbot, "Open It", [])
    win.files.act_open_folder.trigger()
    wait_loaded(qtbot, win)
    assert box not in win.document.project.annotations and len(loads) == 2


def test_start_a_new_one_is_saved_beside_it(
    qtbot, tmp_path: Path, no_prompts, save_where_suggested, menu_on
) -> None:
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    labelled_folder(qtbot, win, folder, save_where_suggested)
    saved = (folder / "project.json").read_bytes()
    menu_on(folder)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Start a New One", seen)
    answer_categories("bird")
    win.files.act_open_folder.trigger()
    assert seen and "already has a project (project.json, 2 images" in seen[0]
    wait_loaded(qtbot, win)
    doc = win.document
    assert doc.untitled and doc.project.annotations == {}
    assert [c.name for c in doc.project.categories.values()] == ["bird"]
    assert "saved as project_2.json, beside project.json" in win.statusBar().currentMessage()
    assert len(doc.project.images) == 2  # project.json and its backup are not taken for pictures
    with qtbot.waitActive(win):
        win.activateWindow()
    win.canvas.setFocus()
    key(win, Qt.Key.Key_S, CTRL)
    assert save_where_suggested[-1] == str(folder.resolve() / "project_2.json")
    assert (folder / "project_2.json").is_file() and (folder / "project.json").read_bytes() == saved


def test_cancel_opens_nothing_and_asks_nothing_more(
    qtbot, tmp_path: Path, no_prompts, save_where_suggested, menu_on
) -> None:
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    labelled_folder(qtbot, win, folder, save_where_suggested)
    menu_on(folder)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Cancel", seen)
    win.files.act_open_folder.trigger()
    assert seen and "already has a project" in seen[0]
    assert win.document is None and QApplication.activeModalWidget() is None
    assert not (folder / "project_2.json").exists()


@pytest.mark.parametrize("how", ["open_path", "menu"])
def test_a_broken_project_file_is_said_and_never_replaced(
    qtbot, tmp_path: Path, no_prompts, save_where_suggested, menu_on, how: str
) -> None:
    folder = image_folder(tmp_path)
    broken = b'{"images": [{"id": 1, "file_name": "img0.png", "width": 320'  # cut off mid-write
    (folder / "project.json").write_bytes(broken)
    win = new_window(qtbot)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "New Project as project_2.json", seen)
    answer_categories("cat")
    if how == "menu":
        menu_on(folder)
        win.files.act_open_folder.trigger()
    else:
        assert win.open_path(folder)
    assert seen and "cannot be opened as a project" in seen[0] and "project.json" in seen[0]
    wait_loaded(qtbot, win)
    doc = win.document
    assert doc.untitled and doc.project.path == folder.resolve() / "project_2.json"
    with qtbot.waitActive(win):
        win.activateWindow()
    win.canvas.setFocus()
    key(win, Qt.Key.Key_S, CTRL)
    assert (folder / "project_2.json").is_file() and (folder / "project.json").read_bytes() == broken


def test_a_broken_project_file_cancel_leaves_it(qtbot, tmp_path: Path, no_prompts) -> None:
    folder = image_folder(tmp_path)
    (folder / "project.json").write_text("not json", encoding="utf-8")
    win = new_window(qtbot)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Cancel", seen)
    assert not win.open_path(folder)
    assert seen and "cannot be opened as a project" in seen[0]
    assert win.document is None and QApplication.activeModalWidget() is None
    assert (folder / "project.json").read_text(encoding="utf-8") == "not json"


def test_a_labelme_folder_saved_after_its_import_opens_as_the_project(
    qtbot, labelme_folder: Path, no_prompts, save_where_suggested, menu_on
) -> None:
    win = new_window(qtbot)
    click_in_next_message_box(qtbot, "Import", [])
    assert win.open_path(labelme_folder)
    wait_loaded(qtbot, win)
    objects = len(win.document.project.annotations)
    assert win.files.save() and (labelme_folder / "project.json").is_file()
    assert win.files.close_project()
    watch = ModalWatch()
    try:
        assert win.open_path(labelme_folder)  # no "Import them?" again
    finally:
        assert watch.stop() == []
    wait_loaded(qtbot, win)
    assert not win.document.untitled and len(win.document.project.annotations) == objects
    # a new one over it: the LabelMe question counts the LabelMe files, not the project saved among them
    assert win.files.close_project()
    menu_on(labelme_folder)
    seen: list[str] = []
    click_in_turn(qtbot, ["Start a New One", "Cancel"], seen)
    win.files.act_open_folder.trigger()
    assert len(seen) == 2 and "LabelMe annotations for 3 images" in seen[1]
    assert win.document is None
