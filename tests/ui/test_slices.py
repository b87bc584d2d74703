"""Volumes in the window with real key and mouse events: PgDn / PgUp and the slice slider step through a
volume while D / A keep going through the image list; CT window presets from the Volume menu; the status bar
reads millimetres and Hounsfield units."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import nibabel as nib
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.window_level import preset_window
from tests.ui.conftest import hover, open_main_window, wait_loaded


@pytest.fixture
def volume_window(qtbot, tmp_path: Path, no_prompts):
    data = tmp_path / "data"
    data.mkdir()
    vol = np.zeros((30, 20, 6), np.int16)
    for k in range(6):
        vol[:, :, k] = k * 100 - 200  # each axial slice holds its own value
    nib.save(nib.Nifti1Image(vol, np.diag([0.8, 0.8, 2.5, 1.0])), data / "ct.nii.gz")
    cv2.imwrite(str(data / "zz.png"), np.zeros((8, 8), np.uint8))  # an image after the volume in the list
    project = project_from_folder(data, tmp_path / "p.json", ["organ"])
    save_project(project, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    yield win
    win.document.undo_stack.setClean()
    win.close()


def current_name(win) -> str:
    return win.document.current_image.file_name


def test_page_keys_and_slider_step_through_the_volume(qtbot, volume_window) -> None:
    win = volume_window
    doc = win.document
    ids = {im.file_name: im.id for im in doc.project.images.values()}
    doc.set_current_image(ids["data/ct.nii.gz#z=002"])
    wait_loaded(qtbot, win)
    assert win.slices.toolbar.isVisible() and win.slices.slice_label.text().strip() == "3 / 6"
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
    assert current_name(win) == "data/ct.nii.gz#z=003"
    wait_loaded(qtbot, win)
    assert int(win.canvas.pixel_value(5, 5)) == 100  # slice 3 holds 3 * 100 - 200
    QTest.keyClick(win.canvas, Qt.Key.Key_PageUp)
    QTest.keyClick(win.canvas, Qt.Key.Key_PageUp)
    assert current_name(win) == "data/ct.nii.gz#z=001"
    slider = win.slices.slider
    assert slider.value() == 1
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_End)  # the slider's own key: the last slice
    assert current_name(win) == "data/ct.nii.gz#z=005"
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)  # no slice after the last: stays
    assert current_name(win) == "data/ct.nii.gz#z=005"
    QTest.keyClick(win.canvas, Qt.Key.Key_D)  # D still goes to the next image of the list
    assert current_name(win) == "data/zz.png"
    wait_loaded(qtbot, win)
    assert not win.slices.toolbar.isVisible()


def test_ct_preset_from_the_menu_and_millimetres_in_the_status_bar(qtbot, volume_window) -> None:
    win = volume_window
    doc = win.document
    ids = {im.file_name: im.id for im in doc.project.images.values()}
    doc.set_current_image(ids["data/ct.nii.gz#z=004"])
    wait_loaded(qtbot, win)
    menu = win.findChild(type(win.menuBar().actions()[0].menu()), "volumeMenu")
    preset = win.slices.preset_actions[0]  # CT soft tissue
    menu.popup(win.mapToGlobal(QPoint(20, 20)))
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    QTest.mouseClick(
        menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, menu.actionGeometry(preset).center()
    )
    assert win.canvas.loaded.window == pytest.approx(preset_window(400, 40))
    assert win.readout.window_label.text() == "W 400  L 40"  # width / level, as the preset names it
    assert "-160 – 239" in win.readout.window_label.toolTip()
    win.canvas.set_zoom(8.0)
    win.canvas.centerOn(QPointF(10, 10))
    point = win.canvas.mapFromScene(QPointF(12.5, 7.5))
    hover(win, point)
    qtbot.waitUntil(lambda: "mm" in win.pos_label.text(), timeout=10000)
    # the patient position (RAS) of the voxel shown there: axial columns run R to L, rows A to P
    r, a, s = np.diag([0.8, 0.8, 2.5]) @ [30 - 1 - 12, 20 - 1 - 7, 4]
    assert (
        win.pos_label.text() == f"x 12, y 7   R {r:.1f}  A {a:.1f}  S {s:.1f} mm"
    )  # in-slice mm: no geometry
    assert win.value_label.text().startswith("value 200")


def test_ct_values_read_as_hounsfield_units(qtbot, tmp_path: Path, no_prompts) -> None:
    from pydicom.data import get_testdata_file

    src = get_testdata_file("CT_small.dcm", download=False)
    if src is None:
        pytest.skip("CT_small.dcm is not bundled")
    (tmp_path / "data").mkdir()
    shutil.copy(src, tmp_path / "data" / "ct.dcm")
    save_project(project_from_folder(tmp_path / "data", tmp_path / "p.json"), tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    hover(win, win.canvas.mapFromScene(QPointF(64.5, 64.5)))
    qtbot.waitUntil(lambda: "HU" in win.value_label.text(), timeout=10000)
    hu = int(win.canvas.pixel_value(64, 64))
    assert win.value_label.text() == f"value {hu} HU" and "mm" in win.pos_label.text()
    win.close()


def test_a_slice_whose_series_lost_a_file_is_not_shown_as_the_next_one(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A series folder that lost a file after the project was made: PgDn to the slice after it shows no
    pixels (the file now at that index is another slice) but says what changed and where its slice went."""
    from pixelproof.core.volume_cache import clear_cache
    from tests.core.test_slice_identity import series_project

    clear_cache()
    project, _, folder = series_project(tmp_path)
    save_project(project, tmp_path / "p.json")
    (folder / "im1.dcm").unlink()
    win = open_main_window(qtbot, tmp_path / "p.json")
    try:
        ids = {im.file_name: im.id for im in win.document.project.images.values()}
        win.document.set_current_image(ids["data/ct#z=000"])
        wait_loaded(qtbot, win)
        assert int(win.canvas.pixel_value(1, 1)) == 0  # slice 0 is still im0.dcm
        win.canvas.setFocus()
        for name, says in (("data/ct#z=001", "no longer in the series"), ("data/ct#z=002", "now #z=001")):
            QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
            assert current_name(win) == name
            placeholder = win.canvas.placeholder
            qtbot.waitUntil(lambda p=placeholder: p is not None and p.error, timeout=20000)
            assert name in placeholder.message and "changed since the project was made" in placeholder.message
            assert says in placeholder.message
            assert win.canvas.image_item is None  # slice 2's pixels never shown under slice 1's name
    finally:
        win.close()
        clear_cache()


