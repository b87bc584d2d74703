"""What an empty window says: with no project open (first start, after Close Project) and in a project
without images the canvas tells how to go on, with the keys the user has now; nothing of a closed project
stays on screen."""

from __future__ import annotations

import contextlib
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import open_main_window


def hint_of(win):  # type: ignore[no-untyped-def]
    return win.image_list.empty_hint.label


def test_no_project_says_how_to_open_one_and_closing_clears_the_toolbar(qtbot, window) -> None:
    label = hint_of(window)
    assert not label.isVisible()  # a project with images: nothing over the picture
    assert window.categories.combo.count() == 2
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # File > Close Project
    assert window.document is None
    assert label.isVisible()
    text = label.text()
    assert "Open Project" in text and REGISTRY.text("file.open") in text
    assert "New Project from Folder" in text and REGISTRY.text("file.open_folder") in text
    view = window.canvas.viewport().rect()
    assert view.contains(label.geometry()), (label.geometry(), view)
    assert abs(label.geometry().center().x() - view.center().x()) <= 2
    # the closed project's categories must not stay in the toolbar (it read "cat (1)")
    assert window.categories.combo.count() == 0 and not window.categories.combo.isEnabled()
    assert window.readout.zoom_label.text() == ""  # nor its zoom in the status bar


def test_a_project_without_images_says_how_to_add_some(qtbot, tmp_path: Path, no_prompts) -> None:
    path = tmp_path / "empty.json"
    save_project(new_project(["cat"]), path)
    win = open_main_window(qtbot)
    label = hint_of(win)
    assert label.isVisible() and "Open Project" in label.text()  # first start
    assert win.open_path(path)
    qtbot.waitUntil(lambda: "Add Images" in label.text(), timeout=10000)
    assert label.isVisible() and REGISTRY.text("file.add_images") in label.text()
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((20, 30, 3), np.uint8))
    assert win.image_list.add_images([tmp_path / "a.png"])
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=10000)
    win.document.undo_stack.setClean()
    win.close()


def test_closing_the_project_leaves_no_image_status_shown(qtbot, window, project_file: Path) -> None:
    """After Close Project the Images panel's Status box still read the closed project's last status
    ("Done", greyed), as if some image were shown; it is empty until an image is shown again."""
    from tests.ui.conftest import wait_loaded

    wait_loaded(qtbot, window)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # Mark as Done
    status = window.panels["imagesDock"].status
    assert status.currentText() == "Done"
    window.document.undo_stack.setClean()
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.document is None
    assert not status.isEnabled() and status.currentText() == ""
    assert window.open_path(project_file)
    wait_loaded(qtbot, window)
    assert status.isEnabled() and status.currentText() == "To do"  # the change was not saved


