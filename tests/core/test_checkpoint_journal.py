"""A kept job's journal (``pixelproof-parts.jsonl``) naming one file for two parts: a line repeated (a sync
tool, a hand edit) or a later part's record pointing at an earlier part's file. Each part was taken, its
images counted twice, so the job went on past images no part holds (they were never pre-labeled) and the
file no part named any more was removed as unrecorded. Such a journal is no journal PixelProof writes:
refused, nothing touched, as a part's record of other images than its files hold is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.core.batch.checkpoint import JOURNAL, SOURCES, Checkpoint, ResumeRefused

INPUTS, JOB = {"images": "sha256:abc"}, {"time": 1}


def kept_job(folder: Path, parts: int = 3) -> list[dict]:
    """A job stopped after ``parts`` parts of two images each; its journal's records."""
    checkpoint = Checkpoint.open(folder, INPUTS, JOB)
    for k in range(parts):
        part = folder / f"part-{k}.json"
        part.write_text(json.dumps({"part": k}))
        checkpoint.add([part], 2, {"n": k})
    return [json.loads(line) for line in (folder / JOURNAL).read_text().splitlines()]


def write_journal(folder: Path, records: list[dict]) -> None:
    (folder / JOURNAL).write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records))


@pytest.mark.parametrize("how", ["a line repeated", "a later part naming an earlier one's file"])
def test_a_file_recorded_for_two_parts_is_refused_and_nothing_touched(tmp_path: Path, how: str) -> None:
    folder = tmp_path / ".out.partial"
    records = kept_job(folder)
    if how == "a line repeated":
        records.insert(1, records[0])
    else:
        records[1]["files"] = records[0]["files"]
    write_journal(folder, records)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(ResumeRefused, match="without a manifest as PixelProof writes it"):
        Checkpoint.open(folder, INPUTS, JOB)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_part_file_named_as_a_sources_record_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / ".out.partial"
    records = kept_job(folder)
    name = SOURCES.format(1)
    (folder / records[1]["files"].popitem()[0]).rename(folder / name)
    records[1]["files"] = {name: records[2]["files"]["part-2.json"]}
    (folder / name).write_bytes((folder / "part-2.json").read_bytes())
    write_journal(folder, records)
    with pytest.raises(ResumeRefused, match="without a manifest as PixelProof writes it"):
        Checkpoint.open(folder, INPUTS, JOB)


def test_a_journal_pixelproof_wrote_is_taken_up(tmp_path: Path) -> None:
    folder = tmp_path / ".out.partial"
    kept_job(folder)
    taken = Checkpoint.open(folder, INPUTS, JOB)
    assert taken.images == 6 and [list(p["files"]) for p in taken.parts] == [
        [f"part-{k}.json"] for k in range(3)
    ]
