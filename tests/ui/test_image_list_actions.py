"""File > Add Images… / Add Image Folder… / Locate Missing Images…: one undo step each, the Images panel and
the canvas follow (a found image is shown), the result said in a message."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from pixelproof.core.coco import dumps_project
from tests.ui.conftest import make_project, open_main_window

CTRL = Qt.KeyboardModifier.ControlModifier


def dismiss(win, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Click OK on the result message (window-modal: the window takes keys again after it; offscreen
    Qt does not give the activation back by itself)."""
    box = win.image_list.message
    QTest.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not box.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=10000)
    with qtbot.waitActive(win):
        win.activateWindow()
    assert QApplication.activeWindow() is win


def undo(win, qtbot) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)


def redo(win, qtbot) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)


def picture(path: Path, w: int = 320, h: int = 240) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((h, w, 3), 90, np.uint8))
    return path


def test_add_images_and_a_folder_each_one_undo_step(qtbot, tmp_path, monkeypatch, no_prompts) -> None:
    win = open_main_window(qtbot, make_project(tmp_path))
    doc, panel = win.document, win.panels["imagesDock"]
    before = dumps_project(doc.project)
    new = picture(tmp_path / "week2" / "new.png", 64, 48)
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        staticmethod(lambda *a, **k: ([str(new), str(tmp_path / "images" / "img0.png")], "")),
    )
    win.image_list.act_add.trigger()
    qtbot.waitUntil(lambda: len(doc.project.images) == 4, timeout=10000)
    assert doc.project.images[4].file_name == "week2/new.png"
    assert (doc.project.images[4].width, doc.project.images[4].height) == (64, 48)
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 4, timeout=10000)
    text = win.image_list.message.text()
    assert "Added 1 image" in text and "1 already in the project" in text
    dismiss(win, qtbot)
    undo(win, qtbot)
    assert dumps_project(doc.project) == before
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 3, timeout=10000)
    redo(win, qtbot)
    assert len(doc.project.images) == 4
    picture(tmp_path / "week3" / "a.png")
    picture(tmp_path / "week3" / "sub" / "b.png")
    (tmp_path / "week3" / ".thumbs").mkdir()
    picture(tmp_path / "week3" / ".thumbs" / "a.png")
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(tmp_path / "week3"))
    )
    win.image_list.act_add_folder.trigger()
    qtbot.waitUntil(lambda: len(doc.project.images) == 6, timeout=10000)
    assert [doc.project.images[i].file_name for i in (5, 6)] == ["week3/a.png", "week3/sub/b.png"]
    assert "1 file skipped" in win.image_list.message.text()
    dismiss(win, qtbot)
    undo(win, qtbot)
    assert sorted(doc.project.images) == [1, 2, 3, 4]


def test_locate_missing_images_shows_the_found_one_and_undoes(
    qtbot, tmp_path, monkeypatch, no_prompts
) -> None:
    path = make_project(tmp_path)
    moved = tmp_path / "moved"
    (moved / "x" / "images").mkdir(parents=True)
    shutil.move(tmp_path / "images" / "img0.png", moved / "x" / "images" / "img0.png")  # the first image
    shutil.copy(tmp_path / "images" / "img2.png", moved / "img1.png")  # img1 is still there: untouched
    for twin in ("p", "q"):  # img2 moved, and copied twice: ambiguous
        (moved / twin).mkdir()
        shutil.copy(tmp_path / "images" / "img2.png", moved / twin / "img2.png")
    (tmp_path / "images" / "img2.png").unlink()
    win = open_main_window(qtbot)
    assert win.open_path(path)
    canvas, doc = win.canvas, win.document
    qtbot.waitUntil(lambda: canvas.placeholder is not None and canvas.placeholder.error, timeout=10000)
    assert canvas.image_item is None and doc.current_image_id == 1
    before = dumps_project(doc.project)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(moved)))
    QTest.keyClick(win, Qt.Key.Key_L, CTRL | Qt.KeyboardModifier.AltModifier)  # File > Locate Missing Images…
    assert doc.project.images[1].file_name == "moved/x/images/img0.png"
    assert doc.project.images[2].file_name == "images/img1.png"
    text = win.image_list.message.text()
    assert "Found 1 of 2 missing images" in text and "1 ambiguous" in text, text
    assert "images/img2.png: ambiguous" in win.image_list.message.detailedText()
    dismiss(win, qtbot)
    qtbot.waitUntil(lambda: canvas.image_item is not None, timeout=10000)  # the canvas shows it now
    assert canvas.loaded.width == 320
    undo(win, qtbot)
    assert dumps_project(doc.project) == before
    qtbot.waitUntil(lambda: canvas.placeholder is not None and canvas.placeholder.error, timeout=10000)
    redo(win, qtbot)
    qtbot.waitUntil(lambda: canvas.image_item is not None, timeout=10000)
    assert doc.undo_stack.undoText() == "Relocate 1 image"


