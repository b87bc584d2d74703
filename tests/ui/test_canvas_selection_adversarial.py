"""The canvas's selection as a fast, impatient labeler uses it: selected boxes stay in the shared box layer
(``SelectedBoxes``, ``BoxLayer.handle_at``), undo/redo of a step on another image shows that image first,
hidden categories. Real mouse and key events on the real main window; what is drawn (grabbed pixels where a
handle or a tag must be) and what the document holds are checked after each sequence."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, row_ids, run_at_scale, settle, wait_loaded
from tests.ui.test_workbench import LEFT, NOMOD, click, drag, key, view_point

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
WHITE = (255, 255, 255)
CAT, DOG = 1, 2
A, B, POLY, MASK, THIN, OTHER = 1, 2, 3, 4, 5, 10  # the objects ``labeled`` writes


def add_objects(path: Path) -> None:
    """Image 1: boxes A (cat) and B (dog), a polygon (cat), a mask (dog), a box of zero width (cat); image
    2: one box."""
    p = load_project(path)
    p.add_annotation(Annotation(A, 1, CAT, [100.0, 100.0, 80.0, 60.0], area=4800.0))
    p.add_annotation(Annotation(B, 1, DOG, [200.0, 100.0, 80.0, 60.0], area=4800.0))
    poly = [[300.0, 300.0, 360.0, 300.0, 360.0, 340.0, 300.0, 340.0]]
    p.add_annotation(Annotation(POLY, 1, CAT, [300.0, 300.0, 60.0, 40.0], poly, 2400.0))
    m = np.zeros((480, 640), bool)
    m[400:440, 100:160] = True
    p.add_annotation(Annotation(MASK, 1, DOG, masks.bbox(m), masks.encode(m), float(m.sum())))
    p.add_annotation(Annotation(THIN, 1, CAT, [500.0, 50.0, 0.0, 40.0], area=0.0))
    p.add_annotation(Annotation(OTHER, 2, CAT, [50.0, 50.0, 40.0, 40.0], area=1600.0))
    save_project(p, path)


@pytest.fixture
def labeled(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """The main window on image 1 of three 640x480 images (``add_objects``), at 100 %, select tool."""
    from tests.ui.conftest import open_main_window

    path = make_project(tmp_path, n_images=3, size=(480, 640))
    add_objects(path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(240, 200))
    key(win, Qt.Key.Key_V)
    yield win
    win.document.undo_stack.setClean()


def pixel(win, x: float, y: float) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """The colour drawn at image point (x, y) (in view: the caller centres it)."""
    v = win.canvas.viewportTransform().map(QPointF(x, y))
    grab = win.canvas.viewport().grab().toImage()
    assert grab.rect().contains(math.floor(v.x()), math.floor(v.y())), (x, y)
    c = grab.pixelColor(math.floor(v.x()), math.floor(v.y()))
    return c.red(), c.green(), c.blue()


def bbox(win, ann_id: int) -> list[float]:  # type: ignore[no-untyped-def]
    return list(win.document.project.annotations[ann_id].bbox)


def steps(win) -> list[str]:  # type: ignore[no-untyped-def]
    stack = win.document.undo_stack
    return [stack.text(i) for i in range(stack.index())]


# -- handles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("zoom", [0.1, 1.0, 8.0])
def test_click_select_then_drag_the_corner_handle_at_any_zoom(labeled, zoom: float) -> None:
    """The corner aimed at is the handle dragged. At 10 % box A is 8x6 screen pixels: its bottom and right
    handles reach over its bottom-right corner, and the last of them in the handle order (the bottom one)
    won, so the corner drag resized the height alone."""
    win = labeled
    win.canvas.set_zoom(zoom)
    win.canvas.centerOn(QPointF(180, 160))
    click(win, view_point(win, 140, 130))
    assert win.document.selection == [A]
    corner = view_point(win, 180, 160)
    drag(win, corner, corner + QPoint(16, 8))
    assert bbox(win, A) == [100.0, 100.0, 80 + round(16 / zoom), 60 + round(8 / zoom)]
    x, y, w, h = bbox(win, A)
    win.canvas.centerOn(QPointF(x + w, y + h))
    assert pixel(win, x + w, y + h) == WHITE  # the handle, where the corner went
    key(win, Qt.Key.Key_Z, CTRL)
    assert bbox(win, A) == [100.0, 100.0, 80.0, 60.0] and win.document.selection == [A]


HANDLE_AT_SCALE = """
import json, math, sys
from pathlib import Path
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtTest import QTest
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path(sys.argv[1]) / "settings"))
from pixelproof.ui.app import create_app
from pixelproof.ui.main_window import MainWindow
app = create_app([])
win = MainWindow()
win.resize(1200, 800)
win.show()
assert win.open_path(sys.argv[2])
while win.canvas.image_item is None or win.canvas.is_loading:
    app.processEvents()
