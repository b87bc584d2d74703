"""Where reports go (``qa``, ``lint``, ``agreement``, ``merge --report``): never over what they are made
from, never two reports in one file, and a bad option is one message, never a traceback."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def scored_project(path: Path, category: str) -> Path:
    """One image ``a.png`` beside ``path`` with one object of ``category``."""
    p = Project()
    p.add_category(Category(1, category))
    p.add_image(ImageRecord(1, "a.png", 40, 30))
    m = np.zeros((30, 40), dtype=bool)
    m[5:20, 5:25] = True
    p.add_annotation(Annotation(1, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    Image.fromarray(np.full((30, 40, 3), 100, np.uint8)).save(path.parent / "a.png")
    save_project(p, path)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("tau", ["inf", "1e400", "nan", "-1"])
def test_qa_refuses_an_nsd_tau_that_is_no_finite_distance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tau: str
) -> None:
    project = scored_project(tmp_path / "p.json", "cat")
    code, err = run(capsys, "qa", project, project, "--nsd-tau", tau, "--json", tmp_path / "r.json")
    assert code == 2 and "--nsd-tau" in err and "Traceback" not in err
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["qa", "{p}", "{p}", "--json", "{out}", "--csv", "{out}"],
        ["qa", "{p}", "{p}", "--csv", "{out}", "--html", "{alias}"],
        ["lint", "{p}", "--json", "{out}", "--html", "{out}"],
        ["agreement", "{p}", "{q}", "--json", "{out}", "--html", "{alias}"],
    ],
)
def test_two_reports_in_one_file_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    p = scored_project(tmp_path / "p.json", "cat")
    q = tmp_path / "q.json"
    shutil.copy(p, q)
    (tmp_path / "sub").mkdir()
    out, alias = tmp_path / "report.out", tmp_path / "sub" / ".." / "report.out"
    args = [a.format(p=p, q=q, out=out, alias=alias) for a in argv]
    code, err = run(capsys, *args)
    assert code == 2 and "report.out" in err and "same file" in err  # a usage error, agreement's too
    assert not out.exists()


@pytest.mark.parametrize("command", ["qa", "lint", "agreement"])
def test_a_report_over_an_image_of_the_project_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    p = scored_project(tmp_path / "p.json", "cat")
    image = tmp_path / "a.png"
    before = image.read_bytes()
    q = tmp_path / "q.json"
    shutil.copy(p, q)
    inputs = {"qa": [p, p], "lint": [p], "agreement": [p, q]}[command]
    code, err = run(capsys, command, *inputs, "--html", image)
    assert code == 2 and str(image) in err and "image" in err  # agreement exited 1 where qa and lint 2
    assert image.read_bytes() == before


def test_merge_report_over_the_base_project_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = scored_project(tmp_path / "base.json", "cat")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    shutil.copy(base, a)
    shutil.copy(base, b)
    before = base.read_bytes()
    code, err = run(capsys, "merge", a, b, "--into", base, "-o", tmp_path / "out.json", "--report", base)
    assert code == 1 and "--report" in err and "base.json" in err
    assert base.read_bytes() == before
    assert not (tmp_path / "out.json").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("command", ["qa", "lint", "agreement"])
def test_a_fifo_named_as_a_report_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """A FIFO (or a device) as ``--csv`` passed the check before the run; after the whole run the write
    refused it, with the ``--json`` before it written and the others not (exit 1). Agreement (no
    ``--csv``: its ``--html``) refused it before the run, but with exit 1 where qa and lint say 2."""
    p = scored_project(tmp_path / "p.json", "cat")
    q = tmp_path / "q.json"
    shutil.copy(p, q)
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    inputs = {"qa": [p, p], "lint": [p], "agreement": [p, q]}[command]
    last = "--html" if command == "agreement" else "--csv"
    code, err = run(capsys, command, *inputs, "--json", tmp_path / "r.json", last, pipe)
    assert code == 2, err
    assert err.strip() == f"pixelproof: error: {pipe}: is a FIFO (named pipe), not a file to write"
    assert not (tmp_path / "r.json").exists()  # nothing written: the run never started
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)  # the pipe left as it is


@pytest.mark.parametrize("command", ["qa", "lint", "agreement"])
@pytest.mark.parametrize("where", ["folder", "through a file"])
def test_a_report_path_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, where: str
) -> None:
    """``agreement --json DIR`` (or a path whose folder cannot be made: a file on the way) exited 1 where
    ``qa`` and ``lint`` exit 2 for the same refusal before any work: a usage error, exit 2, in all three,
    nothing written."""
    p = scored_project(tmp_path / "p.json", "cat")
    q = tmp_path / "q.json"
    shutil.copy(p, q)
    (tmp_path / "out").mkdir()
    bad = tmp_path / "out" if where == "folder" else q / "nowhere" / "r.json"
    inputs = {"qa": [p, p], "lint": [p], "agreement": [p, q]}[command]
    before = sorted(os.listdir(tmp_path))
    code, err = run(capsys, command, *inputs, "--html", tmp_path / "r.html", "--json", bad)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and str(bad) in err and "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == before and os.listdir(tmp_path / "out") == []


@pytest.mark.parametrize(
    "argv",
    [
        ["qa", "{p}", "{p}", "--json", ""],
        ["qa", "{p}", "{p}", "--csv", "{out}", "--html", ""],
        ["lint", "{p}", "--json", ""],
        ["agreement", "{p}", "{p}", "--json", ""],
    ],
)
def test_an_empty_report_name_is_said_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """``--json "$OUT"`` with OUT unset: the error named "." (or the current folder) as a folder, not the
    empty name given."""
    p = scored_project(tmp_path / "p.json", "cat")
    out = tmp_path / "r.csv"
    code, err = run(capsys, *[a.format(p=p, out=out) for a in argv])
    assert code == 2, err
    assert "output file name is empty" in err and ".:" not in err, err
    assert not out.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["lock", "{p}", "--images", "*", "-o", ""],
        ["unlock", "{p}", "--images", "*", "-o", ""],
        ["set-split", "{p}", "val", "-o", ""],
        ["predictions", "{p}", "accept", "-o", ""],
        ["restore", "{p}", "{p}", "-o", ""],
        ["convert", "{p}", "--to", "coco", "-o", ""],
        ["convert", "{p}", "--to", "yolo", "-o", ""],
        ["prelabel", "{p}", "--backend", "threshold", "--option", "category=cat", "-o", ""],
    ],
)
def test_an_empty_project_output_name_is_said_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """``-o "$OUT"`` with OUT unset: lock, set-split, predictions, restore said the current folder was a
    folder ("/home/me: is a folder"), convert to a folder format wrote into it, and prelabel took the empty
    name for no -o and wrote over the project. Each now says the name is empty, before any work."""
    p = scored_project(tmp_path / "p.json", "cat")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    before, files = p.read_bytes(), sorted(os.listdir(tmp_path))
    code, err = run(capsys, *[a.format(p=p) for a in argv])
    assert code == 1, err
    assert err.strip() == (
        "pixelproof: error: an output file name is empty (an unset variable in the command line?); "
        "nothing written"
    )
    assert p.read_bytes() == before and sorted(os.listdir(tmp_path)) == files
    assert os.listdir(here) == []
