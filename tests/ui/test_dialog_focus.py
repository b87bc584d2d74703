"""Closing any dialog gives the keys back (ui/dialog_focus.py): with no window manager (offscreen, Xvfb)
a dialog closed with Esc or Enter left no window active and the focus nowhere, and the next key - a tool
key on the canvas, a review key - did nothing. Each test opens dialogs the way a user does, closes them
with a key, and checks the next key acts on the main window."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from pixelproof.core.demo import install_demo
from tests.ui.conftest import click_button, settle
from tests.ui.test_review import enter_review, open_window

CTRL = Qt.KeyboardModifier.ControlModifier
ESC, ENTER = Qt.Key.Key_Escape, Qt.Key.Key_Return


def close_with(qtbot, opener: Callable[[], object], close_key: Qt.Key, on_open=None) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """``opener()`` opens a dialog (blocking or not); once it is the active window, ``on_open(dialog)``
    runs, then ``close_key`` is pressed on its focus widget. Returns its class name and title (it may be
    deleted once closed)."""
    main = QApplication.activeWindow()
    assert main is not None, "no active window to open the dialog from"
    seen: list = []
    deadline = time.monotonic() + 10

    def drive() -> None:
        dlg = QApplication.activeWindow()
        if dlg is None or dlg is main or not dlg.isVisible():  # not open (or not active) yet
            if time.monotonic() < deadline:
                QTimer.singleShot(20, drive)
            else:  # never became active: fail, and close what opened so a blocking opener returns
                seen.extend([("", ""), AssertionError("no dialog became the active window in 10 s")])
                close_dialogs_over(main)
            return
        seen.append((type(dlg).__name__, dlg.windowTitle()))
        try:
            if on_open is not None:
                on_open(dlg)
        except BaseException as e:  # raised again by the test, once the dialog is closed
            seen.append(e)
        QTest.keyClick(QApplication.focusWidget() or dlg, close_key)
        if dlg.isVisible():  # the key did not close it: closed all the same, not left hanging the test
            seen.append(AssertionError(f"{close_key} left {dlg.windowTitle()} open"))
            dlg.close()

    QTimer.singleShot(0, drive)
    opener()
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    settle()
    if len(seen) > 1:
        raise seen[1]
    return seen[0]


def close_dialogs_over(main) -> None:  # type: ignore[no-untyped-def]
    """Close every visible dialog but ``main``: none is left open (and modal) for the next test."""
    for w in QApplication.topLevelWidgets():
        if w is not main and isinstance(w, QDialog) and w.isVisible():
            w.reject()


def next_key(k: Qt.Key) -> None:
    """``k`` where a real key press goes: the focus widget of the active window (none: nowhere)."""
    target = QApplication.focusWidget()
    assert target is not None and QApplication.activeWindow() is not None, "the keys went nowhere"
    QTest.keyClick(target, k)
    settle()


def press(k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> Callable[[], None]:
    """An opener: ``k`` pressed on the focus widget."""
    return lambda: QTest.keyClick(QApplication.focusWidget(), k, mod)


@pytest.mark.parametrize(
    ("open_key", "close_key", "tool_key", "tool"),
    [
        (Qt.Key.Key_I, ESC, Qt.Key.Key_B, "box"),  # Ctrl+I: File > Import (window-modal, open())
        (Qt.Key.Key_E, ESC, Qt.Key.Key_P, "polygon"),  # Ctrl+E: File > Export
        (Qt.Key.Key_Comma, ESC, Qt.Key.Key_R, "brush"),  # Ctrl+,: Preferences (exec())
    ],
)
def test_a_tool_key_acts_after_a_dialog_closed_with_a_key(
    qtbot, window, open_key: Qt.Key, close_key: Qt.Key, tool_key: Qt.Key, tool: str
) -> None:
    window.canvas.setFocus()
    settle()
    close_with(qtbot, press(open_key, CTRL), close_key)
    assert QApplication.focusWidget() is window.canvas
    next_key(tool_key)
    assert window.canvas.tool.name == tool


def test_a_message_box_over_a_dialog_gives_the_keys_back_to_the_dialog_then_to_the_window(
    qtbot, window, tmp_path: Path
) -> None:
    """File > Import, a path that does not exist, Enter: "Cannot import" over the dialog. Enter closes
    the box and the keys are the dialog's again (Esc there closes it), then the canvas's."""
    window.canvas.setFocus()
    settle()
    boxes: list[tuple[str, str]] = []

    def in_import(dlg) -> None:  # type: ignore[no-untyped-def]
        dlg.path_edit.setText(str(tmp_path / "nothing here"))
        dlg.path_edit.setFocus()
        boxes.append(close_with(qtbot, press(ENTER), ENTER))  # Enter: OK, then Enter: the box's OK
        assert QApplication.activeWindow() is dlg and QApplication.focusWidget() is dlg.path_edit

    close_with(qtbot, press(Qt.Key.Key_I, CTRL), ESC, in_import)
    assert boxes == [("QMessageBox", "Cannot import")]
    next_key(Qt.Key.Key_B)
    assert window.canvas.tool.name == "box"


def test_about_and_a_category_name_asked_give_the_keys_back(qtbot, window) -> None:
    """Help > About closed with Enter, then the Categories panel's add button: the name typed and Enter.
    The canvas has the keys after each (no window manager activates the main window again)."""
    window.canvas.setFocus()
    settle()
    assert close_with(qtbot, window.act_about.trigger, ENTER)[0] == "QMessageBox"
    next_key(Qt.Key.Key_B)
    assert window.canvas.tool.name == "box"
    panel = window.panels["categoriesDock"]
    close_with(
        qtbot,
        lambda: click_button(panel.buttons["add"]),
        ENTER,
        lambda dlg: QTest.keyClicks(QApplication.focusWidget(), "bird"),
    )
    assert window.document.project.category_by_name("bird") is not None
    assert QApplication.focusWidget() is window.canvas
    next_key(Qt.Key.Key_P)
    assert window.canvas.tool.name == "polygon"


@pytest.fixture
def demo_window(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    yield win
    if win.document is not None:
        win.document.undo_stack.setClean()
    win.close()


def test_review_keys_act_after_export_and_a_report_window_closed_with_esc(qtbot, demo_window) -> None:
    """In the review view: File > Export (Ctrl+E) and a report window (non-modal, as Import warnings
    show), each closed with Esc; the Objects table has the keys again and . goes to a problem object."""
    enter_review(qtbot, demo_window)
    view = demo_window.review.view
    view.object_table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.object_table, timeout=10000)
    close_with(qtbot, press(Qt.Key.Key_E, CTRL), ESC)
    assert QApplication.focusWidget() is view.object_table
    report = close_with(
        qtbot, lambda: demo_window.interop._show_report("Import warnings", "1 warning:", ["a.json: odd"]), ESC
    )
    assert report == ("ReportDialog", "Import warnings")
    next_key(Qt.Key.Key_Period)
    row = view.current_object()
    assert row is not None and row.status in ("fn", "fp", "wrong_class")