doc, canvas = win.document, win.canvas
vp = canvas.viewport()
left, nomod = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
QTest.keyClick(canvas, Qt.Key.Key_V)
out = {"ratio": vp.devicePixelRatioF()}
for zoom in (0.1, 1.0, 8.0):
    canvas.set_zoom(zoom)
    canvas.centerOn(QPointF(180, 160))
    QTest.mouseClick(vp, left, nomod, canvas.mapFromScene(QPointF(140, 130)))
    corner = canvas.mapFromScene(QPointF(180, 160))
    QTest.mousePress(vp, left, nomod, corner)
    for i in range(1, 5):
        QTest.mouseMove(vp, corner + QPoint(4 * i, 2 * i))
    QTest.mouseRelease(vp, left, nomod, corner + QPoint(16, 8))
    x, y, w, h = doc.project.annotations[1].bbox
    canvas.centerOn(QPointF(x + w, y + h))
    grab = vp.grab().toImage()
    v = canvas.viewportTransform().map(QPointF(x + w, y + h)) * grab.devicePixelRatio()
    c = grab.pixelColor(math.floor(v.x()), math.floor(v.y()))
    out[str(zoom)] = [doc.selection, [x, y, w, h], [c.red(), c.green(), c.blue()]]
    doc.undo_stack.undo()
    doc.set_selection([])
