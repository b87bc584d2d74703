"""Boxes drawn in bulk (ui/canvas/layers.py): an image with many boxes opens without an item per box, yet
every box shows in its colour with its tag, can be clicked, dragged, band-selected, hidden and undone."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import BoxItem
from tests.ui.conftest import make_project, render_at, wait_loaded
from tests.ui.test_workbench import click, drag, key, view_point

GRID = 12  # 12 x 12 = 144 boxes on image 1


@pytest.fixture
def boxes_window(qtbot, tmp_path: Path, no_prompts):
    path = make_project(tmp_path, n_images=2, size=(480, 640))
    project = load_project(path)
    n = 0
    for row in range(GRID):
        for col in range(GRID):
            n += 1
            x, y = 10 + col * 52, 20 + row * 38
            project.add_annotation(Annotation(n, 1, 1 + n % 2, [x, y, 30.0, 20.0], area=600.0))
    save_project(project, path)
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    assert win.open_path(path)
    wait_loaded(qtbot, win)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(320, 240))
    yield win
    win.document.undo_stack.setClean()


def pixel(win, x: float, y: float) -> tuple[int, int, int]:
    """The colour shown at image point (x, y), scrolled into view first."""
    if not win.canvas.mapToScene(win.canvas.viewport().rect()).boundingRect().contains(QPointF(x, y)):
        win.canvas.centerOn(QPointF(x, y))
    grab = win.canvas.viewport().grab().toImage()
    v = win.canvas.viewportTransform().map(QPointF(x, y))
    c = grab.pixelColor(math.floor(v.x()), math.floor(v.y()))
    return c.red(), c.green(), c.blue()


def made_items(win) -> list[int]:
    return list(dict.keys(win.canvas.items_by_id))


def box_of(win, ann_id: int) -> list[float]:
    return win.document.project.annotations[ann_id].bbox


def test_many_boxes_open_without_an_item_each_and_still_show(boxes_window) -> None:
    win = boxes_window
    assert made_items(win) == []  # nothing made yet: the layer draws them
    assert 1 in win.canvas.items_by_id and 10_000 not in win.canvas.items_by_id
    cat = win.document.project.categories
    for ann_id in (1, 2, 77):
        x, y, w, h = box_of(win, ann_id)
        color = cat[win.document.project.annotations[ann_id].category_id].color
        want = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
        got = pixel(win, x + w / 2, y + h - 0.5)  # on the bottom outline (the tag covers the top)
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 2, (ann_id, got, want)


def test_tags_come_from_cached_tiles_and_follow_show_labels(boxes_window) -> None:
    win = boxes_window
    win.canvas.set_zoom(2.0)  # room for the tag: a box narrower on screen than its tag shows none
    tags = win.canvas.box_layer.tags
    x, y, _w, _h = box_of(win, 5)
    above = (x + 3, y - 6)  # inside the tag drawn above the box's top-left corner
    background = pixel(win, *above)
    win.canvas.viewport().grab()
    rendered = tags.tiles_rendered
    win.canvas.viewport().grab()
    assert tags.tiles_rendered == rendered  # a repaint at the same zoom blits cached tiles
    win.act_labels.trigger()  # View > labels off
    assert not win.canvas.show_labels
    off = pixel(win, *above)
    win.act_labels.trigger()
    assert pixel(win, *above) == background != off


def test_tags_are_drawn_at_the_screens_pixel_ratio(boxes_window) -> None:
    """On a 200 % screen a tag's text has detail finer than a screen pixel, as a ``LabelItem``'s has: a tag
    drawn at 100 % and blown up would be made of uniform 2x2 blocks (blurry, blocky text)."""
    win = boxes_window
    win.canvas.set_zoom(2.0)  # room for the tag: a box narrower on screen than its tag shows none
    x, y, w, _h = box_of(win, 77)
    win.canvas.centerOn(QPointF(x, y))
    img = render_at(win, 2.0)
    corner = win.canvas.viewportTransform().map(QPointF(x, y))
    height = QFontMetrics(QFont()).height()
    x0, y0 = 2 * round(corner.x()), 2 * round(corner.y() - height)
    mixed = 0
    for by in range(y0, y0 + 2 * height - 2, 2):
        for bx in range(x0, x0 + 2 * round(w), 2):
            block = {img.pixel(bx + i, by + j) for i in (0, 1) for j in (0, 1)}
            mixed += len(block) > 1
    assert mixed >= 10


def test_click_selects_and_drag_moves_a_layer_box_undoably(boxes_window, qtbot) -> None:
    win = boxes_window
    key(win, Qt.Key.Key_V)
    x, y, w, h = box_of(win, 20)
    click(win, view_point(win, x + w / 2, y + h / 2))
    assert win.document.selection == [20]
    item = win.canvas.items_by_id[20]
    assert isinstance(item, BoxItem) and item.is_selected_look and len(item.handles()) == 8
    assert made_items(win) == [20] and 20 not in win.canvas.box_layer.boxes
    drag(win, view_point(win, x + w / 2, y + h / 2), view_point(win, x + w / 2 + 7, y + h / 2 + 5))
    assert box_of(win, 20)[:2] == [x + 7, y + 5]
    win.document.undo_stack.undo()
    assert box_of(win, 20)[:2] == [x, y]


def test_band_selects_layer_boxes_and_delete_removes_them(boxes_window) -> None:
    win = boxes_window
    key(win, Qt.Key.Key_V)
    # a band around the first two boxes of the first row, from empty space
    drag(win, view_point(win, 4, 12), view_point(win, 100, 45))
    assert sorted(win.document.selection) == [1, 2]
    key(win, Qt.Key.Key_Delete)
    assert 1 not in win.document.project.annotations and 1 not in win.canvas.items_by_id
    win.document.undo_stack.undo()
    assert 1 in win.canvas.items_by_id


def test_hidden_category_hides_layer_boxes_and_their_clicks(boxes_window) -> None:
    win = boxes_window
    key(win, Qt.Key.Key_V)
    x, y, w, h = box_of(win, 3)  # category 2 (n % 2 == 1 -> 2)
    assert win.document.project.annotations[3].category_id == 2
    shown = pixel(win, x + w / 2, y + h - 0.5)
    win.masks_menu.set_category_visible(2, False)
    try:
        assert pixel(win, x + w / 2, y + h - 0.5) != shown
        click(win, view_point(win, x + w / 2, y + h / 2))
        assert win.document.selection == []
    finally:
        win.masks_menu.set_category_visible(2, True)
    assert win.canvas.hover.ann_id == 3  # shown again under the still pointer: what a click there takes
    QApplication.sendEvent(win.canvas.viewport(), QEvent(QEvent.Type.Leave))  # the pointer away: no mark
    assert pixel(win, x + w / 2, y + h - 0.5) == shown


def test_an_edit_and_its_undo_redraw_the_box_where_it_went(boxes_window) -> None:
    from dataclasses import replace

    from pixelproof.core.edits import ReplaceAnnotations

    win = boxes_window
    ann = win.document.project.annotations[30]
    x, y, w, h = ann.bbox
    right_edge = pixel(win, x + w - 0.5, y + h / 4)
    gap = pixel(win, x + w + 10 - 0.5, y + h / 4)  # between this box and the next one
    win.document.push(ReplaceAnnotations([replace(ann, bbox=[x + 10, y, w, h])], "move"))
    win.document.set_selection([])  # the edit selected it: its handles would cover the outline
    assert pixel(win, x + w + 10 - 0.5, y + h / 4) == right_edge
    win.document.undo_stack.undo()
    win.document.set_selection([])
    assert pixel(win, x + w - 0.5, y + h / 4) == right_edge
    assert pixel(win, x + w + 10 - 0.5, y + h / 4) == gap != right_edge


CTRL = Qt.KeyboardModifier.ControlModifier


def test_select_all_draws_the_boxes_selected_as_their_own_items_would(boxes_window) -> None:
    """Ctrl+A leaves the boxes in the layer (an item and 8 handles each took 2 s for 5,000 boxes), drawn as
    a selected ``BoxItem`` draws itself: thicker outline, denser fill, its tag, 8 white handles."""
    win = boxes_window
    x, y, w, h = box_of(win, 20)
    corner = pixel(win, x + w, y + h)  # the bottom-right handle's place
    key(win, Qt.Key.Key_A, CTRL)
    assert len(win.document.selection) == GRID * GRID and made_items(win) == []
    assert pixel(win, x + w, y + h) == (255, 255, 255) != corner
    # the box, its tag and its handles whole, over the tag of the box below (handles are above every tag)
    area = QRect(view_point(win, x - 12, y - 30), view_point(win, x + w + 12, y + h + 6))
    drawn_by_layer = win.canvas.viewport().grab(area).toImage()
    item = win.canvas.items_by_id[20]  # now its own item, selected
    assert isinstance(item, BoxItem) and item.is_selected_look and made_items(win) == [20]
    drawn_by_item = win.canvas.viewport().grab(area).toImage()
    assert drawn_by_layer.size() == drawn_by_item.size()
    differ = sum(
        drawn_by_layer.pixel(i, j) != drawn_by_item.pixel(i, j)
        for i in range(area.width())
        for j in range(area.height())
    )
    assert differ == 0, differ
    key(win, Qt.Key.Key_Escape)
    assert win.document.selection == [] and not win.canvas.box_layer.selected
    assert pixel(win, x + w, y + h) == corner  # box 20, its own item now
    assert pixel(win, x + w + 52, y + h) == pixel(win, x + w + 52, y + h - 1) != (255, 255, 255)  # box 21


def test_a_handle_of_a_box_selected_with_all_others_resizes_it(boxes_window) -> None:
    win = boxes_window
    key(win, Qt.Key.Key_V)
    key(win, Qt.Key.Key_A, CTRL)
    x, y, w, h = box_of(win, 20)
    neighbour = list(box_of(win, 21))
    drag(win, view_point(win, x + w, y + h), view_point(win, x + w + 6, y + h + 4))
    assert box_of(win, 20) == [x, y, w + 6, h + 4] and box_of(win, 21) == neighbour
    win.document.undo_stack.undo()
    assert box_of(win, 20) == [x, y, w, h]


def test_dragging_all_selected_boxes_moves_them_without_an_item_each(boxes_window) -> None:
    win = boxes_window
    key(win, Qt.Key.Key_V)
    key(win, Qt.Key.Key_A, CTRL)
    before = {i: list(box_of(win, i)) for i in win.document.selection}
    x, y, w, h = before[20]
    drag(win, view_point(win, x + w / 2, y + h / 2), view_point(win, x + w / 2 + 7, y + h / 2 + 5))
    assert made_items(win) == []
    assert all(box_of(win, i) == [b[0] + 7, b[1] + 5, b[2], b[3]] for i, b in before.items())
    assert sorted(win.document.selection) == sorted(before)
    # drawn once where it went: the preview's shift is gone with the edit
    assert pixel(win, x + 7 + w, y + 5 + h) == (255, 255, 255) != pixel(win, x + w, y + h)
    win.document.undo_stack.undo()
    assert all(box_of(win, i) == b for i, b in before.items())
    assert pixel(win, x + w, y + h) == (255, 255, 255)
