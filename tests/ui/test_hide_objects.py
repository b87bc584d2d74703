"""View > Hide Selected Objects (Shift+H) and Show Hidden Objects (Alt+Shift+H), by real keys and clicks
(``ui.object_visibility``): a hidden object is not drawn nor picked by a click, S or Select All, stays hidden
on its image across image switches, is shown again by a pick in the Annotations panel, and is forgotten when
another project opens."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import click_item, hover, list_rows, make_project, settle, wait_loaded
from tests.ui.test_workbench import click, key, view_point

BIG, SMALL, POLY, MASK = 1, 2, 3, 4
SHIFT, ALT = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier
IN_SMALL, IN_POLY, IN_MASK = (80.0, 80.0), (240.0, 50.0), (270.0, 180.0)


@pytest.fixture
def win(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """A big cat box with a small dog box over it, a cat triangle (polygon) and a dog mask, at 100 %, the
    select tool on."""
    path = make_project(tmp_path, n_images=2, size=(240, 320))
    p = load_project(path)
    p.add_annotation(Annotation(BIG, 1, 1, [20.0, 20.0, 180.0, 140.0], area=25200.0))
    p.add_annotation(Annotation(SMALL, 1, 2, [60.0, 60.0, 40.0, 40.0], area=1600.0))
    tri = [230.0, 40.0, 290.0, 40.0, 230.0, 100.0]
    p.add_annotation(Annotation(POLY, 1, 1, [230.0, 40.0, 60.0, 60.0], [tri], 1800.0))
    m = np.zeros((240, 320), dtype=bool)
    m[150:210, 240:300] = True
    p.add_annotation(Annotation(MASK, 1, 2, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    w = open_on(path)
    w.canvas.set_zoom(1.0)
    w.canvas.centerOn(QPointF(160, 120))
    key(w, Qt.Key.Key_V)
    hover(w, view_point(w, 310, 230))
    return w


def colour_at(win, x: float, y: float) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    c = win.canvas.viewport().grab().toImage().pixelColor(view_point(win, x, y))
    return c.red(), c.green(), c.blue()


def pick(win, x: float, y: float) -> list[int]:  # type: ignore[no-untyped-def]
    """Click there with the select tool, and what it selected."""
    click(win, view_point(win, x, y))
    return list(win.document.selection)


def hide(win, x: float, y: float) -> None:  # type: ignore[no-untyped-def]
    assert len(pick(win, x, y)) == 1
    key(win, Qt.Key.Key_H, SHIFT)


def show_all(win) -> None:  # type: ignore[no-untyped-def]
    key(win, Qt.Key.Key_H, SHIFT | ALT)


def badge(win) -> str:  # type: ignore[no-untyped-def]
    label = win.readout.hidden_label
    return label.text() if label.isVisibleTo(win.statusBar()) else ""


def test_shift_h_hides_the_selected_box_a_click_there_takes_what_is_under_and_show_hidden_brings_it(win):
    shown = colour_at(win, *IN_SMALL)
    assert pick(win, *IN_SMALL) == [SMALL]
    key(win, Qt.Key.Key_Escape)
    hide(win, *IN_SMALL)
    assert win.document.selection == []  # what is out of sight is not selected (Del, the arrows)
    assert win.statusBar().currentMessage() == "1 object hidden: Alt+Shift+H shows it again"
    assert colour_at(win, *IN_SMALL) != shown  # only the big box's fill there now
    assert pick(win, *IN_SMALL) == [BIG]  # the object under it
    assert badge(win) == "1 object hidden"
    show_act = win.object_steps.visibility.act_show
    assert show_act.text().startswith("Show Hidde&n Objects (1)") and show_act.isEnabled()
    key(win, Qt.Key.Key_Escape)
    show_all(win)
    assert colour_at(win, *IN_SMALL) == shown
    assert pick(win, *IN_SMALL) == [SMALL]
    assert badge(win) == "" and not show_act.isEnabled()
    assert win.document.undo_stack.isClean()  # view state: no undo step, nothing to save


def test_a_hidden_object_stays_hidden_across_images_and_s_and_select_all_pass_it_over(win) -> None:
    hide(win, *IN_SMALL)
    key(win, Qt.Key.Key_D)  # the next image and back
    settle()
    key(win, Qt.Key.Key_A)
    settle()
    assert win.document.current_image_id == 1
    win.canvas.centerOn(QPointF(160, 120))
    assert pick(win, *IN_SMALL) == [BIG]
    key(win, Qt.Key.Key_Escape)
    seen = set()
    for _ in range(6):  # S steps through the objects, round: never to the hidden one
        key(win, Qt.Key.Key_S)
        seen.update(win.document.selection)
    assert seen == {BIG, POLY, MASK}
    key(win, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert sorted(win.document.selection) == [BIG, POLY, MASK]
    assert badge(win) == "1 object hidden"


def test_picking_a_hidden_object_in_the_annotations_panel_shows_it_again(win) -> None:
    hide(win, *IN_SMALL)
    panel = win.panels["annotationsDock"]
    rows = list_rows(panel.list)
    row = next(r for r in rows if r.text().startswith(f"#{SMALL} "))
    assert row.text().endswith("(hidden)")
    click_item(panel.list, row)
    assert win.document.selection == [SMALL]
    assert win.canvas.show_filter.objects == set()
    assert not row.text().endswith("(hidden)") and badge(win) == ""
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Escape)
    assert pick(win, *IN_SMALL) == [SMALL]  # drawn and picked again


def test_a_polygon_of_the_layer_and_a_mask_hide_and_show(win) -> None:
    poly_shown, mask_shown = colour_at(win, *IN_POLY), colour_at(win, *IN_MASK)
    assert win.canvas.made_item(POLY) is None  # untouched: drawn by the layer
    hide(win, *IN_POLY)
    hide(win, *IN_MASK)
    assert colour_at(win, *IN_POLY) != poly_shown and colour_at(win, *IN_MASK) != mask_shown
    assert pick(win, *IN_POLY) == [] and pick(win, *IN_MASK) == []
    assert badge(win) == "2 objects hidden"
    show_all(win)
    assert colour_at(win, *IN_POLY) == poly_shown and colour_at(win, *IN_MASK) == mask_shown
    assert pick(win, *IN_POLY) == [POLY] and pick(win, *IN_MASK) == [MASK]


def test_another_project_shows_every_object(qtbot, win, tmp_path: Path) -> None:
    """Ids name other objects in another project: nothing it has is hidden by the last one's Shift+H."""
    hide(win, *IN_SMALL)
    other = make_project(tmp_path / "other")
    win.close_project()
    assert win.open_path(other)
    wait_loaded(qtbot, win)
    assert win.canvas.show_filter.objects == set() and badge(win) == ""
