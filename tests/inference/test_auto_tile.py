"""A picture too big for the model's memory (onnxruntime's capped arena) is pre-labeled in tiles anyway, and
said so per picture: tiles of 1024 px, halved down to 256 while they still fail for memory; nothing else is
retried. The real arena is made once per process, so the onnxruntime runs happen in a child process; the
ladder itself is checked in process with a backend that fails as onnxruntime does."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.inference import arena
from pixelproof.inference.apply import prelabel_project
from pixelproof.inference.arena import ENV_MODEL_MEMORY
from pixelproof.inference.base import Backend, BackendError, ModelMemoryError, Prediction
from pixelproof.inference.tiling import (
    ArrayRegions,
    AutoTiled,
    Tiling,
    auto_tile_sizes,
    predict_fitting,
    predict_tiled,
)
from tests.inference.conv_models import conv_model

REPO = Path(__file__).resolve().parents[2]
ORT_FULL = "Non-zero status code returned while running Conv node. Available memory of 67108864 is smaller"


class Roomy(Backend):
    """Fails as onnxruntime's full arena does for pictures with a side over ``limit``; else one box per
    picture at (4, 4). Records the sizes it was given."""

    name = "roomy"
    kind = "detect"

    def __init__(self, limit: int, error: str = ORT_FULL) -> None:
        super().__init__()
        self.limit, self.error, self.seen = limit, error, []

    def predict(self, image, prompt=None):  # type: ignore[no-untyped-def]
        self.seen.append(image.shape[:2])
        if max(image.shape[:2]) > self.limit:
            raise RuntimeError(self.error)
        return [Prediction("thing", 0.9, [4, 4, 10, 10])]


@pytest.fixture
def capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if this process's models shared an arena of 64 MB (what ``predict_safely`` names)."""
    monkeypatch.setattr(arena, "_cap", 64 << 20)


def picture(height: int, width: int) -> np.ndarray:
    return np.zeros((height, width, 3), np.uint8)


def boxes(predictions: list[Prediction]) -> list[tuple[str, float, list[float]]]:
    return sorted((p.category, p.score, list(p.bbox)) for p in predictions)


def test_the_tile_is_halved_until_it_fits(capped: None) -> None:
    backend = Roomy(limit=600)
    pixels = picture(1500, 1400)
    found, tiled = predict_fitting(backend, pixels, overlap=0.25)
    assert tiled == AutoTiled(512, 64)  # 1024 failed, 512 fit
    assert backend.seen[0] == (1500, 1400) and (1024, 1024) in backend.seen
    assert max(max(s) for s in backend.seen[backend.seen.index((512, 512)) :]) == 512
    expected = predict_tiled(Roomy(limit=600), ArrayRegions(pixels), Tiling(512, 0.25))
    assert boxes(found) == boxes(expected) and len(found) > 1
    assert tiled.line("big.png") == "big.png: too big for the model's 64 MB; pre-labeled in 512-px tiles"


def test_only_tiles_smaller_than_the_picture_are_tried() -> None:
    assert auto_tile_sizes(5000, 3000) == [1024, 512, 256]
    assert auto_tile_sizes(900, 700) == [512, 256]  # a 1024-px tile would be the picture again
    assert auto_tile_sizes(256, 200) == []


def test_a_picture_the_smallest_tile_fails_on_fails_as_before(capped: None) -> None:
    backend = Roomy(limit=100)
    with pytest.raises(ModelMemoryError) as failed:
        predict_fitting(backend, picture(1500, 1500))
    assert str(failed.value).startswith(
        "roomy: the model needs more than its 64 MB of memory for this 1500x1500 picture; pre-label it in "
        "tiles (--tile SIZE)"
    )
    assert [s for s in backend.seen if max(s) <= 256][:1] == [(256, 256)]  # the floor was tried


def test_a_picture_that_fits_is_not_tiled(capped: None) -> None:
    backend = Roomy(limit=2000)
    found, tiled = predict_fitting(backend, picture(1500, 1500))
    assert tiled is None and backend.seen == [(1500, 1500)] and boxes(found) == boxes([found[0]])


