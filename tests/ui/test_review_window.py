"""The Volume menu's window presets in the review view: Ctrl+Alt+3 (CT Bone) pressed over the review panes
changed the hidden labeling canvas's window and left the panes as they were, so a reader checking a spine in
review saw nothing happen. Now they set the three panes' window (and the status bar's W / L says so)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from pixelproof.core.window_level import preset_window
from pixelproof.ui.canvas.image_item import ImageItem
from tests.ui.conftest import settle
from tests.ui.test_review import enter_review, open_window
from tests.ui.test_review_semantic_reference import label_volumes  # noqa: F401

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def status_text(win) -> str:  # type: ignore[no-untyped-def]
    return " | ".join(x.text() for x in win.statusBar().findChildren(QLabel) if x.isVisible())


def test_a_window_preset_in_review_sets_the_panes_window(qtbot, label_volumes, no_prompts) -> None:  # noqa: F811
    win = open_window(qtbot, label_volumes)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        view.ref_pane.setFocus()
        QTest.keyClick(view.ref_pane, Qt.Key.Key_3, CTRL_ALT)  # CT Bone (2500 / 480)
        settle()
        bone = preset_window(2500, 480)
        for pane in view.panes:
            assert isinstance(pane.image_item, ImageItem)
            assert pane.image_item.image.window == bone
        assert "W 2500  L 480" in status_text(win)
        QTest.keyClick(view.ref_pane, Qt.Key.Key_0, CTRL_ALT)  # the file's own window again
        settle()
        assert all(p.image_item.image.window != bone for p in view.panes)
        assert "W 2500  L 480" not in status_text(win)
    finally:
        win.document.undo_stack.setClean()
        win.close()
