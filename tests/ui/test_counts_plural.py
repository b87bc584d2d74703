"""Counts shown with a noun say it in the singular for one ("1 image", not "1 images"): the app's texts
go through ``core.wording.plural``, the one helper the CLI uses too (tests/core/test_wording.py checks
that no string of the program counts by hand or with "(s)")."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import make_project, open_main_window, settle


def said(win) -> str:  # type: ignore[no-untyped-def]
    """The status bar's last message, as View > Messages… keeps it: a message of 4 s can be gone from the
    bar by the time a loaded machine reads it."""
    return win.shell.messages.messages[-1].text


def test_the_last_image_of_a_one_image_project_says_1_image(qtbot, tmp_path: Path, no_prompts) -> None:
    """D on the only image of a project, G (done and next), then Shift+G (the next not done): the status
    bar counts 1 image, not "0 of 1 images done"."""
    win = open_main_window(qtbot, make_project(tmp_path, n_images=1))
    try:
        win.canvas.setFocus()
        QTest.keyClick(win.canvas, Qt.Key.Key_D)
        settle()
        assert said(win) == "Last image: 0 of 1 image done"
        QTest.keyClick(win.canvas, Qt.Key.Key_G)
        settle()
        assert said(win) == "Last image: 1 of 1 image done"
        QTest.keyClick(win.canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
        settle()
        assert said(win) == "No other image left to do: 1 of 1 image done"
    finally:
        win.document.undo_stack.setClean()
        win.close()
