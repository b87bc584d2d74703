"""Shift+click with the brush or eraser: a straight line from where the last stroke ended (a crack 300 px long
and 2 px wide is two clicks, as in Photoshop and GIMP), into the mask that stroke painted."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.ui.tools.paint_options import OPTIONS, PaintOptions

LEFT, NOMOD, SHIFT = (
    Qt.MouseButton.LeftButton,
    Qt.KeyboardModifier.NoModifier,
    Qt.KeyboardModifier.ShiftModifier,
)


@pytest.fixture(autouse=True)
def two_px_brush():
    OPTIONS.set(width=2, preserve_others=False)
    yield
    OPTIONS.set(width=PaintOptions().width)


def vp_at(win, x: float, y: float) -> QPoint:
    return win.canvas.mapFromScene(QPointF(x, y))


def mask_of(win, ann_id: int) -> np.ndarray:
    return masks.decode(win.document.project.annotations[ann_id].segmentation)


def test_shift_click_paints_a_straight_line_from_the_last_stroke_into_its_mask(window) -> None:
    window.canvas.set_zoom(2.0)
    window.canvas.centerOn(QPointF(80, 60))
    vp = window.canvas.viewport()
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    before = set(window.document.project.annotations)
    QTest.mouseClick(vp, LEFT, NOMOD, vp_at(window, 40.5, 30.5))
    (crack,) = set(window.document.project.annotations) - before
    steps = window.document.undo_stack.count()
    # away from the dot: without Shift a new mask; with Shift the line to it, in the dot's mask
    QTest.mouseClick(vp, LEFT, SHIFT, vp_at(window, 40.5, 90.5))
    assert set(window.document.project.annotations) - before == {crack}
    mask = mask_of(window, crack)
    ys, xs = np.nonzero(mask)
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (30, 91, 40, 41)  # an even width: pixel and next
    assert set(mask[30:92].sum(axis=1).tolist()) == {2}  # a line 2 px wide the whole way, no gap
    assert window.document.undo_stack.count() == steps + 1  # one undo step
    # the next Shift+click goes on from the line's end: a polyline of clicks
    QTest.mouseClick(vp, LEFT, SHIFT, vp_at(window, 100.5, 90.5))
    mask = mask_of(window, crack)
    assert set(mask[90:92, 42:100].sum(axis=0).tolist()) == {2}
    window.document.undo_stack.undo()
    assert mask_of(window, crack)[90:92, 45:100].sum() == 0 and mask_of(window, crack)[30:92].sum() == 124


def test_shift_click_with_the_eraser_erases_a_straight_line(window) -> None:
    window.canvas.set_zoom(2.0)
    window.canvas.centerOn(QPointF(80, 60))
    vp = window.canvas.viewport()
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    OPTIONS.set(width=30)
    before = set(window.document.project.annotations)
    QTest.mousePress(vp, LEFT, NOMOD, vp_at(window, 40.5, 60.5))
    QTest.mouseMove(vp, vp_at(window, 80.5, 60.5))
    QTest.mouseMove(vp, vp_at(window, 120.5, 60.5))
    QTest.mouseRelease(vp, LEFT, NOMOD, vp_at(window, 120.5, 60.5))
    (band,) = set(window.document.project.annotations) - before
    QTest.keyClick(window.canvas, Qt.Key.Key_E)
    OPTIONS.set(width=2)
    QTest.mouseClick(vp, LEFT, NOMOD, vp_at(window, 60.5, 50.5))
    QTest.mouseClick(vp, LEFT, SHIFT, vp_at(window, 60.5, 70.5))
    mask = mask_of(window, band)
    assert mask[50:72, 60:62].sum() == 0  # a cut across the band, 2 px wide
    assert mask[50:72, 59].all() and mask[50:72, 62].all()


def test_shift_click_without_a_stroke_before_paints_a_dot(window) -> None:
    window.canvas.set_zoom(2.0)
    window.canvas.centerOn(QPointF(80, 60))
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    before = set(window.document.project.annotations)
    QTest.mouseClick(window.canvas.viewport(), LEFT, SHIFT, vp_at(window, 40.5, 30.5))
    (dot,) = set(window.document.project.annotations) - before
    assert mask_of(window, dot).sum() == 4