def test_undo_of_an_add_while_the_added_image_is_shown(qtbot, tmp_path, monkeypatch, no_prompts) -> None:
    """The added image chosen in the Images panel and shown; Ctrl+Z removes it: the canvas goes to an image
    the project still has, the panel and its count follow; Ctrl+Shift+Z brings it back."""
    win = open_main_window(qtbot, make_project(tmp_path))
    doc, panel, canvas = win.document, win.panels["imagesDock"], win.canvas
    new = picture(tmp_path / "week2" / "new.png", 64, 48)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(new)], "")))
    QTest.keyClick(win, Qt.Key.Key_I, CTRL | Qt.KeyboardModifier.ShiftModifier)  # File > Add Images…
    qtbot.waitUntil(lambda: len(doc.project.images) == 4, timeout=10000)
    dismiss(win, qtbot)
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 4, timeout=10000)
    assert panel.summary.text().startswith("4 images")
    row = panel.table.visualRect(panel.proxy.index(3, 0))
    QTest.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=row.center())
    qtbot.waitUntil(lambda: canvas.image_item is not None and canvas.loaded.width == 64, timeout=10000)
    assert doc.current_image_id == 4
    undo(win, qtbot)
    assert sorted(doc.project.images) == [1, 2, 3] and doc.current_image_id in (1, 2, 3)
    qtbot.waitUntil(lambda: canvas.image_item is not None and canvas.loaded.width == 320, timeout=10000)
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 3, timeout=10000)
    assert panel.summary.text().startswith("3 images")
    redo(win, qtbot)
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 4, timeout=10000)
    assert doc.project.images[4].file_name == "week2/new.png"


def test_an_export_inside_the_images_folder_is_not_added_and_is_counted(
    qtbot, tmp_path, monkeypatch, no_prompts
) -> None:
    """File > Export… as masks into images/masks_out (typed there), then File > Add Image Folder… images/:
    the mask PNGs are not added; the message and the status bar say how many files the export held."""
    win = open_main_window(qtbot, make_project(tmp_path))
    doc = win.document
    out = tmp_path / "images" / "masks_out"
    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("masks")
    dlg.path_edit.clear()
    QTest.keyClicks(dlg.path_edit, str(out))
    QTest.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(out.rglob("*.png")), timeout=10000)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=10000)
    held = sum(1 for p in out.rglob("*") if p.is_file() and p.name != ".pixelproof-export")
    assert held >= 3  # a mask PNG per image, at least
    if win.interop.report is not None:  # the export's warnings, if any
        win.interop.report.close()
    with qtbot.waitActive(win):
        win.activateWindow()
    picture(tmp_path / "images" / "new.png", 64, 48)
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(tmp_path / "images"))
    )
    QTest.keyClick(win, Qt.Key.Key_I, CTRL | Qt.KeyboardModifier.AltModifier)  # File > Add Image Folder…
    qtbot.waitUntil(
        lambda: win.image_list.message is not None and win.image_list.message.isVisible(), timeout=10000
    )
    assert [im.file_name for im in doc.project.images.values()][3:] == ["images/new.png"]
    text = win.image_list.message.text()
    assert f"{held} files of 1 PixelProof export left out" in text, text
    assert "masks_out" in text
    assert "masks_out" in win.image_list.message.detailedText()
    assert win.statusBar().currentMessage() == text.splitlines()[0]
    dismiss(win, qtbot)


def test_a_new_project_from_a_folder_says_what_an_export_inside_held(qtbot, tmp_path, no_prompts) -> None:
    """File > New Project from Folder… over a folder holding a marked export: its images only, the status
    bar says how many files the export held (not as skipped files)."""
    from pixelproof.core.coco import load_project
    from pixelproof.interop.formats import FORMATS
    from tests.ui.conftest import wait_loaded
    from tests.ui.test_files_and_panels import new_window

    path = make_project(tmp_path)
    FORMATS["masks"].write(load_project(path), tmp_path / "images" / "masks_out")
    held = sum(1 for p in (tmp_path / "images" / "masks_out").rglob("*") if p.is_file()) - 1
    win = new_window(qtbot)
    assert win.files.open_folder(tmp_path / "images", ["cat"])
    wait_loaded(qtbot, win)
    assert sorted(im.file_name for im in win.document.project.images.values()) == [
        f"img{i}.png" for i in range(3)
    ]
    status = win.statusBar().currentMessage()
    assert f"3 images in {(tmp_path / 'images').resolve()}; {held} files of 1 PixelProof export" in status
    assert "skipped" not in status, status


