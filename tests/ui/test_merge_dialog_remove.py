"""File > Merge Shards…: a shard added by mistake leaves the list - the Remove button, the Delete key (and
Backspace, as on macOS) on the list - before OK, so the merge never takes it (real clicks and keys)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pixelproof.ui.teams import MergeDialog
from tests.ui.conftest import click_button, click_item

pytestmark = pytest.mark.gui


def _dialog(qtbot, paths: list[str]) -> MergeDialog:  # type: ignore[no-untyped-def]
    dialog = MergeDialog()
    qtbot.addWidget(dialog)
    for p in paths:
        dialog.shards.addItem(p)  # what Add Shards… puts in the list after its file dialog
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=10000)  # the list's keys need the active window
    return dialog


def test_remove_button_and_delete_key_take_shards_off_the_list(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ["s/ann.json", "s/bob.json", "s/cy.json", "s/lead-manifest.json", "s/dee.json"])
    shards = dialog.shards
    assert not dialog.remove.isEnabled()  # nothing selected: nothing to remove
    click_item(shards, shards.item(3))  # the manifest, added among the shards by mistake
    qtbot.waitUntil(shards.hasFocus, timeout=10000)  # the click gives the list the keyboard
    assert dialog.remove.isEnabled()
    qtbot.keyClick(shards, Qt.Key.Key_Delete)
    assert dialog.paths() == ["s/ann.json", "s/bob.json", "s/cy.json", "s/dee.json"]
    # the next one is selected: Delete again takes it too
    assert shards.currentItem().text() == "s/dee.json" and shards.hasFocus()
    qtbot.keyClick(shards, Qt.Key.Key_Backspace)
    assert dialog.paths() == ["s/ann.json", "s/bob.json", "s/cy.json"]
    # the button, on a selection of two (Ctrl+click adds to it)
    click_item(shards, shards.item(0))
    qtbot.mouseClick(
        shards.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        shards.visualItemRect(shards.item(2)).center(),
    )
    click_button(dialog.remove)
    assert dialog.paths() == ["s/bob.json"]
    click_button(dialog.remove)
    assert dialog.paths() == [] and not dialog.remove.isEnabled()
    qtbot.keyClick(shards, Qt.Key.Key_Delete)  # an empty list: nothing happens
    assert dialog.paths() == []
    # Delete in the manifest field edits its text: the list's key is the list's only
    dialog.shards.addItem("s/ann.json")
    click_item(shards, shards.item(0))
    dialog.manifest.setText("m.json")
    dialog.manifest.setFocus()
    dialog.manifest.setCursorPosition(0)
    qtbot.keyClick(dialog.manifest, Qt.Key.Key_Delete)
    assert dialog.manifest.text() == ".json" and dialog.paths() == ["s/ann.json"]
