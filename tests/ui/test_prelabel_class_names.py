"""A model whose class is named past what PixelProof makes a category name (over 200 characters, a line
break: ``core.names.category_name_problem``): pre-labeling keeps the name whole, as the model names it, and
the ``prelabel`` command says so (``PredictionMapper.problems``). The app's Model panel said nothing: the
user was not told a category named so had been made. Its run summary and problems list now say it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pixelproof.core.demo import install_demo
from pixelproof.core.names import category_name_problem
from pixelproof.inference import registry as inference
from pixelproof.inference.base import Backend, Prediction
from pixelproof.inference.registry import BackendInfo
from tests.ui.test_model_panel import choose, close_window, key, open_window, predictions, wait_batch

LONG = "cell " * 60  # 300 characters


class LongNameBackend(Backend):
    """One box per image, of a class named in 300 characters (two classes: a single-class model's class
    goes to the current category)."""

    name = "longname"
    kind = "detect"

    def categories(self) -> list[str]:
        return [LONG, "other"]

    def predict(self, image, prompt=None):
        return [Prediction(LONG, 0.8, [5, 5, 20, 10])]


@pytest.fixture
def long_name_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    real = inference.discover
    fake = BackendInfo("longname", "tests:LongNameBackend", None, LongNameBackend)
    monkeypatch.setattr(inference, "discover", lambda: sorted([*real(), fake], key=lambda i: i.name))


def test_a_class_name_kept_whole_is_said_in_the_panel(
    qtbot, tmp_path: Path, no_prompts, errors, long_name_backend
) -> None:
    assert len(LONG) == 300 and category_name_problem(LONG) is not None
    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    doc = win.document
    panel = choose(qtbot, win, "longname")
    with qtbot.captureExceptions() as exceptions:
        win.canvas.setFocus()
        key(win, Qt.Key.Key_M)
        wait_batch(qtbot, panel)
    assert not exceptions, exceptions
    made = predictions(doc)
    assert len(made) == 1 and doc.project.categories[made[0].category_id].name == LONG  # kept whole
    summary = panel.batch.summary_label.text()
    assert "1 new category" in summary
    assert "1 model class name kept whole" in summary, summary
    lines = [panel.batch.problems.item(i).text() for i in range(panel.batch.problems.count())]
    assert len(lines) == 1 and panel.batch.problems.isVisibleTo(panel)
    assert "model class “cell cell" in lines[0] and "kept whole as the model names it" in lines[0]
    assert category_name_problem(LONG) in lines[0] and LONG not in lines[0]  # quoted short, not 300 wide
    assert not errors
    close_window(win)
