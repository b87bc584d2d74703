"""A reader's error names the file once: most readers' messages start with the file they failed on, and
``convert`` (and ``qa``'s reference) put the input before them again, so a MOT results file without its
sequence read ``r/MOT17-02.txt: r/MOT17-02.txt: a tracker's results file holds no frames``."""

from __future__ import annotations

from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.errors import about


def results_file(tmp_path: Path) -> Path:
    """A tracker's results file with no sequence folder beside it (no --image-dir)."""
    (tmp_path / "r").mkdir()
    txt = tmp_path / "r" / "MOT17-02.txt"
    txt.write_text("1,1,10,10,5,5,0.9,-1,-1,-1\n", encoding="utf-8")
    return txt


def test_convert_names_the_input_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    txt = results_file(tmp_path)
    assert main(["convert", str(txt), str(tmp_path / "t.json"), "--from", "mot", "--to", "coco"]) == 1
    err = capsys.readouterr().err
    assert "a tracker's results file holds no frames" in err
    assert err.count(str(txt)) == 1, err


def test_convert_names_a_folder_given_with_a_slash_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty").mkdir()
    folder = f"{tmp_path / 'empty'}/"
    assert main(["convert", folder, str(tmp_path / "t.json"), "--from", "mot", "--to", "coco"]) == 1
    err = capsys.readouterr().err
    assert err.count(str(tmp_path / "empty")) == 1, err
    assert f"{folder}: no MOTChallenge sequence" in err


def test_qa_names_the_reference_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    txt = results_file(tmp_path)
    cand = tmp_path / "cand.json"
    save_project(new_project(["object"]), cand)
    main(["qa", str(txt), str(cand), "--ref-format", "mot"])
    err = capsys.readouterr().err
    assert "cannot be read as MOTChallenge (tracking): a tracker's results file" in err, err
    assert err.count(str(txt)) == 1, err


def test_a_message_about_another_file_keeps_both_names() -> None:
    assert about("a.txt", "a.txt: bad") == "a.txt: bad"
    assert about("seq", "seq/gt/gt.txt: bad") == "seq: seq/gt/gt.txt: bad"
    assert about("a.txt", "a.txt: bad", "cannot be read as X") == "a.txt: cannot be read as X: bad"
