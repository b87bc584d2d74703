"""The Measure tool driven by real mouse and key events: the distance in mm over anisotropic pixels in the
status bar and beside the line, Shift, Esc, another image or tool clearing it, and nothing ever saved."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsSimpleTextItem, QLabel

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from tests.ui.conftest import open_main_window

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
SPACING = (0.5, 0.25)  # pixel_spacing (row, column) in mm: a row step is twice a column step


def spaced_project(folder: Path) -> Path:
    """Two 200x160 grey images: the first with an anisotropic pixel spacing, the second with none."""
    folder.mkdir(parents=True, exist_ok=True)
    project = new_project(["lesion"])
    for i in (1, 2):
        cv2.imwrite(str(folder / f"s{i}.png"), np.full((160, 200, 3), 90 * i, np.uint8))
    project.add_image(ImageRecord(1, "s1.png", 200, 160, {"pixel_spacing": list(SPACING)}))
    project.add_image(ImageRecord(2, "s2.png", 200, 160))
    path = folder / "project.json"
    save_project(project, path)
    return path


@pytest.fixture
def win(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    w = open_main_window(qtbot, spaced_project(tmp_path))
    w.canvas.set_zoom(2.0)
    w.canvas.centerOn(QPointF(100, 80))
    QTest.keyClick(w.canvas, Qt.Key.Key_U)
    assert w.canvas.tool.name == "measure"
    yield w
    w.document.undo_stack.setClean()
    w.close()


def at(win, x: float, y: float) -> QPoint:
    return win.canvas.mapFromScene(QPointF(x, y))


def move(win, p: QPoint, modifiers=NOMOD) -> None:
    """A move with the left button held (QTest.mouseMove cannot say Shift is down)."""
    vp = win.canvas.viewport()
    ev = QMouseEvent(QEvent.Type.MouseMove, QPointF(p), QPointF(vp.mapToGlobal(p)), LEFT, LEFT, modifiers)
    QApplication.sendEvent(vp, ev)


def drag(win, a: QPoint, b: QPoint, modifiers=NOMOD) -> None:
    vp = win.canvas.viewport()
    QTest.mousePress(vp, LEFT, modifiers, a)
    for i in range(1, 5):
        move(win, a + (b - a) * (i / 4), modifiers)
    QTest.mouseRelease(vp, LEFT, modifiers, b)


def status(win) -> str:
    return win.statusBar().findChild(QLabel, "toolTarget").whole


def labels_on_canvas(win) -> list[str]:
    """The texts shown on the canvas (the hover mark keeps a hidden tag of its own)."""
    scene = win.canvas.scene()
    return [i.text() for i in scene.items() if isinstance(i, QGraphicsSimpleTextItem) and i.isVisible()]


def test_a_drag_measures_mm_over_anisotropic_pixels_and_saves_nothing(win) -> None:
    doc = win.document
    steps, anns = doc.undo_stack.count(), dict(doc.project.annotations)
    a, b = at(win, 20, 30), at(win, 60, 60)
    drag(win, a, b)
    p, q = win.canvas.mapToScene(a), win.canvas.mapToScene(b)
    dx, dy = q.x() - p.x(), q.y() - p.y()
    mm = math.hypot(dx * SPACING[1], dy * SPACING[0])  # column steps 0.25 mm, row steps 0.5 mm
    assert abs(dx) > 30 and abs(dy) > 20
    assert f"{mm:.2f} mm" in status(win)
    assert f"{math.hypot(dx, dy):.1f} px" in status(win)
    assert any(f"{mm:.2f} mm" in t for t in labels_on_canvas(win))  # beside the line too
    # not an annotation: no object, no undo step, the project not modified
    assert doc.project.annotations == anns
    assert doc.undo_stack.count() == steps and doc.undo_stack.isClean()
    # it stays after the release, until Esc
    QTest.keyClick(win.canvas, Qt.Key.Key_Escape)
    assert f"{mm:.2f} mm" not in status(win) and status(win).startswith("Measure: drag")
    assert labels_on_canvas(win) == []
    assert doc.undo_stack.count() == steps and doc.undo_stack.isClean()


def test_another_drag_replaces_it_and_shift_keeps_it_horizontal(win) -> None:
    drag(win, at(win, 20, 30), at(win, 60, 60))
    drag(win, at(win, 30, 40), at(win, 90, 44), Qt.KeyboardModifier.ShiftModifier)
    assert len(labels_on_canvas(win)) == 1
    d = win.canvas.tool.measured
    assert d.dy == 0 and d.dx > 50
    assert d.mm == pytest.approx(d.dx * SPACING[1])  # along a row: column spacing only
    assert f"{d.mm:.2f} mm" in status(win)


def test_another_image_or_tool_clears_it(win, qtbot) -> None:
    drag(win, at(win, 20, 30), at(win, 60, 60))
    assert "mm" in status(win)
    QTest.keyClick(win.canvas, Qt.Key.Key_D)  # next image
    qtbot.waitUntil(lambda: win.canvas.image_id == 2 and win.canvas.image_item is not None, timeout=10000)
    assert win.canvas.tool.measured is None and labels_on_canvas(win) == []
    assert status(win).startswith("Measure: drag") and "no pixel spacing" in status(win)
    # an image without spacing measures in pixels only
    win.canvas.set_zoom(2.0)
    drag(win, at(win, 10, 10), at(win, 40, 50))
    d = win.canvas.tool.measured
    assert d.mm is None and "mm" not in status(win) and f"{d.px:.1f} px" in status(win)
    QTest.keyClick(win.canvas, Qt.Key.Key_B)  # another tool
    assert win.canvas.tool.name == "box" and labels_on_canvas(win) == []
    assert win.document.project.annotations == {} and win.document.undo_stack.count() == 0


def test_a_click_clears_and_measures_nothing(win) -> None:
    drag(win, at(win, 20, 30), at(win, 60, 60))
    p = at(win, 100, 100)
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, p)
    assert win.canvas.tool.measured is None and labels_on_canvas(win) == []
    assert status(win).startswith("Measure: drag")