print(json.dumps(out))
doc.undo_stack.setClean()
"""


def test_the_corner_handle_is_dragged_on_a_hidpi_screen(tmp_path: Path) -> None:
    """The same click-select and corner drag at 10 %, 100 % and 800 % on a 200 % screen (QT_SCALE_FACTOR=2):
    handles are hit-tested in screen pixels and drawn white at the corner in device pixels."""
    path = make_project(tmp_path / "p", n_images=2, size=(480, 640))
    add_objects(path)
    out = json.loads(run_at_scale(2.0, HANDLE_AT_SCALE, str(tmp_path), str(path)))
    assert out.pop("ratio") == 2.0
    for zoom, (selection, box, color) in out.items():
        z = float(zoom)
        assert selection == [A], zoom
        assert box == [100.0, 100.0, 80 + round(16 / z), 60 + round(8 / z)], zoom
        assert tuple(color) == WHITE, zoom


def test_overlapping_boxes_the_handle_under_the_cursor_wins(labeled) -> None:
    """A handle over another box's body is the handle; of two selected boxes' handles within reach, the one
    whose spot is under the cursor wins (box C's top-left handle, 5 px off, took A's exact bottom-right
    corner because C came later)."""
    win = labeled
    win.document.push(AddAnnotations([Annotation(20, 1, DOG, [175.0, 155.0, 50.0, 50.0], area=2500.0)]))
    click(win, view_point(win, 140, 130))
    assert win.document.selection == [A]
    assert win.canvas.annotation_at(view_point(win, 180, 160)) == (A, "br")  # over C's body
    click(win, view_point(win, 210, 190), SHIFT)
    assert win.document.selection == [A, 20]
    drag(win, view_point(win, 180, 160), view_point(win, 190, 170))
    assert bbox(win, A) == [100.0, 100.0, 90.0, 70.0] and bbox(win, 20) == [175.0, 155.0, 50.0, 50.0]
    assert win.document.selection == [A, 20]  # as it was
    drag(win, view_point(win, 175, 155), view_point(win, 170, 150))  # C's corner, inside A (an item now)
    assert bbox(win, 20) == [170.0, 150.0, 55.0, 55.0] and bbox(win, A) == [100.0, 100.0, 90.0, 70.0]


# -- Delete while a drag is under way -------------------------------------------------------------------


def test_delete_while_resizing_a_box_drops_the_drag(labeled) -> None:
    """Delete with the button down on a handle: the release read the deleted box (KeyError out of the
    mouse handler). Now the drag ends with nothing more; one undo brings the box back as it was."""
    win = labeled
    click(win, view_point(win, 140, 130))
    vp = win.canvas.viewport()
    corner = view_point(win, 180, 160)
    QTest.mousePress(vp, LEFT, NOMOD, corner)
    QTest.mouseMove(vp, corner + QPoint(10, 10))
    key(win, Qt.Key.Key_Delete)
    assert A not in win.document.project.annotations
    QTest.mouseMove(vp, corner + QPoint(20, 10))
    QTest.mouseRelease(vp, LEFT, NOMOD, corner + QPoint(20, 10))
    assert A not in win.document.project.annotations and steps(win) == ["Delete 1 annotation"]
    key(win, Qt.Key.Key_Z, CTRL)
    assert bbox(win, A) == [100.0, 100.0, 80.0, 60.0] and win.document.selection == [A]
    assert pixel(win, 180, 160) == WHITE and pixel(win, 200, 170) != WHITE


def test_delete_while_moving_the_selection_leaves_no_step_and_no_offset(labeled) -> None:
    """Delete mid-move: the release pushed an empty 'Move' step, and the layer's selected boxes stayed
    drawn at the drag's offset, so the next box selected showed its outline and handles 20 px away."""
    win = labeled
    click(win, view_point(win, 140, 130))
    vp = win.canvas.viewport()
    start = view_point(win, 140, 130)
    QTest.mousePress(vp, LEFT, NOMOD, start)
    QTest.mouseMove(vp, start + QPoint(10, 5))
    key(win, Qt.Key.Key_Delete)
    QTest.mouseMove(vp, start + QPoint(20, 10))
    QTest.mouseRelease(vp, LEFT, NOMOD, start + QPoint(20, 10))
    assert steps(win) == ["Delete 1 annotation"]
    click(win, view_point(win, 240, 130))
    assert win.document.selection == [B] and bbox(win, B) == [200.0, 100.0, 80.0, 60.0]
    assert pixel(win, 280, 160) == WHITE  # B's bottom-right handle, where B is
    assert pixel(win, 300, 170) != WHITE


# -- sequences that hold: pinned ---------------------------------------------------------------------------


def test_shift_click_toggles_and_a_band_selects_boxes_polygons_and_masks_but_not_hidden_ones(labeled) -> None:
    win = labeled
    doc = win.document
    click(win, view_point(win, 140, 130))
    click(win, view_point(win, 240, 130), SHIFT)
    click(win, view_point(win, 330, 320), SHIFT)
    assert doc.selection == [A, B, POLY]
    click(win, view_point(win, 240, 130), SHIFT)
    assert doc.selection == [A, POLY]
    assert pixel(win, 280, 160) != WHITE and pixel(win, 180, 160) == WHITE
    drag(win, view_point(win, 90, 90), view_point(win, 520, 460))
    assert sorted(doc.selection) == [A, B, POLY, MASK, THIN]
    assert pixel(win, 280, 160) == WHITE and pixel(win, 500, 90) == WHITE  # B's and the thin box's
    win.masks_menu.set_category_visible(DOG, False)
    drag(win, view_point(win, 90, 90), view_point(win, 520, 460))
    assert sorted(doc.selection) == [A, POLY, THIN]
    click(win, view_point(win, 240, 130))  # B's body, hidden: empty space
    assert doc.selection == []


