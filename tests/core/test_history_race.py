"""Two writers saving one project at once: the change log never gives two entries one ``seq``, and the
refused writer's entry never shows as committed (the race between picking the seq and appending it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from pixelproof.cli import main
from pixelproof.core import coco, history
from pixelproof.core.coco import ProjectConflictError, load_project, save_project
from tests.core.teams_data import box_annotation, make_project


@pytest.fixture(autouse=True)
def _author(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "dana")


def _lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in history.sidecar(path).read_bytes().splitlines()]


def _race(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second_first: bool) -> Path:
    """Writer A ("mine") picks its seq; inside its window (while its project is serialised) writer B
    ("theirs", another window or a CLI command) saves the same file whole. With ``second_first`` B only
    appends its line there and replaces the file after A's attempt (B wins the file, A appended last)."""
    p = make_project(tmp_path, 2)
    save_project(p)
    mine, theirs = load_project(p.path), load_project(p.path)
    mine.add_annotation(box_annotation(61, 2, 2, [3, 3, 2, 2]))
    history.note(mine, author="mine")
    theirs.add_annotation(box_annotation(60, 1, 1, [1, 1, 2, 2]))
    history.note(theirs, author="theirs")
    real_dumps = coco.dumps_project
    real_write = coco.atomic_write
    held: list[Any] = []

    def dumps(project: Any) -> bytes:
        if project is mine and not held:
            held.append(True)
            if second_first:  # B appends its line now; its file write waits until A has tried
                monkeypatch.setattr(coco, "atomic_write", hold_write)
            save_project(theirs)
            monkeypatch.setattr(coco, "atomic_write", real_write)
        return real_dumps(project)

    def hold_write(*args: Any, **kwargs: Any) -> Path:
        held.append((args, kwargs))
        return Path(args[0])

    monkeypatch.setattr(coco, "dumps_project", dumps)
    if second_first:
        save_project(mine)  # A's replace goes first here (B's is held)
        args, kwargs = held[1]
        monkeypatch.setattr(coco, "atomic_write", real_write)
        with pytest.raises(ProjectConflictError):
            real_write(*args, **kwargs)  # B's replace: refused, as A wrote the file meanwhile
    else:
        with pytest.raises(ProjectConflictError):
            save_project(mine)
    return p.path


@pytest.mark.parametrize("second_first", [False, True])
def test_two_writers_in_one_window_never_share_a_seq(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second_first: bool
) -> None:
    path = _race(tmp_path, monkeypatch, second_first)
    seqs = [e["seq"] for e in _lines(path)]
    assert len(seqs) == len(set(seqs)) == 3, seqs
    head = load_project(path).app["history"]["head"]
    entries, problems = history.read_log(path, head)
    assert problems == []
    winner, loser = ("mine", "theirs") if second_first else ("theirs", "mine")
    assert sorted((e["author"], e["committed"]) for e in entries) == sorted(
        [("dana", True), (winner, True), (loser, False)]
    )
    [at_head] = [e for e in entries if e["seq"] == head]
    assert at_head["author"] == winner


@pytest.mark.parametrize("refused_last", [True, False])
def test_the_refused_writers_line_with_a_taken_seq_never_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], refused_last: bool
) -> None:
    """A log written during the race by a writer without the lock (an older PixelProof, a file system
    without locks): two lines with one seq. The one whose recorded project digest is the file's wins,
    first line or last: at the head (``pixelproof log``: the file's digest) and further down the chain
    (the digest the next entry replaced)."""
    p = make_project(tmp_path, 2)
    save_project(p)
    p.add_annotation(box_annotation(60, 1, 1, [1, 1, 2, 2]))
    history.note(p, author="theirs")
    save_project(p)
    p.add_annotation(box_annotation(62, 1, 1, [5, 5, 2, 2]))
    history.note(p, author="later")
    save_project(p)
    log = history.sidecar(p.path)
    [first, ours, later] = _lines(p.path)

    def write(*lines: dict, refused: dict) -> None:
        shown = [*lines, refused] if refused_last else [*lines[:-1], refused, lines[-1]]
        log.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in shown))

    write(first, ours, later, refused={**later, "author": "mine", "file": "0" * 64})
    assert main(["log", str(p.path), "--json"]) == 0
    shown = orjson.loads(capsys.readouterr().out)
    assert sorted((e["author"], e["committed"]) for e in shown) == [
        ("dana", True),
        ("later", True),
        ("mine", False),
        ("theirs", True),
    ]
    write(first, ours, refused={**ours, "author": "mine", "file": "0" * 64})
    log.write_bytes(log.read_bytes() + orjson.dumps(later) + b"\n")
    entries, _ = history.read_log(p.path, 3, load_project(p.path).file_state.sha256.hex())
    assert sorted((e["author"], e["committed"]) for e in entries) == [
        ("dana", True),
        ("later", True),
        ("mine", False),
        ("theirs", True),
    ]


def test_pixelproof_log_shows_only_the_committed_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _race(tmp_path, monkeypatch, second_first=False)
    monkeypatch.undo()
    assert main(["log", str(path), "--json"]) == 0
    shown = orjson.loads(capsys.readouterr().out)
    assert [(e["author"], e["committed"]) for e in shown] == [
        ("mine", False),
        ("theirs", True),
        ("dana", True),
    ]
    assert main(["log", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "NOT COMMITTED" in next(line for line in lines if " mine " in line)
    assert "NOT COMMITTED" not in next(line for line in lines if " theirs " in line)
