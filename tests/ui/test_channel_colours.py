"""A channel's colour chosen in the Brightness / Contrast window (QuPath: double-click a channel and pick
its colour): a real click on the row's colour button opens Qt's own colour dialog (not the platform's,
which no test can drive), the colour set in it and OK clicked recolour the channel on the canvas as the
composite formula says (computed here); Cancel changes nothing; the file keeps the colour for the next
time; Reset All gives the file's colours back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QColorDialog, QDialogButtonBox

from tests.core.test_channel_ranges import BLUE, GREEN, RED, by_hand
from tests.ui.test_channel_ranges import BLOCK, open_cells, open_dialog
from tests.ui.test_large_images import shown
from tests.ui.test_slide_tiles import settle

TEAL = (0, 128, 128)


def pick(qtbot, dlg, row: int, color: tuple[int, int, int] | None) -> QColorDialog:  # type: ignore[no-untyped-def]
    """Click the row's colour button; in the picker set ``color`` and click OK (None: click Cancel)."""
    QTest.mouseClick(dlg.rows[row].colour, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.picker is not None and dlg.picker.isVisible(), timeout=10000)
    picker = dlg.picker
    assert picker.testOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
    buttons = picker.findChild(QDialogButtonBox)
    if color is None:
        picker.setCurrentColor(QColor(255, 255, 0))
        QTest.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    else:
        picker.setCurrentColor(QColor(*color))
        QTest.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not picker.isVisible(), timeout=10000)
    return picker


def test_a_colour_picked_for_a_channel_recolours_the_canvas_and_comes_back_with_the_file(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    win = open_cells(qtbot, tmp_path)
    dlg = open_dialog(qtbot, win)
    assert shown(win, 260.5, 120.5) == by_hand(BLOCK, [(0, 1000)] * 3) == (102, 255, 51)
    picker = pick(qtbot, dlg, 1, TEAL)
    assert picker.windowTitle() == "FITC colour"
    settle(qtbot, win.canvas)
    assert win.canvas.loaded.channels.channels[1].color == TEAL
    want = by_hand(BLOCK, [(0, 1000)] * 3, (BLUE, TEAL, RED))
    assert shown(win, 260.5, 120.5) == want == (102, 128, 179)
    assert dlg.rows[1].colour.icon().pixmap(14, 14).toImage().pixelColor(7, 7) == QColor(*TEAL)

    pick(qtbot, dlg, 1, None)  # Cancel: nothing changes
    assert win.canvas.loaded.channels.channels[1].color == TEAL
    win.document.undo_stack.setClean()
    project = win.document.path
    win.close()

    from tests.ui.conftest import open_main_window

    again = open_main_window(qtbot, project)
    try:
        assert [c.color for c in again.canvas.loaded.channels.channels] == [BLUE, TEAL, RED]
        again.canvas.set_zoom(1.0)
        again.canvas.centerOn(QPointF(260, 120))
        settle(qtbot, again.canvas)
        assert shown(again, 260.5, 120.5) == want
        dlg = open_dialog(qtbot, again)
        QTest.mouseClick(dlg.reset, Qt.MouseButton.LeftButton)  # Reset All: the file's colours
        settle(qtbot, again.canvas)
        assert [c.color for c in again.canvas.loaded.channels.channels] == [BLUE, GREEN, RED]
        assert shown(again, 260.5, 120.5) == (102, 255, 51)
    finally:
        again.document.undo_stack.setClean()
        again.close()