def test_the_hint_is_hidden_while_a_dialog_is_up(qtbot, window, tmp_path: Path) -> None:
    """'Label a folder of images: ...' showed behind the categories dialog of the new project being made
    from a folder (and behind any other dialog): hidden while a modal dialog is up, back if cancelled."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from pytestqt.exceptions import TimeoutError

    label = hint_of(window)
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # File > Close Project
    assert window.document is None and label.isVisible()
    folder = tmp_path / "pictures"  # not tmp_path: the project saved there would be offered first
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.zeros((20, 30, 3), np.uint8))
    seen: dict[str, object] = {}

    def while_asked() -> None:
        dialog = QApplication.activeModalWidget()
        seen["dialog"] = type(dialog).__name__
        with contextlib.suppress(TimeoutError):  # said below
            qtbot.waitUntil(lambda: not label.isVisible(), timeout=10000)
        seen["hint shown"] = label.isVisible()
        QTest.keyClick(dialog, Qt.Key.Key_Escape)  # cancel: no project made

    QTimer.singleShot(0, while_asked)
    assert not window.files.open_folder(folder)  # asks the categories first
    assert seen == {"dialog": "CategoriesDialog", "hint shown": False}
    qtbot.waitUntil(label.isVisible, timeout=10000)  # still no project: the hint is back


def test_the_hint_says_the_folder_is_being_read_until_the_new_project_is_up(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    """Once the categories dialog of a new project from a folder was accepted, the hint said 'No project
    open / Label a folder of images...' again while the folder was read in the background - the very thing
    the user had just done. It says the folder is being read now, until the project is up (then nothing)."""
    import threading

    from PySide6.QtWidgets import QApplication, QLineEdit

    from pixelproof.ui import project_files
    from tests.ui.conftest import wait_loaded
    from tests.ui.test_new_project_flow import when_modal

    folder = tmp_path / "shots"
    folder.mkdir()
    for k in range(3):
        cv2.imwrite(str(folder / f"im{k}.png"), np.full((20, 30, 3), 40 * k, np.uint8))
    gate = threading.Event()  # the read waits here, so the hint can be seen while it goes
    real = project_files.project_with_segmentations

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        gate.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(project_files, "project_with_segmentations", held)
    label = hint_of(window)
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # File > Close Project
    assert window.document is None and "No project open" in label.text()

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        names = dialog.findChild(QLineEdit, "categoryNames")
        names.selectAll()
        QTest.keyClicks(names, "cat, dog")
        QTest.keyClick(names, Qt.Key.Key_Return)

    when_modal(answer)
    try:
        assert window.files.open_folder(folder)
        assert QApplication.activeModalWidget() is None and window.document is None
        for _ in range(3):  # the updates after the dialog's focus change
            QApplication.processEvents()
        assert label.isVisible(), "nothing says what is going on"
        assert "No project open" not in label.text(), label.text()
        assert "Reading" in label.text() and str(folder) in label.text(), label.text()
    finally:
        gate.set()
    wait_loaded(qtbot, window)
    assert len(window.document.project.images) == 3
    assert not label.isVisible()
    with qtbot.waitActive(window):  # offscreen Qt does not give the activation back after a dialog
        window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # closed: no read going on
    assert window.document is None and label.isVisible() and "No project open" in label.text()


def test_a_first_start_shows_the_panels_as_close_project_leaves_them(qtbot, no_prompts) -> None:
    """At a first start (no project ever open) the panels showed their widgets as built: Properties read
    CVAT, QuPath, Box, Area... with an Occluded and a Locked box and nothing selected, the Images panel's
    Status box offered "To do" and Guidelines' Edit… was clickable, none with a project to act on; they
    are the empty, disabled panels Close Project leaves."""
    from PySide6.QtWidgets import QApplication

    win = open_main_window(qtbot)
    try:
        assert win.document is None
        props = win.panels["propertiesDock"]
        assert props.hint.isVisible()  # "Select an object to see and edit its properties."
        for field in (props.fields, props.cvat.occluded, props.locked):
            assert not field.isVisible()
        status = win.panels["imagesDock"].status
        assert not status.isEnabled() and status.currentText() == ""
        QTest.mouseClick(status, Qt.MouseButton.LeftButton)  # a newcomer tries it: no list of states opens
        assert QApplication.activePopupWidget() is None
        assert not win.panels["guidelinesDock"].edit_button.isEnabled()
    finally:
        win.close()


def test_at_1366_each_line_of_the_no_project_hint_keeps_its_key_on_it(qtbot, window) -> None:
    """At 1366x768 the hint broke '(Ctrl+Shift+O)' onto a line of its own under 'Label a folder of images:
    File > New Project from Folder…': each of its lines fits the label's width unbroken now."""
    import re

    from PySide6.QtGui import QFontMetrics

    window.resize(1366, 768)
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # File > Close Project
    label = hint_of(window)
    assert label.isVisible()
    label.ensurePolished()
    metrics = QFontMetrics(label.font())
    lines = [
        re.sub(r"<[^>]+>", "", line).replace("&gt;", ">") for line in re.split(r"<br>|</p>", label.text())
    ]
    widest = max(metrics.horizontalAdvance(line.strip()) for line in lines if line.strip())
    assert widest <= label.width() - 2 * label.margin(), (widest, label.width(), lines)


def test_a_project_without_categories_says_how_it_gets_one_until_a_box_adds_it(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """Guidelines in a project started with no categories said "Choose a category", with none to choose;
    it says how the first comes, and once a box drawn with B adds it (“object”), shows that one."""
    from PySide6.QtCore import QPointF

    from tests.ui.conftest import make_project, wait_loaded

    path = make_project(tmp_path)
    project = new_project([])
    for record in load_project(path).images.values():
        project.add_image(record)
    save_project(project, path)
    win = open_main_window(qtbot, path)
    wait_loaded(qtbot, win)
    panel = win.panels["guidelinesDock"]
    assert panel.empty.isVisible() and panel.empty.text().startswith("No categories yet")
    QTest.keyClick(win, Qt.Key.Key_B)
    vp = win.canvas.viewport()
    start, end = win.canvas.mapFromScene(QPointF(20, 20)), win.canvas.mapFromScene(QPointF(120, 90))
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + (end - start) * (i / 4))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.waitUntil(lambda: "object" in panel.heading.text(), timeout=10000)
    assert not panel.empty.text().startswith("No categories yet")
    win.document.undo_stack.setClean()
    win.close()
