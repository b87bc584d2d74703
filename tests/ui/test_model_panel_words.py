"""A model's failure reaching the Model panel said what to do in ``pixelproof prelabel``'s flags: a picture
too big for the model's memory even in the smallest tile listed "pre-label it in tiles (--tile SIZE)", with no
terminal in the app to type it in. The panel names its own fields (``import_words.model_words``); the CLI's
message is unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference import arena
from pixelproof.inference.classical import ThresholdBackend
from pixelproof.ui.import_words import model_words
from tests.cli.test_prelabel_cli import make_project
from tests.inference.test_auto_tile import ORT_FULL
from tests.ui.test_model_panel import choose, close_window, open_window, press, wait_batch


def test_a_picture_too_big_for_the_model_names_the_run_box_s_tiles(
    qtbot, tmp_path: Path, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(arena, "_cap", 64 << 20)  # as if the models shared a 64 MB arena

    def full(self, image, prompt=None):  # type: ignore[no-untyped-def]
        raise RuntimeError(ORT_FULL)  # as onnxruntime's full arena fails

    monkeypatch.setattr(ThresholdBackend, "predict", full)
    picture = np.full((64, 96), 40, dtype=np.uint8)
    win = open_window(qtbot, make_project(tmp_path / "p", {"big.png": picture}))
    try:
        panel = choose(qtbot, win, "threshold")
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        problems = panel.batch.problems
        lines = [problems.item(i).text() for i in range(problems.count())]
        assert len(lines) == 1 and lines[0].startswith("big.png: threshold: the model needs more"), lines
        assert "pre-label it in tiles (Tiles (px) in the Model panel's Run box)" in lines[0], lines
        assert "--" not in lines[0], lines
    finally:
        close_window(win)


@pytest.mark.parametrize(
    ("said", "read"),
    [
        (
            "no region above threshold 3; try --option threshold=LEVEL, polarity=dark|bright",
            "try in the Model panel's Options: threshold=LEVEL, polarity=dark|bright",
        ),
        ("set one above the noise with --option threshold=VALUE", "in the Model panel's Options: threshold="),
        ("use --tile 2048 --overlap 0.25", "use Tiles 2048 px with overlap 0.25"),
        ("use --overlap 0.3 or --tile 512", "use overlap 0.3 or Tiles 512 px"),
        ("refused: a flood of specks (--keep-specks)", "“Keep specks” in the Model panel's Run box"),
        ("yolo: not ready: no model file (use --model FILE)", "(choose the model file in the Model panel)"),
        ("name them with --classes FILE", "classes_file in the Model panel's Options"),
    ],
)
def test_every_flag_a_backend_names_is_the_panel_s_field(said: str, read: str) -> None:
    """The other hints ``inference`` words with ``prelabel``'s flags, as the Model panel says them."""
    assert read in model_words(said) and "--" not in model_words(said), model_words(said)
