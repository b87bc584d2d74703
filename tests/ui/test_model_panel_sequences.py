"""Model panel and assist tool under awkward sequences, on the real window with real clicks and keys: a
setting changed while a batch runs, a prompt made while the image is still loading, a 16-bit picture
prompted as the screen shows it."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from pixelproof.inference import base as inference
from pixelproof.inference.base import Backend, BackendInfo, Prediction
from tests.ui.test_model_panel import (
    choose,
    demo,
    fake_backends,
    go_to,
    key,
    predictions,
    press,
    wait_batch,
)
from tests.ui.test_model_panel_run import type_into

FIXTURES = (demo, fake_backends)  # shared with test_model_panel; pytest finds them by name


class ScoredSlow(Backend):
    """Two boxes (scores 0.3 and 0.9) per image after a pause, filtered by its minimum score."""

    name = "scoredslow"
    kind = "detect"
    options = {"score_threshold": "minimum score"}  # noqa: RUF012
    delay = 0.3

    def categories(self) -> list[str]:
        return ["thing"]

    def predict(self, image, prompt=None):
        time.sleep(self.delay)
        found = [Prediction("thing", 0.3, [10, 10, 40, 40]), Prediction("thing", 0.9, [100, 10, 40, 40])]
        return [p for p in found if p.score >= self.score_threshold]


@pytest.fixture
def more_backends(monkeypatch: pytest.MonkeyPatch, fake_backends) -> None:
    real = inference.discover

    def discover():
        return sorted([*real(), BackendInfo(ScoredSlow.name, "tests:ScoredSlow", None, ScoredSlow)],
                      key=lambda i: i.name)  # fmt: skip

    monkeypatch.setattr(inference, "discover", discover)


def test_min_score_changed_during_a_batch_is_the_one_used_after(qtbot, more_backends, demo) -> None:
    """The minimum score shown in the panel is the one the next run uses: while a batch runs the field
    cannot say one thing while the backend keeps another."""
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "scoredslow")
    spin = panel.backends.options.threshold_spin
    assert spin.isEnabled()
    press(qtbot, panel, panel.act_prelabel_all)
    qtbot.waitUntil(lambda: panel.batch.progress.value() >= 1, timeout=10000)
    type_into(spin, "0.5")  # typed while the batch runs
    wait_batch(qtbot, panel)
    backend = panel.session.backend
    assert spin.value() == pytest.approx(backend.score_threshold)  # shown = used
    go_to(qtbot, win, 3)
    for a in predictions(doc, 3):
        assert a.image_id == 3
    press(qtbot, panel, panel.review.act_reject_all)
    assert not predictions(doc, 3)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert all(a.score >= spin.value() for a in predictions(doc, 3))
