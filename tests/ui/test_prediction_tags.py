"""A pending model prediction names its score on the canvas, beside its category (`cat 0.91`), as Label
Studio, CVAT and X-AnyLabeling show it: the reviewer deciding what to accept reads it there, not only in the
Annotations list. Accepting it makes it a label like any other: the score leaves its tag. Its outline reads
as broken at fit zoom, where the old dashes (square caps closing the gaps) looked drawn by hand."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.looks import category_color
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_workbench import click, key, view_point

MODEL = "model:yolo-onnx/yolo11n.onnx@1"
DIAMOND = [[420.0, 300.0, 520.0, 360.0, 420.0, 420.0, 320.0, 360.0]]


@pytest.fixture
def predicted(qtbot, tmp_path: Path, no_prompts):
    path = make_project(tmp_path, n_images=1, size=(480, 640))
    project = load_project(path)
    pending = {"source": MODEL, "review": "pending"}
    project.add_annotation(
        Annotation(1, 1, 1, [40.0, 60.0, 220.0, 120.0], area=26400.0, score=0.91, **pending)
    )
    project.add_annotation(Annotation(2, 1, 1, [340.0, 60.0, 220.0, 120.0], area=26400.0, source="manual"))
    polygon = Annotation(3, 1, 2, [320.0, 300.0, 200.0, 120.0], DIAMOND, 12000.0, score=0.456, **pending)
    project.add_annotation(polygon)
    no_score = Annotation(4, 1, 1, [40.0, 300.0, 220.0, 120.0], area=26400.0, **pending)
    project.add_annotation(no_score)
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(320, 240))
    yield win
    win.document.undo_stack.setClean()


def accept_selected(win, qtbot, every: bool = False) -> None:
    """K (Accept Selected; Shift+K: all on the image) once the Model panel has followed the document (it
    does on the next turn)."""
    name = "model.accept_all" if every else "model.accept_selected"
    act = next(a for a in win.findChildren(QAction) if a.property("shortcut_id") == name)
    qtbot.waitUntil(act.isEnabled, timeout=10000)
    key(win, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier if every else Qt.KeyboardModifier.NoModifier)


def layer_tag(win, ann_id: int) -> str:
    """The text of the tag the box layer caches for its box ``ann_id``."""
    layer = win.canvas.box_layer
    row = layer.arrays()[0].tolist().index(ann_id)
    return layer.tag_text(int(layer.tag_codes()[row]))


def tag_colour_past_name(win, ann_id: int, name: str) -> bool:
    """Whether the canvas shows the category's colour where the tag of ``ann_id`` reaches only with more than
    ``name`` in it: halfway between the end of a tag naming ``name`` and of one naming `name 0.00`, in its
    second row (over the text)."""
    ann = win.document.project.annotations[ann_id]
    metrics = QFontMetrics(QFont())
    short, long = (metrics.horizontalAdvance(t) + 8 for t in (name, f"{name} 0.00"))
    corner = win.canvas.viewportTransform().map(QPointF(ann.bbox[0], ann.bbox[1]))
    x, y = math.floor(corner.x() + (short + long) / 2), math.floor(corner.y() - metrics.height() - 1)
    got = win.canvas.viewport().grab().toImage().pixelColor(x, y)
    return near(got, category_color(win.document.project.categories[ann.category_id]), 2)


def near(got: QColor, want: QColor, tolerance: int) -> bool:
    """Whether ``got`` is ``want`` give or take ``tolerance`` in each channel."""
    diff = (abs(got.red() - want.red()), abs(got.green() - want.green()), abs(got.blue() - want.blue()))
    return max(diff) <= tolerance


def test_a_pending_box_tag_shows_its_score_until_accepted_and_again_after_undo(predicted, qtbot) -> None:
    win = predicted
    win.canvas.viewport().grab()  # laid out and drawn
    assert layer_tag(win, 1) == "cat 0.91"
    assert layer_tag(win, 2) == "cat"  # drawn by hand: no score
    assert layer_tag(win, 4) == "cat"  # a model's object without a score: no made-up 1.00
    assert tag_colour_past_name(win, 1, "cat")  # the tile drawn holds the wider tag
    assert not tag_colour_past_name(win, 2, "cat")
    click(win, view_point(win, 150, 120))
    assert win.document.selection == [1]
    accept_selected(win, qtbot)
    assert win.document.project.annotations[1].review == "accepted"
    key(win, Qt.Key.Key_Escape)  # its tag back in the layer's tiles, not lifted over handles
    assert win.document.selection == []
    assert layer_tag(win, 1) == "cat"
    assert not tag_colour_past_name(win, 1, "cat")  # the cached tile was drawn again, narrower
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.document.project.annotations[1].review == "pending"
    assert layer_tag(win, 1) == "cat 0.91"
    assert tag_colour_past_name(win, 1, "cat")


def tint(win, ann_id: int, x: float, y: float) -> int:
    """How far the pixel shown at image point (x, y) is from the colour of ``ann_id``'s category."""
    c = win.canvas.viewport().grab().toImage().pixelColor(view_point(win, x, y))
    want = category_color(
        win.document.project.categories[win.document.project.annotations[ann_id].category_id]
    )
    return abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue())


