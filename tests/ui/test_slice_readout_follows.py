"""The status bar's position and value follow the slice under a resting pointer: PgDn / PgUp (and the wheel
stepping slices) show another slice where the pointer rests, and its pixel there is read as 3D Slicer's data
probe reads it; the readout stayed blank until the mouse moved, so a reader comparing a spot's value across
slices had to wiggle the mouse on each. Real key and mouse events on the real window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import settle, wait_loaded
from tests.ui.test_slices import volume_window  # noqa: F401  (the fixture)
from tests.ui.test_wheel_slices import choose_step_slices, go_to, wheel


def test_the_readout_follows_the_slice_under_a_resting_pointer(qtbot, volume_window) -> None:  # noqa: F811
    win = volume_window
    go_to(qtbot, win, "data/ct.nii.gz#z=002")
    win.canvas.setFocus()
    vp = win.canvas.viewport()
    QTest.mouseMove(vp, vp.rect().center())
    settle()
    assert win.value_label.text() == "value 0 (16-bit)"  # slice 2 holds 2 * 100 - 200
    pos = win.pos_label.text()
    assert pos.endswith("S 5.0 mm"), pos  # 2.5 mm slices from 0

    QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
    wait_loaded(qtbot, win)
    qtbot.waitUntil(lambda: win.value_label.text() != "", timeout=5000)
    assert win.value_label.text() == "value 100 (16-bit)" and win.pos_label.text() == pos.replace(
        "S 5.0", "S 7.5"
    )

    choose_step_slices(win)
    wheel(win, -240)  # two notches towards the user: two slices back, the pointer where it was
    wait_loaded(qtbot, win)
    qtbot.waitUntil(lambda: win.value_label.text() == "value -100 (16-bit)", timeout=5000)
    assert win.pos_label.text() == pos.replace("S 5.0", "S 2.5")
