"""The review view's header says plainly what is compared with what: the reference's file and what in it,
then this project as the candidate; a long name is cut, never widening the window."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pixelproof.core.demo import install_demo
from tests.ui.conftest import tooltip_of
from tests.ui.test_review import enter_review, opened


@pytest.fixture
def window(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    yield from opened(qtbot, install_demo(tmp_path / "demo"))


def test_the_header_names_the_reference_file_what_it_holds_and_the_candidate(qtbot, window) -> None:
    enter_review(qtbot, window)
    label = window.review.view.header.reference_label
    assert label.whole == "objects in reference.json, read as COCO JSON · Candidate: this project's objects"
    assert label.text() == label.whole  # room enough at 1500 px: shown whole
    tip = tooltip_of(qtbot, label, label.rect().center(), "ground truth")
    assert str(window.document.project.path.parent / "reference.json") in tip


def test_a_long_reference_name_is_cut_not_widening_the_window(qtbot, window, tmp_path: Path) -> None:
    folder = window.document.project.path.parent
    long_name = "reference_" + "annotated_by_the_second_team_in_march" * 3 + ".json"
    shutil.copy(folder / "reference.json", folder / long_name)
    window.review.set_reference(folder / long_name)  # Review > Choose Reference Project…, as chosen
    view = window.review.view
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=10000)
    label = view.header.reference_label
    assert label.whole.startswith(f"objects in {long_name}, read as COCO JSON")
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366, timeout=10000)
    assert label.is_cut() and label.text().endswith("…")
    assert window.minimumSizeHint().width() <= 1366
