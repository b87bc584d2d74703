"""A QA reviewer's keyboard-only pass over the demo project's review view: the decision keys act from the
note field and so does Undo once the field has nothing of its own to undo; Esc (and Enter in the filter)
gives the keys back to a table, so the next D, W, . or O acts on the review, not on the field's text."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.demo import install_demo
from pixelproof.core.edits import AddAnnotations
from tests.ui.conftest import settle
from tests.ui.test_review import opened, wait_image

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, tmp_path: Path, no_prompts):
    yield from opened(qtbot, install_demo(tmp_path / "demo"), size=(1366, 768), review=True)


def key(k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """``k`` pressed on whatever has the keyboard focus."""
    QTest.keyClick(QApplication.focusWidget(), k, mod)
    settle()


def test_ctrl_z_in_the_note_undoes_the_decision_made_from_it(window) -> None:
    """N, a note, Ctrl+Enter: the object is accepted with the note and the field emptied. Ctrl+Z, the
    focus still in the field, undoes that decision (it brought the typed note back into the field, the
    decision kept); Ctrl+Shift+Z makes it again. Text typed since is the field's own to undo first."""
    view = window.review.view
    view.object_table.setFocus()
    key(Qt.Key.Key_Period)  # the first problem object: the demo's missed coin
    key(Qt.Key.Key_Period)  # the next: its extra coin
    row = view.current_object()
    assert row is not None and row.cand_id is not None
    anns = window.document.project.annotations
    key(Qt.Key.Key_N)
    note = view.decision.note_edit
    assert QApplication.focusWidget() is note
    QTest.keyClicks(note, "not a coin")
    key(Qt.Key.Key_Return, CTRL)
    assert (anns[row.cand_id].review, anns[row.cand_id].note) == (
        "accepted",
        "not a coin",
    ) and note.text() == ""
    key(Qt.Key.Key_Z, CTRL)
    assert QApplication.focusWidget() is note
    assert anns[row.cand_id].review is None and note.text() == ""
    key(Qt.Key.Key_Z, CTRL | SHIFT)
    assert anns[row.cand_id].review == "accepted"
    QTest.keyClicks(note, "x")
    key(Qt.Key.Key_Z, CTRL)  # the typed x, not the decision
    assert note.text() == "" and anns[row.cand_id].review == "accepted"


