"""Image > Channels > Brightness / Contrast… on a 3-channel OME-TIFF (plain and a tiled pyramid), driven
with real keys and clicks: Shift+C opens it, a value typed into a channel's maximum redraws the canvas and
the slide overview as the composite formula says, Auto and Reset All give the percentiles back, a slider
moved by keys applies, a reversed range is refused and said; the shown check boxes mirror the menu; the
window follows the image on the canvas, the ranges stay with the image (kept for its file:
test_channel_memory.py) and never reach the project; the Assist tool sees them, batch reading does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.imageio import read_image
from pixelproof.core.model import ImageRecord
from tests.core.test_channel_ranges import BLUE, by_hand
from tests.ui.conftest import open_main_window
from tests.ui.test_accessibility import accessible_name, tab_stops
from tests.ui.test_channels import click_channel, write
from tests.ui.test_large_images import one_image_project, shown
from tests.ui.test_slide_tiles import settle

SHIFT, CTRL = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier
BLOCK = [200, 1000, 400]  # DAPI, FITC, TRITC in the block at (240..280, 100..140); every range 0..1000


def open_cells(qtbot, tmp_path: Path, pyramid: bool = False):  # type: ignore[no-untyped-def]
    write(tmp_path / "cells.ome.tif", pyramid)
    win = open_main_window(qtbot, one_image_project(tmp_path, "cells.ome.tif", 384, 256))
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(260, 120))
    settle(qtbot, win.canvas)
    return win


def open_dialog(qtbot, win):  # type: ignore[no-untyped-def]
    """Shift+C on the canvas, as a QuPath user presses it."""
    win.canvas.setFocus()
    QTest.keyClick(win.canvas.viewport(), Qt.Key.Key_C, SHIFT)
    qtbot.waitUntil(
        lambda: win.channels_menu.dialog is not None and win.channels_menu.dialog.isVisible(), timeout=10000
    )
    return win.channels_menu.dialog


def type_into(box, text: str) -> None:  # type: ignore[no-untyped-def]
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_A, CTRL)
    QTest.keyClicks(box, text)
    QTest.keyClick(box, Qt.Key.Key_Return)


@pytest.mark.parametrize("pyramid", [False, True], ids=["plain", "pyramid"])
def test_a_maximum_typed_redraws_the_canvas_and_overview_and_auto_gives_the_percentiles_back(
    qtbot, tmp_path: Path, no_prompts, pyramid: bool
) -> None:
    win = open_cells(qtbot, tmp_path, pyramid)
    canvas, loaded = win.canvas, win.canvas.loaded
    assert shown(win, 260.5, 120.5) == (102, 255, 51)
    dlg = open_dialog(qtbot, win)
    assert [r.check.text() for r in dlg.rows] == ["DAPI", "FITC", "TRITC"]
    assert [(r.low.value(), r.high.value()) for r in dlg.rows] == [(0, 1000)] * 3
    fitc = dlg.rows[1]

    type_into(fitc.high, "4000")  # FITC dimmer: 1000 of 4000
    settle(qtbot, canvas)
    assert dlg.isVisible()  # Return committed the value; it did not press a button nor close the window
    assert loaded.channels.ranges[1].tolist() == [0, 4000]
    want = by_hand(BLOCK, [(0, 1000), (0, 4000), (0, 1000)])
    assert shown(win, 260.5, 120.5) == want == (102, 64, 51)
    assert shown(win, 300.5, 20.5) == (255, 64, 255)
    if pyramid:  # the overview (coarsest level) is drawn through the new range too
        assert tuple(loaded.overview[5, -5]) == (255, 64, 255)
    assert fitc.high_slider.value() == 1000  # 4000 is past the histogram's span (0..1000): at the end

    type_into(dlg.rows[0].low, "100")  # DAPI: 200 is now a half
    settle(qtbot, canvas)
    assert shown(win, 260.5, 120.5) == by_hand(BLOCK, [(100, 1000), (0, 4000), (0, 1000)])

    QTest.mouseClick(fitc.auto, Qt.MouseButton.LeftButton)  # FITC back to its percentiles
    settle(qtbot, canvas)
    assert (fitc.low.value(), fitc.high.value()) == (0, 1000)
    assert shown(win, 260.5, 120.5) == by_hand(BLOCK, [(100, 1000), (0, 1000), (0, 1000)])
    QTest.mouseClick(dlg.reset, Qt.MouseButton.LeftButton)
    settle(qtbot, canvas)
    assert shown(win, 260.5, 120.5) == (102, 255, 51) and dlg.rows[0].low.value() == 0
    if pyramid:
        assert tuple(loaded.overview[5, -5]) == (255, 255, 255)
    win.close()


def test_a_slider_moved_by_keys_applies_and_a_reversed_range_is_refused_and_said(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    win = open_cells(qtbot, tmp_path)
    dlg = open_dialog(qtbot, win)
    tritc = dlg.rows[2]
    tritc.high_slider.setFocus()
    QTest.keyClick(tritc.high_slider, Qt.Key.Key_PageDown)  # one page (10 of 1000 steps) down: 990
    settle(qtbot, win.canvas)
    assert win.canvas.loaded.channels.ranges[2].tolist() == [0, 990] and tritc.high.value() == 990
    assert shown(win, 260.5, 120.5) == by_hand(BLOCK, [(0, 1000), (0, 1000), (0, 990)]) == (103, 255, 51)

    type_into(dlg.rows[0].low, "5000")  # above DAPI's maximum
    settle(qtbot, win.canvas)
    assert "DAPI" in dlg.message.text() and "not above the minimum" in dlg.message.text()
    assert dlg.rows[0].low.value() == 0 and win.canvas.loaded.channels.ranges[0].tolist() == [0, 1000]
    assert shown(win, 260.5, 120.5) == (103, 255, 51)
    type_into(dlg.rows[0].low, "100")  # a good value clears the message
    assert dlg.message.text() == ""
    win.close()


def test_the_shown_boxes_mirror_the_channels_menu(qtbot, tmp_path: Path, no_prompts) -> None:
    win = open_cells(qtbot, tmp_path)
    dlg = open_dialog(qtbot, win)
    box = dlg.rows[1].check
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # its indicator
    settle(qtbot, win.canvas)
    assert win.canvas.loaded.channels.visible == [True, False, True]
    assert shown(win, 260.5, 120.5) == (102, 0, 51)
    click_channel(qtbot, win, "FITC")  # shown again from the menu: the dialog's box follows
    assert dlg.rows[1].check.isChecked()
    click_channel(qtbot, win, "TRITC")
    assert not dlg.rows[2].check.isChecked()
    fitc = next(a for a in win.channels_menu.menu.actions() if a.text() == "FITC")
    assert fitc.isChecked()
    win.close()


def test_every_control_of_the_dialog_is_reached_by_tab_and_has_a_name(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    win = open_cells(qtbot, tmp_path)
    dlg = open_dialog(qtbot, win)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.rows[0].check, timeout=10000)
    stops = tab_stops(dlg.rows[0].check)
    for row in dlg.rows:
        for w in (row.check, row.colour, row.auto, row.low_slider, row.low, row.high_slider, row.high):
            assert w in stops or w is dlg.rows[0].check, accessible_name(w)
    assert dlg.reset in stops and dlg.close_button in stops
    names = [accessible_name(w) for w in [dlg.rows[0].check, *stops]]
    assert all(names), names
    assert len(set(names)) == len(names)  # each says which channel it is for
    assert "FITC maximum" in names and "Auto range TRITC" in names and "DAPI colour" in names
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # Esc closes it
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=10000)
    click_channel(qtbot, win, "&Brightness / Contrast…")  # the menu item opens it again
    qtbot.waitUntil(dlg.isVisible, timeout=10000)
    assert len(dlg.rows) == 3
    win.close()


def test_ranges_follow_the_image_stay_while_it_is_loaded_and_never_reach_the_project(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    write(tmp_path / "cells.ome.tif", pyramid=False)
    tifffile.imwrite(tmp_path / "grey.tif", np.full((64, 64), 90, np.uint8))
    project = new_project(["cell"])
    project.add_image(ImageRecord(1, "cells.ome.tif", 384, 256))
    project.add_image(ImageRecord(2, "grey.tif", 64, 64))
    path = tmp_path / "p.json"
    save_project(project, path)
    before = path.read_bytes()
    win = open_main_window(qtbot, path)
    dlg = open_dialog(qtbot, win)
    type_into(dlg.rows[1].high, "4000")
    composite = win.canvas.loaded.channels
    dlg.resize(620, 520)  # the user's size stays while the window follows the images

    win.step_image(1)  # the grey image: the window says so, no rows
    qtbot.waitUntil(lambda: win.canvas.image_id == 2 and win.canvas.image_item is not None, timeout=10000)
    assert dlg.rows == [] and "not a multichannel image" in dlg.info.text()
    win.step_image(-1)  # back: the same image (still loaded) with its range
    qtbot.waitUntil(lambda: win.canvas.image_id == 1 and win.canvas.image_item is not None, timeout=10000)
    assert win.canvas.loaded.channels is composite
    assert [r.check.text() for r in dlg.rows] == ["DAPI", "FITC", "TRITC"] and dlg.rows[
        1
    ].high.value() == 4000
    assert (dlg.width(), dlg.height()) == (620, 520)
    assert not win.document.is_modified()  # a display setting: nothing to save
    assert path.read_bytes() == before
    win.close()


def test_the_assist_tool_sees_the_users_ranges_and_batch_reading_the_automatic_ones(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    win = open_cells(qtbot, tmp_path)
    dlg = open_dialog(qtbot, win)
    assist = win.tools["assist"]
    assert tuple(assist._pixels(say=False)[120, 260]) == (102, 255, 51)
    key = assist._ranges_key()
    type_into(dlg.rows[1].high, "4000")
    win.canvas.loaded.channels.visible[2] = False  # hidden channels still reach the model
    assert tuple(assist._pixels(say=False)[120, 260]) == by_hand(BLOCK, [(0, 1000), (0, 4000), (0, 1000)])
    assert assist._ranges_key() != key  # SAM's embedding is prepared again for the new picture
    assert tuple(read_image(tmp_path / "cells.ome.tif")[120, 260]) == (102, 255, 51)  # pre-labeling's read
    win.close()


def test_a_float_image_with_an_all_nan_channel_opens_the_window_and_takes_fractional_ranges(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    planes = np.zeros((2, 64, 96), np.float32)
    planes[0, :, 48:] = 0.8
    planes[1] = np.nan  # nothing to show nor count: the row still works
    tifffile.imwrite(tmp_path / "f.ome.tif", planes, photometric="minisblack", metadata={"axes": "CYX"})
    win = open_main_window(qtbot, one_image_project(tmp_path, "f.ome.tif", 96, 64))
    win.canvas.set_zoom(1.0)
    settle(qtbot, win.canvas)
    dlg = open_dialog(qtbot, win)
    assert [r.check.text() for r in dlg.rows] == ["Channel 1", "Channel 2"]
    assert shown(win, 60.5, 10.5) == (0, 0, 255)  # 0.8 is channel 1's maximum: full blue
    type_into(dlg.rows[0].high, "1.6")
    settle(qtbot, win.canvas)
    assert win.canvas.loaded.channels.ranges[0].tolist() == [0, 1.6]
    assert shown(win, 60.5, 10.5) == by_hand([0.8], [(0, 1.6)], (BLUE,)) == (0, 0, 128)
    type_into(dlg.rows[1].low, "0.25")  # the NaN channel: a range applies, nothing shows
    assert win.canvas.loaded.channels.ranges[1].tolist() == [0.25, 1]
    settle(qtbot, win.canvas)
    assert shown(win, 60.5, 10.5) == (0, 0, 128)
    win.close()
