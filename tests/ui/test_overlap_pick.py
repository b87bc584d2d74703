"""A click where objects of the same size lie one on another takes the one drawn on top, as it does where
any objects overlap: two identical polygons of the layer (an import's duplicate), two identical boxes, and a
box over a polygon of its outline. The layer took the first drawn, under the other, which the user never
saw; Delete then removed the hidden one."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_workbench import click, key, view_point

SQUARE = [40.0, 40.0, 100.0, 40.0, 100.0, 100.0, 40.0, 100.0]
SHIFTED = [v + 120.0 for v in SQUARE]


@pytest.fixture
def piled(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """Polygons 1 (cat) and 2 (dog) the same square; boxes 3 (cat) and 4 (dog) the same; polygon 5 (cat)
    and box 6 (cat) the same square: all in the layer, at 100 %, select tool on."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    poly = [40.0, 40.0, 60.0, 60.0]
    project.add_annotation(Annotation(1, 1, 1, poly, [SQUARE], 3600.0))
    project.add_annotation(Annotation(2, 1, 2, poly, [SQUARE], 3600.0))
    project.add_annotation(Annotation(3, 1, 1, [160.0, 40.0, 60.0, 60.0], None, 3600.0))
    project.add_annotation(Annotation(4, 1, 2, [160.0, 40.0, 60.0, 60.0], None, 3600.0))
    project.add_annotation(Annotation(5, 1, 1, [160.0, 160.0, 60.0, 60.0], [SHIFTED], 3600.0))
    project.add_annotation(Annotation(6, 1, 1, [160.0, 160.0, 60.0, 60.0], None, 3600.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(160, 120))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, 300, 20))
    yield win
    win.document.undo_stack.setClean()


@pytest.mark.parametrize(("at", "top"), [((70, 70), 2), ((190, 70), 4), ((190, 190), 6)])
def test_a_click_on_identical_objects_takes_the_one_drawn_on_top(piled, at, top) -> None:
    win = piled
    assert set(win.canvas.box_layer.boxes) == {1, 2, 3, 4, 5, 6}
    hover(win, view_point(win, *at))
    assert win.canvas.hover.ann_id == top  # the mark says what the click takes
    click(win, view_point(win, *at))
    assert win.document.selection == [top]
    key(win, Qt.Key.Key_Escape)
    key(win, Qt.Key.Key_Delete)
    click(win, view_point(win, *at))
    key(win, Qt.Key.Key_Delete)
    assert top not in win.document.project.annotations and len(win.document.project.annotations) == 5
