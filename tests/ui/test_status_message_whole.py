"""A status bar message longer than the bar (New Project from Folder's DICOM series notes at 1366 px) was
drawn clipped at the first readout, the rest unreadable anywhere. Resting the pointer on the message shows
it whole; a short one is in the tooltip too, and none is once the message is gone."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from pixelproof.ui.status_message import CLICK_HINT, is_cut, message_room
from tests.ui.conftest import open_main_window, settle, tooltip_of
from tests.ui.test_hint_whole_words import cut_after_a_word

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


TRACK = (
    "Started tracking on a later frame (a box there puts it to drag into place, or Ctrl+C, Ctrl+V the box "
    "from the frame before); the frames between are left as they are, each with its own objects untouched"
)


def test_a_message_too_long_is_drawn_cut_after_a_whole_word_and_read_whole_elsewhere(qtbot) -> None:  # type: ignore[no-untyped-def]
    """At 1024x576 a long message was clipped mid-word ("…puts it to d"), nothing telling more followed:
    it is drawn after its last whole word that fits with ``…``; the bar's message, its tooltip and View >
    Messages… keep the whole text."""
    win = open_main_window(qtbot)
    win.resize(1024, 576)
    qtbot.waitUntil(lambda: win.width() == 1024, timeout=10000)
    bar = win.statusBar()
    win.shell.status(TRACK, 0)
    settle()
    bar.grab()  # a paint of the bar as it is shown
    drawn = bar.drawn
    assert cut_after_a_word(drawn, TRACK), drawn
    assert bar.fontMetrics().horizontalAdvance(drawn) <= message_room(bar)
    assert bar.currentMessage() == TRACK  # what the tests and the log read: the whole text
    assert bar.toolTip() == f"{TRACK}\n\n{CLICK_HINT}"
    assert win.shell.messages.messages[-1].text == TRACK
    win.shell.status("Saved", 0)  # a short one is drawn whole
    settle()
    bar.grab()
    assert bar.drawn == "Saved"
    win.resize(1366, 768)  # wider: more whole words, still cut after one
    qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
    win.shell.status(TRACK, 0)
    settle()
    bar.grab()
    assert len(bar.drawn) > len(drawn) and cut_after_a_word(bar.drawn, TRACK), bar.drawn
    win.close()
