"""A shape's category tag sits on the shape it names: a polygon's top vertex, a mask's top pixel (a box's
corner is on the box). At a bounding box's corner it floated off the shape, and a box and a polygon around
one object put their tags on top of each other (the demo's astronaut)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.marks import LabelItem
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_box_layer import pixel

DIAMOND = [
    160.0,
    40.0,
    220.0,
    100.0,
    160.0,
    160.0,
    100.0,
    100.0,
]  # top vertex (160, 40); box corner (100, 40)


@pytest.fixture
def tagged(qtbot, tmp_path: Path, no_prompts):
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    project.add_annotation(
        Annotation(1, 1, 1, [100.0, 40.0, 120.0, 120.0], segmentation=[DIAMOND], area=7200.0)
    )
    yy, xx = np.mgrid[0:240, 0:320]
    ring = ((yy - 150) ** 2 + (xx - 260) ** 2 <= 40**2) & ((yy - 150) ** 2 + (xx - 260) ** 2 >= 20**2)
    rle = masks.encode(ring)
    project.add_annotation(
        Annotation(2, 1, 2, [220.0, 110.0, 81.0, 81.0], segmentation=rle, area=float(ring.sum()))
    )
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(180, 110))
    yield win, ring
    win.document.undo_stack.setClean()


def tag_colour_at(win, x: float, y: float) -> bool:
    """Whether the pixel one screen pixel right of and above image point (x, y) has a tag's colour."""
    zoom = win.canvas.zoom
    return pixel(win, x + 1.5 / zoom, y - 1.5 / zoom)


def test_a_polygons_tag_sits_on_its_top_vertex_not_off_the_shape(tagged) -> None:
    win, _ = tagged
    cat = win.document.project.categories[1]
    colour = category_color(cat)
    expected = (colour.red(), colour.green(), colour.blue())
    assert tag_colour_at(win, 160, 40) == expected  # on the top vertex
    assert tag_colour_at(win, 100, 40) != expected  # not at the bounding box's corner, 60 px left of it


def test_a_masks_tag_sits_on_its_top_pixel(tagged) -> None:
    win, ring = tagged
    top = int(np.flatnonzero(ring.any(axis=1))[0])
    left = int(np.flatnonzero(ring[top])[0])
    dog = win.document.project.categories[2]
    colour = category_color(dog)
    expected = (colour.red(), colour.green(), colour.blue())
    win.canvas.centerOn(QPointF(260, 120))
    assert tag_colour_at(win, left, top) == expected
    assert tag_colour_at(win, 220, 110) != expected  # the box corner, off the ring


# -- tags above every fill ----------------------------------------------------------------------------
# A mask's tag lay under a polygon's fill, a polygon's under a box's: a tag was a child of its object and
# stacked with it, so a brain mask's red tag under a bone mask showed dull brown. Tags are now drawn above
# every object, as the box layer's are, and still follow, hide and go with their object.

SQUARE = [20.0, 40.0, 180.0, 40.0, 180.0, 200.0, 20.0, 200.0]  # a cat polygon over the dog mask's top
KITE = [240.0, 60.0, 290.0, 110.0, 240.0, 160.0, 190.0, 110.0]  # a cat polygon; its top vertex under a box
SQ, DISK, KITE_ID, BOX = 1, 2, 3, 4


