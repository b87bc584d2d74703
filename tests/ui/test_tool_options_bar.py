"""The tool options bar shows the options of the tool in hand only, as an image editor's: the width for the
brush and the eraser, the wand's for the wand, a grey line for a tool without options. It showed every
tool's options for every tool: a box drawer read brush and wand settings that did nothing. The keys of the
options hidden work in every tool, and the display controls stay where they were."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.conftest import click_button, settle

LEFT = Qt.MouseButton.LeftButton


def shown(win) -> set[str]:  # type: ignore[no-untyped-def]
    """What of the tool's options the bar shows."""
    bar = win.masks_menu.options_bar
    parts = {
        "width": bar.width_box,
        "tolerance": bar.tolerance_box,
        "8-connected": bar.button_for(win.masks_menu.act_eight),
        "floating": bar.button_for(win.masks_menu.act_floating),
        "preserve": bar.button_for(win.masks_menu.act_preserve),
        "hint": bar.hint,
        "guides": bar.guides_box,
    }
    return {name for name, widget in parts.items() if widget.isVisible()}


def test_the_bar_shows_the_options_of_the_tool_chosen_by_key(window) -> None:
    bar, c = window.masks_menu.options_bar, window.canvas
    slider_x = []
    for key, want in [
        (Qt.Key.Key_B, {"guides"}),
        (Qt.Key.Key_R, {"width", "preserve"}),
        (Qt.Key.Key_E, {"width"}),
        (Qt.Key.Key_F, {"tolerance", "8-connected", "floating", "preserve"}),
        (Qt.Key.Key_P, {"hint"}),
        (Qt.Key.Key_V, {"hint"}),
    ]:
        QTest.keyClick(c, key)
        settle()
        assert shown(window) == want, (key, shown(window))
        slider = bar.opacity_slider  # the display controls: in sight for every tool, and do not move
        assert slider.isVisible() and bar.outline_box.isVisible()
        slider_x.append(slider.mapTo(window, slider.rect().topLeft()).x())
    assert len(set(slider_x)) == 1, slider_x
    QTest.keyClick(c, Qt.Key.Key_P)
    assert bar.hint.text().strip() == "Polygon: no options"
    QTest.keyClick(c, Qt.Key.Key_E)
    assert bar.width_label.text().strip() == "Eraser"  # the width it shows is the eraser's
    QTest.keyClick(c, Qt.Key.Key_R)
    assert bar.width_label.text().strip() == "Brush"


def test_a_tool_button_click_switches_the_bar_and_hidden_options_keys_still_work(window) -> None:
    bar, c = window.masks_menu.options_bar, window.canvas
    QTest.keyClick(c, Qt.Key.Key_B)
    width = OPTIONS.width
    QTest.keyClick(c, Qt.Key.Key_BracketRight)  # ] widens the brush with the box tool in hand too
    assert OPTIONS.width > width and not bar.width_box.isVisible()
    preserve = OPTIONS.preserve_others
    QTest.keyClick(c, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)  # Masks > Preserve Others
    assert OPTIONS.preserve_others is not preserve
    click_button(window.toolbar.widgetForAction(window.tool_actions["brush"]))  # the main bar's Brush
    settle()
    assert window.canvas.tool.name == "brush" and shown(window) == {"width", "preserve"}
    assert bar.width_box.value() == OPTIONS.width  # what ] set
    preserve_button = bar.button_for(window.masks_menu.act_preserve)
    QTest.mouseClick(preserve_button, LEFT)  # the bar's toggle is the menu's action
    assert OPTIONS.preserve_others is preserve and window.masks_menu.act_preserve.isChecked() is preserve
    click_button(window.toolbar.widgetForAction(window.tool_actions["fill"]))
    settle()
    assert "tolerance" in shown(window) and "width" not in shown(window)
