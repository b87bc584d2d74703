"""The Images panel's context menu sets the dataset split of the selected rows as one undo step ("Set 3
images to val"), the split they all have checked; the edit is the CLI's ``set-split``."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.split_names import split_of
from tests.ui.conftest import make_project, open_main_window, settle
from tests.ui.test_images_bulk_status import choose_from_context_menu, row_point

LEFT = Qt.MouseButton.LeftButton


def record_checked(into: list[str]) -> None:
    """The checked entries of the context menu once it is up (as ``choose_from_context_menu`` waits)."""
    menu = QApplication.activePopupWidget()
    if menu is None:
        QTimer.singleShot(10, lambda: record_checked(into))
        return
    into.extend(a.text() for a in menu.actions() if a.isChecked())


def test_selected_rows_get_a_split_in_one_undo_step(qtbot, tmp_path, no_prompts) -> None:
    win = open_main_window(qtbot, make_project(tmp_path, n_images=5))
    settle()
    doc, table = win.document, win.panels["imagesDock"].table
    QTest.mouseClick(table.viewport(), LEFT, pos=row_point(table, 1))
    QTest.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.ShiftModifier, row_point(table, 3))
    assert win.panels["imagesDock"].selected_image_ids() == [2, 3, 4]
    steps = doc.undo_stack.count()
    texts = choose_from_context_menu(qtbot, table, 2, "Set 3 images to val")
    assert {"Set 3 images to train", "Set 3 images to test", "Set 3 images to no split"} <= set(texts)
    splits = [split_of(doc.project.images[i]) for i in range(1, 6)]
    assert splits == [None, "val", "val", "val", None]
    assert doc.undo_stack.count() == steps + 1 and doc.undo_stack.undoText() == "Set 3 images to val"
    assert doc.is_modified()
    doc.undo_stack.undo()
    assert all(split_of(doc.project.images[i]) is None for i in range(1, 6))
    doc.undo_stack.redo()
    # a right click outside the selection: that image alone; the split it has is checked
    choose_from_context_menu(qtbot, table, 0, "Set split to test")
    assert split_of(doc.project.images[1]) == "test"
    QTest.mouseClick(table.viewport(), LEFT, pos=row_point(table, 0))
    checked: list[str] = []
    QTimer.singleShot(0, lambda: record_checked(checked))
    choose_from_context_menu(qtbot, table, 0, "Set split to none")
    assert checked == ["Set split to test"]  # the image's split, checked
    assert split_of(doc.project.images[1]) is None
    assert [split_of(doc.project.images[i]) for i in (2, 3, 4)] == ["val"] * 3