@pytest.mark.parametrize(
    ("error", "cap"),
    [
        ("boom", 64 << 20),  # a model's own failure
        ("Failed to allocate memory for requested buffer", 64 << 20),  # the machine, not the arena
        (ORT_FULL, None),  # an arena message without a cap of ours (a plugin's own session)
    ],
)
def test_other_failures_are_not_retried(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error: str, cap: int | None
) -> None:
    monkeypatch.setattr(arena, "_cap", cap)
    folder = tmp_path / "p"
    folder.mkdir()
    project = new_project(["thing"])
    cv2.imwrite(str(folder / "big.png"), picture(1500, 1500))
    project.add_image(ImageRecord(1, "big.png", 1500, 1500))
    project = load_project(save_project(project, folder / "project.json"))
    backend = Roomy(limit=100, error=error)
    report = prelabel_project(project, backend)
    assert backend.seen == [(1500, 1500)]  # once, whole
    assert report.auto_tiled == [] and len(report.failures) == 1
    reason = report.failures[0][1]
    assert "roomy failed: RuntimeError" in reason and "in tiles" not in reason


def test_a_failure_next_to_another_lane_is_judged_again_alone(capped: None) -> None:
    """Two lanes share the arena: a picture that failed while the other lane's model held part of it is
    tried whole again once that lane is done, so it is pre-labeled as a serial run does (whole)."""

    class Crowded(Roomy):
        def predict(self, image, prompt=None):  # type: ignore[no-untyped-def]
            self.seen.append(image.shape[:2])
            if len(self.seen) == 1:  # the other lane's model holds the rest of the arena
                raise RuntimeError(ORT_FULL)
            return [Prediction("thing", 0.9, [4, 4, 10, 10])]

    backend = Crowded(limit=0)
    out: list = []
    with arena.gate.shared():  # the other lane, running
        lane = threading.Thread(target=lambda: out.append(predict_fitting(backend, picture(1500, 1500))))
        lane.start()
        lane.join(0.5)
        assert lane.is_alive()  # waits to be alone
    lane.join(10)
    ((found, tiled),) = out
    assert tiled is None and backend.seen == [(1500, 1500), (1500, 1500)] and len(found) == 1
    alone = Roomy(limit=100)
    with pytest.raises(BackendError):  # serially, a picture that fails whole is not tried whole twice
        predict_fitting(alone, picture(300, 300))
    assert alone.seen[:2] == [(300, 300), (256, 256)]


# -- the real arena, through the CLI ---------------------------------------------------------------------

needs_onnx = pytest.mark.skipif(
    importlib.util.find_spec("onnx") is None or importlib.util.find_spec("onnxruntime") is None,
    reason="needs onnx (to build the model) and onnxruntime",
)


def varied_model(path: Path, channels: int = 16) -> Path:
    """A semantic model of any input size: ``channels`` logit planes of the picture's size, a fixed random
    1x1 convolution, so colours map to different classes. 16 planes of a 1024-px tile are 64 MB (twice
    that while onnxruntime reorders them), of a 512-px tile 16 MB: under a 64 MB budget the first fails
    and the second fits with room to spare (what the arena still holds from earlier pictures)."""
    return conv_model(path, np.random.default_rng(0).normal(size=(channels, 3, 1, 1)))


