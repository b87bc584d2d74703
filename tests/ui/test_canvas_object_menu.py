"""A right click on the canvas, as LabelMe and CVAT give it: the object under the pointer is selected and a
menu of the Edit menu's object actions opens there (Set Category, Copy, Paste, Duplicate, Lock, Delete...); a
right drag is still window / level and opens none, and a right click's jitter leaves the window alone. Real
mouse events on the canvas of the real main window."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from tests.ui.test_workbench import draw_box, key, set_zoom, view_point

RIGHT = Qt.MouseButton.RightButton
NOMOD = Qt.KeyboardModifier.NoModifier


def right_click(win, at: QPoint, jitter: QPoint | None = None) -> None:  # type: ignore[no-untyped-def]
    vp = win.canvas.viewport()
    QTest.mousePress(vp, RIGHT, NOMOD, at)
    end = at + (jitter or QPoint(0, 0))
    if jitter is not None:
        QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, RIGHT, NOMOD, end)


def action(menu, text: str):  # type: ignore[no-untyped-def]
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def shown_menu(win):  # type: ignore[no-untyped-def]
    menu = win.object_steps.menu.last_menu
    return menu if menu is not None and menu.isVisible() else None


def test_a_right_click_on_an_object_selects_it_and_its_menu_deletes_it(window) -> None:
    set_zoom(window, 1.0)
    a = draw_box(window, 20, 20, 80, 80)
    b = draw_box(window, 150, 40, 220, 120)
    key(window, Qt.Key.Key_V)
    assert window.document.selection == [b]
    right_click(window, view_point(window, 50, 50))  # on a, not selected
    menu = shown_menu(window)
    assert menu is not None and window.document.selection == [a]
    texts = [x.text().replace("&", "") for x in menu.actions() if not x.isSeparator()]
    assert {"Set Category", "Copy", "Paste", "Duplicate", "Lock", "Delete"} <= set(texts)
    delete = action(menu, "Delete")
    assert delete.isEnabled()
    delete.trigger()
    menu.close()
    assert a not in window.document.project.annotations and b in window.document.project.annotations
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert a in window.document.project.annotations


def test_its_set_category_submenu_changes_the_clicked_objects_class(window) -> None:
    set_zoom(window, 1.0)
    a = draw_box(window, 20, 20, 80, 80)
    assert window.document.project.annotations[a].category_id == 1  # cat
    key(window, Qt.Key.Key_Escape)
    right_click(window, view_point(window, 40, 60))
    menu = shown_menu(window)
    sub = action(menu, "Set Category").menu()
    dog = next(x for x in sub.actions() if "dog" in x.text())
    dog.trigger()
    menu.close()
    assert window.document.project.annotations[a].category_id == 2


def test_a_right_drag_is_window_level_and_opens_no_menu_a_jittery_click_keeps_the_window(window) -> None:
    set_zoom(window, 1.0)
    canvas = window.canvas
    before = tuple(canvas.loaded.window)
    right_click(window, view_point(window, 100, 100), jitter=QPoint(1, 1))  # a hand's click
    assert tuple(canvas.loaded.window) == before and shown_menu(window) is not None
    shown_menu(window).close()
    window.object_steps.menu.last_menu = None
    right_click(window, view_point(window, 100, 100), jitter=QPoint(60, 0))  # a drag: wider window
    assert tuple(canvas.loaded.window) != before and window.object_steps.menu.last_menu is None


def test_on_empty_canvas_with_nothing_selected_it_offers_paste_not_the_selection_actions(window) -> None:
    set_zoom(window, 1.0)
    draw_box(window, 20, 20, 80, 80)
    key(window, Qt.Key.Key_V)
    key(window, Qt.Key.Key_Escape)  # nothing selected
    assert window.document.selection == []
    right_click(window, view_point(window, 150, 150))  # no object there
    menu = shown_menu(window)
    assert menu is not None and window.document.selection == []
    texts = {x.text().replace("&", "") for x in menu.actions() if not x.isSeparator()}
    assert "Paste" in texts
    assert not texts & {"Set Category", "Lock", "Occluded", "Hide Selected Objects", "Delete"}
    menu.close()
