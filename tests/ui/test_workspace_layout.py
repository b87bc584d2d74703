"""An annotator's workspace comes back as they left it: docks moved, closed, resized and floated, the tables'
sort, from a quit in the review view; a panel floated on a second screen comes back on the one left; a
layout saved before a dock existed still opens; View > Reset Layout gives the first arrangement back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton

from pixelproof.core.demo import install_demo
from pixelproof.ui import window_geometry
from tests.ui.conftest import open_main_window, settle

LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea


def quit_and_reopen(qtbot, win, project: Path | None = None):  # type: ignore[no-untyped-def]
    """File > Quit (the window's closeEvent saves the layout), then the next session's window."""
    win.act_quit.trigger()
    assert not win.isVisible()
    again = open_main_window(qtbot, project)
    settle()
    return again


def click_close_button(dock) -> None:  # type: ignore[no-untyped-def]
    button = dock.findChild(QAbstractButton, "qt_dockwidget_closebutton")
    assert button is not None and button.isVisible()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def click_title(table, title: str) -> None:  # type: ignore[no-untyped-def]
    """A click on the header section named ``title`` (a sortable table sorts by it)."""
    header, model = table.horizontalHeader(), table.model()
    col = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())].index(title)
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def sorted_by(table) -> tuple[str, Qt.SortOrder]:  # type: ignore[no-untyped-def]
    header = table.horizontalHeader()
    title = table.model().headerData(header.sortIndicatorSection(), Qt.Orientation.Horizontal)
    return title, header.sortIndicatorOrder()


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return install_demo(tmp_path / "demo")


def test_docks_come_back_as_left_after_a_quit_in_the_review_view(qtbot, demo: Path, no_prompts) -> None:
    win = open_main_window(qtbot, demo)
    docks = win.docks
    win.removeDockWidget(docks["imagesDock"])  # dragged to the right column
    win.addDockWidget(RIGHT, docks["imagesDock"])
    docks["imagesDock"].show()
    click_close_button(docks["categoriesDock"])
    win.resizeDocks([docks["annotationsDock"]], [420], Qt.Orientation.Horizontal)
    settle()
    width = docks["annotationsDock"].width()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # the review view
    assert win.review.active and not docks["annotationsDock"].isVisible()
    again = quit_and_reopen(qtbot, win)
    docks = again.docks
    assert again.dockWidgetArea(docks["imagesDock"]) == RIGHT and docks["imagesDock"].isVisible()
    assert docks["categoriesDock"].isHidden() and not docks["categoriesDock"].toggleViewAction().isChecked()
    assert docks["annotationsDock"].isVisible() and abs(docks["annotationsDock"].width() - width) <= 4
    assert docks["problemsDock"].isHidden()
    again.close()


def test_a_panel_floated_on_a_second_screen_comes_back_on_the_one_left(qtbot, no_prompts) -> None:
    win = open_main_window(qtbot)
    area = QGuiApplication.primaryScreen().availableGeometry()
    dock = win.docks["guidelinesDock"]
    dock.setFloating(True)
    dock.setGeometry(QRect(area.right() + 400, area.top() + 100, 300, 250))  # the screen now unplugged
    settle()
    assert not area.intersects(dock.frameGeometry())
    again = quit_and_reopen(qtbot, win)
    dock = again.docks["guidelinesDock"]
    assert dock.isFloating() and dock.isVisible()
    # Qt's restoreState moves it in (its 2-px frame may overhang, the slack ``fits`` allows a window)
    assert area.contains(dock.geometry()) and window_geometry.fits(dock.frameGeometry(), [area]), area
    again.close()


def test_a_layout_saved_before_a_dock_existed_still_has_that_dock(qtbot, no_prompts) -> None:
    """A new version adding a dock restores the old version's layout: the new dock is in its own place,
    shown, and the others where the user left them."""
    win = open_main_window(qtbot)
    win.docks["imagesDock"].hide()
    win.removeDockWidget(win.docks["guidelinesDock"])  # as saved by a version without it
    again = quit_and_reopen(qtbot, win)
    dock = again.docks["guidelinesDock"]
    assert dock.isVisible() and not dock.isFloating() and again.dockWidgetArea(dock) == RIGHT
    assert again.rect().contains(dock.geometry())
    assert again.docks["imagesDock"].isHidden() and again.docks["annotationsDock"].isVisible()
    again.close()


def test_view_reset_layout_gives_the_first_arrangement_back(qtbot, no_prompts) -> None:
    first = open_main_window(qtbot)  # a first run: the default arrangement
    settle()
    assert not first.masks_menu.toolbar.isHidden()
    default = {n: (first.dockWidgetArea(d), d.isVisible(), d.width()) for n, d in first.docks.items()}
    first.close()
    win = open_main_window(qtbot)
    docks = win.docks
    win.removeDockWidget(docks["imagesDock"])
    win.addDockWidget(RIGHT, docks["imagesDock"])
    docks["imagesDock"].show()
    click_close_button(docks["categoriesDock"])
    docks["modelDock"].setFloating(True)
    docks["problemsDock"].show()
    win.masks_menu.toolbar.hide()
    settle()
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    reset = next(a for a in view.actions() if a.text() == "&Reset Layout")
    reset.trigger()
    settle()
    now = {n: (win.dockWidgetArea(d), d.isVisible(), d.width()) for n, d in docks.items()}
    assert {n: v[:2] for n, v in now.items()} == {n: v[:2] for n, v in default.items()}
    assert abs(docks["imagesDock"].width() - default["imagesDock"][2]) <= 4
    assert not docks["modelDock"].isFloating() and win.tabifiedDockWidgets(docks["modelDock"])
    assert not win.masks_menu.toolbar.isHidden() and win.slices.toolbar.isHidden()  # no volume shown
    again = quit_and_reopen(qtbot, win)  # and it is what the next session gets
    assert (
        again.dockWidgetArea(again.docks["imagesDock"]) == LEFT and again.docks["categoriesDock"].isVisible()
    )
    again.close()


def test_reset_layout_from_the_review_view_gives_the_labeling_docks_back(
    qtbot, demo: Path, no_prompts
) -> None:
    win = open_main_window(qtbot, demo)
    click_close_button(win.docks["annotationsDock"])
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert win.review.active
    win.workspace.act_reset.trigger()
    settle()
    assert not win.review.active and not win.review.act_toggle.isChecked()
    assert win.docks["annotationsDock"].isVisible() and win.docks["imagesDock"].isVisible()
    win.close()


def test_the_problems_list_keeps_its_sort(qtbot, project_file: Path, no_prompts) -> None:
    win = open_main_window(qtbot, project_file)
    win.docks["problemsDock"].show()
    settle()
    table = win.panels["problemsDock"].table
    assert sorted_by(table) == ("Score", Qt.SortOrder.DescendingOrder)  # its own order
    click_title(table, "Kind")
    assert sorted_by(table) == ("Kind", Qt.SortOrder.AscendingOrder)
    again = quit_and_reopen(qtbot, win)
    assert sorted_by(again.panels["problemsDock"].table) == ("Kind", Qt.SortOrder.AscendingOrder)
    again.close()


def test_the_review_images_table_keeps_its_sort_over_worst_first(qtbot, demo: Path, no_prompts) -> None:
    win = open_main_window(qtbot, demo)
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    view = win.review.view
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=10000)
    table = view.images.image_table
    assert sorted_by(table) == ("Dice", Qt.SortOrder.AscendingOrder)  # worst first, the default
    click_title(table, "Image")
    assert sorted_by(table) == ("Image", Qt.SortOrder.AscendingOrder)
    again = quit_and_reopen(qtbot, win, demo)
    QTest.keyClick(again.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    view = again.review.view
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=10000)
    assert sorted_by(view.images.image_table) == ("Image", Qt.SortOrder.AscendingOrder)
    again.close()


def test_a_damaged_sort_setting_leaves_the_default_order(qtbot, no_prompts) -> None:
    from pixelproof.ui.settings import settings

    for raw in ("{", '{"column": "Nope", "descending": true}', '{"column": "Kind", "descending": "x"}', "[]"):
        settings().setValue("tables/problems_sort", raw)
        win = open_main_window(qtbot)
        assert sorted_by(win.panels["problemsDock"].table) == ("Score", Qt.SortOrder.DescendingOrder), raw
        win.close()
