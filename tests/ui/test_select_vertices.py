"""Reshaping a polygon with the select / edit tool (V), as LabelMe's edit mode and CVAT do: the one selected
polygon shows its vertex handles, a drag of a vertex moves it, a drag from its edge pulls a new vertex out,
a right-click on a vertex deletes it; each is one undo step. A click on them still only selects, and a drag
inside still moves the polygon. Real mouse and key events on the canvas of the real main window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.tools.vertex_edit import VertexHandle
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_workbench import click, drag, key, view_point

SQUARE = [40.0, 40.0, 120.0, 40.0, 120.0, 120.0, 40.0, 120.0]
POLY, OTHER = 1, 2
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def square(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """A cat square polygon and a dog box, at 200 %, the select tool on, the square selected by a click."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    project.add_annotation(Annotation(POLY, 1, 1, [40.0, 40.0, 80.0, 80.0], [SQUARE], 6400.0))
    project.add_annotation(Annotation(OTHER, 1, 2, [200.0, 60.0, 60.0, 60.0], [], 3600.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(160, 110))
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 80, 80))
    assert win.document.selection == [POLY]
    yield win
    win.document.undo_stack.setClean()


def outline(win) -> list[float]:  # type: ignore[no-untyped-def]
    return win.document.project.annotations[POLY].segmentation[0]


def handles_at(win) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    """Where the canvas shows vertex handles (image pixels), visible ones only."""
    return sorted(
        (round(it.pos().x(), 1), round(it.pos().y(), 1))
        for it in win.canvas.scene().items()
        if isinstance(it, VertexHandle) and it.isVisible()
    )


def test_the_selected_polygon_shows_its_vertex_handles_in_the_select_tool(square) -> None:
    win = square
    assert handles_at(win) == sorted([(40.0, 40.0), (120.0, 40.0), (120.0, 120.0), (40.0, 120.0)])
    assert "drag a vertex" in win.canvas.tool.target_text()
    key(win, Qt.Key.Key_Escape)  # nothing selected: no handles
    assert handles_at(win) == []
    click(win, view_point(win, 230, 90))  # a box: no vertex handles
    assert win.document.selection == [OTHER] and handles_at(win) == []


def test_dragging_a_vertex_moves_it_alone_and_ctrl_z_takes_it_back(square) -> None:
    win = square
    drag(win, view_point(win, 120, 120), view_point(win, 150, 140))
    assert outline(win) == [40.0, 40.0, 120.0, 40.0, 150.0, 140.0, 40.0, 120.0]
    assert win.document.undo_stack.undoText() == "Move vertex"
    assert (150.0, 140.0) in handles_at(win) and win.document.selection == [POLY]
    key(win, Qt.Key.Key_Z, CTRL)
    assert outline(win) == SQUARE
    assert handles_at(win) == sorted([(40.0, 40.0), (120.0, 40.0), (120.0, 120.0), (40.0, 120.0)])


def test_dragging_from_an_edge_pulls_a_new_vertex_out_a_click_there_adds_none(square) -> None:
    win = square
    click(win, view_point(win, 80, 40))  # on the top edge: selects, as before; nothing added
    assert outline(win) == SQUARE and win.document.selection == [POLY]
    drag(win, view_point(win, 80, 40), view_point(win, 80, 20))
    assert outline(win) == [40.0, 40.0, 80.0, 20.0, 120.0, 40.0, 120.0, 120.0, 40.0, 120.0]
    assert win.document.undo_stack.undoText() == "Insert vertex"
    key(win, Qt.Key.Key_Z, CTRL)
    assert outline(win) == SQUARE


def test_right_click_on_a_vertex_offers_to_delete_it(square) -> None:
    win = square
    vp = win.canvas.viewport()
    at = view_point(win, 40, 120)
    QTest.mousePress(vp, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, at)
    QTest.mouseRelease(vp, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, at)
    menu = win.canvas.tool.last_menu
    assert menu is not None and menu.isVisible()
    next(a for a in menu.actions() if a.text() == "Delete Vertex").trigger()
    menu.close()
    assert outline(win) == SQUARE[:6] and win.document.undo_stack.undoText() == "Delete vertex"
    assert len(handles_at(win)) == 3


def test_a_drag_inside_still_moves_the_whole_polygon(square) -> None:
    win = square
    drag(win, view_point(win, 80, 80), view_point(win, 90, 85))
    assert outline(win) == [x + d for x, d in zip(SQUARE, [10.0, 5.0] * 4, strict=True)]
    assert win.document.undo_stack.undoText() == "Move"
    assert (50.0, 45.0) in handles_at(win)  # the handles went along


def test_esc_during_a_vertex_drag_leaves_the_polygon_as_it_was(square) -> None:
    win = square
    vp = win.canvas.viewport()
    start = view_point(win, 120, 120)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(vp, view_point(win, 140, 130))
    QTest.mouseMove(vp, view_point(win, 160, 150))
    assert (160.0, 150.0) in handles_at(win)  # the handle follows the pointer
    key(win, Qt.Key.Key_Escape)
    QTest.mouseRelease(
        vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view_point(win, 160, 150)
    )
    assert outline(win) == SQUARE and (120.0, 120.0) in handles_at(win)
    assert win.document.selection == [POLY]


def test_with_two_objects_selected_a_drag_from_a_vertex_moves_them_whole(square) -> None:
    win = square
    click(win, view_point(win, 230, 90), Qt.KeyboardModifier.ShiftModifier)  # the box too
    assert win.document.selection == [POLY, OTHER] and handles_at(win) == []
    drag(win, view_point(win, 120, 120), view_point(win, 130, 120))
    assert outline(win) == [x + d for x, d in zip(SQUARE, [10.0, 0.0] * 4, strict=True)]


def test_a_drag_from_the_middle_of_a_tiny_polygon_moves_it_from_outside_a_vertex(qtbot, tmp_path, no_prompts):  # type: ignore[no-untyped-def]
    """A defect 6 px across at 100 %: every press on it was within reach of a vertex, so a drag from its
    middle bent it; inside, a vertex is taken only nearer than the middle (as a small box's handles)."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    tiny = [100.0, 100.0, 106.0, 100.0, 106.0, 106.0, 100.0, 106.0]
    project.add_annotation(Annotation(POLY, 1, 1, [100.0, 100.0, 6.0, 6.0], [tiny], 36.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(160, 120))
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 103, 103))
    assert win.document.selection == [POLY] and len(handles_at(win)) == 4
    drag(win, view_point(win, 103, 103), view_point(win, 123, 113))
    assert outline(win) == [x + d for x, d in zip(tiny, [20.0, 10.0] * 4, strict=True)]
    assert win.document.undo_stack.undoText() == "Move"
    # from just outside a corner, the vertex still moves alone
    drag(win, view_point(win, 128, 118), view_point(win, 140, 130))
    assert outline(win)[4:6] == [140.0, 130.0] and win.document.undo_stack.undoText() == "Move vertex"
    win.document.undo_stack.setClean()
