"""What a CVAT or LabelImg user counts on with the box tool in hand, held by real mouse events: a drag that
starts on another box, even on the selected box's resize handle, draws a new box and leaves that one where it
was; a drag that starts and ends off the image draws the box cut to the image; a click on one corner and a
click on the opposite one draw a box, as CVAT and LabelMe draw it, the box following the pointer between."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.geometry import handle_spot
from pixelproof.core.model import Annotation
from tests.ui.conftest import hover, make_project, open_main_window
from tests.ui.test_workbench import drag, key, view_point


def test_a_drag_from_a_selected_box_handle_draws_a_new_box(qtbot, tmp_path: Path, no_prompts) -> None:
    path = make_project(tmp_path, n_images=1)  # 320 x 240
    project = load_project(path)
    project.add_annotation(Annotation(1, 1, 1, [50.0, 40.0, 60.0, 30.0], area=1800.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    try:
        win.canvas.set_zoom(2.0)
        win.canvas.centerOn(QPointF(160, 120))
        anns = win.document.project.annotations
        win.document.set_selection([1])
        key(win, Qt.Key.Key_B)
        drag(win, view_point(win, *handle_spot(anns[1].bbox, "br")), view_point(win, 150, 100))
        assert anns[1].bbox == [50.0, 40.0, 60.0, 30.0]  # neither resized nor moved
        assert [a.bbox for i, a in anns.items() if i != 1] == [[110.0, 70.0, 40.0, 30.0]]
        drag(win, view_point(win, -20, 200), view_point(win, 40, 260))  # from off the left to off the bottom
        assert max(anns.values(), key=lambda a: a.id).bbox == [0.0, 200.0, 40.0, 40.0]
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_click_one_corner_then_the_opposite_one_draws_a_box(window) -> None:
    """CVAT's and LabelMe's way: a click (no drag) sets the first corner, the box follows the pointer, a
    click on the opposite corner adds it, one undo step; Esc drops a first corner."""
    doc, vp = window.document, window.canvas.viewport()
    window.canvas.set_zoom(2.0)
    window.canvas.centerOn(QPointF(160, 120))
    key(window, Qt.Key.Key_B)
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view_point(window, 40, 30))
    assert doc.project.annotations == {}
    assert window.statusBar().currentMessage() == "Box: click the opposite corner, or drag (Esc cancels)"
    hover(window, view_point(window, 100, 80))
    assert window.canvas.tool._preview.rect().getRect() == (40.0, 30.0, 60.0, 50.0)
    assert "click the opposite corner" in window.canvas.tool.target_text()
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view_point(window, 100, 80))
    (box,) = doc.project.annotations.values()
    assert box.bbox == [40.0, 30.0, 60.0, 50.0] and doc.undo_stack.undoText() == "Draw box"
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view_point(window, 150, 100))
    key(window, Qt.Key.Key_Escape)  # a first corner dropped: the next click starts another
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view_point(window, 200, 150))
    assert len(doc.project.annotations) == 1
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view_point(window, 250, 190))
    assert [a.bbox for a in doc.project.annotations.values()][1] == [200.0, 150.0, 50.0, 40.0]
    assert doc.undo_stack.count() == 2
