"""The command line as a user meets it: Ctrl+C at any moment, unreadable inputs and read-only folders, each
error one line naming the file (no traceback, no ``[Errno 13]``), help texts that read well in 80 columns."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pixelproof import cli
from pixelproof.cli import main
from pixelproof.core.coco import load_project
from pixelproof.inference.registry import backend_names


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and "[Errno" not in err, err
    assert len(lines) == 1, err
    return lines[0]


def test_ctrl_c_while_the_command_loads_is_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl+C in the first half second (modules loading, arguments parsed) printed a traceback; it exits
    130 with the line a later Ctrl+C prints."""

    def interrupted(command: str | None = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert main(["info", "p.json"]) == 130
    assert "interrupted" in _one_error_line(capsys.readouterr().err)


def _as_a_user(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m pixelproof ARGS`` without root's power to read and write any file (root drops it with
    setpriv), so permissions count as they do for a user."""
    prefix: list[str] = []
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root reads and writes any file, and setpriv is not there to drop that")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    return subprocess.run(
        [*prefix, sys.executable, "-m", "pixelproof", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["qa", "{reference}", "{project}", "--json", "{out}"], 2),
        (["merge", "{project}", "-o", "{ok}", "--report", "{out}"], 1),
        (["convert", "{project}", "{out}", "--from", "coco", "--to", "coco"], 1),
    ],
)
def test_output_in_a_read_only_folder_is_refused_before_any_work(
    argv: list[str], code: int, demo: Path
) -> None:
    """The run went to its end, then said ``cannot write the report: [Errno 13] Permission denied:
    '.../.pixelproof-rows-2mjaxmcf'`` (a temporary file the user never named), or wrote some outputs and
    not the others; now one line names the output and its folder, and nothing is written."""
    folder = demo.parent / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    out, ok = folder / "out.json", demo.parent / "ok.json"
    fields = {"reference": demo.parent / "reference.json", "project": demo, "out": out, "ok": ok}
    result = _as_a_user(*(a.format(**fields) for a in argv))
    assert result.returncode == code, result.stderr
    line = _one_error_line(result.stderr)
    assert line == f"pixelproof: error: {out}: cannot write in the folder {folder} (permission denied)"
    assert result.stdout == "" and not ok.exists() and list(folder.iterdir()) == []


def test_prelabel_in_place_in_a_read_only_folder_is_refused_before_the_job(demo: Path) -> None:
    """A pre-label written back into its project's folder (no ``-o``) that cannot be written there ran
    the whole job (hours on a large dataset, the workers started: ``running on 2 local worker
    processes``) and only then said it could not save; now it is refused first, in one line, as an
    ``-o`` there is."""
    folder = demo.parent
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    folder.chmod(0o555)
    try:
        result = _as_a_user("prelabel", str(demo), "--backend", "threshold", "--workers", "2")
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    line = _one_error_line(result.stderr)  # no "running on ...": the job did not start
    assert line == f"pixelproof: error: {demo}: cannot write in the folder {folder} (permission denied)"
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


@pytest.mark.parametrize(
    ("argv", "named", "says"),
    [
        (
            ["taxonomy", "describe", "{project}", "coin", "--guideline-file", "{missing}"],
            "{missing}",
            "no such",
        ),
        (["convert", "{project}", "{file}", "--from", "coco", "--to", "yolo"], "{file}", "not a folder"),
        (["convert", "{project}", "{file}", "--from", "coco", "--to", "masks"], "{file}", "not a folder"),
        (["demo", "--dir", "{file}"], "{file}", "not a directory"),
    ],
)
def test_a_file_error_is_one_plain_line_naming_the_file(
    argv: list[str], named: str, says: str, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing guideline, a file where the output folder should be: the error read ``[Errno 2] No such
    file or directory: 'guide.md'`` or ``[Errno 20] Not a directory: PosixPath('notes.txt')``."""
    fields = {"project": demo, "missing": demo.parent / "guide.md", "file": demo.parent / "notes.txt"}
    fields["file"].write_text("my notes\n")
    assert main([a.format(**fields) for a in argv]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith("pixelproof: error: ") and named.format(**fields) in line and says in line
    assert fields["file"].read_text() == "my notes\n"


def test_new_warns_of_a_subfolder_it_may_not_list(demo: Path, tmp_path: Path) -> None:
    """A folder without read access was left out of ``new`` (and ``add``, and opening a folder in the
    app) without a word: its images were silently not in the project."""
    images = demo.parent / "images"
    locked = images / "locked"
    locked.mkdir()
    shutil.copy(images / "cell.png", locked / "hidden_cell.png")
    locked.chmod(0)
    out = tmp_path / "new.json"
    try:
        result = _as_a_user("new", str(images), "-o", str(out))
    finally:
        locked.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert f"pixelproof: warning: {locked}: cannot list the folder (permission denied); skipped" in (
        result.stderr.splitlines()
    ), result.stderr


def test_qa_says_a_reference_it_may_not_read_cannot_be_read(demo: Path) -> None:
    """It said the reference was 'not recognised as any readable format; name one with --ref-format'."""
    reference = demo.parent / "reference.json"
    reference.chmod(0)
    result = _as_a_user("qa", str(reference), str(demo))
    assert result.returncode == 1, result.stderr
    assert _one_error_line(result.stderr) == f"{reference}: cannot read the file: permission denied"


def _parsers() -> dict[str, argparse.ArgumentParser]:
    """Every command's parser, ``taxonomy rename`` and the like included, by command."""
    found = {}
    todo = [("", cli.build_parser())]
    while todo:
        name, parser = todo.pop()
        found[name] = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo += [(f"{name} {n}".strip(), p) for n, p in action.choices.items()]
    return found


def test_help_fits_80_columns_and_names_every_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    """``convert --help`` ran to 116 columns (the format choices in the metavar), the top help to 92;
    ``taxonomy rename --help`` listed ``old`` and ``new`` with no word of what they are."""
    monkeypatch.setenv("COLUMNS", "80")
    for name, parser in _parsers().items():
        wide = [line for line in parser.format_help().splitlines() if len(line) > 80]
        assert not wide, f"pixelproof {name} --help: {wide}"
        for action in parser._actions:  # (COMMAND and ACTION head the list of their choices)
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"pixelproof {name}: {action.dest} has no help"


def test_an_option_has_one_metavar_in_every_command() -> None:
    """``--categories CATEGORIES`` in new, ``A,B,...`` in open; ``--iou-threshold IOU_THRESHOLD`` (argparse's
    DEST_NAME) described as T. An option means one thing wherever it is (``-o`` names what is written;
    ``--images`` and ``--to`` mean different things in prelabel, convert and relocate)."""
    shown: dict[str, set[str]] = {}
    for parser in _parsers().values():
        for action in parser._actions:
            if action.option_strings and action.nargs != 0:
                metavar = action.metavar or ("{...}" if action.choices else action.dest.upper())
                shown.setdefault(action.option_strings[-1], set()).add(str(metavar))
                assert action.metavar or action.choices or "_" not in action.dest, action.option_strings
    for option in ("--output", "--images", "--to"):
        shown.pop(option)
    assert {o: m for o, m in shown.items() if len(m) > 1} == {}


def _not_projects(folder: Path) -> dict[str, Path]:
    """Files a user may name by mistake: text, JSON that is no project, an empty file."""
    files = {"text": "my notes\n", "json": '{"images": 5}', "empty": ""}
    for name, text in files.items():
        (folder / f"{name}.json").write_text(text)
    return {name: folder / f"{name}.json" for name in files}


@pytest.mark.parametrize("kind", ["text", "json", "empty"])
@pytest.mark.parametrize(
    "argv",
    [["tag", "{file}"], ["tag", "{file}", "v1"], ["checkout", "{file}", "--at", "v1", "-o", "{out}"]],
)
def test_tag_and_checkout_say_a_file_is_no_project(
    kind: str, argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Listing the tags of a text file printed nothing and exited 0; checking one out said ``no tag 'v1'
    (tags: none)``; tagging ``{"images": 5}`` stored it as a version. Now each says what the file is, as
    ``info`` does, and writes nothing."""
    file = _not_projects(tmp_path)[kind]
    out = tmp_path / "out.json"
    assert main([a.format(file=file, out=out) for a in argv]) == 1
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert lines and all(line.startswith(f"{file}: ") for line in lines), captured.err
    assert "Traceback" not in captured.err
    assert not any("tag" in line.removeprefix(f"{file}: ") for line in lines), captured.err
    assert captured.out == "" and not out.exists() and not (tmp_path / f"{kind}.versions").exists()


def test_tag_says_a_project_it_may_not_read_cannot_be_read(demo: Path) -> None:
    """Listing the tags of a project the user may not read said nothing and exited 0."""
    demo.chmod(0)
    result = _as_a_user("tag", str(demo))
    assert result.returncode == 1, result.stderr
    assert _one_error_line(result.stderr) == f"{demo}: cannot read the file: permission denied"


def test_checkout_of_a_tag_recovers_a_damaged_project(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A tag is the way back from a project file damaged later: its checkout does not depend on the file."""
    assert main(["tag", str(demo), "v1"]) == 0
    good = load_project(demo)
    demo.write_text("damaged")
    out = demo.parent / "recovered.json"
    assert main(["checkout", str(demo), "--at", "v1", "-o", str(out)]) == 0, capsys.readouterr().err
    got = load_project(out)
    assert got.annotations.keys() == good.annotations.keys() and len(got.images) == len(good.images) > 0
    assert main(["tag", str(demo)]) == 1  # listing (or adding) tags still needs a project that loads
    assert _one_error_line(capsys.readouterr().err).startswith(f"{demo}: not valid JSON")


def _examples(help_text: str) -> list[list[str]]:
    """The command lines under ``examples:`` in a help text, as argv (a trailing backslash continues one)."""
    _, found, after = help_text.partition("\nexamples:\n")
    if not found:
        return []
    lines = after.replace("\\\n", " ").splitlines()
    return [shlex.split(line) for line in lines if line.strip().startswith("pixelproof ")]


# every command whose help ends with examples (README: `prelabel`, `convert`, ... `renumber`); predictions,
# set-split and renumber had some that no test parsed or found in README
WITH_EXAMPLES = sorted(n for n, p in _parsers().items() if "examples:" in (p.epilog or ""))


@pytest.mark.parametrize("command", WITH_EXAMPLES)
def test_help_of_the_complex_commands_shows_examples_that_parse(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``prelabel --help`` and the like listed 20-40 options and not one command line built from them.
    Each example is kept as written (not rewrapped into one paragraph) and parses with the real parser,
    so an option renamed later cannot leave an example that fails."""
    monkeypatch.setenv("COLUMNS", "80")
    parser = _parsers()[command]
    help_text = parser.format_help()
    examples = _examples(help_text)
    assert 2 <= len(examples) <= 4, help_text
    for argv in examples:
        assert argv[:2] == ["pixelproof", command]
        args = cli.build_parser().parse_args(argv[1:])  # exits 2 (failing the test) on a bad example
        assert args.command == command
        assert getattr(args, "backend", None) in {None, *backend_names()}, argv
    for line in help_text.partition("\nexamples:\n")[2].splitlines():  # kept as written, indented
        assert line.startswith("  pixelproof ") or line.startswith("      -"), help_text


@pytest.mark.parametrize("command", WITH_EXAMPLES)
def test_help_examples_are_readmes(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``prelabel --help`` showed other command lines than README's (no ``--map``, no
    ``background_radius``): each example of a help is a command line README shows as it is."""
    monkeypatch.setenv("COLUMNS", "80")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    lines = readme.replace("\\\n", " ").splitlines()  # continuations joined
    code = [line for line in lines if line.lstrip().startswith("pixelproof ") and "`" not in line]
    shown = [" ".join(shlex.split(line, comments=True)) for line in code]  # indented or fenced
    for argv in _examples(_parsers()[command].format_help()):
        assert " ".join(argv) in shown, f"README does not show `{' '.join(argv)}`"
