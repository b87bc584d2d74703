"""Whose shard is open: the window title and the status bar say it, and File > Your Name says who merging
credits (real window, real keys)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel

from pixelproof.core.coco import load_project
from pixelproof.core.split import save_shard, split_project
from tests.ui.test_teams_ui import _answer_modal

pytestmark = pytest.mark.gui


def _ann_shard(project_file: Path) -> Path:
    result = split_project(load_project(project_file), ["ann", "bob"])
    out = project_file.parent / "shards"
    out.mkdir()
    save_shard(result.shards["ann"], out / "ann.json", "ann")
    return out / "ann.json"


def test_an_open_shard_says_whose_it_is_and_who_merging_credits(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    badge = window.statusBar().findChild(QLabel, "shardBadge")
    assert "shard" not in window.windowTitle() and not badge.isVisible()  # the lead's own project
    assert window.open_path(_ann_shard(project_file))
    assert window.windowTitle().startswith("ann's shard — ann.json")
    assert badge.isVisible() and badge.text() == "ann's shard"
    assert "credited to ann when the lead merges it" in badge.toolTip()

    said: list[str] = []

    def read_and_close(dialog: QInputDialog) -> None:
        said.append(dialog.labelText())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    _answer_modal(qtbot, read_and_close)
    qtbot.keyClick(
        window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    text = " ".join(said[0].split())
    assert "Objects you add or change in ann's shard are credited to ann when the lead merges it" in text
    assert "File > Your Name" in text

    window.files.act_close.trigger()
    assert window.windowTitle() == "PixelProof" and not badge.isVisible()
    assert QApplication.activeModalWidget() is None
