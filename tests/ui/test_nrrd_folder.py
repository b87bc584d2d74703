"""A folder as 3D Slicer saves it (``CT.nrrd`` + ``Segmentation.seg.nrrd``, and a PNG) opened with File >
New Project from Folder, real key events: the CT's slices are images (the segmentation is none), the first
one shown with its 16-bit values and the volume's automatic window, PgDn steps to the next slice."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import nrrd
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.sources import automatic_window
from pixelproof.interop.slicer_seg import read_slicer_seg
from tests.interop.test_slicer_seg import SEG, masks
from tests.interop.test_slicer_seg_nrrd import _ct_nrrd
from tests.ui.conftest import wait_loaded
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_first_project_walkthrough import open_photos


def test_a_folder_with_an_nrrd_volume_shows_its_slices(
    qtbot, tmp_path: Path, monkeypatch, no_prompts
) -> None:
    folder = tmp_path / "slicer"
    folder.mkdir()
    ct = np.zeros((40, 30, 4), np.int16)  # x (columns), y, z
    for k in range(4):
        ct[:, :, k] = np.arange(40)[:, None] * 10 + k * 1000 - 1000  # values along x, one offset a slice
    header = {
        "space": "left-posterior-superior",
        "space directions": np.diag([0.7, 0.7, 2.0]),
        "space origin": np.array([-14.0, -10.5, 0.0]),
        "kinds": ["domain"] * 3,
        "encoding": "gzip",
    }
    nrrd.write(str(folder / "CT.nrrd"), ct, header)
    shutil.copy(SEG, folder / "Segmentation.seg.nrrd")
    cv2.imwrite(str(folder / "zz.png"), np.zeros((8, 8), np.uint8))  # never an empty folder (a modal)
    win = new_window(qtbot)
    open_photos(qtbot, win, folder, monkeypatch)
    doc = win.document
    names = [Path(i.file_name).name for i in doc.project.images.values()]
    assert names == [*(f"CT.nrrd#z={k:03d}" for k in range(4)), "zz.png"]  # the segmentation is no image
    assert Path(doc.current_image.file_name).name == "CT.nrrd#z=000"
    c = win.canvas
    assert c.loaded.raw.dtype == np.int16 and c.loaded.needs_window
    # LPS x grows to the patient's left: voxel x 0 is the patient's right, on the screen's left
    assert int(c.pixel_value(0, 5)) == -1000 and int(c.pixel_value(39, 5)) == 390 - 1000
    path = doc.project.image_path(doc.current_image)
    assert c.loaded.window == automatic_window(path, c.loaded.raw)
    assert doc.current_image.extra["pixel_spacing"] == [0.7, 0.7]
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
    assert Path(doc.current_image.file_name).name == "CT.nrrd#z=001"
    wait_loaded(qtbot, win)
    assert int(c.pixel_value(0, 5)) == 0 and win.slices.slice_label.text().strip() == "2 / 4"
    doc.undo_stack.setClean()
    win.close()


def test_new_project_from_a_slicer_scene_folder_brings_its_segmentation(
    qtbot, tmp_path: Path, monkeypatch, no_prompts
) -> None:
    """File > New Project from Folder over ``CTChest.nrrd`` + ``Segmentation.seg.nrrd`` (the CT's grid): the
    segments are the slices' masks, the categories typed first; the status bar says what came in."""
    folder = tmp_path / "scene"
    folder.mkdir()
    _ct_nrrd(folder / "CTChest.nrrd")
    shutil.copy(SEG, folder / "Segmentation.seg.nrrd")
    win = new_window(qtbot)
    open_photos(qtbot, win, folder, monkeypatch)
    doc = win.document
    assert len(doc.project.images) == 34 and doc.untitled
    names = [c.name for c in doc.project.categories.values()]
    assert names[:4] == ["person", "cat", "cup", "ribs"] and len(names) == 10
    n = len(doc.project.annotations)
    said = win.statusBar().currentMessage()
    assert f"; Segmentation.seg.nrrd: 7 segments, {n} objects on the slices of CTChest.nrrd" in said
    got = masks(doc.project)
    want = {
        (f, c): m for (f, c), m in masks(read_slicer_seg(folder / "Segmentation.seg.nrrd").project).items()
    }
    assert got.keys() == want.keys() and all(np.array_equal(got[k], want[k]) for k in want)
    doc.undo_stack.setClean()
    win.close()


def test_add_image_folder_brings_a_slicer_scenes_segmentation_in_one_undo_step(
    qtbot, tmp_path: Path, monkeypatch, no_prompts
) -> None:
    """File > Add Image Folder (its shortcut, the folder chosen in the dialog) over ``CTChest.nrrd`` +
    ``Segmentation.seg.nrrd``: the slices and the segments' masks, as the slicer-seg reader reads them; the
    message says so; Ctrl+Z takes both back; the folder again adds nothing."""
    from PySide6.QtWidgets import QFileDialog

    from pixelproof.core.coco import dumps_project
    from tests.ui.conftest import make_project, open_main_window
    from tests.ui.test_image_list_actions import dismiss

    scene = tmp_path / "scene"
    scene.mkdir()
    _ct_nrrd(scene / "CTChest.nrrd")
    shutil.copy(SEG, scene / "Segmentation.seg.nrrd")
    win = open_main_window(qtbot, make_project(tmp_path))
    doc = win.document
    before = dumps_project(doc.project)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(scene)))
    ctrl_alt = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    QTest.keyClick(win, Qt.Key.Key_I, ctrl_alt)
    qtbot.waitUntil(lambda: len(doc.project.images) == 37, timeout=20000)
    n = len(doc.project.annotations)
    text = win.image_list.message.text()
    assert "Added 34 images" in text and f"Segmentation.seg.nrrd: 7 segments, {n} objects" in text, text
    got = {k: m for k, m in masks(doc.project).items() if k[0].startswith("CTChest")}
    want = masks(read_slicer_seg(scene / "Segmentation.seg.nrrd").project)
    assert got.keys() == want.keys() and all(np.array_equal(got[k], want[k]) for k in want)
    dismiss(win, qtbot)
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dumps_project(doc.project) == before
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(doc.project.annotations) == n
    QTest.keyClick(win, Qt.Key.Key_I, ctrl_alt)  # the same folder again
    qtbot.waitUntil(lambda: "already in the project" in win.image_list.message.text(), timeout=20000)
    assert "35 already in the project" in win.image_list.message.text()
    assert len(doc.project.annotations) == n
    dismiss(win, qtbot)
    doc.undo_stack.setClean()
    win.close()
