"""A class added after a run (by hand, or by a pre-label whose model knows a class the project lacks)
holds no labels: the problem list keeps following the edits. It marked every image changed, and on a
project of more than 40 images the list went stale ("120 images changed since the run: find problems
again to update") after one pre-label. A class renamed still re-checks every image (the problems name it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

import pixelproof.ui.panels.problems as problems_panel
from tests.ui.conftest import click_button
from tests.ui.test_problems_panel import find, project_file, rows  # noqa: F401 (a fixture)

STALE = "changed since the run"


def test_a_class_added_after_a_run_leaves_the_list_live_a_rename_rechecks_all(
    qtbot, problems_window, monkeypatch
) -> None:
    win = problems_window
    monkeypatch.setattr(problems_panel, "MAX_LIVE_RECHECK", 2)  # the project's 3 images count as "many"
    panel = find(qtbot, win)
    found = rows(panel)
    categories = win.panels["categoriesDock"]
    names = iter(["bird", "kitty"])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (next(names), True)))
    click_button(categories.buttons["add"])
    assert win.document.project.category_by_name("bird") is not None
    qtbot.waitUntil(lambda: not panel._recheck_timer.isActive(), timeout=10000)
    assert STALE not in panel.summary.text(), panel.summary.text()
    assert rows(panel) == found
    tree = categories.tree
    cat = tree.visualItemRect(tree.topLevelItem(0)).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=cat)
    click_button(categories.buttons["rename"])
    assert win.document.project.category_by_name("kitty") is not None
    qtbot.waitUntil(lambda: STALE in panel.summary.text(), timeout=10000)