def test_accepting_all_redraws_the_cached_tags_without_the_score_and_fills_as_drawn(predicted, qtbot) -> None:
    win = predicted
    win.canvas.viewport().grab()
    assert tag_colour_past_name(win, 1, "cat")
    box, polygon = tint(win, 1, 150, 120), tint(win, 3, 420, 360)
    accept_selected(win, qtbot, every=True)
    assert win.document.project.annotations[1].review == "accepted"
    key(win, Qt.Key.Key_Escape)  # the accepted objects were selected: their tags back in the tiles
    assert layer_tag(win, 1) == "cat"
    assert not tag_colour_past_name(win, 1, "cat")
    # a proposal's fill was lighter: accepted, the layer's box and the item are tinted as drawn ones
    assert tint(win, 1, 150, 120) < box and tint(win, 3, 420, 360) < polygon


def test_a_tag_whose_text_changes_is_drawn_again_where_nothing_else_moved(predicted) -> None:
    """The tiles are kept by where each tag is and what it says: a box whose score goes, nothing selected
    or moved before or after, has its tile drawn again (the canvas's path for an edit of a layer box)."""
    win = predicted
    win.canvas.viewport().grab()
    assert tag_colour_past_name(win, 1, "cat")
    ann = win.document.project.annotations[1]
    win.canvas.box_layer.update_box(replace(ann, review="accepted"))
    assert not tag_colour_past_name(win, 1, "cat")
    win.canvas.box_layer.update_box(ann)
    assert tag_colour_past_name(win, 1, "cat")


def test_a_new_score_redraws_the_tag_and_the_hover_mark_names_it(predicted) -> None:
    win = predicted
    win.canvas.viewport().grab()
    ann = win.document.project.annotations[1]
    win.document.push(ReplaceAnnotations([replace(ann, score=0.4249)], "Score"))
    assert layer_tag(win, 1) == "cat 0.42"
    win.document.set_selection([])  # a selected object has its own tag: the mark names none
    hover(win, view_point(win, 150, 120))
    assert win.canvas.hover.shown_tag[0] == 1
    assert win.canvas.hover.shown_tag[1][0] == "cat 0.42"  # the hovered box's tag as its own


def test_an_item_drawn_tag_shows_the_score_until_accepted(predicted, qtbot) -> None:
    win = predicted
    item = win.canvas.items_by_id[3]  # a polygon: an item of its own
    label = item._label
    assert label.text.text() == "dog 0.46"
    wide = label.rect().width()
    click(win, view_point(win, 420, 330))
    assert win.document.selection == [3]
    accept_selected(win, qtbot)
    assert win.document.project.annotations[3].review == "accepted"
    assert label.text.text() == "dog" and label.rect().width() < wide
    box = win.canvas.items_by_id[4]  # a layer box made an item: its tag as the layer's
    assert box._label.text.text() == "cat"
    item1 = win.canvas.items_by_id[1]
    assert item1._label.text.text() == "cat 0.91"


def outline_run(win, ann_id: int) -> tuple[float, int]:
    """(share of the pixels in the category's colour, longest run without it) along the bottom edge of box
    ``ann_id`` as shown, its middle 80 %; of the rows the outline covers, the one it covers most."""
    ann = win.document.project.annotations[ann_id]
    x, y, w, h = ann.bbox
    t = win.canvas.viewportTransform()
    left, right = t.map(QPointF(x + 0.1 * w, y + h)), t.map(QPointF(x + 0.9 * w, y + h))
    img = win.canvas.viewport().grab().toImage()
    want = category_color(win.document.project.categories[ann.category_id])
    best: tuple[float, int] = (0.0, 0)
    for dy in range(-3, 4):
        row = [img.pixelColor(px, round(left.y()) + dy) for px in range(round(left.x()), round(right.x()))]
        hit = [near(c, want, 40) for c in row]
        gaps, run = 0, 0
        for on in hit:
            run = 0 if on else run + 1
            gaps = max(gaps, run)
        best = max(best, (sum(hit) / len(hit), gaps))
    return best


def test_a_pending_outline_reads_broken_at_fit_zoom_and_a_drawn_one_stays_solid(predicted) -> None:
    win = predicted
    win.canvas.fit()
    assert win.canvas.zoom < 1.5
    pending_share, pending_gap = outline_run(win, 1)
    drawn_share, drawn_gap = outline_run(win, 2)
    assert drawn_share > 0.95 and drawn_gap == 0
    assert pending_share < 0.7 and pending_gap >= 4  # gaps an eye sees at a glance, in screen pixels
    win.canvas.set_zoom(0.5)  # smaller than the window: the dashes keep their screen size
    pending_share, pending_gap = outline_run(win, 1)
    assert pending_share < 0.7 and pending_gap >= 4
