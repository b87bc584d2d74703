"""The decision keys typed in the note field on a row they cannot decide (a missed object: no candidate
annotation) leave the typed note as it is: Ctrl+Backspace there is Reject Object, never the field's
delete-word."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.test_review_keyboard_only import CTRL, key, window  # noqa: F401 (window: the fixture)


def test_ctrl_backspace_on_a_missed_row_keeps_the_typed_note(window) -> None:  # noqa: F811
    """N, a note, Ctrl+Backspace on the demo's missed coin (Reject Object greyed): the key fell through
    to the line edit and deleted the note's last word; Ctrl+Enter likewise does nothing. Nothing is
    decided and the note is kept whole for the next decision."""
    view = window.review.view
    view.object_table.setFocus()
    key(Qt.Key.Key_Period)  # the demo's missed coin
    row = view.current_object()
    assert row is not None and row.status == "fn"
    key(Qt.Key.Key_N)
    note = view.decision.note_edit
    QTest.keyClicks(note, "coin drawn too small")
    before = {a.id: a.review for a in window.document.project.annotations.values()}
    key(Qt.Key.Key_Backspace, CTRL)
    key(Qt.Key.Key_Return, CTRL)
    assert note.text() == "coin drawn too small"
    assert {a.id: a.review for a in window.document.project.annotations.values()} == before


def test_on_a_rejected_image_the_missed_row_s_hint_does_not_say_reject_it_and_is_in_sight(window) -> None:  # noqa: F811
    """Ctrl+Shift+Backspace rejects coins.png as a whole, then . goes to its missed coin: the box read
    "This image: rejected" and under it "... reject the image (Ctrl+Shift+Backspace), or draw it ...",
    advice already followed, and at 1366x768 its last line was cut off under a scroll bar. It now says
    only what is left to do, whole in sight."""
    view = window.review.view
    view.object_table.setFocus()
    key(Qt.Key.Key_Backspace, CTRL | Qt.KeyboardModifier.ShiftModifier)
    key(Qt.Key.Key_Period)
    row = view.current_object()
    assert row is not None and row.status == "fn"
    line = view.decision.image_decision_label
    assert line.text() == (
        "This image: <b>rejected</b><br>A missed object has no candidate annotation to accept or reject: "
        "draw it in the labeling view (Ctrl+Tab)"
    )
    assert line.visibleRegion().boundingRect().height() >= line.heightForWidth(line.width())  # not cut
