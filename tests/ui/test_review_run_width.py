"""The review view entered at 1024x576 (a small laptop screen): while QA runs, its progress bar and Cancel
stood beside the greyed Run QA and pushed the header's least width to 1059 px; the window grew past the
screen, and stayed so after the run, the Fit button, the banner's close button and the Reject buttons cut
off at the screen's edge. Cancel now takes Run QA's place while a run lasts, the bar giving way."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import settle
from tests.ui.test_review import open_window, wait_image

CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_run_never_widens_the_window_at_1024(qtbot, tmp_path: Path, no_prompts) -> None:
    from pixelproof.core.demo import install_demo

    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    win.resize(1024, 576)
    settle()
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)  # enter the review view: QA runs
    view = win.review.view
    header = view.header
    assert view.job is not None and header.cancel_button.isVisible()
    assert not header.run_button.isVisible()  # Cancel in its place
    assert header.minimumSizeHint().width() <= 1024, header.minimumSizeHint()
    assert win.width() == 1024
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=20000)
    wait_image(qtbot, view)
    assert header.run_button.isVisible() and header.run_button.isEnabled()
    assert not header.cancel_button.isVisible() and not header.progress.isVisible()
    # F5 from the keyboard runs again: the same
    view.images.image_table.setFocus()
    QTest.keyClick(view.images.image_table, Qt.Key.Key_F5)
    assert view.job is not None and header.cancel_button.isVisible()
    assert header.minimumSizeHint().width() <= 1024 and win.width() == 1024
    qtbot.waitUntil(lambda: view.job is None, timeout=20000)
    assert win.width() == 1024
    win.document.undo_stack.setClean()
    win.close()


def test_run_qa_from_the_keyboard_keeps_the_keys_in_the_view(qtbot, tmp_path: Path, no_prompts) -> None:
    """Tab to Run QA, Space: Cancel has the keys while the run lasts (Space there cancels), and after it
    Run QA has them again, so a second Space runs again; the keys never leave the review view."""
    from PySide6.QtWidgets import QApplication

    from pixelproof.core.demo import install_demo

    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    win.resize(1024, 576)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    view = win.review.view
    qtbot.waitUntil(lambda: view.job is None and view.scored is not None, timeout=20000)
    run = view.header.run_button
    run.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(run, Qt.Key.Key_Space)
    assert view.job is not None
    assert QApplication.focusWidget() is view.header.cancel_button
    qtbot.waitUntil(lambda: view.job is None, timeout=20000)
    settle()
    assert QApplication.focusWidget() is run
    QTest.keyClick(run, Qt.Key.Key_Space)
    assert view.job is not None
    qtbot.waitUntil(lambda: view.job is None, timeout=20000)
    win.document.undo_stack.setClean()
    win.close()
