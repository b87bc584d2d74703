"""A line scan fed whole to a detector with a fixed 640-px input is shrunk many times (a 3-px scratch under
a pixel where the model looks): ``pixelproof prelabel`` says so once after the run, naming the worst picture
and its factor and the tiles to ask for, whether the pictures ran here, on worker processes or in parts
kept by an interrupted job; a tiled run, or pictures near the model's size, hear nothing of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.cli import main
from tests.cli.test_prelabel_cli import make_project, run
from tests.cli.test_prelabel_resume import EPOCH, _interrupted

WARNING = "scan.png was shrunk 6.4x to fit the model's 640x640 input"


def _scan() -> np.ndarray:
    """A 4096x512 line scan: grey, with a 3-px dark scratch across it."""
    img = np.full((512, 4096, 3), 200, np.uint8)
    img[250:253, 100:4000] = 40
    return img


def _small() -> np.ndarray:
    return np.full((480, 640, 3), 200, np.uint8)


@pytest.fixture
def model(shared_models: Path) -> Path:
    pytest.importorskip("onnxruntime")
    path = shared_models / "yolo11n.onnx"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


def _prelabel(capsys: pytest.CaptureFixture[str], project: Path, model: Path, *extra: str) -> str:
    out = project.with_name("out.json")
    code, _, err = run(
        capsys, "prelabel", project, "--backend", "yolo-onnx", "--model", model, "-o", out, *extra
    )
    assert code == 0, err
    return err


@pytest.mark.parametrize("workers", [(), ("--workers", "2")], ids=["here", "worker processes"])
def test_a_line_scan_shrunk_to_the_model_input_is_said_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model: Path, workers: tuple[str, ...]
) -> None:
    project = make_project(tmp_path / "p", {"small.png": _small(), "scan.png": _scan()})
    err = _prelabel(capsys, project, model, *workers)
    lines = [line for line in err.splitlines() if "shrunk" in line]
    assert len(lines) == 1, err
    assert lines[0] == (
        f"pixelproof: warning: {WARNING}: details under 6 px are under a pixel where the model looks; "
        "pre-label in tiles (--tile 640)"
    )


def test_tiles_at_the_model_input_or_a_picture_near_it_say_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model: Path
) -> None:
    project = make_project(tmp_path / "p", {"scan.png": _scan()})
    assert "shrunk" not in _prelabel(capsys, project, model, "--tile", "640")
    small = make_project(
        tmp_path / "s", {"small.png": _small(), "wide.png": np.full((640, 2560, 3), 90, np.uint8)}
    )
    assert "shrunk" not in _prelabel(capsys, small, model)  # 4.0x: not over the limit


def test_a_resumed_job_names_the_scan_of_a_kept_part(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # one job time for the interrupted run and the resumed
    pictures = {"scan.png": _scan(), "a.png": _small(), "b.png": _small()}
    project = make_project(tmp_path / "p", pictures)
    argv = ["prelabel", str(project), "--backend", "yolo-onnx", "--model", str(model), "--shard-size", "1"]
    argv += ["--workers", "1", "-o", str(tmp_path / "shards")]  # in turn: only scan.png is kept
    _interrupted(monkeypatch, argv, at="a.png")
    capsys.readouterr()
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "resumed: 1 image was done" in err, err  # the scan's part: its picture is not run again
    assert WARNING in err and "(--tile 640)" in err, err


@pytest.mark.parametrize("factor", [1e300, 2.0**40, float("nan"), float("inf"), -9.0, "9", [9]])
def test_a_hand_edited_shrink_of_a_kept_part_that_no_picture_has_is_not_said(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    model: Path,
    monkeypatch: pytest.MonkeyPatch,
    factor: object,
) -> None:
    """A kept part's worst shrink edited by hand to more than any picture's side in pixels (no picture is
    wider than ``MAX_SIDE``, no model's input narrower than 1 px), to NaN, inf, a negative or no number:
    the resumed job says nothing of it (1e300 was said as 'details under 1000000...(301 digits) px')."""
    import json

    from pixelproof.commands.prelabel_shards import ShardJob
    from pixelproof.core.batch.checkpoint import JOURNAL

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    other = np.full((480, 640, 3), 90, np.uint8)
    project = make_project(tmp_path / "p", {"a.png": _small(), "b.png": other})  # neither shrunk over 4x
    argv = ["prelabel", str(project), "--backend", "yolo-onnx", "--model", str(model), "--shard-size", "1"]
    argv += ["-o", str(tmp_path / "shards")]
    real, saved = ShardJob.save, []

    def save(job: ShardJob, *args: object) -> None:  # Ctrl+C once the first part is kept
        if saved:
            raise KeyboardInterrupt
        real(job, *args)  # type: ignore[arg-type]
        saved.append(1)

    monkeypatch.setattr(ShardJob, "save", save)
    assert main(argv) == 130
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    journal = tmp_path / ".shards.partial" / JOURNAL
    parts = [json.loads(line) for line in journal.read_text().splitlines()]
    [part] = parts
    part["state"]["report"].update(shrunk=1, most_shrunk=["a.png", factor])
    journal.write_text("".join(json.dumps(p) + "\n" for p in parts))
    capsys.readouterr()
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "resumed: 1 image was done" in err, err
    assert "shrunk" not in err, err
