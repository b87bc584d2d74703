"""Many selected polygons stay in the layer (``polygon_layer.SelectedPolygons``): Ctrl+A on 200 makes no
item (10,000 items and their vertex handles took ~3.9 s), draws them as a selected ``PolygonItem`` would
and without a box's resize handles; Delete, Ctrl+Z, Escape and a drag of them all still work."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QImage

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import PolygonItem
from pixelproof.ui.canvas.polygon_layer import MANY_SELECTED
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_workbench import click, drag, key, view_point

COLS, ROWS = 20, 10
N = COLS * ROWS
TARGET = 5 * COLS + 10 + 1  # a diamond in the middle of the grid (ids start at 1)
CTRL = Qt.KeyboardModifier.ControlModifier


def corner(ann_id: int) -> tuple[float, float]:
    k = ann_id - 1
    return 10.0 + (k % COLS) * 30.0, 10.0 + (k // COLS) * 30.0


@pytest.fixture
def diamonds(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """200 diamonds 20 px wide (polygons, in the layer), cats and dogs, at 200 %, select tool on."""
    path = make_project(tmp_path, n_images=1, size=(320, 640))
    project = load_project(path)
    for ann_id in range(1, N + 1):
        x, y = corner(ann_id)
        seg = [x + 10, y, x + 20, y + 10, x + 10, y + 20, x, y + 10]
        project.add_annotation(Annotation(ann_id, 1, 1 + ann_id % 2, [x, y, 20.0, 20.0], [seg], 200.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    x, y = corner(TARGET)
    win.canvas.centerOn(QPointF(x + 10, y + 10))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, x - 4, y - 4))  # between diamonds: no hover mark on the target
    yield win
    win.document.undo_stack.setClean()


def polygon_items(win) -> list[PolygonItem]:
    return [it for it in win.canvas.scene().items() if isinstance(it, PolygonItem)]


def around(win, x: float, y: float, r: int = 4) -> QImage:
    """The viewport's pixels within ``r`` of image point (x, y)."""
    v = view_point(win, x, y)
    return win.canvas.viewport().grab(QRect(v.x() - r, v.y() - r, 2 * r + 1, 2 * r + 1)).toImage()


def looks(win) -> tuple[QImage, QImage]:
    """The target's lower-right edge at its middle (outline and fill, away from its vertices' handles and
    the tags), and its box's bottom-right corner (where a box's resize handle would be)."""
    x, y = corner(TARGET)
    return around(win, x + 15, y + 15), around(win, x + 20, y + 20)


def test_select_all_keeps_many_polygons_in_the_layer_drawn_selected(diamonds) -> None:
    win = diamonds
    plain_edge, plain_corner = looks(win)
    win.document.set_selection([TARGET])  # one: its own item, as a selected polygon always had
    assert [it.ann_id for it in polygon_items(win)] == [TARGET]
    item_edge, item_corner = looks(win)
    assert item_edge != plain_edge  # the selected look: thicker outline, denser fill
    key(win, Qt.Key.Key_A, CTRL)
    assert sorted(win.document.selection) == list(range(1, N + 1)) and N > MANY_SELECTED
    assert polygon_items(win) == [] and win.canvas.made_item(TARGET) is None
    assert TARGET in win.canvas.box_layer.boxes
    edge, box_corner = looks(win)
    assert edge == item_edge  # drawn by the layer as its selected item drew it
    assert box_corner == item_corner == plain_corner  # no box's white resize handle at its box's corner
    key(win, Qt.Key.Key_Escape)
    assert win.document.selection == [] and polygon_items(win) == []
    assert looks(win)[0] == plain_edge


def test_a_press_on_a_selected_polygons_box_corner_resizes_nothing(diamonds) -> None:
    win = diamonds
    key(win, Qt.Key.Key_A, CTRL)
    x, y = corner(TARGET)
    drag(win, view_point(win, x + 20, y + 20), view_point(win, x + 26, y + 24))  # a box's handle's spot
    ann = win.document.project.annotations[TARGET]
    assert ann.bbox == [x, y, 20.0, 20.0] and ann.kind == "polygon"
    assert not win.document.undo_stack.canUndo()


def test_delete_removes_them_all_and_ctrl_z_brings_them_back_in_the_layer(diamonds) -> None:
    win = diamonds
    key(win, Qt.Key.Key_A, CTRL)
    key(win, Qt.Key.Key_Delete)
    assert not win.document.project.annotations and not win.canvas.box_layer.boxes
    key(win, Qt.Key.Key_Z, CTRL)
    assert len(win.document.project.annotations) == N
    assert len(win.canvas.box_layer.boxes) == N and polygon_items(win) == []


def test_dragging_all_selected_polygons_moves_them_without_an_item_each(diamonds) -> None:
    win = diamonds
    key(win, Qt.Key.Key_A, CTRL)
    before = {i: list(a.segmentation[0]) for i, a in win.document.project.annotations.items()}
    x, y = corner(TARGET)
    drag(win, view_point(win, x + 10, y + 10), view_point(win, x + 16, y + 14))
    anns = win.document.project.annotations
    moved = {i: [v + (6 if k % 2 == 0 else 4) for k, v in enumerate(s)] for i, s in before.items()}
    assert {i: list(a.segmentation[0]) for i, a in anns.items()} == moved
    assert sorted(win.document.selection) == list(range(1, N + 1))
    assert polygon_items(win) == []
    assert win.canvas.box_layer.polygons.chosen.pos() == QPointF(0, 0)  # drawn once, where they went
    key(win, Qt.Key.Key_Z, CTRL)
    assert {i: list(a.segmentation[0]) for i, a in anns.items()} == before


def test_the_status_bar_says_many_selected_polygons_have_no_vertex_handles(diamonds) -> None:
    win = diamonds
    line = win.readout.target_label
    x, y = corner(TARGET)
    click(win, view_point(win, x + 10, y + 10))
    assert win.document.selection == [TARGET] and "drag a vertex" in line.whole  # one: its handles show
    key(win, Qt.Key.Key_A, CTRL)
    text = line.whole
    assert f"{N} polygons selected" in text and "without vertex handles" in text
    assert f"more than {MANY_SELECTED}" in text
    key(win, Qt.Key.Key_Escape)
    assert line.whole == ""
