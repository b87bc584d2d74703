"""Display settings saved to the project (Image > Channels > Save Display Settings to Project, QuPath's
per-image display settings): an annotator's "FITC up to 2500" is what a reviewer opening the project on
another machine (fresh app settings) sees; the save is one undo step that marks the project unsaved; the
project's settings are the baseline, a later change of one's own stays personal, and settings for other
channels are not applied and said. Real clicks and keys; pixels read off the canvas and checked against
the composite formula."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tifffile
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.image_folder import project_from_folder
from tests.core.test_channel_ranges import by_hand
from tests.ui.test_channel_ranges import open_cells, open_dialog, type_into
from tests.ui.test_channels import click_channel, write
from tests.ui.test_slide_tiles import settle

CTRL = Qt.KeyboardModifier.ControlModifier
SAVE = "Save Display Settings to Project"
BLOCK = [200, 1000, 400]  # DAPI, FITC, TRITC at (260, 120) of ``write``'s cells
FITC_2500 = by_hand(BLOCK, [(0, 1000), (0, 2500), (0, 1000)])


def pixel(qtbot, win) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    from tests.ui.test_large_images import shown

    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(260, 120))
    settle(qtbot, win.canvas)
    return shown(win, 260.5, 120.5)


def another_machine(tmp_path: Path, name: str) -> None:
    """App settings of another user: nothing remembered for any file."""
    folder = tmp_path / name
    folder.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


def back_to_canvas(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=10000)
    win.canvas.setFocus()


def test_a_range_saved_to_the_project_is_what_a_reviewer_with_fresh_settings_sees(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    from tests.ui.conftest import open_main_window

    win = open_cells(qtbot, tmp_path)
    project_file = tmp_path / "p.json"
    try:
        dlg = open_dialog(qtbot, win)
        type_into(dlg.rows[1].high, "2500")  # FITC up to 2500: the annotator sees the cells they label
        assert win.document.undo_stack.isClean()  # a range typed is the viewer's own: no project change
        back_to_canvas(qtbot, win)
        click_channel(qtbot, win, SAVE)
        stack = win.document.undo_stack
        assert not stack.isClean() and stack.undoText() == "Save display settings to the project"
        QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)  # undone: the project's settings (none) again
        assert "channel_display" not in win.document.project.app
        assert win.canvas.loaded.channels.ranges[1].tolist() == [0, 1000]
        QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)  # redone
        assert win.canvas.loaded.channels.ranges[1].tolist() == [0, 2500]
        QTest.keyClick(win.canvas, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(stack.isClean, timeout=10000)
    finally:
        win.document.undo_stack.setClean()
        win.close()
    entry = json.loads(project_file.read_text())["pixelproof"]["channel_display"]["1"]
    assert entry["names"] == ["DAPI", "FITC", "TRITC"] and entry["ranges"] == {"1": [0.0, 2500.0]}

    another_machine(tmp_path, "reviewer")
    again = open_main_window(qtbot, project_file)
    try:
        assert again.canvas.loaded.channels.ranges.tolist() == [[0, 1000], [0, 2500], [0, 1000]]
        assert pixel(qtbot, again) == FITC_2500 == (102, 102, 51)
        dlg = open_dialog(qtbot, again)
        assert dlg.rows[1].high.value() == 2500  # the window shows the range the canvas uses
        type_into(dlg.rows[1].high, "5000")  # the reviewer's own look: theirs, not the project's
        assert again.document.undo_stack.isClean()
    finally:
        again.document.undo_stack.setClean()
        again.close()
    assert json.loads(project_file.read_text())["pixelproof"]["channel_display"]["1"] == entry

    third = open_main_window(qtbot, project_file)  # the reviewer again: their own change over the baseline
    try:
        assert third.canvas.loaded.channels.ranges[1].tolist() == [0, 5000]
        click_channel(qtbot, third, "Use the Project's Display Settings")
        assert third.canvas.loaded.channels.ranges[1].tolist() == [0, 2500]
        assert pixel(qtbot, third) == FITC_2500
    finally:
        third.document.undo_stack.setClean()
        third.close()


def test_settings_saved_to_the_project_since_replace_ones_own_and_say_so(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A user's own FITC 4000, set before the lead saved FITC 2500 to the project (a merge brought it):
    the project's is the shared baseline, so it replaces the older own setting, and the status bar says."""
    from tests.ui.conftest import open_main_window

    win = open_cells(qtbot, tmp_path)
    project_file = tmp_path / "p.json"
    try:
        type_into(open_dialog(qtbot, win).rows[1].high, "4000")
    finally:
        win.document.undo_stack.setClean()
        win.close()
    project = load_project(project_file)
    settings = {"names": ["DAPI", "FITC", "TRITC"], "shown": [True] * 3, "ranges": {"1": [0, 2500]}}
    project.app["channel_display"] = {"1": {**settings, "updated": "2099-05-01T09:00:00Z", "author": "lead"}}
    save_project(project)

    again = open_main_window(qtbot, project_file)
    try:
        assert again.canvas.loaded.channels.ranges[1].tolist() == [0, 2500]
        assert again.statusBar().currentMessage() == (
            "cells.ome.tif: display settings saved to the project by lead 2099-05-01T09:00:00Z replace yours"
        )
    finally:
        again.document.undo_stack.setClean()
        again.close()


