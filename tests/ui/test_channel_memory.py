"""A pathologist's channel settings (which channels are shown, display ranges set in Brightness /
Contrast) follow the file, not the plane: PgDn to the next plane of a multichannel z-stack keeps them (as
a window set by hand stays for a CT volume), and a project opened again shows each file as it was left.
Driven with real clicks and keys; pixels read off the canvas and checked against the composite formula."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tifffile
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from tests.core.test_channel_ranges import by_hand
from tests.ui.test_channel_ranges import open_cells, open_dialog, type_into
from tests.ui.test_channels import BLUE, GREEN, RED, click_channel, write
from tests.ui.test_large_images import one_image_project, shown
from tests.ui.test_slide_tiles import settle

META = {"axes": "ZCYX", "Channel": {"Name": ["DAPI", "FITC", "TRITC"], "Color": [BLUE, GREEN, RED]}}


def stack_window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A ZCYX OME-TIFF of 4 planes (each channel 0..1000: right half at 1000, a block of DAPI 200,
    FITC 1000, TRITC 400 at x 20..28, y 4..12) and a second one-plane-a-channel file after it."""
    data = tmp_path / "data"
    data.mkdir()
    planes = np.zeros((4, 3, 32, 48), np.uint16)
    planes[:, :, :, 24:] = 1000
    planes[:, :, 4:12, 8:16] = np.array([200, 1000, 400], np.uint16)[None, :, None, None]
    tifffile.imwrite(data / "cells.ome.tif", planes, photometric="minisblack", metadata=META)
    write(data / "other.ome.tif", pyramid=False)
    project = project_from_folder(data, tmp_path / "p.json", ["cell"])
    save_project(project, tmp_path / "p.json")
    from tests.ui.conftest import open_main_window

    win = open_main_window(qtbot, tmp_path / "p.json")
    look_at_block(qtbot, win)
    return win