def test_select_all_nudge_and_one_undo_draw_every_box_where_it_is(labeled) -> None:
    win = labeled
    before = {i: bbox(win, i) for i in win.document.project.annotations}
    key(win, Qt.Key.Key_A, CTRL)
    for _ in range(3):
        key(win, Qt.Key.Key_Right)
    key(win, Qt.Key.Key_Down, SHIFT)
    assert bbox(win, A) == [103.0, 110.0, 80.0, 60.0] and bbox(win, MASK)[:2] == [103.0, 410.0]
    assert pixel(win, 183, 170) == WHITE and pixel(win, 180, 158) != WHITE
    key(win, Qt.Key.Key_Z, CTRL)
    assert {i: bbox(win, i) for i in before} == before and win.document.undo_stack.index() == 0
    assert sorted(win.document.selection) == [A, B, POLY, MASK, THIN]
    assert pixel(win, 180, 160) == WHITE and pixel(win, 186, 172) != WHITE


def test_esc_while_dragging_the_whole_selection_puts_it_back(labeled) -> None:
    win = labeled
    key(win, Qt.Key.Key_A, CTRL)
    vp = win.canvas.viewport()
    start = view_point(win, 140, 130)
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + QPoint(5 * i, 5 * i))
    assert pixel(win, 200, 180) == WHITE  # A's corner handle, previewed 20 px on
    key(win, Qt.Key.Key_Escape)
    assert pixel(win, 200, 180) != WHITE and pixel(win, 180, 160) == WHITE
    assert len(win.document.selection) == 5
    QTest.mouseMove(vp, start + QPoint(30, 30))
    QTest.mouseRelease(vp, LEFT, NOMOD, start + QPoint(30, 30))
    assert bbox(win, A) == [100.0, 100.0, 80.0, 60.0] and steps(win) == []
    assert pixel(win, 180, 160) == WHITE


def test_resize_by_a_handle_then_undo_and_redo(labeled) -> None:
    win = labeled
    click(win, view_point(win, 140, 130))
    drag(win, view_point(win, 180, 160), view_point(win, 200, 175))
    assert bbox(win, A) == [100.0, 100.0, 100.0, 75.0] and pixel(win, 200, 175) == WHITE
    key(win, Qt.Key.Key_Z, CTRL)
    assert bbox(win, A) == [100.0, 100.0, 80.0, 60.0] and win.document.selection == [A]
    assert pixel(win, 180, 160) == WHITE and pixel(win, 200, 175) != WHITE
    key(win, Qt.Key.Key_Y, CTRL)
    assert bbox(win, A) == [100.0, 100.0, 100.0, 75.0] and win.document.selection == [A]
    assert pixel(win, 200, 175) == WHITE and pixel(win, 180, 160) != WHITE


def test_a_box_of_zero_width_can_be_picked_and_widened(labeled) -> None:
    win = labeled
    click(win, view_point(win, 500, 70))
    assert win.document.selection == [THIN] and pixel(win, 500, 50) == WHITE
    drag(win, view_point(win, 500, 50), view_point(win, 510, 45))
    assert bbox(win, THIN) == [500.0, 45.0, 10.0, 45.0]


def test_selected_boxes_are_dropped_with_their_image_and_not_redrawn_on_return(qtbot, labeled) -> None:
    win = labeled
    key(win, Qt.Key.Key_A, CTRL)
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    assert win.document.current_image_id == 2 and win.document.selection == []
    key(win, Qt.Key.Key_A)
    wait_loaded(qtbot, win)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(240, 200))
    assert win.document.selection == [] and not win.canvas.box_layer.selected
    assert pixel(win, 180, 160) != WHITE


