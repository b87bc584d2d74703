"""`pixelproof prelabel PROJECT --backend NAME ...` end to end, in process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

from pixelproof.cli import main
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.model import ImageRecord
from tests.inference.graphs import constant_model


def make_project(folder: Path, pictures: dict[str, np.ndarray], categories: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    project = new_project(categories or [])
    for i, (name, img) in enumerate(pictures.items(), start=1):
        cv2.imwrite(str(folder / name), img[:, :, ::-1] if img.ndim == 3 else img)
        project.add_image(ImageRecord(i, name, img.shape[1], img.shape[0]))
    return save_project(project, folder / "project.json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def yolo_project(tmp_path: Path) -> Path:
    return make_project(
        tmp_path / "p", {"astronaut.png": data.astronaut(), "chelsea.png": data.chelsea()}, ["cat"]
    )


def test_yolo_prelabel_writes_a_valid_project(capsys, yolo_project: Path, shared_models: Path) -> None:
    out = yolo_project.parent / "out" / "labeled.json"
    out.parent.mkdir()
    code, stdout, err = run(
        capsys, "prelabel", yolo_project, "--backend", "yolo-onnx", "--model", shared_models / "yolo11n.onnx",
        "--score-threshold", "0.7", "--map", "person=astronaut", "-o", out,
    )  # fmt: skip
    assert code == 0, err
    assert "2/2 images pre-labeled" in stdout and "new categories: astronaut" in stdout
    project = load_project(out)  # validates
    names = {project.category(a.category_id).name for a in project.annotations.values()}
    assert names == {"astronaut", "cat"}
    cat_id = project.category_by_name("cat").id
    assert project.category(cat_id).id == 1  # the existing category was reused
    for a in project.annotations.values():
        assert a.review == "pending" and a.score >= 0.7 and a.kind == "box"
        assert a.source.startswith("model:yolo-onnx/yolo11n.onnx@")
    assert project.image_path(project.image(1)).exists()  # file names rebased to the new folder
    assert load_project(yolo_project).annotations == {}  # input untouched with -o


def test_only_existing_and_images_glob_in_place(capsys, yolo_project: Path, shared_models: Path) -> None:
    code, stdout, err = run(
        capsys, "prelabel", yolo_project, "--backend", "yolo-onnx",
        "--model", shared_models / "yolo11n-nms.onnx", "--only-existing", "--images", "chel*",
    )  # fmt: skip
    assert code == 0, err
    assert "1/1 images" in stdout
    project = load_project(yolo_project)
    assert [project.category(a.category_id).name for a in project.annotations.values()] == ["cat"]
    assert len(project.categories) == 1
    assert (yolo_project.parent / "project.json.bak").exists()  # saved in place through save_project


def test_only_existing_says_why_predictions_are_left_out(capsys, tmp_path: Path, shared_models: Path) -> None:
    """On a project without categories every prediction was dropped with only "235 left out": the run is
    now refused before the model runs, saying why and what to do; a run that keeps some classes names
    the classes it left out."""
    model = shared_models / "yolo11n.onnx"
    bare = make_project(tmp_path / "bare", {"astronaut.png": data.astronaut()})
    code, _, err = run(
        capsys, "prelabel", bare, "--backend", "yolo-onnx", "--model", model, "--only-existing"
    )
    assert code == 2
    assert (
        "--only-existing: nothing to pre-label: none of the model's 80 classes is one of the project's "
        "categories (the project has no categories); map classes with --map CLASS=CATEGORY, or run "
        "without --only-existing to add them"
    ) in err
    assert load_project(bare).annotations == {}
    cats = make_project(tmp_path / "cats", {"astronaut.png": data.astronaut()}, ["cat"])
    code, out, err = run(
        capsys, "prelabel", cats, "--backend", "yolo-onnx", "--model", model, "--only-existing"
    )
    assert code == 0, err
    assert "left out (class ignored by the mapping" in out
    assert "warning: left out, not one of the project's categories: person " in err
    assert "; map classes with --map CLASS=CATEGORY, or run without --only-existing" in err


def test_threshold_backend_with_options(capsys, tmp_path: Path) -> None:
    path = make_project(tmp_path / "c", {"coins.png": data.coins()})
    code, _, err = run(
        capsys, "prelabel", path, "--backend", "threshold", "--option", "category=coin",
        "--option", "background_radius=60", "--option", "min_area=100",
    )  # fmt: skip
    assert code == 0, err
    project = load_project(path)
    assert 20 <= len(project.annotations) <= 30
    assert {a.kind for a in project.annotations.values()} == {"mask"}
    assert project.category_by_name("coin") is not None


def test_the_change_log_names_prelabel_as_the_tool(capsys, tmp_path: Path) -> None:
    """`pixelproof log` after a pre-label run said `[manual]`: the run saved without telling the change log
    which command made the change, as every other command that edits a project does."""
    from pixelproof.core import history

    path = make_project(tmp_path / "c", {"coins.png": data.coins()})
    code, _, err = run(capsys, "prelabel", path, "--backend", "threshold")
    assert code == 0, err
    entry = history.read_log(path, None)[0][0]
    assert entry["tool"] == "prelabel" and entry["sources"] == {"model": entry["totals"]["added"]}
    assert entry["totals"]["added"] == len(load_project(path).annotations) > 0


def test_shard_parts_name_prelabel_in_their_change_log(capsys, tmp_path: Path) -> None:
    """The part files of ``--shard-size`` were logged as `[manual]`; the one-file save said `prelabel`."""
    from pixelproof.core import history

    path = make_project(tmp_path / "s", {"a.png": data.coins(), "b.png": data.coins()})
    out = tmp_path / "parts"
    code, _, err = run(capsys, "prelabel", path, "--backend", "threshold", "--shard-size", "1", "-o", out)
    assert code == 0, err
    parts = sorted(out.glob("part-*.json"))
    assert len(parts) == 2
    for part in parts:
        entry = history.read_log(part, None)[0][0]
        assert entry["tool"] == "prelabel" and entry["sources"] == {"model": entry["totals"]["added"]}
        assert entry["totals"]["added"] == len(load_project(part).annotations) > 0


def test_failing_images_are_reported_and_the_batch_continues(capsys, tmp_path: Path) -> None:
    path = make_project(tmp_path / "f", {"a.png": data.coins(), "b.png": data.coins()})
    (path.parent / "b.png").write_bytes(b"garbage")
    code, stdout, err = run(capsys, "prelabel", path, "--backend", "threshold")
    assert code == 0
    assert (
        "b.png: not a readable image" in err and "1/2 images pre-labeled" in stdout and "1 failed" in stdout
    )
    (path.parent / "a.png").unlink()
    code, stdout, err = run(capsys, "prelabel", path, "--backend", "threshold")
    assert code == 1 and "a.png: image file not found" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", "yolo-onnx"], "yolo-onnx: not ready: no model file chosen (use --model FILE)"),
        (["--backend", "nope"], "unknown backend 'nope'"),
        (["--backend", "grabcut"], "grabcut is interactive"),
        (["--backend", "threshold", "--model", "x.onnx"], "threshold: takes no model file"),
        (["--backend", "threshold", "--option", "colour=red"], "1 unknown option (colour)"),
        (["--backend", "threshold", "--images", "*.jpg"], "no images to pre-label match '*.jpg'"),
        (["--backend", "threshold", "--map", "x"], "expected model_name=category"),
    ],
)
def test_usage_errors(capsys, tmp_path: Path, args: list[str], message: str) -> None:
    path = make_project(tmp_path / "u", {"a.png": data.coins()})
    code, _, err = run(capsys, "prelabel", path, *args)
    assert code != 0
    assert message in err
    assert load_project(path).annotations == {}


def test_a_pytorch_checkpoint_or_a_cut_short_export_is_one_line_saying_what_to_do(
    capsys, tmp_path: Path
) -> None:
    """The files an ML engineer picks by mistake: the .pt beside the export, a copy cut short. Both were
    'does not parse as ONNX'; now each line says which it is and what to do, and nothing is written."""
    path = make_project(tmp_path / "b", {"a.png": data.coins()})
    pt = tmp_path / "best.pt"
    with zipfile.ZipFile(pt, "w") as z:  # torch.save's layout
        z.writestr("best/data.pkl", b"\x80\x02}q\x00.")
    code, _, err = run(capsys, "prelabel", path, "--backend", "yolo-onnx", "--model", pt)
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith(f"pixelproof: error: {pt}: not an ONNX model: this is a PyTorch checkpoint"), err
    assert "yolo export model=best.pt format=onnx" in err
    whole = constant_model(tmp_path / "m.onnx", {"output0": np.zeros((1, 84, 40), np.float32)}).read_bytes()
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(whole[: len(whole) // 2])
    code, _, err = run(capsys, "prelabel", path, "--backend", "onnx", "--model", cut)
    assert code == 1 and f"{cut}: the file starts as an ONNX model but does not parse: it is cut short" in err
    assert load_project(path).annotations == {}


def test_bad_models_are_clear(capsys, tmp_path: Path) -> None:
    path = make_project(tmp_path / "b", {"a.png": data.coins()})
    junk = tmp_path / "junk.onnx"
    junk.write_text("hello")
    code, _, err = run(capsys, "prelabel", path, "--backend", "yolo-onnx", "--model", junk)
    assert (
        code == 1
        and err.strip() == f"pixelproof: error: {junk}: not an ONNX model (the file does not parse as ONNX)"
    )
    shapes = constant_model(tmp_path / "shapes.onnx", {"output0": np.zeros((1, 7, 3, 2), np.float32)})
    code, _, err = run(capsys, "prelabel", path, "--backend", "yolo-onnx", "--model", shapes)
    assert code == 1 and "unexpected output shape [1, 7, 3, 2]" in err
    xml = tmp_path / "c.xml"
    xml.write_text("not xml")
    code, _, err = run(capsys, "prelabel", path, "--backend", "cascade", "--model", xml)
    assert code == 1 and "c.xml: not" in err and "cascade XML" in err


def test_missing_onnxruntime(capsys, tmp_path: Path, monkeypatch, shared_models: Path) -> None:
    path = make_project(tmp_path / "o", {"a.png": data.coins()})
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    model = tmp_path / "m.onnx"
    shutil.copy(shared_models / "yolo11n.onnx", model)
    code, _, err = run(capsys, "prelabel", path, "--backend", "yolo-onnx", "--model", model)
    assert code == 1
    assert "onnxruntime is not installed; install it with: pip install onnxruntime" in err


def test_an_output_that_is_not_a_project_is_refused_before_the_run(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o coins.png`` (a typo for ``-o coins.json``) replaced the picture with the project, after the
    whole run; now refused before any image is pre-labeled, the picture untouched."""
    from pixelproof.inference import batch

    path = make_project(tmp_path / "o", {"coins.png": data.coins()})
    picture = tmp_path / "o" / "coins.png"
    before, files = picture.read_bytes(), sorted(picture.parent.iterdir())
    ran: list[object] = []
    monkeypatch.setattr(batch, "prelabel_task", lambda *a: ran.append(a) or [])
    code, _, err = run(capsys, "prelabel", path, "--backend", "threshold", "-o", picture)
    assert code == 1 and "coins.png: exists and is not a project file" in err
    assert picture.read_bytes() == before and not ran
    assert sorted(picture.parent.iterdir()) == files


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "my-app", "version": "1.0.0", "dependencies": {}}',  # package.json
        '{"version": "5.2.1", "flags": {}, "shapes": [], "imagePath": "a.png"}',  # a LabelMe file
    ],
)
def test_an_output_that_is_json_but_no_project_is_refused_before_the_run(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """``-o package.json`` replaced the file with the project (keeping a .bak): it is JSON, but no
    project (none of images, annotations, categories: the rule that refuses to open it). Refused before
    any image is pre-labeled, as `add` refuses it, with the same words; a project there is replaced."""
    from pixelproof.inference import batch

    path = make_project(tmp_path / "o", {"coins.png": data.coins()})
    other = tmp_path / "o" / "other.json"
    other.write_text(text)
    ran: list[object] = []
    real = batch.prelabel_task
    monkeypatch.setattr(batch, "prelabel_task", lambda *a: ran.append(a) or real(*a))
    commands = (["prelabel", path, "--backend", "threshold"], ["add", path, tmp_path / "o" / "coins.png"])
    for command in commands:
        code, _, err = run(capsys, *command, "-o", other)
        assert code == 1 and f"{other}: exists and is not a project file" in err and "not overwritten" in err
        assert other.read_text() == text and not other.with_suffix(".json.bak").exists() and not ran
    shutil.copy(path, other)  # a project: replaced, its previous version in the .bak
    code, out, err = run(capsys, "prelabel", path, "--backend", "threshold", "-o", other)
    assert code == 0 and "1/1 images pre-labeled" in out, err
    assert load_project(other).annotations and other.with_suffix(".json.bak").exists()


@pytest.mark.skipif(os.name != "posix", reason="a live foreign process: the parent's pid")
def test_a_project_another_process_is_writing_is_refused_before_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two pre-label runs writing one project in place (or one while the app has it open): the second
    ran its whole job, hours on a large dataset, and was only refused when it saved ("changed on disk
    since it was opened"). In place, a run now holds the project's lock, as the app does, and a run that
    finds it held by a live process is refused before its job; with ``-o`` the project is only read."""
    from pixelproof.commands import prelabel
    from pixelproof.core.lock import lock_path, read_lock

    project = make_project(tmp_path / "p", {"coins.png": data.coins()[:128, :128]}, ["coin"])
    before = project.read_bytes()
    other = {"user": "ana", "host": socket.gethostname(), "pid": os.getppid(), "since": "2024-01-01 10:00"}
    lock_path(project).write_text(json.dumps(other))
    with monkeypatch.context() as m:
        m.setattr(prelabel, "propose_batch", lambda *a, **k: pytest.fail("the job ran"))
        code, out, err = run(capsys, "prelabel", project, "--backend", "threshold")
    assert code == 1 and out == ""
    assert f"{project}: in use by ana on {socket.gethostname()} (process {os.getppid()}" in err
    assert "write elsewhere with -o OUT" in err
    assert project.read_bytes() == before and read_lock(project).user == "ana"
    code, _, err = run(capsys, "prelabel", project, "--backend", "threshold", "-o", tmp_path / "out.json")
    assert code == 0, err  # only read: another holder does not matter
    assert read_lock(project).user == "ana"

    lock_path(project).unlink()  # the other process is done
    seen: list[object] = []
    real = prelabel.propose_batch

    def watched(*args: object, **kwargs: object) -> object:
        seen.append(read_lock(project))  # held while the job runs
        return real(*args, **kwargs)

    monkeypatch.setattr(prelabel, "propose_batch", watched)
    code, _, err = run(capsys, "prelabel", project, "--backend", "threshold")
    assert code == 0, err
    assert len(seen) == 1 and seen[0] is not None and seen[0].is_me()  # type: ignore[attr-defined]
    assert not lock_path(project).exists()  # given back when the run ends
    assert len(load_project(project).annotations) > 0


def test_prelabel_names_its_outputs_as_typed(capsys, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The summary of a sharded run, and of a run with nothing to do written to ``-o``, named the absolute
    path the save resolved; every other command names a file as the user typed it."""
    make_project(tmp_path / "s", {"a.png": data.coins(), "b.png": data.coins()})
    monkeypatch.chdir(tmp_path / "s")
    code, out, err = run(
        capsys, "prelabel", "project.json", "--backend", "threshold", "--shard-size", "1", "-o", "parts"
    )
    assert code == 0, err
    assert out.startswith("parts: 2/2 images pre-labeled, ")
    code, out, err = run(
        capsys,
        "prelabel",
        "parts/part-00001.json",
        "--backend",
        "threshold",
        "--unlabeled-only",
        "-o",
        "same.json",
    )
    assert code == 0, err
    assert out.startswith("same.json: ") and Path("same.json").is_file()


def test_a_sharded_job_refused_names_its_output_as_typed(capsys, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Another live job writing ``-o OUT``: the refusal names OUT as typed (it named the absolute path)."""
    from pixelproof.core.lock import lock_path

    make_project(tmp_path / "s", {"a.png": data.coins()})
    monkeypatch.chdir(tmp_path / "s")
    holder = {"user": "other", "host": socket.gethostname(), "pid": os.getppid(), "since": "2026-01-01 10:00"}
    lock_path(Path("parts")).write_text(json.dumps(holder))
    code, _, err = run(
        capsys, "prelabel", "project.json", "--backend", "threshold", "--shard-size", "1", "-o", "parts"
    )
    assert code == 1
    assert err.startswith("pixelproof: error: parts: being written by other on ")
    assert f"remove {lock_path(Path('parts'))})" in err  # the lock file: where it is, to remove it by hand
