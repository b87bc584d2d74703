"""``pixelproof qa REF CANDIDATE`` with a candidate that is no dataset to score: a FIFO or a device given as
the candidate (or the reference) is refused by name, not read as an empty dataset and scored as every object
missed."""

from __future__ import annotations

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
