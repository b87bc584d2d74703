"""An annotator picks a value in a panel's drop-down with the mouse (the selected box's class in Properties,
the image's status in the Images panel, a CVAT attribute), then goes on with the keys: Up / Down nudge the
box. The drop-down kept the keys, so the arrow meant for the box changed the class (or the status, or the
attribute) back, with no word. A choice now gives the keys back to the canvas, as the tool bar's Category
box and Enter in a field already did."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox

from tests.ui.test_workbench import draw_box, set_zoom

NOMOD = Qt.KeyboardModifier.NoModifier


def choose(qtbot, combo: QComboBox, row: int) -> None:  # type: ignore[no-untyped-def]
    """A click opens the list; the row is highlighted and taken with Return in the list, as a click on it
    is taken (the offscreen list ignores a release this soon after it opened)."""
    QTest.mouseClick(combo, Qt.MouseButton.LeftButton, NOMOD, QPoint(combo.width() // 2, 8))
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=10000)
    view.setCurrentIndex(view.model().index(row, 0))
    QTest.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=10000)


def test_a_class_chosen_in_properties_leaves_the_arrows_to_the_box(qtbot, window) -> None:
    doc = window.document
    set_zoom(window, 1.0)
    box = draw_box(window, 40, 30, 120, 90)  # cat, selected
    props = window.panels["propertiesDock"]
    qtbot.waitUntil(props.category.isVisible, timeout=10000)
    choose(qtbot, props.category, props.category.findText("dog"))
    assert doc.project.annotations[box].category_id == 2
    assert window.canvas.hasFocus(), type(QApplication.focusWidget()).__name__
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)  # nudge the box up, not back to cat
    assert doc.project.annotations[box].category_id == 2
    assert doc.project.annotations[box].bbox[:2] == pytest.approx([40, 29])


def test_a_status_chosen_in_the_images_panel_leaves_the_keys_to_the_canvas(qtbot, window) -> None:
    doc = window.document
    set_zoom(window, 1.0)
    box = draw_box(window, 40, 30, 120, 90)
    status = window.panels["imagesDock"].status
    choose(qtbot, status, status.findData("done"))
    assert doc.project.image_status(1) == "done"
    assert window.canvas.hasFocus(), type(QApplication.focusWidget()).__name__
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)
    assert doc.project.image_status(1) == "done"
    assert doc.project.annotations[box].bbox[:2] == pytest.approx([40, 29])


def test_a_cvat_attribute_chosen_leaves_the_keys_to_the_canvas(qtbot, tmp_path, no_prompts) -> None:
    from tests.ui.test_attribute_form import _attrs, _click_object, _open

    window = _open(qtbot, tmp_path)
    _click_object(qtbot, window, 50, 45)
    color = window.panels["propertiesDock"].cvat.fields["color"]
    choose(qtbot, color, color.findText("green"))
    assert _attrs(window, 0)["color"] == "green"
    assert window.canvas.hasFocus(), type(QApplication.focusWidget()).__name__
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)
    assert _attrs(window, 0)["color"] == "green"
    window.document.undo_stack.setClean()


def test_ctrl_f_finds_an_image_and_enter_shows_it(qtbot, tmp_path, no_prompts) -> None:
    """Looking for one photo of 400 by name took the mouse to the Images filter and again to its row: Enter
    in the filter kept the image shown, so the keys went back to the canvas on the wrong photo. Ctrl+F (the
    Images panel shown if it was hidden) selects the filter's text, and Enter shows the first image listed
    (the one shown stays when it is listed), the keys back on the canvas for the next B or D."""
    from tests.ui.conftest import make_project, open_main_window

    win = open_main_window(qtbot, make_project(tmp_path, n_images=6))
    doc, images = win.document, win.panels["imagesDock"]
    win.canvas.setFocus()
    QTest.keyClick(
        win.canvas, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert not images.filter.isVisible()  # the Images panel hidden
    QTest.keyClick(win.canvas, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert images.filter.isVisible() and images.filter.hasFocus()
    QTest.keyClicks(images.filter, "img4")
    QTest.keyClick(images.filter, Qt.Key.Key_Return)
    assert doc.current_image_id == 5 and win.canvas.hasFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert images.filter.selectedText() == "img4"  # typed over
    QTest.keyClicks(images.filter, "status:todo")
    QTest.keyClick(images.filter, Qt.Key.Key_Return)
    assert doc.current_image_id == 5  # listed: kept, not sent back to the first image to do
    QTest.keyClick(win.canvas, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(images.filter, "nothing-like-it")
    QTest.keyClick(images.filter, Qt.Key.Key_Return)
    assert doc.current_image_id == 5 and win.canvas.hasFocus()  # no match: nowhere else to go
    QTest.keyClick(win.canvas, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(images.filter, "img1")
    QTest.keyClick(images.filter, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)  # keypad Enter too
    assert doc.current_image_id == 2 and win.canvas.hasFocus()
    find = next(a for a in win.findChildren(QAction) if a.property("shortcut_id") == "image.find")
    image_menu = next(m for m in win.menus if m.title().replace("&", "") == "Image")
    assert find in image_menu.actions() and find.shortcut().toString() == "Ctrl+F"
    win.document.undo_stack.setClean()
