"""A kept job's journal (``pixelproof-parts.jsonl``) naming one file for two parts: a line repeated (a sync
tool, a hand edit) or a later part's record pointing at an earlier part's file. Each part was taken, its
images counted twice, so the job went on past images no part holds (they were never pre-labeled) and the
file no part named any more was removed as unrecorded. Such a journal is no journal PixelProof writes:
refused, nothing touched, as a part's record of other images than its files hold is."""

from __future__ import annotations

import gc
import io
import json
import tracemalloc
from pathlib import Path

import pytest

from pixelproof.core.batch.checkpoint import JOURNAL, MANIFEST, SOURCES, Checkpoint, ResumeRefused
from pixelproof.core.limits import MAX_JOURNAL_LINE, LimitError, read_lines

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


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's size and mtime (the journal under test is too large to hold twice)."""
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def _peak_opening(folder: Path) -> tuple[str, int]:
    """``Checkpoint.open``'s refusal and the peak memory Python allocated meanwhile."""
    gc.collect()
    tracemalloc.start()
    try:
        with pytest.raises(ResumeRefused) as refused:
            Checkpoint.open(folder, INPUTS, JOB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(refused.value), peak


@pytest.mark.parametrize("cut", [False, True], ids=["a whole line", "a last line without its newline"])
def test_a_journal_line_over_the_cap_is_refused_naming_it_without_being_read_whole(
    tmp_path: Path, cut: bool
) -> None:
    """A line of twice ``MAX_JOURNAL_LINE`` (a hand edit, a sync tool gluing files, a hostile folder) was
    read whole, twice over (the file, then its lines), before being refused as no record: the bytes read
    now stop at the cap, and the refusal names the journal and the line, as a line that is not JSON is
    refused (nothing touched: the user removes the folder or fixes the line)."""
    folder = tmp_path / ".out.partial"
    kept_job(folder)
    with (folder / JOURNAL).open("ab") as f:
        f.write(b'{"files":"' + b"x" * (2 * MAX_JOURNAL_LINE) + (b"" if cut else b'"}\n'))
    before = _files(folder)
    message, peak = _peak_opening(folder)
    assert message.startswith(f"{folder / JOURNAL}: line 4: longer than {MAX_JOURNAL_LINE:,} bytes"), message
    assert f"remove {folder} to start over" in message
    assert peak < 1.5 * MAX_JOURNAL_LINE, peak  # the whole read held over 4 times the cap
    assert _files(folder) == before


def test_a_manifest_over_the_cap_is_refused_naming_it_without_being_read_whole(tmp_path: Path) -> None:
    folder = tmp_path / ".out.partial"
    kept_job(folder)
    with (folder / MANIFEST).open("ab") as f:
        f.write(b" " * (2 * MAX_JOURNAL_LINE))  # still the JSON it was
    before = _files(folder)
    message, peak = _peak_opening(folder)
    assert message.startswith(f"{folder / MANIFEST}: larger than {MAX_JOURNAL_LINE:,} bytes"), message
    assert peak < 1.5 * MAX_JOURNAL_LINE, peak
    assert _files(folder) == before


@pytest.mark.parametrize("cut", [False, True])
def test_lines_are_read_up_to_the_bound_and_refused_past_it(cut: bool) -> None:
    end = b"" if cut else b"\n"
    text = b"ab\n" + b"x" * 8 + b"\n" + b"y" * 8 + end
    assert list(read_lines(io.BytesIO(text), "f", 8)) == [b"ab\n", b"x" * 8 + b"\n", b"y" * 8 + end]
    over = text + (b"z" if cut else b"z" * 9 + b"\n")  # 9 bytes on line 3, or a line 4 of 9
    with pytest.raises(LimitError, match=rf"^f: line {3 if cut else 4}: longer than 8 bytes; refused$"):
        list(read_lines(io.BytesIO(over), "f", 8))
