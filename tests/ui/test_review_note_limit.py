"""A review note holds at most ``MAX_NOTE`` characters: the editor stops there and says so. Before, a note
could be any length (a paste of a whole log), and every report printed it whole."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from pixelproof.core.demo import install_demo
from pixelproof.core.limits import MAX_NOTE
from tests.ui.test_review import CTRL, enter_review, open_window, table_click

EXTRA = "0123456789abcdef"  # typed past the limit


def test_typing_past_the_note_limit_stops_there_and_says_so(qtbot, tmp_path, no_prompts) -> None:
    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    try:
        enter_review(qtbot, win)
        view = win.review.view
        note = view.decision.note_edit
        assert f"{MAX_NOTE:,} characters" in note.toolTip()
        assert not view.decision.note_full.isVisible()
        qtbot.waitUntil(lambda: view.object_model.rowCount() > 0, timeout=10000)
        row = next(k for k, r in enumerate(view.object_model.rows) if r.cand_id is not None)
        table_click(view.object_table, row)
        cand_id = view.object_model.rows[row].cand_id
        QTest.keyClick(view.object_table, Qt.Key.Key_N)
        assert note.hasFocus()
        head = "x" * (MAX_NOTE - 10)
        QGuiApplication.clipboard().setText(head)
        QTest.keyClick(note, Qt.Key.Key_V, CTRL)  # a long note pasted, then typed on past the limit
        QTest.keyClicks(note, EXTRA)
        assert note.text() == head + EXTRA[:10]
        assert view.decision.note_full.isVisible()
        assert f"{MAX_NOTE:,} characters" in view.decision.note_full.text()
        QTest.keyClick(note, Qt.Key.Key_Backspace)  # under the limit again: the line goes
        assert not view.decision.note_full.isVisible()
        QGuiApplication.clipboard().setText("y" * (3 * MAX_NOTE))
        QTest.keyClick(note, Qt.Key.Key_A, CTRL)
        QTest.keyClick(note, Qt.Key.Key_V, CTRL)  # a paste longer than the limit is cut to it
        assert note.text() == "y" * MAX_NOTE and view.decision.note_full.isVisible()
        QTest.keyClick(note, Qt.Key.Key_Backspace, CTRL)  # reject with the note
        assert win.document.project.annotations[cand_id].note == "y" * MAX_NOTE
        assert note.text() == "" and not view.decision.note_full.isVisible()
    finally:
        win.document.undo_stack.setClean()
        win.close()
