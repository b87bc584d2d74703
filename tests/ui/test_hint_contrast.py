"""The grey hints that tell a new user what to do (an empty Annotations list, no object selected) are
readable: WCAG AA's 4.5:1 against the panel they are drawn on, in the light and the dark theme."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtGui import QColor

from tests.ui.test_first_run_friction import contrast  # WCAG 2's formula, written apart from the app's


def drawn_contrast(panel, label) -> float:  # type: ignore[no-untyped-def]
    """The contrast of the label's text as painted, against its background: the strongest pixel of the
    label's area of the panel's picture against the area's most common colour."""
    shot = panel.grab().toImage()
    ratio = shot.devicePixelRatio()
    rect = label.geometry()
    if label.parentWidget() is not panel:
        rect.moveTopLeft(label.mapTo(panel, rect.topLeft() - label.pos()))
    colours = Counter(
        shot.pixel(x, y)
        for y in range(int(rect.top() * ratio), int((rect.bottom() + 1) * ratio))
        for x in range(int(rect.left() * ratio), int((rect.right() + 1) * ratio))
    )
    assert len(colours) > 2, "no text drawn"
    background = QColor.fromRgb(colours.most_common(1)[0][0])
    return max(contrast(QColor.fromRgb(c), background) for c in colours)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_empty_state_hints_reach_4_5_to_1_in_both_themes(qtbot, window, mode) -> None:
    """The Annotations hint drew #7D8187 on #F2F3F5 (3.7:1; ~4:1 in the dark theme), below the 4.5:1 WCAG AA
    asks of normal text, and it is the main guidance on a new image; the Properties hint is styled alike."""
    from pixelproof.ui.theme import theme

    annotations, properties = window.panels["annotationsDock"], window.panels["propertiesDock"]
    qtbot.waitUntil(annotations.empty.isVisible, timeout=10000)
    assert properties.hint.isVisible()
    try:
        window.theme_actions[mode].trigger()
        assert theme().dark == (mode == "dark")
        for panel, label in [(annotations, annotations.empty), (properties, properties.hint)]:
            ratio = drawn_contrast(panel, label)
            assert ratio >= 4.5, (panel.title, mode, round(ratio, 2))
    finally:
        window.theme_actions["system"].trigger()
