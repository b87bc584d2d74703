"""Polygons drawn by the layer (``polygon_layer``) until something touches them: a click inside one (not
just inside its box) selects it and gives it its item, a vertex drag edits it and Ctrl+Z undoes it, hiding
its category hides it, and the layer paints it in its category's colour."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import PolygonItem
from pixelproof.ui.canvas.looks import category_color
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_hidden_categories import set_shown
from tests.ui.test_workbench import click, drag, key, view_point

TRIANGLE = [60.0, 40.0, 200.0, 40.0, 60.0, 180.0]  # its box's bottom-right half lies off it
INSIDE, OFF_IN_BOX = (80.0, 60.0), (180.0, 160.0)
TRI, OTHER = 1, 2


@pytest.fixture
def layered(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """A cat triangle and a dog square (polygons, in the layer), at 200 %, select tool on."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    project.add_annotation(Annotation(TRI, 1, 1, [60.0, 40.0, 140.0, 140.0], [TRIANGLE], 9800.0))
    square = [230.0, 60.0, 290.0, 60.0, 290.0, 120.0, 230.0, 120.0]
    project.add_annotation(Annotation(OTHER, 1, 2, [230.0, 60.0, 60.0, 60.0], [square], 3600.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(160, 110))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, 300, 220))
    yield win
    win.document.undo_stack.setClean()


def colour_at(win, x: float, y: float) -> tuple[int, int, int]:
    c = win.canvas.viewport().grab().toImage().pixelColor(view_point(win, x, y))
    return c.red(), c.green(), c.blue()


def bare(win, x: float, y: float) -> tuple[int, int, int]:
    """The image's own colour there: the polygons' layer taken off for a moment."""
    part = win.canvas.box_layer.polygons
    part.hide()
    try:
        return colour_at(win, x, y)
    finally:
        part.show()


def test_the_layer_draws_untouched_polygons_without_items(layered) -> None:
    win = layered
    assert win.canvas.made_item(TRI) is None and win.canvas.made_item(OTHER) is None
    assert TRI in win.canvas.box_layer.boxes
    assert colour_at(win, *INSIDE) != bare(win, *INSIDE)  # the fill, on the triangle only
    assert colour_at(win, *OFF_IN_BOX) == bare(win, *OFF_IN_BOX)
    cat = category_color(win.document.project.categories[1])
    edge = colour_at(win, 130, 40)  # the top edge: the outline in the category's colour
    assert edge == (cat.red(), cat.green(), cat.blue())


def test_a_click_inside_selects_it_not_one_in_its_box_off_it(layered) -> None:
    win = layered
    click(win, view_point(win, *OFF_IN_BOX))
    assert win.document.selection == []
    click(win, view_point(win, *INSIDE))
    assert win.document.selection == [TRI]
    assert isinstance(win.canvas.made_item(TRI), PolygonItem)  # its item, with its vertex handles
    key(win, Qt.Key.Key_Escape)  # unselected: back in the layer, drawn as before
    assert win.canvas.made_item(TRI) is None and TRI in win.canvas.box_layer.boxes


def test_dragging_a_vertex_edits_it_and_ctrl_z_undoes(layered) -> None:
    win = layered
    click(win, view_point(win, *INSIDE))
    assert win.document.selection == [TRI]
    drag(win, view_point(win, 200, 40), view_point(win, 220, 30))
    seg = win.document.project.annotations[TRI].segmentation[0]
    assert seg != TRIANGLE and (round(seg[2]), round(seg[3])) == (220, 30)
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.document.project.annotations[TRI].segmentation == [TRIANGLE]
    key(win, Qt.Key.Key_Escape)
    click(win, view_point(win, 215, 36))  # in the dragged-out corner: no longer the triangle
    assert win.document.selection == []


def test_hiding_its_category_hides_it(layered) -> None:
    win = layered
    plain = bare(win, *INSIDE)
    assert colour_at(win, *INSIDE) != plain
    set_shown(win, "cat", False)
    assert colour_at(win, *INSIDE) == plain
    click(win, view_point(win, *INSIDE))
    assert win.document.selection == []
    set_shown(win, "cat", True)
    assert colour_at(win, *INSIDE) != plain


