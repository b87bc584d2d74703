"""Ctrl+PgDn / Ctrl+PgUp (Volume > Next / Previous Phase / Time Point) with real key presses on the real
window: the same slice of the next phase of a dynamic DICOM series (written with pydicom) and of the next
time point of a TZCYX OME-TIFF (written with tifffile); the window and channel settings stay, the status bar
speaks at the last phase, and the keys do nothing on an image of no series of phases."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.volume_cache import clear_cache
from pixelproof.core.window_level import preset_window
from tests.core.test_dicom_acquisitions import dynamic_series, expected_pixels
from tests.ui.conftest import open_main_window, wait_loaded
from tests.ui.test_channel_ranges import open_dialog
from tests.ui.test_channels import BLUE, GREEN, click_channel
from tests.ui.test_large_images import shown

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def _fresh_volumes():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def name(win) -> str:  # type: ignore[no-untyped-def]
    return win.document.current_image.file_name


def status(win) -> str:  # type: ignore[no-untyped-def]
    return win.statusBar().currentMessage()


def press(qtbot, win, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    # the window active first: offscreen, a closed menu's activation can arrive late and take the keys
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=10000)
    QTest.keyClick(win.canvas, key, modifiers)
    wait_loaded(qtbot, win)


def test_ctrl_page_keys_step_through_the_phases_of_a_dynamic_series_at_one_slice(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    data = tmp_path / "data"
    files = dynamic_series(data / "dyn", phases=3, positions=3)
    cv2.imwrite(str(data / "zz.png"), np.zeros((8, 8), np.uint8))  # an image of no series after it
    save_project(project_from_folder(data, tmp_path / "p.json", ["organ"]), tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    try:
        ids = {im.file_name: im.id for im in win.document.project.images.values()}
        win.document.set_current_image(ids["data/dyn#phase=1&z=001"])
        wait_loaded(qtbot, win)
        slices = win.slices
        assert (
            slices.act_next_phase.isEnabled() and slices.slice_label.text().strip() == "2 / 3   phase 1 / 3"
        )
        win.canvas.setFocus()
        press(qtbot, win, Qt.Key.Key_2, CTRL | Qt.KeyboardModifier.AltModifier)  # CT lung, set by hand
        lung = preset_window(1500, -600)
        for phase in (2, 3):
            press(qtbot, win, Qt.Key.Key_PageDown, CTRL)
            assert name(win) == f"data/dyn#phase={phase}&z=001"
            # the file of that phase at that position, its pixels through the modality LUT
            assert int(win.canvas.pixel_value(2, 1)) == int(expected_pixels(files[phase, 1])[1, 2])
            assert (
                slices.slider.value() == 1
                and slices.slice_label.text().strip() == f"2 / 3   phase {phase} / 3"
            )
            assert win.canvas.loaded.window == pytest.approx(lung)  # the window stays, as on PgDn
        press(qtbot, win, Qt.Key.Key_PageDown, CTRL)  # past the last phase: stays, and says so
        assert name(win) == "data/dyn#phase=3&z=001" and status(win) == "Last phase (3 of 3)"
        press(qtbot, win, Qt.Key.Key_PageUp, CTRL)
        press(qtbot, win, Qt.Key.Key_PageUp, CTRL)
        assert name(win) == "data/dyn#phase=1&z=001"
        press(qtbot, win, Qt.Key.Key_PageUp, CTRL)
        assert name(win) == "data/dyn#phase=1&z=001" and status(win) == "First phase (1 of 3)"
        press(qtbot, win, Qt.Key.Key_PageDown)  # PgDn still steps the slices of the phase
        press(qtbot, win, Qt.Key.Key_PageDown, CTRL)
        assert name(win) == "data/dyn#phase=2&z=002"
        assert int(win.canvas.pixel_value(0, 0)) == int(expected_pixels(files[2, 2])[0, 0])
        win.document.set_current_image(ids["data/zz.png"])
        wait_loaded(qtbot, win)
        assert not slices.act_next_phase.isEnabled() and not slices.act_previous_phase.isEnabled()
        press(qtbot, win, Qt.Key.Key_PageUp, CTRL)
        assert name(win) == "data/zz.png"
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_ctrl_page_keys_step_through_the_time_points_of_a_z_stack_keeping_its_channels(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A TZCYX OME-TIFF: 3 time points of 4 slices of DAPI and FITC (each 0..1000: right half at 1000);
    DAPI at 250 x t in the top left corner, 250 x z in the bottom left one."""
    data = tmp_path / "data"
    data.mkdir()
    planes = np.zeros((3, 4, 2, 32, 48), np.uint16)
    planes[..., 24:] = 1000
    for t in range(3):
        for z in range(4):
            planes[t, z, 0, :8, :8] = 250 * t
            planes[t, z, 0, 24:, :8] = 250 * z
    meta = {"axes": "TZCYX", "Channel": {"Name": ["DAPI", "FITC"], "Color": [BLUE, GREEN]}}
    tifffile.imwrite(data / "live.ome.tif", planes, photometric="minisblack", metadata=meta)
    tifffile.imwrite(
        data / "stack.ome.tif", planes[0], photometric="minisblack", metadata=meta | {"axes": "ZCYX"}
    )
    save_project(project_from_folder(data, tmp_path / "p.json", ["cell"]), tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    try:
        ids = {im.file_name: im.id for im in win.document.project.images.values()}
        win.document.set_current_image(ids["data/live.ome.tif#t=000&z=002"])
        wait_loaded(qtbot, win)
        assert win.slices.slice_label.text().strip() == "3 / 4   time point 1 / 3"
        click_channel(qtbot, win, "FITC")  # hidden on time point 0
        win.canvas.set_zoom(4.0)
        win.canvas.centerOn(QPointF(8, 16))
        qtbot.waitUntil(lambda: shown(win, 30.5, 2.5) == (0, 0, 255), timeout=10000)
        win.canvas.setFocus()
        for t, blue in ((1, 64), (2, 128)):
            press(qtbot, win, Qt.Key.Key_PageDown, CTRL)
            assert name(win) == f"data/live.ome.tif#t={t:03d}&z=002"
            win.canvas.set_zoom(4.0)
            win.canvas.centerOn(QPointF(8, 16))
            assert shown(win, 2.5, 2.5) == (0, 0, blue)  # this time point
            assert shown(win, 2.5, 28.5) == (0, 0, 128)  # slice 2 still
            assert win.canvas.loaded.channels.visible == [True, False]  # FITC still hidden
            assert shown(win, 30.5, 2.5) == (0, 0, 255)
        press(qtbot, win, Qt.Key.Key_PageDown, CTRL)
        assert name(win) == "data/live.ome.tif#t=002&z=002" and status(win) == "Last time point (3 of 3)"
        dlg = open_dialog(qtbot, win)  # from the Brightness / Contrast window too
        qtbot.waitUntil(dlg.isActiveWindow, timeout=10000)
        QTest.keyClick(dlg.rows[1].high, Qt.Key.Key_PageUp, CTRL)
        qtbot.waitUntil(
            lambda: name(win) == "data/live.ome.tif#t=001&z=002" and not win.canvas.is_loading, timeout=10000
        )
        assert dlg.rows[1].high.value() == 1000  # not stepped by the key
        dlg.close()
        win.document.set_current_image(ids["data/stack.ome.tif#z=001"])  # a z-stack of no time points
        wait_loaded(qtbot, win)
        assert not win.slices.act_next_phase.isEnabled()
        assert win.slices.slice_label.text().strip() == "2 / 4"
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_slice_and_time_point_readout_shows_at_1366_px(qtbot, tmp_path: Path, no_prompts) -> None:
    """At 1366 px the Slices bar sat at the end of the second tool bar row, after the Masks bar: only its
    slider fitted, and the "3 / 40   time point 1 / 3" readout went into the row's » overflow menu. It
    sits on the main row, which has room."""
    data = tmp_path / "data"
    data.mkdir()
    tifffile.imwrite(data / "live.ome.tif", np.zeros((3, 40, 16, 16), np.uint16), metadata={"axes": "TZYX"})
    save_project(project_from_folder(data, tmp_path / "p.json", ["cell"]), tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    try:
        win.resize(1366, 700)
        ids = {im.file_name: im.id for im in win.document.project.images.values()}
        win.document.set_current_image(ids["data/live.ome.tif#t=002&z=039"])
        wait_loaded(qtbot, win)
        label, slider = win.slices.slice_label, win.slices.slider
        assert label.text().strip() == "40 / 40   time point 3 / 3"
        qtbot.waitUntil(lambda: label.isVisible() and slider.isVisible(), timeout=10000)
        for widget in (label, slider):  # whole, inside the window
            at = widget.mapTo(win, widget.rect().topLeft())
            assert at.x() >= 0 and at.x() + widget.width() <= win.width(), (widget, at.x(), widget.width())
        assert label.width() >= label.sizeHint().width()  # the readout whole, not cut
    finally:
        win.document.undo_stack.setClean()
        win.close()


@pytest.mark.parametrize("shown_at_close", [False, True])
def test_a_layout_saved_before_the_slices_bar_moved_gets_it_on_the_main_row(
    qtbot, tmp_path: Path, no_prompts, shown_at_close: bool
) -> None:
    """The window's layout is saved on closing and restored at start (restoreState), which puts every tool
    bar back where it was saved: a layout saved by a version that added the Slices bar after the Masks bar,
    on the second row, kept it there, and at 1366 px the readout stayed in the row's overflow menu. Such a
    layout gets the Slices bar on the main row once; one saved since keeps it where the user put it."""
    from PySide6.QtCore import QByteArray, QSettings

    from pixelproof.ui.settings import settings

    data = tmp_path / "data"
    data.mkdir()
    tifffile.imwrite(data / "live.ome.tif", np.zeros((3, 40, 16, 16), np.uint16), metadata={"axes": "TZYX"})
    save_project(project_from_folder(data, tmp_path / "p.json", ["cell"]), tmp_path / "p.json")
    win = open_main_window(qtbot)
    top = Qt.ToolBarArea.TopToolBarArea
    win.removeToolBar(win.slices.toolbar)
    win.addToolBar(top, win.slices.toolbar)  # where the older version added it: after the Masks bar
    win.slices.toolbar.setVisible(shown_at_close)  # hidden unless a slice of a volume was shown
    old: QByteArray = win.saveState()
    win.close()
    s: QSettings = settings()
    s.clear()
    s.setValue("window/state", old)  # all an older version saved of the layout
    win = open_main_window(qtbot, tmp_path / "p.json")

    def rows(w) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        qtbot.waitUntil(w.slices.toolbar.isVisible, timeout=10000)
        return w.slices.toolbar.geometry().center().y(), w.toolbar.geometry().center().y()

    try:
        win.resize(1366, 700)
        ids = {im.file_name: im.id for im in win.document.project.images.values()}
        win.document.set_current_image(ids["data/live.ome.tif#t=002&z=039"])
        wait_loaded(qtbot, win)
        slices_y, main_y = rows(win)
        assert slices_y == main_y
        qtbot.waitUntil(win.slices.slice_label.isVisible, timeout=10000)  # not in the overflow menu
        # the user moves it back to the second row: the layout saved now keeps it there
        win.removeToolBar(win.slices.toolbar)
        win.addToolBar(top, win.slices.toolbar)
    finally:
        win.document.undo_stack.setClean()
        win.close()
    win = open_main_window(qtbot, tmp_path / "p.json")
    try:
        win.document.set_current_image(ids["data/live.ome.tif#t=002&z=039"])
        wait_loaded(qtbot, win)
        slices_y, main_y = rows(win)
        assert slices_y > main_y
    finally:
        win.document.undo_stack.setClean()
        win.close()