def test_locate_missing_images_on_a_shard_checks_each_copy_against_the_file_dealt_out(
    qtbot, tmp_path, monkeypatch, no_prompts
) -> None:
    """An annotator relocates their shard to a copy of the pictures: img0's copy is another picture of that
    name and size, and the lead's img0.png is on this disk: refused. img1's copy was saved again (other
    bytes) and the lead's file is not here: relocated, with a warning naming both byte sizes."""
    from pixelproof.core.coco import load_project, save_project
    from pixelproof.core.split import split_project
    from tests.core.test_merge_copy_identity import other_picture, reencode

    split = split_project(load_project(make_project(tmp_path / "lead")), ["ann"], overlap=0, seed=1)
    save_project(split.shards["ann"], tmp_path / "lead" / "ann.json")
    (tmp_path / "laptop" / "work").mkdir(parents=True)
    shard_path = Path(shutil.copy(tmp_path / "lead" / "ann.json", tmp_path / "laptop" / "work"))  # as sent
    usb = tmp_path / "laptop" / "usb"
    shutil.copytree(tmp_path / "lead" / "images", usb / "images")
    other_picture(usb / "images" / "img0.png")
    reencode(usb / "images" / "img1.png")
    sizes = [
        (usb / "images" / "img1.png").stat().st_size,
        (tmp_path / "lead" / "images" / "img1.png").stat().st_size,
    ]
    (tmp_path / "lead" / "images" / "img1.png").unlink()
    win = open_main_window(qtbot)
    assert win.open_path(shard_path)
    doc, canvas = win.document, win.canvas
    qtbot.waitUntil(lambda: canvas.placeholder is not None and canvas.placeholder.error, timeout=10000)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(usb)))
    QTest.keyClick(win, Qt.Key.Key_L, CTRL | Qt.KeyboardModifier.AltModifier)  # File > Locate Missing Images…
    names = {Path(im.file_name).name: im.file_name for im in doc.project.images.values()}
    assert names == {"img0.png": "images/img0.png", "img1.png": "../usb/images/img1.png",
                     "img2.png": "../usb/images/img2.png"}  # fmt: skip
    text, details = win.image_list.message.text(), win.image_list.message.detailedText()
    assert "Found 2 of 3 missing images" in text and "1 refused" in text, text
    assert "1 copy of another byte size than dealt out" in text, text
    (refused,) = [x for x in details.splitlines() if "img0.png is another picture" in x]
    assert "not relocated" in refused
    (warned,) = [x for x in details.splitlines() if "img1.png is" in x]
    assert f"{sizes[0]} bytes, dealt out as {sizes[1]} bytes" in warned, warned
    dismiss(win, qtbot)
    # the shard records each copy taken, for a merge that gets the shard without its copies; undone with it
    files = {Path(e["path"]).name: e for e in doc.project.app["shard"]["files_at_split"].values()}
    assert files["img1.png"]["copy"] == {"name": "img1.png", "bytes": sizes[0], "compared": False}
    assert files["img2.png"]["copy"]["compared"] is True and "copy" not in files["img0.png"]
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)
    assert all(im.file_name.startswith("images/") for im in doc.project.images.values())
    assert not any("copy" in e for e in doc.project.app["shard"]["files_at_split"].values())


def test_a_folder_of_two_dicom_series_is_not_said_to_have_skipped_a_file(
    qtbot, tmp_path, monkeypatch, no_prompts
) -> None:
    """Which ``series=K`` (or ``phase=J``) is which comes through the same channel as skipped files; the
    app counted it as one: 'New project over 7 images; 1 file skipped, first: ct: the folder holds 2 DICOM
    series ...' where no file was skipped. New Project from Folder now says the note as it is, and Add
    Image Folder points to it in the details, counting no file skipped."""
    from tests.core.test_dicom_acquisitions import write_slice
    from tests.ui.conftest import wait_loaded
    from tests.ui.test_files_and_panels import new_window

    study = tmp_path / "study"
    for k in range(3):
        write_slice(study / "ct" / f"art{k}.dcm", 2.0 * k, 10 * k, k + 1, SeriesInstanceUID="1.2.3.7")
    for k in range(4):
        write_slice(study / "ct" / f"ven{k}.dcm", 2.0 * k, 10 * k, k + 1, SeriesInstanceUID="1.2.3.8")
    win = new_window(qtbot)
    assert win.files.open_folder(study, ["lesion"])
    wait_loaded(qtbot, win)
    assert len(win.document.project.images) == 7
    status = win.statusBar().currentMessage()
    assert "skipped" not in status, status
    assert (
        "over 7 images" in status
        and "ct: 2 DICOM series, one volume each: ct#series=1: SeriesNumber 5" in status
    ), status
    assert "(3 files from art0.dcm" in status

    win = open_main_window(qtbot, make_project(tmp_path / "other"))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(study)))
    win.image_list.act_add_folder.trigger()
    qtbot.waitUntil(lambda: len(win.document.project.images) == 10, timeout=10000)
    text = win.image_list.message.text()
    assert "Added 7 images" in text and "skipped" not in text, text
    assert "which is which is in the details" in text
    assert "2 DICOM series, one volume each" in win.image_list.message.detailedText()
    dismiss(win, qtbot)
