"""Gaps a new labeler meets, each checked with real events on the real widgets: an export made with the
suggested folder must not come back as images when the images' folder is added again, a New Project
button on the toolbar, and boxes filled lighter than masks so the object under a box stays visible."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from tests.ui.conftest import wait_loaded
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_new_project_flow import when_modal
from tests.ui.test_workbench import draw_box

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier


def image_folder(root: Path, n: int = 3) -> Path:
    folder = root / "photos"
    folder.mkdir()
    for i in range(n):
        cv2.imwrite(str(folder / f"p{i}.png"), np.full((240, 320, 3), 40 * (i + 1), np.uint8))
    return folder


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


# -- 1. an export with the suggested folder stays out of the images' folder ----------------------------


def test_an_export_to_the_suggested_folder_is_not_added_back_with_the_images_folder(
    qtbot, tmp_path: Path, monkeypatch, no_prompts, errors
) -> None:
    """New project from photos/, saved as photos/project.json (the default), exported as masks (PNGs)
    with the suggested output, then File > Add Image Folder… photos/ again: nothing is added."""
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    assert win.files.open_folder(folder, ["cat"])
    wait_loaded(qtbot, win)
    draw_box(win, 40, 40, 160, 120)
    saved = folder / "project.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(saved), "")))
    QTest.keyClick(win, Qt.Key.Key_S, CTRL)
    assert saved.is_file()
    inside = files_under(folder)

    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    for fmt in ("masks", "yolo"):  # a mask PNG per image; YOLO's images/ (copies where links fail)
        dlg = win.interop.dialog if fmt == "masks" else _reopen(win)
        dlg.set_format(fmt)
        out = Path(dlg.path_edit.text())
        assert out.name and folder.resolve() not in out.resolve().parents, out
        qtbot.mouseClick(dlg.ok_button, LEFT)
        assert errors == []
        assert any(p.suffix == ".png" for p in files_under(out))  # the export was written
    assert files_under(folder) == inside  # nothing written into the images' folder
    dlg = _reopen(win)  # an output typed into the images' folder: the dialog says what that does
    dlg.set_format("masks")
    dlg.path_edit.clear()
    QTest.keyClicks(dlg.path_edit, str(folder / "masks"))
    assert "inside the images' folder photos" in dlg.note.text()
    dlg.reject()

    doc = win.document
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    win.image_list.act_add_folder.trigger()
    qtbot.waitUntil(
        lambda: win.image_list.message is not None and win.image_list.message.isVisible(), timeout=10000
    )
    assert len(doc.project.images) == 3
    QTest.mouseClick(win.image_list.message.button(QMessageBox.StandardButton.Ok), LEFT)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=10000)
    win.close()


def _reopen(win):  # type: ignore[no-untyped-def]
    win.interop.act_export.trigger()
    return win.interop.dialog


# -- 2. New Project on the toolbar ----------------------------------------------------------------------


def test_the_toolbar_new_project_button_starts_a_project_from_a_folder_at_1366x768(
    qtbot, tmp_path: Path, monkeypatch, no_prompts
) -> None:
    """The toolbar's first button, visible (not in the overflow menu) on a 1366x768 screen, asks for a
    folder then the categories, and shows the folder's images as a new project."""
    folder = image_folder(tmp_path)
    win = new_window(qtbot)
    win.resize(1366, 768)
    qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
    every = [a for a in win.toolbar.actions() if not a.isSeparator() and a.isVisible()]
    for act in every:  # all of the toolbar fits: none is pushed into the extension (») menu
        button = win.toolbar.widgetForAction(act)
        assert button is not None and button.isVisible(), act.text()
    act = win.files.act_open_folder
    assert every[0] is act
    button = win.toolbar.widgetForAction(act)
    assert "New Project" in button.toolTip()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        names = dialog.findChild(QLineEdit, "categoryNames")
        QTest.keyClicks(names, "cat, dog")
        QTest.keyClick(names, Qt.Key.Key_Return)

    when_modal(answer)
    qtbot.mouseClick(button, LEFT)
    wait_loaded(qtbot, win)
    doc = win.document
    assert doc.path is None and len(doc.project.images) == 3
    assert [c.name for c in doc.project.categories.values()] == ["cat", "dog"]
    doc.undo_stack.setClean()
    win.close()


# -- 3. boxes are filled lighter than masks -----------------------------------------------------------


def gray_project_with_a_box_and_a_mask(root: Path) -> Path:
    """One flat gray picture (320x240), a red "cat" box on its left and a red "cat" mask on its right."""
    from pixelproof.core import masks
    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import Annotation, ImageRecord

    (root / "images").mkdir(parents=True)
    cv2.imwrite(str(root / "images" / "gray.png"), np.full((240, 320, 3), 128, np.uint8))
    project = new_project(["cat"])
    project.categories[1].color = "#ff0000"
    project.add_image(ImageRecord(1, "images/gray.png", 320, 240))
    project.add_annotation(Annotation(1, 1, 1, [20.0, 40.0, 100.0, 100.0], area=10000.0))
    mask = np.zeros((240, 320), np.uint8)
    mask[40:140, 180:280] = 1
    project.add_annotation(Annotation(2, 1, 1, masks.bbox(mask), masks.encode(mask), area=float(mask.sum())))
    path = root / "project.json"
    save_project(project, path)
    return path


def tint(win, x: float, y: float) -> int:
    """How far the rendered canvas at image point (x, y) is from the gray picture (0 = not tinted)."""
    from PySide6.QtGui import QColor

    from tests.ui.conftest import render_at
    from tests.ui.test_workbench import view_point

    img = render_at(win, 1.0)
    c = QColor(img.pixel(view_point(win, x, y)))
    return abs(c.red() - 128) + abs(c.green() - 128) + abs(c.blue() - 128)


def test_a_box_is_filled_lighter_than_a_mask_and_both_follow_the_opacity_slider(
    qtbot, tmp_path: Path
) -> None:
    from tests.ui.conftest import open_main_window

    win = open_main_window(qtbot, gray_project_with_a_box_and_a_mask(tmp_path))
    box, mask = tint(win, 70, 90), tint(win, 230, 90)
    assert 0 < box <= mask / 2, (box, mask)  # the object under a box stays visible
    slider = win.masks_menu.opacity_slider
    slider.setFocus()
    for _ in range(5):  # 100 % -> 50 % with the keyboard, as a user does
        QTest.keyClick(slider, Qt.Key.Key_PageDown)
    assert slider.value() == 50
    box_half, mask_half = tint(win, 70, 90), tint(win, 230, 90)
    assert abs(box_half - box / 2) <= 3 and abs(mask_half - mask / 2) <= 3, (box_half, mask_half)
    win.close()
