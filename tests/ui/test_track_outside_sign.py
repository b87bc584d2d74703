"""The canvas's sign that the current track left the view, on the real window with keys and clicks: track 1
(car) keyed on frames 0 and 8 and filled (Shift+T); on frame 3 its box clicked and Alt+O: the sign says
"Track 1 (car) left the view at frame 3 (next key: frame 8)" there and on frames 4-7 (D), not on the key
frame 8 nor on frame 2 before the mark (A); Ctrl+Z takes the mark back and the sign with it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import wait_loaded
from tests.ui.test_slice_fill import show_in_select
from tests.ui.test_track_box import next_frame
from tests.ui.test_track_outside import one_track  # noqa: F401 (the fixture)
from tests.ui.test_workbench import click, key, set_zoom, view_point

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
SAID = "Track 1 (car) left the view at frame 3 (next key: frame 8)"


def previous_frame(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """A, the image before, shown at 8x as ``next_frame`` shows the next."""
    key(win, Qt.Key.Key_A)
    wait_loaded(qtbot, win)
    set_zoom(win, 8.0, (24, 24))


def test_the_sign_shows_where_the_track_is_out_of_view_and_goes_on_a_key(qtbot, one_track) -> None:  # noqa: F811
    win, frame = one_track
    doc, sign = win.document, win.clipboard.track_sign.label
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))  # track 1's box: the current track
    key(win, Qt.Key.Key_T, SHIFT)  # Fill Between Frames
    assert not sign.isVisible()
    for _ in range(3):
        next_frame(qtbot, win)
    click(win, view_point(win, 24.5, 24.5))  # the filled box on frame 3
    assert not sign.isVisible()
    key(win, Qt.Key.Key_O, ALT)  # Track Leaves View Here
    assert doc.current_image_id == frame[3] and not doc.project.annotations_of(frame[3])
    assert sign.isVisible() and sign.text() == SAID
    for f in range(4, 9):
        next_frame(qtbot, win)
        assert doc.current_image_id == frame[f]
        assert sign.isVisible() == (f < 8), f  # frame 8 holds the next key: in view
    assert sign.text() == SAID
    for _ in range(6):
        previous_frame(qtbot, win)
    assert doc.current_image_id == frame[2] and not sign.isVisible()  # before the mark
    previous_frame(qtbot, win)
    show_in_select(qtbot, win, frame[5])
    assert sign.isVisible()
    key(win, Qt.Key.Key_Z, CTRL)  # the mark undone: the objects are back, the sign goes
    assert doc.project.annotations_of(frame[5]) and not sign.isVisible()
