"""The fills next to a video track's key follow its edit (Edit > Preferences' "Video tracks: refill
interpolated frames when a key frame changes", on by default), on the real window with the mouse: track 7's
boxes on frames 0 and 3 filled with Shift+T, the key on frame 0 dragged - frames 1 and 2 follow it in the
drag's undo step (one Ctrl+Z takes back both, Ctrl+Y redoes both); a fill the user dragged is a key and stays;
arrow-key nudges in a row are one undo step with their refills; the preference off (its checkbox clicked)
leaves the fills and the status bar says Shift+T fills them again."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from pixelproof.core.track_fill import fill_between_frames, untouched_fill
from pixelproof.ui.preferences import PreferencesDialog
from pixelproof.ui.track_refill import LABEL, refills, set_refills
from tests.ui.test_slice_fill import show_in_select
from tests.ui.test_track_box import next_frame, track_objects
from tests.ui.test_track_fill import clip  # noqa: F401 (the fixture)
from tests.ui.test_workbench import click, drag, key, view_point

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def boxes(doc, frame: list[int]) -> dict[int, list[list[float]]]:  # type: ignore[no-untyped-def]
    """Frame number -> track 7's boxes there."""
    return {f: [list(a.bbox) for a in track_objects(doc, i)] for f, i in enumerate(frame)}


def filled_on_frame_0(qtbot, win, frame):  # type: ignore[no-untyped-def]
    """Frame 0 shown at 8x, its key selected, frames 1 and 2 filled (Shift+T)."""
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))
    key(win, Qt.Key.Key_T, SHIFT)
    assert all(untouched_fill(a) for i in frame[1:3] for a in track_objects(win.document, i))
    return boxes(win.document, frame)


def test_a_dragged_key_moves_the_fills_next_to_it_in_one_undo_step(qtbot, clip) -> None:  # noqa: F811
    win, frame = clip
    doc = win.document
    assert refills()  # the default
    before = filled_on_frame_0(qtbot, win, frame)
    steps = doc.undo_stack.count()
    drag(win, view_point(win, 24.0, 24.0), view_point(win, 28.0, 28.0))  # the key 4 px right, 4 down
    after = boxes(doc, frame)
    assert after[0] == [pytest.approx([20.0, 20.0, 16.0, 16.0])]
    # a third and two thirds of the way from the moved key (20, 20) to frame 3's (28, 4)
    assert after[1] == [pytest.approx([20 + 8 / 3, 20 - 16 / 3, 16.0, 16.0])]
    assert after[2] == [pytest.approx([20 + 16 / 3, 20 - 32 / 3, 16.0, 16.0])]
    assert all(untouched_fill(a) for i in frame[1:3] for a in track_objects(doc, i))  # fills still
    assert doc.undo_stack.count() == steps + 1
    said = win.statusBar().currentMessage()
    assert said == "2 filled frames of track 7 next to the key follow it (Ctrl+Z takes back both)"
    key(win, Qt.Key.Key_Z, CTRL)  # one undo: the key and its fills back
    assert boxes(doc, frame) == before
    key(win, Qt.Key.Key_Y, CTRL)  # one redo: both again
    assert boxes(doc, frame) == after


def test_a_fill_the_user_dragged_is_a_key_and_stays_when_the_key_before_it_moves(qtbot, clip) -> None:  # noqa: F811
    win, frame = clip
    doc = win.document
    filled_on_frame_0(qtbot, win, frame)
    next_frame(qtbot, win)  # frame 1: its fill at (20, 12)
    drag(win, view_point(win, 28.0, 20.0), view_point(win, 28.0, 28.0))  # 8 px down: the user's now
    (dragged,) = track_objects(doc, frame[1])
    assert dragged.bbox == pytest.approx([20.0, 20.0, 16.0, 16.0]) and not untouched_fill(dragged)
    (two,) = track_objects(doc, frame[2])  # half way between the new key on frame 1 and frame 3's
    assert two.bbox == pytest.approx([24.0, 12.0, 16.0, 16.0]) and untouched_fill(two)
    key(win, Qt.Key.Key_A)
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))
    drag(win, view_point(win, 24.0, 24.0), view_point(win, 20.0, 24.0))  # frame 0's key 4 px left
    assert [a.bbox for a in track_objects(doc, frame[0])] == [pytest.approx([12.0, 16.0, 16.0, 16.0])]
    assert [a.bbox for a in track_objects(doc, frame[1])] == [pytest.approx([20.0, 20.0, 16.0, 16.0])]
    assert [a.bbox for a in track_objects(doc, frame[2])] == [pytest.approx([24.0, 12.0, 16.0, 16.0])]


