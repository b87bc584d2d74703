"""The Problems panel's filters change what is listed, never what is shown: a kind filter hiding the
problem being looked at used to open the next listed problem's image (the selection model moved the
current row and the panel showed it), pulling the canvas away from the image under review."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import settle
from tests.ui.test_problems_panel import click_row, find, project_file, rows  # noqa: F401  (its project)


def choose(combo, data: str | None) -> None:
    """Pick the entry of ``data`` with the keyboard, as a user tabbing to the filter does."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    while combo.currentData() != data:
        before = combo.currentIndex()
        QTest.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentIndex() != before, f"{data} not in the filter"
    settle()


def test_a_kind_filter_hiding_the_shown_problem_keeps_its_image(qtbot, problems_window) -> None:
    win = problems_window
    panel = find(qtbot, win)
    doc = win.document
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "tiny"))
    assert doc.current_image_id == 2 and doc.selection == [3]
    zoom = win.canvas.zoom
    choose(panel.kind_filter, "duplicate")
    assert rows(panel) == [("duplicate", 2)]
    assert doc.current_image_id == 2 and doc.selection == [3] and win.canvas.zoom == zoom  # no jump
    # nothing selected in the list: Shift+F and X must not act on a problem of another image
    assert not panel.table.currentIndex().isValid() and not panel.act_fix.isEnabled()
    assert panel.detail.text() == ""
    # back to all kinds: the problem being looked at is selected again, still without a jump
    choose(panel.kind_filter, None)
    assert doc.current_image_id == 2
    assert panel.table.currentIndex().data(Qt.ItemDataRole.UserRole + 1).kind == "tiny"
    # Shift+D from there goes on through the list as before
    QTest.keyClick(win, Qt.Key.Key_D, Qt.KeyboardModifier.ShiftModifier)
    assert panel.table.currentIndex().data(Qt.ItemDataRole.UserRole + 1).kind != "tiny"


def test_a_filter_keeping_the_shown_problem_keeps_it_selected(qtbot, problems_window) -> None:
    win = problems_window
    panel = find(qtbot, win)
    doc = win.document
    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "out_of_bounds"))
    assert doc.current_image_id == 2 and doc.selection == [4]
    choose(panel.class_filter, "dog")
    assert rows(panel) == [("out_of_bounds", 4)]
    assert panel.table.currentIndex().row() == 0 and doc.current_image_id == 2 and doc.selection == [4]
