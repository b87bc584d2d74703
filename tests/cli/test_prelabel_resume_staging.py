"""``prelabel``'s staging folder (``.OUT.partial``) as it may be found: a FIFO where a kept file should
be, the folder a symbolic link, an empty folder left by a job killed before its manifest, a manifest
recording a part of other than the images it holds. None hangs, deletes or writes through a link,
duplicates pictures, or blocks later runs for nothing."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.batch import checkpoint
from pixelproof.core.batch.checkpoint import JOURNAL, MANIFEST
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_prelabel_resume import (
    EPOCH,
    _argv,
    _interrupted,
    _predicted,
    _reference,
    _same_parts,
    _staging,
    kept_parts,
    rewrite_parts,
)
from tests.cli.test_prelabel_resume_one import _argv as _argv_one
from tests.cli.test_prelabel_resume_one import _copy, _in_parts, _reset, _same_project
from tests.cli.test_scale_cli import coin_pictures


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_project(tmp_path / "p", coin_pictures(12, side=48))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("name", [MANIFEST, JOURNAL, "part-00001.json", "pixelproof-sources-00001.json"])
def test_a_fifo_in_place_of_a_kept_file_is_refused_naming_it_not_waited_on(
    project: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A FIFO named ``pixelproof-resume.json`` in a staging folder blocked the next run forever reading it
    (``read_text``); one in place of a part or its stamps was taken for a damaged part. Refused, naming
    it, before any work: nothing in the folder touched. (Run in a process of its own: a hang fails.)"""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c004.png")
    staging = _staging(out)
    (staging / name).unlink()
    os.mkfifo(staging / name)
    kept = sorted(p.name for p in staging.iterdir())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "pixelproof", *_argv(project, out)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"{staging / name}: is a FIFO (named pipe), not a file to read" in done.stderr, done.stderr
    assert f"remove {staging} to start over" in done.stderr, done.stderr
    assert sorted(p.name for p in staging.iterdir()) == kept and not out.exists()