def test_arrow_key_nudges_in_a_row_are_one_undo_step_with_their_refills(qtbot, clip) -> None:  # noqa: F811
    win, frame = clip
    doc = win.document
    before = filled_on_frame_0(qtbot, win, frame)
    steps = doc.undo_stack.count()
    for _ in range(3):
        key(win, Qt.Key.Key_Right)
    assert doc.undo_stack.count() == steps + 1  # one step
    (one,) = track_objects(doc, frame[1])
    assert one.bbox == pytest.approx([19 + 9 / 3, 16 - 12 / 3, 16.0, 16.0])  # follows the key at (19, 16)
    key(win, Qt.Key.Key_Z, CTRL)
    assert boxes(doc, frame) == before and len(doc.project.annotations) == 5


def test_with_the_preference_off_the_fills_stay_and_the_status_bar_says_shift_t(qtbot, clip) -> None:  # noqa: F811
    win, frame = clip
    doc = win.document
    dialog = PreferencesDialog(win)
    (box,) = [b for b in dialog.findChildren(QCheckBox) if b.text().replace("&", "") == LABEL]
    assert box.isChecked()
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    dialog.close()
    assert not refills()
    before = filled_on_frame_0(qtbot, win, frame)
    drag(win, view_point(win, 24.0, 24.0), view_point(win, 28.0, 28.0))
    assert {f: b for f, b in boxes(doc, frame).items() if f in (1, 2)} == {1: before[1], 2: before[2]}
    assert win.statusBar().currentMessage() == (
        "Track 7's filled frames next to this key are from before the change: Shift+T fills track 7 again"
    )


