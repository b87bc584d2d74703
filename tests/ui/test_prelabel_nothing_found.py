"""The Model panel's Pre-label All summary of a run that found nothing said "0 predictions" only, where
``pixelproof prelabel`` warns what to try (``--option threshold=LEVEL, polarity=dark|bright ...``): it says
it now, naming the panel's Options field rather than the CLI's ``--option``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.cli.test_prelabel_cli import make_project
from tests.ui.test_model_panel import choose, close_window, open_window, predictions, press, wait_batch


def test_pre_label_all_of_nothing_says_which_options_to_try(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    blank = np.full((64, 96), 40, dtype=np.uint8)  # one level: no region set apart from the background
    win = open_window(qtbot, make_project(tmp_path / "p", {"blank.png": blank}))
    try:
        panel = choose(qtbot, win, "threshold")
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        summary = panel.batch.summary_label.text()
        assert not predictions(win.document), summary
        assert "the threshold backend found nothing (no region" in summary, summary
        assert "try in the Model panel's Options: threshold=LEVEL, polarity=dark|bright" in summary, summary
        assert "--" not in summary, summary
    finally:
        close_window(win)
