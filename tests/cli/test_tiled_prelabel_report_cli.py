"""``pixelproof prelabel --tile``: a slide is one image, so its progress is counted in tiles; a run that
adds nothing says why (a 217-s run on a slide ended in '0 annotations added', no reason, no progress)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.model import ImageRecord


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _project(tmp_path: Path, pixels: np.ndarray) -> Path:
    tifffile = pytest.importorskip("tifffile")
    tifffile.imwrite(tmp_path / "slide.tif", pixels, tile=(64, 64), compression="zlib")
    project = new_project([])
    project.add_image(ImageRecord(1, "slide.tif", pixels.shape[1], pixels.shape[0]))
    return save_project(project, tmp_path / "project.json")


def _prelabel(project: Path, *extra: str) -> int:
    return main(
        ["prelabel", str(project), "--backend", "threshold", "--tile", "128", "--overlap", "0.1", *extra]
    )


def test_tiled_run_shows_its_progress_tile_by_tile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pixels = np.full((300, 400), 30, np.uint8)
    pixels[40:80, 40:90] = 220
    project = _project(tmp_path, pixels)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert _prelabel(project) == 0
    frames = [f.strip() for f in terminal.getvalue().replace("\n", "\r").split("\r") if "pre-labeling" in f]
    # 128-px tiles a stride of 116 apart: 4 x 3 of them, each drawn as it is done
    for done in range(1, 13):
        assert any(f"] {done}/12  " in f and "tiles/s" in f for f in frames), frames
    assert load_project(project).annotations


def test_a_run_finding_nothing_says_so_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pixels = np.full((300, 400), 200, np.uint8)  # glass: not one region apart from the background
    project = _project(tmp_path, pixels)
    assert _prelabel(project) == 0
    err = capsys.readouterr().err
    assert (
        "0 objects in 12 tiles: the threshold backend found nothing (no region set apart from the "
        "background by the Otsu level; try --option threshold=LEVEL, polarity=dark|bright or "
        "background_radius=R)" in err
    )
    assert _prelabel(project, "--option", "threshold=100", "--option", "polarity=dark") == 0
    assert "found nothing (no region at or below threshold 100;" in capsys.readouterr().err


def test_a_run_whose_regions_are_all_under_min_area_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pixels = np.full((300, 400), 30, np.uint8)
    for y, x in ((20, 20), (140, 150), (20, 180)):  # three specks of 9 px (each in one tile), < min_area 30
        pixels[y : y + 3, x : x + 3] = 220
    project = _project(tmp_path, pixels)
    assert _prelabel(project) == 0
    out = capsys.readouterr()
    assert "3 speckles under 30 px dropped (min_area; keep them with --option min_area=1)" in out.out
    assert "0 objects added in 12 tiles: all were left out: 3 regions under min_area 30 px dropped" in out.err
    assert not load_project(project).annotations


def test_a_tiled_run_on_worker_processes_counts_tiles_too_and_writes_what_a_serial_run_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --workers the bar counted images: three slides sat at 0/3 for minutes. The workers tell of
    each tile they finish; the project is the serial run's, byte for byte."""
    from pixelproof.commands import _batch

    tifffile = pytest.importorskip("tifffile")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # one timestamp per job, fixed for the comparison
    # --workers 2 runs two processes on any runner: a one-core CI machine caps it at 1 (in this process)
    monkeypatch.setattr(_batch, "available_cores", lambda: 2)
    project = new_project([])
    for i, x in enumerate((40, 250), start=1):
        pixels = np.full((300, 400), 30, np.uint8)
        pixels[40:80, x : x + 50] = 220
        tifffile.imwrite(tmp_path / f"slide{i}.tif", pixels, tile=(64, 64), compression="zlib")
        project.add_image(ImageRecord(i, f"slide{i}.tif", 400, 300))
    path = save_project(project, tmp_path / "project.json")
    written = {}
    for workers in ("1", "2"):
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        out = tmp_path / f"workers{workers}.json"
        assert _prelabel(path, "--workers", workers, "-o", str(out)) == 0
        written[workers] = out.read_bytes()
        frames = [
            f.strip() for f in terminal.getvalue().replace("\n", "\r").split("\r") if "pre-labeling" in f
        ]
        # 4 x 3 tiles a slide, counted as the workers tell of them
        assert ("running on 2 local worker processes" in terminal.getvalue()) == (workers == "2")
        assert all("tiles/s" in f for f in frames) and "] 24/24  " in frames[-1], frames
        counts = [int(f.split("] ")[1].split("/")[0]) for f in frames]
        assert counts == sorted(counts), frames
    assert written["2"] == written["1"]
    assert len(load_project(tmp_path / "workers2.json").annotations) == 2
