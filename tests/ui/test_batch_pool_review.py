"""The app's QA (review view) and Find problems (lint) on a large project run on local worker processes
(issue 17), as Pre-label all does: the progress bar says so, Cancel stops the workers, and the result is
the serial one. "Large" is lowered to a few images so the demo project counts as large."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.batch import executors
from pixelproof.core.coco import load_project
from pixelproof.core.lint import LintOptions, lint_project
from pixelproof.ui.panels.problems.runner import LIST_FLOOR
from tests.ui.test_problems_panel import find, project_file, win  # noqa: F401 (fixtures)
from tests.ui.test_review import demo, expected_table, open_window  # noqa: F401 (fixtures)

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """A job of 2+ images is large, on a machine of 2 cores (a large job takes one worker per core: on a
    1-core runner it would run serially); the pool starts cold (no warm workers from an earlier test)."""
    executors.release_pools()
    monkeypatch.setattr(executors, "LARGE_JOB_IMAGES", 2)
    monkeypatch.setattr(executors, "available_cores", lambda: 2)


def test_review_qa_runs_on_worker_processes_and_cancel_stops_them(
    qtbot,
    demo: Path,  # noqa: F811 (the fixture)
    no_prompts,
    large,
) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo)
    view = window.review.view
    formats: list[str] = []
    view.header.progress.valueChanged.connect(lambda _v: formats.append(view.header.progress.format()))
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # review: QA starts
    qtbot.waitUntil(lambda: bool(view.where), timeout=20000)
    assert "local worker processes" in view.where
    qtbot.mouseClick(view.header.cancel_button, LEFT)
    # the job leaves its executor cancelled: the pool's processes are stopped, not kept warm
    qtbot.waitUntil(lambda: not executors._pools and not executors._busy, timeout=20000)
    assert view.scored is None and view.header.run_button.isEnabled()

    formats.clear()
    qtbot.mouseClick(view.header.run_button, LEFT)  # Run QA again: to the end this time
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=60000)
    assert any("local worker processes" in f for f in formats)
    assert view.scored.image_table == expected_table(demo)  # the serial core's table
    assert executors._pools  # kept warm for the next run
    window.document.undo_stack.setClean()
    window.close()


def test_find_problems_runs_on_worker_processes(qtbot, win, project_file: Path, large) -> None:  # noqa: F811
    panel = win.panels["problemsDock"]
    phases: list[str] = []
    panel.runner.progress.connect(lambda phase, _d, _t: phases.append(phase))
    find(qtbot, win)
    assert any(p.startswith("checking on ") and "local worker processes" in p for p in phases)
    serial = lint_project(load_project(project_file), None, None, LintOptions(min_score=LIST_FLOOR))
    got = [(p.kind, p.image_id, p.annotation_id, p.score) for p in panel.result.problems]
    assert got == [(p.kind, p.image_id, p.annotation_id, p.score) for p in serial.problems]
    assert got  # the project has problems to find
