"""Delete then Ctrl+Z puts objects back where they were: in the Annotations panel's rows and in the canvas's
stacking, not last (the core restored the file order, but the panel listed a restored object last and the
canvas drew it above neighbours it used to be under), for a box drawn by the layer and for polygon and
mask items, one object or several at once, through redo and undo again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRect, Qt

from pixelproof.core import masks
from pixelproof.core.coco import load_project, new_category, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import hover, make_project, open_main_window, row_ids, settle
from tests.ui.test_workbench import click, key, view_point

# three overlapping rectangles (x, y, w, h), file order 1, 2, 3; all three overlap around (140, 120)
RECTS = {1: (40, 40, 120, 100), 2: (80, 70, 120, 100), 3: (120, 100, 120, 100)}
OVERLAP = (140.0, 120.0)
# where each one alone is under the cursor (the smallest there is picked; these lie in one object only)
ALONE = {1: (50.0, 130.0), 2: (180.0, 80.0), 3: (230.0, 190.0)}


def shape(ann_id: int, kind: str, category_id: int, size: tuple[int, int]) -> Annotation:
    x, y, w, h = RECTS[ann_id]
    box = [float(x), float(y), float(w), float(h)]
    if kind == "box":
        return Annotation(ann_id, 1, category_id, box, area=float(w * h))
    if kind == "polygon":
        poly = [x, y, x + w, y, x + w, y + h, x, y + h]
        return Annotation(ann_id, 1, category_id, box, segmentation=[[float(v) for v in poly]], area=w * h)
    m = np.zeros(size, dtype=bool)
    m[y : y + h, x : x + w] = True
    return Annotation(ann_id, 1, category_id, masks.bbox(m), masks.encode(m), float(m.sum()))


@pytest.fixture(params=["box", "polygon", "mask"])
def three(request, qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """Three overlapping objects of one kind in three categories, at 200 %, select tool on."""
    path = make_project(tmp_path, n_images=2, size=(240, 320))
    project = load_project(path)
    project.add_category(new_category(project, "bird"))
    for ann_id, cat in ((1, 1), (2, 2), (3, 3)):
        project.add_annotation(shape(ann_id, request.param, cat, (240, 320)))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(140, 120))
    key(win, Qt.Key.Key_V)
    yield win
    win.document.undo_stack.setClean()


def rows(win) -> list[int]:
    return row_ids(win.panels["annotationsDock"].list)


def picture(win, qtbot):  # type: ignore[no-untyped-def]
    """The canvas around the three objects, nothing selected, the cursor off them."""
    key(win, Qt.Key.Key_Escape)
    hover(win, view_point(win, 300, 20))
    settle()  # the panel's queued rows
    a, b = view_point(win, 30, 30), view_point(win, 250, 210)
    return win.canvas.viewport().grab(QRect(a, b)).toImage()


def overlap_colour(win) -> tuple[int, int, int]:
    img = win.canvas.viewport().grab().toImage()
    c = img.pixelColor(view_point(win, *OVERLAP))
    return c.red(), c.green(), c.blue()


def delete_and_undo(win, qtbot, ids: list[int]) -> None:
    click(win, view_point(win, *ALONE[ids[0]]))
    for ann_id in ids[1:]:
        click(win, view_point(win, *ALONE[ann_id]), Qt.KeyboardModifier.ShiftModifier)
    assert sorted(win.document.selection) == sorted(ids)
    key(win, Qt.Key.Key_Delete)
    assert not set(ids) & set(win.document.project.annotations)
    settle()
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert set(ids) <= set(win.document.project.annotations)


@pytest.mark.parametrize("ids", [[2], [1, 2]], ids=["middle", "two-at-once"])
def test_undo_of_a_delete_puts_objects_back_in_their_row_and_under_their_neighbours(three, qtbot, ids):
    win = three
    before_rows, before = rows(win), picture(win, qtbot)
    before_colour = overlap_colour(win)
    assert before_rows == [1, 2, 3]
    delete_and_undo(win, qtbot, ids)
    after = picture(win, qtbot)
    assert rows(win) == before_rows
    assert overlap_colour(win) == before_colour
    assert after == before
    # redo takes them away again, undo brings them back in place again
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not set(ids) & set(win.document.project.annotations)
    settle()
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    again = picture(win, qtbot)
    assert rows(win) == before_rows
    assert again == before


def test_the_rows_stay_in_order_after_reopening_the_image(three, qtbot) -> None:
    """The project's own per-image order (what a rebuild of the panel and the canvas read) is restored."""
    win = three
    delete_and_undo(win, qtbot, [2])
    assert [a.id for a in win.document.project.annotations_of(1)] == [1, 2, 3]
    before = picture(win, qtbot)
    key(win, Qt.Key.Key_D)
    key(win, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: win.canvas.image_item is not None and win.canvas.image_id == 1, timeout=10000)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(140, 120))
    assert rows(win) == [1, 2, 3]
    assert picture(win, qtbot) == before
