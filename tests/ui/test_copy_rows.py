"""``ui.copy_rows``: Ctrl+C in a list copies its selection, not the window's Copy of the same key (which
copies the canvas's objects); an empty selection leaves the clipboard alone; a claimed key (Select All)
stays the list's own."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QListWidget, QMainWindow

from pixelproof.ui.copy_rows import copy_key, to_clipboard
from tests.ui.conftest import settle

Key = QKeySequence.StandardKey


def window_with_list(qtbot):  # type: ignore[no-untyped-def]
    """A window whose Copy and Select All actions are window-wide (as the app's Edit menu), a list in it."""
    win = QMainWindow()
    qtbot.addWidget(win)
    fired: list[str] = []
    for name, key in (("copy", Key.Copy), ("select all", Key.SelectAll)):
        action = QAction(name, win)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _=False, n=name: fired.append(n))
        win.addAction(action)
    rows = QListWidget()
    rows.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    rows.addItems(["alpha", "beta", "gamma"])
    win.setCentralWidget(rows)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    rows.setFocus()
    settle()
    return win, rows, fired


def selected_text(rows: QListWidget) -> str:
    return "\n".join(i.text() for i in sorted(rows.selectedItems(), key=rows.row))


def test_without_the_helper_the_window_takes_the_key(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The case the helper is for: the window's Copy action took Ctrl+C from a focused list."""
    _win, rows, fired = window_with_list(qtbot)
    rows.setCurrentRow(1)
    qtbot.keySequence(rows, QKeySequence(Key.Copy))
    assert fired == ["copy"]


def test_ctrl_c_copies_the_selection_and_keeps_the_clipboard_when_none(qtbot) -> None:  # type: ignore[no-untyped-def]
    _win, rows, fired = window_with_list(qtbot)
    copy_key(rows, lambda: to_clipboard(selected_text(rows)), claim=(Key.SelectAll,))
    QApplication.clipboard().setText("copied before")
    rows.clearSelection()
    qtbot.keySequence(rows, QKeySequence(Key.Copy))
    assert QApplication.clipboard().text() == "copied before"  # nothing selected: nothing wiped
    rows.setCurrentRow(0)
    rows.item(2).setSelected(True)
    qtbot.keySequence(rows, QKeySequence(Key.Copy))
    assert QApplication.clipboard().text() == "alpha\ngamma"
    # Select All is claimed: the list selects its rows itself, the window's action is not fired
    qtbot.keySequence(rows, QKeySequence(Key.SelectAll))
    assert len(rows.selectedItems()) == 3
    assert fired == []
