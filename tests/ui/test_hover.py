"""Hover feedback: in a crowd a click picks the smallest object under the cursor (the selection first), and
the select tool outlines exactly that object before the click, for a box of the layer and a polygon item;
the mark goes when the cursor leaves it or the canvas, is not shown by the drawing tools, and a mouse move
repaints only the old and new object's area (not the whole box layer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.layers import BoxLayer
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_workbench import click, drag, key, view_point

BIG, SMALL, SIDE = 1, 2, 3  # SMALL lies inside BIG; SIDE is BIG's neighbour, touching neither
RECTS = {BIG: (40, 40, 160, 120), SMALL: (80, 70, 40, 30), SIDE: (220, 60, 60, 60)}
IN_SMALL, IN_BIG_ONLY, OFF = (100.0, 85.0), (170.0, 140.0), (300.0, 200.0)


@pytest.fixture(params=["box", "polygon"])
def crowd(request, qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    path = make_project(tmp_path, n_images=2, size=(240, 320))
    project = load_project(path)
    for ann_id, (x, y, w, h) in RECTS.items():
        box = [float(x), float(y), float(w), float(h)]
        if request.param == "box":
            project.add_annotation(Annotation(ann_id, 1, 1 + ann_id % 2, box, area=float(w * h)))
        else:
            poly = [float(v) for v in (x, y, x + w, y, x + w, y + h, x, y + h)]
            project.add_annotation(Annotation(ann_id, 1, 1 + ann_id % 2, box, [poly], float(w * h)))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(160, 120))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, *OFF))
    yield win
    win.document.undo_stack.setClean()


def edge_pixels(win, ann_id: int) -> list[tuple[int, int, int]]:
    """The colours on the middle of each side of an object's outline (away from the others)."""
    x, y, w, h = RECTS[ann_id]
    img = win.canvas.viewport().grab().toImage()
    spots = [(x + w * 0.75, y), (x + w, y + h * 0.75), (x + w * 0.25, y + h), (x, y + h * 0.25)]
    out = []
    for sx, sy in spots:
        c = img.pixelColor(view_point(win, sx, sy))
        out.append((c.red(), c.green(), c.blue()))
    return out


def outlines(win) -> dict[int, list[tuple[int, int, int]]]:
    return {ann_id: edge_pixels(win, ann_id) for ann_id in RECTS}


def marked(win, plain: dict) -> list[int]:
    """The objects whose outline looks different from the plain picture."""
    now = outlines(win)
    return [ann_id for ann_id in RECTS if now[ann_id] != plain[ann_id]]


def test_hover_outlines_the_object_a_click_there_picks_and_only_it(crowd) -> None:
    win = crowd
    plain = outlines(win)
    hover(win, view_point(win, *IN_SMALL))  # inside BIG and SMALL: a click takes the smaller
    assert marked(win, plain) == [SMALL]
    click(win, view_point(win, *IN_SMALL))
    assert win.document.selection == [SMALL]
    key(win, Qt.Key.Key_Escape)
    hover(win, view_point(win, *IN_BIG_ONLY))
    assert marked(win, plain) == [BIG]
    hover(win, view_point(win, *OFF))  # off every object: the mark goes
    assert marked(win, plain) == []


def test_with_a_selection_the_hover_marks_what_a_click_again_takes(crowd) -> None:
    win = crowd
    click(win, view_point(win, *IN_BIG_ONLY))
    assert win.document.selection == [BIG]
    hover(win, view_point(win, *OFF))
    selected = outlines(win)
    hover(win, view_point(win, *IN_BIG_ONLY))  # only the selected BIG here: a click keeps it
    assert marked(win, selected) == [BIG]
    hover(win, view_point(win, *IN_SMALL))  # a click again on BIG here takes the next under it, SMALL
    assert marked(win, selected) == [SMALL]
    click(win, view_point(win, *IN_SMALL))
    assert win.document.selection == [SMALL]


def test_leaving_the_canvas_clears_the_mark(crowd) -> None:
    win = crowd
    plain = outlines(win)
    hover(win, view_point(win, *IN_SMALL))
    assert marked(win, plain) == [SMALL]
    QApplication.sendEvent(win.canvas.viewport(), QEvent(QEvent.Type.Leave))
    assert marked(win, plain) == []