def test_tags_follow_view_labels_for_selected_boxes_too(labeled) -> None:
    win = labeled
    click(win, view_point(win, 140, 130))
    tag = view_point(win, 100, 100) + QPoint(2, -8)  # above the top-left handle, in the tag's padding
    grab = win.canvas.viewport().grab
    on = grab().toImage().pixelColor(tag)
    assert on.name() == win.document.project.categories[CAT].color.lower()
    win.act_labels.trigger()
    assert not win.act_labels.isChecked()
    assert grab().toImage().pixelColor(tag) != on
    click(win, view_point(win, 240, 130), SHIFT)
    assert grab().toImage().pixelColor(tag) != on
    win.act_labels.trigger()
    assert grab().toImage().pixelColor(tag) == on


# -- undo and redo of a step on another image --------------------------------------------------------------


def test_undo_on_another_image_shows_it_with_the_step_s_objects_selected(qtbot, labeled) -> None:
    win = labeled
    doc = win.document
    click(win, view_point(win, 140, 130))
    click(win, view_point(win, 240, 130), SHIFT)
    key(win, Qt.Key.Key_Right)
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    click(win, view_point(win, 70, 70))
    assert doc.selection == [OTHER]
    key(win, Qt.Key.Key_Z, CTRL)
    wait_loaded(qtbot, win)
    assert doc.current_image_id == 1 and doc.selection == [A, B] and bbox(win, A)[0] == 100.0
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(240, 200))
    assert pixel(win, 180, 160) == WHITE and pixel(win, 280, 160) == WHITE
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_Y, CTRL)
    assert doc.current_image_id == 1 and doc.selection == [A, B] and bbox(win, A)[0] == 101.0


def test_undo_and_redo_of_a_paste_on_another_image(qtbot, labeled) -> None:
    win = labeled
    doc = win.document
    click(win, view_point(win, 140, 130))
    key(win, Qt.Key.Key_C, CTRL)
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_V, CTRL)
    (pasted,) = doc.selection
    assert doc.project.image_status(2) == "in_progress"
    key(win, Qt.Key.Key_A)
    wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_Z, CTRL)
    assert doc.current_image_id == 2 and pasted not in doc.project.annotations
    assert sorted(win.canvas.box_layer.boxes) == [OTHER] and doc.project.image_status(2) == "todo"
    key(win, Qt.Key.Key_A)
    wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_Y, CTRL)
    assert doc.current_image_id == 2 and doc.selection == [pasted]
    assert sorted(win.canvas.box_layer.boxes) == [OTHER, pasted] and win.canvas.box_layer.selected == {pasted}


def test_ctrl_z_twice_with_a_brush_stroke_held_takes_back_the_stroke_then_the_step(qtbot, labeled) -> None:
    win = labeled
    doc = win.document
    click(win, view_point(win, 140, 130))
    key(win, Qt.Key.Key_Right)
    key(win, Qt.Key.Key_D)
    wait_loaded(qtbot, win)
    key(win, Qt.Key.Key_R)
    before = set(doc.project.annotations)
    vp = win.canvas.viewport()
    start = view_point(win, 200, 200)
    QTest.mousePress(vp, LEFT, NOMOD, start)
    QTest.mouseMove(vp, start + QPoint(20, 0))
    key(win, Qt.Key.Key_Z, CTRL)
    assert doc.current_image_id == 2 and bbox(win, A)[0] == 101.0 and not win.canvas.tool.busy()
    QTest.mouseMove(vp, start + QPoint(30, 0))
    key(win, Qt.Key.Key_Z, CTRL)
    assert doc.current_image_id == 1 and bbox(win, A)[0] == 100.0
    QTest.mouseMove(vp, start + QPoint(40, 0))
    QTest.mouseRelease(vp, LEFT, NOMOD, start + QPoint(40, 0))
    assert set(doc.project.annotations) == before and doc.undo_stack.index() == 0


