"""A LabelMe user opens a folder of pictures with LabelMe JSON files beside them (``pixelproof FOLDER``,
File > New Project from Folder): the app asks whether to import the labels rather than asking for
categories and skipping the JSON files as "not an image"; LabelMe's Ctrl+N / Ctrl+R / Ctrl+J pick the
polygon, box and select tools. On LabelMe's own example (../shared/fixtures/labelme)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton

from tests.ui.conftest import wait_loaded
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_new_project_flow import when_modal
from tests.ui.test_workbench import drag, key, set_zoom, view_point

CTRL = Qt.KeyboardModifier.ControlModifier
RESERVED = ("__ignore__", "_background_")


@pytest.fixture
def labelme_folder(shared_fixtures: Path, tmp_path: Path) -> Path:
    """LabelMe's instance segmentation example as its repository keeps it: ``data_annotated/`` (pictures
    and JSON files) with ``labels.txt`` one level up. A copy: a save must not write into the shared data."""
    src = shared_fixtures / "labelme" / "instance_segmentation"
    if not (src / "data_annotated").is_dir():
        pytest.skip(f"LabelMe fixtures not found at {src}")
    shutil.copytree(src / "data_annotated", tmp_path / "data_annotated")
    shutil.copy(src / "labels.txt", tmp_path / "labels.txt")
    return tmp_path / "data_annotated"


def json_bytes(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.glob("*.json"))}


def expected_objects(folder: Path) -> dict[str, Counter]:
    """Image file -> class -> objects, from the JSON files themselves: shapes of one label and group_id
    are one object (LabelMe's instance; ``__ignore__`` ones are void regions)."""
    out = {}
    for f in sorted(folder.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        instances = set()
        for i, s in enumerate(data["shapes"]):
            instances.add((s["label"], s["group_id"] if s["group_id"] is not None else f"#{i}"))
        out[data["imagePath"]] = Counter(label for label, _ in instances)
    return out


def click_in_next_message_box(qtbot, label: str, seen: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Click the question's button ``label`` with the mouse; another dialog in its place (the categories
    question of a plain folder) is closed and recorded, so a missing question fails rather than hangs."""

    def click(dialog) -> None:  # type: ignore[no-untyped-def]
        if not isinstance(dialog, QMessageBox):
            seen.append(f"no question: {type(dialog).__name__}")
            dialog.reject()
            return
        seen.append(dialog.text())
        button = next(b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "") == label)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    when_modal(click)


def answer_categories(names: str) -> None:
    """Type ``names`` into the categories dialog once it is up (after the LabelMe question closes)."""

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        if isinstance(dialog, QMessageBox):  # the question still closing: look again
            QTimer.singleShot(10, lambda: when_modal(answer))
            return
        field = dialog.findChild(QLineEdit, "categoryNames")
        field.selectAll()
        from PySide6.QtTest import QTest

        QTest.keyClicks(field, names)
        QTest.keyClick(field, Qt.Key.Key_Return)

    when_modal(answer)


def test_opening_a_labelme_folder_imports_its_labels(qtbot, labelme_folder: Path, no_prompts) -> None:
    before = json_bytes(labelme_folder)
    win = new_window(qtbot)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Import", seen)
    assert win.open_path(labelme_folder)  # what `pixelproof FOLDER` calls
    assert "LabelMe annotations for 3 images" in seen[0]
    wait_loaded(qtbot, win)
    doc = win.document
    project = doc.project
    # the classes and their order are labels.txt's (one level up), as labelme2coco numbers them
    lines = (labelme_folder.parent / "labels.txt").read_text(encoding="utf-8").splitlines()
    names = [ln for ln in lines if ln not in RESERVED]
    assert [c.name for c in project.categories.values()] == [*names, "__ignore__"]
    assert project.category_by_name("__ignore__").void  # LabelMe's ignore regions, not a class
    assert project.category_by_name("person").id == names.index("person") + 1
    got = {
        img.file_name: Counter(
            project.categories[a.category_id].name
            for a in project.annotations.values()
            if a.image_id == img.id
        )
        for img in project.images.values()
    }
    assert got == expected_objects(labelme_folder)
    shown = [a.id for a in project.annotations.values() if a.image_id == doc.current_image_id]
    assert shown and all(a in win.canvas.items_by_id for a in shown)  # the image's objects are drawn
    # saved where New Project from Folder saves; unsaved until then, the JSON files untouched
    assert doc.untitled and doc.project.path == labelme_folder.resolve() / "project.json"
    assert "Imported 3 images" in win.statusBar().currentMessage()
    assert json_bytes(labelme_folder) == before
    doc.undo_stack.setClean()


def test_images_only_is_a_plain_image_folder_as_before(
    qtbot, labelme_folder: Path, no_prompts, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    win = new_window(qtbot)
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(labelme_folder))
    )
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Images Only", seen)
    answer_categories("cat, dog")
    win.act_open_folder.trigger()  # File > New Project from Folder…
    assert seen and "LabelMe" in seen[0]
    wait_loaded(qtbot, win)
    project = win.document.project
    assert len(project.images) == 3 and project.annotations == {}
    assert [c.name for c in project.categories.values()] == ["cat", "dog"]
    assert "3 files skipped" in win.statusBar().currentMessage()  # the JSON files, as before


def test_cancel_opens_nothing(qtbot, labelme_folder: Path, no_prompts) -> None:
    win = new_window(qtbot)
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Cancel", seen)
    assert not win.open_path(labelme_folder)
    assert "LabelMe" in seen[0] and win.document is None
    assert QApplication.activeModalWidget() is None  # no categories question after it


def test_labelme_keys_pick_the_tools_and_ctrl_r_draws_a_box(qtbot, labelme_folder: Path, no_prompts) -> None:
    win = new_window(qtbot)
    click_in_next_message_box(qtbot, "Import", [])
    assert win.open_path(labelme_folder)
    wait_loaded(qtbot, win)
    with qtbot.waitActive(win):  # offscreen Qt does not give the activation back after a dialog
        win.activateWindow()
    win.canvas.setFocus()
    set_zoom(win, 1.0)
    key(win, Qt.Key.Key_N, CTRL)
    assert win.canvas.tool.name == "polygon"
    key(win, Qt.Key.Key_J, CTRL)
    assert win.canvas.tool.name == "select"
    key(win, Qt.Key.Key_R, CTRL)
    assert win.canvas.tool.name == "box"
    project = win.document.project
    before = set(project.annotations)
    drag(win, view_point(win, 20, 20), view_point(win, 90, 70))
    new = set(project.annotations) - before
    assert len(new) == 1
    box = project.annotations[new.pop()]
    assert box.kind == "box" and all(abs(g - w) <= 1 for g, w in zip(box.bbox, [20, 20, 70, 50], strict=True))
    win.document.undo_stack.setClean()
