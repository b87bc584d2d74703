"""A hand-edited or hostile change log (``<name>.history.jsonl``): odd ``seq`` values on its last line, a
FIFO or a symlink in its place. Saves go on or are refused naming the log; ``read_log`` never blocks, and
never reads a file a link names."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from pixelproof.cli import main
from pixelproof.core import history
from pixelproof.core.coco import ProjectSaveError, load_project, save_project
from tests.core.teams_data import box_annotation, make_project

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and symlinks")


@pytest.fixture(autouse=True)
def _author(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "dana")


@pytest.mark.parametrize("seq", [b'"abc"', b"1e300", b"true", b"-5", b"18446744073709551615", b"3.0"])
def test_a_last_line_with_an_odd_seq_neither_stops_nor_misnumbers_the_next_save(
    tmp_path: Path, seq: bytes
) -> None:
    """'abc' made each save raise ValueError out of int(); 1e300 (and 2**64 - 1) gave the next entry a seq
    past 64 bits, so every save was refused; -5 and true were read as entries."""
    p = make_project(tmp_path, 1)
    save_project(p)
    log = history.sidecar(p.path)
    with open(log, "ab") as f:
        f.write(b'{"seq": ' + seq + b', "parent": 1}\n')
    assert history.last_seq(log) == 0
    p.add_annotation(box_annotation(70, 1, 1, [1, 1, 2, 2]))
    save_project(p)
    assert load_project(p.path).app["history"] == {"head": 2}
    entries, problems = history.read_log(p.path, 2)
    assert [(e["seq"], e["parent"], e["committed"]) for e in entries] == [(2, 1, True), (1, None, True)]
    assert problems == [f"{log}:2: not a history entry (skipped)"]


def test_a_head_past_any_seq_in_the_project_file_starts_a_new_chain(tmp_path: Path) -> None:
    """A hand-edited ``history.head`` of 2**64 - 1 gave the entry a seq orjson cannot write: no save."""
    p = make_project(tmp_path, 1)
    save_project(p)
    p.app["history"] = {"head": 2**64 - 1}
    p.add_annotation(box_annotation(70, 1, 1, [1, 1, 2, 2]))
    save_project(p)
    last = orjson.loads(history.sidecar(p.path).read_bytes().splitlines()[-1])
    assert (last["seq"], last["parent"]) == (2, None)


@posix_only
def test_a_fifo_in_the_logs_place_is_said_not_waited_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``pixelproof log``, a save and ``renumber`` each waited for a writer on the FIFO for good."""
    p = make_project(tmp_path, 1)
    save_project(p)
    log = history.sidecar(p.path)
    log.unlink()
    os.mkfifo(log)
    assert history.read_log(p.path, 1) == ([], [f"{log}: cannot read: is a FIFO (named pipe), not a file"])
    p.add_annotation(box_annotation(70, 1, 1, [1, 1, 2, 2]))
    with pytest.raises(ProjectSaveError, match=r"could not write the change log .*: is a FIFO"):
        save_project(p)
    assert main(["renumber", str(p.path), "-o", str(tmp_path / "new.json")]) == 1
    assert f"{log}: cannot read the change log: is a FIFO (named pipe), not a file" in capsys.readouterr().err
    assert not (tmp_path / "new.json").exists()


@posix_only
def test_a_symlink_in_the_logs_place_is_neither_read_nor_appended_to(tmp_path: Path) -> None:
    """A link put beside the project named another file: ``pixelproof log`` listed its lines as problems
    and each save appended an entry to it, wherever it was."""
    p = make_project(tmp_path, 1)
    save_project(p)
    log = history.sidecar(p.path)
    log.unlink()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(b"private\n")
    log.symlink_to(elsewhere)
    entries, problems = history.read_log(p.path, 1)
    assert entries == [] and problems == [f"{log}: cannot read: is a symbolic link, not a file of its own"]
    p.add_annotation(box_annotation(70, 1, 1, [1, 1, 2, 2]))
    with pytest.raises(ProjectSaveError, match=r"could not write the change log .*: is a symbolic link"):
        save_project(p)
    assert elsewhere.read_bytes() == b"private\n"
    assert load_project(p.path).annotations.keys() == {1, 2}


def test_a_log_of_many_damaged_lines_names_the_first_ones_and_counts_the_rest(tmp_path: Path) -> None:
    """100,000 lines that are no entries were 100,000 warnings from ``pixelproof log``."""
    p = make_project(tmp_path, 1)
    save_project(p)
    log = history.sidecar(p.path)
    with open(log, "ab") as f:
        f.write(b"junk\n" * 100_000)
    entries, problems = history.read_log(p.path, 1)
    assert [(e["seq"], e["committed"]) for e in entries] == [(1, True)]
    assert problems == [
        *(f"{log}:{n}: not a JSON line (skipped)" for n in range(2, 2 + history.PROBLEMS_NAMED)),
        f"{log}: 99,990 more lines skipped as not history entries",
    ]
