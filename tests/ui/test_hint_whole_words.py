"""The tool's hint on the left of the status bar, cut where a 1024-px window leaves it little room: after
its last whole word that fits, with ``…`` ("Enter or a click on the first…"), as the Problems list cuts its
kinds, not inside a word ("…on the first ver…"). The whole line stays in its tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import settle
from tests.ui.test_mask_tools import click, default_options, key, set_view, vp_at

__all__ = ["default_options"]


def cut_after_a_word(shown: str, whole: str) -> bool:
    """``shown`` is ``whole`` cut after a whole word (no comma kept before the ``…``)."""
    start = shown.removesuffix("…")
    return (
        shown.endswith("…")
        and whole.startswith(start)
        and not start.endswith((",", " "))
        and whole[len(start) : len(start) + 1] in (" ", ",", ":", ";")
    )


def test_the_polygon_hint_is_cut_after_a_whole_word_at_1024(qtbot, window) -> None:
    window.resize(1024, 576)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=10000)
    set_view(window, 2.0)
    key(window, Qt.Key.Key_P)
    for x, y in ((40, 40), (120, 40), (100, 110)):
        click(window, vp_at(window, x, y))
    window.statusBar().clearMessage()
    line = window.readout.target_label
    qtbot.waitUntil(line.isVisible, timeout=10000)
    settle()
    assert line.whole.startswith("Polygon: “cat” polygon, 3 vertices: Enter")
    shown = line.text()
    assert shown != line.whole, "the squeeze this is about"
    assert cut_after_a_word(shown, line.whole), (shown, line.whole)
    assert line.fontMetrics().horizontalAdvance(shown) <= line.room()
    assert line.toolTip().startswith(line.whole + "\n")  # the whole line in the tooltip
    for width in (1100, 1300):  # as the window widens, still whole words
        window.resize(width, 576)
        qtbot.waitUntil(lambda w=width: window.width() == w, timeout=10000)
        settle()
        assert line.text() == line.whole or cut_after_a_word(line.text(), line.whole), line.text()
    key(window, Qt.Key.Key_Escape)
