"""Guidelines panel and category hover (real widgets, real events)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPlainTextEdit, QScrollArea

from pixelproof.core import taxonomy
from tests.ui.conftest import settle

pytestmark = pytest.mark.gui


def _click_category(qtbot, window, name: str) -> None:  # type: ignore[no-untyped-def]
    tree = window.panels["categoriesDock"].tree
    qtbot.waitUntil(lambda: bool(tree.findItems(name, Qt.MatchFlag.MatchExactly, 0)), timeout=10000)
    item = tree.findItems(name, Qt.MatchFlag.MatchExactly, 0)[0]
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_guidelines_panel_follows_the_category_and_edits_are_undoable(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    edit = taxonomy.describe_category(
        doc.project, "dog", description="Canis familiaris", guideline="# Dogs\n- whole body"
    )
    doc.push(edit)
    panel = window.panels["guidelinesDock"]
    _click_category(qtbot, window, "dog")
    qtbot.waitUntil(lambda: "Canis familiaris" in panel.description.text(), timeout=10000)
    assert "Dogs" in panel.browser.toPlainText() and "whole body" in panel.browser.toPlainText()
    tree = window.panels["categoriesDock"].tree
    item = tree.findItems("dog", Qt.MatchFlag.MatchExactly, 0)[0]
    assert "Canis familiaris" in item.toolTip(0) and "Dogs" in item.toolTip(0)

    _click_category(qtbot, window, "cat")
    qtbot.waitUntil(lambda: "No description" in panel.description.text(), timeout=10000)

    def fill_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        line = dialog.findChild(QLineEdit)
        line.selectAll()
        qtbot.keyClicks(line, "Felis catus")
        text = dialog.findChild(QPlainTextEdit)
        qtbot.keyClicks(text, "Ears included")
        qtbot.keyClick(line, Qt.Key.Key_Return)  # the dialog's default button: OK

    QTimer.singleShot(0, fill_dialog)
    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Felis catus" in panel.description.text(), timeout=10000)
    cat = doc.project.category_by_name("cat")
    assert taxonomy.info(cat) == {"description": "Felis catus", "guideline": "Ears included"}
    window.activateWindow()  # the dialog had the focus; Ctrl+Z is a window shortcut
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10000)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "No description" in panel.description.text(), timeout=10000)
    assert taxonomy.info(doc.project.category_by_name("cat")) == {}


def test_category_context_menu_merge_split_reassign_are_undoable(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QComboBox, QLineEdit

    from tests.ui.test_teams_ui import _answer_modal

    doc = window.document
    menu = window.panels["categoriesDock"].taxonomy_menu

    def choose(text: str):  # type: ignore[no-untyped-def]
        def answer(dialog) -> None:  # type: ignore[no-untyped-def]
            combo = dialog.findChild(QComboBox)
            combo.setCurrentIndex(combo.findText(text))
            qtbot.keyClick(combo, Qt.Key.Key_Return)

        return answer

    def type_text(text: str):  # type: ignore[no-untyped-def]
        def answer(dialog) -> None:  # type: ignore[no-untyped-def]
            line = dialog.findChild(QLineEdit)
            line.selectAll()
            qtbot.keyClicks(line, text)
            qtbot.keyClick(line, Qt.Key.Key_Return)

        return answer

    names = lambda: [c.name for c in doc.project.categories.values()]  # noqa: E731
    _click_category(qtbot, window, "dog")
    _answer_modal(qtbot, choose("cat"))
    menu.act_merge.trigger()
    assert names() == ["cat"]
    doc.undo_stack.undo()
    assert names() == ["cat", "dog"]
    _click_category(qtbot, window, "dog")
    _answer_modal(qtbot, type_text("puppy"))
    QTimer.singleShot(400, lambda: _answer_modal(qtbot, type_text("wolf")))
    menu.act_split.trigger()
    qtbot.waitUntil(lambda: names() == ["cat", "puppy", "wolf"], timeout=20000)
    _click_category(qtbot, window, "wolf")
    _answer_modal(qtbot, choose("cat"))
    menu.act_reassign.trigger()
    assert names() == ["cat", "puppy"]
    for _ in range(2):
        doc.undo_stack.undo()
    assert names() == ["cat", "dog"]


def test_edit_button_is_in_sight_on_a_laptop_screen(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """The panel's hint says "Edit… adds one": at 1366x768 the button must show without scrolling the
    short dock (an empty examples strip used to push it out of sight)."""
    from PySide6.QtCore import QRect

    panel = window.panels["guidelinesDock"]
    area = window.docks["guidelinesDock"].widget()
    for width, height in ((1366, 740), (1200, 800)):
        window.resize(width, height)
        settle()  # the layout: turns of the event loop, not ms
        button = panel.edit_button
        assert button.isVisible() and button.isEnabled()
        top_left = button.mapTo(area.viewport(), button.rect().topLeft())
        seen = area.viewport().rect()
        assert seen.contains(QRect(top_left, button.size())), (width, top_left, seen)
        assert not panel.examples_area.isVisible()  # no examples: no empty strip


EXAMPLE_AT_SCALE = """
import base64, io, json, sys
from pathlib import Path
from PIL import Image
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path(sys.argv[1]) / "settings"))
from pixelproof.core import taxonomy
from pixelproof.ui.app import create_app
from pixelproof.ui.main_window import MainWindow
app = create_app([])
win = MainWindow()
win.show()
assert win.open_path(sys.argv[2])
doc = win.document
buf = io.BytesIO()
Image.new("RGB", (200, 100), (200, 40, 40)).save(buf, format="PNG")
example = {"png": base64.b64encode(buf.getvalue()).decode()}
name = doc.project.categories[doc.current_category_id].name
doc.push(taxonomy.describe_category(doc.project, name, examples=[example]))
panel = win.panels["guidelinesDock"]
panel.refresh()
pm = panel.examples.findChildren(QLabel)[0].pixmap()
print(json.dumps([pm.width(), pm.height(), pm.devicePixelRatio(), panel.devicePixelRatioF()]))
doc.undo_stack.setClean()
"""


def test_example_crops_are_sharp_on_a_hidpi_screen(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """On a 200 % screen an example crop fills its THUMB screen pixels with twice as many device pixels
    (it used to be shrunk to THUMB device pixels, then blown up: blurry)."""
    import json

    from pixelproof.ui.panels.guidelines import THUMB
    from tests.ui.conftest import make_project, run_at_scale

    project = make_project(tmp_path / "p")
    w, h, ratio, screen = json.loads(run_at_scale(2.0, EXAMPLE_AT_SCALE, str(tmp_path), str(project)))
    assert screen == 2.0
    assert (w, h, ratio) == (2 * THUMB, THUMB, 2.0)  # 200 x 100 crop: THUMB x THUMB / 2 screen pixels


def test_the_empty_guideline_text_is_whole_in_the_1366x768_dock(qtbot, tmp_path, no_prompts) -> None:
    """At 1366x768 the Guidelines dock is about 100 px tall: its 'No guideline yet' text box was cut at the
    bottom behind a scroll bar. The empty state is now one line of hint text, drawn whole inside the panel,
    with no scroll bar."""
    from pixelproof.core.demo import install_demo
    from tests.ui.conftest import open_main_window
    from tests.ui.test_model_panel import close_window

    win = open_main_window(qtbot, install_demo(tmp_path / "demo"))
    try:
        win.resize(1366, 768)
        qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
        panel = win.panels["guidelinesDock"]
        qtbot.waitUntil(lambda: "No guideline yet" in panel.empty.text(), timeout=10000)
        settle()  # the layout settles
        shown = [w for w in (panel.empty, panel.browser) if w.isVisible()]
        assert shown == [panel.empty]
        empty = panel.empty
        needed = empty.heightForWidth(empty.width()) if empty.wordWrap() else empty.sizeHint().height()
        assert needed <= empty.height(), (needed, empty.height())
        area = win.docks["guidelinesDock"].widget()  # the dock's scroll area (a tall panel scrolls)
        assert isinstance(area, QScrollArea) and area.widget() is panel
        where = QRect(empty.mapTo(area.viewport(), QPoint(0, 0)), empty.size())
        assert area.viewport().rect().contains(where), (area.viewport().rect(), where)
        assert not area.verticalScrollBar().isVisible()
        assert not panel.browser.verticalScrollBar().isVisible()
    finally:
        close_window(win)


def test_with_no_project_the_panel_says_so_in_one_line_not_an_empty_box(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """With no project open (a first start, after Close Project) the panel showed an empty text box under a
    dead Edit… button; it says in one grey line what it will show, as the other panels do, and shows the
    category's guideline again once a project is open."""
    from PySide6.QtTest import QTest

    from tests.ui.conftest import open_main_window

    panel = window.panels["guidelinesDock"]
    assert panel.heading.isVisible() and panel.edit_button.isVisible()
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # File > Close Project
    settle()
    assert window.document is None
    shown = [w for w in (panel.heading, panel.description, panel.browser, panel.edit_button, panel.empty)
             if w.isVisible()]  # fmt: skip
    assert shown == [panel.empty] and "No project open" in panel.empty.text()
    one_line = panel.empty.fontMetrics().height()
    assert panel.empty.heightForWidth(panel.empty.width()) <= min(panel.empty.height(), 1.5 * one_line)
    first = open_main_window(qtbot)  # a first start says the same
    try:
        hint = first.panels["guidelinesDock"].empty
        assert hint.isVisible() and "No project open" in hint.text()
        assert not first.panels["guidelinesDock"].browser.isVisible()
    finally:
        first.close()
