"""The Annotators view's tie controls: Accept / Reject All Ties decide every pending tie in one undo step,
with the count in their labels; the Ties box's choice is kept for the next window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pixelproof.core.overlap_versions import CONSENSUS_TIE
from tests.ui.conftest import open_main_window
from tests.ui.test_teams_accept import _side_by_side
from tests.ui.test_teams_agreeview import CTRL_SHIFT, merged_project

pytestmark = pytest.mark.gui


def _ties(doc) -> list:  # type: ignore[no-untyped-def]
    return [a for a in doc.project.annotations.values() if CONSENSUS_TIE in a.app_extra]


def _consensus(qtbot, view) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)


@pytest.mark.parametrize("verb, decision", [("Accept", "accepted"), ("Reject", "rejected")])
def test_all_ties_are_decided_in_one_undo_step_and_the_buttons_count_them(
    qtbot, project_file, no_prompts, verb: str, decision: str
) -> None:  # type: ignore[no-untyped-def]
    """Ties were decided one by one in the Review mode: with hundreds of overlap images, hundreds of
    clicks. Also after Accept Consensus, when the image is no overlap image any more."""
    win, _image_id = _side_by_side(qtbot, project_file)
    doc, view = win.document, win.teams.view
    button = view.tie_buttons.accept_button if verb == "Accept" else view.tie_buttons.reject_button
    assert button.text() == f"{verb} All Ties" and not button.isEnabled()  # nothing to decide yet
    _consensus(qtbot, view)
    n = len(_ties(doc))
    assert n >= 1
    assert button.text() == f"{verb} All Ties ({n})" and button.isEnabled()
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)  # consensus accepted: ties stay
    qtbot.waitUntil(lambda: button.text() == f"{verb} All Ties ({n})", timeout=10000)
    steps = doc.undo_stack.count()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert [a.review for a in _ties(doc)] == [decision] * n
    assert doc.undo_stack.count() == steps + 1  # one step
    assert button.text() == f"{verb} All Ties" and not button.isEnabled()
    assert f"{decision} · Ctrl+Z undoes" in win.statusBar().currentMessage()
    view.images.setFocus()
    qtbot.keyClick(view.images, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [a.review for a in _ties(doc)] == ["pending"] * n
    qtbot.waitUntil(lambda: button.text() == f"{verb} All Ties ({n})" and button.isEnabled(), timeout=10000)
    win.close()


def test_the_ties_box_choice_is_kept_for_the_next_window(qtbot, project_file, no_prompts) -> None:  # type: ignore[no-untyped-def]
    path = merged_project(project_file, ["ann", "bob"])
    win = open_main_window(qtbot, path)
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    view = win.teams.view
    assert view.ties.currentData() == "pending"
    view.ties.setFocus()
    qtbot.keyClick(view.ties, Qt.Key.Key_Down)  # Ties: drop
    assert view.ties.currentData() == "drop"
    win.close()
    again = open_main_window(qtbot, path)
    assert again.teams.view.ties.currentData() == "drop"
    again.teams.view.ties.setFocus()
    qtbot.keyClick(again.teams.view.ties, Qt.Key.Key_Up)
    again.close()
    third = open_main_window(qtbot, path)
    assert third.teams.view.ties.currentData() == "pending"
    third.close()


def test_the_annotators_line_says_one_annotator_in_the_singular() -> None:
    from pixelproof.ui.review.annotators import share_text

    assert share_text(1, None, 1) == "1 annotator; no annotator labelled this image"
    assert share_text(1, 0.5, 1).startswith("1 annotator; they differ on 50%")