def blocks(height: int, width: int, seed: int) -> np.ndarray:
    """Blocks of 100 px in random colours (objects crossing the tiles' seams)."""
    cells = np.random.default_rng(seed).integers(0, 256, size=(-(-height // 100), -(-width // 100), 3))
    return np.kron(cells.astype(np.uint8), np.ones((100, 100, 1), np.uint8))[:height, :width]


def run_cli(tmp_path: Path, budget: str, *runs: list[str]) -> list[dict]:
    """``pixelproof.cli.main`` for each argument list, in one child process with the budget in MB; each
    run's exit code, stdout and stderr."""
    script = textwrap.dedent(
        """
        import contextlib, io, json, sys
        from pixelproof.cli import main

        for argv in json.loads(sys.argv[1]):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(argv)
            print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue()}))
        """
    )
    env = {**os.environ, ENV_MODEL_MEMORY: budget}
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps([list(map(str, r)) for r in runs])],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def objects(path: Path, file_name: str) -> list[tuple]:
    project = load_project(path)
    (image,) = [im for im in project.images.values() if Path(im.file_name).name == file_name]
    names = {c.id: c.name for c in project.categories.values()}
    return sorted(
        (names[a.category_id], a.score, a.bbox, json.dumps(a.segmentation, sort_keys=True))
        for a in project.annotations_of(image.id)
    )


@pytest.fixture
def slide(tmp_path: Path) -> tuple[Path, Path]:
    """A project with big.png (1500 x 1400: 134 MB of logits) and small.png (300 x 200: 4 MB)."""
    folder = tmp_path / "p"
    folder.mkdir()
    project = new_project([])
    for i, (name, pixels) in enumerate(
        (("big.png", blocks(1500, 1400, 1)), ("small.png", blocks(300, 200, 2))), 1
    ):
        cv2.imwrite(str(folder / name), pixels[:, :, ::-1])
        project.add_image(ImageRecord(i, name, pixels.shape[1], pixels.shape[0]))
    return save_project(project, folder / "project.json"), varied_model(tmp_path / "varied.onnx")


@needs_onnx
def test_cli_prelabels_a_picture_too_big_in_tiles_as_tile_would(
    tmp_path: Path, slide: tuple[Path, Path]
) -> None:
    project, model = slide
    lanes, serial, tiled = tmp_path / "lanes.json", tmp_path / "serial.json", tmp_path / "tiled.json"
    common = ["prelabel", project, "--backend", "onnx", "--model", model, "--overlap", "0.25"]
    runs = run_cli(
        tmp_path, "64", [*common, "-o", lanes], [*common, "--workers", "1", "-o", serial],
        [*common, "--tile", "512", "-o", tiled],
    )  # fmt: skip
    for run in runs[:2]:  # two lanes (on two cores or more), then one
        assert run["code"] == 0, run["err"]
        warnings = [line for line in run["err"].splitlines() if "warning" in line]
        assert warnings == [
            "pixelproof: warning: big.png: too big for the model's 64 MB; pre-labeled in 512-px tiles"
        ]  # small.png fit: no line for it
        assert "2/2 images pre-labeled" in run["out"] and "1 pre-labeled in tiles" in run["out"]
    assert runs[2]["code"] == 0 and "warning" not in runs[2]["err"]
    found = objects(lanes, "big.png")
    assert len(found) > 20 and found == objects(serial, "big.png") == objects(tiled, "big.png")
    assert objects(lanes, "small.png") == objects(serial, "small.png") != []


@needs_onnx
def test_cli_a_picture_that_fits_is_labeled_as_without_a_budget(
    tmp_path: Path, slide: tuple[Path, Path]
) -> None:
    project, model = slide
    capped, free = tmp_path / "capped.json", tmp_path / "free.json"
    common = ["prelabel", project, "--backend", "onnx", "--model", model, "--images", "small.png"]
    (run,) = run_cli(tmp_path, "64", [*common, "-o", capped])
    (uncapped,) = run_cli(tmp_path, "0", [*common, "-o", free])
    assert run["code"] == 0 and uncapped["code"] == 0, run["err"] + uncapped["err"]
    assert "warning" not in run["err"] and "tiles" not in run["err"]
    assert objects(capped, "small.png") == objects(free, "small.png") != []


def test_lint_with_a_model_says_which_pictures_it_predicted_in_tiles(
    capped: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lint runs the model through the same path, so a picture too big is predicted in tiles there too:
    it says so per picture (stderr) and counts them in its JSON, as prelabel does."""
    import pixelproof.commands.prelabel as prelabel_command
    from pixelproof.cli import main
    from pixelproof.inference.apply import predict_project

    folder = tmp_path / "p"
    folder.mkdir()
    project = new_project(["thing"])
    for k, (name, side) in enumerate([("big.png", 1500), ("small.png", 200)], start=1):
        cv2.imwrite(str(folder / name), picture(side, side))
        project.add_image(ImageRecord(k, name, side, side))
    path = save_project(project, folder / "project.json")

    heard: list[tuple[str, AutoTiled]] = []
    predict_project(load_project(path), Roomy(limit=600), on_tiled=lambda name, t: heard.append((name, t)))
    assert heard == [("big.png", AutoTiled(512, 64))]

    monkeypatch.setattr(prelabel_command, "make_backend", lambda settings: Roomy(limit=600))
    code = main(["lint", str(path), "--backend", "roomy", "--json", str(tmp_path / "lint.json")])
    err = capsys.readouterr().err
    assert code in (0, 1)
    assert (
        "big.png: too big for the model's 64 MB; predicted in 512-px tiles" in err and "small.png" not in err
    )
    assert '"predicted_in_tiles": 1' in (tmp_path / "lint.json").read_text()


@needs_onnx
def test_cli_stderr_holds_the_warning_only_not_onnxruntimes_log(
    tmp_path: Path, slide: tuple[Path, Path]
) -> None:
    """README: the picture is named on stderr in one line. onnxruntime logged each failed allocation
    itself (coloured `[E:onnxruntime:...] ... BFCArena ...` lines) before the retry in tiles."""
    project, model = slide
    done = subprocess.run(
        [sys.executable, "-m", "pixelproof", "prelabel", str(project), "--backend", "onnx",
         "--model", str(model), "--workers", "1", "-o", str(tmp_path / "out.json")],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, ENV_MODEL_MEMORY: "64"}, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "pixelproof: warning: big.png: too big for the model's 64 MB; pre-labeled in 512-px tiles"
    ]