def test_esc_in_the_note_gives_the_keys_back_to_the_objects(window) -> None:
    """Esc in the note field (left with N) puts the focus on the Objects table, the note kept for the next
    decision: the next . steps to a problem object instead of typing a dot into the note."""
    view = window.review.view
    key(Qt.Key.Key_N)
    QTest.keyClicks(view.decision.note_edit, "check edge")
    key(Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is view.object_table
    assert view.decision.note_edit.text() == "check edge"
    key(Qt.Key.Key_Period)
    assert view.current_object() is not None and view.current_object().status != "match"
    assert view.decision.note_edit.text() == "check edge"


@pytest.mark.parametrize("leave", [Qt.Key.Key_Escape, Qt.Key.Key_Return])
def test_esc_or_enter_in_the_filter_gives_the_keys_back_to_the_images(qtbot, window, leave) -> None:
    """A filter typed, then Esc or Enter: the Images table has the keys (the filter kept), so D goes to the
    next image the filter shows instead of typing a d into the filter."""
    view = window.review.view
    edit = view.images.filter_edit
    edit.setFocus()
    QTest.keyClicks(edit, "Dice < 0.99")
    settle()
    key(leave)
    assert QApplication.focusWidget() is view.images.image_table
    assert edit.text() == "Dice < 0.99"
    shown = view.images.listed_ids()
    assert len(shown) >= 2
    view.select_image(shown[0])
    wait_image(qtbot, view)
    key(Qt.Key.Key_D)
    qtbot.waitUntil(lambda: view.image_id == shown[1], timeout=10000)
    assert edit.text() == "Dice < 0.99"


def test_tab_never_stops_out_of_sight_in_the_review_view(window) -> None:
    """Tab round the review view: every stop is on screen, in the window. The labeling view's stacked
    docks' tab bar, emptied when the review view hid them, was a stop off the window (the focus vanished;
    the next key did nothing a reviewer could see); back in the labeling view it is a stop again."""
    view = window.review.view
    view.images.image_table.setFocus()
    settle()
    stops = []
    for _ in range(40):
        key(Qt.Key.Key_Tab)
        w = QApplication.focusWidget()
        stops.append(w)
        at = w.mapTo(window, w.rect().topLeft())
        assert window.rect().contains(at), f"{type(w).__name__} {w.accessibleName()!r} at {at}"
    assert view.object_table in stops and view.decision.note_edit in stops
    key(Qt.Key.Key_Tab, CTRL)  # back to labeling
    window.canvas.setFocus()
    settle()
    seen = set()
    for _ in range(40):
        key(Qt.Key.Key_Tab)
        seen.add(type(QApplication.focusWidget()).__name__)
    assert "QTabBar" in seen


def test_period_and_ctrl_enter_in_turn_decide_every_problem_object(qtbot, window) -> None:
    """. then Ctrl+Enter, again and again, on an image with three extra objects side by side: each is
    decided, and no matched object. A decision moves on to the next row (the next extra), and . went on
    from there, past it: the second extra was skipped and the third Ctrl+Enter accepted a match unseen."""
    doc, view = window.document, window.review.view
    extra = next(r for r in view.object_model.rows if r.status == "fp")
    twins = []
    for n in range(2):  # two more extra coins beside the first
        twin = copy.deepcopy(doc.project.annotations[extra.cand_id])
        twin.id = doc.project.next_annotation_id() + n
        twins.append(twin)
    doc.push(AddAnnotations(twins))
    qtbot.waitUntil(lambda: sum(r.status == "fp" for r in view.object_model.rows) == 3, timeout=10000)
    wait_image(qtbot, view)
    extras = {r.cand_id for r in view.object_model.rows if r.status == "fp"}
    accepted = {a.id for a in doc.project.annotations.values() if a.review == "accepted"}  # the demo's
    view.object_table.setFocus()
    settle()
    said = []
    for _ in range(4):  # the missed coin first: Ctrl+Enter has no candidate object to decide there
        key(Qt.Key.Key_Period)
        said.append(window.shell.messages.messages[-1].text)  # kept: the bar's 4 s may be up
        key(Qt.Key.Key_Return, CTRL)
        qtbot.waitUntil(lambda: view.job is None, timeout=10000)
    decided = {a.id for a in doc.project.annotations.values() if a.review == "accepted"} - accepted
    assert decided == extras
    assert said == ["Problem object 1 of 4: missed (FN)"] + [
        f"Problem object {n} of 4: extra (FP)" for n in (2, 3, 4)
    ]


def test_on_a_missed_row_the_decision_box_says_why_the_object_keys_do_nothing(window) -> None:
    """. onto a missed object (the reference's coin the candidate lacks): Accept / Reject Object are greyed
    and Ctrl+Enter did nothing, with nothing said (the status line meant for it came from a key its
    greyed action never passed on). The box says what to do instead, with the keys, in sight at 1366x768;
    on the next row, an extra object the keys decide, it is gone."""
    view = window.review.view
    assert view.scored.pairs[view.image_id].file_name == "images/coins.png"  # the demo opens on it
    view.object_table.setFocus()
    missed = [n for n, r in enumerate(view.object_model.rows) if r.status == "fn"]
    assert missed, "the demo's coins.png has a missed coin"
    key(Qt.Key.Key_Period)
    assert view.object_table.currentIndex().row() == missed[0]
    line = view.decision.image_decision_label
    assert not view.decision.accept_object_button.isEnabled()
    assert line.isVisible() and line.text() == (
        "A missed object has no candidate annotation to accept or reject: reject the image "
        "(Ctrl+Shift+Backspace), or draw it in the labeling view (Ctrl+Tab)"
    )
    assert line.visibleRegion().boundingRect().height() >= line.heightForWidth(line.width())  # not cut
    before = {a.id: a.review for a in window.document.project.annotations.values()}
    key(Qt.Key.Key_Return, CTRL)
    assert {a.id: a.review for a in window.document.project.annotations.values()} == before
    key(Qt.Key.Key_Period)  # on to a problem the keys can decide
    row = view.current_object()
    assert row is not None and row.cand_id is not None and view.decision.accept_object_button.isEnabled()
    assert line.text() == ""


def test_the_first_problem_object_is_not_skipped_when_the_objects_table_takes_the_focus(window) -> None:
    """Tab (or Esc from the note) into the Objects table makes its first row current, unselected: the
    first . went on from it to the second problem, so the first one, always a missed or extra object at
    the top of the table, was never walked to. . now starts at the first, and , from there says none is
    before it."""
    view = window.review.view
    assert [r.status for r in view.object_model.rows][:2] == ["fn", "fp"]  # the demo's coins.png
    view.images.image_table.setFocus()
    settle()
    key(Qt.Key.Key_Tab)  # the Images table -> the Objects table
    while QApplication.focusWidget() is not view.object_table:
        key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Period)
    assert view.object_table.currentIndex().row() == 0
    assert window.shell.messages.messages[-1].text == "Problem object 1 of 2: missed (FN)"
    key(Qt.Key.Key_Comma)
    assert view.object_table.currentIndex().row() == 0
    key(Qt.Key.Key_Period)
    assert view.object_table.currentIndex().row() == 1