def test_settings_saved_for_other_channels_are_not_applied_and_said(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    from tests.ui.conftest import open_main_window
    from tests.ui.test_large_images import one_image_project

    write(tmp_path / "cells.ome.tif", pyramid=False)
    project_file = one_image_project(tmp_path, "cells.ome.tif", 384, 256)
    project = load_project(project_file)
    settings = {"names": ["CD3", "CD8"], "shown": [True, False], "ranges": {"0": [0, 5]}}
    project.app["channel_display"] = {"1": settings}
    save_project(project)
    win = open_main_window(qtbot, project_file)
    try:
        assert win.canvas.loaded.channels.ranges.tolist() == [[0, 1000]] * 3
        assert win.canvas.loaded.channels.visible == [True] * 3
        assert win.statusBar().currentMessage() == (
            "cells.ome.tif: the project's display settings are for channels CD3, CD8; this file has DAPI, "
            "FITC, TRITC: not applied"
        )
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_save_to_all_images_of_this_kind_sets_the_images_whose_files_have_the_same_channels(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    from tests.ui.conftest import open_main_window

    data = tmp_path / "data"
    data.mkdir()
    write(data / "a.ome.tif", pyramid=False)
    write(data / "b.ome.tif", pyramid=True)
    other = {"axes": "CYX", "Channel": {"Name": ["CD3", "CD8"]}}
    tifffile.imwrite(
        data / "c.ome.tif", np.ones((2, 32, 32), np.uint16), photometric="minisblack", metadata=other
    )
    project = project_from_folder(data, tmp_path / "p.json", ["cell"])
    save_project(project, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    try:
        type_into(open_dialog(qtbot, win).rows[1].high, "2500")
        back_to_canvas(qtbot, win)
        click_channel(qtbot, win, "Save Display Settings to All Images of This Kind")
        stack = win.document.undo_stack
        qtbot.waitUntil(lambda: stack.count() == 1, timeout=10000)
        assert stack.undoText() == "Save display settings to 2 images"
        saved = win.document.project.app["channel_display"]
        names = {win.document.project.images[int(k)].file_name for k in saved}
        assert names == {"data/a.ome.tif", "data/b.ome.tif"}
        assert "with channels DAPI, FITC, TRITC" in win.statusBar().currentMessage()
        back_to_canvas(qtbot, win)  # the menu gone, the main window active again before its key (CI s19-3)
        QTest.keyClick(win.canvas, Qt.Key.Key_D)  # the pyramid: shown with the saved range
        qtbot.waitUntil(lambda: win.document.current_image.file_name == "data/b.ome.tif", timeout=10000)
        qtbot.waitUntil(
            lambda: win.canvas.image_item is not None and not win.canvas.is_loading, timeout=10000
        )
        assert win.canvas.loaded.channels.ranges[1].tolist() == [0, 2500]
        assert pixel(qtbot, win) == FITC_2500
    finally:
        win.document.undo_stack.setClean()
        win.close()


def tick(qtbot, box) -> None:  # type: ignore[no-untyped-def]
    """A click on a check box's indicator (its middle may be past the label, where a click does nothing)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))


def test_reset_all_goes_back_to_the_project_settings_and_forgets_ones_own(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """FITC up to 2500 saved to the project, then the user's own look over it (FITC 5000, TRITC 300,
    gamma 2, DAPI hidden). Reset All put every channel at its automatic range (FITC 0..1000 again) and kept
    that as the user's own, so the project's shared look was lost until Use the Project's Display Settings.
    It now goes back to the project's settings (the baseline the image opened with), the channels shown as
    they are, and forgets the user's own once they match; the project itself is not changed."""
    from pixelproof.ui.settings import settings

    win = open_cells(qtbot, tmp_path)
    try:
        dlg = open_dialog(qtbot, win)
        type_into(dlg.rows[1].high, "2500")
        back_to_canvas(qtbot, win)
        click_channel(qtbot, win, SAVE)
        stack, menu = win.document.undo_stack, win.channels_menu
        steps, key = stack.count(), menu._key(win.canvas.image_id)
        loaded = win.canvas.loaded.channels
        dlg = open_dialog(qtbot, win)
        type_into(dlg.rows[1].high, "5000")
        type_into(dlg.rows[2].high, "300")
        type_into(dlg.gamma_box, "2")
        tick(qtbot, dlg.rows[0].check)  # DAPI hidden
        assert loaded.visible == [False, True, True] and loaded.gamma == 2.0
        assert settings().value(f"channel_view/{key}") is not None  # the user's own, over the project's
        assert "project" in dlg.reset.toolTip()
        qtbot.mouseClick(dlg.reset, Qt.MouseButton.LeftButton)
        assert loaded.ranges.tolist() == [[0, 1000], [0, 2500], [0, 1000]]  # the project's FITC 2500
        assert loaded.gamma == 1.0 and loaded.visible == [False, True, True]  # shown channels as they were
        assert dlg.rows[1].high.value() == 2500 and dlg.rows[2].high.value() == 1000
        assert stack.count() == steps  # the project is not changed
        tick(qtbot, dlg.rows[0].check)  # DAPI shown: the project's look
        assert settings().value(f"channel_view/{key}") is None  # nothing of the user's own left
        back_to_canvas(qtbot, win)
        assert pixel(qtbot, win) == FITC_2500
        QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)  # the project's settings undone: none left
        assert "channel_display" not in win.document.project.app
        dlg = open_dialog(qtbot, win)
        type_into(dlg.rows[1].high, "5000")
        assert "automatic" in dlg.reset.toolTip()
        qtbot.mouseClick(dlg.reset, Qt.MouseButton.LeftButton)  # no project settings: automatic ranges
        assert loaded.ranges.tolist() == [[0, 1000], [0, 1000], [0, 1000]]
        assert settings().value(f"channel_view/{key}") is None
    finally:
        win.document.undo_stack.setClean()
        win.close()
