"""Accept Consensus says what it deletes with the annotators' versions that no consensus object keeps."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from pixelproof.core.overlap_versions import ANNOTATOR_KEY, CONSENSUS_TIE
from tests.ui.conftest import open_main_window
from tests.ui.test_teams_agreeview import CTRL_SHIFT, merged_project

pytestmark = pytest.mark.gui


def _side_by_side(qtbot, project_file):  # type: ignore[no-untyped-def]
    """ann's and bob's versions merged, the Annotators view open on the first image: (window, image id)."""
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob"]))
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    qtbot.waitUntil(win.teams.view.overlays_ready, timeout=10000)
    return win, win.teams.view.images.currentData()


def test_accepting_a_consensus_says_which_objects_only_one_of_two_annotators_drew_it_deletes(
    qtbot, project_file, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """Two annotators, ann drew a disc and bob nothing, ties dropped: no majority, so the consensus is empty
    and accepting it deleted ann's disc without a word (the usual case with two copies of an overlap
    image)."""
    win, image_id = _side_by_side(qtbot, project_file)
    doc, view = win.document, win.teams.view
    anns = [a.id for a in doc.project.annotations_of(image_id) if a.app_extra.get(ANNOTATOR_KEY) == "ann"]
    assert len(anns) == 1
    view.ties.setFocus()
    qtbot.keyClick(view.ties, Qt.Key.Key_Down)  # Ties: drop
    assert view.ties.currentData() == "drop"
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    said = win.statusBar().currentMessage()
    assert anns[0] not in doc.project.annotations
    assert "1 object of the annotators no consensus object keeps" in said and "Undo" in said
    assert doc.project.images[image_id].file_name in said
    view.panes[0].setFocus()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert anns[0] in doc.project.annotations  # undo brings it back
    win.close()


def test_accepting_a_consensus_says_the_objects_accepted_and_those_removed_apart(
    qtbot, project_file, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """Three annotators, two drew the disc: one consensus object accepted, the two versions deleted. The
    button said nothing of either (the command said one sum of both, 'accepted or removed')."""
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    qtbot.waitUntil(win.teams.view.overlays_ready, timeout=10000)
    doc, view = win.document, win.teams.view
    image_id = view.images.currentData()
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    [kept] = doc.project.annotations_of(image_id)
    assert kept.review == "accepted"
    assert win.statusBar().currentMessage() == "Consensus accepted: 1 object accepted, 2 objects removed"
    win.close()


def test_by_default_what_one_of_two_annotators_drew_is_proposed_and_stays_pending_after_accept(
    qtbot, project_file, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """The same disc ann drew alone: Consensus (Ties: review, the default) proposes it, noted 'drawn by 1
    of 2 annotators'; Accept Consensus drops the versions but leaves that object pending, and says so."""
    win, image_id = _side_by_side(qtbot, project_file)
    doc, view = win.document, win.teams.view
    [ann] = [a for a in doc.project.annotations_of(image_id) if a.app_extra.get(ANNOTATOR_KEY) == "ann"]
    assert view.ties.currentText() == "Ties: review"
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)
    said = win.statusBar().currentMessage()
    assert "(2 ties among them, objects drawn by exactly half of the annotators;" in said
    assert "The 2 ties stay pending until you decide: accept or reject each in the Review mode" in said
    assert "at once with Accept All Ties / Reject All Ties; Accept Consensus does not decide them" in said
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    said = win.statusBar().currentMessage()
    [left] = doc.project.annotations_of(image_id)
    assert left.review == "pending" and left.note == "drawn by 1 of 2 annotators"
    assert left.app_extra[CONSENSUS_TIE] == [1, 2] and ANNOTATOR_KEY not in left.app_extra
    assert left.bbox == ann.bbox and left.area == ann.area  # what ann drew, to accept or reject
    assert "1 object drawn by half of the annotators (a tie) left pending" in said
    assert "no consensus object keeps" not in said
    back = next(b for b in view.widget.findChildren(QPushButton) if b.text() == "Back to Labeling")
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: left.id in win.canvas.items_by_id, timeout=10000)
    item = win.canvas.items_by_id[left.id]  # a proposal, drawn as a model's: dashed until decided
    assert (item.pen() if hasattr(item, "pen") else item._pen).style() == Qt.PenStyle.CustomDashLine
    win.close()


def test_the_ties_box_leaves_the_image_name_whole_at_1024(qtbot, project_file, no_prompts) -> None:  # type: ignore[no-untyped-def]
    """Beside the image box, the Ties box squeezed it to 'images/i' (and pushed the right dock out)."""
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob"]))
    win.resize(1024, 768)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == (1024, 768), timeout=10000)
    view = win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    box = view.images
    assert box.fontMetrics().horizontalAdvance(box.currentText()) < box.width() - 30  # the arrow's room
    assert view.ties.isVisible() and view.ties.width() >= view.ties.sizeHint().width()
    win.close()
