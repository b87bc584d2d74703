"""Select All on many objects narrow on screen names them as it named them unselected: a selected object's
tag is thinned by width (``tag_fits``) as any other's when more than ``MANY_SELECTED`` are selected - at fit
zoom a slide's cells, well apart so no tag covered another, were each named, a wall of labels over the
picture. The pointer on one names it; zoomed in, where they are wide enough, they are named; one or a few
selected are always named, however narrow."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.polygon_layer import MANY_SELECTED
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_many_selected_tags import named
from tests.ui.test_workbench import click, key, view_point

COLS, ROWS = 10, 8
N = COLS * ROWS
GAP = 60.0  # image pixels between objects' corners: room for each tag at 100 %, none covering another
SIDE = 8.0  # an object's width: narrower than its tag below 10x (``TAG_MIN_WIDTH`` 80 screen pixels)
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def corner(ann_id: int) -> tuple[float, float]:
    k = ann_id - 1
    return 20.0 + (k % COLS) * GAP, 30.0 + (k // COLS) * GAP


@pytest.fixture(params=["polygon", "box"])
def sparse(request, qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """80 objects 8 px wide, 60 px apart, and a wide one (81) across the bottom, at 100 %, select tool."""
    path = make_project(tmp_path, n_images=1, size=(560, 640))
    project = load_project(path)
    for ann_id in range(1, N + 1):
        x, y = corner(ann_id)
        s = SIDE
        seg = (
            [[x + s / 2, y, x + s, y + s / 2, x + s / 2, y + s, x, y + s / 2]]
            if request.param == "polygon"
            else []
        )
        project.add_annotation(Annotation(ann_id, 1, 1 + ann_id % 2, [x, y, s, s], seg, s * s / 2))
    wide = [[20.0, 520.0, 600.0, 520.0, 600.0, 540.0, 20.0, 540.0]] if request.param == "polygon" else []
    project.add_annotation(Annotation(N + 1, 1, 1, [20.0, 520.0, 580.0, 20.0], wide, 11600.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(320, 280))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, 5, 5))
    yield win
    win.document.undo_stack.setClean()


def test_select_all_thins_the_selected_tags_by_width_as_the_unselected(sparse) -> None:
    win = sparse
    x, y = corner(1)
    click(win, view_point(win, x + SIDE / 2, y + SIDE / 2))
    assert win.document.selection == [1] and named(win)[0] == [1]  # one selected: named, narrow as it is
    for ann_id in range(2, 11):
        x, y = corner(ann_id)
        click(win, view_point(win, x + SIDE / 2, y + SIDE / 2), SHIFT)
    assert sorted(named(win)[0]) == list(range(1, 11))  # a few: each named
    key(win, Qt.Key.Key_A, CTRL)
    assert len(win.document.selection) == N + 1 > MANY_SELECTED
    assert named(win)[0] == [N + 1]  # the wide one only: as before they were selected
    x, y = corner(45)
    hover(win, view_point(win, x + SIDE / 2, y + SIDE / 2))
    assert win.canvas.hover.ann_id == 45 and win.canvas.hover.shown_tag[1] is not None  # the pointer names it
    win.canvas.set_zoom(12.0)  # wide enough for their tags: named again
    win.canvas.centerOn(QPointF(*corner(45)))
    assert 45 in named(win)[0]
