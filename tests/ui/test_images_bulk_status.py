"""Several images marked at once: Shift / Ctrl+click rows of the Images table, then the context menu's
"Mark 3 images as done" - one undo step - as a lead marks a batch of defect-free parts checked. A right
click on a row outside the selection marks that row alone."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import make_project, open_main_window, settle

LEFT = Qt.MouseButton.LeftButton


def row_point(table, row: int) -> QPoint:  # type: ignore[no-untyped-def]
    return table.visualRect(table.model().index(row, 0)).center()


def choose_from_context_menu(qtbot, table, row: int, wanted: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Right-click ``row`` (a real context-menu event) and trigger the item whose text starts with
    ``wanted``; the menu's texts."""
    texts: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(20, pick)
            return
        texts.extend(a.text() for a in menu.actions())
        menu.setActiveAction(next(a for a in menu.actions() if a.text().startswith(wanted)))
        QTest.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(0, pick)
    pos = row_point(table, row)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, table.viewport().mapToGlobal(pos))
    QApplication.sendEvent(table.viewport(), event)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=10000)
    return texts


def test_shift_and_ctrl_click_select_rows_and_the_menu_marks_them_all_in_one_undo_step(
    qtbot, tmp_path, no_prompts
) -> None:
    win = open_main_window(qtbot, make_project(tmp_path, n_images=6))
    settle()
    doc, table = win.document, win.panels["imagesDock"].table
    QTest.mouseClick(table.viewport(), LEFT, pos=row_point(table, 1))
    QTest.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.ShiftModifier, row_point(table, 3))
    QTest.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.ControlModifier, row_point(table, 5))
    ids = win.panels["imagesDock"].selected_image_ids()
    assert ids == [2, 3, 4, 6]
    steps = doc.undo_stack.count()
    texts = choose_from_context_menu(qtbot, table, 3, "Mark 4 images as done")
    assert "Mark 4 images as done" in texts and "Mark as done" not in texts
    assert [doc.project.image_status(i) for i in range(1, 7)] == [
        "todo", "done", "done", "done", "todo", "done"
    ]  # fmt: skip
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert all(doc.project.image_status(i) == "todo" for i in range(1, 7))
    # a right click outside the selection: that image alone
    texts = choose_from_context_menu(qtbot, table, 0, "Mark as done")
    assert "Mark as done" in texts
    assert [doc.project.image_status(i) for i in range(1, 7)] == ["done"] + ["todo"] * 5


def test_keys_move_the_current_image_and_collapse_the_selection(qtbot, tmp_path, no_prompts) -> None:
    """Next image (D) after a multi-row selection selects the new current row alone: a later menu acts on
    what is in sight, not on rows selected long before."""
    win = open_main_window(qtbot, make_project(tmp_path, n_images=4))
    settle()
    panel, table = win.panels["imagesDock"], win.panels["imagesDock"].table
    QTest.mouseClick(table.viewport(), LEFT, pos=row_point(table, 0))
    QTest.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.ShiftModifier, row_point(table, 2))
    assert panel.selected_image_ids() == [1, 2, 3]
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: win.document.current_image_id == 4, timeout=10000)
    assert panel.selected_image_ids() == [4]
