"""The status bar's zoom and window/level in Review > Annotators Side by Side: the review view's panes
reported theirs (``StatusReadout.watch``) but the annotators' panes, made anew for each image, were not
watched, so the status bar's zoom and W / L were blank there (real keys and wheel)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import open_main_window
from tests.ui.test_review_status_zoom import window_text
from tests.ui.test_review_walkthrough import wheel
from tests.ui.test_teams_agreeview import CTRL_SHIFT, merged_project

pytestmark = pytest.mark.gui


def shown_window(pane) -> str:  # type: ignore[no-untyped-def]
    """What the status bar should say of a pane's window: W / L of 16-bit or float pixels, else nothing."""
    return window_text(pane.loaded) if pane.loaded.needs_window else ""


def test_side_by_side_panes_show_their_zoom_and_window(qtbot, project_file, no_prompts) -> None:  # type: ignore[no-untyped-def]
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    try:
        win.resize(1366, 768)
        doc, view, zoom = win.document, win.teams.view, win.readout.zoom_label
        win.canvas.set_zoom(26.54)
        assert zoom.text() == "2654%"
        qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
        pane = view.panes[0]
        qtbot.waitUntil(lambda: all(p.loaded is not None for p in view.panes), timeout=10000)
        qtbot.waitUntil(lambda: zoom.text() == f"{pane.zoom * 100:.0f}%", timeout=10000)
        assert zoom.text() != "2654%"
        assert win.window_label.text() == shown_window(pane)
        before = pane.zoom
        wheel(view.panes[1].viewport(), 2)  # zoom in over another pane: the linked panes and the bar follow
        assert pane.zoom > before and zoom.text() == f"{pane.zoom * 100:.0f}%"
        QTest.keyClick(view.panes[2], Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # fit again
        assert zoom.text() == f"{before * 100:.0f}%"
        view.panes[0].setFocus()
        qtbot.keyClick(view.panes[0], Qt.Key.Key_D)  # the next image: new panes, watched too
        assert doc.current_image_id == 2
        QApplication.sendPostedEvents(None, 0)  # the old panes deleted: nothing reads them any more
        qtbot.waitUntil(lambda: all(p.loaded is not None for p in view.panes), timeout=10000)
        wheel(view.panes[0].viewport(), -2)
        assert zoom.text() == f"{view.panes[0].zoom * 100:.0f}%"
        assert win.window_label.text() == shown_window(view.panes[0])
        qtbot.mouseClick(next(b for b in view.widget.findChildren(type(view.accept_button))
                              if b.text() == "Back to Labeling"), Qt.MouseButton.LeftButton)  # fmt: skip
        assert win.shell.current_view() is win.canvas
        assert zoom.text() == f"{win.canvas.zoom * 100:.0f}%"
        qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)  # again: the deleted panes are not read
        QApplication.sendPostedEvents(None, 0)
        qtbot.waitUntil(lambda: all(p.loaded is not None for p in view.panes), timeout=10000)
        wheel(view.panes[1].viewport(), 1)
        assert zoom.text() == f"{view.panes[1].zoom * 100:.0f}%" != f"{win.canvas.zoom * 100:.0f}%"
        assert win.window_label.text() == shown_window(view.panes[1])
    finally:
        doc.undo_stack.setClean()
        win.close()
