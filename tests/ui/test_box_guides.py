"""A CVAT, LabelImg or X-AnyLabeling user drawing boxes lines the first corner up with the object's far edges
by guide lines across the image through the pointer; PixelProof's box tool drew none. They now follow the
pointer over the image while B is in hand, sit on the image's edge while a drag goes past it (where the box
stops), go with another tool or when the pointer leaves, and the Tool options bar's *Guide lines* box turns
them off for this and the next window. Real mouse and key events on the real window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.ui.canvas.guide_lines import _Line
from tests.ui.conftest import click_button, make_project, open_main_window, settle
from tests.ui.test_workbench import key, view_point

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


def guides(win) -> set[tuple[float, float, float, float]]:  # type: ignore[no-untyped-def]
    """The guide lines on the canvas, as (x1, y1, x2, y2) in image pixels."""
    found = set()
    for item in win.canvas.scene().items():
        if isinstance(item, _Line) and item.isVisible():
            line: QLineF = item.line()
            found.add((line.x1(), line.y1(), line.x2(), line.y2()))
    return found


def test_guide_lines_follow_the_pointer_with_the_box_tool(qtbot, tmp_path: Path, no_prompts) -> None:
    win = open_main_window(qtbot, make_project(tmp_path, n_images=1))  # 320 x 240
    try:
        win.canvas.set_zoom(2.0)
        win.canvas.centerOn(QPointF(160, 120))
        vp = win.canvas.viewport()
        QTest.mouseMove(vp, view_point(win, 100, 80))
        assert guides(win) == set()  # the select tool draws none
        key(win, Qt.Key.Key_B)
        assert guides(win) == {(0, 80, 320, 80), (100, 0, 100, 240)}  # at once, where the pointer rests
        QTest.mouseMove(vp, view_point(win, 150, 60))
        assert guides(win) == {(0, 60, 320, 60), (150, 0, 150, 240)}
        QTest.mouseMove(vp, view_point(win, -10, 60))  # off the image, no drag: none
        assert guides(win) == set()
        QTest.mousePress(vp, LEFT, NOMOD, view_point(win, 200, 100))
        QTest.mouseMove(vp, view_point(win, 260, 200))
        QTest.mouseMove(vp, view_point(win, 340, 260))  # past the corner: the lines on the box's stop
        assert guides(win) == {(0, 240, 320, 240), (320, 0, 320, 240)}
        QTest.mouseRelease(vp, LEFT, NOMOD, view_point(win, 340, 260))
        assert [a.bbox for a in win.document.project.annotations.values()] == [[200.0, 100.0, 120.0, 140.0]]
        QTest.mouseMove(vp, view_point(win, 120, 90))
        QTest.mousePress(vp, LEFT, NOMOD, view_point(win, 120, 90))
        QTest.mouseMove(vp, view_point(win, 140, 110))
        key(win, Qt.Key.Key_Escape)  # the drag cancelled: the lines stay at the pointer
        assert guides(win) == {(0, 110, 320, 110), (140, 0, 140, 240)}
        QTest.mouseRelease(vp, LEFT, NOMOD, view_point(win, 140, 110))
        key(win, Qt.Key.Key_V)
        assert guides(win) == set()
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_guide_lines_box_turns_them_off_for_the_next_window(qtbot, tmp_path: Path, no_prompts) -> None:
    path = make_project(tmp_path, n_images=1)
    win = open_main_window(qtbot, path)
    try:
        win.canvas.set_zoom(2.0)
        win.canvas.centerOn(QPointF(160, 120))
        key(win, Qt.Key.Key_B)
        settle()
        box = win.masks_menu.options_bar.guides_box
        assert box.isVisible() and box.isChecked()
        click_button(box)
        assert not box.isChecked()
        QTest.mouseMove(win.canvas.viewport(), view_point(win, 100, 80))
        assert guides(win) == set()
    finally:
        win.close()
    again = open_main_window(qtbot, path)
    try:
        again.canvas.set_zoom(2.0)
        again.canvas.centerOn(QPointF(160, 120))
        key(again, Qt.Key.Key_B)
        QTest.mouseMove(again.canvas.viewport(), view_point(again, 100, 80))
        assert not again.masks_menu.options_bar.guides_box.isChecked()
        assert guides(again) == set()
    finally:
        again.close()


def test_view_box_guide_lines_and_shift_b_switch_them_from_any_tool(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """The lines could be turned off only in the Tool options bar, which shows the box only with B in hand:
    View > Box Guide Lines and its key (Shift+B) do it from any tool, the Tool options box following, the
    lines going (or coming) at once where the pointer rests, and the next window starting as left."""
    path = make_project(tmp_path, n_images=1)
    win = open_main_window(qtbot, path)
    try:
        win.canvas.set_zoom(2.0)
        win.canvas.centerOn(QPointF(160, 120))
        view_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
        act = next(a for a in view_menu.actions() if a.property("shortcut_id") == "view.box_guides")
        assert act is win.act_guides and act.isCheckable() and act.isChecked()
        assert act.text().replace("&", "") == "Box Guide Lines" and act.shortcut().toString() == "Shift+B"
        box = win.masks_menu.options_bar.guides_box
        key(win, Qt.Key.Key_B, Qt.KeyboardModifier.ShiftModifier)  # the select tool in hand: still switched
        assert not act.isChecked() and not box.isChecked()
        key(win, Qt.Key.Key_B)
        QTest.mouseMove(win.canvas.viewport(), view_point(win, 100, 80))
        assert guides(win) == set()
        act.trigger()  # the menu item: on again, the lines shown without a mouse move
        assert act.isChecked() and box.isChecked()
        assert guides(win) == {(0, 80, 320, 80), (100, 0, 100, 240)}
        key(win, Qt.Key.Key_B, Qt.KeyboardModifier.ShiftModifier)
        assert guides(win) == set() and not box.isChecked()
        click_button(box)  # the Tool options box: the menu item follows it
        assert act.isChecked() and guides(win) == {(0, 80, 320, 80), (100, 0, 100, 240)}
        key(win, Qt.Key.Key_B, Qt.KeyboardModifier.ShiftModifier)
        assert not act.isChecked()
    finally:
        win.close()
    again = open_main_window(qtbot, path)
    try:
        assert not again.act_guides.isChecked()
        assert not again.masks_menu.options_bar.guides_box.isChecked()
    finally:
        again.close()
