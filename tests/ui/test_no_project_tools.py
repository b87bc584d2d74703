"""With no project open (a first start, after Close Project) a newcomer saw the tool in hand checked on the
main tool bar and its options (the box tool's "Guide lines") in the tool options bar, as if something could
be drawn. The tool buttons are greyed with none checked and the tool's options hidden; a project opened,
the tool in hand is checked again with its options."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import click_button, open_main_window, wait_loaded

pytestmark = pytest.mark.gui


def tool_buttons(win):  # type: ignore[no-untyped-def]
    return {name: win.toolbar.widgetForAction(act) for name, act in win.tool_actions.items()}


def assert_no_tool_offered(win) -> None:  # type: ignore[no-untyped-def]
    for name, button in tool_buttons(win).items():
        assert not button.isEnabled(), name
        assert not button.isChecked(), name
    bar = win.masks_menu.options_bar
    assert not bar.guides_box.isVisible()
    assert not bar.width_box.isVisible() and not bar.hint.isVisible()


def test_no_project_offers_no_tool_and_a_project_brings_the_tool_in_hand_back(
    qtbot, project_file: Path, no_prompts
) -> None:
    win = open_main_window(qtbot)  # a first start
    assert win.document is None
    assert_no_tool_offered(win)
    QTest.mouseClick(tool_buttons(win)["brush"], Qt.MouseButton.LeftButton)  # greyed: nothing happens
    assert_no_tool_offered(win)
    assert win.open_path(project_file)
    wait_loaded(qtbot, win)
    buttons = tool_buttons(win)
    assert all(b.isEnabled() for b in buttons.values())
    assert [n for n, b in buttons.items() if b.isChecked()] == [win.canvas.tool.name]
    click_button(buttons["box"])
    assert buttons["box"].isChecked() and win.masks_menu.options_bar.guides_box.isVisible()
    QTest.keyClick(win, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # File > Close Project
    assert win.document is None
    assert_no_tool_offered(win)
    assert win.open_path(project_file)
    wait_loaded(qtbot, win)
    assert [n for n, b in tool_buttons(win).items() if b.isChecked()] == ["box"]  # as it was
    assert win.masks_menu.options_bar.guides_box.isVisible()
    win.close()
