"""Tags thinned out where there is no room: at fit zoom the tags of a crowd of small boxes covered the boxes
and each other, names cut. A tag is drawn when its object is on screen at least as wide as the tag (or 80
px); always for the selected and the hovered object; L still hides them all. For the box layer's tags and
for an item's."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.marks import TAG_MIN_WIDTH
from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_box_layer import pixel
from tests.ui.test_workbench import click, key, view_point

SMALL, BIG = 1, 2
RECTS = {SMALL: (40, 60, 24, 18), BIG: (185, 60, 125, 100)}  # far apart: no tag reaches the other
LONG = {1: "traffic light signal", 2: "delivery van"}


@pytest.fixture(params=["box", "polygon"])
def two(request, qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    path = make_project(tmp_path, n_images=2, size=(240, 320))
    project = load_project(path)
    for cid, name in LONG.items():
        project.categories[cid].name = name
    for ann_id, (x, y, w, h) in RECTS.items():
        box = [float(x), float(y), float(w), float(h)]
        if request.param == "box":
            project.add_annotation(Annotation(ann_id, 1, ann_id, box, area=float(w * h)))
        else:
            poly = [float(v) for v in (x, y, x + w, y, x + w, y + h, x, y + h)]
            project.add_annotation(Annotation(ann_id, 1, ann_id, box, [poly], float(w * h)))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(160, 120))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, 300, 220))  # off both
    yield win
    win.document.undo_stack.setClean()


def tag_shown(win, ann_id: int) -> bool:
    """Whether the padding left of the tag's text, just above the object's top-left corner, is in the
    category's colour (the tag sits on its object's corner, above it)."""
    x, y, _, _ = RECTS[ann_id]
    z = win.canvas.zoom
    c = category_color(win.document.project.categories[ann_id])
    return pixel(win, x + 2 / z, y - 8 / z) == (c.red(), c.green(), c.blue())


def test_a_small_objects_tag_waits_for_room_a_big_ones_shows(two) -> None:
    win = two
    assert tag_shown(win, BIG) and not tag_shown(win, SMALL)
    for _ in range(12):  # Ctrl+= until the small object is TAG_MIN_WIDTH wide on screen
        if RECTS[SMALL][2] * win.canvas.zoom >= TAG_MIN_WIDTH:
            break
        key(win, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert RECTS[SMALL][2] * win.canvas.zoom >= TAG_MIN_WIDTH
    assert tag_shown(win, SMALL) and tag_shown(win, BIG)
    key(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # back to fit: thinned out again
    assert win.canvas.zoom * RECTS[SMALL][2] < 40
    assert not tag_shown(win, SMALL)


def test_the_selected_and_the_hovered_object_show_their_tag_at_any_zoom(two) -> None:
    win = two
    assert not tag_shown(win, SMALL)
    hover(win, view_point(win, 52, 69))  # the small object's middle
    assert tag_shown(win, SMALL)
    hover(win, view_point(win, 300, 220))
    assert not tag_shown(win, SMALL)
    click(win, view_point(win, 52, 69))
    assert win.document.selection == [SMALL]
    hover(win, view_point(win, 300, 220))
    assert tag_shown(win, SMALL)
    key(win, Qt.Key.Key_Escape)
    assert not tag_shown(win, SMALL)


def test_l_still_hides_every_tag(two) -> None:
    win = two
    click(win, view_point(win, 52, 69))
    hover(win, view_point(win, 52, 69))
    assert tag_shown(win, SMALL) and tag_shown(win, BIG)
    key(win, Qt.Key.Key_L)
    hover(win, view_point(win, 300, 220))
    hover(win, view_point(win, 52, 69))
    assert not tag_shown(win, SMALL) and not tag_shown(win, BIG)


def test_the_l_action_says_where_names_are_shown(two) -> None:
    """Nothing in the app said why some tags were missing: the L action's status tip (the View menu, under
    the pointer or the arrow keys), tooltip and Help > Shortcuts row now say where names are shown."""
    from PySide6.QtTest import QTest

    win = two
    view = next(a.menu() for a in win.menuBar().actions() if a.text().replace("&", "") == "View")
    view.popup(win.mapToGlobal(win.rect().center()))
    QTest.qWaitForWindowExposed(view)
    for _ in range(len(view.actions())):  # down the menu, as a user does, to Show Labels
        if view.activeAction() is win.act_labels:
            break
        QTest.keyClick(view, Qt.Key.Key_Down)
    assert view.activeAction() is win.act_labels
    said = win.statusBar().currentMessage()
    view.close()
    for text in (said, win.act_labels.toolTip(), {k: w for k, w, _ in REGISTRY.rows()}["L"]):
        assert "fit" in text and "hover" in text and "selected" in text, text


def test_shift_l_names_only_the_selected_and_hovered_objects_and_the_next_window_keeps_it(two, qtbot) -> None:
    """A slide's cells, each given room by the zoom, were each named ('Tumor: Negative' on every cell);
    QuPath names none and colours them by class. Shift+L (View > Labels on Selected Objects Only) leaves
    the names of the selected objects and of the one under the pointer, at every zoom; L still hides all
    of them; the next window opens as this one was left."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from pixelproof.ui.main_window import MainWindow

    win = two
    shift = Qt.KeyboardModifier.ShiftModifier

    def left() -> None:
        QApplication.sendEvent(win.canvas.viewport(), QEvent(QEvent.Type.Leave))

    assert tag_shown(win, BIG) and not win.act_labels_selected.isChecked()
    key(win, Qt.Key.Key_L, shift)
    assert win.act_labels_selected.isChecked()
    assert not tag_shown(win, BIG) and not tag_shown(win, SMALL)
    hover(win, view_point(win, 52, 69))  # the small object's middle: named under the pointer
    assert tag_shown(win, SMALL) and not tag_shown(win, BIG)
    click(win, view_point(win, 247, 110))  # the big one's middle, selected
    hover(win, view_point(win, 300, 220))
    assert win.document.selection == [BIG]
    assert tag_shown(win, BIG) and not tag_shown(win, SMALL)
    while RECTS[SMALL][2] * win.canvas.zoom < TAG_MIN_WIDTH:  # Ctrl+= to a zoom that gives both room
        key(win, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    left()  # the pointer out of the canvas: no object under it, wherever the checks scroll
    assert tag_shown(win, BIG) and not tag_shown(win, SMALL)
    key(win, Qt.Key.Key_Escape)
    assert not tag_shown(win, BIG)
    key(win, Qt.Key.Key_L)  # every tag hidden; Shift+L asks for the selected objects' again
    assert not win.act_labels.isChecked()
    click(win, view_point(win, 247, 110))
    left()
    assert not tag_shown(win, BIG)
    key(win, Qt.Key.Key_L, shift)  # from hidden: the selected objects' names, never nothing
    assert win.act_labels.isChecked() and win.act_labels_selected.isChecked()
    assert tag_shown(win, BIG) and not tag_shown(win, SMALL)
    key(win, Qt.Key.Key_L, shift)  # off: all that fit
    assert not win.act_labels_selected.isChecked()
    assert tag_shown(win, BIG) and tag_shown(win, SMALL)
    key(win, Qt.Key.Key_L, shift)
    win.close()  # saves the view settings
    other = MainWindow()
    qtbot.addWidget(other)
    assert other.act_labels_selected.isChecked() and not other.canvas.tags_unselected
