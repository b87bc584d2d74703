"""``prelabel --shard-size``: an interrupted job (Ctrl+C, SIGTERM, a node's time limit) keeps its finished
parts beside ``-o`` and the same command finishes it, redoing no finished part, with exactly the parts an
uninterrupted job writes; a resume with other settings is refused; a damaged or half-written part is
never counted as finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.batch.checkpoint import JOURNAL, MANIFEST
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.imageio import ImageReadError
from pixelproof.core.model import Category
from pixelproof.inference import batch
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_scale_cli import THRESHOLD, coin_pictures

EPOCH = "1700000000"  # one job time for the runs compared
NAMES = [f"c{i:03d}.png" for i in range(12)]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_project(tmp_path / "p", coin_pictures(12, side=48))


def _argv(project: Path, out: Path, *extra: str) -> list[str]:
    return [
        "prelabel",
        str(project),
        *THRESHOLD,
        "--workers",
        "1",
        "--shard-size",
        "2",
        *extra,
        "-o",
        str(out),
    ]


def _staging(out: Path) -> Path:
    return out.with_name(f".{out.name}.partial")


def _predicted(monkeypatch: pytest.MonkeyPatch, stop_at: str | None = None) -> list[str]:
    """The names of the pictures the model is run on from now on; at ``stop_at`` Ctrl+C is pressed."""
    real, seen = batch._predict, []

    def predict(context, model, item, pixels):  # type: ignore[no-untyped-def]
        name = Path(item.path).name
        if name == stop_at:
            raise KeyboardInterrupt
        seen.append(name)
        return real(context, model, item, pixels)

    monkeypatch.setattr(batch, "_predict", predict)
    return seen


def _interrupted(monkeypatch: pytest.MonkeyPatch, argv: list[str], at: str) -> None:
    _predicted(monkeypatch, stop_at=at)
    assert main(argv) == 130
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _same_parts(resumed: Path, reference: Path) -> None:
    """The same files, each part byte for byte; their change logs alike but for the time of saving."""
    names = sorted(p.name for p in resumed.iterdir())
    assert names == sorted(p.name for p in reference.iterdir())
    assert [n for n in names if n.endswith(".json")] == [f"part-0000{i}.json" for i in range(1, 7)]
    for name in names:
        if name.endswith(".history.jsonl"):
            entries = [
                [
                    {k: v for k, v in json.loads(line).items() if k != "time"}
                    for line in f.read_text().splitlines()
                ]
                for f in (resumed / name, reference / name)
            ]
            assert entries[0] == entries[1], name
        else:
            assert (resumed / name).read_bytes() == (reference / name).read_bytes(), name


def kept_parts(staging: Path) -> list[dict]:
    """The parts a staging folder records: its journal's lines."""
    return [json.loads(line) for line in (staging / JOURNAL).read_text().splitlines()]


def rewrite_parts(staging: Path, parts: list[dict]) -> None:
    """The journal edited by hand: ``parts`` as its lines."""
    (staging / JOURNAL).write_text("".join(json.dumps(part) + "\n" for part in parts))


def old_manifest(staging: Path, parts: list[dict], version: int = 2) -> None:
    """The staging folder as a PixelProof writing manifest format ``version`` keeps it: ``parts`` in the
    manifest (rewritten whole after each part), no journal."""
    doc = json.loads((staging / MANIFEST).read_text())
    (staging / MANIFEST).write_text(json.dumps({**doc, "format": version, "parts": parts}, indent=1))
    (staging / JOURNAL).unlink()


