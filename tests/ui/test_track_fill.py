"""Tracks > Fill Between Frames on the real window: a car's track drawn as a box on frames 0 and 3 of a
video's frames, the box on frame 0 clicked, the menu item clicked - frames 1 and 2 get the boxes CVAT
interpolates, the status bar counts them, one Ctrl+Z takes them all back; the item is greyed, saying why and
how to give it one (New Track), for a box with no track."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from pixelproof.core.track_fill import SOURCE
from pixelproof.ui.track_fill_actions import no_track
from tests.ui.conftest import settle
from tests.ui.test_slice_fill import click_in_menu, show_in_select
from tests.ui.test_workbench import click, key, view_point

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def clip(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """Frames frame_000000..3.png of 48x48; track 7's box on frame 0 (#1) and frame 3 (#2), a box with no
    track on frame 1 (#3)."""
    data = tmp_path / "data"
    data.mkdir()
    for f in range(4):
        cv2.imwrite(str(data / f"frame_{f:06d}.png"), np.zeros((48, 48), np.uint8))
    project = project_from_folder(data, tmp_path / "p.json", ["car"])
    ids = {im.file_name: im.id for im in project.images.values()}
    frame = [ids[f"data/frame_{f:06d}.png"] for f in range(4)]
    for ann_id, (image_id, box, extra) in enumerate(
        (
            (frame[0], [16.0, 16.0, 16.0, 16.0], {"track_id": 7}),
            (frame[3], [28.0, 4.0, 16.0, 16.0], {"track_id": 7}),
            (frame[1], [16.0, 16.0, 16.0, 16.0], {}),
        ),
        1,
    ):
        project.add_annotation(Annotation(ann_id, image_id, 1, box, area=256.0, extra=extra))
    save_project(project, tmp_path / "p.json")
    return open_on(tmp_path / "p.json"), frame


def test_fill_between_frames_from_the_tracks_menu_and_one_undo(qtbot, clip) -> None:
    win, frame = clip
    doc = win.document
    act = win.clipboard.track_fill.act_fill
    show_in_select(qtbot, win, frame[0])
    assert not act.isEnabled()  # nothing selected: no track
    click(win, view_point(win, 24.5, 24.5))
    assert [a.id for a in doc.selected_annotations()] == [1]
    assert act.isEnabled() and act.property("shortcut_id") == "edit.fill_between_frames"
    before = set(doc.project.annotations)
    click_in_menu(qtbot, win, act)
    settle()
    (a1,) = doc.project.annotations_of(frame[1])[1:]  # beside the box with no track
    (a2,) = doc.project.annotations_of(frame[2])
    assert a1.source == SOURCE == a2.source and a1.extra["track_id"] == 7
    assert a1.bbox == pytest.approx([20.0, 12.0, 16.0, 16.0]) and a2.bbox == pytest.approx(
        [24.0, 8.0, 16.0, 16.0]
    )
    said = win.statusBar().currentMessage()
    assert said.startswith("Filled 2 frames of track 7 between 2 drawn frames"), said
    assert [a.id for a in doc.selected_annotations()] == [1]  # the selection stays
    assert win.act_undo.text() == "&Undo Fill Between Frames (2 frames of track 7)"
    key(win, Qt.Key.Key_Z, CTRL)  # one undo takes every filled frame back
    assert set(doc.project.annotations) == before


def test_greyed_with_the_reason_for_a_box_without_a_track(qtbot, clip) -> None:
    win, frame = clip
    doc = win.document
    act = win.clipboard.track_fill.act_fill
    show_in_select(qtbot, win, frame[1])
    click(win, view_point(win, 24.5, 24.5))
    assert [a.id for a in doc.selected_annotations()] == [3]
    assert not act.isEnabled()
    assert no_track() in act.toolTip() and act.statusTip() == no_track()


def test_a_fill_of_more_frames_than_the_limit_is_refused_with_a_message(
    qtbot, clip, errors, monkeypatch
) -> None:
    """Fill Between Frames over more frames than ``MAX_FILLED`` shows why in a dialog and adds nothing (it
    was a traceback on stderr, with the window frozen while millions of objects were made)."""
    from pixelproof.core import track_fill

    monkeypatch.setattr(track_fill, "MAX_FILLED", 1)
    win, frame = clip
    doc = win.document
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))
    before, steps = set(doc.project.annotations), doc.undo_stack.count()
    click_in_menu(qtbot, win, win.clipboard.track_fill.act_fill)
    settle()
    assert [title for title, _ in errors] == ["Fill Between Frames"]
    assert (
        "track 7 has 2 frames between its drawn ones in folder data: Fill Between Frames fills at most 1 "
        "at once; put the later frames' objects on another track (Properties &gt; Track) and fill each"
    ) in errors[0][1]
    assert set(doc.project.annotations) == before and doc.undo_stack.count() == steps
