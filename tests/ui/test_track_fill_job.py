"""Fill Between Frames on a long track in the real window: Shift+T on the track's box plans the fill in the
background with progress and Cancel on the status bar, the window still answering; the fill lands as one
undo step; Cancel leaves the project as it was and says so; an edit made meanwhile makes the fill refuse,
saying to press Shift+T again; Shift+T pressed while it runs is refused with the reason.

The planning is held at its first progress call until the test lets it go (``gate``), so the job is still
running, whatever the machine's speed, when the test clicks Cancel or edits."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core import track_fill
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.ui.status_progress import StatusProgress
from pixelproof.ui.track_fill_job import BACKGROUND_FRAMES
from tests.ui.conftest import click_button, jobs_ended
from tests.ui.test_slice_fill import show_in_select
from tests.ui.test_workbench import click, key, view_point

SHIFT, CTRL = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier
FRAMES = BACKGROUND_FRAMES + 500  # over the threshold: filled in the background


@pytest.fixture
def long_clip(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """A video's frames frame_000000..2499.png of 48x48 (only the first written: the others are never
    shown), track 7's box on the first frame (#1) and the last (#2), a box with no track on frame 0 (#3)."""
    data = tmp_path / "clip"
    data.mkdir()
    cv2.imwrite(str(data / "frame_000000.png"), np.zeros((48, 48), np.uint8))
    project = new_project(["car"])
    for f in range(FRAMES):
        project.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 48, 48))
    project.add_annotation(Annotation(1, 1, 1, [16.0, 16.0, 16.0, 16.0], area=256.0, extra={"track_id": 7}))
    project.add_annotation(
        Annotation(2, FRAMES, 1, [28.0, 4.0, 16.0, 16.0], area=256.0, extra={"track_id": 7})
    )
    project.add_annotation(Annotation(3, 1, 1, [2.0, 2.0, 8.0, 8.0], area=64.0))
    save_project(project, tmp_path / "p.json")
    return open_on(tmp_path / "p.json")


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The planning waits at its first progress call until ``gate.set()``; ``gate.reached`` is set once it
    waits there (the job is running)."""
    opened, reached = threading.Event(), threading.Event()
    plan = track_fill.fill_plan

    def held(project, frames, track, window, refill=None, progress=None):  # type: ignore[no-untyped-def]
        def step(done: int, total: int) -> None:
            reached.set()
            assert opened.wait(30), "the test never let the planning go on"
            if progress is not None:
                progress(done, total)

        return plan(project, frames, track, window, refill, step)

    monkeypatch.setattr(track_fill, "fill_plan", held)
    opened.reached = reached  # type: ignore[attr-defined]
    yield opened
    opened.set()  # a failed test must not leave the worker waiting


def select_track_box(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    show_in_select(qtbot, win, 1)
    click(win, view_point(win, 24.5, 24.5))
    assert [a.id for a in win.document.selected_annotations()] == [1]


def progress_shown(win) -> bool:  # type: ignore[no-untyped-def]
    """Whether a background edit's progress and Cancel are on the status bar."""
    return any(w.isVisible() for w in win.statusBar().findChildren(StatusProgress))


def running(win) -> bool:  # type: ignore[no-untyped-def]
    return win.clipboard.track_fill.job is not None