@pytest.fixture
def three_keys(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """Frames 0-4 of 48x48; track 7's keys on frames 0, 2 and 4 filled (frames 1 and 3), then a second
    object of track 7 on frame 4 (a hand-edited project): the run 2-4 can no longer be filled again."""
    data = tmp_path / "data"
    data.mkdir()
    for f in range(5):
        cv2.imwrite(str(data / f"frame_{f:06d}.png"), np.zeros((48, 48), np.uint8))
    project = project_from_folder(data, tmp_path / "p.json", ["car"])
    ids = {im.file_name: im.id for im in project.images.values()}
    frame = [ids[f"data/frame_{f:06d}.png"] for f in range(5)]
    for ann_id, (f, box) in enumerate(((0, [0.0, 16.0]), (2, [16.0, 16.0]), (4, [28.0, 4.0])), 1):
        project.add_annotation(
            Annotation(ann_id, frame[f], 1, [*box, 16.0, 16.0], area=256.0, extra={"track_id": 7})
        )
    fill = fill_between_frames(project, frame[0], 7).edit
    assert fill is not None
    fill.apply(project)
    extra = Annotation(99, frame[4], 1, [0.0, 30.0, 16.0, 16.0], area=256.0, extra={"track_id": 7})
    project.add_annotation(extra)
    save_project(project, tmp_path / "p.json")
    return open_on(tmp_path / "p.json"), frame


def test_a_refill_half_refused_says_both_the_frames_left_and_those_that_followed(qtbot, three_keys) -> None:
    """The run before the dragged key is filled again, the one after it cannot be: the status bar said only
    "track 7: 1 filled frame next to the key not filled again (...)", in lower case, though frame 1 had
    moved; and one frame "follow it"."""
    win, frame = three_keys
    doc = win.document
    show_in_select(qtbot, win, frame[2])
    before = boxes(doc, frame)
    drag(win, view_point(win, 24.0, 24.0), view_point(win, 28.0, 28.0))  # the key 4 px right, 4 down
    after = boxes(doc, frame)
    assert after[2] == [pytest.approx([20.0, 20.0, 16.0, 16.0])]
    assert after[1] == [pytest.approx([10.0, 18.0, 16.0, 16.0])] and after[3] == before[3]
    assert win.statusBar().currentMessage() == (
        "Track 7: 1 filled frame next to the key not filled again (several objects of the track on a key "
        "frame); 1 filled frame of track 7 next to the key follows it (Ctrl+Z takes back both)"
    )


def test_a_key_typed_onto_another_track_in_properties_refills_its_old_tracks_fills(qtbot, clip) -> None:  # noqa: F811
    """The fill on frame 1 dragged (a key of track 7 now), then 9 typed in Properties' Track field: track 7
    lost that key, so its fills are interpolated again between frames 0 and 3 - frame 1 gets track 7's box
    back where the line from 0 to 3 puts it, frame 2 goes back too - in the Set Track undo step."""
    from tests.ui.test_new_track import type_track

    win, frame = clip
    doc = win.document
    before = filled_on_frame_0(qtbot, win, frame)
    next_frame(qtbot, win)
    drag(win, view_point(win, 28.0, 20.0), view_point(win, 28.0, 28.0))  # frame 1's fill: a key now
    (key_1,) = track_objects(doc, frame[1])
    assert not untouched_fill(key_1) and doc.selection == [key_1.id]
    keyed = boxes(doc, frame)
    assert keyed[2] == [pytest.approx([24.0, 12.0, 16.0, 16.0])]  # between the new key and frame 3's
    steps = doc.undo_stack.count()
    type_track(qtbot, win, "9")
    assert doc.project.annotations[key_1.id].extra == {"track_id": 9}
    assert boxes(doc, frame) == before  # frames 1 and 2 on the line from frame 0 to 3 again
    assert all(untouched_fill(a) for i in frame[1:3] for a in track_objects(doc, i))
    assert doc.undo_stack.count() == steps + 1 and win.act_undo.text() == "&Undo Set Track 9"
    said = win.statusBar().currentMessage()
    assert (
        said == "On track 9. 2 filled frames of track 7 next to the key follow it (Ctrl+Z takes back both)"
    ), said
    key(win, Qt.Key.Key_Z, CTRL)  # one undo: the key back on track 7, its fills as they were
    assert boxes(doc, frame) == keyed and doc.project.annotations[key_1.id].extra == {"track_id": 7}


def test_the_last_key_deleted_with_the_delete_key_takes_its_fills_along_and_ctrl_z_brings_all_back(
    qtbot,
    clip,  # noqa: F811
) -> None:
    """Frames 1 and 2, filled toward frame 3's key, describe a track that now ends on frame 0 (a CVAT
    track runs from its first key to its last): Delete removes them in its undo step, the status bar says
    so, and one Ctrl+Z brings the key and both fills back. The preference off, they stay."""
    win, frame = clip
    doc = win.document
    before = filled_on_frame_0(qtbot, win, frame)
    steps = doc.undo_stack.count()
    show_in_select(qtbot, win, frame[3])
    click(win, view_point(win, 30.0, 18.0))  # frame 3's key (28, 4, 16, 16)
    (last,) = track_objects(doc, frame[3])
    assert doc.selection == [last.id]
    key(win, Qt.Key.Key_Delete)
    assert {f: b for f, b in boxes(doc, frame).items() if b} == {0: before[0]}
    assert doc.undo_stack.count() == steps + 1
    assert win.statusBar().currentMessage() == (
        "2 filled frames of track 7 beyond its new last key removed (Ctrl+Z takes back both)"
    )
    key(win, Qt.Key.Key_Z, CTRL)
    assert boxes(doc, frame) == before
    assert all(untouched_fill(a) for i in frame[1:3] for a in track_objects(doc, i))
    set_refills(False)
    click(win, view_point(win, 30.0, 18.0))
    key(win, Qt.Key.Key_Delete)
    assert {f: b for f, b in boxes(doc, frame).items() if f != 3} == {f: before[f] for f in (0, 1, 2)}
    assert track_objects(doc, frame[3]) == []
