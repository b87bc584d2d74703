"""Edge cases of the drawing and editing tools, driven by real mouse and key events on the canvas viewport
of the real main window: degenerate polygons, erasing a whole mask, nudging an object that sticks out."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core import masks
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.coco_dump import dumps_project
from pixelproof.core.lint.shapes import polygon_defect
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.conftest import open_main_window
from tests.ui.test_mask_tools import default_options, stroke  # noqa: F401  (autouse fixture: default tool settings)

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def vp_at(win, x: float, y: float) -> QPoint:
    return win.canvas.mapFromScene(QPointF(x, y))


def key(win, k, modifier=NOMOD) -> None:
    QTest.keyClick(win.canvas, k, modifier)


def click(win, p: QPoint, modifier=NOMOD) -> None:
    QTest.mouseClick(win.canvas.viewport(), LEFT, modifier, p)


def double_click(win, p: QPoint) -> None:
    """What a hand's double-click delivers: press, release, double-click (instead of a 2nd press), release."""
    vp = win.canvas.viewport()
    for kind in ("MouseButtonPress", "MouseButtonRelease", "MouseButtonDblClick", "MouseButtonRelease"):
        t = getattr(QEvent.Type, kind)
        held = Qt.MouseButton.NoButton if "Release" in kind else LEFT
        ev = QMouseEvent(t, QPointF(p), QPointF(vp.mapToGlobal(p)), LEFT, held, NOMOD)
        QApplication.sendEvent(vp, ev)


def dump(win) -> bytes:
    return dumps_project(win.document.project)


def reloaded(win, tmp_path: Path):
    """The project as saved and read back through the core's validation."""
    target = tmp_path / "check.json"
    target.write_bytes(dump(win))
    return load_project(target)


