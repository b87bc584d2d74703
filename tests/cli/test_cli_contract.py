"""The command line as a script relies on it: a bad argument gives one line naming it (no traceback), an
output that cannot be written is refused before anything is written, exit codes as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pixelproof.cli import main


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err, err
    assert len(lines) == 1, err
    return lines[0]


def test_usage_error_names_the_command_not_the_whole_top_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["diff", "a.json", "b.json", "--iou-threshold", "abc"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last == "pixelproof diff: error: argument --iou-threshold: invalid float value: 'abc'", err
    assert "[PATH]" not in err  # the app's usage is no part of a subcommand's
    assert err.startswith("usage: pixelproof diff ")


def test_stdout_closed_early_is_no_traceback(demo: Path) -> None:
    """``pixelproof diff --json A B | head -1``: the reader goes away; no traceback, exit 141 (SIGPIPE)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pixelproof", "diff", "--json", str(demo), str(demo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command prints anything
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["new", "{images}", "-o", "{out}"],
        ["merge", "{project}", "-o", "{out}"],
        ["consensus", "{project}", "--accept", "-o", "{out}"],
        ["taxonomy", "rename", "{project}", "coin", "coins", "-o", "{out}"],
    ],
)
def test_output_that_is_a_folder_is_one_error_line(
    argv: list[str], demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = demo.parent / "a_folder"
    folder.mkdir()
    args = [a.format(images=demo.parent / "images", project=demo, out=folder) for a in argv]
    assert main(args) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert str(folder) in line and "folder" in line


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["new", "{images}", "-o", "{out}"], 1),
        (["merge", "{project}", "-o", "{out}"], 1),
        (["merge", "{project}", "-o", "{ok}", "--report", "{out}"], 1),
        (["split", "{project}", "--annotators", "a,b", "-o", "{okdir}", "--manifest", "{out}"], 1),
        (["lint", "{project}", "--json", "{out}"], 2),
        (["qa", "{reference}", "{project}", "--csv", "{out}"], 2),
        (["consensus", "{project}", "--accept", "-o", "{out}"], 1),
        (["prelabel", "{project}", "--backend", "threshold", "-o", "{out}"], 1),
    ],
)
def test_output_in_a_folder_that_cannot_be_made_is_refused_before_any_work(
    argv: list[str], code: int, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Missing folders of an output are made (``-o proj/project.json``), but not through a file."""
    blocker = demo.parent / "notes.txt"
    blocker.write_text("a file, not a folder")
    out = blocker / "no_such_folder" / "out.json"
    ok, okdir = demo.parent / "ok.json", demo.parent / "okdir"
    reference = demo.parent / "reference.json"
    args = [
        a.format(
            images=demo.parent / "images", project=demo, out=out, ok=ok, okdir=okdir, reference=reference
        )
        for a in argv
    ]
    assert main(args) == code
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert line.startswith("pixelproof: error: ") and str(out) in line
    assert f"{blocker} is a file, not a folder" in line
    assert captured.out == ""  # refused up front: nothing was done
    assert not ok.exists() and not okdir.exists()  # no partial output


def test_diff_iou_threshold_out_of_range_is_a_usage_error(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in ("nan", "-1", "1"):
        assert main(["diff", str(demo), str(demo), "--iou-threshold", bad]) == 2
        line = _one_error_line(capsys.readouterr().err)
        assert line.startswith("pixelproof: error: --iou-threshold must be in [0, 1)")


def test_tag_list_of_a_missing_project_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert main(["tag", str(missing)]) == 1
    assert str(missing) in _one_error_line(capsys.readouterr().err)


def test_checkout_of_a_missing_project_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert main(["checkout", str(missing), "--at", "v1", "-o", str(tmp_path / "out.json")]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert str(missing) in line and "not found" in line


def test_taxonomy_export_never_overwrites_a_picture(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    picture = demo.parent / "images" / "cell.png"
    before = picture.read_bytes()
    assert main(["taxonomy", "export", str(demo), "-o", str(picture)]) == 1
    assert "not overwritten" in _one_error_line(capsys.readouterr().err)
    assert picture.read_bytes() == before


@pytest.mark.parametrize("where", ["folder", "through a file"])
def test_taxonomy_export_unwritable_output_is_one_line(
    where: str, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = demo.parent / "images" if where == "folder" else demo / "nodir" / "t.json"  # demo: the project
    assert main(["taxonomy", "export", str(demo), "-o", str(out)]) == 1
    assert str(out) in _one_error_line(capsys.readouterr().err)


def test_convert_to_coco_never_overwrites_a_non_project_file(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = demo.parent / "notes.txt"
    notes.write_text("my notes\n")
    assert main(["convert", str(demo), str(notes), "--from", "coco", "--to", "coco"]) == 1
    assert "not overwritten" in _one_error_line(capsys.readouterr().err)
    assert notes.read_text() == "my notes\n"


def test_log_n_must_be_a_positive_count(
    tmp_path: Path, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``log -n -1`` said "no history yet" of a project with history; a count below 1 is a usage error."""
    merged = tmp_path / "merged.json"
    assert main(["merge", str(demo), "-o", str(merged)]) == 0  # one change log entry
    capsys.readouterr()
    for bad in ("-1", "0"):
        with pytest.raises(SystemExit) as e:
            main(["log", str(merged), "-n", bad])
        assert e.value.code == 2
        assert capsys.readouterr().err.strip().splitlines()[-1] == (
            f"pixelproof log: error: argument -n: must be at least 1, got {bad}"
        )
    assert main(["log", str(merged), "-n", "1"]) == 0
    out = capsys.readouterr().out
    assert "[merge]" in out and "no history" not in out


def test_agreement_report_never_overwrites_the_manifest(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shards = demo.parent / "shards"
    args = ["split", str(demo), "--annotators", "a,b", "--overlap", "0.5", "-o", str(shards)]
    assert main(args) == 0
    manifest = shards / "lead-manifest.json"
    before = manifest.read_bytes()
    capsys.readouterr()
    for option in ("--json", "--html"):
        args = ["agreement", str(shards / "a.json"), str(shards / "b.json"), "--manifest", str(manifest)]
        assert main([*args, option, str(manifest)]) == 2  # a usage error, as in qa and lint
        assert "would overwrite an input" in _one_error_line(capsys.readouterr().err)
        assert manifest.read_bytes() == before