def test_overlapping_polygons_of_a_category_each_fill_their_overlap(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """Two cells of a category overlapping, one drawn clockwise and one not (as imports give them): their
    overlap is filled by both, as two items filled it - not a hole (one path, winding fill) nor once."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    clockwise = [40.0, 40.0, 120.0, 40.0, 120.0, 120.0, 40.0, 120.0]
    counter = [80.0, 80.0, 80.0, 160.0, 160.0, 160.0, 160.0, 80.0]
    project.add_annotation(Annotation(1, 1, 1, [40.0, 40.0, 80.0, 80.0], [clockwise], 6400.0))
    project.add_annotation(Annotation(2, 1, 1, [80.0, 80.0, 80.0, 80.0], [counter], 6400.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(160, 120))
    hover(win, view_point(win, 300, 220))
    one, both = colour_at(win, 60, 60), colour_at(win, 100, 100)
    key(win, Qt.Key.Key_H)  # View > Show Annotations off: the image alone
    assert colour_at(win, 60, 60)[0] == colour_at(win, 100, 100)[0] == 0  # no red in the image there
    assert 0 < one[0] < both[0]  # the category's fill once, then twice over


def test_polygons_stack_in_their_order_whatever_their_category_after_an_undone_delete(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A cat, a dog over it and a cat over the dog: the last cat's outline across the dog is drawn over the
    dog's fill, as their items stacked (not the cats together, then the dogs), also once the dog is
    deleted and put back with Ctrl+Z."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    for ann_id, cat, (x, y) in ((1, 1, (20, 20)), (2, 2, (60, 60)), (3, 1, (100, 100))):
        square = [x, y, x + 80.0, y, x + 80.0, y + 80.0, x, y + 80.0]
        project.add_annotation(Annotation(ann_id, 1, cat, [x, y, 80.0, 80.0], [square], 6400.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(160, 120))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, 300, 220))
    cat = category_color(win.document.project.categories[1])
    assert colour_at(win, 160, 100) == (cat.red(), cat.green(), cat.blue())  # its top edge off the dog
    assert colour_at(win, 120, 100) == (cat.red(), cat.green(), cat.blue())  # and across the dog
    click(win, view_point(win, 80, 130))
    assert win.document.selection == [2]
    key(win, Qt.Key.Key_Delete)
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    key(win, Qt.Key.Key_Escape)
    assert win.canvas.made_item(2) is None  # back in the layer, under the last cat
    assert colour_at(win, 120, 100) == (cat.red(), cat.green(), cat.blue())
    win.document.undo_stack.setClean()


def test_a_polygon_whose_stored_bbox_is_stale_is_drawn_and_taken_where_it_is(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """An import's bbox that is not its polygon's (the lint's bbox_matches says so, and leaves it): zoomed in
    on the polygon, far from that box, it is drawn and a click in it takes it, as its item did."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    square = [200.0, 140.0, 260.0, 140.0, 260.0, 200.0, 200.0, 200.0]
    project.add_annotation(Annotation(1, 1, 1, [20.0, 20.0, 30.0, 30.0], [square], 3600.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(3.0)
    win.canvas.centerOn(QPointF(230, 170))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, 190, 130))
    assert colour_at(win, 230, 170) != bare(win, 230, 170)
    cat = category_color(win.document.project.categories[1])
    assert colour_at(win, 230, 140) == (cat.red(), cat.green(), cat.blue())
    click(win, view_point(win, 230, 170))
    assert win.document.selection == [1]


def test_a_selected_box_the_problems_fix_makes_a_polygon_is_a_selected_polygon(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """The rules allow cats as polygons only: the Problems panel's fix (Shift+F) turns the selected cat box
    into a polygon, which shows as a selected polygon (its item, its vertex handles), not as a layer box's
    entry left selected with a box's resize handles around it."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    project.app["rules"] = {"classes": {"cat": {"kinds": ["polygon"]}}}
    project.add_annotation(Annotation(1, 1, 1, [100.0, 60.0, 60.0, 60.0], None, 3600.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    panel = win.panels["problemsDock"]
    before = panel.result
    QTest.keyClick(win, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: panel.result is not before and not panel.runner.running, timeout=20000)
    rect = panel.table.visualRect(panel.proxy.index(0, 1))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.document.selection == [1]
    win.canvas.setFocus()
    QTest.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ShiftModifier)
    assert win.document.project.annotations[1].kind == "polygon"
    assert win.document.selection == [1]
    item = win.canvas.made_item(1)
    assert isinstance(item, PolygonItem) and item.is_selected_look
    assert not win.canvas.box_layer.selected  # no box handles drawn by the layer
    win.document.undo_stack.setClean()
