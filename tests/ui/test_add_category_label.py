"""The Add category dialog said only "Name:" under its title: a newcomer asked what name. It says what is
named, with an example, as the Pixel limit dialog does, and fits a 1366x768 laptop screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from tests.ui.conftest import click_button

pytestmark = pytest.mark.gui


def _answer(seen: dict[str, object], text: str):  # type: ignore[no-untyped-def]
    def answer() -> None:
        dialog, focus = QApplication.activeModalWidget(), QApplication.focusWidget()
        if not isinstance(dialog, QInputDialog) or focus is None or not dialog.isAncestorOf(focus):
            QTimer.singleShot(20, answer)  # not up yet: keys now would go to the main window
            return
        seen["title"], seen["label"] = dialog.windowTitle(), dialog.labelText()
        seen["frame"] = dialog.frameGeometry()
        focus.selectAll()
        QTest.keyClicks(focus, text)
        QTest.keyClick(focus, Qt.Key.Key_Return)
        if dialog.isVisible():  # never leave the test waiting on it
            dialog.reject()

    return answer


def test_add_category_asks_for_a_new_category_name(qtbot, window) -> None:
    seen: dict[str, object] = {}
    QTimer.singleShot(0, _answer(seen, "bird"))
    click_button(window.panels["categoriesDock"].buttons["add"])
    assert seen["title"] == "Add category"
    label = str(seen["label"])
    assert label.startswith("New category name") and "e.g." in label, label
    assert seen["frame"].width() <= 1366 and seen["frame"].height() <= 768 - 40, seen["frame"]
    assert "bird" in [c.name for c in window.document.project.categories.values()]


def test_rename_category_names_the_category_it_renames(qtbot, window) -> None:
    """Rename said only "Name:" too; it names the category, so a slip of the row is seen before typing."""
    panel = window.panels["categoriesDock"]
    before = {c.id: c.name for c in window.document.project.categories.values()}
    seen: dict[str, object] = {}
    QTimer.singleShot(0, _answer(seen, "sparrow"))
    click_button(panel.buttons["rename"])
    after = {c.id: c.name for c in window.document.project.categories.values()}
    renamed = [i for i in before if after[i] != before[i]]
    assert len(renamed) == 1 and after[renamed[0]] == "sparrow", (before, after)
    assert seen["title"] == "Rename category"
    assert seen["label"] == f"New name for “{before[renamed[0]]}”:", seen["label"]
