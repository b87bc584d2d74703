"""The Problems panel's source "+ a results file…": a COCO results file of the user's own model, chosen in
a file dialog, read by the reader `lint --predictions FILE` uses; what it cannot use is said, a bad file
is named with the place, the project is never touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.panels.problems import ProblemsPanel
from tests.ui.conftest import make_project

PROBLEM = Qt.ItemDataRole.UserRole + 1


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """(Overrides conftest's.) Three 320x240 images; a cat box on image 1, nothing on image 2."""
    path = make_project(tmp_path)
    p = load_project(path)
    p.add_annotation(Annotation(1, 1, 1, [40.0, 40.0, 80.0, 60.0], None, 4800.0))
    save_project(p, path)
    return path


@pytest.fixture
def win(problems_window):  # type: ignore[no-untyped-def]
    return problems_window


def results(folder: Path, entries: list[dict], name: str = "results.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(entries))
    return path


def answer_dialog(monkeypatch: pytest.MonkeyPatch, answer: Path | None, asked: list) -> None:
    """The file dialog answers ``answer`` (None: Cancel) and records where it opened."""

    def ask(parent, title, start, *a, **k):  # type: ignore[no-untyped-def]
        asked.append(start)
        return (str(answer) if answer else "", "")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(ask))


def pick(panel, source: str) -> None:
    """Choose ``source`` in the combo with the keyboard, as a user does (each step is a user's pick)."""
    combo = panel.source
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    while combo.currentData() != source:
        QTest.keyClick(combo, Qt.Key.Key_Down)


def pick_again(qtbot, panel) -> None:  # type: ignore[no-untyped-def]
    """Open the combo's list with a click and press Return on the item already chosen (a pick that
    changes nothing: the arrow keys on the closed combo do not pick the current item)."""
    combo = panel.source
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=10000)
    assert view.currentIndex().row() == combo.currentIndex()
    QTest.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=10000)


def find(qtbot, win, panel) -> None:  # type: ignore[no-untyped-def]
    before = panel.result
    QTest.keyClick(win, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: not panel.runner.running and panel.result is not before, timeout=10000)


def problems(panel) -> set[tuple[str, int]]:
    return {(p.kind, p.image_id) for p in panel.model.problems if p.score >= 0.5}


def test_a_results_file_judges_the_labels_and_what_it_cannot_use_is_said(
    qtbot, win, tmp_path: Path, monkeypatch
) -> None:
    panel = win.panels["problemsDock"]
    find(qtbot, win, panel)  # no model: the box alone is fine
    assert problems(panel) == set()
    entries = [
        {"image_id": 1, "category_id": 1, "bbox": [40, 40, 160, 120], "score": 0.99},  # the cat is larger
        {"image_id": 2, "category_id": 2, "bbox": [100, 60, 90, 70], "score": 0.98},  # an unlabelled dog
        {"image_id": 99, "category_id": 1, "bbox": [1, 1, 9, 9], "score": 0.9},  # another project's image
    ]
    chosen = results(tmp_path, entries)
    asked: list = []
    answer_dialog(monkeypatch, chosen, asked)
    pick(panel, "file")
    assert asked == [str(tmp_path)]  # first asked in the project's folder
    before = dict(win.document.project.annotations)
    find(qtbot, win, panel)
    assert problems(panel) == {("partial_box", 1), ("missing_object", 2)}
    assert panel.result.predictions == 2
    summary = panel.summary.text()
    assert "2 predictions from results.json" in summary
    assert "1 left out: " in summary and "results.json[2].image_id: image 99 does not exist" in summary
    assert win.document.project.annotations == before and not win.document.is_modified()
    # remembered for the next start; picked again, the dialog opens on it, and Cancel keeps it
    fresh = ProblemsPanel()
    assert fresh.source.currentData() == "file" and fresh.results_file.path == str(chosen)
    answer_dialog(monkeypatch, None, asked)
    pick_again(qtbot, panel)
    assert asked[-1] == str(chosen) and panel.source.currentData() == "file"


def test_cancelling_the_first_file_dialog_goes_back_to_the_source_before(qtbot, win, monkeypatch) -> None:
    panel = win.panels["problemsDock"]
    pick(panel, "model")
    answer_dialog(monkeypatch, None, [])
    QTest.keyClick(panel.source, Qt.Key.Key_Down)  # to "+ a results file…", the dialog cancelled
    assert panel.source.currentData() == "model"
    assert panel.results_file.chosen() is None


def test_a_bad_results_file_is_named_with_the_place_and_nothing_changes(
    qtbot, win, tmp_path: Path, monkeypatch
) -> None:
    panel = win.panels["problemsDock"]
    find(qtbot, win, panel)
    shown = panel.result
    bad = tmp_path / "broken.json"
    bad.write_text('[{"image_id": 1,')
    answer_dialog(monkeypatch, bad, [])
    pick(panel, "file")
    QTest.keyClick(win, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=10000)
    said = panel.summary.text()
    assert str(bad) in said and "not valid JSON" in said and "line 1 column 17" in said
    assert said in win.statusBar().currentMessage()
    assert panel.result is shown and not win.document.is_modified()
    # a file whose entries are all of another project: refused, the first reason named
    other = results(tmp_path, [{"image_id": 7, "category_id": 1, "bbox": [1, 1, 9, 9], "score": 0.9}] * 2)
    answer_dialog(monkeypatch, other, [])
    pick_again(qtbot, panel)  # the same item picked again: asks for another file
    QTest.keyClick(win, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=10000)
    said = panel.summary.text()
    assert f"{other}: none of the 2 predictions can be used: {other}[0].image_id: image 7" in said
    assert panel.result is shown and not win.document.is_modified()


def test_a_results_file_restored_at_start_stays_when_picked_again_and_cancelled(
    qtbot, win, tmp_path: Path, monkeypatch
) -> None:
    """The source and the file come back at the next start; picking the item again to change the file,
    then Cancel, keeps both (the restored choice is no switch to the source a Cancel undoes)."""
    panel = win.panels["problemsDock"]
    chosen = results(tmp_path, [{"image_id": 1, "category_id": 1, "bbox": [40, 40, 80, 60], "score": 0.9}])
    answer_dialog(monkeypatch, chosen, [])
    pick(panel, "file")
    fresh = ProblemsPanel()  # the next start
    qtbot.addWidget(fresh)
    fresh.show()
    qtbot.waitExposed(fresh)
    assert fresh.source.currentData() == "file" and fresh.results_file.chosen() == str(chosen)
    asked: list = []
    answer_dialog(monkeypatch, None, asked)
    pick_again(qtbot, fresh)
    assert asked == [str(chosen)]
    assert fresh.source.currentData() == "file" and fresh.results_file.chosen() == str(chosen)
