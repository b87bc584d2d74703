"""The app's Pre-label all on a large project runs on local worker processes (issue 17), with the same
predictions as the serial path, one undo step per image."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.batch import executors
from pixelproof.core.coco import load_project
from pixelproof.inference.apply import prelabel_project
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_scale_cli import coin_pictures
from tests.ui.test_model_panel import choose, press, wait_batch

IMAGES = 12  # a large job once "large" starts at 2 images (the pool starts the same for 12 or 200)


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", coin_pictures(IMAGES, side=64))


def test_prelabel_all_on_a_large_project_uses_worker_processes(
    qtbot, window, project_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(executors, "LARGE_JOB_IMAGES", 2)
    monkeypatch.setattr(executors, "available_cores", lambda: 2)  # one worker per core: 2 on any runner
    doc = window.document
    panel = choose(qtbot, window, "threshold")
    steps = doc.undo_stack.count()
    press(qtbot, panel, panel.act_prelabel_all)
    qtbot.waitUntil(lambda: "local worker processes" in panel.batch.progress.format(), timeout=60000)
    wait_batch(qtbot, panel)
    got = {}
    for a in doc.project.annotations.values():
        got.setdefault(a.image_id, []).append((a.bbox, a.area))
    assert doc.undo_stack.count() - steps == len(got)

    serial = load_project(project_file)  # the same backend and options, in this process
    spec = panel.backends.spec(panel.session.backend)
    prelabel_project(serial, spec.make())
    expected = {}
    for a in serial.annotations.values():
        expected.setdefault(a.image_id, []).append((a.bbox, a.area))
    assert len(expected) > IMAGES // 2 and got == expected
