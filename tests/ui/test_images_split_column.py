"""The Images panel shows each image's dataset split in a Split column once an image of the project has
one (a project without splits keeps its three columns and its names' room); the column follows a split
set from the context menu, and its undo, at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.ui.panels.images_model import ImagesModel
from pixelproof.ui.panels.images_width import MIN_CANVAS
from tests.ui.conftest import make_project, open_main_window, settle
from tests.ui.test_images_bulk_status import choose_from_context_menu, row_point

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SPLIT = ImagesModel.SPLIT


def shown_column(table, row: int, column: int) -> str:  # type: ignore[no-untyped-def]
    """The text of a cell the table shows (a hidden column shows nothing)."""
    if table.isColumnHidden(column) or table.columnWidth(column) == 0:
        return ""
    return str(table.model().index(row, column).data())


def names_keep_their_room(table) -> None:  # type: ignore[no-untyped-def]
    """Twelve characters of a name beside the other columns, no sideways scroll bar."""
    assert table.columnWidth(0) >= 12 * table.fontMetrics().horizontalAdvance("x")
    assert table.horizontalHeader().length() <= table.viewport().width()


def test_a_split_set_from_the_menu_shows_in_its_column_and_undo_hides_it(qtbot, tmp_path, no_prompts) -> None:
    win = open_main_window(qtbot, make_project(tmp_path, n_images=4))
    settle()
    doc, table = win.document, win.panels["imagesDock"].table
    header = table.horizontalHeader()
    assert table.isColumnHidden(SPLIT)  # no split in the project: Image, Status, Objects
    assert [header.isSectionHidden(c) for c in range(3)] == [False] * 3
    QTest.mouseClick(table.viewport(), LEFT, pos=row_point(table, 1))
    QTest.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.ShiftModifier, row_point(table, 2))
    choose_from_context_menu(qtbot, table, 1, "Set 2 images to val")
    settle()
    assert not table.isColumnHidden(SPLIT)
    assert table.model().headerData(SPLIT, Qt.Orientation.Horizontal) == "Split"
    assert [shown_column(table, r, SPLIT) for r in range(4)] == ["", "val", "val", ""]
    fm = table.fontMetrics()
    assert table.columnWidth(SPLIT) >= fm.horizontalAdvance("Split")  # title and names whole
    names_keep_their_room(table)
    choose_from_context_menu(qtbot, table, 3, "Set split to train")  # one row, the others keep theirs
    settle()
    assert [shown_column(table, r, SPLIT) for r in range(4)] == ["", "val", "val", "train"]
    win.activateWindow()  # the closed context menu was the active window: the keys go to the window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=10000)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)
    settle()
    assert [shown_column(table, r, SPLIT) for r in range(4)] == ["", "val", "val", ""]
    QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)
    settle()
    assert table.isColumnHidden(SPLIT)  # the last split undone: the column goes with it
    QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    settle()
    assert [shown_column(table, r, SPLIT) for r in range(4)] == ["", "val", "val", ""]
    doc.undo_stack.setClean()


def test_a_project_opened_with_splits_shows_them(qtbot, tmp_path, no_prompts) -> None:
    path = make_project(tmp_path, n_images=3)
    project = load_project(path)
    project.images[1].extra["pixelproof"] = {"split": "training"}  # read as train
    project.images[3].extra["pixelproof"] = {"cvat": {"subset": "Validation"}}  # a CVAT subset: val
    save_project(project, path)
    win = open_main_window(qtbot, path)
    settle()
    table = win.panels["imagesDock"].table
    assert [shown_column(table, r, SPLIT) for r in range(3)] == ["train", "", "val"]
    names_keep_their_room(table)
    # the split filter and the column agree
    QTest.keyClicks(win.panels["imagesDock"].filter, "split:val")
    settle()
    assert table.model().rowCount() == 1 and shown_column(table, 0, SPLIT) == "val"


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_dock_grows_by_the_split_column_and_gives_it_back(qtbot, tmp_path, no_prompts, size) -> None:  # type: ignore[no-untyped-def]
    """At the default layout the Split column takes its room from the window, not the names (the dock
    was sized for three columns: the names lost the Split column's width); undone, the room goes back."""
    win = open_main_window(qtbot, make_project(tmp_path, n_images=4))
    win.resize(*size)
    settle()
    panel, dock, table = win.panels["imagesDock"], win.docks["imagesDock"], win.panels["imagesDock"].table
    names, width, canvas = table.columnWidth(0), dock.width(), win.centralWidget().width()
    QTest.mouseClick(table.viewport(), LEFT, pos=row_point(table, 1))
    choose_from_context_menu(qtbot, table, 1, "Set split to val")
    qtbot.waitUntil(lambda: dock.width() > width, timeout=10000)
    settle()
    assert not table.isColumnHidden(SPLIT) and shown_column(table, 1, SPLIT) == "val"
    header = table.horizontalHeader()
    assert header.sectionViewportPosition(SPLIT) + table.columnWidth(SPLIT) <= table.viewport().width()
    assert table.columnWidth(0) == names  # the names kept their room: the dock grew by the column
    assert dock.width() == width + table.columnWidth(SPLIT) == panel.preferred_width()
    assert win.centralWidget().width() >= min(canvas - table.columnWidth(SPLIT), canvas) >= MIN_CANVAS
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=10000)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)  # the split undone: the column and its room go
    qtbot.waitUntil(lambda: dock.width() == width, timeout=10000)
    assert table.isColumnHidden(SPLIT) and table.columnWidth(0) == names
    win.document.undo_stack.setClean()


def test_a_narrow_window_keeps_its_canvas_and_a_dragged_dock_its_width(qtbot, tmp_path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    win = open_main_window(qtbot, make_project(tmp_path, n_images=4))
    win.resize(1024, 768)
    settle()
    dock, table = win.docks["imagesDock"], win.panels["imagesDock"].table
    width = dock.width()
    QTest.mouseClick(table.viewport(), LEFT, pos=row_point(table, 1))
    choose_from_context_menu(qtbot, table, 1, "Set split to train")
    settle(20)
    assert not table.isColumnHidden(SPLIT) and dock.width() == width  # no room to give: names give way
    names_keep_their_room(table)
    win.resize(1366, 768)
    settle()
    win.resizeDocks([dock], [width + 60], Qt.Orientation.Horizontal)  # the user's width
    settle()
    dragged = dock.width()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=10000)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)
    settle(20)
    assert table.isColumnHidden(SPLIT) and dock.width() == dragged
    win.document.undo_stack.setClean()
