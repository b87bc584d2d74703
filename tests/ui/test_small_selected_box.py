"""A selected box small on screen keeps its name and its shape in sight. Its own handles covered the bottom
of its tag (the top-middle handle on the text: 'car' cut) and the hover mark drew the tag a second time
under them; a box about 12 x 18 screen pixels vanished under its 8 handles. Its tag is now lifted clear of
the handles, the hover mark leaves a selected object's tag to it, and a box under 3 handles wide (high)
shows no top and bottom (left and right) handle, nor can a press take one. For the box layer and for an
item alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QImage

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.geometry import HANDLES, handle_spot
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import BoxItem
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.marks import HANDLE_SIZE
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_workbench import click, drag, key, view_point

SMALL, BIG, FLAT = 1, 2, 3
BOXES = {  # cats at 100 %; BIG's tag (it fits) is the reference of an unobstructed tag
    SMALL: [100.0, 100.0, 12.0, 18.0],
    BIG: [180.0, 100.0, 100.0, 50.0],
    FLAT: [60.0, 190.0, 60.0, 12.0],
}
EDGES = {"t", "r", "b", "l"}


@pytest.fixture(params=["layer", "item"])
def scene(request, qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    for ann_id, box in BOXES.items():
        project.add_annotation(Annotation(ann_id, 1, 1, list(box), area=box[2] * box[3]))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(160, 140))
    if request.param == "item":
        for ann_id in BOXES:
            assert isinstance(win.canvas.items_by_id[ann_id], BoxItem)  # made on first look-up
    key(win, Qt.Key.Key_V)
    yield win
    win.document.undo_stack.setClean()


def grab(win) -> QImage:  # type: ignore[no-untyped-def]
    return win.canvas.viewport().grab().toImage()


def tag_rect(img: QImage, corner: QPoint, rgb: int) -> QRect:
    """The bounding rectangle of the ``rgb`` pixels in the 80 x 36 pixels right of and above ``corner``
    (3 rows above it: off a box's outline)."""
    xs, ys = [], []
    for y in range(corner.y() - 36, corner.y() - 3):
        for x in range(corner.x() - 8, corner.x() + 72):
            if img.pixel(x, y) == rgb:
                xs.append(x)
                ys.append(y)
    return QRect(QPoint(min(xs), min(ys)), QPoint(max(xs), max(ys))) if xs else QRect()


def count(img: QImage, area: QRect, rgb: int) -> int:
    return sum(img.pixel(x, y) == rgb for x in range(area.left(), area.right() + 1)
               for y in range(area.top(), area.bottom() + 1))  # fmt: skip


def found_whole(img: QImage, ref: QImage, area: QRect) -> bool:
    """Whether ``ref`` appears pixel for pixel with its top-left corner somewhere in ``area``."""
    for y in range(area.top(), area.bottom() + 1):
        for x in range(area.left(), area.right() + 1):
            if img.copy(x, y, ref.width(), ref.height()) == ref:
                return True
    return False


def test_a_selected_small_boxs_tag_is_whole_above_its_handles_and_drawn_once(scene) -> None:
    win = scene
    cat = category_color(win.document.project.categories[1]).rgb()
    before = grab(win)
    anchor = view_point(win, *BOXES[BIG][:2])
    big = tag_rect(before, anchor, cat)
    big.setBottom(anchor.y() - 1)  # it ends on the box's top edge (whose outline is cat-coloured too)
    assert big.width() > 20 and big.height() > 10  # the cat tag over the big box, as it fits
    ref = before.copy(big)
    corner = view_point(win, *BOXES[SMALL][:2])
    around = QRect(corner - QPoint(8, 40), corner + QPoint(60, -4))  # where the small box's tag goes
    assert count(before, around, cat) == 0  # too narrow for its tag: none unselected, pointer off it
    click(win, view_point(win, 106, 109))  # its middle; the pointer stays on it (hovered)
    assert win.document.selection == [SMALL]
    shown = grab(win)
    # the whole tag, as the big box's, with no handle over its text (the handles reach 5 px above the box)
    assert found_whole(shown, ref, QRect(corner - QPoint(2, 40), corner + QPoint(2, -1)))
    # once: the hover mark on the selected box draws no second tag under it
    assert count(shown, around, cat) == count(before, big, cat)
    # handles and tag apart: no tag pixel in the rows the handles cover
    top = view_point(win, *handle_spot(BOXES[SMALL], "tl")).y() - int(HANDLE_SIZE // 2) - 1
    strip = QRect(corner.x() - 8, top, 68, corner.y() - 3 - top)
    assert count(shown, strip, cat) == 0
    hover(win, view_point(win, 20, 20))  # the pointer off: the same
    assert count(grab(win), around, cat) == count(before, big, cat)
    hover(win, view_point(win, 106, 109))  # back on it
    key(win, Qt.Key.Key_Escape)  # unselected under the resting pointer: the hover mark names it, unlifted
    h = ref.height()
    assert found_whole(grab(win), ref, QRect(corner - QPoint(2, h + 2), corner + QPoint(2, -h + 2)))


def white_middles(img: QImage, win, box: list[float]) -> set[str]:  # type: ignore[no-untyped-def]
    """The handles of ``box`` drawn: white in the middle 5 x 5 pixels of their spot."""
    out = set()
    for name in HANDLES:
        c = view_point(win, *handle_spot(box, name))
        if all(img.pixel(c.x() + dx, c.y() + dy) == 0xFFFFFFFF for dx in range(-2, 3) for dy in range(-2, 3)):
            out.add(name)
    return out


def test_a_box_under_three_handles_wide_and_high_shows_its_corner_handles_only(scene) -> None:
    win = scene
    click(win, view_point(win, 106, 109))
    assert win.document.selection == [SMALL]
    hover(win, view_point(win, 20, 20))  # the hover halo is white too: the pointer off
    assert white_middles(grab(win), win, BOXES[SMALL]) == {"tl", "tr", "br", "bl"}
    # its middle shows the box, not a handle
    middle = grab(win).pixel(view_point(win, 106, 109))
    assert middle != 0xFFFFFFFF
    # zoomed in, 36 x 54 pixels: all 8 again
    win.canvas.set_zoom(3.0)
    win.canvas.centerOn(QPointF(106, 109))
    assert white_middles(grab(win), win, BOXES[SMALL]) == set(HANDLES)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(160, 140))
    assert white_middles(grab(win), win, BOXES[SMALL]) == {"tl", "tr", "br", "bl"}


def test_a_flat_box_keeps_its_top_and_bottom_handles_only(scene) -> None:
    win = scene
    click(win, view_point(win, 90, 196))
    assert win.document.selection == [FLAT]
    hover(win, view_point(win, 20, 20))
    assert white_middles(grab(win), win, BOXES[FLAT]) == {"tl", "t", "tr", "br", "b", "bl"}


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_a_press_on_an_edge_handle_not_drawn_does_not_resize(scene, edge: str) -> None:
    win = scene
    box = BOXES[SMALL]
    click(win, view_point(win, 106, 109))
    spot = view_point(win, *handle_spot(box, edge))
    away = {"t": QPoint(0, -8), "b": QPoint(0, 8), "l": QPoint(-8, 0), "r": QPoint(8, 0)}[edge]
    drag(win, spot, spot + away)
    w, h = win.document.project.annotations[SMALL].bbox[2:]
    assert (w, h) == (box[2], box[3])  # moved, or nothing: no edge pulled
    win.document.undo_stack.setClean()


def test_a_corner_still_resizes_the_small_box(scene) -> None:
    win = scene
    click(win, view_point(win, 106, 109))
    spot = view_point(win, *handle_spot(BOXES[SMALL], "br"))
    drag(win, spot, spot + QPoint(6, 4))
    assert win.document.project.annotations[SMALL].bbox == [100.0, 100.0, 18.0, 22.0]


# -- a box a few handles wide: handles drawn smaller -------------------------------------------------------
# At 80 % the small box is about 10 x 14 screen pixels and its four 9-pixel corner handles covered nearly all
# of it (only a strip across the middle showed): the user saw white squares, not the box. Its handles are now
# drawn smaller (a fraction of its shorter side on screen, 5 pixels at least); where a press takes one is as
# before (``grabbable``): just inside a corner still resizes.


def white_in(img: QImage, win, box: list[float]) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(white pixels, all pixels) within the box on screen."""
    tl, br = view_point(win, box[0], box[1]), view_point(win, box[0] + box[2], box[1] + box[3])
    area = QRect(tl, br - QPoint(1, 1))
    return count(img, area, 0xFFFFFFFF), area.width() * area.height()


def test_a_box_a_few_handles_wide_shows_through_its_corner_handles(scene) -> None:
    win = scene
    box = BOXES[SMALL]
    key(win, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    win.canvas.centerOn(QPointF(106, 109))
    assert 9 <= box[2] * win.canvas.zoom <= 11 and 13 <= box[3] * win.canvas.zoom <= 15
    click(win, view_point(win, box[0] + box[2] / 2, box[1] + box[3] / 2))
    assert win.document.selection == [SMALL]
    hover(win, view_point(win, 20, 20))  # the hover halo is white too: the pointer off
    img = grab(win)
    white, total = white_in(img, win, box)
    assert white <= total * 0.3, (white, total)  # most of the box shows
    for name in ("tl", "tr", "br", "bl"):  # each corner still has a white handle on its spot
        c = view_point(win, *handle_spot(box, name))
        assert any(img.pixel(c.x() + dx, c.y() + dy) == 0xFFFFFFFF for dx in (-1, 0) for dy in (-1, 0)), name
    # the big box keeps full-size handles
    click(win, view_point(win, 230, 125))
    assert win.document.selection == [BIG]
    hover(win, view_point(win, 20, 20))
    assert white_middles(grab(win), win, BOXES[BIG]) == set(HANDLES)
    click(win, view_point(win, box[0] + box[2] / 2, box[1] + box[3] / 2))
    # a press 3 pixels inside the corner, where the old handle was drawn and the new one is not, resizes
    corner = view_point(win, box[0] + box[2], box[1] + box[3])
    drag(win, corner - QPoint(3, 3), corner + QPoint(5, 5))
    w, h = win.document.project.annotations[SMALL].bbox[2:]
    assert w > box[2] and h > box[3]
