"""The display window in the review view. Ctrl+Alt+3 (CT Bone) pressed over the review panes changed the
hidden labeling canvas's window and left the panes as they were; then a preset lasted only for the images
the review caches, and the panes had no right-drag. Now the presets and a right-drag on any pane set the
three panes' window (the status bar's W / L says so), kept for every slice of the volume stepped to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from pixelproof.core.window_level import dragged_window, preset_window, value_range, width_level
from pixelproof.ui.canvas.image_item import ImageItem
from tests.ui.conftest import settle
from tests.ui.test_review import NOMOD, enter_review, open_window, wait_image
from tests.ui.test_review_semantic_reference import label_volumes, nifti_task  # noqa: F401

RIGHT = Qt.MouseButton.RightButton
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def status_text(win) -> str:  # type: ignore[no-untyped-def]
    return " | ".join(x.text() for x in win.statusBar().findChildren(QLabel) if x.isVisible())


def test_a_window_preset_in_review_sets_the_panes_window(qtbot, label_volumes, no_prompts) -> None:  # noqa: F811
    win = open_window(qtbot, label_volumes)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        view.ref_pane.setFocus()
        QTest.keyClick(view.ref_pane, Qt.Key.Key_3, CTRL_ALT)  # CT Bone (2500 / 480)
        settle()
        bone = preset_window(2500, 480)
        for pane in view.panes:
            assert isinstance(pane.image_item, ImageItem)
            assert pane.image_item.image.window == bone
        assert "W 2500  L 480" in status_text(win)
        QTest.keyClick(view.ref_pane, Qt.Key.Key_0, CTRL_ALT)  # the file's own window again
        settle()
        assert all(p.image_item.image.window != bone for p in view.panes)
        assert "W 2500  L 480" not in status_text(win)
    finally:
        win.document.undo_stack.setClean()
        win.close()


@pytest.fixture
def ct_series(tmp_path: Path) -> Path:
    """A 6-slice CT (int16 HU, each slice its own range, so each its own auto window) with its label volume
    as the reference: more slices than the review's cache of 3 images."""
    ramp = np.arange(16 * 12, dtype=np.int16).reshape(16, 12)
    ct = np.stack([ramp * (k + 1) - 200 for k in range(6)], axis=2).astype(np.int16)
    labels = np.zeros((16, 12, 6), np.uint8)
    labels[2:8, 2:8] = 1
    return nifti_task(tmp_path, ct, labels, "background\nliver\n")


def pane_windows(view) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    assert all(isinstance(p.image_item, ImageItem) for p in view.panes)
    return [p.image_item.image.window for p in view.panes]


def step(qtbot, win, key: Qt.Key) -> int:  # type: ignore[no-untyped-def]
    """D or A typed over the reference pane; the new slice's id once its pixels are up."""
    view = win.review.view
    before = view.image_id
    view.ref_pane.setFocus()
    QTest.keyClick(view.ref_pane, key)
    qtbot.waitUntil(lambda: view.image_id != before, timeout=10000)
    wait_image(qtbot, view)
    settle()
    return view.image_id


def test_a_preset_stays_for_every_slice_stepped_to_in_review(qtbot, ct_series, no_prompts) -> None:
    """Bone chosen on one slice lasted for the 3 images the review caches; the next slice (D) came
    up at its own window, where a PACS keeps the reader's window while scrolling the series."""
    win = open_window(qtbot, ct_series)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        own = pane_windows(view)[0]
        view.ref_pane.setFocus()
        QTest.keyClick(view.ref_pane, Qt.Key.Key_3, CTRL_ALT)  # CT Bone (2500 / 480)
        settle()
        bone = preset_window(2500, 480)
        assert own != bone and pane_windows(view) == [bone] * 3
        seen = {view.image_id}
        for key in [Qt.Key.Key_D] * 5 + [Qt.Key.Key_A, Qt.Key.Key_A]:
            seen.add(step(qtbot, win, key))
            assert pane_windows(view) == [bone] * 3, view.image_id
            assert "W 2500  L 480" in status_text(win)
        assert len(seen) == 6  # every slice, the 3 cached ones and the 3 read again
        QTest.keyClick(view.ref_pane, Qt.Key.Key_0, CTRL_ALT)  # File's Window: its own again
        settle()
        assert pane_windows(view)[0] != bone
        step(qtbot, win, Qt.Key.Key_A)
        assert pane_windows(view)[0] != bone
        assert "W 2500  L 480" not in status_text(win)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_right_drag_on_a_review_pane_sets_all_three_and_stays(qtbot, ct_series, no_prompts) -> None:
    """The review panes had no right-drag window / level (the labeling canvas has): a reader could not
    widen the window on the slice under review. It is the canvas's gesture: whole width and level on HU."""
    win = open_window(qtbot, ct_series)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        before = pane_windows(view)[0]
        vp = view.cand_pane.viewport()
        start, end = vp.rect().center(), vp.rect().center() + QPoint(37, 13)  # 37 px right, 13 down
        QTest.mousePress(vp, RIGHT, NOMOD, start)
        QTest.mouseMove(vp, end)
        QTest.mouseRelease(vp, RIGHT, NOMOD, end)
        settle()
        windows = pane_windows(view)
        assert windows[0] != before and windows == [windows[0]] * 3  # all three linked
        values = value_range(view.cand_pane.image_item.image.raw)  # a pixel's travel: at least range / 500
        assert windows[0] == dragged_window(before, 37, 13, whole=True, values=values)
        width, level = width_level(*windows[0])
        assert f"W {width:g}  L {level:g}" in status_text(win)
        assert view.image_id is not None and not view.cand_pane.window_drag.active
        for key in (Qt.Key.Key_D, Qt.Key.Key_D, Qt.Key.Key_D, Qt.Key.Key_D, Qt.Key.Key_A):
            step(qtbot, win, key)
            assert pane_windows(view) == [windows[0]] * 3
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_page_down_and_up_step_slices_in_review_too(qtbot, ct_series, no_prompts) -> None:
    """PgDn / PgUp were the labeling view's alone: in review, where a reader scrolls the series while
    comparing, they did nothing."""
    win = open_window(qtbot, ct_series)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        first = view.image_id
        after = step(qtbot, win, Qt.Key.Key_PageDown)
        order = list(win.document.project.images)
        assert abs(order.index(after) - order.index(first)) == 1
        assert step(qtbot, win, Qt.Key.Key_PageUp) == first
    finally:
        win.document.undo_stack.setClean()
        win.close()