def test_a_window_set_by_hand_stays_while_paging_through_the_volume(qtbot, volume_window) -> None:
    """A CT preset (or a right-drag) chosen on one slice: PgDn showed the next slice at the file's window
    again, so a reader scrolling a lung window had to pick it anew on every slice. It now stays for the
    slices of that volume; another image opens at its own window."""
    win = volume_window
    ids = {im.file_name: im.id for im in win.document.project.images.values()}
    win.document.set_current_image(ids["data/ct.nii.gz#z=002"])
    wait_loaded(qtbot, win)
    win.canvas.setFocus()
    QTest.keyClick(
        win.canvas, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    lung = preset_window(1500, -600)
    assert win.canvas.loaded.window == pytest.approx(lung)
    for _ in range(2):
        QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
        wait_loaded(qtbot, win)
        assert win.canvas.loaded.window == pytest.approx(lung)
        assert win.readout.window_label.text() == "W 1500  L -600"
    QTest.keyClick(win.canvas, Qt.Key.Key_PageUp)
    wait_loaded(qtbot, win)
    assert win.canvas.loaded.window == pytest.approx(lung)
    QTest.keyClick(win.canvas, Qt.Key.Key_D)  # D through the list: slices of the volume keep it too
    wait_loaded(qtbot, win)
    assert current_name(win) == "data/ct.nii.gz#z=004" and win.canvas.loaded.window == pytest.approx(lung)
    QTest.keyClick(win.canvas, Qt.Key.Key_D)
    QTest.keyClick(win.canvas, Qt.Key.Key_D)
    assert current_name(win) == "data/zz.png"  # another image: its own window
    wait_loaded(qtbot, win)
    assert win.canvas.loaded.window == (0.0, 255.0)
    win.document.set_current_image(ids["data/ct.nii.gz#z=000"])  # back to the volume: its own window
    wait_loaded(qtbot, win)
    assert win.canvas.loaded.window == win.canvas.loaded.auto  # (a NIfTI has none of its own: auto)


def test_page_keys_step_through_a_multichannel_z_stack_and_its_channels_toggle(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """An OME-TIFF z-stack of three channels (core.tiff_stack): each slice is an image showing the
    composite of its plane; PgDn goes to the next slice and Image > Channels hides a channel of it."""
    import tifffile

    from tests.ui.test_channels import BLUE, GREEN, RED, click_channel
    from tests.ui.test_large_images import shown

    data = tmp_path / "data"
    data.mkdir()
    planes = np.zeros((4, 3, 32, 48), np.uint16)  # Z C Y X: right half at 1000, each range 0..1000
    planes[:, :, :, 24:] = 1000
    for z in range(4):
        planes[z, 0, :8, :8] = 250 * z  # slice z: DAPI (blue) at z / 4 in the top left corner
    meta = {"axes": "ZCYX", "Channel": {"Name": ["DAPI", "FITC", "TRITC"], "Color": [BLUE, GREEN, RED]}}
    tifffile.imwrite(data / "cells.ome.tif", planes, photometric="minisblack", metadata=meta)
    project = project_from_folder(data, tmp_path / "p.json", ["cell"])
    assert sorted(im.file_name for im in project.images.values()) == [
        f"data/cells.ome.tif#z={z:03d}" for z in range(4)
    ]
    save_project(project, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    try:
        ids = {im.file_name: im.id for im in win.document.project.images.values()}
        win.document.set_current_image(ids["data/cells.ome.tif#z=001"])
        wait_loaded(qtbot, win)
        assert win.slices.toolbar.isVisible() and win.slices.slice_label.text().strip() == "2 / 4"
        win.canvas.set_zoom(4.0)
        win.canvas.centerOn(QPointF(8, 8))
        assert shown(win, 2.5, 2.5) == (0, 0, 64)
        win.canvas.setFocus()
        QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
        assert current_name(win) == "data/cells.ome.tif#z=002"
        wait_loaded(qtbot, win)
        assert win.canvas.loaded.channels is not None  # the plane's channels, not only its composite
        win.canvas.set_zoom(4.0)
        win.canvas.centerOn(QPointF(24, 8))
        assert shown(win, 2.5, 2.5) == (0, 0, 128) and shown(win, 30.5, 2.5) == (255, 255, 255)
        click_channel(qtbot, win, "DAPI")
        qtbot.waitUntil(lambda: shown(win, 30.5, 2.5) == (255, 255, 0), timeout=10000)
        assert shown(win, 2.5, 2.5) == (0, 0, 0)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_right_drag_on_ct_sets_a_whole_width_and_level(qtbot, volume_window) -> None:
    """A right-drag on a CT slice showed "W 119.5  L 20.25"; HU are whole numbers, as presets are."""
    win = volume_window
    doc = win.document
    ids = {im.file_name: im.id for im in doc.project.images.values()}
    doc.set_current_image(ids["data/ct.nii.gz#z=004"])
    wait_loaded(qtbot, win)
    assert np.issubdtype(win.canvas.loaded.raw.dtype, np.integer)
    vp = win.canvas.viewport()
    start, end = QPoint(150, 150), QPoint(187, 163)  # 37 px right, 13 px down
    QTest.mousePress(vp, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, end)
    text = win.readout.window_label.text()
    width, level = (float(v) for v in text.replace("W ", "").split("  L "))
    assert width == int(width) and level == int(level), text
    assert win.canvas.loaded.window == pytest.approx(preset_window(width, level))


def test_paging_a_volume_without_a_window_keeps_one_automatic_window(qtbot, volume_window) -> None:
    """A NIfTI (or a series) with no Window Center/Width opened each slice at its own percentiles: every
    PgDn changed the brightness and the status bar's W / L. 3D Slicer gives the volume one automatic
    window; so does the app, and a single image keeps its own."""
    win = volume_window
    ids = {im.file_name: im.id for im in win.document.project.images.values()}
    win.document.set_current_image(ids["data/ct.nii.gz#z=000"])
    wait_loaded(qtbot, win)
    first = win.readout.window_label.text()
    lo, hi = win.canvas.loaded.window
    assert lo < -199 and hi > 299  # slices hold -200 to 300: all of them inside one window
    win.canvas.setFocus()
    for k in range(1, 6):
        QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
        wait_loaded(qtbot, win)
        assert current_name(win) == f"data/ct.nii.gz#z={k:03d}"
        assert win.readout.window_label.text() == first
        assert win.canvas.loaded.window == (lo, hi)
    QTest.keyClick(win.canvas, Qt.Key.Key_D)  # the PNG after the volume: its own window
    wait_loaded(qtbot, win)
    assert win.canvas.loaded.window == (0.0, 255.0)
