"""Tracks > Merge Tracks (Alt+J) and Split Track Here (Alt+X) on the real window with the keys, the mouse
and the Tracks menu: track 1's box clicked on frame 0, Alt+J picks it; D to frame 3, track 2's box clicked,
Alt+J joins track 2 to track 1 (one undo step); Split Track Here from the Tracks menu on frame 3 puts frames 3
and 4 on a new track; Ctrl+Z takes back each."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from tests.ui.conftest import settle
from tests.ui.test_slice_fill import click_in_menu, show_in_select
from tests.ui.test_track_box import next_frame
from tests.ui.test_track_outside import one_track  # noqa: F401 (a fixture)
from tests.ui.test_workbench import click, key, view_point

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def two_tracks(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """Frames frame_000000..4.png of 48x48; track 1's box on frames 0 and 1, track 2's on 3 and 4."""
    data = tmp_path / "data"
    data.mkdir()
    for f in range(5):
        cv2.imwrite(str(data / f"frame_{f:06d}.png"), np.zeros((48, 48), np.uint8))
    project = project_from_folder(data, tmp_path / "p.json", ["car"])
    ids = {im.file_name: im.id for im in project.images.values()}
    frame = [ids[f"data/frame_{f:06d}.png"] for f in range(5)]
    for ann_id, (f, track) in enumerate(((0, 1), (1, 1), (3, 2), (4, 2)), 1):
        box = [16.0, 16.0, 16.0, 16.0]
        project.add_annotation(Annotation(ann_id, frame[f], 1, box, area=256.0, extra={"track_id": track}))
    save_project(project, tmp_path / "p.json")
    return open_on(tmp_path / "p.json"), frame


def tracks(doc) -> list[object]:  # type: ignore[no-untyped-def]
    return [doc.project.annotations[i].extra.get("track_id") for i in (1, 2, 3, 4)]


def test_merge_picks_a_track_then_joins_another_and_split_cuts_one(qtbot, two_tracks) -> None:  # type: ignore[no-untyped-def]
    win, frame = two_tracks
    doc, edit = win.document, win.clipboard.track_edit
    show_in_select(qtbot, win, frame[0])
    assert not edit.act_merge.isEnabled() and not edit.act_split.isEnabled()  # nothing selected
    click(win, view_point(win, 24.5, 24.5))  # track 1's box
    key(win, Qt.Key.Key_J, ALT)
    assert edit.picked == 1 and tracks(doc) == [1, 1, 2, 2]
    assert win.statusBar().currentMessage().startswith("Merge Tracks: track 1 picked")
    for _ in range(3):
        next_frame(qtbot, win)
    assert doc.current_image_id == frame[3]
    click(win, view_point(win, 24.5, 24.5))  # track 2's box
    key(win, Qt.Key.Key_J, ALT)
    assert tracks(doc) == [1, 1, 1, 1] and edit.picked is None
    assert win.statusBar().currentMessage().startswith("Track 2 joined to track 1 (2 objects)")
    assert win.act_undo.text() == "&Undo Merge Tracks (2 into 1)"
    click_in_menu(qtbot, win, edit.act_split)  # the box on frame 3 still selected
    settle()
    assert tracks(doc) == [1, 1, 2, 2]  # the next unused id: 2 is free again
    assert win.statusBar().currentMessage().startswith("From this frame on, 2 objects on new track 2")
    assert win.act_undo.text() == "&Undo Split Track Here (new track 2)"
    key(win, Qt.Key.Key_Z, CTRL)
    assert tracks(doc) == [1, 1, 1, 1]
    key(win, Qt.Key.Key_Z, CTRL)
    assert tracks(doc) == [1, 1, 2, 2]


def test_a_split_at_a_tracks_first_frame_is_refused_and_the_pick_kept(qtbot, two_tracks) -> None:  # type: ignore[no-untyped-def]
    win, frame = two_tracks
    doc, edit = win.document, win.clipboard.track_edit
    show_in_select(qtbot, win, frame[1])
    click(win, view_point(win, 24.5, 24.5))  # track 1's box on frame 1
    key(win, Qt.Key.Key_J, ALT)
    next_frame(qtbot, win)
    next_frame(qtbot, win)
    click(win, view_point(win, 24.5, 24.5))  # track 2's on frame 3
    key(win, Qt.Key.Key_X, ALT)  # split at track 2's first frame: nothing before it
    assert (
        win.statusBar().currentMessage().startswith("Track not split: track 2 has no object before frame 3")
    )
    assert tracks(doc) == [1, 1, 2, 2] and edit.picked == 1


def test_a_split_on_a_filled_frame_names_both_tracks_whose_fills_follow(qtbot, one_track) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Alt+X on a box Fill Between Frames made (as on a CVAT import's interpolated frames): the fills of the
    new track and of the old one follow their new keys, and the status bar names both tracks as tracks; it
    read `... of track 2, 1 next to the key follow it`, the 1 taken for a count."""
    win, frame = one_track
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))
    key(win, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)  # Fill Between Frames: frames 1..7 filled
    for _ in range(3):
        next_frame(qtbot, win)
    click(win, view_point(win, 24.5, 24.5))  # the filled box on frame 3
    key(win, Qt.Key.Key_X, ALT)
    said = win.statusBar().currentMessage()
    assert said.startswith("From this frame on, 6 objects on new track 2. "), said
    assert "filled frames of tracks 2 and 1 next to the key follow it (Ctrl+Z takes back both)" in said, said
