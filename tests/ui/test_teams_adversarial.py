"""Teams features under adversarial sequences (real widgets, real mouse and key events): the Annotators view
beside the labeling and review views, Split for Annotators… with bad names and folders, the Guidelines
panel with links and special characters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from tests.ui.test_teams_ui import _shards
from tests.ui.test_teams_workbench import merge

pytestmark = pytest.mark.gui


def _activate(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()  # a modal dialog had the focus; the window's shortcuts need it active
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def _back_button(view) -> QPushButton:  # type: ignore[no-untyped-def]
    return next(b for b in view.widget.findChildren(QPushButton) if b.text() == "Back to Labeling")


def test_accept_or_consensus_that_change_nothing_leave_no_undo_step(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    merge(qtbot, window, _shards(project_file))
    doc, view = window.document, window.teams.view
    doc.undo_stack.setClean()
    view.action.trigger()
    steps = doc.undo_stack.count()
    # no consensus worked out yet: Accept Consensus has nothing to accept
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    assert doc.undo_stack.count() == steps and not doc.is_modified()
    assert "Consensus first" in window.statusBar().currentMessage()
    assert len(view.panes) == 4  # the annotators' versions are all still there
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    assert doc.undo_stack.count() == steps + 1
    # a second press: every image has its consensus already, nothing to add
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    assert doc.undo_stack.count() == steps + 1
    said = window.statusBar().currentMessage()
    assert "already have a consensus" in said and "review them" not in said
