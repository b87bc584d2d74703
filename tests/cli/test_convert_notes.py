"""``convert`` counts a reader's problems, not its lines of information: a COCO export of two splits is
read "as one project" and its images found in ``images/<split>/`` (both said on stderr, as notes), while
only the object ids renumbered are a problem; nothing was left out, so the exit status stays 0."""

from __future__ import annotations

import shutil
from pathlib import Path

from pixelproof.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "coco_dataset" / "coco_instances"


def test_notes_are_printed_but_not_counted_as_problems(tmp_path: Path, capsys) -> None:
    src = tmp_path / "export"
    shutil.copytree(DATA, src)
    out = tmp_path / "out.json"
    assert main(["convert", str(src), str(out), "--from", "coco", "--to", "coco"]) == 0
    captured = capsys.readouterr()
    assert "as one project; each image's split is its file's" in captured.err  # still said
    assert captured.err.count("their names now lead there") == 2
    assert "1 annotation id also in an earlier file" in captured.err
    summary = captured.out.strip().splitlines()[-1]
    assert summary.endswith("; 1 problem"), summary  # 4 before: the three notes counted
