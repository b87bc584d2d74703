"""The status bar at 1366 x 768 (a radiologist's laptop): the pointer's position (with the patient position
of a CT slice, ``x 65, y 8   R 18.1  P 212.3  I 145.6 mm``), its value, the zoom (two figures for pixels that
are not square, ``1316% × 2632%``) and the window are what is read while working, and were cut because the
tool's long hint on the left never gave up its room. Now the readouts are always whole and the hint is cut
with ``…``, whole in its tooltip. Real mouse moves over the canvas; the widths are the labels' own."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import nibabel as nib
import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from tests.ui.conftest import hover, open_main_window, settle, wait_loaded

CATEGORY = "liver_segment_IVb_with_portal_vein_branch"  # a long name makes the wand's hint long


def whole(label) -> bool:  # type: ignore[no-untyped-def]
    """The label's whole text is drawn: the label is as wide as a plain label in the status bar (its style
    sheet's padding too) needs to be for that text."""
    probe = QLabel(label.text(), label.parentWidget())
    probe.ensurePolished()
    need = probe.sizeHint().width()
    probe.deleteLater()
    return label.fontMetrics().horizontalAdvance(label.text()) <= label.width() and need <= label.width()


def open_at_1366(qtbot, tmp_path: Path, make) -> object:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    make(data)
    project = project_from_folder(data, tmp_path / "p.json", [CATEGORY])
    save_project(project, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    win.resize(1366, 768)
    qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
    wait_loaded(qtbot, win)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_F)  # the wand: the longest hint without a selection
    return win


def read_at(qtbot, win, x: int, y: int, zoom: float) -> None:  # type: ignore[no-untyped-def]
    canvas = win.canvas
    canvas.set_zoom(zoom)
    canvas.centerOn(QPointF(x + 0.5, y + 0.5))
    win.readout.pos_label.clear()
    hover(win, canvas.mapFromScene(QPointF(x + 0.5, y + 0.5)))
    qtbot.waitUntil(lambda: win.readout.pos_label.text().startswith(f"x {x}, y {y}"), timeout=10000)
    qtbot.waitUntil(lambda: win.readout.value_label.text() != "", timeout=10000)


def check_room(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    r = win.readout
    win.statusBar().clearMessage()  # the "Opened" message's time is up: the hint is shown again
    qtbot.waitUntil(r.target_label.isVisible, timeout=10000)
    readouts = (r.pos_label, r.value_label, r.zoom_label, r.window_label)
    qtbot.waitUntil(lambda: all(whole(w) for w in readouts), timeout=10000)
    hint = r.target_label
    assert hint.whole.startswith("Wand: fills a new “liver_segment")
    shown = hint.text()
    assert shown.endswith("…") and hint.whole.startswith(shown[:-1])  # cut at its end
    assert whole(hint) and hint.toolTip().startswith(hint.whole + "\n")  # the whole line in the tooltip
    image = r.image_label
    assert whole(image) and image.text().endswith(" · 1 / 1" if "jpg" in image.text() else " · 1 / 5")


def test_ct_slice_readouts_are_whole_and_the_hint_gives_way(qtbot, tmp_path: Path, no_prompts) -> None:
    def ct(data: Path) -> None:
        vol = np.full((80, 60, 5), -1000, np.int16)
        vol[40:, :, :] = 45
        affine = np.diag([0.8, 1.6, 2.5, 1.0])
        affine[:3, 3] = (-230.4, -260.0, -160.0)  # left, posterior, inferior of the origin: L/P/I letters
        nib.save(nib.Nifti1Image(vol, affine), data / "abdomen_ct.nii.gz")
        (data / "abdomen_ct.json").write_text(json.dumps({"Modality": "CT"}))

    win = open_at_1366(qtbot, tmp_path, ct)
    try:
        read_at(qtbot, win, 65, 8, 13.16)
        r = win.readout
        assert " mm" in r.pos_label.text() and r.value_label.text().endswith("HU")
        assert "×" in r.zoom_label.text() and r.window_label.text().startswith("W ")
        check_room(qtbot, win)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_photo_readouts_are_whole_and_the_hint_gives_way(qtbot, tmp_path: Path, no_prompts) -> None:
    def photo(data: Path) -> None:
        img = np.random.default_rng(3).integers(0, 255, (1800, 2400, 3)).astype(np.uint8)
        cv2.imwrite(str(data / "street_scene_2024_06_01_camera_front_left_000123.jpg"), img)

    win = open_at_1366(qtbot, tmp_path, photo)
    try:
        read_at(qtbot, win, 2345, 1789, 8.0)
        assert win.readout.value_label.text().startswith("R ")
        check_room(qtbot, win)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_short_file_name_is_shown_whole_beside_the_readouts(qtbot, tmp_path: Path, no_prompts) -> None:
    """``a0.png`` (its file missing, the message said) was shown "a…g" with room to spare: the label asked
    for the room of its cut text, a pixel short of the whole name's."""
    data = tmp_path / "data"
    data.mkdir()
    for i in range(2):
        cv2.imwrite(str(data / f"a{i}.png"), np.full((200, 300, 3), 120, np.uint8))
    project = project_from_folder(data, tmp_path / "p.json", [CATEGORY])
    save_project(project, tmp_path / "p.json")
    (data / "a0.png").unlink()
    win = open_main_window(qtbot)
    try:
        win.resize(1366, 768)
        assert win.open_path(tmp_path / "p.json")
        qtbot.waitUntil(
            lambda: win.canvas.placeholder is not None and win.canvas.placeholder.error, timeout=10000
        )
        win.statusBar().clearMessage()
        image = win.readout.image_label
        qtbot.waitUntil(lambda: image.text().endswith("300×200 · 1 / 2"), timeout=10000)
        settle()  # the status bar's layout after the message
        assert image.text() == "a0.png · 300×200 · 1 / 2", (image.text(), image.width())
        assert whole(image) and not image.toolTip()
    finally:
        win.document.undo_stack.setClean()
        win.close()
