"""A picture whose objects are a flood of 1-2 px specks is refused by ``prelabel`` and linted without the
model by ``lint --backend``, each message naming the override; ``--keep-specks`` (both commands: one
option, one check) keeps them, for a user whose cells really are specks. The flood is real: the shared U-Net
(random weights) on a fine checkerboard gives 15,272 components, 95 % of them of 1-2 px, with min_area=1.
A job resumed with the override changed is another job."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pixelproof.cli import build_parser
from pixelproof.core.coco import load_project
from tests.cli.test_prelabel_cli import make_project, run
from tests.cli.test_prelabel_resume import EPOCH, _interrupted

OVERRIDE = "if they are labels, keep them with --keep-specks"
CLASSES = ["class_1", "class_2", "class_3"]  # the U-Net's classes, named by id (it names none)


@pytest.fixture
def unet(shared_models: Path) -> list[str]:
    """The backend flags running the shared U-Net with every component kept (min_area=1)."""
    pytest.importorskip("onnxruntime")
    path = shared_models / "seed" / "unet.onnx"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return ["--backend", "onnx", "--model", str(path), "--option", "min_area=1"]


def _cells() -> np.ndarray:
    """A 256x256 one-pixel checkerboard, dark (64 +- 100): the U-Net cuts it into specks."""
    yy, xx = np.mgrid[:256, :256]
    return np.clip(64 + 100 * (((yy + xx) % 2) * 2 - 1), 0, 255).astype(np.uint8)[..., None].repeat(3, 2)


def _project(folder: Path, categories: list[str] | None = None) -> Path:
    plain = np.full((256, 256, 3), 128, np.uint8)
    return make_project(folder, {"cells.png": _cells(), "plain.png": plain}, categories)


def _on_cells(path: Path) -> int:
    project = load_project(path)
    return sum(a.image_id == 1 for a in project.annotations.values())


def test_a_flood_is_refused_naming_the_override_which_keeps_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, unet: list[str]
) -> None:
    project = _project(tmp_path / "p")
    out = tmp_path / "out.json"
    code, stdout, err = run(capsys, "prelabel", project, *unet, "-o", out)
    assert code == 0, err  # the other picture goes on
    refusal = next(line for line in err.splitlines() if "cells.png" in line)
    assert refusal.startswith("pixelproof: error: cells.png: 15,272 objects, 95% of them of 2 px or less")
    assert refusal.endswith(f"set min_area=3 or more; {OVERRIDE}"), refusal
    assert "1/2 images pre-labeled" in stdout and _on_cells(out) == 0

    code, stdout, err = run(capsys, "prelabel", project, *unet, "--keep-specks", "-o", out)
    assert code == 0, err
    assert "2/2 images pre-labeled" in stdout and "specks of noise" not in err
    assert _on_cells(out) >= 15_272  # every speck a pending object, as asked


def test_lint_with_a_model_says_the_flood_and_takes_the_same_override(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, unet: list[str]
) -> None:
    project = _project(tmp_path / "p", CLASSES)
    report = tmp_path / "lint.json"
    lint = ["lint", project, *unet, "--kinds", "missing_object", "--json", report]
    _code, _, err = run(capsys, *lint)
    warning = next(line for line in err.splitlines() if "cells.png" in line)
    assert warning.startswith("pixelproof: warning: cells.png: 15,272 objects, 95% of them of 2 px or less")
    assert warning.endswith(f"{OVERRIDE} (linted without the model)"), warning
    assert json.loads(report.read_text())["options"]["prediction_failures"] == 1

    _code, _, err = run(capsys, *lint, "--keep-specks")
    assert "cells.png" not in err, err
    data = json.loads(report.read_text())
    assert data["options"]["prediction_failures"] == 0 and data["summary"]["predictions"] >= 15_272


def test_the_override_needs_a_backend_and_is_named_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "lint", "p.json", "--keep-specks")
    assert code == 2 and "--keep-specks need --backend" in err
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for command in ("prelabel", "lint"):
        assert "--keep-specks" in sub.choices[command].format_help()  # type: ignore[union-attr]


def test_a_job_resumed_with_the_override_changed_is_another_job(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, unet: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = _project(tmp_path / "p")
    argv = ["prelabel", str(project), *unet, "--shard-size", "1", "--workers", "1", "-o", str(tmp_path / "s")]
    _interrupted(monkeypatch, argv, at="plain.png")  # cells.png's part kept: refused, without the override
    capsys.readouterr()
    code, _, err = run(capsys, *argv, "--keep-specks")
    assert code == 1 and "--keep-specks: not given then, true now" in err, err