def test_a_staging_folder_that_is_a_symbolic_link_is_refused_nothing_deleted_or_written_through_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``.OUT.partial`` a link to a folder (kept parts moved to a bigger disk and linked back): a one-project
    job took the parts up through it, wrote the project, then failed to remove the link (``rmtree`` refuses
    one, silently) and said '3 finished parts kept ... run the same command again to finish the job' of a
    finished job. Refused before any work, naming it; the linked folder and its parts left as they are."""
    out = project.parent / "out.json"
    staging = _staging(out)
    _in_parts(monkeypatch)
    _predicted(monkeypatch, stop_at="c006.png")
    assert main(_argv_one(project, out)) == 130
    _reset(monkeypatch)
    elsewhere = project.parent.with_name("bigger-disk") / "kept"
    elsewhere.parent.mkdir()
    staging.rename(elsewhere)
    staging.symlink_to(elsewhere, target_is_directory=True)
    kept = {p.name: p.read_bytes() for p in elsewhere.iterdir()}

    _in_parts(monkeypatch)
    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv_one(project, out)) == 1
    err = capsys.readouterr().err
    assert f"{staging}: is a symbolic link" in err and "run the same command again" not in err, err
    assert predicted == [] and not out.exists()
    assert staging.is_symlink() and {p.name: p.read_bytes() for p in elsewhere.iterdir()} == kept


@pytest.mark.parametrize("name", [MANIFEST, JOURNAL])
def test_a_record_that_is_a_symbolic_link_is_refused_nothing_written_through_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """The manifest or the journal a link (to a copy elsewhere): PixelProof never writes one so, and
    taking the parts up rewrites them, through the link. Refused as a record not as written, nothing in
    the folder or behind the link touched."""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c006.png")
    staging = _staging(out)
    elsewhere = project.parent.with_name("elsewhere")
    elsewhere.mkdir()
    (staging / name).rename(elsewhere / name)
    (staging / name).symlink_to(elsewhere / name)
    kept = {p.name: p.read_bytes() for p in [*staging.iterdir(), elsewhere / name]}

    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, out)) == 1
    err = capsys.readouterr().err
    assert f"{staging}: kept parts without a manifest as PixelProof writes it" in err, err
    assert predicted == [] and not out.exists() and (staging / name).is_symlink()
    assert {p.name: p.read_bytes() for p in [*staging.iterdir(), elsewhere / name]} == kept


def test_a_kept_part_that_is_a_symbolic_link_is_made_again_and_what_it_points_to_left_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A part file replaced by a link (to a copy elsewhere) was hashed through the link, taken up, and the
    link itself moved into the output: a result holding a link to a file outside it. PixelProof never
    writes a part so: it is no part as written, made again; the file behind the link is not touched."""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c006.png")
    staging = _staging(out)
    elsewhere = project.parent.with_name("elsewhere")
    elsewhere.mkdir()
    (staging / "part-00002.json").rename(elsewhere / "part-00002.json")
    (staging / "part-00002.json").symlink_to(elsewhere / "part-00002.json")
    behind = (elsewhere / "part-00002.json").read_bytes()

    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, out)) == 0
    err = capsys.readouterr().err
    assert f"{staging / 'part-00002.json'}: changed since it was written; made again" in err, err
    assert predicted == [f"c{i:03d}.png" for i in range(2, 12)]  # parts 2 on made again
    assert not any(p.is_symlink() for p in out.iterdir())
    assert (elsewhere / "part-00002.json").read_bytes() == behind
    _reset(monkeypatch)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def test_a_staging_folder_that_cannot_be_removed_after_the_job_is_said_as_such_not_as_kept_parts(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The one project written, its parts could not all be removed (a file held open on NFS leaves a busy
    ``.nfs...``; a permission): the failure was ignored and the finished job said '6 finished parts (12
    images) kept ... run the same command again to finish the job'. It now says the job is complete and
    the folder, named with why, can be removed."""
    real = checkpoint.shutil.rmtree

    def busy(path, ignore_errors=False, onerror=None, **kwargs):  # type: ignore[no-untyped-def]
        """``rmtree`` meeting a file it cannot remove: the rest goes, that file and its folder stay."""
        held = Path(path) / ".nfs000000000001"
        for entry in Path(path).iterdir():
            entry.unlink()
        held.write_text("")
        error = OSError(errno.EBUSY, "Device or resource busy", str(held))
        if ignore_errors:
            return
        if onerror is not None:
            onerror(os.unlink, str(held), (OSError, error, None))
            return
        raise error

    out = project.parent / "out.json"
    _in_parts(monkeypatch)
    monkeypatch.setattr(checkpoint.shutil, "rmtree", busy)
    capsys.readouterr()
    assert main(_argv_one(project, out)) == 0
    said = capsys.readouterr()
    err = said.err
    monkeypatch.setattr(checkpoint.shutil, "rmtree", real)
    assert out.exists() and "12/12 images pre-labeled" in said.out, said
    assert "run the same command again" not in err and "kept in" not in err, err
    assert (
        "the job is complete" in err and f"{_staging(out)}/.nfs000000000001: device or resource busy" in err
    ), err
    assert f"remove {_staging(out)}" in err, err


@pytest.mark.parametrize("sharded", [False, True])
def test_an_empty_staging_folder_is_taken_by_the_next_run_one_with_unknown_files_refused(
    project: Path, capsys: pytest.CaptureFixture[str], sharded: bool
) -> None:
    """A job killed between making ``.OUT.partial`` and writing its first manifest leaves it empty: every
    later run, even one of a few images, was refused ('kept parts without a manifest'), when nothing was
    kept. An empty folder is taken by the run, which writes what a run without it writes; a folder
    holding files PixelProof did not write is still refused, nothing in it touched."""
    copy = _copy(project)
    out, reference = project.parent / "out", copy.with_name("reference")

    def argv(source: Path, target: Path) -> list[str]:
        return _argv(source, target) if sharded else _argv_one(source, target)

    _staging(out).mkdir()
    capsys.readouterr()
    assert main(argv(project, out)) == 0, capsys.readouterr().err
    assert not _staging(out).exists()
    assert main(argv(copy, reference)) == 0
    if sharded:
        _same_parts(out, reference)
    else:
        _same_project(out, reference)

    other = project.parent / "other"
    _staging(other).mkdir()
    (_staging(other) / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(argv(project, other)) == 1
    err = capsys.readouterr().err
    assert f"remove {_staging(other)} to start over" in err, err
    assert [p.name for p in _staging(other).iterdir()] == ["notes.txt"] and not other.exists()


@pytest.mark.parametrize("sharded", [False, True])
def test_a_part_recorded_with_other_than_the_images_its_file_holds_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sharded: bool
) -> None:
    """A manifest edited to record a part of 2 pictures as of 1 (400 for a part of 500: plausible, its
    files intact) was taken up: the job went on from picture 4 of the kept 6 - in one project, the part's
    objects added and its last picture predicted again, its objects twice; in parts, that picture in two
    parts. The count is checked against the part's file and refused as any manifest not as written."""
    out = project.parent / "out"
    staging = _staging(out)
    if sharded:
        _interrupted(monkeypatch, _argv(project, out), at="c006.png")
    else:
        _in_parts(monkeypatch)
        _predicted(monkeypatch, stop_at="c006.png")
        assert main(_argv_one(project, out)) == 130
        _reset(monkeypatch)
    parts = kept_parts(staging)
    assert [part["images"] for part in parts] == [2, 2, 2]
    parts[0]["images"] = 1
    rewrite_parts(staging, parts)
    kept = {p.name: p.read_bytes() for p in staging.iterdir()}

    if not sharded:
        _in_parts(monkeypatch)
    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, out) if sharded else _argv_one(project, out)) == 1
    err = capsys.readouterr().err
    assert "(pixelproof-parts.jsonl: part 1 recorded as of 1 image, 2 in 1 file (part-00001.json)" in err, err
    assert f"remove {staging} to start over" in err, err
    assert predicted == [] and not out.exists()
    assert {p.name: p.read_bytes() for p in staging.iterdir()} == kept
