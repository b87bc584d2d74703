"""The review view's left pane (images, classes, histogram) beside the three panes: a share of the window
with a minimum, and the user's dragged split kept across window sizes and sessions."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from pixelproof.core.demo import install_demo
from tests.ui.test_review import enter_review, open_window


def left_share(view) -> float:  # type: ignore[no-untyped-def]
    """The left pane's part of the splitter's width, as drawn."""
    left, right = view.splitter.sizes()
    return left / (left + right)


def drag_handle(splitter, dx: int) -> None:  # type: ignore[no-untyped-def]
    """Drag the splitter's handle ``dx`` px sideways with the mouse, as a user does."""
    handle = splitter.handle(1)
    at = handle.rect().center()
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    for step in range(1, 5):
        QTest.mouseMove(handle, at + QPoint(dx * step // 4, 0))
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at + QPoint(dx, 0))


def test_the_left_pane_grows_with_the_window_and_keeps_a_dragged_split(qtbot, tmp_path, no_prompts) -> None:
    """The left pane stayed 480 px whatever the window: at 1920x1080 the Images table cut names that had
    room beside three panes of 470 px each. It is now a share of the window, never under its minimum (the
    Images table's figures at 1366x768); a drag of the handle sets the share, kept as the window is
    resized and in the next session (saved with the window's layout)."""
    project = install_demo(tmp_path / "demo")
    win = open_window(qtbot, project)
    try:
        win.resize(1366, 768)
        enter_review(qtbot, win)
        view = win.review.view
        qtbot.waitUntil(lambda: view.splitter.width() > 1300, timeout=10000)
        narrow = view.splitter.sizes()[0]
        assert narrow >= 480
        win.resize(1920, 1080)
        qtbot.waitUntil(lambda: view.splitter.width() > 1850, timeout=10000)
        wide = view.splitter.sizes()[0]
        assert wide > narrow + 100 and left_share(view) >= 0.3, (narrow, wide)
        drag_handle(view.splitter, -150)  # the user wants bigger panes
        dragged = left_share(view)
        assert view.splitter.sizes()[0] < wide - 100
        win.resize(1600, 900)
        qtbot.waitUntil(lambda: view.splitter.width() < 1650, timeout=10000)
        assert abs(left_share(view) - dragged) < 0.01
    finally:
        win.document.undo_stack.setClean()
        win.close()
    again = open_window(qtbot, project)  # the next session: the same settings file
    try:
        again.resize(1920, 1080)
        enter_review(qtbot, again)
        view = again.review.view
        qtbot.waitUntil(lambda: view.splitter.width() > 1850, timeout=10000)
        assert abs(left_share(view) - dragged) < 0.01
    finally:
        again.document.undo_stack.setClean()
        again.close()


def test_a_damaged_saved_share_leaves_the_default(qtbot, tmp_path, no_prompts) -> None:
    """A hand-edited or damaged setting (text, NaN, a share leaving no room to a side) is ignored: the
    default share, the window opens as ever."""
    from pixelproof.ui.settings import settings

    project = install_demo(tmp_path / "demo")
    for bad in ("wide", "nan", "1.5", "0"):
        settings().setValue("review/left_share", bad)
        win = open_window(qtbot, project)
        try:
            win.resize(1920, 1080)
            enter_review(qtbot, win)
            view = win.review.view
            qtbot.waitUntil(lambda v=view: v.splitter.width() > 1850, timeout=10000)
            assert not view.splitter.dragged and abs(left_share(view) - 0.36) < 0.01, bad
        finally:
            win.document.undo_stack.setClean()
            win.close()
