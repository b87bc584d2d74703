"""The status bar's zoom and window/level while the review view is shown: the review panes' (the reviewer
looks at them), not the hidden labeling canvas's; after Ctrl+Tab back, the canvas's again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.window_level import width_level
from tests.ui.conftest import wait_loaded
from tests.ui.test_review import CTRL, enter_review, open_window
from tests.ui.test_review_orientation import two_readers
from tests.ui.test_review_walkthrough import wheel


def window_text(loaded) -> str:  # type: ignore[no-untyped-def]
    """What the status bar says of a shown image's display window."""
    width, level = width_level(*loaded.window)
    return f"W {width:.6g}  L {level:.6g}"


def test_status_bar_zoom_and_window_follow_the_shown_view(qtbot, tmp_path, no_prompts) -> None:
    """The readout followed any view for the cursor's pixel but kept the canvas's zoom and window: in the
    review view it read 2654% and W 5 L 2.5, the canvas's, for panes at 3000% or so and another window."""
    win = open_window(qtbot, two_readers(tmp_path))
    try:
        win.resize(1366, 768)
        wait_loaded(qtbot, win)
        canvas = win.canvas
        canvas.set_zoom(26.54)
        canvas.set_window(0.0, 4.0)
        on_canvas = ("2654%", window_text(canvas.loaded))
        assert (win.readout.zoom_label.text(), win.window_label.text()) == on_canvas
        enter_review(qtbot, win)
        view = win.review.view
        pane = view.cand_pane
        assert pane.loaded is not None and pane.loaded.needs_window
        assert pane.loaded.window != (0.0, 4.0)  # the panes' own pixels, windowed their own way
        qtbot.waitUntil(lambda: win.window_label.text() == window_text(pane.loaded), timeout=10000)
        assert win.readout.zoom_label.text() == f"{pane.zoom * 100:.0f}%" != "2654%"
        assert win.window_label.text() != on_canvas[1]
        before = pane.zoom
        wheel(pane.viewport(), 2)  # zoom in over a pane: the linked panes and the status bar follow
        assert pane.zoom > before
        assert win.readout.zoom_label.text() == f"{pane.zoom * 100:.0f}%"
        QTest.keyClick(view.diff_pane, Qt.Key.Key_0, CTRL)  # fit, in every pane
        assert win.readout.zoom_label.text() == f"{view.ref_pane.zoom * 100:.0f}%"
        shown_in_review = (win.readout.zoom_label.text(), win.window_label.text())
        # the image moves on in review: the canvas loads it behind the panes, and does not show through
        view.step_image(1) or view.step_image(-1)
        qtbot.waitUntil(lambda: not canvas.is_loading and pane.loaded is not None, timeout=10000)
        qtbot.waitUntil(lambda: win.window_label.text() == window_text(pane.loaded), timeout=10000)
        assert win.readout.zoom_label.text() == f"{pane.zoom * 100:.0f}%"
        assert shown_in_review[0] != "2654%"
        # back to the canvas: its own zoom and window again
        QTest.keyClick(view.ref_pane, Qt.Key.Key_Tab, CTRL)
        assert not win.review.active
        wait_loaded(qtbot, win)
        assert win.readout.zoom_label.text() == f"{canvas.zoom * 100:.0f}%"
        assert win.window_label.text() == window_text(canvas.loaded)
    finally:
        win.document.undo_stack.setClean()
        win.close()
