"""The Add category dialog said only "Name:" under its title: a newcomer asked what name. It says what is
named, with an example, as the Pixel limit dialog does, and fits a 1366x768 laptop screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from tests.ui.conftest import click_button

pytestmark = pytest.mark.gui


def test_add_category_asks_for_a_new_category_name(qtbot, window) -> None:
    seen: dict[str, object] = {}

    def answer() -> None:
        dialog, focus = QApplication.activeModalWidget(), QApplication.focusWidget()
        if not isinstance(dialog, QInputDialog) or focus is None or not dialog.isAncestorOf(focus):
            QTimer.singleShot(20, answer)  # not up yet: keys now would go to the main window
            return
        seen["title"], seen["label"] = dialog.windowTitle(), dialog.labelText()
        seen["frame"] = dialog.frameGeometry()
        QTest.keyClicks(focus, "bird")
        QTest.keyClick(focus, Qt.Key.Key_Return)
        if dialog.isVisible():  # never leave the test waiting on it
            dialog.reject()

    QTimer.singleShot(0, answer)
    click_button(window.panels["categoriesDock"].buttons["add"])
    assert seen["title"] == "Add category"
    label = str(seen["label"])
    assert label.startswith("New category name") and "e.g." in label, label
    assert seen["frame"].width() <= 1366 and seen["frame"].height() <= 768 - 40, seen["frame"]
    assert "bird" in [c.name for c in window.document.project.categories.values()]
