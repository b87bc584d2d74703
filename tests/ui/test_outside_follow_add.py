"""File > Add Images into a video's folder keeps a track's outside mark on its frame file, on the real window
with keys and clicks: track 1 (car) keyed on frames 0 and 8 of ``data/`` (CVAT's frame names), marked out of
view on frame 3 (Alt+O); Ctrl+Shift+I adds ``data/cover.png``, which numbers the folder by place (cover.png
first), and the canvas's sign still shows on frame_000003.png, now frame 4, not on frame_000002.png; one
Ctrl+Z takes the image and the renumbering back."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.ui.test_image_list_actions import dismiss
from tests.ui.test_slice_fill import show_in_select
from tests.ui.test_track_box import next_frame
from tests.ui.test_track_outside import one_track  # noqa: F401 (the fixture)
from tests.ui.test_workbench import click, key, view_point

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_an_image_added_to_the_video_keeps_the_mark_on_its_frame_file(
    qtbot,
    tmp_path,
    monkeypatch,
    no_prompts,
    one_track,  # noqa: F811
) -> None:
    win, frame = one_track
    doc, sign = win.document, win.clipboard.track_sign.label
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))  # track 1's box: the current track
    key(win, Qt.Key.Key_T, SHIFT)  # Fill Between Frames
    for _ in range(3):
        next_frame(qtbot, win)
    click(win, view_point(win, 24.5, 24.5))  # the filled box on frame 3
    key(win, Qt.Key.Key_O, ALT)  # Track Leaves View Here
    assert sign.text() == "Track 1 (car) left the view at frame 3 (next key: frame 8)"
    cover = tmp_path / "data" / "cover.png"
    cv2.imwrite(str(cover), np.zeros((48, 48), np.uint8))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(cover)], "")))
    key(win, Qt.Key.Key_I, CTRL | SHIFT)  # File > Add Images
    qtbot.waitUntil(lambda: len(doc.project.images) == 10, timeout=10000)
    dismiss(win, qtbot)
    assert [m["frame"] for m in doc.project.extra["cvat_video"]["outside"]] == [4]  # frame_000003: place 4
    show_in_select(qtbot, win, frame[2])
    assert not sign.isVisible()  # frame_000002.png (now frame 3): before the mark
    next_frame(qtbot, win)
    assert doc.current_image_id == frame[3]
    assert sign.isVisible() and sign.text() == "Track 1 (car) left the view at frame 4 (next key: frame 9)"
    key(win, Qt.Key.Key_Z, CTRL)  # one undo: the image and the renumbering
    assert len(doc.project.images) == 9
    assert [m["frame"] for m in doc.project.extra["cvat_video"]["outside"]] == [3]
