"""A selected box's resize handles are drawn above every tag and win a press over any tag, whether the box
is drawn by the box layer or is its own item, and whichever draws the tag. A layer box's handles were drawn
with the selected boxes (above the fills, under the tags): a neighbour's tag over a corner hid the handle
the press then grabbed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import BoxItem
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.marks import LabelItem
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_workbench import click, drag, key, view_point

A, B = 1, 2
BOX_A = [100.0, 100.0, 60.0, 40.0]  # a cat; its bottom-right corner (160, 140)
BOX_B = [156.0, 144.0, 60.0, 40.0]  # a dog whose tag, above its top-left corner, lies over A's corner
ZOOM = 2.0  # the corner is 8 screen pixels right of and above B's tag's bottom-left corner


@pytest.fixture(params=["layer-layer", "layer-item", "item-layer", "item-item"])
def corner_under_tag(request, qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """Boxes A and B, A's bottom-right corner under B's tag, at 200 %, select tool on; each drawn by the box
    layer or as its own item (``request.param``: how A, then B)."""
    win = open_two_boxes(qtbot, tmp_path, (B, BOX_B), QPointF(160, 140), request.param)
    for ann_id, how in zip((A, B), request.param.split("-"), strict=True):
        assert (ann_id in dict.keys(win.canvas.items_by_id)) == (how == "item")
    yield win
    win.document.undo_stack.setClean()


def open_two_boxes(qtbot, tmp_path: Path, other: tuple[int, list[float]], centre: QPointF, how: str):  # type: ignore[no-untyped-def]
    """The main window on box A (a cat) and ``other`` (id, box: a dog), at 200 % around ``centre``, the
    select tool on; each box drawn by the box layer or made its own item (``how``: A's, then other's)."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    project.add_annotation(Annotation(A, 1, 1, list(BOX_A), area=2400.0))
    project.add_annotation(Annotation(other[0], 1, 2, list(other[1]), area=2400.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(ZOOM)
    win.canvas.centerOn(centre)
    key(win, Qt.Key.Key_V)
    for ann_id, kind in zip((A, other[0]), how.split("-"), strict=True):
        if kind == "item":
            assert isinstance(win.canvas.items_by_id[ann_id], BoxItem)  # made on first look-up
    return win


def handle_pixels(win) -> list[tuple[int, int, int]]:
    """The colours shown in the middle 7 x 7 pixels of A's bottom-right handle (9 pixels wide)."""
    grab = win.canvas.viewport().grab().toImage()
    c = view_point(win, BOX_A[0] + BOX_A[2], BOX_A[1] + BOX_A[3])
    out = []
    for dx in range(-3, 4):
        for dy in range(-3, 4):
            p = grab.pixelColor(c + QPoint(dx, dy))
            out.append((p.red(), p.green(), p.blue()))
    return out


def test_a_selected_boxs_corner_handle_is_drawn_above_a_neighbours_tag(corner_under_tag) -> None:
    win = corner_under_tag
    dog = category_color(win.document.project.categories[2])
    shown = handle_pixels(win)
    # the scene is as it says: unselected, A's corner is under B's tag (its colour and the name's glyphs)
    assert sum(p == (dog.red(), dog.green(), dog.blue()) for p in shown) >= len(shown) // 4
    assert (255, 255, 255) not in shown
    click(win, view_point(win, 130, 120))  # A's middle
    assert win.document.selection == [A]
    assert handle_pixels(win) == [(255, 255, 255)] * 49  # the white handle, not B's tag


def test_dragging_that_corner_resizes_the_selected_box_not_the_tags_box(corner_under_tag) -> None:
    win = corner_under_tag
    stack = win.document.undo_stack
    click(win, view_point(win, 130, 120))
    assert win.document.selection == [A]
    before = stack.index()
    drag(win, view_point(win, 160, 140), view_point(win, 166, 144))
    anns = win.document.project.annotations
    assert anns[A].bbox == [100.0, 100.0, 66.0, 44.0]
    assert anns[B].bbox == BOX_B
    assert win.document.selection == [A]
    assert stack.index() == before + 1
    stack.undo()
    assert anns[A].bbox == BOX_A and anns[B].bbox == BOX_B


def test_the_layers_handles_are_stacked_above_every_tag(corner_under_tag) -> None:
    win = corner_under_tag
    click(win, view_point(win, 130, 120))
    layer = win.canvas.box_layer
    tags = [
        layer.tags.zValue(),
        *(it.zValue() for it in win.canvas.scene().items() if isinstance(it, LabelItem)),
    ]
    assert layer.handles.zValue() > max(tags)
    assert layer.handles.parentItem() is None  # a child would be stacked with its parent


def test_the_handles_follow_a_move_preview_and_the_move(corner_under_tag) -> None:
    from PySide6.QtTest import QTest

    from tests.ui.test_workbench import LEFT, NOMOD

    win = corner_under_tag
    click(win, view_point(win, 130, 120))
    vp = win.canvas.viewport()
    start, end = (
        view_point(win, 130, 120),
        view_point(win, 117, 113),
    )  # A, 13 px left, 7 up: off its handles' spots
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + (end - start) * (i / 4))
    moved = BOX_A[0] + BOX_A[2] - 13, BOX_A[1] + BOX_A[3] - 7
    grab = vp.grab().toImage()
    assert grab.pixelColor(view_point(win, *moved)).name() == "#ffffff"  # previewed: at the moved corner
    QTest.mouseRelease(vp, LEFT, NOMOD, end)
    assert win.document.project.annotations[A].bbox == [87.0, 93.0, 60.0, 40.0]
    assert win.canvas.viewport().grab().toImage().pixelColor(view_point(win, *moved)).name() == "#ffffff"
    assert handle_pixels(win) != [(255, 255, 255)] * 49  # none left where the corner was


# -- a selected object's tag above the others' --------------------------------------------------------
# In a crowded scene the tag of the object just clicked lay under its neighbours' tags (a selected layer
# box's tag was drawn with the selected fills, an item's just under the layer's tags): the canvas did not
# say what had been picked. A selected object's tag is now above every other tag, still under the handles.
# Unselected, the two tags no longer overlap (``tag_layout``): C's, later in the file, keeps its spot and A's
# goes under A; selected, A's takes its spot back and C's makes way.

C = 3
BOX_C = [104.0, 100.0, 60.0, 40.0]  # a dog 4 px right of A, later in the file: its tag over most of A's


@pytest.fixture(params=["layer-layer", "layer-item", "item-layer", "item-item"])
def tag_under_tag(request, qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """Boxes A (cat) and C (dog), C's tag over A's, at 200 %, select tool on; each drawn by the box layer or
    as its own item (``request.param``: how A, then C)."""
    win = open_two_boxes(qtbot, tmp_path, (C, BOX_C), QPointF(130, 110), request.param)
    hover(win, view_point(win, 20, 20))  # the pointer off both: a hovered object's tag is raised too
    yield win, request.param
    win.document.undo_stack.setClean()


def cat_pixels_where_the_tags_overlap(win) -> int:
    """How many pixels show the cat colour where C's tag lies over A's (a band 6-20 px right of C's corner,
    2-10 px above it: both tags, the name's first glyphs)."""
    cat = category_color(win.document.project.categories[1])
    grab = win.canvas.viewport().grab().toImage()
    corner = view_point(win, BOX_C[0], BOX_C[1])
    return sum(
        grab.pixelColor(corner + QPoint(dx, -dy)).rgb() == cat.rgb()
        for dx in range(6, 21)
        for dy in range(2, 11)
    )


def test_the_selected_objects_tag_is_drawn_above_its_neighbours_tags(tag_under_tag) -> None:
    win, _ = tag_under_tag
    # C's tag there, A's out of its way (whichever draws each)
    unselected = cat_pixels_where_the_tags_overlap(win)
    assert unselected == 0
    click(win, view_point(win, 102, 130))  # A alone: left of C
    assert win.document.selection == [A]
    assert cat_pixels_where_the_tags_overlap(win) > 30  # A's tag, over C's
    key(win, Qt.Key.Key_Escape)
    hover(win, view_point(win, 20, 20))  # the pointer still on A would raise A's tag (hovered)
    assert cat_pixels_where_the_tags_overlap(win) == unselected  # back as it was


def test_a_selected_tag_stays_under_the_handles(tag_under_tag) -> None:
    win, _ = tag_under_tag
    click(win, view_point(win, 102, 130))
    layer = win.canvas.box_layer
    labels = [it for it in win.canvas.scene().items() if isinstance(it, LabelItem)]
    selected = [layer.chosen_tags.zValue(), *(t.zValue() for t in labels if t.owner.ann_id == A)]
    others = [layer.tags.zValue(), *(t.zValue() for t in labels if t.owner.ann_id != A)]
    assert max(others) < min(selected) and max(selected) < layer.handles.zValue()
