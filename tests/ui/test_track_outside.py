"""Tracks > Track Leaves View Here (Alt+O, CVAT's O) on the real window with keys and clicks: track 1 keyed on
frames 0 and 8 and filled (Shift+T); on frame 3 its box clicked, Alt+O removes it and the fills up to frame 8;
D shows frame 4 empty; Shift+T from frame 0 does not fill past the mark; on frame 3 with nothing selected
Alt+O takes the mark away; Ctrl+Z takes back each."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from pixelproof.core.clipboard import track_of
from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from pixelproof.core.track_outside import outside_frames
from tests.ui.test_slice_fill import show_in_select
from tests.ui.test_track_box import next_frame
from tests.ui.test_workbench import click, key, view_point

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def one_track(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """Frames frame_000000..8.png of 48x48; track 1's box on frames 0 and 8 (the same place)."""
    data = tmp_path / "data"
    data.mkdir()
    for f in range(9):
        cv2.imwrite(str(data / f"frame_{f:06d}.png"), np.zeros((48, 48), np.uint8))
    project = project_from_folder(data, tmp_path / "p.json", ["car"])
    ids = {im.file_name: im.id for im in project.images.values()}
    frame = [ids[f"data/frame_{f:06d}.png"] for f in range(9)]
    for ann_id, f in enumerate((0, 8), 1):
        box = [16.0, 16.0, 16.0, 16.0]
        project.add_annotation(Annotation(ann_id, frame[f], 1, box, area=256.0, extra={"track_id": 1}))
    save_project(project, tmp_path / "p.json")
    return open_on(tmp_path / "p.json"), frame


def on_track(doc, frame: list[int]) -> list[int]:  # type: ignore[no-untyped-def]
    """The frames holding an object of track 1."""
    return [f for f, i in enumerate(frame) if any(track_of(a) == 1 for a in doc.project.annotations_of(i))]


def test_alt_o_marks_where_the_track_leaves_the_view_no_fill_crosses_it_and_undo(qtbot, one_track) -> None:  # type: ignore[no-untyped-def]
    win, frame = one_track
    doc, act = win.document, win.clipboard.track_edit.act_outside
    show_in_select(qtbot, win, frame[0])
    assert not act.isEnabled()  # nothing selected, no mark here
    click(win, view_point(win, 24.5, 24.5))
    key(win, Qt.Key.Key_T, SHIFT)  # Fill Between Frames
    assert on_track(doc, frame) == list(range(9))
    for _ in range(3):
        next_frame(qtbot, win)
    assert doc.current_image_id == frame[3]
    click(win, view_point(win, 24.5, 24.5))  # the filled box on frame 3
    key(win, Qt.Key.Key_O, ALT)
    assert on_track(doc, frame) == [0, 1, 2, 8]
    assert outside_frames(doc.project, 1) == {3}
    assert (
        win.statusBar().currentMessage().startswith("Track 1 leaves the view on frame 3 (5 objects removed")
    )
    assert win.act_undo.text() == "&Undo Track Leaves View Here (track 1, frame 3)"
    next_frame(qtbot, win)
    assert doc.current_image_id == frame[4] and not doc.project.annotations_of(frame[4])
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))
    key(win, Qt.Key.Key_T, SHIFT)  # filling again does not cross the mark
    assert on_track(doc, frame) == [0, 1, 2, 8]
    assert "out of view" in win.statusBar().currentMessage()
    show_in_select(qtbot, win, frame[3])
    assert not doc.selected_annotations() and act.isEnabled()  # a mark here: Alt+O takes it away
    key(win, Qt.Key.Key_O, ALT)
    assert outside_frames(doc.project, 1) == set()
    assert win.statusBar().currentMessage().startswith("Track 1 back in view on frame 3")
    key(win, Qt.Key.Key_Z, CTRL)
    assert outside_frames(doc.project, 1) == {3}
    key(win, Qt.Key.Key_Z, CTRL)  # the mark and the objects back, in one step
    assert on_track(doc, frame) == list(range(9)) and outside_frames(doc.project, 1) == set()


def test_the_alt_o_item_follows_a_mark_made_and_undone_on_the_frame_shown(qtbot, one_track) -> None:  # type: ignore[no-untyped-def]
    """The item's marks are indexed once per project change (a frame change looks them up): Alt+O, its undo
    and its redo each index them again, so with nothing selected the item is enabled exactly while the
    frame shown holds a mark."""
    win, frame = one_track
    doc, act = win.document, win.clipboard.track_edit.act_outside
    show_in_select(qtbot, win, frame[0])
    assert not act.isEnabled()  # nothing selected, no mark here: the marks indexed (none)
    click(win, view_point(win, 24.5, 24.5))
    key(win, Qt.Key.Key_T, SHIFT)  # Fill Between Frames
    for _ in range(3):
        next_frame(qtbot, win)
    click(win, view_point(win, 24.5, 24.5))  # the filled box on frame 3
    key(win, Qt.Key.Key_O, ALT)
    assert not doc.selected_annotations() and act.isEnabled()  # the mark made here
    key(win, Qt.Key.Key_Z, CTRL)  # the mark undone, the objects back
    assert outside_frames(doc.project, 1) == set() and doc.project.annotations_of(frame[3])
    key(win, Qt.Key.Key_Escape)
    assert not doc.selected_annotations() and not act.isEnabled()
    key(win, Qt.Key.Key_Z, CTRL | SHIFT)  # redo: the mark again
    assert outside_frames(doc.project, 1) == {3} and not doc.selected_annotations() and act.isEnabled()
    next_frame(qtbot, win)
    assert doc.current_image_id == frame[4] and not act.isEnabled()  # frame 4: no mark
