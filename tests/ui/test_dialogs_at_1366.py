"""Dialogs and panels as a 1366x768 laptop showed them in a visual audit: Edit > Preferences listed 12 of
its ~150 actions at a time (rows at the style's 30 px, where Help > Shortcuts fits two dozen); File > Merge
Shards… and Split for Annotators… ended on a bare "OK" where Import and Export name what they do; the review
view's decision buttons ("Accept object") and the Problems panel's ("Find problems", "Not a problem") were
cased unlike the menu items they trigger ("Accept Object", "Find Problems", "Not a Problem")."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from pixelproof.ui.shortcuts import REGISTRY
from tests.ui.conftest import settle

pytestmark = pytest.mark.gui

LAPTOP_W, LAPTOP_H = 1366, 768
TASKBAR = 40  # a laptop's available height: the screen less a panel


def test_preferences_shows_two_dozen_actions_and_fits_a_laptop_screen(qtbot) -> None:
    from pixelproof.ui.preferences import PreferencesDialog

    dlg = PreferencesDialog()
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    settle()
    frame = dlg.frameGeometry()
    assert frame.width() <= LAPTOP_W and frame.height() <= LAPTOP_H - TASKBAR, frame
    table = dlg.table
    text_height = table.fontMetrics().height()
    assert table.rowHeight(0) <= text_height + 10, (
        table.rowHeight(0),
        text_height,
    )  # one line: one line high
    in_sight = table.viewport().height() // table.rowHeight(0)
    assert in_sight >= 20, in_sight
    # a row as tall as its text: the text itself is never cut
    assert all(table.rowHeight(r) >= text_height for r in range(table.rowCount()))


@pytest.mark.parametrize(("name", "word"), [("MergeDialog", "Merge"), ("SplitDialog", "Split")])
def test_teams_dialogs_name_their_ok_button_as_import_and_export_do(qtbot, tmp_path, name, word) -> None:
    from pixelproof.ui import teams

    cls = getattr(teams, name)
    dlg = cls(tmp_path / "project.json") if name == "SplitDialog" else cls()
    qtbot.addWidget(dlg)
    buttons = dlg.findChild(QDialogButtonBox)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == word
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "") == "Cancel"


def test_review_decision_buttons_read_as_their_menu_items(qtbot) -> None:
    from pixelproof.ui.review.parts import DecisionBox

    box = DecisionBox(lambda: [])
    qtbot.addWidget(box)
    for id, button in (
        ("review.accept_object", box.accept_object_button),
        ("review.reject_object", box.reject_object_button),
        ("review.accept_image", box.accept_image_button),
        ("review.reject_image", box.reject_image_button),
    ):
        assert button.text() == REGISTRY.get(id).label, (button.text(), REGISTRY.get(id).label)


def test_problems_buttons_read_as_their_menu_items(qtbot, window) -> None:
    panel = window.panels["problemsDock"]
    checked = 0
    for id in ("lint.run", "lint.dismiss"):
        button = panel.findChild(QPushButton, f"button_{id}")
        assert button is not None, id
        assert button.text().split(" (")[0] == REGISTRY.get(id).label, (button.text(), REGISTRY.get(id).label)
        checked += 1
    assert checked == 2
