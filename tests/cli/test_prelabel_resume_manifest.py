"""What ``prelabel``'s checkpoint (``.OUT.partial``) records of a job: each part's record appended once to a
journal (never the whole record rewritten after each part), each created category once, and manifests
written the older ways are still taken up; each finished picture's file as it was (size, mtime), so a
picture replaced before the resume is pre-labeled again."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import cv2
import pytest

from pixelproof.cli import main
from pixelproof.core.batch import checkpoint
from pixelproof.core.batch.checkpoint import JOURNAL, MANIFEST
from pixelproof.inference import batch
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_prelabel_resume import (
    EPOCH,
    NAMES,
    _argv,
    _predicted,
    _reference,
    _same_parts,
    _staging,
    kept_parts,
    old_manifest,
)
from tests.cli.test_prelabel_resume_one import _argv as _argv_one
from tests.cli.test_prelabel_resume_one import _copy, _in_parts, _same_project
from tests.cli.test_prelabel_resume_one import _reference as _reference_one
from tests.cli.test_scale_cli import coin_pictures


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_project(tmp_path / "p", coin_pictures(12, side=48))


def _many_categories(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each picture's predictions go to categories of their own (``c003.png``: ``c003-0``, ``c003-1``...):
    a job creating categories all along, as a model of 80 classes on a project without them does."""
    real_predict, real_fitting, current = batch._predict, batch.predict_fitting, {}

    def predict(context, model, item, pixels):  # type: ignore[no-untyped-def]
        current["stem"] = Path(item.path).stem
        return real_predict(context, model, item, pixels)

    def fitting(model, pixels, overlap):  # type: ignore[no-untyped-def]
        predictions, tiled = real_fitting(model, pixels, overlap)
        named = [dataclasses.replace(p, category=f"{current['stem']}-{k}") for k, p in enumerate(predictions)]
        return named, tiled

    monkeypatch.setattr(batch, "_predict", predict)
    monkeypatch.setattr(batch, "predict_fitting", fitting)


def _reset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _interrupt_at_picture_7(monkeypatch: pytest.MonkeyPatch, project: Path, out: Path) -> list[dict]:
    """A job creating categories all along stopped at picture 7 (3 parts of 2 kept): its parts' records."""
    _predicted(monkeypatch, stop_at="c006.png")
    _many_categories(monkeypatch)
    assert main(_argv(project, out)) == 130
    _reset(monkeypatch)
    return kept_parts(_staging(out))


