"""`pixelproof prelabel` option combinations a user gets wrong: each is refused before the run with a
message naming the option (or the file), never taken silently, and the project is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from skimage import data

from pixelproof.core.coco import load_project
from tests.cli.test_prelabel_cli import make_project, run


@pytest.fixture
def coins(tmp_path: Path) -> Path:
    return make_project(tmp_path / "c", {"coins.png": data.coins()}, ["coin", "cell"])


def refused(capsys, project: Path, *args: object) -> str:
    """The error text of a run that must change nothing (exit != 0, same bytes, no new .bak)."""
    bak = project.with_suffix(".json.bak")
    before, had_bak = project.read_bytes(), bak.exists()
    code, out, err = run(capsys, "prelabel", project, *args)
    assert code != 0 and "pre-labeled" not in out, (out, err)
    assert project.read_bytes() == before and bak.exists() == had_bak
    return err


@pytest.mark.parametrize(("option", "value"), [("split", "flase"), ("split", "maybe")])
def test_a_mistyped_yes_or_no_option_is_refused(capsys, coins: Path, option: str, value: str) -> None:
    err = refused(capsys, coins, "--backend", "threshold", "--option", f"{option}={value}")
    assert f"threshold: {option} must be true or false, got {value!r}" in err


def test_a_mistyped_agnostic_is_refused(capsys, coins: Path, shared_models: Path) -> None:
    pytest.importorskip("onnxruntime")
    err = refused(
        capsys, coins, "--backend", "yolo-onnx", "--model", shared_models / "yolo11n.onnx",
        "--option", "agnostic=ture",
    )  # fmt: skip
    assert "yolo-onnx: agnostic must be true or false, got 'ture'" in err


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_category_option_makes_no_nameless_category(capsys, coins: Path, value: str) -> None:
    err = refused(capsys, coins, "--backend", "threshold", "--option", f"category={value}")
    assert "threshold: category must not be empty" in err
    assert [c.name for c in load_project(coins).categories.values()] == ["coin", "cell"]