def test_a_long_track_fills_in_the_background_as_one_undo_step(qtbot, long_clip, gate) -> None:
    win = long_clip
    doc = win.document
    select_track_box(qtbot, win)
    before, steps = set(doc.project.annotations), doc.undo_stack.count()
    key(win, Qt.Key.Key_T, SHIFT)
    qtbot.waitUntil(gate.reached.is_set, timeout=10000)
    assert running(win) and set(doc.project.annotations) == before  # nothing yet: planned in the background
    progress = win.clipboard.track_fill.job.status
    assert progress.isVisible() and progress.cancel_button.isEnabled()
    assert progress.label.text() == "Filling the frames of track 7"
    key(win, Qt.Key.Key_T, SHIFT)  # again while it runs: refused, saying why
    said = win.statusBar().currentMessage()
    assert said == (
        "Fill Between Frames: track 7 is still being filled: wait for it, or press Esc (or Cancel on the "
        "status bar)"
    ), said
    gate.set()
    qtbot.waitUntil(lambda: not running(win), timeout=10000)
    assert not progress_shown(win)
    added = set(doc.project.annotations) - before
    assert len(added) == FRAMES - 2 and doc.undo_stack.count() == steps + 1  # one undo step
    middle = doc.project.annotations_of(FRAMES // 2)
    assert [a.extra["track_id"] for a in middle] == [7] and middle[0].source == track_fill.SOURCE
    said = win.statusBar().currentMessage()
    assert said.startswith(f"Filled {FRAMES - 2} frames of track 7 between 2 drawn frames"), said
    assert [a.id for a in doc.selected_annotations()] == [1]
    key(win, Qt.Key.Key_Z, CTRL)  # one undo takes every filled frame back
    assert set(doc.project.annotations) == before


def test_cancel_leaves_the_project_as_it_was_and_says_so(qtbot, long_clip, gate) -> None:
    win = long_clip
    doc = win.document
    select_track_box(qtbot, win)
    before, steps = dict(doc.project.annotations), doc.undo_stack.count()
    key(win, Qt.Key.Key_T, SHIFT)
    qtbot.waitUntil(gate.reached.is_set, timeout=10000)
    progress = win.clipboard.track_fill.job.status
    click_button(progress.cancel_button)
    assert progress.label.text() == "Cancelling…" and not progress.cancel_button.isEnabled()
    gate.set()
    qtbot.waitUntil(lambda: not running(win), timeout=10000)
    jobs_ended()
    assert doc.project.annotations == before and doc.undo_stack.count() == steps
    assert not progress_shown(win)
    said = win.statusBar().currentMessage()
    assert said == "Fill Between Frames cancelled: nothing filled on track 7; the project is as it was", said
    key(win, Qt.Key.Key_T, SHIFT)  # and it fills again afterwards
    qtbot.waitUntil(lambda: not running(win) and len(doc.project.annotations) > len(before), timeout=10000)


def cancelled_and_ended(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """The fill said "Cancelling…", stopped, and the project holds nothing of it."""
    qtbot.waitUntil(lambda: not running(win), timeout=10000)
    jobs_ended()
    said = win.statusBar().currentMessage()
    assert said == "Fill Between Frames cancelled: nothing filled on track 7; the project is as it was", said


def test_esc_on_the_canvas_cancels_it_after_a_drawing_in_progress(qtbot, long_clip, gate) -> None:
    """Keyboard only: Esc cancels a drawing begun meanwhile first (as always), then the fill, leaving the
    selection as it was; with nothing running Esc clears the selection again."""
    win = long_clip
    doc = win.document
    select_track_box(qtbot, win)
    before = dict(doc.project.annotations)
    key(win, Qt.Key.Key_T, SHIFT)
    qtbot.waitUntil(gate.reached.is_set, timeout=10000)
    progress = win.clipboard.track_fill.job.status
    assert "Esc" in progress.cancel_button.toolTip()
    assert progress.cancel_button.accessibleName() == "Cancel: Filling the frames of track 7"
    key(win, Qt.Key.Key_P)  # a polygon begun while the fill runs
    click(win, view_point(win, 40.0, 40.0))
    assert win.canvas.tool.busy()
    key(win, Qt.Key.Key_Escape)  # drops the polygon's point, not the fill
    assert not win.canvas.tool.busy() and running(win) and progress.cancel_button.isEnabled()
    key(win, Qt.Key.Key_Escape)
    assert progress.label.text() == "Cancelling…" and not progress.cancel_button.isEnabled()
    assert [a.id for a in doc.selected_annotations()] == [1]  # that Esc was the fill's
    gate.set()
    cancelled_and_ended(qtbot, win)
    assert doc.project.annotations == before
    key(win, Qt.Key.Key_Escape)  # nothing running: Esc clears the selection, as before
    assert doc.selected_annotations() == []


def test_tab_reaches_cancel_and_the_keys_go_back_to_the_canvas(qtbot, long_clip, gate) -> None:
    win = long_clip
    doc = win.document
    select_track_box(qtbot, win)
    before = dict(doc.project.annotations)
    key(win, Qt.Key.Key_T, SHIFT)
    qtbot.waitUntil(gate.reached.is_set, timeout=10000)
    progress = win.clipboard.track_fill.job.status
    win.activateWindow()
    win.canvas.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.canvas, timeout=10000)
    for _ in range(200):  # real Tab presses from the canvas until Cancel has the keys
        focus = QApplication.focusWidget()
        if focus is progress.cancel_button:
            break
        QTest.keyClick(focus, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is progress.cancel_button
    QTest.keyClick(progress.cancel_button, Qt.Key.Key_Space)
    assert progress.label.text() == "Cancelling…"
    assert QApplication.focusWidget() is win.canvas  # not some panel's control next in the Tab order
    gate.set()
    cancelled_and_ended(qtbot, win)
    assert doc.project.annotations == before and QApplication.focusWidget() is win.canvas


def test_an_edit_made_while_it_runs_makes_it_refuse_with_the_message(qtbot, long_clip, gate) -> None:
    win = long_clip
    doc = win.document
    select_track_box(qtbot, win)
    key(win, Qt.Key.Key_T, SHIFT)
    qtbot.waitUntil(gate.reached.is_set, timeout=10000)
    click(win, view_point(win, 6.0, 6.0))  # the other box, deleted while the fill is planned
    assert [a.id for a in doc.selected_annotations()] == [3]
    key(win, Qt.Key.Key_Delete)
    assert 3 not in doc.project.annotations
    after, steps = dict(doc.project.annotations), doc.undo_stack.count()
    gate.set()
    qtbot.waitUntil(lambda: not running(win), timeout=10000)
    assert doc.project.annotations == after and doc.undo_stack.count() == steps  # nothing filled
    said = win.statusBar().currentMessage()
    assert said == (
        "Fill Between Frames: nothing filled: the project changed while track 7 was being filled; press "
        "Shift+T again to fill it"
    ), said


def test_a_short_track_still_fills_at_once(qtbot, tmp_path: Path, open_on) -> None:
    """Under the threshold no job starts: the fill is there when Shift+T returns, as before."""
    data = tmp_path / "clip"
    data.mkdir()
    cv2.imwrite(str(data / "frame_000000.png"), np.zeros((48, 48), np.uint8))
    project = new_project(["car"])
    for f in range(5):
        project.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 48, 48))
    project.add_annotation(Annotation(1, 1, 1, [16.0, 16.0, 16.0, 16.0], area=256.0, extra={"track_id": 7}))
    project.add_annotation(Annotation(2, 5, 1, [28.0, 4.0, 16.0, 16.0], area=256.0, extra={"track_id": 7}))
    save_project(project, tmp_path / "p.json")
    win = open_on(tmp_path / "p.json")
    select_track_box(qtbot, win)
    key(win, Qt.Key.Key_T, SHIFT)
    assert not running(win) and len(win.document.project.annotations) == 5