def open_on(qtbot, tmp_path: Path, annotations: list[Annotation] = ()):  # type: ignore[assignment]
    """The main window on one 120x100 two-tone image (a bright block at x 30..89, y 20..69)."""
    img = np.full((100, 120, 3), 40, np.uint8)
    img[20:70, 30:90] = 200
    cv2.imwrite(str(tmp_path / "a.png"), img)
    project = new_project(["cell"])
    project.add_image(ImageRecord(1, "a.png", 120, 100))
    for ann in annotations:
        project.add_annotation(ann)
    save_project(project, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    win.canvas.set_zoom(1.73)
    win.canvas.centerOn(QPointF(60, 50))
    win.canvas.pan_by(13, -7)
    return win


def test_polygon_never_closes_degenerate_and_enter_keeps_a_short_outline(qtbot, tmp_path, no_prompts) -> None:
    win = open_on(qtbot, tmp_path)
    said: list[str] = []
    win.canvas.message.connect(said.append)
    key(win, Qt.Key.Key_P)
    tool = win.canvas.tool
    stack = win.document.undo_stack
    a, b, c = vp_at(win, 10.3, 10.2), vp_at(win, 50.7, 10.2), vp_at(win, 90.1, 10.2)
    # two vertices and Enter: refused with a reason, the outline stays to be finished
    click(win, a)
    click(win, b)
    key(win, Qt.Key.Key_Return)
    assert len(tool._points) == 2 and stack.count() == 0
    assert "3 vertices" in said[-1]
    # a second click on the last vertex adds no vertex; a click on the first one does not close 2 vertices
    click(win, b)
    click(win, a)
    assert len(tool._points) == 2 and stack.count() == 0
    # three vertices on one line: zero area, refused
    click(win, c)
    key(win, Qt.Key.Key_Return)
    double_click(win, c)
    assert len(tool._points) == 3 and stack.count() == 0
    assert "3 vertices" in said[-1]
    # a fourth vertex off the line; a double-click on it closes without doubling it
    d = vp_at(win, 50.5, 60.5)
    click(win, d)
    double_click(win, d)
    assert stack.count() == 1 and not tool._points
    (ann,) = win.document.project.annotations.values()
    want = []
    for p in (a, b, c, d):
        s = win.canvas.mapToScene(p)
        want += [round(s.x(), 2), round(s.y(), 2)]
    assert ann.segmentation == [want]
    assert polygon_defect(ann.segmentation[0]) is None
    assert reloaded(win, tmp_path).annotations[ann.id].segmentation == [want]
    # editing: the one vertex off the line dragged back onto it (zero area) is refused the same way
    key(win, Qt.Key.Key_Escape)
    saved = dump(win)
    win.document.set_selection([ann.id])
    stroke(win, [d, d + (b - d) / 2, b])
    assert dump(win) == saved and stack.count() == 1
    assert "3 vertices" in said[-1]
    said.clear()
    click(win, d, SHIFT)  # deleting it would leave three on one line
    assert dump(win) == saved and stack.count() == 1
    assert "3 vertices" in said[-1]
    stack.setClean()


def erase_everything(win) -> None:
    assert win.canvas.tool.name == "eraser"
    OPTIONS.set(width=61)
    corners = [(30.5, 30.5), (90.5, 30.5), (90.5, 70.5), (30.5, 70.5)]
    stroke(win, [vp_at(win, x, y) for x, y in corners])


@pytest.mark.parametrize("cropped", [False, True])
def test_erasing_every_pixel_deletes_the_object_in_one_undo_step(qtbot, tmp_path, no_prompts, cropped):
    pixels = np.zeros((100, 120), bool)
    pixels[40:50, 40:60] = True
    rle, origin = masks.encode_cropped(pixels) if cropped else (masks.encode(pixels), None)
    ann = Annotation(1, 1, 1, masks.bbox(pixels), rle, float(pixels.sum()))
    if origin is not None:
        ann.app_extra["rle_origin"] = origin
    keep = Annotation(2, 1, 1, [100.0, 80.0, 10.0, 10.0], area=100.0)
    win = open_on(qtbot, tmp_path, [ann, keep])
    win.document.set_selection([1])
    key(win, Qt.Key.Key_E)
    OPTIONS.set(width=1)
    stroke(win, [vp_at(win, 41.5, 41.5)])  # a dab first: the eraser keeps its working copy of the mask
    pixels[41, 41] = False
    before = dump(win)
    erase_everything(win)
    stack = win.document.undo_stack
    assert stack.count() == 2
    assert list(win.document.project.annotations) == [2]
    assert 1 not in win.canvas.items_by_id
    after = dump(win)
    assert list(reloaded(win, tmp_path).annotations) == [2]
    stack.undo()
    assert dump(win) == before and win.document.selection == [1]
    assert np.array_equal(masks.annotation_mask(win.document.project.annotations[1], 100, 120), pixels)
    stack.redo()
    assert dump(win) == after
    # undone again, a stroke erases from the pixels as they are back (not from the emptied working copy)
    stack.undo()
    OPTIONS.set(width=1)
    stroke(win, [vp_at(win, 45.5, 45.5), vp_at(win, 45.5, 46.5)])
    pixels[45:47, 45] = False
    assert np.array_equal(masks.annotation_mask(win.document.project.annotations[1], 100, 120), pixels)
    stack.setClean()


def test_wand_subtracting_the_whole_mask_deletes_it(qtbot, tmp_path, no_prompts) -> None:
    block = np.zeros((100, 120), bool)
    block[20:70, 30:90] = True
    win = open_on(qtbot, tmp_path, [Annotation(1, 1, 1, masks.bbox(block), masks.encode(block), 3000.0)])
    before = dump(win)
    key(win, Qt.Key.Key_F)
    win.document.set_selection([1])
    click(win, vp_at(win, 50.5, 40.5), SHIFT)
    qtbot.waitUntil(lambda: not win.canvas.tool.is_busy(), timeout=10000)
    assert win.document.project.annotations == {}
    win.document.undo_stack.undo()
    assert dump(win) == before
    win.document.undo_stack.setClean()


def test_arrows_and_drags_never_move_an_object_away_from_the_way_asked(qtbot, tmp_path, no_prompts) -> None:
    """A box imported sticking out of the image by 5 px: Left cannot take it further out, and must not
    throw it 5 px to the right either; Right moves it 1 px."""
    win = open_on(qtbot, tmp_path, [Annotation(1, 1, 1, [-5.0, 10.0, 20.0, 20.0], area=400.0)])
    key(win, Qt.Key.Key_V)
    win.document.set_selection([1])
    before = dump(win)
    key(win, Qt.Key.Key_Left)
    assert dump(win) == before
    start = vp_at(win, 5.5, 20.5)
    stroke(win, [start, start + QPoint(-10, 0), start + QPoint(-20, 0)])
    assert dump(win) == before
    key(win, Qt.Key.Key_Right)
    assert win.document.project.annotations[1].bbox == [-4.0, 10.0, 20.0, 20.0]
    win.document.undo_stack.undo()
    assert dump(win) == before
    win.document.undo_stack.setClean()
