"""The real main window driven by mouse and key events on the canvas viewport (offscreen)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import wait_loaded

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


def view_point(win, x: float, y: float) -> QPoint:
    return win.canvas.mapFromScene(QPointF(x, y))


def drag(win, start: QPoint, end: QPoint, modifier=NOMOD, steps: int = 4) -> None:
    """Press, move in a few steps, release: what a hand on a mouse does."""
    vp = win.canvas.viewport()
    QTest.mousePress(vp, LEFT, modifier, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(vp, start + (end - start) * (i / steps))
    QTest.mouseRelease(vp, LEFT, modifier, end)


def click(win, pos: QPoint, modifier=NOMOD) -> None:
    QTest.mouseClick(win.canvas.viewport(), LEFT, modifier, pos)


def key(win, k, modifier=NOMOD) -> None:
    QTest.keyClick(win.canvas, k, modifier)


def draw_box(win, x0: float, y0: float, x1: float, y1: float) -> int:
    key(win, Qt.Key.Key_B)
    assert win.canvas.tool.name == "box"
    before = set(win.document.project.annotations)
    drag(win, view_point(win, x0, y0), view_point(win, x1, y1))
    new = set(win.document.project.annotations) - before
    assert len(new) == 1
    return new.pop()


def set_zoom(win, z: float, center=(160, 120)) -> None:
    win.canvas.set_zoom(z)
    win.canvas.centerOn(QPointF(*center))


@pytest.mark.parametrize("zoom", [1.0, 2.5])
def test_draw_box_at_zoom(window, zoom: float) -> None:
    set_zoom(window, zoom)
    ann_id = draw_box(window, 40, 30, 120, 90)
    ann = window.document.project.annotations[ann_id]
    assert ann.kind == "box" and ann.category_id == 1 and ann.image_id == 1
    for got, want in zip(ann.bbox, [40, 30, 80, 60], strict=True):
        assert abs(got - want) <= 1
    assert ann.area == ann.bbox[2] * ann.bbox[3]
    assert window.isWindowModified()
    assert ann_id in window.canvas.items_by_id


def test_tiny_drag_and_escape_draw_nothing(window) -> None:
    set_zoom(window, 1.0)
    key(window, Qt.Key.Key_B)
    p = view_point(window, 50, 50)
    drag(window, p, p + QPoint(2, 1))  # a slip
    vp = window.canvas.viewport()
    QTest.mousePress(vp, LEFT, NOMOD, p)
    QTest.mouseMove(vp, p + QPoint(60, 60))
    key(window, Qt.Key.Key_Escape)
    QTest.mouseRelease(vp, LEFT, NOMOD, p + QPoint(60, 60))
    assert window.document.project.annotations == {}
    assert not window.isWindowModified()


def test_a_slip_with_the_box_tool_draws_no_box_at_any_zoom(window) -> None:
    """At a quarter zoom a 3-pixel slip would be a 12-pixel box: none is drawn, it is a click setting the
    first corner (CVAT's click-click box), said; a drag from there again draws the box as dragged, 5 screen
    pixels drawing one (the threshold is on the screen, not in image pixels)."""
    set_zoom(window, 0.25)
    key(window, Qt.Key.Key_B)
    p = view_point(window, 100, 100)
    drag(window, p, p + QPoint(3, 3))
    assert window.document.project.annotations == {}
    assert window.statusBar().currentMessage() == "Box: click the opposite corner, or drag (Esc cancels)"
    drag(window, p, p + QPoint(5, 5))
    (ann,) = window.document.project.annotations.values()
    assert ann.kind == "box" and ann.bbox[2] >= 16


def test_move_resize_undo_redo_each_step(window) -> None:
    set_zoom(window, 2.0)
    doc = window.document
    ann_id = draw_box(window, 40, 30, 120, 90)
    drawn = list(doc.project.annotations[ann_id].bbox)

    key(window, Qt.Key.Key_V)
    drag(window, view_point(window, 80, 60), view_point(window, 90, 65))  # move by (10, 5)
    moved = doc.project.annotations[ann_id].bbox
    assert [round(v) for v in moved] == [round(drawn[0]) + 10, round(drawn[1]) + 5, *map(round, drawn[2:])]

    br = view_point(window, moved[0] + moved[2], moved[1] + moved[3])  # bottom-right handle
    drag(window, br, br + QPoint(40, 20))  # +20 x 10 image px at zoom 2
    resized = list(doc.project.annotations[ann_id].bbox)
    assert resized[:2] == moved[:2]
    assert abs(resized[2] - (moved[2] + 20)) <= 1 and abs(resized[3] - (moved[3] + 10)) <= 1

    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[ann_id].bbox == moved
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[ann_id].bbox == drawn
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ann_id not in doc.project.annotations and ann_id not in window.canvas.items_by_id
    assert not window.isWindowModified()  # back at the clean index
    key(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[ann_id].bbox == drawn
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert doc.project.annotations[ann_id].bbox == moved
    key(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[ann_id].bbox == resized
    item = window.canvas.items_by_id[ann_id]
    r = item.rect()
    assert [r.x(), r.y(), r.width(), r.height()] == resized  # the canvas shows the redone state


def test_nudge_with_arrows_and_undo_restores_exactly(window) -> None:
    set_zoom(window, 1.0)
    doc = window.document
    ann_id = draw_box(window, 40, 30, 120, 90)
    before = doc.project.annotations[ann_id]
    snapshot = (list(before.bbox), before.updated)
    key(window, Qt.Key.Key_V)
    key(window, Qt.Key.Key_Right)
    key(window, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    after = doc.project.annotations[ann_id]
    assert after.bbox[:2] == [snapshot[0][0] + 1, snapshot[0][1] + 10]
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # nudges merge into one step
    restored = doc.project.annotations[ann_id]
    assert (restored.bbox, restored.updated) == snapshot


def test_click_shift_click_rubber_band_and_delete(window) -> None:
    set_zoom(window, 1.0)
    doc = window.document
    a = draw_box(window, 20, 20, 60, 60)
    b = draw_box(window, 100, 20, 140, 60)
    c = draw_box(window, 200, 150, 260, 200)
    key(window, Qt.Key.Key_V)
    click(window, view_point(window, 40, 40))
    assert doc.selection == [a]
    click(window, view_point(window, 120, 40), Qt.KeyboardModifier.ShiftModifier)
    assert sorted(doc.selection) == [a, b]
    click(window, view_point(window, 300, 10))  # empty canvas clears
    assert doc.selection == []
    drag(window, view_point(window, 10, 10), view_point(window, 150, 70))  # band over a and b
    assert sorted(doc.selection) == [a, b]
    key(window, Qt.Key.Key_Delete)
    assert set(doc.project.annotations) == {c}
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert set(doc.project.annotations) == {a, b, c}
    assert sorted(doc.selection) == [a, b]
    key(window, Qt.Key.Key_Backspace)
    assert set(doc.project.annotations) == {c}


def test_digit_key_recategorises_the_selection(window) -> None:
    set_zoom(window, 1.0)
    doc = window.document
    ann_id = draw_box(window, 40, 30, 120, 90)
    assert doc.selection == [ann_id]  # a new box is selected, ready for a digit
    key(window, Qt.Key.Key_2)
    assert doc.project.annotations[ann_id].category_id == 2
    assert doc.current_category_id == 2
    pen = window.canvas.items_by_id[ann_id].pen().color().name()
    assert pen == doc.project.categories[2].color
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[ann_id].category_id == 1
    second = draw_box(window, 150, 100, 200, 150)
    assert doc.project.annotations[second].category_id == 2  # the digit also chose the drawing category


def test_save_reopen_and_find_the_annotation(window, project_file: Path, qtbot) -> None:
    set_zoom(window, 2.5)
    ann_id = draw_box(window, 40, 30, 120, 90)
    bbox = window.document.project.annotations[ann_id].bbox
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not window.isWindowModified()
    data = json.loads(project_file.read_text())
    saved = [a for a in data["annotations"] if a["id"] == ann_id]
    assert len(saved) == 1 and saved[0]["bbox"] == bbox and "segmentation" not in saved[0]
    assert saved[0]["image_id"] == 1 and saved[0]["category_id"] == 1
    window.close_project()
    assert window.document is None
    assert window.open_path(project_file)
    wait_loaded(qtbot, window)
    assert window.document.project.annotations[ann_id].bbox == bbox
    assert ann_id in window.canvas.items_by_id


def test_a_box_drawn_after_undoing_a_saved_one_gets_a_new_id(window, project_file: Path) -> None:
    """Before: draw, Ctrl+S, Ctrl+Z, draw gave the new box the saved one's id, which the file (a shard
    split from it, the change log, its "not a problem" decisions) knows as the box undone. An unsaved
    drawing undone still frees its id: the file is as it was."""
    from pixelproof.core.coco import load_project

    set_zoom(window, 2.5)
    doc = window.document
    saved = draw_box(window, 40, 30, 120, 90)
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert saved not in doc.project.annotations
    second = draw_box(window, 50, 40, 110, 80)
    assert second == saved + 1
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # never saved: its id is free again
    assert draw_box(window, 60, 40, 100, 80) == second
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    again = load_project(project_file)
    assert saved not in again.annotations and again.next_annotation_id() == second + 1


def test_navigate_with_d_and_a(window, qtbot) -> None:
    doc = window.document
    assert doc.current_image_id == 1
    key(window, Qt.Key.Key_D)
    assert doc.current_image_id == 2
    wait_loaded(qtbot, window)
    key(window, Qt.Key.Key_D)
    key(window, Qt.Key.Key_D)  # already at the last image: stays
    assert doc.current_image_id == 3
    key(window, Qt.Key.Key_A)
    assert doc.current_image_id == 2
    wait_loaded(qtbot, window)
    assert window.canvas.loaded.path.name == "img1.png"
    images = window.panels["imagesDock"]
    assert images.table.currentIndex().row() == 1


def test_keep_zoom_when_navigating(window, qtbot) -> None:
    assert not window.act_keep_zoom.isChecked()
    window.act_keep_zoom.trigger()  # View > Keep Zoom When Changing Image
    set_zoom(window, 3.0)
    key(window, Qt.Key.Key_D)
    wait_loaded(qtbot, window)
    assert window.canvas.zoom == pytest.approx(3.0)
    window.act_keep_zoom.trigger()
    key(window, Qt.Key.Key_D)
    wait_loaded(qtbot, window)
    assert window.canvas.zoom != pytest.approx(3.0)


def test_unsaved_changes_prompt(window, project_file: Path, monkeypatch, qtbot) -> None:
    from PySide6.QtWidgets import QMessageBox

    answers = []

    def answer_with(button):
        def question(parent, title, text, *args, **kwargs):
            answers.append(title)
            return button

        monkeypatch.setattr(QMessageBox, "question", staticmethod(question))

    set_zoom(window, 1.0)
    ann_id = draw_box(window, 40, 30, 120, 90)
    answer_with(QMessageBox.StandardButton.Cancel)
    assert not window.open_path(project_file)  # cancelled: still open, still modified
    assert answers == ["Unsaved changes"] and window.isWindowModified()
    assert ann_id in window.document.project.annotations
    window.close()
    assert window.isVisible()  # quitting was cancelled too
    answer_with(QMessageBox.StandardButton.Save)
    assert window.close_project()
    assert any(a["id"] == ann_id for a in json.loads(project_file.read_text())["annotations"])
    assert window.open_path(project_file)
    wait_loaded(qtbot, window)
    draw_box(window, 10, 10, 50, 50)
    answers.clear()
    answer_with(QMessageBox.StandardButton.Discard)
    window.close()
    assert answers == ["Unsaved changes"] and not window.isVisible()
    assert len(json.loads(project_file.read_text())["annotations"]) == 1  # discarded


def test_zoom_keys_wheel_and_pan(window) -> None:
    c = window.canvas
    key(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    fit = c.zoom
    key(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert c.zoom == pytest.approx(fit * 1.25)
    key(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert c.zoom == pytest.approx(fit)
    # middle drag pans: the image point under the cursor follows it
    set_zoom(window, 2.0)
    vp = c.viewport()
    start = view_point(window, 100, 100)
    QTest.mousePress(vp, Qt.MouseButton.MiddleButton, NOMOD, start)
    QTest.mouseMove(vp, start + QPoint(30, 20))
    QTest.mouseRelease(vp, Qt.MouseButton.MiddleButton, NOMOD, start + QPoint(30, 20))
    moved = view_point(window, 100, 100)
    assert abs(moved.x() - start.x() - 30) <= 1 and abs(moved.y() - start.y() - 20) <= 1


def test_reopening_a_project_returns_to_the_last_image(window, project_file: Path, qtbot) -> None:
    key(window, Qt.Key.Key_D)
    key(window, Qt.Key.Key_D)
    assert window.document.current_image_id == 3
    window.close_project()
    assert window.open_path(project_file)
    assert window.document.current_image_id == 3
    wait_loaded(qtbot, window)


def test_moving_and_resizing_a_tracked_box_keeps_its_track_id(window) -> None:
    """A box of a CVAT video track drifts and is fixed by hand: the moved and the resized box are still
    that track's (``track_id`` is how the export writes them back as one object)."""
    set_zoom(window, 2.0)
    doc = window.document
    ann_id = draw_box(window, 40, 30, 120, 90)
    doc.project.annotations[ann_id].extra["track_id"] = 7  # as the CVAT video reader gives it
    key(window, Qt.Key.Key_V)
    drag(window, view_point(window, 80, 60), view_point(window, 90, 65))
    moved = doc.project.annotations[ann_id]
    assert [round(v) for v in moved.bbox[:2]] == [50, 35] and moved.extra.get("track_id") == 7
    br = view_point(window, moved.bbox[0] + moved.bbox[2], moved.bbox[1] + moved.bbox[3])
    drag(window, br, br + QPoint(40, 20))
    resized = doc.project.annotations[ann_id]
    assert resized.bbox[2] > moved.bbox[2] and resized.extra.get("track_id") == 7
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.project.annotations[ann_id].extra.get("track_id") == 7