def _reference(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    reference = project.parent / "reference"
    capsys.readouterr()
    assert main(_argv(project, reference)) == 0
    return reference, capsys.readouterr().out.replace(str(reference), "OUT")


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_job_stopped_mid_way_keeps_its_parts_and_the_same_command_finishes_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Stopped at picture 7 of 12 (3 parts of 2 written), a job threw everything away, parts included,
    and the same command redid every picture: hours lost at 199k of 200k images. Now the finished parts
    stay in ``.OUT.partial`` and running the command again predicts only pictures 7 to 12."""
    if not hasattr(signal, name):
        pytest.skip(f"no {name} on this system")
    out = project.parent / "parts"
    stuck = project.parent / "stuck"
    argv = _argv(project, out)
    err = stop_at_picture_7(argv, stuck, name)
    staging = _staging(out)
    assert not out.exists()
    assert f"3 finished parts (6 images) kept in {staging}" in err
    assert "run the same command again to finish" in err
    assert sorted(p.name for p in staging.glob("part-*.json")) == [f"part-0000{i}.json" for i in (1, 2, 3)]

    predicted = _predicted(monkeypatch)
    assert main(argv) == 0, capsys.readouterr().err
    said = capsys.readouterr()
    assert predicted == NAMES[6:]  # the finished parts' pictures are not run again
    assert "resumed: 6 images were done in 3 kept parts" in said.err
    assert not staging.exists() and not list(project.parent.glob(".parts*"))  # nor its lock
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    reference, summary = _reference(project, capsys)
    assert said.out.replace(str(out), "OUT") == summary  # the counts of the whole job
    _same_parts(out, reference)


def refused_each(
    changes: dict[str, list[str]],
    same: list[str],
    project: Path,
    staging: Path,
    kept: dict[str, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each run of ``changes`` (a setting's name -> its argv), then ``same`` after the project file
    changed, is refused naming the difference and ``staging``; the kept parts stay byte for byte."""
    for what, argv in changes.items():
        assert main(argv) == 1, what
        err = capsys.readouterr().err
        assert f"{staging}: the kept parts of an interrupted run were made with other settings" in err, err
        assert what in err and f"remove {staging} to start over" in err, err
    other = load_project(project)
    other.add_category(Category(99, "other"))
    save_project(other, project)
    assert main(same) == 1
    err = capsys.readouterr().err
    assert "the project file" in err and str(project) in err
    assert {p.name: p.read_bytes() for p in staging.iterdir()} == kept


def stop_at_picture_7(argv: list[str], stuck: Path, name: str, part_size: int | None = None) -> str:
    """Run ``argv`` in a process of its own (one-project jobs in parts of ``part_size``), send it signal
    ``name`` while it predicts picture 7, and return its stderr."""
    script = (
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        + (
            f"from pixelproof.commands import prelabel\nprelabel.PART_SIZE = {part_size}\n"
            if part_size
            else ""
        )
        + "from pixelproof.inference import batch\n"
        "real = batch._predict\n"
        "def predict(context, model, item, pixels):\n"
        "    if pathlib.Path(item.path).name == 'c006.png':\n"
        f"        pathlib.Path({str(stuck)!r}).touch()\n"
        "        while True:\n"
        "            time.sleep(1)  # until the signal comes\n"
        "    return real(context, model, item, pixels)\n"
        "batch._predict = predict\n"
        "from pixelproof.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", script, *argv], stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not stuck.exists():
        assert proc.poll() is None, f"the job ended before picture 7: exit {proc.returncode}"
        assert time.monotonic() < deadline, "picture 7 not reached in 120 s"
        time.sleep(0.05)
    number = int(getattr(signal, name))
    proc.send_signal(number)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + number, err
    return err


def test_a_resume_with_other_settings_is_refused_and_the_kept_parts_stay(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The kept parts were made with one model, options, project and image list: finishing the job with
    another would give a folder of parts that no single run makes. Each difference is named, nothing is
    touched, and the run as it was (on more workers: they do not change the result) still finishes."""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c004.png")
    staging = _staging(out)
    kept = {p.name: p.read_bytes() for p in staging.iterdir()}
    assert "part-00002.json" in kept and "part-00003.json" not in kept
    capsys.readouterr()
    changes = {
        "min_area": [*_argv(project, out)[:-2], "--option", "min_area=40", "-o", str(out)],
        "--shard-size": _argv(project, out, "--shard-size", "3"),
        "--images": _argv(project, out, "--images", "c00*.png"),
        "--keep-overlapping": _argv(project, out, "--keep-overlapping"),
    }
    refused_each(changes, _argv(project, out), project, staging, kept, capsys)
    assert not out.exists()


def test_a_resume_on_more_workers_gives_the_same_parts(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where the rest of the job runs (another node, more cores) is no setting of its result."""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c004.png")
    argv = _argv(project, out)
    argv[argv.index("--workers") + 1] = "2"
    assert main(argv) == 0, capsys.readouterr().err
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def test_a_damaged_or_half_written_part_is_made_again_not_counted_as_finished(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A part changed after it was written (cut short by a full disk, edited) and what a job killed
    outright while saving leaves (a part not yet in the manifest, its change log line, a temporary) must
    not be taken for finished work: the job goes on from the last intact part and the result is the
    uninterrupted run's."""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c006.png")
    staging = _staging(out)
    third = staging / "part-00003.json"
    third.write_bytes(third.read_bytes()[:-40])
    (staging / "part-00004.json").write_text("{}")
    (staging / "part-00004.history.jsonl").write_text('{"seq": 1}\n')
    (staging / ".part-00005.json.host.1.abc.tmp").write_text("{")
    capsys.readouterr()
    predicted = _predicted(monkeypatch)
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert predicted == NAMES[4:]
    assert "part-00003.json: changed since it was written; made again" in capsys.readouterr().err
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def test_a_job_that_fails_at_its_very_end_keeps_every_part_and_the_next_run_only_renames_them(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failure is no reason to lose the work either: the rename of the finished folder refused (a
    full or read-only disk by then), every part stays, and the next run, with nothing left to predict,
    only puts them in place."""
    from pixelproof.core.batch.checkpoint import Checkpoint

    out = project.parent / "parts"

    def refused(self: Checkpoint, target: Path) -> None:
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(Checkpoint, "finish", refused)
    assert main(_argv(project, out)) == 1
    err = capsys.readouterr().err
    assert f"6 finished parts (12 images) kept in {_staging(out)}" in err and "permission denied" in err
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    predicted = _predicted(monkeypatch)
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert predicted == [] and "pre-labeling the other 0" in capsys.readouterr().err
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def test_a_second_job_for_the_same_output_or_a_manifest_edited_by_hand_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two jobs writing one ``-o`` at once (a job submitted twice) would record each other's parts as
    their own; a manifest not as written (edited by hand) could make a resumed job go on from the wrong
    place. Both are refused before any work, the kept parts left as they are."""
    import socket

    from pixelproof.core.lock import lock_path

    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c004.png")
    staging = _staging(out)
    holder = {"user": "other", "host": socket.gethostname(), "pid": os.getppid(), "since": "2026-01-01 10:00"}
    lock_path(out).write_text(json.dumps(holder))
    capsys.readouterr()
    assert main(_argv(project, out)) == 1
    assert f"{out}: being written by other on {socket.gethostname()} (process {os.getppid()}" in (
        capsys.readouterr().err
    )
    lock_path(out).unlink()
    parts = kept_parts(staging)
    parts[-1]["state"]["mapper"]["next_annotation_id"] = "7"
    rewrite_parts(staging, parts)
    kept = {p.name: p.read_bytes() for p in staging.iterdir()}
    assert main(_argv(project, out)) == 1
    assert f"remove {staging} to start over" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in staging.iterdir()} == kept and not out.exists()


def test_a_part_written_but_not_recorded_when_the_stop_came_is_not_left_beside_the_kept_ones(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stop (SIGTERM in CI) landing between a part's save and its record in the manifest left that part's
    file in the staging folder beside the finished ones, while the message counted one part fewer: the
    folder now holds what the message says (the next run would have removed it, as unrecorded)."""
    from pixelproof.commands import prelabel_shards

    real, saved = prelabel_shards.save_project, []

    def save_then_stop(part, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        real(part, path, *args, **kwargs)
        saved.append(Path(path).name)
        if len(saved) == 2:
            raise KeyboardInterrupt  # the part is on disk, not yet in the manifest

    monkeypatch.setattr(prelabel_shards, "save_project", save_then_stop)
    out = project.parent / "parts"
    assert main(_argv(project, out)) == 130
    err = capsys.readouterr().err
    staging = _staging(out)
    assert "1 finished part (2 images) kept in" in err, err
    assert sorted(p.name for p in staging.glob("part-*.json")) == ["part-00001.json"]


def test_a_part_whose_record_was_written_when_the_stop_came_is_kept_and_not_made_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stop (Ctrl+C, SIGTERM) landing after a part's journal line was written, while it was fsynced, left
    the part recorded but not counted: the clean-up removed its file as unrecorded, and with the job's
    first part the whole staging folder, saying nothing was kept (CI under load, the stop tests of
    test_scale_cli.py). The journal is what counts: the part is kept, said, and not made again."""
    from pixelproof.core.batch import checkpoint

    real = checkpoint.append_line

    def append_then_stop(path, line):  # type: ignore[no-untyped-def]
        real(path, line)
        raise KeyboardInterrupt  # the line is in the journal; ``add`` has not counted its part yet

    monkeypatch.setattr(checkpoint, "append_line", append_then_stop)
    out = project.parent / "parts"
    argv = _argv(project, out)
    assert main(argv) == 130
    err = capsys.readouterr().err
    staging = _staging(out)
    assert f"1 finished part (2 images) kept in {staging}" in err, err
    assert sorted(p.name for p in staging.glob("part-*.json")) == ["part-00001.json"]
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    predicted = _predicted(monkeypatch)
    assert main(argv) == 0, capsys.readouterr().err
    assert "resumed: 2 images were done in 1 kept part" in capsys.readouterr().err
    assert predicted == NAMES[2:]


def test_parts_kept_by_a_version_without_the_duplicates_count_are_resumed_not_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Parts recorded before the run's own repeats were counted apart (5b9b337) have no ``duplicates``
    in their report (they were in ``skipped``). Resuming such a job after an upgrade was refused ('kept
    parts without a manifest as PixelProof writes it; remove ... to start over'): hours of finished
    parts to throw away. They are taken, counting no duplicates for them."""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c006.png")
    parts = kept_parts(_staging(out))
    for part in parts:
        part["state"]["report"].pop("duplicates")
    old_manifest(_staging(out), parts)
    capsys.readouterr()
    predicted = _predicted(monkeypatch)
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert "resumed: 6 images were done in 3 kept parts" in capsys.readouterr().err
    assert predicted == NAMES[6:]
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def test_a_resumed_jobs_parts_from_before_duplicates_were_counted_apart_are_not_called_repeats_of_existing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A part recorded before 5b9b337 counted in ``skipped`` both the predictions repeating an existing
    object and those repeating another prediction of the run: its count cannot be split afterwards, so the
    resumed job's summary must not call them all 'repeat an existing object'."""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c006.png")
    parts = kept_parts(_staging(out))
    for k, part in enumerate(parts):  # as the older version wrote them: one count of both kinds
        report = part["state"]["report"]
        report["skipped"] += report.pop("duplicates") + (3 if k == 0 else 0)
    old_manifest(_staging(out), parts)
    capsys.readouterr()
    assert main(_argv(project, out)) == 0
    said = capsys.readouterr().out
    assert "3 skipped: repeat an existing object" not in said, said
    assert "3 skipped in parts kept from before repeats were told apart" in said, said


@pytest.mark.parametrize("count", [0, -2])
def test_a_part_recorded_with_no_images_or_fewer_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], count: int
) -> None:
    """A part always holds an image. A manifest edited to record a part of -2 images (its files intact)
    was taken up: the job went on from ``images[-2:]``, the last two pictures, and wrote parts missing
    the pictures between; 0 pre-labeled the part's pictures again. Refused as any manifest not as written."""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c004.png")
    staging = _staging(out)
    parts = kept_parts(staging)
    parts[-1]["images"] = count
    rewrite_parts(staging, parts)
    kept = {p.name: p.read_bytes() for p in staging.iterdir()}
    capsys.readouterr()
    assert main(_argv(project, out)) == 1
    assert f"remove {staging} to start over" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in staging.iterdir()} == kept and not out.exists()


def test_a_resumed_job_names_the_kept_parts_failed_images_and_the_way_to_redo_them(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """c001.png failed in the interrupted run (a cluster's mount missing then, say). Kept parts' failures
    are not tried again, so the resumed run only counted them in its summary ("1 failed"), naming none
    and saying nothing of what to do: now it names them, with why, and the way to pre-label them."""
    real = batch._predict

    def predict(context, model, item, pixels):  # type: ignore[no-untyped-def]
        name = Path(item.path).name
        if name == "c001.png":
            raise ImageReadError(f"{item.path}: image file not found")
        if name == "c007.png":
            raise KeyboardInterrupt
        return real(context, model, item, pixels)

    monkeypatch.setattr(batch, "_predict", predict)
    out = project.parent / "parts"
    argv = _argv(project, out)
    assert main(argv) == 130
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    capsys.readouterr()

    assert main(argv) == 0
    said = capsys.readouterr()
    assert (
        "pixelproof: warning: 1 image of the kept parts failed in the interrupted run and is not tried "
        "again: c001.png (image file not found); pre-label it once the job is done, with --unlabeled-only "
        "on its output"
    ) in said.err, said.err
    assert "11/12 images pre-labeled" in said.out and "1 failed" in said.out, said.out
