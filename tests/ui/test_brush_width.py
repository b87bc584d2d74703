"""The brush size is a width (CVAT's, Photoshop's): "Brush 2 px" paints 2-px lines, driven by real key,
wheel and mouse events on the real main window."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QSpinBox

from pixelproof.core import masks
from pixelproof.ui.tools.paint_options import OPTIONS, PaintOptions
from tests.ui.conftest import hover

LEFT, NOMOD, SHIFT = (
    Qt.MouseButton.LeftButton,
    Qt.KeyboardModifier.NoModifier,
    Qt.KeyboardModifier.ShiftModifier,
)


@pytest.fixture(autouse=True)
def default_width():
    OPTIONS.set(width=PaintOptions().width, preserve_others=False)
    yield
    OPTIONS.set(width=PaintOptions().width)


def vp_at(win, x: float, y: float) -> QPoint:
    return win.canvas.mapFromScene(QPointF(x, y))


def scene_of(win, p: QPoint) -> tuple[float, float]:
    s = win.canvas.mapToScene(p)
    return s.x(), s.y()


def width_box(win) -> QSpinBox:
    return win.findChild(QSpinBox, "brushWidth")


def shift_wheel(win, p: QPoint, notch: int) -> None:
    pos = QPointF(p)
    ev = QWheelEvent(pos, QPointF(win.canvas.viewport().mapToGlobal(p)), QPoint(), QPoint(0, 120 * notch),
                     Qt.MouseButton.NoButton, SHIFT, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(win.canvas.viewport(), ev)


def type_width(win, text: str) -> None:
    box = width_box(win)
    QTest.mouseClick(box.lineEdit(), LEFT)
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), text)
    QTest.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def test_the_toolbar_says_the_width_and_keys_and_shift_wheel_step_it(window) -> None:
    QTest.keyClick(window.canvas, Qt.Key.Key_R)  # the brush: the tool options bar shows its width
    box = width_box(window)
    label = box.parentWidget().findChildren(QLabel)
    assert any(lb.text().strip() == "Brush" for lb in label)
    assert box.value() == OPTIONS.width and box.suffix() == " px" and box.minimum() == 1
    assert "across" in box.toolTip() and "radius" not in box.toolTip().lower()
    type_width(window, "9")
    assert OPTIONS.width == 9
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    bigger, smaller = Qt.Key.Key_BracketRight, Qt.Key.Key_BracketLeft
    for k, want in [(bigger, 10), (bigger, 12), (smaller, 10), (smaller, 9)]:
        QTest.keyClick(window.canvas, k)
        assert OPTIONS.width == want and box.value() == want
    zoom = window.canvas.zoom
    shift_wheel(window, vp_at(window, 50, 50), +1)
    assert OPTIONS.width == 10 and window.canvas.zoom == zoom
    shift_wheel(window, vp_at(window, 50, 50), -1)
    shift_wheel(window, vp_at(window, 50, 50), -1)
    assert OPTIONS.width == 8 and box.value() == 8


def painted(win, before: set[int]) -> np.ndarray:
    new = set(win.document.project.annotations) - before
    assert len(new) == 1
    return masks.decode(win.document.project.annotations[new.pop()].segmentation)


@pytest.mark.parametrize("width", [2, 3])
def test_a_dragged_stroke_and_a_click_paint_exactly_the_width_across(window, width: int) -> None:
    window.canvas.set_zoom(4.0)
    window.canvas.centerOn(QPointF(80, 60))
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    type_width(window, str(width))
    assert OPTIONS.width == width
    vp = window.canvas.viewport()
    for a, b in [((60.2, 60.3), (100.4, 60.3)), ((75.6, 40.2), (75.6, 80.1))]:  # across, then down
        window.document.set_selection([])
        before = set(window.document.project.annotations)
        pts = [vp_at(window, a[0] + (b[0] - a[0]) * t / 8, a[1] + (b[1] - a[1]) * t / 8) for t in range(9)]
        QTest.mousePress(vp, LEFT, NOMOD, pts[0])
        for p in pts[1:]:
            QTest.mouseMove(vp, p)
        QTest.mouseRelease(vp, LEFT, NOMOD, pts[-1])
        mask = painted(window, before)
        horizontal = a[1] == b[1]
        across = mask.sum(axis=0) if horizontal else mask.sum(axis=1)
        x0, y0 = scene_of(window, pts[0])
        x1, y1 = scene_of(window, pts[-1])
        lo, hi = (x0, x1) if horizontal else (y0, y1)
        inner = across[math.floor(lo) + 2 : math.floor(hi) - 1]
        assert inner.size > 30 and set(inner.tolist()) == {width}, (width, inner)
        # the lines under the pointer: its pixel always, the one nearer it too when the width is even
        at = y0 if horizontal else x0
        lines = np.flatnonzero(mask.sum(axis=1 if horizontal else 0))
        centre = math.floor(at) if width % 2 else math.floor(at + 0.5)  # a tie: the corner after
        want = range(centre - width // 2, centre - width // 2 + width)
        assert lines.tolist() == list(want), (at, lines)
    # a click paints a width x width dot
    window.document.set_selection([])
    before = set(window.document.project.annotations)
    QTest.mouseClick(vp, LEFT, NOMOD, vp_at(window, 120.3, 30.7))
    dot = painted(window, before)
    ys, xs = np.nonzero(dot)
    assert (xs.max() - xs.min() + 1, ys.max() - ys.min() + 1) == (width, width)


def test_the_ring_outlines_the_pixels_a_click_paints(window) -> None:
    window.canvas.set_zoom(8.0)
    window.canvas.centerOn(QPointF(40, 40))
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    for width, at in [(2, (30.3, 30.7)), (7, (30.3, 30.7)), (4, (35.8, 33.1))]:
        OPTIONS.set(width=width)
        p = vp_at(window, *at)
        hover(window, p)
        ring = window.canvas.tool._ring
        assert ring is not None and ring.isVisible()
        # the pixels a click there paints
        window.document.set_selection([])
        before = set(window.document.project.annotations)
        QTest.mouseClick(window.canvas.viewport(), LEFT, NOMOD, p)
        dot = painted(window, before)
        ys, xs = np.nonzero(dot)
        # the outline encloses exactly the painted pixels' centres, and runs along their edges
        ring_pixels = {
            (x, y)
            for y in range(ys.min() - 2, ys.max() + 3)
            for x in range(xs.min() - 2, xs.max() + 3)
            if ring.path().contains(ring.mapFromScene(QPointF(x + 0.5, y + 0.5)))
        }
        assert ring_pixels == set(zip(xs.tolist(), ys.tolist(), strict=True)), width
        outline = ring.mapToScene(ring.path().boundingRect()).boundingRect()
        assert outline == QRectF(xs.min(), ys.min(), width, width), (width, outline)
        window.document.undo_stack.undo()


def rings(win) -> list:
    """The brush rings shown on the canvas."""
    from pixelproof.ui.tools.brush import BrushRing

    return [i for i in win.canvas.scene().items() if isinstance(i, BrushRing) and i.isVisible()]


def test_the_ring_goes_when_the_pointer_leaves_the_canvas_and_comes_back_with_it(window) -> None:
    """As Photoshop's and QuPath's brush cursor: a ring left at the canvas's edge marked a spot the pointer
    had left for a panel; during a stroke it stays (the drag comes back)."""
    window.canvas.set_zoom(4.0)
    window.canvas.centerOn(QPointF(100, 100))
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    hover(window, vp_at(window, 100.5, 100.5))
    assert len(rings(window)) == 1
    QApplication.sendEvent(window.canvas.viewport(), QEvent(QEvent.Type.Leave))  # to the Annotations panel
    assert rings(window) == []
    OPTIONS.step_width(+1)  # ] or the toolbar's box while away: no ring at the old spot
    assert rings(window) == []
    hover(window, vp_at(window, 90.5, 90.5))
    assert len(rings(window)) == 1
    # mid-stroke, a drag out of the canvas and back keeps the ring
    vp = window.canvas.viewport()
    QTest.mousePress(vp, LEFT, NOMOD, vp_at(window, 90.5, 90.5))
    QApplication.sendEvent(vp, QEvent(QEvent.Type.Leave))
    assert len(rings(window)) == 1
    QTest.mouseMove(vp, vp_at(window, 110.5, 95.5))
    QTest.mouseRelease(vp, LEFT, NOMOD, vp_at(window, 110.5, 95.5))
    assert len(rings(window)) == 1
    window.document.undo_stack.undo()
