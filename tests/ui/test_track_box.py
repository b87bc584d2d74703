"""Tracks > Track Box Here (Ctrl+T) and Fill Between Frames' key (Shift+T) on the real window, with the keys
and the mouse: track 7's box on frame 0 clicked, D to frame 1 (none of the track there), Ctrl+T - the box is
there at the place interpolated between frames 0 and 3, selected; dragged, Shift+T fills frame 2 between it
and frame 3. With the preference to refill the fills next to an edited key off (tests/ui/test_track_refill.py
has it on, the default), after a key's drag next to filled frames the status bar says Shift+T fills them
again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pixelproof.core.track_fill import SOURCE, untouched_fill
from pixelproof.ui.status_message import is_cut, message_room
from pixelproof.ui.track_box_actions import no_current_track
from pixelproof.ui.track_refill import set_refills
from tests.ui.conftest import settle, wait_loaded
from tests.ui.test_slice_fill import show_in_select
from tests.ui.test_track_fill import clip  # noqa: F401 (the fixture)
from tests.ui.test_workbench import click, drag, key, set_zoom, view_point

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def next_frame(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """D, the next image, shown at 8x as ``show_in_select`` shows the first."""
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    set_zoom(win, 8.0, (24, 24))


@pytest.fixture(autouse=True)
def refill_off() -> None:
    """Edit > Preferences' "refill interpolated frames when a key frame changes" off: fills stay until
    Shift+T."""
    set_refills(False)


def track_objects(doc, image_id: int) -> list:  # type: ignore[no-untyped-def]
    return [a for a in doc.project.annotations_of(image_id) if a.extra.get("track_id") == 7]


def test_ctrl_t_puts_the_tracks_box_on_the_next_frame_to_drag_and_shift_t_refills(qtbot, clip) -> None:  # noqa: F811
    win, frame = clip
    doc = win.document
    act = win.clipboard.track_box.act_box
    show_in_select(qtbot, win, frame[0])
    assert not act.isEnabled() and act.statusTip() == no_current_track()  # no track selected yet
    key(win, Qt.Key.Key_T, CTRL)
    assert track_objects(doc, frame[1]) == []
    click(win, view_point(win, 24.5, 24.5))  # track 7's box
    assert [a.id for a in doc.selected_annotations()] == [1] and act.isEnabled()
    next_frame(qtbot, win)
    assert doc.current_image_id == frame[1] and doc.selection == []  # the track is remembered
    key(win, Qt.Key.Key_T, CTRL)
    (box,) = track_objects(doc, frame[1])
    assert box.bbox == pytest.approx([20.0, 12.0, 16.0, 16.0])  # a third of the way from frame 0 to 3
    assert box.source == "manual" and not untouched_fill(box)  # a key, not a fill
    assert doc.selection == [box.id]
    said = win.statusBar().currentMessage()
    assert (
        said
        == "Track 7's key on frame 1, between frames 0 and 3: drag it into place (V); Shift+T fills again"
    )
    assert win.act_undo.text() == "&Undo Track Box Here (track 7, frame 1)"
    drag(win, view_point(win, 28.0, 20.0), view_point(win, 32.0, 24.0))  # into place: 4 px right, 4 down
    assert doc.project.annotations[box.id].bbox == pytest.approx([24.0, 16.0, 16.0, 16.0])
    key(win, Qt.Key.Key_T, SHIFT)  # Fill Between Frames: frame 2 between the moved key and frame 3
    (filled,) = track_objects(doc, frame[2])
    assert filled.source == SOURCE and filled.bbox == pytest.approx([26.0, 10.0, 16.0, 16.0])
    assert win.statusBar().currentMessage().startswith("Filled 1 frame of track 7 between 3 drawn frames")
    for _ in range(3):  # the fill, the drag, the box: each one undo step
        key(win, Qt.Key.Key_Z, CTRL)
    assert track_objects(doc, frame[1]) == [] and track_objects(doc, frame[2]) == []


def test_a_dragged_key_says_shift_t_fills_again_and_ctrl_t_makes_a_fill_a_key(qtbot, clip) -> None:  # noqa: F811
    win, frame = clip
    doc = win.document
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))
    key(win, Qt.Key.Key_T, SHIFT)
    assert len(track_objects(doc, frame[1])) == len(track_objects(doc, frame[2])) == 1
    next_frame(qtbot, win)
    next_frame(qtbot, win)
    assert doc.current_image_id == frame[2]
    (fill,) = track_objects(doc, frame[2])
    key(win, Qt.Key.Key_T, CTRL)  # the fill shown becomes a key, selected to drag
    (key_now,) = track_objects(doc, frame[2])
    assert key_now.id == fill.id and key_now.bbox == fill.bbox and not untouched_fill(key_now)
    assert doc.selection == [fill.id]
    assert win.statusBar().currentMessage().startswith("Track 7's fill on frame 2 is a key now")
    x, y = key_now.bbox[0] + 8, key_now.bbox[1] + 8
    drag(win, view_point(win, x, y), view_point(win, x + 4, y))
    said = win.statusBar().currentMessage()
    assert said == (
        "Track 7's filled frames next to this key are from before the change: Shift+T fills track 7 again"
    )
    key(win, Qt.Key.Key_T, SHIFT)
    (again,) = track_objects(doc, frame[1])
    assert again.bbox == pytest.approx([22.0, 12.0, 16.0, 16.0])  # frame 1: half way from 16, 16 to 28, 8
    assert "1 of them again" in win.statusBar().currentMessage()


def test_an_edit_of_keys_of_two_tracks_numbers_the_folder_once(qtbot, clip, monkeypatch) -> None:  # noqa: F811
    """The check after an edit of keys (are the fills next to them out of date?) numbered the folder's frames
    once per edited key, 0.3 s each on a 100,000-frame video: an edit of several keys of one frame now
    numbers them once, and the status bar still says what is out of date."""
    from pixelproof.core import track_fill
    from pixelproof.core.edits import AddAnnotations, ReplaceAnnotations
    from pixelproof.core.geometry import clone
    from pixelproof.core.model import Annotation

    win, frame = clip
    doc = win.document
    show_in_select(qtbot, win, frame[0])
    doc.push(
        AddAnnotations(
            [
                Annotation(20, frame[0], 1, [2.0, 2.0, 8.0, 8.0], area=64.0, extra={"track_id": 8}),
                Annotation(21, frame[3], 1, [10.0, 2.0, 8.0, 8.0], area=64.0, extra={"track_id": 8}),
            ]
        )
    )
    click(win, view_point(win, 24.5, 24.5))
    key(win, Qt.Key.Key_T, SHIFT)  # track 7 filled on frames 1 and 2
    calls: list[int] = []
    real = track_fill.sequence_frames
    monkeypatch.setattr(track_fill, "sequence_frames", lambda p, i: calls.append(i) or real(p, i))
    moved = []
    for ann_id in (20, 1):  # both keys of frame 0 moved in one edit, track 8 (no fills) first
        b = clone(doc.project.annotations[ann_id])
        b.bbox = [b.bbox[0] + 1, *b.bbox[1:]]
        moved.append(b)
    doc.push(ReplaceAnnotations(moved, "Move"))
    assert calls == [frame[0]]
    assert win.statusBar().currentMessage() == (
        "Track 7's filled frames next to this key are from before the change: Shift+T fills track 7 again"
    )


@pytest.mark.parametrize("refills", [False, True])
def test_ctrl_ts_message_fits_the_bar_at_1366(qtbot, clip, refills) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Ctrl+T's message was cut at 1366 px ("...then the filled..."): what to do next was never read."""
    win, frame = clip
    set_refills(refills)
    win.resize(1366, 768)
    qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))
    next_frame(qtbot, win)
    key(win, Qt.Key.Key_T, CTRL)  # interpolated between frames 0 and 3: the longest of the usual ones
    settle()
    bar = win.statusBar()
    said = bar.currentMessage()
    assert said.startswith("Track 7's key on frame 1, between frames 0 and 3: drag it into place (V); ")
    assert said.endswith("the fills beside it follow" if refills else "Shift+T fills again")
    longer = said.replace("7", "1234").replace(" 1", " 1234").replace(" 3", " 1300")  # a long video's numbers
    assert not is_cut(bar, longer), (bar.fontMetrics().horizontalAdvance(longer), message_room(bar))
