"""``python -m bench brush`` prints how many other masks its image holds: it counted the canvas's own items,
which read 0 once unselected masks were drawn by the canvas's layer, so its README line said "0 other
masks" of a run over 300. A tiny run (a 600 px image, a few events) must name the masks it made."""

from __future__ import annotations

import pytest
from bench import brush


def test_the_brush_bench_names_the_masks_on_its_image(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--size", "600", "--masks", "4", "--dabs", "6", "--radius", "3", "--window", "800x600"]
    assert brush.main([*argv, "--naive-events", "2", "--releases", "1"]) in (0, 1)
    out = capsys.readouterr().out
    assert "4 other masks" in out
    assert "memory: with 4 masks" in out
