"""The brush and eraser of 1 px at high zoom paint the pixel under the pointer, driven by real mouse events
on the real main window. A high-DPI screen (or a fractional scale) gives the pointer in fractions of a logical
pixel; rounding it first put the right half of each image pixel at 100 %, and one screen pixel at each
pixel's edge at 3200 %, on the neighbouring pixel."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core import masks
from pixelproof.ui.tools.paint_options import OPTIONS, PaintOptions

LEFT, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
NOMOD, SHIFT = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def one_px_brush():
    OPTIONS.set(width=1, preserve_others=False)
    yield
    OPTIONS.set(width=PaintOptions().width)


def send(win, kind: QEvent.Type, at: QPointF, button=LEFT, mods=NOMOD) -> None:
    """A mouse event at ``at`` (a fraction of a logical pixel, as a high-DPI screen gives it)."""
    vp = win.canvas.viewport()
    buttons = (
        LEFT if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove) and button == LEFT else NONE
    )
    ev = QMouseEvent(kind, at, QPointF(vp.mapToGlobal(at)), button, buttons, mods)
    QApplication.sendEvent(vp, ev)


def click(win, at: QPointF, mods=NOMOD) -> None:
    send(win, QEvent.Type.MouseMove, at, NONE, mods)
    send(win, QEvent.Type.MouseButtonPress, at, LEFT, mods)
    send(win, QEvent.Type.MouseButtonRelease, at, LEFT, mods)


def cell(win, x: int, y: int) -> QPointF:
    """The top-left corner of image pixel (x, y) in the viewport, in logical pixels."""
    return QPointF(win.canvas.mapFromScene(QPointF(x, y)))


def painted(win, before: set[int]) -> set[tuple[int, int]]:
    (new,) = set(win.document.project.annotations) - before
    ys, xs = np.nonzero(masks.decode(win.document.project.annotations[new].segmentation))
    return set(zip(xs.tolist(), ys.tolist(), strict=True))


@pytest.mark.parametrize("zoom", [1.0, 2.0, 32.0])
def test_a_click_paints_the_pixel_under_the_pointer_to_its_edges(qtbot, window, zoom: float) -> None:
    window.canvas.set_zoom(zoom)
    window.canvas.centerOn(QPointF(40, 30))
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    corner = cell(window, 40, 30)
    assert window.canvas.mapToScene(corner.toPoint()) == QPointF(40, 30)  # a pixel's edge on a screen pixel
    last = zoom - 0.25  # the last quarter of a logical pixel inside the cell: a physical pixel at 4x
    for dx, dy in [(0, 0), (0.5, 0.5), (zoom / 2, zoom / 2), (last, last), (last, 0), (0, last)]:
        before = set(window.document.project.annotations)
        click(window, corner + QPointF(dx, dy))
        assert painted(window, before) == {(40, 30)}, (zoom, dx, dy)
        # the ring outlines that pixel, and the status bar names it
        ring = window.canvas.tool._ring
        assert ring.mapToScene(ring.path().boundingRect()).boundingRect() == QRectF(40, 30, 1, 1), (zoom, dx)
        qtbot.waitUntil(lambda: window.readout.pos_label.text() == "x 40, y 30", timeout=10000)
        window.document.undo_stack.undo()
    before = set(window.document.project.annotations)
    click(window, corner + QPointF(zoom, zoom))  # the next pixel's edge
    assert painted(window, before) == {(41, 31)}


def test_the_eraser_takes_the_pixel_under_the_pointer_and_undo_gives_it_back(window) -> None:
    window.canvas.set_zoom(32.0)
    window.canvas.centerOn(QPointF(40, 30))
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    OPTIONS.set(width=3)
    before = set(window.document.project.annotations)
    click(window, cell(window, 40, 30) + QPointF(16, 16))
    dot = painted(window, before)
    (ann_id,) = set(window.document.project.annotations) - before
    seg = window.document.project.annotations[ann_id].segmentation
    QTest.keyClick(window.canvas, Qt.Key.Key_E)
    OPTIONS.set(width=1)
    click(window, cell(window, 41, 30) + QPointF(31.75, 31.75))  # the bottom-right screen pixel of (41, 30)
    ys, xs = np.nonzero(masks.decode(window.document.project.annotations[ann_id].segmentation))
    assert dot - set(zip(xs.tolist(), ys.tolist(), strict=True)) == {(41, 30)}
    window.document.undo_stack.undo()
    assert window.document.project.annotations[ann_id].segmentation == seg


def test_shift_click_draws_a_one_pixel_line_between_the_pixels_clicked(window) -> None:
    window.canvas.set_zoom(16.0)
    window.canvas.centerOn(QPointF(45, 32))
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    before = set(window.document.project.annotations)
    click(window, cell(window, 40, 30) + QPointF(15.5, 15.5))
    click(window, cell(window, 50, 34) + QPointF(15.5, 15.5), SHIFT)
    line = painted(window, before)
    assert (40, 30) in line and (50, 34) in line
    assert len(line) == 11  # one pixel a column, as Bresenham's line: no doubled steps
    assert sorted(x for x, _ in line) == list(range(40, 51))
    ys = [y for _, y in sorted(line)]
    assert all(0 <= b - a <= 1 for a, b in itertools.pairwise(ys))  # 8-connected, no gap


def test_a_one_pixel_scratch_is_selected_by_a_click_anywhere_on_its_pixels(window) -> None:
    """A mask's outline, its click target too, ran through its pixels' centres: a scratch 1 px wide had no
    area (a click selected it only on its centre line) and a 3x3 defect was outlined as a 2x2 square."""
    window.canvas.set_zoom(32.0)
    window.canvas.centerOn(QPointF(42, 32))
    QTest.keyClick(window.canvas, Qt.Key.Key_R)
    before = set(window.document.project.annotations)
    click(window, cell(window, 40, 30) + QPointF(16, 16))
    click(window, cell(window, 43, 30) + QPointF(16, 16), SHIFT)  # a scratch 4 px long, 1 px wide
    (scratch,) = set(window.document.project.annotations) - before
    item = window.canvas.items_by_id[scratch]
    assert item.shape().boundingRect() == QRectF(40, 30, 4, 1)  # along the pixels' outer edges
    QTest.keyClick(window.canvas, Qt.Key.Key_V)
    for x, y in [(40, 30), (41, 30), (43, 30)]:
        for dx, dy in [(2, 2), (29, 3), (16, 29)]:  # near a pixel's corners and edges, not its centre
            QTest.keyClick(window.canvas, Qt.Key.Key_Escape)
            assert window.document.selection == []
            QTest.mouseClick(
                window.canvas.viewport(), LEFT, NOMOD, (cell(window, x, y) + QPointF(dx, dy)).toPoint()
            )
            assert window.document.selection == [scratch], (x, y, dx, dy)
    QTest.keyClick(window.canvas, Qt.Key.Key_Escape)
    QTest.mouseClick(window.canvas.viewport(), LEFT, NOMOD, (cell(window, 44, 30) + QPointF(3, 16)).toPoint())
    assert window.document.selection == []  # the pixel past its end is not it
