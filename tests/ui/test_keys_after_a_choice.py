"""An annotator picks a value in a panel's drop-down with the mouse (the selected box's class in Properties,
the image's status in the Images panel, a CVAT attribute), then goes on with the keys: Up / Down nudge the
box. The drop-down kept the keys, so the arrow meant for the box changed the class (or the status, or the
attribute) back, with no word. A choice now gives the keys back to the canvas, as the tool bar's Category
box and Enter in a field already did."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
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
