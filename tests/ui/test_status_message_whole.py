"""A status bar message longer than the bar (New Project from Folder's DICOM series notes at 1366 px) was
drawn clipped at the first readout, the rest unreadable anywhere. Resting the pointer on the message shows
it whole; a short one is in the tooltip too, and none is once the message is gone."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from pixelproof.ui.status_message import CLICK_HINT, is_cut
from tests.ui.conftest import open_main_window, settle, tooltip_of

TAIL = "3 series left out: scout (1 slice), dose report (no pixels), ct_thin (1.0 mm, 412 slices)"
LONG = "New project over 96 images in /data/study/2024-03-11_CT_chest_abdomen_contrast; " * 3 + TAIL


def test_a_message_cut_by_the_readouts_is_whole_in_the_bar_tooltip(qtbot) -> None:  # type: ignore[no-untyped-def]
    win = open_main_window(qtbot)
    win.resize(1366, 768)
    qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
    bar = win.statusBar()
    win.shell.status(LONG, 15000)
    settle()
    assert bar.currentMessage() == LONG
    assert bar.fontMetrics().horizontalAdvance(LONG) > bar.width()  # it cannot be drawn whole
    assert is_cut(bar, LONG) and not is_cut(bar, "Saved")  # a cut one stays LONG_MS at least
    tip = tooltip_of(qtbot, bar, QPoint(40, bar.height() // 2), TAIL)
    assert tip == f"{LONG}\n\n{CLICK_HINT}"  # and where every message is kept
    bar.clearMessage()
    settle()
    assert bar.toolTip() == ""  # no stale message over the tool's hint
    win.close()