def test_the_manifest_records_each_created_category_once_not_once_per_part(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every part recorded the full list of the categories the job had created, and the whole manifest
    is rewritten after each part: parts x categories per write, parts^2 x categories over the job
    (gigabytes over 200k images with 80 new categories). Each category is now recorded once, by the part
    that created it, and the job still resumes to the uninterrupted run's parts."""
    out = project.parent / "parts"
    parts = _interrupt_at_picture_7(monkeypatch, project, out)
    recorded = [c["name"] for part in parts for c in part["state"]["mapper"]["categories"]]
    kept = json.loads((_staging(out) / "part-00003.json").read_text())
    created = [c["name"] for c in kept["categories"]]  # the project had none: all the job's
    assert len(created) >= 6 and len({n.split("-")[0] for n in created}) >= 4  # made by several parts
    assert sorted(recorded) == sorted(created)  # each once
    reported = [n for part in parts for n in part["state"]["report"]["new_categories"]]
    assert sorted(reported) == sorted(created)

    _many_categories(monkeypatch)
    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert predicted == NAMES[6:]
    _reset(monkeypatch)
    _many_categories(monkeypatch)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def test_a_manifest_written_the_older_way_with_every_created_category_in_each_part_is_resumed(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Parts kept by a version recording all the categories created so far in each part (manifest format
    1) are taken up, not refused, and give the uninterrupted run's parts."""
    out = project.parent / "parts"
    parts = _interrupt_at_picture_7(monkeypatch, project, out)
    so_far: dict[int, dict] = {}
    for part in parts:  # as the older version wrote them: all the categories created so far
        mapper = part["state"]["mapper"]
        so_far |= {c["id"]: c for c in mapper["categories"]}
        mapper["categories"] = sorted(so_far.values(), key=lambda c: c["id"])
        part.pop("sources", None)
    assert len(parts[0]["state"]["mapper"]["categories"]) < len(so_far)
    old_manifest(_staging(out), parts, version=1)

    _many_categories(monkeypatch)
    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert "resumed: 6 images were done in 3 kept parts" in capsys.readouterr().err
    assert predicted == NAMES[6:]
    _reset(monkeypatch)
    _many_categories(monkeypatch)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def _bookkeeping(staging: Path) -> dict[str, tuple[int, bytes]]:
    """The staging folder's own files (all but the parts and their change logs): inode and bytes."""
    return {
        p.name: (p.stat().st_ino, p.read_bytes()) for p in staging.iterdir() if not p.name.startswith("part-")
    }


def test_each_byte_of_the_jobs_record_is_written_once_not_rewritten_after_every_part(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The manifest held every finished part and was rewritten whole after each: parts^2 bytes over a
    job (a small --shard-size, 200k images in parts of 500: 400 rewrites of a growing file). Looked at
    after each of 12 parts of one picture, a file of the record is new or grows by what is appended to
    it: each byte is written once, and the job still writes an uninterrupted run's parts."""
    out, staging = project.parent / "parts", _staging(project.parent / "parts")
    real, seen, written = checkpoint.Checkpoint.add, {}, []

    def add(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        real(self, *args, **kwargs)
        now, new = _bookkeeping(staging), 0
        for name, (inode, data) in now.items():
            was = seen.get(name)
            appended = was is not None and was[0] == inode and data.startswith(was[1])
            new += len(data) - len(was[1]) if appended else len(data)
        written.append(new)
        seen.clear()
        seen.update(now)

    monkeypatch.setattr(checkpoint.Checkpoint, "add", add)
    assert main(_argv(project, out, "--shard-size", "1")) == 0, capsys.readouterr().err
    assert len(written) == 12
    assert sum(written) == sum(len(data) for _, data in seen.values()), written
    assert MANIFEST in seen and len(seen[JOURNAL][1].splitlines()) == 12


def test_parts_kept_by_the_previous_release_in_a_manifest_rewritten_whole_are_resumed(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A job interrupted under the previous release (manifest format 2: the parts in the manifest, no
    journal) is finished by this one, not refused: its parts are taken up and kept from then on in the
    journal (stopped again, the folder holds format 3), and the parts are an uninterrupted run's."""
    out = project.parent / "parts"
    staging = _staging(out)
    _predicted(monkeypatch, stop_at="c006.png")
    assert main(_argv(project, out)) == 130
    _reset(monkeypatch)
    old_manifest(staging, kept_parts(staging))

    predicted = _predicted(monkeypatch, stop_at="c008.png")
    capsys.readouterr()
    assert main(_argv(project, out)) == 130
    assert "resumed: 6 images were done in 3 kept parts" in capsys.readouterr().err
    assert predicted == NAMES[6:8]
    _reset(monkeypatch)
    doc = json.loads((staging / MANIFEST).read_text())
    assert doc["format"] == 3 and "parts" not in doc
    assert [part["images"] for part in kept_parts(staging)] == [2, 2, 2, 2]

    predicted = _predicted(monkeypatch)
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert predicted == NAMES[8:]
    _reset(monkeypatch)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def test_a_record_cut_short_is_no_record_and_one_that_is_not_json_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kill while a part's line is appended leaves it without its newline: that part is not counted
    (made again, the result an uninterrupted run's). A whole line that is not JSON is no line PixelProof
    writes: refused, nothing touched."""
    out = project.parent / "parts"
    staging = _staging(out)
    _predicted(monkeypatch, stop_at="c006.png")
    assert main(_argv(project, out)) == 130
    _reset(monkeypatch)
    journal = staging / JOURNAL
    lines = journal.read_bytes().splitlines(keepends=True)
    assert len(lines) == 3

    journal.write_bytes(b"".join([lines[0], b"{not json\n", *lines[1:]]))
    kept = {p.name: p.read_bytes() for p in staging.iterdir()}
    capsys.readouterr()
    assert main(_argv(project, out)) == 1
    assert f"remove {staging} to start over" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in staging.iterdir()} == kept and not out.exists()

    journal.write_bytes(b"".join([*lines[:2], lines[2][:-9]]))  # the third line cut short
    predicted = _predicted(monkeypatch)
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    assert predicted == NAMES[4:]
    assert "resumed: 4 images were done in 2 kept parts" in capsys.readouterr().err
    _reset(monkeypatch)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def _touched(picture: Path) -> None:
    """A new modification time, a second on (no waiting for the clock), the bytes as they were."""
    st = picture.stat()
    os.utime(picture, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_a_picture_replaced_before_the_resume_is_pre_labeled_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Resuming checked the image list, not the image files: a picture replaced between the interrupted
    run and the resume kept its old predictions, in a result no run makes. Its file is now recorded as it
    was (size and mtime, one stat: no reading of gigapixel slides), and the job goes on from the part
    holding it, naming it: the parts are those of an uninterrupted run on the pictures as they are now."""
    out = project.parent / "parts"
    _predicted(monkeypatch, stop_at="c006.png")
    assert main(_argv(project, out)) == 130
    _reset(monkeypatch)
    replaced = project.parent / "c003.png"
    other = coin_pictures(12, side=48)["c009.png"]
    assert cv2.imwrite(str(replaced), other)  # the pictures of part 2 (c002, c003) and after are redone
    _touched(replaced)  # however coarse the file system's clock

    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv(project, out)) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert predicted == NAMES[2:], err
    assert "1 picture changed since the interrupted run pre-labeled it (c003.png)" in err, err
    assert "pre-labeling again from the part holding the first: 4 of the 6 kept images" in err, err
    assert "resumed: 2 images were done in 1 kept part" in err, err
    _reset(monkeypatch)
    reference, _ = _reference(project, capsys)
    _same_parts(out, reference)


def test_pictures_touched_before_the_resume_of_one_project_are_named_and_pre_labeled_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In place, in parts: every kept picture given a new modification time (a copy that does not keep
    times, an edit saving the same pixels) counts as changed, the first five named and the rest counted;
    the job is done again and writes what an uninterrupted run writes."""
    copy = _copy(project)
    _in_parts(monkeypatch)
    _predicted(monkeypatch, stop_at="c006.png")
    assert main(_argv_one(project, None)) == 130
    _reset(monkeypatch)
    for name in NAMES[:6]:
        _touched(project.parent / name)

    _in_parts(monkeypatch)
    predicted = _predicted(monkeypatch)
    capsys.readouterr()
    assert main(_argv_one(project, None)) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert predicted == NAMES, err
    named = ", ".join(NAMES[:5])
    assert f"6 pictures changed since the interrupted run pre-labeled them ({named} and 1 more)" in err, err
    assert "6 of the 6 kept images" in err, err
    _reset(monkeypatch)
    reference, _ = _reference_one(copy, True, capsys, monkeypatch)
    _same_project(project, reference)
