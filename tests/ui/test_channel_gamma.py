"""Gamma in the Brightness / Contrast window (QuPath's Gamma slider), driven with real keys: the slider
moved with the arrow keys and a value typed into its box redraw the canvas as
``clip((v - lo) / (hi - lo), 0, 1) ** gamma`` times each colour says (computed here, not by the app); the
file shows the gamma again when the project is opened the next time; Reset All puts it back to 1."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from tests.ui.test_channel_ranges import BLOCK, open_cells, open_dialog, type_into
from tests.ui.test_large_images import shown
from tests.ui.test_slide_tiles import settle

COLORS = ((0, 0, 255), (0, 255, 0), (255, 0, 0))  # DAPI, FITC, TRITC


def with_gamma(values: list[float], gamma: float, top: float = 1000.0) -> tuple[int, int, int]:
    """One pixel from the formula, each channel over 0..top."""
    rgb = [0.0, 0.0, 0.0]
    for v, color in zip(values, COLORS, strict=True):
        f = min(1.0, max(0.0, v / top)) ** gamma
        rgb = [a + f * c for a, c in zip(rgb, color, strict=True)]
    return tuple(round(min(255.0, a)) for a in rgb)  # type: ignore[return-value]


def test_gamma_moved_by_keys_and_typed_redraws_the_canvas_and_comes_back_with_the_file(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    win = open_cells(qtbot, tmp_path)
    assert shown(win, 260.5, 120.5) == with_gamma(BLOCK, 1.0) == (102, 255, 51)
    dlg = open_dialog(qtbot, win)
    assert dlg.gamma_box.value() == 1.0 and dlg.gamma_slider.value() == 0
    dlg.gamma_slider.setFocus()
    for _ in range(30):  # 30 steps of 1 % of a decade up: 10 ** 0.3
        QTest.keyClick(dlg.gamma_slider, Qt.Key.Key_Right)
    settle(qtbot, win.canvas)
    assert dlg.gamma_box.value() == 2.0 == win.canvas.loaded.channels.gamma  # the value is shown
    assert shown(win, 260.5, 120.5) == with_gamma(BLOCK, 2.0) == (41, 255, 10)

    type_into(dlg.gamma_box, "0.5")
    settle(qtbot, win.canvas)
    assert win.canvas.loaded.channels.gamma == 0.5
    assert dlg.gamma_slider.value() == round(100 * math.log10(0.5)) == -30
    assert shown(win, 260.5, 120.5) == with_gamma(BLOCK, 0.5) == (161, 255, 114)
    QTest.keyClick(dlg.gamma_slider, Qt.Key.Key_Home)  # the least gamma
    assert win.canvas.loaded.channels.gamma == 0.1 and dlg.gamma_box.value() == 0.1
    type_into(dlg.gamma_box, "0.5")
    win.document.undo_stack.setClean()
    project = win.document.path
    win.close()

    from tests.ui.conftest import open_main_window

    again = open_main_window(qtbot, project)
    try:
        assert again.canvas.loaded.channels.gamma == 0.5
        again.canvas.set_zoom(1.0)
        again.canvas.centerOn(QPointF(260, 120))
        settle(qtbot, again.canvas)
        assert shown(again, 260.5, 120.5) == (161, 255, 114)
        dlg = open_dialog(qtbot, again)
        assert dlg.gamma_box.value() == 0.5 and dlg.gamma_slider.value() == -30
        QTest.mouseClick(dlg.reset, Qt.MouseButton.LeftButton)  # Reset All: gamma 1 again
        settle(qtbot, again.canvas)
        assert again.canvas.loaded.channels.gamma == 1.0 and dlg.gamma_box.value() == 1.0
        assert dlg.gamma_slider.value() == 0 and shown(again, 260.5, 120.5) == (102, 255, 51)
    finally:
        again.document.undo_stack.setClean()
        again.close()


def test_gamma_is_reached_by_tab_after_the_channels_and_steps_without_jumping_at_its_low_end(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    from PySide6.QtWidgets import QApplication

    from tests.ui.test_accessibility import tab_stops

    win = open_cells(qtbot, tmp_path)
    try:
        dlg = open_dialog(qtbot, win)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.rows[0].check, timeout=10000)
        stops = tab_stops(dlg.rows[0].check)
        last = stops.index(dlg.rows[-1].high)
        assert stops[last + 1 : last + 4] == [dlg.gamma_slider, dlg.gamma_box, dlg.reset]
        dlg.gamma_slider.setFocus()
        QTest.keyClick(dlg.gamma_slider, Qt.Key.Key_Home)
        seen = []
        for _ in range(12):  # steps the box's two decimals round to the same gamma do not move it back
            QTest.keyClick(dlg.gamma_slider, Qt.Key.Key_Right)
            seen.append((dlg.gamma_slider.value(), win.canvas.loaded.channels.gamma))
        assert [p for p, _ in seen] == list(range(-99, -87))
        assert [g for _, g in seen] == sorted(g for _, g in seen) and seen[-1][1] == 0.13
        assert dlg.gamma_box.value() == 0.13
    finally:
        win.close()