def test_select_all_leaves_objects_of_a_hidden_category_alone(labeled) -> None:
    """Ctrl+A selected the objects of a hidden category too: Delete then took objects the labeler could not
    see, and arrows moved them. It selects what is shown; clicks and the band already did."""
    win = labeled
    doc = win.document
    win.masks_menu.set_category_visible(DOG, False)
    key(win, Qt.Key.Key_A, CTRL)
    assert sorted(doc.selection) == [A, POLY, THIN]
    key(win, Qt.Key.Key_Right)
    assert bbox(win, B) == [200.0, 100.0, 80.0, 60.0] and bbox(win, A)[0] == 101.0
    key(win, Qt.Key.Key_Delete)
    assert sorted(a.id for a in doc.project.annotations_of(1)) == [B, MASK]
    assert pixel(win, 280, 160) != WHITE  # B stays hidden, unselected


def test_hiding_the_category_of_selected_objects_unselects_them(labeled) -> None:
    """Objects selected, then their category hidden in Masks > Show Categories: they stayed selected, out
    of sight, and the arrow keys moved them (Delete would have deleted them)."""
    from tests.ui.test_hidden_categories import set_shown

    win = labeled
    doc = win.document
    click(win, view_point(win, 140, 130))
    click(win, view_point(win, 240, 130), SHIFT)
    set_shown(win, "cat", False)
    assert doc.selection == [B] and pixel(win, 180, 160) != WHITE and pixel(win, 280, 160) == WHITE
    key(win, Qt.Key.Key_Right)
    assert bbox(win, A) == [100.0, 100.0, 80.0, 60.0] and bbox(win, B) == [201.0, 100.0, 80.0, 60.0]
    set_shown(win, "cat", True)
    assert doc.selection == [B] and pixel(win, 180, 160) != WHITE  # shown again, not selected again


@pytest.mark.parametrize("zoom", [0.1, 1.0])
def test_a_handle_grabbed_off_its_spot_moves_the_edge_by_what_the_mouse_moved(labeled, zoom: float) -> None:
    """The edge jumped to the cursor at the press: a handle is 9 screen pixels wide, so grabbing A's
    corner handle 3 px inside shrank A by 3 px on the spot, and at 10 % (30 image pixels a press) a
    sideways drag from the middle of a small selected box, which its bottom handle covers, halved its
    height. The edge now follows the mouse from where it was (and the middle of a small box moves it: at 10 %
    the handle is grabbed 3 px outside A's corner, inside being A's middle)."""
    win = labeled
    win.canvas.set_zoom(zoom)
    win.canvas.centerOn(QPointF(180, 160))
    click(win, view_point(win, 140, 130))
    press = view_point(win, 180, 160) + QPoint(3, 3) * (1 if zoom < 1 else -1)
    _, grabbed = win.canvas.annotation_at(press)  # at 10 % the right handle's spot is nearer
    assert grabbed in ("br", "r")
    drag(win, press, press + QPoint(10, 6))
    assert bbox(win, A) == [100.0, 100.0, 80 + round(10 / zoom), 60 + round(6 / zoom) * (grabbed == "br")]
    key(win, Qt.Key.Key_Z, CTRL)
    click(win, view_point(win, 240, 130))
    middle = view_point(win, 240, 130)
    handle = win.canvas.annotation_at(middle)
    drag(win, middle, middle + QPoint(10, 0))  # B's middle, at 10 % too: a move
    assert handle == (B, None) and bbox(win, B) == [200 + round(10 / zoom), 100.0, 80.0, 60.0]


# -- selection conventions (review of session 15) ----------------------------------------------------