def test_drawing_tools_mark_nothing(crowd) -> None:
    win = crowd
    plain = outlines(win)
    hover(win, view_point(win, *IN_SMALL))
    key(win, Qt.Key.Key_B)  # the box tool: the select tool's mark goes with it
    assert win.canvas.tool.name == "box"
    assert marked(win, plain) == []
    hover(win, view_point(win, *IN_BIG_ONLY))
    assert marked(win, plain) == []


@pytest.mark.parametrize("crowd", ["box"], indirect=True)  # polygons are items: no box layer to repaint
def test_a_hover_move_repaints_only_around_the_objects_not_the_whole_layer(crowd, monkeypatch) -> None:
    win = crowd
    assert win.canvas.box_layer.boxes
    exposed = []
    paint = BoxLayer.paint_boxes

    def spy(self, painter, option, selected):  # type: ignore[no-untyped-def]
        exposed.append(QRectF(option))
        paint(self, painter, option, selected)

    monkeypatch.setattr(BoxLayer, "paint_boxes", spy)
    win.canvas.viewport().repaint()
    assert exposed  # the spy sees the layer's paints
    exposed.clear()
    hover(win, view_point(win, *IN_SMALL))
    hover(win, view_point(win, *IN_BIG_ONLY))
    QApplication.processEvents()  # the repaints the moves asked for
    assert exposed
    big = RECTS[BIG]
    for r in exposed:  # each paint is about the size of BIG (plus the mark's margin), not the view
        assert r.width() <= big[2] + 20 and r.height() <= big[3] + 20, r


def test_the_mark_follows_what_a_click_would_pick_when_it_changes_under_a_still_pointer(crowd) -> None:
    """The selection or the objects changing under a pointer that does not move (Escape, an undo, a class
    hidden) changed what a click there picks, and the mark stayed on the object the last mouse move found
    (or went, naming nothing) until the next move: a click right after took another object than marked."""
    win = crowd
    plain = outlines(win)
    click(win, view_point(win, *IN_BIG_ONLY))
    hover(win, view_point(win, *IN_SMALL))
    assert win.canvas.hover.ann_id == SMALL  # a click again on the selected BIG takes the next here
    click(win, view_point(win, *IN_BIG_ONLY))
    hover(win, view_point(win, *IN_SMALL))
    assert win.document.selection == [BIG] and win.canvas.hover.ann_id == SMALL
    key(win, Qt.Key.Key_Escape)  # nothing selected: a click here takes the smaller one
    assert win.canvas.hover.ann_id == SMALL and marked(win, plain) == [SMALL]

    key(win, Qt.Key.Key_Delete)  # nothing selected: nothing deleted
    click(win, view_point(win, *IN_SMALL))
    key(win, Qt.Key.Key_Delete)
    assert SMALL not in win.document.project.annotations
    assert win.canvas.hover.ann_id == BIG  # what a click there takes now
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # SMALL back under the pointer, selected:
    assert win.document.selection == [SMALL]
    assert win.canvas.hover.ann_id == BIG  # a click again on it takes the next here

    key(win, Qt.Key.Key_Escape)
    win.masks_menu.set_category_visible(win.document.project.annotations[SMALL].category_id, False)
    assert win.canvas.hover.ann_id == BIG and BIG in marked(win, plain)  # (SMALL, hidden, differs too)
    click(win, view_point(win, *IN_SMALL))
    assert win.document.selection == [BIG]
    win.masks_menu.set_category_visible(win.document.project.annotations[SMALL].category_id, True)


