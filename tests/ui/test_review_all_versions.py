"""Review > Score Every Annotator's Version: the review view scores a team's merged project as ``qa
--versions all`` does (every annotator's version of an overlap image, each copy an extra object) or, by
default, what the team agreed (the consensus objects); Export Report writes with the same setting. Before,
the view always scored ``agreed`` and only the command line could score every version."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.core.consensus import consensus_edit
from tests.core.teams_data import H, W
from tests.core.test_qa_team import OVER, team_round
from tests.ui.test_channels import open_menu
from tests.ui.test_review import column_values, enter_review, open_window
from tests.ui.test_review_export_report import export

MENU = "Review > Score Every Annotator's Version"  # the app's lines name the menu item, not qa's flag
AGREED = f"the {OVER * 2} objects of the annotators' versions left out ({MENU} scores every version)"
EVERY = f"every version there is scored ({MENU})"


def _merged(tmp_path: Path) -> Path:
    """The team's merged project with its consensus worked out (not accepted), the gold its reference."""
    gold, merged, _, _ = team_round(tmp_path)
    edit, _ = consensus_edit(merged, "majority")
    edit.apply(merged)
    merged.reference = gold.path.name
    for image in merged.images.values():
        (tmp_path / image.file_name).parent.mkdir(exist_ok=True)
        cv2.imwrite(str(tmp_path / image.file_name), np.full((H, W), 128, np.uint8))
    return save_project(merged)


def _click(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """Review > Score Every Annotator's Version with the mouse; the run it starts is waited for."""
    view, menu, act = win.review.view, win.review.menu, win.review.act_versions
    open_menu(qtbot, menu, None, win)
    assert act.isEnabled() and act.text() == "S&core Every Annotator's Version"
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(act).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: view.job is None, timeout=10000)


def _banner(win) -> list[str]:  # type: ignore[no-untyped-def]
    return win.review.view.header.banner.shown_text().splitlines()


def test_the_menu_item_scores_every_version_and_back(
    qtbot, tmp_path: Path, no_prompts, errors, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    path = _merged(tmp_path)
    win = open_window(qtbot, path)
    act, view = win.review.act_versions, win.review.view
    try:
        assert not act.isEnabled()  # the labeling view: it acts in review only
        enter_review(qtbot, win)
        assert not act.isChecked() and view.options.versions == "agreed"
        assert any(line.endswith(AGREED) for line in _banner(win)), _banner(win)
        assert sum(column_values(view, "fp")) == 0  # the consensus: no copy is an extra object

        _click(qtbot, win)
        assert act.isChecked() and view.options.versions == "all"
        assert any(line.endswith(EVERY) for line in _banner(win)), _banner(win)
        assert sum(column_values(view, "fp")) == OVER * 2  # each annotator's copy beside the match: extra
        report = tmp_path / "out.json"
        export(qtbot, win, monkeypatch, report, "json")  # Export Report scores with the same setting
        data = json.loads(report.read_text())
        assert data["options"]["versions"] == "all" and data["summary"]["fp"] == OVER * 2
        # a report file names the command line's flag, as pixelproof qa's report does
        assert any(p.endswith("every version there is scored (--versions all)") for p in data["problems"])
        assert errors == []

        _click(qtbot, win)  # and back: the consensus again
        assert not act.isChecked() and view.options.versions == "agreed"
        assert any(line.endswith(AGREED) for line in _banner(win)), _banner(win)
        assert sum(column_values(view, "fp")) == 0
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_item_is_greyed_on_a_project_without_versions(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    from pixelproof.core.demo import install_demo

    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    try:
        enter_review(qtbot, win)
        act = win.review.act_versions
        assert not act.isEnabled() and "annotators' versions" in act.statusTip()
    finally:
        win.close()


def test_the_item_says_what_it_does_in_the_apps_words(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    """Its tooltip (and Help > Shortcuts' note) named ``qa --versions all``, sending an app user to a
    terminal; they now say what it does, as the banner names the menu item."""
    from pixelproof.ui.shortcuts import REGISTRY

    win = open_window(qtbot, _merged(tmp_path))
    act, menu = win.review.act_versions, win.review.menu
    try:
        enter_review(qtbot, win)
        open_menu(qtbot, menu, None, win)
        assert act.isEnabled() and menu.actionGeometry(act).isValid()
        said = [act.toolTip(), act.statusTip(), REGISTRY.get("review.all_versions").note]
        assert not any("--" in text for text in said), said
        assert "score every annotator's version" in act.toolTip(), act.toolTip()
        menu.close()
    finally:
        win.document.undo_stack.setClean()
        win.close()
