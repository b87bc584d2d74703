"""``pixelproof qa REF CANDIDATE`` with a candidate that is no dataset to score: a FIFO or a device given as
the candidate (or the reference) is refused by name, not read as an empty dataset and scored as every object
missed; a candidate that is the reference itself is said, as its perfect figures measure nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pixelproof.cli import main
from tests.interop.test_mot import make_sequence


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_fifo_or_device_as_candidate_or_reference_is_refused(tmp_path: Path, capsys) -> None:
    seq = make_sequence(tmp_path / "train")
    fifo = tmp_path / "MOT17-02.txt"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.txt"
    zero.symlink_to(os.devnull)
    report = tmp_path / "qa.json"
    assert main(["qa", str(seq), str(fifo), "--cand-format", "mot", "--json", str(report)]) == 1
    assert f"{fifo}: is a FIFO (named pipe), not a file to read" in capsys.readouterr().err
    assert main(["qa", str(seq), str(zero), "--cand-format", "mot", "--json", str(report)]) == 1
    assert f"{zero}: is a device, not a file to read" in capsys.readouterr().err
    assert main(["qa", str(zero), str(seq), "--ref-format", "mot", "--json", str(report)]) == 1
    assert f"{zero}: is a device, not a file to read" in capsys.readouterr().err
    assert not report.exists()


def test_candidate_that_is_the_reference_is_said(tmp_path: Path, capsys) -> None:
    seq = make_sequence(tmp_path / "train")
    link = tmp_path / "same"
    link.symlink_to(seq)
    report = tmp_path / "qa.json"
    assert main(["qa", str(seq), str(link), "--json", str(report)]) == 0
    err = capsys.readouterr().err
    assert f"{link}: the candidate is the reference itself ({seq})" in err
    assert any(
        "the candidate is the reference itself" in p for p in json.loads(report.read_text())["problems"]
    )
    # a project candidate too: its reference is its own file
    project = tmp_path / "project.json"
    assert main(["convert", str(seq), str(project), "--from", "mot", "--to", "coco"]) == 0
    capsys.readouterr()
    assert main(["qa", str(project), str(project), "--ref-format", "coco", "--json", str(report)]) == 0
    assert f"{project}: the candidate is the reference itself" in capsys.readouterr().err
    # another sequence is no warning
    other = make_sequence(tmp_path / "other")
    assert main(["qa", str(seq), str(other), "--json", str(report)]) == 0
    assert "the reference itself" not in capsys.readouterr().err
