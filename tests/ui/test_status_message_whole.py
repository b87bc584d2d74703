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
    win.shell.status(LONG, 0)  # until the next message: the tooltip's wait under load has no deadline
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


def time_up(timing) -> None:  # type: ignore[no-untyped-def]
    """The shown message's own time is up now: its timer fires at the next turn of the event loop (a
    real 300 ms on a loaded machine can pass before the resize the test makes first has been handled)."""
    assert timing.timer.isActive()
    timing.timer.start(0)


OPENED = "Opened /home/radiologist/projects/2024/abdomen_ct_liver_segments_review_round_2/project.json"


def test_a_message_cut_only_while_the_window_opened_narrow_leaves_at_its_own_time(
    qtbot, project_file
) -> None:  # type: ignore[no-untyped-def]
    """ "Opened <path>" was measured while the window was still opening narrow, judged cut and kept 30 s
    over the tool's hint at 1366 px, where it reads whole: whether it is cut is judged when its time is up."""
    win = open_main_window(qtbot, project_file)
    bar = win.statusBar()
    win.resize(640, 768)
    qtbot.waitUntil(lambda: win.width() == 640, timeout=10000)
    settle()
    win.shell.status(OPENED, 60000)  # its own time ends when the test says (time_up), not on the clock
    timing = win.shell.message_time
    assert is_cut(bar, OPENED)  # as the window opens
    win.resize(1366, 768)
    qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
    settle()
    assert not is_cut(bar, OPENED)
    time_up(timing)
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=10000)  # not kept to LONG_MS (30 s)
    qtbot.waitUntil(win.readout.target_label.isVisible, timeout=10000)  # the tool's hint again
    win.shell.status(LONG, 60000)  # cut at the width it shows in: kept, time to rest the pointer on it
    time_up(timing)
    qtbot.waitUntil(lambda: timing.kept, timeout=10000)
    assert bar.currentMessage() == LONG and timing.timer.isActive()  # till LONG_MS from its start
    win.document.undo_stack.setClean()
    win.close()
