"""Drawing in a project without categories makes the category "object" - once something is drawn. A brush
stroke or a wand click wholly outside the image paints nothing, so it adds nothing: no category, no object,
no undo step. Real mouse events on the real window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.conftest import open_main_window
from tests.ui.test_mask_tools import click, draw_polygon, key, set_view, stroke, vp_at


@pytest.fixture
def bare_window(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """The main window on a project with one image (a red block on grey) and no category at all."""
    import cv2

    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import ImageRecord

    img = np.full((160, 200, 3), 30, np.uint8)
    img[20:100, 30:150] = (200, 40, 40)
    (tmp_path / "img.png").write_bytes(cv2.imencode(".png", img)[1].tobytes())
    project = new_project([])
    project.add_image(ImageRecord(1, "img.png", 200, 160))
    save_project(project, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    assert not win.document.project.categories
    set_view(win, 1.0, (100, 80))
    yield win
    win.document.undo_stack.setClean()
    win.close()


def below_image(win, x: float, dy: float = 0.0) -> QPoint:  # type: ignore[no-untyped-def]
    """A viewport point well below the image (at least 100 px past its bottom edge), inside the view."""
    p = vp_at(win, x, 260 + dy)
    assert win.canvas.viewport().rect().contains(p)
    return p


def nothing_made(win) -> None:  # type: ignore[no-untyped-def]
    doc = win.document
    assert not doc.project.categories and not doc.project.annotations
    assert doc.undo_stack.count() == 0


def test_a_brush_stroke_outside_the_image_creates_no_category(bare_window) -> None:
    win = bare_window
    key(win, Qt.Key.Key_R)
    assert win.canvas.tool.name == "brush"
    stroke(win, [below_image(win, 20), below_image(win, 80, 10), below_image(win, 150, 20)])
    nothing_made(win)
    stroke(win, [vp_at(win, 60, 60), vp_at(win, 90, 70)])  # on the image: the category comes with the mask
    (cat,) = win.document.project.categories.values()
    assert cat.name == "object"
    (mask,) = win.document.project.annotations.values()
    assert mask.category_id == cat.id and mask.area > 0


def test_a_wand_click_outside_the_image_creates_no_category(qtbot, bare_window) -> None:
    win = bare_window
    key(win, Qt.Key.Key_F)
    assert win.canvas.tool.name == "fill"
    click(win, below_image(win, 100))
    qtbot.waitUntil(lambda: not win.canvas.tool.is_busy(), timeout=10000)
    nothing_made(win)
    click(win, vp_at(win, 60, 60))  # on the red block: the category comes with the mask
    qtbot.waitUntil(lambda: not win.canvas.tool.is_busy(), timeout=10000)
    (cat,) = win.document.project.categories.values()
    assert cat.name == "object"
    (mask,) = win.document.project.annotations.values()
    assert mask.category_id == cat.id and mask.area == 80 * 120


def test_a_click_or_a_drag_outside_the_image_with_the_box_tool_creates_no_category(bare_window) -> None:
    """The box tool is alike: a click (a first corner, no box yet; Esc drops it) or a drag wholly outside
    the image (a box of no size once kept inside the image) draws nothing, so it adds nothing."""
    win = bare_window
    key(win, Qt.Key.Key_B)
    assert win.canvas.tool.name == "box"
    click(win, vp_at(win, 60, 60))
    nothing_made(win)
    key(win, Qt.Key.Key_Escape)
    stroke(win, [below_image(win, 20), below_image(win, 150, 30)])
    nothing_made(win)
    stroke(win, [vp_at(win, 20, 20), vp_at(win, 80, 70)])
    (cat,) = win.document.project.categories.values()
    (box,) = win.document.project.annotations.values()
    assert cat.name == "object" and box.category_id == cat.id


CTRL = Qt.KeyboardModifier.ControlModifier


def one_step_both_ways(win, label: str) -> None:  # type: ignore[no-untyped-def]
    """The first object and the category "object" made for it are one undo step: the Edit menu names the
    drawing, one Ctrl+Z takes back both, Ctrl+Shift+Z (and Ctrl+Y) brings back both."""
    doc = win.document
    (cat,) = doc.project.categories.values()
    (ann,) = doc.project.annotations.values()
    assert cat.name == "object" and ann.category_id == cat.id
    assert doc.undo_stack.count() == 1 and win.act_undo.text() == f"&Undo {label}"
    assert doc.current_category_id == cat.id
    key(win, Qt.Key.Key_Z, CTRL)
    assert not doc.project.annotations and not doc.project.categories
    assert not win.act_undo.isEnabled() and win.act_redo.text() == f"&Redo {label}"
    key(win, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert list(doc.project.categories) == [cat.id] and list(doc.project.annotations) == [ann.id]
    assert doc.project.annotations[ann.id].category_id == cat.id
    key(win, Qt.Key.Key_Z, CTRL)
    assert not doc.project.annotations and not doc.project.categories
    key(win, Qt.Key.Key_Y, CTRL)
    assert list(doc.project.categories) == [cat.id] and list(doc.project.annotations) == [ann.id]


def test_the_first_box_and_its_category_are_one_undo_step(bare_window) -> None:
    win = bare_window
    key(win, Qt.Key.Key_B)
    stroke(win, [vp_at(win, 20, 20), vp_at(win, 50, 40), vp_at(win, 80, 70)])
    one_step_both_ways(win, "Draw box")


def test_the_first_brush_stroke_and_its_category_are_one_undo_step(bare_window) -> None:
    win = bare_window
    key(win, Qt.Key.Key_R)
    stroke(win, [vp_at(win, 60, 60), vp_at(win, 90, 70)])
    one_step_both_ways(win, "Brush stroke")


def test_the_first_polygon_and_its_category_are_one_undo_step(bare_window) -> None:
    win = bare_window
    draw_polygon(win, [(20, 20), (120, 30), (90, 110)])
    one_step_both_ways(win, "Draw polygon")


def test_the_first_wand_fill_and_its_category_are_one_undo_step(qtbot, bare_window) -> None:
    win = bare_window
    key(win, Qt.Key.Key_F)
    click(win, vp_at(win, 60, 60))
    qtbot.waitUntil(lambda: bool(win.document.project.annotations), timeout=10000)
    one_step_both_ways(win, "Wand fill")
