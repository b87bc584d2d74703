"""Keypoints on the canvas (``canvas.keypoint_layer``): a COCO person_keypoints object's and a YOLO pose
object's points are drawn in the category's colour (visible filled, occluded hollow, not labelled not at
all, with the skeleton's lines), hidden with their object; with the select tool a drag moves one, one undo
step written back where it was read (COCO triple, YOLO normalised values), and Ctrl+Z puts it back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.keypoints import keypoints_of
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.looks import category_color
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_workbench import LEFT, NOMOD, drag, key, view_point

COCO_ID, YOLO_ID, BARE_ID = 1, 2, 3
# image 320 x 240; the COCO person: nose visible at (100, 60), an eye occluded at (140, 90), one unlabelled
COCO_POINTS = [100, 60, 2, 140, 90, 1, 0, 0, 0]
# the YOLO one (kpt_shape [2, 3]): (240, 180) and (280, 200) visible, its box as read
YOLO = {
    "keypoints": [0.75, 0.75, 2, 0.875, 0.8333333, 2],
    "kpt_shape": [2, 3],
    "box": [0.8125, 0.75, 0.25, 0.25],
}


@pytest.fixture
def posed(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    cat = project.categories[1]
    cat.color = "#20e020"
    cat.extra.update({"keypoints": ["nose", "left_eye", "right_eye"], "skeleton": [[1, 2], [1, 3]]})
    coco = {"keypoints": list(COCO_POINTS), "num_keypoints": 2}
    project.add_annotation(Annotation(COCO_ID, 1, 1, [60.0, 40.0, 120.0, 100.0], area=12000.0, extra=coco))
    project.add_annotation(
        Annotation(YOLO_ID, 1, 2, [220.0, 150.0, 80.0, 60.0], area=4800.0, extra={"yolo": dict(YOLO)})
    )
    project.add_annotation(Annotation(BARE_ID, 1, 1, [20.0, 150.0, 100.0, 80.0], area=8000.0))  # none yet
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(160, 120))
    key(win, Qt.Key.Key_V)
    yield win
    win.document.undo_stack.setClean()


def _pixel(win, x: float, y: float, dx: int = 0) -> tuple[int, int, int]:
    img = win.canvas.viewport().grab().toImage()
    c = img.pixelColor(view_point(win, x, y) + QPoint(dx, 0))
    return c.red(), c.green(), c.blue()


def _near(a: tuple[int, int, int], b: tuple[int, int, int], tol: int = 40) -> bool:
    return all(abs(p - q) <= tol for p, q in zip(a, b, strict=True))


def test_keypoints_drawn_filled_hollow_and_hidden_with_their_object(posed) -> None:
    win = posed
    green = category_color(win.document.project.categories[1])
    rgb = (green.red(), green.green(), green.blue())
    assert _near(_pixel(win, 100, 60), rgb)  # visible: a filled dot
    assert not _near(_pixel(win, 140, 90), rgb)  # occluded: hollow, the image inside
    assert _near(_pixel(win, 140, 90, dx=4), rgb)  # its ring
    assert _near(_pixel(win, 120, 75), rgb)  # the skeleton's line nose - left eye, halfway
    assert not _near(_pixel(win, 50, 30), rgb)  # the unlabelled one's skeleton line (to 0 0): not drawn
    win.canvas.set_hidden_objects([COCO_ID])
    assert not _near(_pixel(win, 100, 60), rgb)


def test_dragging_a_coco_keypoint_moves_it_in_one_undo_step(posed) -> None:
    win = posed
    doc = win.document
    steps = doc.undo_stack.count()
    end = view_point(win, 110, 70) + QPoint(0, 0)
    drag(win, view_point(win, 100, 60), end)
    ann = doc.project.annotations[COCO_ID]
    assert ann.extra["keypoints"][:3] == pytest.approx([110, 70, 2], abs=0.6)
    assert ann.extra["keypoints"][3:] == COCO_POINTS[3:]
    assert ann.bbox == [60.0, 40.0, 120.0, 100.0]  # the object did not move
    assert doc.undo_stack.count() == steps + 1 and doc.undo_stack.undoText() == "Move keypoint"
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[COCO_ID].extra["keypoints"] == COCO_POINTS


def test_dragging_a_yolo_keypoint_writes_its_normalised_values(posed) -> None:
    win = posed
    doc = win.document
    drag(win, view_point(win, 280, 200), view_point(win, 260, 210))
    ann = doc.project.annotations[YOLO_ID]
    kp = keypoints_of(ann, doc.project.images[1])
    assert kp.points[1] == pytest.approx((260, 210, 2), abs=0.6)
    assert ann.extra["yolo"]["keypoints"][3:5] == pytest.approx([260 / 320, 210 / 240], abs=0.003)
    assert doc.selection == [YOLO_ID]
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[YOLO_ID].extra["yolo"] == YOLO


def test_shift_v_cycles_the_visibility_of_the_keypoint_under_the_pointer(posed) -> None:
    """visible -> occluded -> not labelled (its position kept, a faint cross on the selected object, still
    under the pointer) -> visible again, each one undo step."""
    win = posed
    doc = win.document
    hover(win, view_point(win, 100, 60))
    key(win, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    ann = doc.project.annotations[COCO_ID]
    assert ann.extra["keypoints"][:3] == [100, 60, 1] and ann.extra["num_keypoints"] == 2
    assert doc.undo_stack.undoText() == "Keypoint visibility"
    assert doc.selection == [COCO_ID]  # its object selected: a not labelled point stays there to bring back
    key(win, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    ann = doc.project.annotations[COCO_ID]
    assert ann.extra["keypoints"][:3] == [100, 60, 0] and ann.extra["num_keypoints"] == 1
    assert "not labelled" in win.statusBar().currentMessage()
    key(win, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)  # the faint cross is under the pointer: visible
    assert doc.project.annotations[COCO_ID].extra["keypoints"][:3] == [100, 60, 2]
    assert doc.project.annotations[COCO_ID].extra["num_keypoints"] == 2
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[COCO_ID].extra["keypoints"][:3] == [100, 60, 0]
    assert win.canvas.tool.name == "select"  # Shift+V left the tool as it was


def _unlabel_nose(win) -> None:  # type: ignore[no-untyped-def]
    hover(win, view_point(win, 100, 60))
    key(win, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    key(win, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    assert win.document.project.annotations[COCO_ID].extra["keypoints"][:3] == [100, 60, 0]


def test_a_not_labelled_point_is_a_faint_cross_on_the_selected_object_only(posed) -> None:
    win = posed
    doc = win.document
    green = category_color(doc.project.categories[1])
    rgb = (green.red(), green.green(), green.blue())
    bare = _pixel(win, 100, 60)  # before: a filled dot
    assert _near(bare, rgb)
    _unlabel_nose(win)
    faint = _pixel(win, 100, 60)
    assert not _near(faint, rgb, tol=20)  # no dot: a thin cross at low alpha
    doc.set_selection([])
    image = _pixel(win, 100, 60)  # not selected: not drawn at all
    assert faint != image
    assert win.canvas.tool.keypoint_at(view_point(win, 100, 60)) is None
    doc.set_selection([COCO_ID])
    assert win.canvas.tool.keypoint_at(view_point(win, 100, 60)) == (COCO_ID, 0)
    assert _pixel(win, 100, 60) == faint
    assert win.canvas.tool.keypoint_at(view_point(win, 0, 0)) is None  # never placed (0 0): nothing there
    hover(win, view_point(win, 100, 60))
    assert "nose (not labelled)" in win.readout.target_label.whole


def test_dragging_a_not_labelled_point_places_it_visible(posed) -> None:
    win = posed
    doc = win.document
    _unlabel_nose(win)
    drag(win, view_point(win, 100, 60), view_point(win, 90, 80))
    ann = doc.project.annotations[COCO_ID]
    assert ann.extra["keypoints"][:3] == pytest.approx([90, 80, 2], abs=0.6)
    assert ann.extra["num_keypoints"] == 2 and doc.undo_stack.undoText() == "Move keypoint"


def test_a_yolo_point_set_not_labelled_keeps_its_position_and_comes_back(posed) -> None:
    win = posed
    doc = win.document
    hover(win, view_point(win, 280, 200))
    for _ in range(2):
        key(win, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    kept = doc.project.annotations[YOLO_ID].extra["yolo"]["keypoints"]
    assert kept[3:6] == pytest.approx([0.875, 0.8333333, 0])  # written so: position kept, v 0
    key(win, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    assert doc.project.annotations[YOLO_ID].extra["yolo"]["keypoints"][3:6] == pytest.approx(
        YOLO["keypoints"][3:]
    )


def test_the_status_bar_names_the_keypoint_under_the_pointer(posed) -> None:
    win = posed
    hover(win, view_point(win, 140, 90))
    assert win.readout.target_label.whole == (
        "Select: #1 cat: left_eye (occluded): drag to move it, Shift+V: visibility"
    )
    hover(win, view_point(win, 280, 200))  # a YOLO point: no names
    assert "#2 dog: keypoint 2 (visible)" in win.readout.target_label.whole
    hover(win, view_point(win, 20, 220))
    assert "keypoint" not in win.readout.target_label.whole


def test_keypoints_follow_a_box_while_it_is_dragged_and_resized(posed) -> None:
    """Live, before the release: a move carries them, a resize maps them; Esc puts them back."""
    win = posed
    doc = win.document
    green = category_color(doc.project.categories[1])
    rgb = (green.red(), green.green(), green.blue())
    vp = win.canvas.viewport()
    QTest.mouseClick(vp, LEFT, NOMOD, view_point(win, 160, 120))
    assert doc.selection == [COCO_ID]
    start = view_point(win, 160, 120)
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + (view_point(win, 180, 130) - start) * (i / 4))
    assert _near(_pixel(win, 120, 70), rgb)  # the nose, dragged along before the release
    assert not _near(_pixel(win, 100, 60), rgb)
    key(win, Qt.Key.Key_Escape)
    assert _near(_pixel(win, 100, 60), rgb)  # cancelled: where it is stored
    QTest.mouseRelease(vp, LEFT, NOMOD, view_point(win, 180, 130))
    assert doc.project.annotations[COCO_ID].extra["keypoints"] == COCO_POINTS
    # the bottom-right handle dragged to (300, 240): twice as wide and high from the top-left corner
    corner = view_point(win, 180, 140)
    QTest.mousePress(vp, LEFT, NOMOD, corner)
    for i in range(1, 5):
        QTest.mouseMove(vp, corner + (view_point(win, 300, 240) - corner) * (i / 4))
    assert win.canvas.tool._mode == "resize"
    assert _near(_pixel(win, 140, 80), rgb)  # the nose: 60 + 40 * 2, 40 + 20 * 2
    QTest.mouseRelease(vp, LEFT, NOMOD, view_point(win, 300, 240))
    assert doc.project.annotations[COCO_ID].extra["keypoints"][:3] == pytest.approx([140, 80, 2], abs=0.6)
    assert _near(_pixel(win, 140, 80), rgb)


def test_place_keypoints_one_click_each_a_skip_and_one_undo_step(posed) -> None:
    """Alt+K on an object without keypoints whose category names them: the status bar names the next,
    each click places it (drawn at once, stored at the end), Shift+Space skips one; one undo step."""
    win = posed
    doc = win.document
    green = category_color(doc.project.categories[1])
    rgb = (green.red(), green.green(), green.blue())
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, 100, 220))
    assert doc.selection == [BARE_ID]
    steps = doc.undo_stack.count()
    bare = _pixel(win, 40, 170)  # the selected box's inside
    key(win, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert "click nose (1 of 3)" in win.statusBar().currentMessage()
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, 40, 170))
    assert _near(_pixel(win, 40, 170), rgb) and _pixel(win, 40, 170) != bare  # drawn as placed
    assert "keypoints" not in doc.project.annotations[BARE_ID].extra  # stored at the end only
    assert "click left_eye (2 of 3)" in win.statusBar().currentMessage()
    key(win, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)  # skipped: not labelled
    assert "click right_eye (3 of 3)" in win.readout.target_label.whole
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, 80, 200))
    ann = doc.project.annotations[BARE_ID]
    assert ann.extra["keypoints"] == pytest.approx([40, 170, 2, 0, 0, 0, 80, 200, 2], abs=0.6)
    assert ann.extra["num_keypoints"] == 2 and ann.bbox == [20.0, 150.0, 100.0, 80.0]
    assert doc.undo_stack.count() == steps + 1 and doc.undo_stack.undoText() == "Place keypoints"
    assert win.canvas.tool.placing is None and doc.selection == [BARE_ID]
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "keypoints" not in doc.project.annotations[BARE_ID].extra
    assert _pixel(win, 40, 170) == bare


def test_place_keypoints_esc_keeps_those_placed_and_refuses_an_object_with_keypoints(posed) -> None:
    win = posed
    doc = win.document
    doc.set_selection([BARE_ID])
    key(win, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, 40, 170))
    key(win, Qt.Key.Key_Escape)
    assert doc.project.annotations[BARE_ID].extra["keypoints"] == pytest.approx(
        [40, 170, 2] + [0] * 6, abs=0.6
    )
    assert doc.selection == [BARE_ID]  # Esc ended the placing, not the selection
    doc.set_selection([BARE_ID])
    doc.undo_stack.undo()
    key(win, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)  # Esc at once: nothing stored
    key(win, Qt.Key.Key_Escape)
    assert "keypoints" not in doc.project.annotations[BARE_ID].extra
    doc.set_selection([COCO_ID])
    key(win, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert "has keypoints" in win.statusBar().currentMessage() and win.canvas.tool.placing is None


def test_place_keypoints_is_in_the_object_menu(posed) -> None:
    win = posed
    QTest.mouseClick(win.canvas.viewport(), Qt.MouseButton.RightButton, NOMOD, view_point(win, 100, 220))
    menu = win.shell.object_steps.menu.last_menu if hasattr(win.shell, "object_steps") else None
    menu = menu or next(o for o in win.findChildren(QMenu) if o.objectName() == "canvasObjectMenu")
    act = next(a for a in menu.actions() if a.text().replace("&", "") == "Place Keypoints on Object")
    act.trigger()
    assert win.canvas.tool.placing is not None
    key(win, Qt.Key.Key_Escape)


def test_dragging_a_cvat_skeleton_point_out_of_its_box_grows_the_box(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A CVAT skeleton's box is its labelled points' extent (``box_of_keypoints``): a point dragged out of
    it takes the box's edge along, in the same undo step."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    project.categories[1].extra.update({"keypoints": ["a", "b"], "skeleton": [[1, 2]]})
    coco = {"keypoints": [100, 60, 2, 140, 90, 2], "num_keypoints": 2}
    box = [100.0, 60.0, 40.0, 30.0]
    project.add_annotation(
        Annotation(COCO_ID, 1, 1, list(box), area=1200.0, extra=coco, app_extra={"box_of_keypoints": True})
    )
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(160, 120))
    key(win, Qt.Key.Key_V)
    doc = win.document
    drag(win, view_point(win, 140, 90), view_point(win, 170, 110))
    ann = doc.project.annotations[COCO_ID]
    assert ann.extra["keypoints"][3:5] == pytest.approx([170, 110], abs=0.6)
    assert ann.bbox == pytest.approx([100, 60, 70, 50], abs=0.6)
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[COCO_ID].bbox == box
    doc.undo_stack.setClean()
