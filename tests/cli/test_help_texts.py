"""What a newcomer reads in ``--help`` agrees with the code and with README: every lint kind is listed, a
folder's saved project is said wherever opening a folder is, and an option's value has one name."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import pytest

from pixelproof.cli import APP_HELP, build_parser
from pixelproof.core.lint import KINDS
from pixelproof.ui.app import app_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser(command)
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]


def _help(parser: argparse.ArgumentParser, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    return " ".join(parser.format_help().split())  # wrapped lines joined


def test_lint_help_names_every_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """``lint --kinds`` said "only these problem kinds (see README)": a newcomer had to leave the terminal to
    learn that near_duplicate or empty_class exist. The list comes from core.lint's own, so a new kind
    shows up in the help."""
    text = _help(_subparser("lint"), monkeypatch)
    missing = [k for k in KINDS if not re.search(rf"(?<![\w-]){k}(?![\w-])", text)]
    assert missing == [], f"lint --help does not name {missing}"


def test_opening_a_folder_says_its_saved_project_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pixelproof FOLDER`` opens the project saved in the folder (FOLDER/project.json), and then does not
    use --categories; ``pixelproof --help`` and ``open --help`` still said a folder is "a new, unsaved
    project" (only ``pixelproof.ui.app``'s own parser had been told)."""
    top = " ".join(APP_HELP.split())
    opened = _help(_subparser("open"), monkeypatch)
    app = _help(app_parser(), monkeypatch)
    for name, text in {"pixelproof --help": top, "open --help": opened, "app_parser": app}.items():
        assert "project.json" in text, name
        categories = text.split("--categories A,B,...", 2)[-1].split(" --", 1)[0]
        assert "not used" in categories and "project.json" in categories, (name, categories)


def test_demo_help_says_a_folder_of_other_files_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """``demo --dir`` refuses a folder holding other files than a demo copy (nothing in it removed); its help
    said only "copy the demo here"."""
    text = _help(_subparser("demo"), monkeypatch)
    assert "refused" in text.split("--dir DIR", 2)[-1].split(" --", 1)[0]


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    found = [a for a in parser._actions if a.option_strings and a.nargs != 0]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _options(sub)
    return found


def test_a_file_is_not_named_like_a_number() -> None:
    """``--json F`` (qa, lint, agreement) beside ``--overlap F`` (split, prelabel; split had ``--manifest F``
    too): F was a file here and a fraction there. A number's name is never that of a file an option writes."""
    options = _options(build_parser())
    numbers = {str(a.metavar) for a in options if a.type in (int, float) and a.metavar}
    written = {
        str(a.metavar): a.option_strings[-1]
        for a in options
        if a.type is None and (a.help or "").startswith("write")
    }
    assert {m: o for m, o in written.items() if m in numbers} == {}


FIRST_CELL = re.compile(r"^\| (`pixelproof [^|]*?(?:\\\|[^|]*?)*)` \|", re.M)
SHOWN = re.compile(r"(?<![\w-])(--?[a-z][\w-]*) ([A-Z][^\s`]*)")


def _value(shown: str) -> str:
    """``FILE]`` -> ``FILE``; ``METRIC[:CLASS]=V`` stays whole (its brackets are its own)."""
    while shown[-1:] == ")" or (shown[-1:] == "]" and shown.count("]") > shown.count("[")):
        shown = shown[:-1]
    return shown


def _readme_rows() -> list[tuple[str, str, str]]:
    """(command, option, value name) for each option README's Command line table shows with a value name in
    upper case (``[--json FILE]``, ``-m MESSAGE``)."""
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    found = []
    for cell in FIRST_CELL.findall(section):
        for part in cell.split("`, `"):  # tag's row holds checkout too
            command = re.match(r"`?pixelproof ([\w-]+)", part)
            if command:
                found += [(command[1], o, _value(v)) for o, v in SHOWN.findall(part)]
    return found


def test_readme_table_names_an_options_value_as_its_help_does() -> None:
    """README showed ``tag -m MSG``, ``split --seed S`` (S a score elsewhere), ``--honeypots REF`` and ``qa
    --nsd-tau T`` where ``--help`` says MESSAGE, SEED, REFERENCE and TAU."""
    rows = _readme_rows()
    assert len(rows) > 40  # the pattern still finds the table's options
    wrong = []
    for command, option, value in rows:
        action = next((a for a in _subparser(command)._actions if option in a.option_strings), None)
        if action is not None and str(action.metavar or action.dest.upper()) != value:
            wrong.append(
                f"{command} {option}: README {value}, --help {action.metavar or action.dest.upper()}"
            )
    assert wrong == []


def test_every_choice_of_an_option_is_explained_in_its_help() -> None:
    """``consensus --method {staple,majority}`` said "for masks (default staple)": what majority does was in
    README alone; ``--ties`` described pending and drop without naming them. Each choice (yes/no aside, a
    switch's two sides) is named in its option's help."""
    unexplained = {}
    for action in _options(build_parser()):
        shown = str(action.metavar or "")
        choices = [str(c) for c in action.choices or (shown.split("|") if "|" in shown else [])]
        missing = [
            c
            for c in choices
            if c not in ("yes", "no") and not re.search(rf"(?<![\w-]){c}(?![\w-])", action.help)
        ]
        if missing:
            unexplained[action.option_strings[-1]] = missing
    assert unexplained == {}


def test_building_the_parsers_leaves_the_lint_checks_unimported() -> None:
    """`lint --help` names every kind, and every command's parser is built at each start: the kinds come
    from ``core.lint_kinds``, not the ``core.lint`` package, whose checks took ~0.3 s of every start."""
    import subprocess
    import sys

    code = (
        "import sys; from pixelproof.cli import build_parser; build_parser(); "
        "print('pixelproof.core.lint' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "desktop")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"


def test_convert_help_says_what_each_format_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--from/--to FMT`` listed bare names: what slicer-seg or mot is took README. Each format has a line
    of its own, name then title, from its declaration."""
    from pixelproof.interop.formats import FORMATS

    monkeypatch.setenv("COLUMNS", "80")
    lines = _subparser("convert").format_help().splitlines()
    for fmt in FORMATS.values():
        assert any(re.fullmatch(rf"  {re.escape(fmt.name)} +{re.escape(fmt.title)}.*", ln) for ln in lines), (
            fmt
        )
    assert "  slicer-seg     3D Slicer segmentations (.seg.nrrd)" in lines
