"""A model whose best score stays under "confident" (0.95, ObjectLab's; yolo11n's best is some 0.94)
can find no missing object or wrong class: the line under the list says so and where to lower it, where
the list just showed none."""

from __future__ import annotations

import pytest

from pixelproof.inference.base import Prediction
from tests.ui.test_problems_panel import SlowDetector, choose_backend, find, project_file, register  # noqa: F401


class UnsureDogs(SlowDetector):
    name = "unsure-dogs"

    def predict(self, image, prompt=None):
        return [Prediction("dog", 0.9, [10, 10, 30, 30])]


@pytest.fixture
def unsure(monkeypatch: pytest.MonkeyPatch) -> None:
    register(monkeypatch, UnsureDogs)


def test_a_model_never_confident_is_said_under_the_list(qtbot, unsure, problems_window) -> None:
    win = problems_window
    choose_backend(qtbot, win, "unsure-dogs")
    panel = find(qtbot, win, "model")
    assert not [p for p in panel.model.problems if p.kind == "missing_object"]
    text = panel.summary.text()
    assert text.startswith(
        "3 shown of 3 found (0 not a problem) in 3 images, 3 predictions. No prediction reaches the "
        "confident score 0.95 (the highest of 3 is 0.9): missing object and wrong class can find nothing"
    ), text
    assert "lower “confident” under Rules…" in text