@pytest.fixture
def stacked(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """A dog disk mask whose top pixel lies inside a cat polygon's fill, a cat polygon whose top vertex lies
    inside a dog box, at 200 %, select tool on."""
    from tests.ui.test_workbench import key

    path = make_project(tmp_path, n_images=2, size=(240, 320))
    project = load_project(path)
    project.add_annotation(
        Annotation(SQ, 1, 1, [20.0, 40.0, 160.0, 160.0], segmentation=[SQUARE], area=25600.0)
    )
    yy, xx = np.mgrid[0:240, 0:320]
    disk = (yy - 140) ** 2 + (xx - 100) ** 2 <= 30**2
    project.add_annotation(Annotation(DISK, 1, 2, masks.bbox(disk), masks.encode(disk), float(disk.sum())))
    project.add_annotation(
        Annotation(KITE_ID, 1, 1, [190.0, 60.0, 100.0, 100.0], segmentation=[KITE], area=5000.0)
    )
    project.add_annotation(Annotation(BOX, 1, 2, [210.0, 30.0, 60.0, 60.0], area=3600.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(160, 110))
    key(win, Qt.Key.Key_V)
    top = int(np.flatnonzero(disk.any(axis=1))[0])
    yield win, (float(np.flatnonzero(disk[top])[0]), float(top))
    win.document.undo_stack.setClean()


def rgb(win, category_id: int) -> tuple[int, int, int]:
    c = category_color(win.document.project.categories[category_id])
    return c.red(), c.green(), c.blue()


def tags_in_scene(win) -> list[LabelItem]:
    """The objects' tags (not the hover mark's, the canvas's own)."""
    hover_tag = win.canvas.hover.tag if win.canvas.hover is not None else None
    return [it for it in win.canvas.scene().items() if isinstance(it, LabelItem) and it is not hover_tag]


def test_a_masks_tag_is_drawn_above_a_polygons_fill_and_a_polygons_above_a_boxs(stacked) -> None:
    win, (mx, my) = stacked
    assert tag_colour_at(win, mx, my) == rgb(win, 2)  # the dog mask's tag, inside the cat polygon
    assert tag_colour_at(win, 240, 60) == rgb(win, 1)  # the kite's tag, inside the dog box
    win.canvas.set_zoom(0.55)  # at any zoom its tag fits (at 0.5 the 61-px disk is narrower than "dog")
    win.canvas.centerOn(QPointF(160, 110))
    assert tag_colour_at(win, mx, my) == rgb(win, 2)
    assert tag_colour_at(win, 240, 60) == rgb(win, 1)


def test_a_click_on_a_tag_picks_the_object_under_it_not_the_tags_object(stacked) -> None:
    from tests.ui.test_workbench import click, view_point

    win, (mx, my) = stacked
    zoom = win.canvas.zoom
    click(win, view_point(win, mx + 3 / zoom, my - 4 / zoom))  # on the mask's tag, over the square
    assert win.document.selection == [SQ]


def test_a_tag_follows_its_object_while_it_is_dragged_and_after(stacked) -> None:
    from PySide6.QtTest import QTest

    from tests.ui.test_workbench import LEFT, NOMOD, view_point

    win, _ = stacked
    vp = win.canvas.viewport()
    start, end = view_point(win, 240, 130), view_point(win, 240, 170)  # the kite, 40 px down
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + (end - start) * (i / 4))
    assert tag_colour_at(win, 240, 100) == rgb(win, 1)  # previewed: the tag is on the moved top vertex
    assert tag_colour_at(win, 240, 60) != rgb(win, 1)
    QTest.mouseRelease(vp, LEFT, NOMOD, end)
    assert win.document.project.annotations[KITE_ID].segmentation[0][:2] == [240.0, 100.0]
    win.document.set_selection([])  # the selected polygon's vertex handles are drawn over its tag
    assert tag_colour_at(win, 240, 100) == rgb(win, 1)
    assert tag_colour_at(win, 240, 60) != rgb(win, 1)
    win.document.undo_stack.undo()
    win.document.set_selection([])  # the undo selects what it restored
    assert tag_colour_at(win, 240, 60) == rgb(win, 1)
    assert tag_colour_at(win, 240, 100) != rgb(win, 1)


def test_tags_hide_with_show_labels_and_with_their_category(stacked) -> None:
    from tests.ui.test_hidden_categories import set_shown
    from tests.ui.test_workbench import key

    win, (mx, my) = stacked
    key(win, Qt.Key.Key_L)  # Show Labels off
    assert not win.act_labels.isChecked()
    assert tag_colour_at(win, mx, my) != rgb(win, 2) and tag_colour_at(win, 240, 60) != rgb(win, 1)
    assert not [t for t in tags_in_scene(win) if t.isVisible()]
    key(win, Qt.Key.Key_L)
    assert tag_colour_at(win, mx, my) == rgb(win, 2)
    set_shown(win, "dog", False)  # the mask goes, and its tag with it
    assert tag_colour_at(win, mx, my) != rgb(win, 2)
    assert tag_colour_at(win, 240, 60) == rgb(win, 1)
    set_shown(win, "dog", True)
    assert tag_colour_at(win, mx, my) == rgb(win, 2)


def named_objects(win) -> set[int]:
    """The objects with a tag: an item's (``LabelItem``) or one the layer places (a box, a polygon)."""
    win.canvas.flush_tags()
    layer = win.canvas.box_layer
    placed = set(layer.tags.placed(win.canvas.scale_xy)[0].tolist()) if layer is not None else set()
    return {t.owner.ann_id for t in tags_in_scene(win)} | placed


def test_no_tag_is_left_behind_by_delete_undo_or_another_image(stacked) -> None:
    from tests.ui.test_workbench import click, key, view_point

    win, (mx, my) = stacked
    assert named_objects(win) == {SQ, DISK, KITE_ID, BOX}  # the square, the kite, the box: the layer's
    click(win, view_point(win, 100, 150))  # the disk: smaller than the square under it
    assert win.document.selection == [DISK]
    key(win, Qt.Key.Key_Delete)
    assert named_objects(win) == {SQ, KITE_ID, BOX} and tag_colour_at(win, mx, my) != rgb(win, 2)
    win.document.undo_stack.undo()
    assert named_objects(win) == {SQ, DISK, KITE_ID, BOX} and tag_colour_at(win, mx, my) == rgb(win, 2)
    win.document.set_current_image(2)
    assert named_objects(win) == set()
    win.document.set_current_image(1)
    assert named_objects(win) == {SQ, DISK, KITE_ID, BOX}
