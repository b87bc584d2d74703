"""The Problems panel on a 1366x768 laptop screen: opened (F6) under the image, it took about two thirds of
the window's height from the canvas; now it opens at most ~30 % high with four rows of its list in sight,
and a height the user dragged it to is kept (also in the next window)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import open_main_window

LEFT, NOMOD = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


def laptop(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    win.resize(1366, 768)
    qtbot.waitUntil(lambda: win.height() == 768 and win.width() == 1366)


def open_problems(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """F6 (Find Problems) over the canvas: it runs and shows the panel."""
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_F6)
    dock = win.docks["problemsDock"]
    qtbot.waitUntil(lambda: dock.isVisible() and not win.panels["problemsDock"].runner.running)


def rows_in_sight(win) -> float:  # type: ignore[no-untyped-def]
    table = win.panels["problemsDock"].table
    return table.viewport().height() / table.verticalHeader().defaultSectionSize()


def test_f6_at_1366x768_leaves_the_canvas_most_of_the_height(qtbot, problems_window) -> None:
    win = problems_window
    laptop(qtbot, win)
    open_problems(qtbot, win)
    dock = win.docks["problemsDock"]
    qtbot.waitUntil(lambda: dock.height() <= 0.31 * win.height())  # sized once laid out
    assert win.canvas.height() >= 0.55 * win.height(), (win.canvas.height(), dock.height())
    assert rows_in_sight(win) >= 4
    # closed and opened again in this window: the same height
    height = dock.height()
    dock.close()
    qtbot.waitUntil(lambda: not dock.isVisible())
    open_problems(qtbot, win)
    assert dock.height() == height


def separator_drag(qtbot, win, dy: int) -> None:  # type: ignore[no-untyped-def]
    """Drag the splitter between the canvas area and the Problems dock by ``dy`` pixels (real events on the
    main window, where QMainWindow handles its dock separators)."""
    dock = win.docks["problemsDock"]
    top = dock.mapTo(win, QPoint(dock.width() // 2, 0))
    central_bottom = win.centralWidget().mapTo(win, QPoint(0, win.centralWidget().height()))
    at = QPoint(top.x(), (top.y() + central_bottom.y()) // 2)
    QTest.mouseMove(win, at)  # over the separator first, as a hand gets there
    QTest.mousePress(win, LEFT, NOMOD, at)
    for step in range(1, 5):
        QTest.mouseMove(win, at + QPoint(0, dy * step // 4))
        QApplication.processEvents()  # the layout applies a separator move on its next pass
    QTest.mouseRelease(win, LEFT, NOMOD, at + QPoint(0, dy))


def test_a_height_the_user_dragged_is_kept_in_the_next_window(qtbot, problems_window, project_file) -> None:
    win = problems_window
    laptop(qtbot, win)
    open_problems(qtbot, win)
    dock = win.docks["problemsDock"]
    before = dock.height()
    separator_drag(qtbot, win, -120)  # taller: the user wants more of the list
    dragged = dock.height()
    assert dragged > before + 60 and dragged > 0.31 * win.height()
    dock.close()
    open_problems(qtbot, win)
    assert dock.height() == dragged  # shown again: not shrunk back to the default
    win.close()  # saves the layout
    again = open_main_window(qtbot, project_file)
    laptop(qtbot, again)
    try:
        open_problems(qtbot, again)
        assert abs(again.docks["problemsDock"].height() - dragged) <= 2
    finally:
        panel = again.panels["problemsDock"]
        panel.cancel()
        qtbot.waitUntil(lambda: not panel.runner.running)
        again.close()