@pytest.mark.parametrize("modifier", [CTRL, SHIFT, CTRL | SHIFT])
def test_ctrl_click_toggles_an_object_as_shift_click_does(labeled, modifier) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-click acted as a plain click and replaced the selection, where LabelMe, CVAT and file managers
    add or remove the object: it now toggles, as Shift-click does, and neither starts a resize or a move."""
    win = labeled
    doc = win.document
    click(win, view_point(win, 140, 130))
    click(win, view_point(win, 240, 130), modifier)
    click(win, view_point(win, 330, 320), modifier)
    assert doc.selection == [A, B, POLY]
    click(win, view_point(win, 240, 130), modifier)
    assert doc.selection == [A, POLY] and pixel(win, 280, 160) != WHITE
    drag(win, view_point(win, 180, 160), view_point(win, 200, 180), modifier)  # on A's corner handle
    assert bbox(win, A) == [100.0, 100.0, 80.0, 60.0] and steps(win) == []
    assert doc.selection == [POLY]  # the press toggled A out
    drag(win, view_point(win, 90, 90), view_point(win, 290, 170), modifier)  # a band adds A and B
    assert sorted(doc.selection) == [A, B, POLY]


def test_at_10_percent_the_middle_of_a_small_selected_box_moves_it_and_its_edges_resize(labeled) -> None:
    """At 10 % box A is 8x6 screen pixels and its 9-pixel handles covered it: every press on it was a resize,
    so it could not be moved without zooming in. Inside a box a handle is taken only nearer its spot than the
    box's centre: the middle moves the box (its own item once clicked), its corners still resize (a box this
    small shows no handle mid-edge: ``shown_handles``)."""
    win = labeled
    win.canvas.set_zoom(0.1)
    win.canvas.centerOn(QPointF(180, 160))
    middle = view_point(win, 140, 130)
    click(win, middle)
    assert win.document.selection == [A] and win.canvas.annotation_at(middle) == (A, None)
    drag(win, middle, middle + QPoint(10, 5))
    assert bbox(win, A) == [200.0, 150.0, 80.0, 60.0] and steps(win) == ["Move"]
    corner = view_point(win, 280, 210)
    assert win.canvas.annotation_at(corner + QPoint(3, 3)) == (A, "br")  # from outside: the whole handle
    drag(win, corner + QPoint(-1, -1), corner + QPoint(4, 3))  # just inside the corner: still the corner
    assert bbox(win, A) == [200.0, 150.0, 130.0, 100.0]
    left = view_point(win, 200, 200)  # 13 x 10 px on screen: no handle in the middle of the left edge
    assert win.canvas.annotation_at(left + QPoint(-3, 0))[1] != "l"  # a corner within reach, or nothing
    low_left = view_point(win, 200, 250)
    drag(win, low_left + QPoint(-3, 1), low_left + QPoint(-8, 1))  # the bottom-left corner from outside
    assert bbox(win, A) == [150.0, 150.0, 180.0, 100.0] and win.document.selection == [A]


def test_at_10_percent_select_all_then_drag_a_small_box_by_its_middle_moves_them_all(labeled) -> None:
    """The same for boxes the shared layer draws selected (Ctrl+A makes no item per box)."""
    win = labeled
    win.canvas.set_zoom(0.1)
    win.canvas.centerOn(QPointF(240, 200))
    key(win, Qt.Key.Key_A, CTRL)
    assert len(win.document.selection) == 5
    middle = view_point(win, 240, 130)  # B's middle, drawn by the layer
    assert B in win.canvas.box_layer.boxes and win.canvas.annotation_at(middle) == (B, None)
    drag(win, middle, middle + QPoint(-3, -2))
    assert bbox(win, A) == [70.0, 80.0, 80.0, 60.0] and bbox(win, B) == [170.0, 80.0, 80.0, 60.0]
    assert steps(win) == ["Move"] and len(win.document.selection) == 5
    assert win.canvas.annotation_at(view_point(win, 250, 140) + QPoint(4, 3))[1] == "br"  # outside B


@pytest.mark.parametrize("select_all", [False, True])
def test_resizing_one_box_of_a_selection_keeps_the_selection(labeled, select_all: bool) -> None:
    """Resizing one box of several selected by its handle left that box alone selected: the next arrow key
    or Delete acted on it only. The selection stays as it was, through undo and redo too."""
    win = labeled
    doc = win.document
    if select_all:
        key(win, Qt.Key.Key_A, CTRL)
    else:
        click(win, view_point(win, 140, 130))
        click(win, view_point(win, 240, 130), CTRL)
        click(win, view_point(win, 330, 320), SHIFT)
    chosen = sorted(doc.selection)
    drag(win, view_point(win, 180, 160), view_point(win, 190, 170))  # A's corner handle
    assert bbox(win, A) == [100.0, 100.0, 90.0, 70.0] and steps(win) == ["Resize box"]
    assert sorted(doc.selection) == chosen
    assert pixel(win, 190, 170) == WHITE and pixel(win, 280, 160) == WHITE  # A's and B's corner handles
    key(win, Qt.Key.Key_Right)
    assert bbox(win, A)[0] == 101.0 and bbox(win, B)[0] == 201.0
    key(win, Qt.Key.Key_Z, CTRL)
    key(win, Qt.Key.Key_Z, CTRL)
    assert bbox(win, A) == [100.0, 100.0, 80.0, 60.0] and sorted(doc.selection) == chosen
    key(win, Qt.Key.Key_Y, CTRL)
    assert bbox(win, A) == [100.0, 100.0, 90.0, 70.0] and sorted(doc.selection) == chosen


def pick_row(win, ann_id: int) -> None:  # type: ignore[no-untyped-def]
    """Click ``ann_id``'s row in the Annotations panel."""
    panel = win.panels["annotationsDock"]
    settle()  # the panel refreshes on the next event-loop turn
    lst = panel.list
    row = row_ids(lst).index(ann_id)
    QTest.mouseClick(lst.viewport(), LEFT, NOMOD, lst.visualRect(lst.model().index(row, 0)).center())


