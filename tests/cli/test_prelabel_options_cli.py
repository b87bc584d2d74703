"""`pixelproof prelabel` option combinations a user gets wrong: each is refused before the run with a
message naming the option (or the file), never taken silently, and the project is left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from skimage import data

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
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


def test_unlabeled_only_with_from_boxes_says_they_exclude_each_other(capsys, coins: Path) -> None:
    """Boxes make an image labeled: the two together select nothing, whatever the project holds."""
    project = load_project(coins)
    project.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 40.0, 40.0], area=1600.0))
    save_project(project, coins)
    err = refused(capsys, coins, "--backend", "grabcut", "--from-boxes", "--unlabeled-only")
    assert "--unlabeled-only and --from-boxes cannot be combined" in err


def test_score_threshold_on_a_backend_without_scores_names_the_flag(capsys, coins: Path) -> None:
    err = refused(capsys, coins, "--backend", "threshold", "--score-threshold", "0.5")
    assert "threshold: takes no score threshold (--score-threshold)" in err
    assert "unknown option" not in err


def test_category_with_a_many_class_model_is_refused(capsys, coins: Path, shared_models: Path) -> None:
    """--category is where a single class goes; a many-class model's classes go by name or --map, so the
    flag would be ignored without a word."""
    pytest.importorskip("onnxruntime")
    err = refused(
        capsys, coins, "--backend", "yolo-onnx", "--model", shared_models / "yolo11n.onnx",
        "--category", "coin",
    )  # fmt: skip
    assert "--category: yolo-onnx has 80 classes" in err and "--map CLASS=CATEGORY" in err


def test_skip_existing_and_keep_overlapping_together_are_refused(capsys, coins: Path) -> None:
    err = refused(capsys, coins, "--backend", "threshold", "--skip-existing", "0.3", "--keep-overlapping")
    assert "not allowed with argument" in err or "cannot be combined" in err


@pytest.mark.parametrize("model", ["yolo11n.onnx", "yolo11n-nms.onnx"])
def test_a_classes_file_for_another_ultralytics_model_is_a_load_error(
    capsys, tmp_path: Path, coins: Path, shared_models: Path, model: str
) -> None:
    """Three names for an 80-class YOLO: refused at load naming the file (every picture used to fail
    alone: 'output has 84 rows; expected 7', or 'class id 15, which no class has')."""
    pytest.importorskip("onnxruntime")
    names = tmp_path / "names.txt"
    names.write_text("a\nb\nc\n")
    err = refused(capsys, coins, "--backend", "onnx", "--model", shared_models / model, "--classes", names)
    assert err.count("error:") == 1
    assert f"{names}: classes: 3 names, but the model {model} has 80 classes" in err
    card = shared_models / model
    copy = tmp_path / model
    copy.write_bytes(card.read_bytes())
    (tmp_path / f"{model}.json").write_text(json.dumps({"classes": ["a", "b"]}))
    err = refused(capsys, coins, "--backend", "onnx", "--model", copy)
    assert f"{model}.json: classes: 2 names, but the model {model} has 80 classes" in err


def test_a_map_naming_a_class_the_model_lacks_is_refused_not_remembered(capsys, coins: Path) -> None:
    """`--map obj=coin` for threshold's class `object`: the objects went to a new category `object` while
    the project remembered the typo for every later run with the model."""
    err = refused(capsys, coins, "--backend", "threshold", "--map", "obj=coin")
    assert "--map obj=coin: threshold/builtin has no class 'obj' (did you mean 'object'?)" in err
    assert "model_mappings" not in load_project(coins).app


def test_lint_maps_a_model_as_the_project_remembers_for_it(capsys, coins: Path) -> None:
    """`prelabel` remembered threshold's class `object` -> `coin`; `lint` with the same backend used to
    drop every prediction as a class the project lacks, so it compared the labels with nothing."""
    code, _, err = run(capsys, "prelabel", coins, "--backend", "threshold", "--category", "coin")
    assert code == 0, err
    found = load_project(coins).object_count(1)
    assert load_project(coins).app["model_mappings"] == {"threshold/builtin": {"object": "coin"}}
    code, out, err = run(capsys, "lint", coins, "--backend", "threshold")
    assert code in (0, 1), err
    assert "ignored" not in err and f"{found} predictions" in out


def test_more_workers_than_cores_are_capped_with_a_note(capsys, coins: Path, monkeypatch) -> None:
    """`--workers 8` on a one-core machine started eight processes (each with a copy of the model, all on
    one core). The batch commands cap it at the cores, saying so on stderr, and run."""
    from pixelproof.commands import _batch

    monkeypatch.setattr(_batch, "available_cores", lambda: 1)
    out = coins.parent / "out.json"
    code, stdout, err = run(capsys, "prelabel", coins, "--backend", "threshold", "--workers", "8", "-o", out)
    assert code == 0, err
    assert "--workers 8: this machine has 1 core; running 1 worker" in err
    assert "running on" not in err  # one worker: in this process, as --workers 1 runs
    assert "1/1 images pre-labeled" in stdout and load_project(out).annotations