def look_at_block(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    win.canvas.set_zoom(4.0)
    win.canvas.centerOn(QPointF(20, 10))
    settle(qtbot, win.canvas)


def back_to_canvas(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """The user goes back from the Brightness / Contrast window to the main window's canvas."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=10000)
    win.canvas.setFocus()


def name(win) -> str:
    return win.document.current_image.file_name


def test_channel_settings_stay_while_paging_through_the_planes_of_a_z_stack(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    win = stack_window(qtbot, tmp_path)
    try:
        assert name(win) == "data/cells.ome.tif#z=000"
        assert shown(win, 10.5, 6.5) == (102, 255, 51)
        dlg = open_dialog(qtbot, win)
        type_into(dlg.rows[1].high, "4000")  # FITC dimmer
        click_channel(qtbot, win, "TRITC")  # TRITC hidden
        settle(qtbot, win.canvas)
        want = by_hand([200, 1000, 0], [(0, 1000), (0, 4000), (0, 1000)])
        assert shown(win, 10.5, 6.5) == want == (0, 64, 51)

        back_to_canvas(qtbot, win)
        QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
        qtbot.waitUntil(
            lambda: name(win) == "data/cells.ome.tif#z=001" and win.canvas.image_item is not None,
            timeout=10000,
        )
        qtbot.waitUntil(lambda: not win.canvas.is_loading, timeout=10000)
        composite = win.canvas.loaded.channels
        assert composite.visible == [True, True, False]
        assert composite.ranges[1].tolist() == [0, 4000]
        look_at_block(qtbot, win)
        assert shown(win, 10.5, 6.5) == want
        assert [(r.check.isChecked(), r.high.value()) for r in dlg.rows] == [
            (True, 1000),
            (True, 4000),
            (False, 1000),
        ]

        win.slices.slider.setValue(3)  # the slider too, and back to a plane seen before
        qtbot.waitUntil(
            lambda: name(win) == "data/cells.ome.tif#z=003" and not win.canvas.is_loading, timeout=10000
        )
        assert win.canvas.loaded.channels.visible == [True, True, False]
        QTest.keyClick(dlg.rows[1].auto, Qt.Key.Key_Space)  # FITC back to automatic on this plane...
        back_to_canvas(qtbot, win)
        QTest.keyClick(win.canvas, Qt.Key.Key_PageUp)
        qtbot.waitUntil(
            lambda: name(win) == "data/cells.ome.tif#z=002" and not win.canvas.is_loading, timeout=10000
        )
        assert win.canvas.loaded.channels.ranges[1].tolist() == [0, 1000]  # ...and on the next one
        QTest.keyClick(win.canvas, Qt.Key.Key_PageUp)  # a plane the loader kept since FITC was at 4000
        qtbot.waitUntil(
            lambda: name(win) == "data/cells.ome.tif#z=001" and not win.canvas.is_loading, timeout=10000
        )
        assert win.canvas.loaded.channels.ranges[1].tolist() == [0, 1000]
        assert win.canvas.loaded.channels.visible == [True, True, False]
        look_at_block(qtbot, win)
        assert shown(win, 10.5, 6.5) == by_hand([200, 1000, 0], [(0, 1000)] * 3)
        QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)

        QTest.keyClick(win.canvas, Qt.Key.Key_D)  # the last plane, then another file: its own settings
        qtbot.waitUntil(
            lambda: name(win) == "data/cells.ome.tif#z=003" and not win.canvas.is_loading, timeout=10000
        )
        QTest.keyClick(win.canvas, Qt.Key.Key_D)
        qtbot.waitUntil(
            lambda: name(win) == "data/other.ome.tif" and not win.canvas.is_loading, timeout=10000
        )
        assert win.canvas.loaded.channels.visible == [True, True, True]
        assert win.canvas.loaded.channels.ranges.tolist() == [[0, 1000]] * 3
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_project_opened_again_shows_each_file_with_the_channels_and_ranges_left(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    win = open_cells(qtbot, tmp_path)
    project_file = tmp_path / "p.json"
    before = project_file.read_bytes()
    # the clock stands still: a second on the image under load is time spent, which closing saves
    win.teams.timer.clock = lambda: win.teams.timer.since
    dlg = open_dialog(qtbot, win)
    type_into(dlg.rows[0].low, "100")
    click_channel(qtbot, win, "FITC")
    settle(qtbot, win.canvas)
    want = by_hand([200, 0, 400], [(100, 1000), (0, 1000), (0, 1000)])
    assert shown(win, 260.5, 120.5) == want
    win.document.undo_stack.setClean()
    win.close()
    assert project_file.read_bytes() == before  # a display setting: the project file is not touched

    from tests.ui.conftest import open_main_window

    again = open_main_window(qtbot, project_file)
    try:
        composite = again.canvas.loaded.channels
        assert composite.visible == [True, False, True]
        assert composite.ranges.tolist() == [[100, 1000], [0, 1000], [0, 1000]]
        assert composite.is_set(0) and not composite.is_set(1)  # Auto still knows what was set
        again.canvas.set_zoom(1.0)
        again.canvas.centerOn(QPointF(260, 120))
        settle(qtbot, again.canvas)
        assert shown(again, 260.5, 120.5) == want
        dlg = open_dialog(qtbot, again)
        QTest.mouseClick(dlg.reset, Qt.MouseButton.LeftButton)  # Reset All: the ranges are automatic...
        click_channel(qtbot, again, "FITC")  # ...and every channel shown: nothing to remember
    finally:
        again.document.undo_stack.setClean()
        again.close()
    third = open_main_window(qtbot, project_file)
    try:
        assert third.canvas.loaded.channels.visible == [True] * 3
        assert not any(third.canvas.loaded.channels.is_set(i) for i in range(3))
    finally:
        third.document.undo_stack.setClean()
        third.close()


def test_settings_left_on_a_file_rewritten_with_other_channels_are_not_applied(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    win = open_cells(qtbot, tmp_path)
    dlg = open_dialog(qtbot, win)
    type_into(dlg.rows[2].high, "3000")
    click_channel(qtbot, win, "DAPI")
    win.document.undo_stack.setClean()
    win.close()
    planes = np.full((2, 256, 384), 500, np.uint16)  # the same name, now two other channels
    planes[:, :, 192:] = 900
    meta = {"axes": "CYX", "Channel": {"Name": ["CD3", "CD8"]}}
    tifffile.imwrite(tmp_path / "cells.ome.tif", planes, photometric="minisblack", metadata=meta)

    from tests.ui.conftest import open_main_window

    again = open_main_window(qtbot, one_image_project(tmp_path, "cells.ome.tif", 384, 256))
    try:
        composite = again.canvas.loaded.channels
        assert [c.name for c in composite.channels] == ["CD3", "CD8"]
        assert composite.visible == [True, True] and not composite.is_set(0) and not composite.is_set(1)
    finally:
        again.document.undo_stack.setClean()
        again.close()


def test_a_new_project_keeps_the_settings_for_its_planes_before_and_after_it_is_saved(
    qtbot, tmp_path: Path, no_prompts, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from tests.ui.conftest import open_main_window, wait_loaded

    data = tmp_path / "data"
    data.mkdir()
    planes = np.zeros((3, 3, 32, 48), np.uint16)
    planes[:, :, :, 24:] = 1000
    tifffile.imwrite(data / "cells.ome.tif", planes, photometric="minisblack", metadata=META)
    win = open_main_window(qtbot)
    try:
        assert win.open_path(data, ["cell"])  # read in a background job
        wait_loaded(qtbot, win)
        assert win.document.untitled and name(win).endswith("cells.ome.tif#z=000")
        click_channel(qtbot, win, "FITC")
        back_to_canvas(qtbot, win)
        QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
        qtbot.waitUntil(lambda: name(win).endswith("#z=001") and not win.canvas.is_loading, timeout=10000)
        assert win.canvas.loaded.channels.visible == [True, False, True]
        target = tmp_path / "elsewhere" / "labels.json"
        target.parent.mkdir()
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
        QTest.keyClick(win.canvas, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(target.exists, timeout=10000)
        QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)  # saved under a name of its own: still kept
        qtbot.waitUntil(lambda: name(win).endswith("#z=002") and not win.canvas.is_loading, timeout=10000)
        assert win.canvas.loaded.channels.visible == [True, False, True]
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_page_keys_in_the_brightness_contrast_window_step_the_planes_not_the_range(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A Fiji user adjusting a channel presses PgDn for the next plane: with the focus in a Min / Max box
    it stepped that box by ten (the range changed unseen) and the plane stayed."""
    win = stack_window(qtbot, tmp_path)
    try:
        dlg = open_dialog(qtbot, win)
        type_into(dlg.rows[1].high, "4000")
        qtbot.waitUntil(dlg.isActiveWindow, timeout=10000)
        QTest.keyClick(dlg.rows[1].high, Qt.Key.Key_PageDown)
        qtbot.waitUntil(
            lambda: name(win) == "data/cells.ome.tif#z=001" and not win.canvas.is_loading, timeout=10000
        )
        assert win.canvas.loaded.channels.ranges[1].tolist() == [0, 4000]
        assert dlg.rows[1].high.value() == 4000
        QTest.keyClick(dlg.rows[0].low_slider, Qt.Key.Key_PageUp)  # a slider's page step alike
        qtbot.waitUntil(
            lambda: name(win) == "data/cells.ome.tif#z=000" and not win.canvas.is_loading, timeout=10000
        )
        assert win.canvas.loaded.channels.ranges[0].tolist() == [0, 1000]
        QTest.keyClick(dlg.rows[1].high, Qt.Key.Key_Up)  # the arrow keys still step the value
        assert win.canvas.loaded.channels.ranges[1].tolist() == [0, 4001]
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_focus_stays_on_its_control_when_pgdn_in_the_brightness_contrast_window_turns_the_plane(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """PgDn from a Min / Max box steps the plane, and the window's rows are made again for it: the box that
    had the focus went with them and nothing in the window had it (the next Up stepped nothing, and Tab
    started again from the top). The same control of the same channel keeps it."""
    from PySide6.QtWidgets import QApplication

    win = stack_window(qtbot, tmp_path)
    try:
        dlg = open_dialog(qtbot, win)
        type_into(dlg.rows[1].high, "4000")
        qtbot.waitUntil(dlg.isActiveWindow, timeout=10000)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown)
        qtbot.waitUntil(
            lambda: name(win) == "data/cells.ome.tif#z=001" and not win.canvas.is_loading, timeout=10000
        )
        assert QApplication.focusWidget() is dlg.rows[1].high
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)
        assert win.canvas.loaded.channels.ranges[1].tolist() == [0, 4001]
        dlg.rows[0].low_slider.setFocus()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp)
        qtbot.waitUntil(
            lambda: name(win) == "data/cells.ome.tif#z=000" and not win.canvas.is_loading, timeout=10000
        )
        assert QApplication.focusWidget() is dlg.rows[0].low_slider
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_settings_of_at_most_kept_files_stay_the_least_recently_used_dropped(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """Every multichannel file ever set up left its entry in the app's settings for ever; now the
    ``KEPT_FILES`` most recently used are kept. Entries an older version left (no order) go first."""
    from pixelproof.core.view_memory import KEPT_FILES, file_key
    from pixelproof.ui.settings import settings

    s = settings()
    for i in range(KEPT_FILES):  # a settings file full of files set up by an older version
        s.setValue(f"channel_view/{i:020x}", '{"names": ["A", "B"], "shown": [true, false], "ranges": {}}')
    s.sync()
    win = open_cells(qtbot, tmp_path)
    mine = file_key(str(tmp_path / "cells.ome.tif"))
    try:
        dlg = open_dialog(qtbot, win)
        type_into(dlg.rows[0].low, "100")
        s = settings()
        s.beginGroup("channel_view")
        kept = s.childKeys()
        s.endGroup()
        assert len(kept) == KEPT_FILES and mine in kept
        assert f"{0:020x}" in kept and f"{KEPT_FILES - 1:020x}" not in kept  # one legacy entry went
        QTest.mouseClick(dlg.reset, Qt.MouseButton.LeftButton)  # nothing to keep: forgotten, order too
        s = settings()
        assert not s.contains(f"channel_view/{mine}")
        assert mine not in str(s.value("channel_view_order"))
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_settings_nested_too_deep_for_json_are_dropped_not_a_traceback(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A damaged settings file (an entry of thousands of '[', as a broken sync or hand edit leaves): json
    raised RecursionError, which the restore did not catch, so showing the file printed a traceback and a
    click on a channel did not keep its setting. Now such an entry counts as none."""
    from pixelproof.core.view_memory import file_key
    from pixelproof.ui.channels_menu import GROUP, ORDER_KEY
    from pixelproof.ui.settings import settings

    write(tmp_path / "cells.ome.tif", False)
    deep = "[" * 100_000
    settings().setValue(f"{GROUP}/{file_key(str(tmp_path / 'cells.ome.tif'))}", deep)
    settings().setValue(ORDER_KEY, deep)
    settings().sync()
    from tests.ui.conftest import open_main_window

    win = open_main_window(qtbot, one_image_project(tmp_path, "cells.ome.tif", 384, 256))
    try:
        settle(qtbot, win.canvas)
        composite = win.canvas.loaded.channels
        assert composite.visible == [True, True, True] and composite.gamma == 1.0
        click_channel(qtbot, win, "DAPI")  # kept, and the order written anew
        assert composite.visible == [False, True, True]
        assert settings().value(ORDER_KEY) == f'["{file_key(str(tmp_path / "cells.ome.tif"))}"]'
    finally:
        win.document.undo_stack.setClean()
        win.close()