def test_the_mark_follows_the_view_zoomed_or_moved_under_a_still_pointer(crowd) -> None:
    """Zoom keys (Ctrl+- / Ctrl+0) and D move the picture under a pointer that rests: the mark stayed on
    the object the last mouse move found, now elsewhere on screen (its tag shown with it), or stayed off
    on the next image, while a click at the pointer picked another object than marked (or none)."""
    win = crowd
    ctrl = Qt.KeyboardModifier.ControlModifier
    win.document.set_selection([SIDE])  # the zoom keys zoom about a selection on screen, not the pointer
    p = view_point(win, *IN_BIG_ONLY)
    hover(win, p)
    assert win.canvas.hover.ann_id == BIG
    for _ in range(4):
        key(win, Qt.Key.Key_Minus, ctrl)  # zoomed out about SIDE: the picture moves under the pointer
    picks = win.canvas.annotation_at(p)[0]
    assert picks != BIG  # the picture moved under the pointer: BIG is not what a click there takes
    assert win.canvas.hover.ann_id == picks

    key(win, Qt.Key.Key_1, ctrl)  # 100 %
    win.canvas.centerOn(QPointF(*IN_SMALL))
    hover(win, p)
    assert win.canvas.hover.ann_id is not None
    key(win, Qt.Key.Key_0, ctrl)  # fit
    marked_now = win.canvas.hover.ann_id
    assert marked_now == win.canvas.annotation_at(p)[0]
    click(win, p)  # takes what is marked
    assert win.document.selection == ([marked_now] if marked_now is not None else [])


def test_the_next_image_marks_what_a_click_at_the_resting_pointer_picks(crowd) -> None:
    """D with the pointer resting on an object of the next image: no mark until the mouse moved, while a
    click there took that object (as it takes it on the image the project opens on)."""
    win = crowd
    doc = win.document
    other = max(doc.project.annotations) + 1
    doc.project.add_annotation(Annotation(other, 2, 1, [0.0, 0.0, 320.0, 240.0], area=320.0 * 240))
    p = view_point(win, *IN_SMALL)
    hover(win, p)
    assert win.canvas.hover.ann_id == SMALL
    key(win, Qt.Key.Key_D)
    assert win.canvas.image_id == 2
    assert win.canvas.annotation_at(p)[0] == other
    assert win.canvas.hover.ann_id == other


def test_a_space_drag_pan_keeps_the_mark_on_what_is_under_the_pointer(crowd) -> None:
    """The picture follows the hand in a pan, so the object under the pointer stays the one marked; the
    mark is asked again where the pointer ends, not where the last plain mouse move was."""
    win = crowd
    start = view_point(win, *IN_SMALL)
    hover(win, start)
    assert win.canvas.hover.ann_id == SMALL
    end = start + QPoint(70, 50)
    QTest.keyPress(win.canvas, Qt.Key.Key_Space)
    drag(win, start, end)
    QTest.keyRelease(win.canvas, Qt.Key.Key_Space)
    assert win.canvas.mapToScene(end) != win.canvas.mapToScene(start)  # it did pan
    assert win.canvas.annotation_at(end)[0] == SMALL
    assert win.canvas.hover.ann_id == SMALL


@pytest.mark.parametrize("kind", ["box", "polygon"])
def test_the_mark_leaves_a_thin_objects_inside_as_it_was(kind, qtbot, tmp_path: Path, no_prompts) -> None:
    """The halo was centred on the outline, 3 screen px of white inside it: a sliver 4 px across on screen
    (a thin polygon, a small box at fit zoom) turned into a white bar, its fill and slope hidden while the
    pointer was on it. The halo goes outside the outline; the inside keeps the object's own look."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    x, y, w, h = 60.0, 100.0, 200.0, 2.0
    if kind == "box":
        project.add_annotation(Annotation(1, 1, 1, [x, y, w, h], area=w * h))
    else:
        poly = [x, y, x + w, y, x + w, y + h, x, y + h]
        project.add_annotation(Annotation(1, 1, 1, [x, y, w, h], [poly], w * h))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(160, 120))
    key(win, Qt.Key.Key_V)
    hover(win, view_point(win, 300, 200))  # off it
    inside = [view_point(win, x + w * f, y + h / 2) for f in (0.25, 0.5, 0.75)]
    outside = view_point(win, x + w / 2, y - 2 / win.canvas.zoom)  # 2 screen px above its top edge

    def colours() -> list[tuple[int, int, int]]:
        img = win.canvas.viewport().grab().toImage()
        return [img.pixelColor(p).getRgb()[:3] for p in (*inside, outside)]

    plain = colours()
    hover(win, inside[1])
    assert win.canvas.hover.ann_id == 1
    marked = colours()
    assert marked[-1] != plain[-1]  # the mark is there, around it
    assert marked[:-1] == plain[:-1]  # and its inside looks as before
    win.document.undo_stack.setClean()
