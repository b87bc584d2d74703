"""Polygon, brush, eraser and fill tools and the mask conversions, driven by real mouse and key events on
the canvas viewport of the real main window (issue 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.ui.tools.mask_options import OPTIONS, MaskOptions
from tests.core.test_mask_edit import reference_stroke

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def default_options():
    """Each test starts from the default tool settings (they are app-wide)."""
    defaults = MaskOptions()
    OPTIONS.set(
        **{
            k: getattr(defaults, k)
            for k in ("radius", "preserve_others", "tolerance", "connectivity", "fixed_range")
        }
    )
    yield OPTIONS


def vp_at(win, x: float, y: float) -> QPoint:
    """Viewport point over image point (x, y)."""
    return win.canvas.mapFromScene(QPointF(x, y))


def pixel_under(win, p: QPoint) -> tuple[int, int]:
    """The pixel the canvas maps a viewport point to: what a tool receives."""
    s = win.canvas.mapToScene(p)
    return math.floor(s.x()), math.floor(s.y())


def key(win, k, modifier=NOMOD) -> None:
    QTest.keyClick(win.canvas, k, modifier)


def set_view(win, zoom: float, center=(160, 120)) -> None:
    win.canvas.set_zoom(zoom)
    win.canvas.centerOn(QPointF(*center))


def stroke(win, points: list[QPoint], modifier=NOMOD) -> None:
    """Press at the first point, one move event per later point (far apart = a fast hand), release."""
    vp = win.canvas.viewport()
    QTest.mousePress(vp, LEFT, modifier, points[0])
    for p in points[1:]:
        QTest.mouseMove(vp, p)
    QTest.mouseRelease(vp, LEFT, modifier, points[-1])


def only_new(win, before: set[int]) -> int:
    new = set(win.document.project.annotations) - before
    assert len(new) == 1, new
    return new.pop()


def pixels(win, ann_id: int) -> np.ndarray:
    return masks.decode(win.document.project.annotations[ann_id].segmentation)


def test_brush_stroke_paints_exactly_the_opencv_line_and_undoes(window) -> None:
    set_view(window, 2.0)
    key(window, Qt.Key.Key_R)
    assert window.canvas.tool.name == "brush"
    key(window, Qt.Key.Key_BracketRight)  # 8 -> 9
    key(window, Qt.Key.Key_BracketLeft)  # 9 -> 8
    OPTIONS.set(radius=5)
    pts = [vp_at(window, x + 0.5, y + 0.5) for x, y in [(60, 70), (140, 90), (200, 60), (205, 150)]]
    before = set(window.document.project.annotations)
    stroke(window, pts)
    ann_id = only_new(window, before)
    ann = window.document.project.annotations[ann_id]
    assert ann.kind == "mask" and ann.iscrowd == 0 and ann.category_id == 1
    expected = reference_stroke((240, 320), [pixel_under(window, p) for p in pts], 5)
    got = pixels(window, ann_id)
    assert np.array_equal(got, expected)
    assert ann.area == expected.sum() and ann.bbox == masks.bbox(expected)
    stack = window.document.undo_stack
    assert stack.count() == 1  # the whole stroke is one step
    cmd = stack.command(0)
    assert cmd.patch.before.shape == cmd.patch.after.shape and cmd.patch.after.size < 240 * 320 / 2
    stack.undo()
    assert ann_id not in window.document.project.annotations and ann_id not in window.canvas.items_by_id
    stack.redo()
    assert np.array_equal(pixels(window, ann_id), expected)
