"""``prelabel PROJECT -o OUT.json`` (and in place): one output project, kept across an interruption as
``--shard-size`` parts are (``core.batch.checkpoint``). A job of hours stopped by Ctrl+C, a lost SSH
session or a node's time limit lost everything; now its finished parts stay in ``.OUT.partial``, the
same command finishes it, and the project written is byte for byte the one an uninterrupted run writes.
The part size is made small here (``PART_SIZE``) so that 12 pictures are 6 parts; a run of no more than
one part (every small job) keeps no checkpoint at all and is compared with such runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.commands import prelabel
from pixelproof.core.batch import checkpoint
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_prelabel_resume import EPOCH, NAMES, _predicted, refused_each, stop_at_picture_7
from tests.cli.test_scale_cli import THRESHOLD, coin_pictures


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_project(tmp_path / "p", coin_pictures(12, side=48))


def _argv(project: Path, out: Path | None, *extra: str) -> list[str]:
    """``out`` None: in place."""
    return [
        "prelabel",
        str(project),
        *THRESHOLD,
        "--workers",
        "1",
        *extra,
        *(["-o", str(out)] if out else []),
    ]


def _staging(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


def _in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prelabel, "PART_SIZE", 2)


def _reset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _log(path: Path) -> list[dict]:
    """A project's change log but for the times of saving."""
    lines = path.with_suffix(".history.jsonl").read_text().splitlines()
    return [{k: v for k, v in json.loads(line).items() if k != "time"} for line in lines]


def _same_project(written: Path, reference: Path) -> None:
    assert written.read_bytes() == reference.read_bytes()
    assert _log(written) == _log(reference)


def _copy(project: Path) -> Path:
    """The project and its pictures as they are before the job, for the reference run."""
    folder = project.parent.with_name("reference")
    shutil.copytree(project.parent, folder)
    return folder / project.name


def _reference(
    source: Path, in_place: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str]:
    """What an uninterrupted run of one part (as every run was before parts) writes, and its summary."""
    target = source if in_place else source.with_name("ref.json")

    def no_checkpoint(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a run of one part keeps no checkpoint")

    monkeypatch.setattr(checkpoint.Checkpoint, "open", no_checkpoint)
    capsys.readouterr()
    assert main(_argv(source, None if in_place else target)) == 0
    _reset(monkeypatch)
    return target, capsys.readouterr().out.replace(str(target), "OUT")


@pytest.mark.parametrize(("name", "in_place"), [("SIGINT", False), ("SIGTERM", False), ("SIGTERM", True)])
def test_a_one_project_job_stopped_mid_way_is_finished_by_the_same_command(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    in_place: bool,
) -> None:
    """Stopped at picture 7 of 12, ``prelabel PROJECT -o OUT.json`` lost all 6 pictures done (hours, on
    20,000 images) and said nothing beforehand. Now 3 parts stay in ``.OUT.partial``, the input (in place:
    the project itself) is untouched, and the same command predicts only pictures 7 to 12 and writes the
    project an uninterrupted run writes."""
    if not hasattr(signal, name):
        pytest.skip(f"no {name} on this system")
    target = project if in_place else project.parent / "out.json"
    copy, before = _copy(project), project.read_bytes()
    argv = _argv(project, None if in_place else target)
    err = stop_at_picture_7(argv, project.parent / "stuck", name, part_size=2)
    staging = _staging(target)
    assert f"3 finished parts (6 images) kept in {staging}" in err and "run the same command again" in err
    assert project.read_bytes() == before  # in place too: never half-written
    assert in_place or not target.exists()

    _in_parts(monkeypatch)
    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(argv) == 0, capsys.readouterr().err
    said = capsys.readouterr()
    assert predicted == NAMES[6:]  # the finished parts' pictures are not run again
    assert "resumed: 6 images were done in 3 kept parts" in said.err
    assert not staging.exists() and not list(target.parent.glob(f".{target.name}*"))  # nor its lock
    _reset(monkeypatch)
    reference, summary = _reference(copy, in_place, capsys, monkeypatch)
    assert said.out.replace(str(target), "OUT") == summary  # the counts of the whole job
    _same_project(target, reference)


@pytest.mark.parametrize("in_place", [False, True])
def test_a_job_of_many_parts_writes_what_a_job_of_one_part_writes(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], in_place: bool
) -> None:
    """The parts are only a checkpoint: the project written, its change log and the summary are those of
    a run without them, and nothing is left beside the output."""
    target = project if in_place else project.parent / "out.json"
    copy = _copy(project)
    _in_parts(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, None if in_place else target)) == 0
    summary = capsys.readouterr().out.replace(str(target), "OUT")
    _reset(monkeypatch)
    assert not list(target.parent.glob(".*"))
    reference, expected = _reference(copy, in_place, capsys, monkeypatch)
    assert summary == expected
    _same_project(target, reference)


