"""The tool in hand on the main toolbar: its button was filled with the highlight colour, and the icons draw
their accent strokes in that colour, so a checked box tool showed two corner dots without its rectangle and
the brush a bare handle (seen in a 150 % audit, where the icons are large enough to look at). The checked
button now keeps a background its icon's accent stands out on (WCAG non-text contrast, 3:1) and is still
told from the unchecked ones by a frame in the highlight."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pixelproof.ui.icons import contrast_ratio

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("tool", ["box", "brush"])
def test_checked_tool_icon_keeps_its_accent_strokes(qtbot, window, tool) -> None:
    button = window.toolbar.widgetForAction(window.tool_actions[tool])
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.isChecked()
    look = button.grab().toImage()
    accent = window.palette().color(window.palette().ColorRole.Highlight)
    # behind the icon, between its edge and the frame: the icon is centred, 22 px, in the button
    inset = (look.width() - button.iconSize().width()) // 2 - 1
    behind = look.pixelColor(look.width() // 2, inset)
    assert contrast_ratio(behind, accent) >= 3, (behind.name(), accent.name())
    # the frame says it is the tool in hand: the button's edge is in the highlight, unlike an unchecked one
    edge = look.pixelColor(look.width() // 2, 0)
    assert contrast_ratio(edge, accent) < 1.2, (edge.name(), accent.name())
    other = window.toolbar.widgetForAction(window.tool_actions["polygon"])
    assert not other.isChecked()
    assert contrast_ratio(other.grab().toImage().pixelColor(other.width() // 2, 0), accent) > 2