def test_picking_an_object_of_a_hidden_category_in_the_annotations_panel_shows_it(labeled) -> None:
    """Picking B's row while dogs were hidden (Masks > Show Categories) selected B out of sight: the arrow
    keys moved it and Delete would have taken it. Picking an object in the list is looking for it: its
    category is shown again, so what is selected is what the labeler sees."""
    from tests.ui.test_hidden_categories import set_shown

    win = labeled
    set_shown(win, "dog", False)
    assert pixel(win, 280, 160) != WHITE
    pick_row(win, B)
    assert win.document.selection == [B] and DOG not in win.canvas.show_filter.hidden
    assert pixel(win, 280, 160) == WHITE  # B's handle, drawn
    key(win, Qt.Key.Key_Right)
    assert bbox(win, B) == [201.0, 100.0, 80.0, 60.0]


def test_undo_selecting_an_object_of_a_hidden_category_shows_it(labeled) -> None:
    """A nudge of A, cats hidden, Ctrl+Z: the undo selected A out of sight (its focus), so the next arrow
    or Delete acted on an object the labeler could not see. The category is shown again, as for any edit
    that would otherwise act out of sight (``ui.canvas.reveal``)."""
    from tests.ui.test_hidden_categories import set_shown

    win = labeled
    doc = win.document
    click(win, view_point(win, 140, 130))
    key(win, Qt.Key.Key_Right)
    set_shown(win, "cat", False)
    assert doc.selection == []
    key(win, Qt.Key.Key_Z, CTRL)
    assert bbox(win, A) == [100.0, 100.0, 80.0, 60.0]
    assert doc.selection == [A] and CAT not in win.canvas.show_filter.hidden
    assert pixel(win, 180, 160) == WHITE
    key(win, Qt.Key.Key_Y, CTRL)
    assert bbox(win, A)[0] == 101.0 and doc.selection == [A] and pixel(win, 181, 160) == WHITE