def test_a_resume_with_other_settings_is_refused_naming_each_difference(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Finishing with other settings would give a project no single run makes: refused, each difference
    named, the kept parts and the project left as they are; the run as it was still finishes it."""
    _in_parts(monkeypatch)
    out = project.parent / "out.json"
    _predicted(monkeypatch, stop_at="c004.png")
    assert main(_argv(project, out)) == 130
    _reset(monkeypatch)
    _in_parts(monkeypatch)
    staging = _staging(out)
    kept = {p.name: p.read_bytes() for p in staging.iterdir()}
    assert "part-00002.json" in kept and "part-00003.json" not in kept
    capsys.readouterr()
    changes = {
        "min_area": _argv(project, out, "--option", "min_area=40"),
        "--images": _argv(project, out, "--images", "c00*.png"),
        "--keep-overlapping": _argv(project, out, "--keep-overlapping"),
        "--shard-size": _argv(project, out, "--shard-size", "2"),
    }
    refused_each(changes, _argv(project, out), project, staging, kept, capsys)
    assert not out.exists()


def test_a_small_run_keeps_no_checkpoint(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run of no more images than a part (16 images in a test, a few hundred) is one part: a checkpoint
    would save nothing an interruption loses, so none is written (as before)."""
    assert prelabel.PART_SIZE >= 16
    opened = []
    monkeypatch.setattr(checkpoint.Checkpoint, "open", lambda *a, **k: opened.append(a))
    assert main(_argv(project, project.parent / "out.json")) == 0
    assert opened == [] and (project.parent / "out.json").exists()


def test_a_project_that_cannot_be_saved_at_the_end_keeps_every_part_for_the_next_run(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The one save at the end refused (a disk full by then): the hours of predictions stay as parts, and
    the next run, with nothing left to predict, takes every part's objects and writes the project."""
    from pixelproof.commands import prelabel_shards
    from pixelproof.core.coco import ProjectSaveError

    out = project.parent / "out.json"
    copy = _copy(project)
    real = prelabel_shards.save_project

    def full_disk(part, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path) == out:
            raise ProjectSaveError(f"could not save {out}: No space left on device")
        return real(part, path, *args, **kwargs)

    _in_parts(monkeypatch)
    monkeypatch.setattr(prelabel_shards, "save_project", full_disk)
    assert main(_argv(project, out)) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and f"6 finished parts (12 images) kept in {_staging(out)}" in err
    assert not out.exists()
    _reset(monkeypatch)
    _in_parts(monkeypatch)
    predicted = _predicted(monkeypatch)
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert predicted == [] and "pre-labeling the other 0" in capsys.readouterr().err
    _reset(monkeypatch)
    reference, _ = _reference(copy, False, capsys, monkeypatch)
    _same_project(out, reference)


def test_a_job_killed_before_its_first_part_blocks_no_other_run(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Killed outright before its first part was written (the OOM killer, SIGKILL, a power cut: nothing
    runs to clean up), a job leaves its staging folder with no part in it. The next run with other settings
    - what one tries after an out-of-memory kill: fewer images, other options - was refused, "the kept parts
    of an interrupted run were made with other settings ... remove it to start over", where no part was
    kept: nothing is lost, so it runs, and writes what a run without the leftover writes."""
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("no SIGKILL on this system")
    out = project.parent / "out.json"
    copy = _copy(project)
    script = (
        "import pathlib, sys, time\n"
        "from pixelproof.commands import prelabel\n"
        "prelabel.PART_SIZE = 2\n"
        "from pixelproof.inference import batch\n"
        "def predict(context, model, item, pixels):\n"
        f"    pathlib.Path({str(project.parent / 'stuck')!r}).touch()\n"
        "    while True:\n"
        "        time.sleep(1)  # until killed\n"
        "batch._predict = predict\n"
        "from pixelproof.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", script, *_argv(project, out)], env=env)
    deadline = time.monotonic() + 120
    while not (project.parent / "stuck").exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the first picture not reached"
        time.sleep(0.05)
    proc.kill()
    proc.wait(timeout=60)
    assert _staging(out).is_dir() and not out.exists()  # left by the kill, no part in it

    _in_parts(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, out, "--keep-overlapping")) == 0, capsys.readouterr().err
    assert not _staging(out).exists()
    _reset(monkeypatch)
    reference = copy.with_name("ref.json")
    assert main(_argv(copy, reference, "--keep-overlapping")) == 0
    _same_project(out, reference)
