"""The Model panel's Pre-label All summary says, as ``pixelproof prelabel`` warns, when a line scan was
shrunk many times to the detector's 640-px input, naming the picture, its factor and the panel's Tiles
field to check rather than the CLI's ``--tile``; with Tiles checked at the model's size it says nothing of
the kind. Real clicks and keys on the real window, the shared YOLO11n (skipped without it)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_prelabel_shrink import _scan, _small
from tests.ui.test_model_panel import close_window, open_window, press, wait_batch, yolo
from tests.ui.test_model_panel_run import tick, type_into


def test_pre_label_all_says_the_scan_was_shrunk(
    qtbot, tmp_path: Path, shared_models: Path, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path / "p", {"small.png": _small(), "scan.png": _scan()})
    win = open_window(qtbot, project)
    try:
        panel = yolo(qtbot, win, shared_models)
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        summary = panel.batch.summary_label.text()
        assert "scan.png was shrunk 6.4x to fit the model's 640x640 input" in summary, summary
        assert "pre-label in tiles (Tiles 640 px)" in summary and "--tile" not in summary, summary

        run = panel.run_options  # the field it names, checked at the size it names
        tick(qtbot, run.tiles)
        type_into(run.tile_size, "640")
        assert run.tiles.isChecked() and run.tile_size.value() == 640
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        assert "shrunk" not in panel.batch.summary_label.text()
    finally:
        close_window(win)
