"""README.md is the manual: every option it names for a command exists in that command's parser, and every
option a command takes is in its row of the Command line table (or is one README explains for all)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from pixelproof.cli import COMMANDS, build_parser
from pixelproof.ui.app import app_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
# explained once for every command that has them: --max-pixels (Safety), --author (Change log and
# versions), the batch options (Scaling out; a row says "batch options")
EVERYWHERE = {"-h", "--help", "--max-pixels", "--author"}
BATCH = {"--workers", "--scheduler", "--path-map", "--shard-size"}


def _options(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    """Option strings of ``parser`` and of its sub-subcommands (``taxonomy rename``), by command."""
    found = {"": [s for a in parser._actions for s in a.option_strings]}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update({f"{name} {k}".strip(): v for k, v in _options(sub).items()})
    return found


OPTIONS = {k: v for k, v in _options(build_parser()).items() if k}
OPTIONS[""] = [s for a in app_parser()._actions for s in a.option_strings] + ["--version", "--self-test"]


def _named_commands() -> list[tuple[str, str]]:
    """(command, text) for each `pixelproof ...` line or code span of README (continued lines joined), and
    each code span naming a command and an option without the program (`lint --pictures`)."""
    spans = re.findall(r"`([^`\n]+)`", README)
    spans += [
        line for line in README.replace("\\\n", " ").splitlines() if line.strip().startswith("pixelproof ")
    ]
    found = []
    for span in spans:
        for part in re.split(r"\|\||&&|;", span):
            words = part.split("#")[0].split()
            if words and words[0] in COMMANDS and any(w.startswith("-") for w in words):
                words = ["pixelproof", *words]  # `qa --ref-format`: a command's option named in prose
            if not words or words[0] != "pixelproof" or (len(words) > 1 and words[1].endswith(":")):
                continue  # not a command line (a bench's "pixelproof lint: 1.5 s")
            command = words[1] if len(words) > 1 and words[1] in COMMANDS else ""
            if command == "taxonomy":
                if len(words) < 3 or words[2] not in {
                    k.split()[-1] for k in OPTIONS if k.startswith("taxonomy ")
                }:
                    continue
                command = f"taxonomy {words[2]}"
            found.append((command, " ".join(words)))
    return found


def test_readme_names_commands_at_all() -> None:
    named = {command for command, _ in _named_commands()}
    assert set(COMMANDS) - {"taxonomy"} <= named


@pytest.mark.parametrize(("command", "text"), _named_commands())
def test_every_option_readme_names_exists(command: str, text: str) -> None:
    for flag in FLAG.findall(text.replace("[PATH]", "")):
        assert flag.split("=")[0] in OPTIONS[command], f"README: `{text}`: pixelproof {command} has no {flag}"


def _table_rows() -> dict[str, str]:
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        first_cell = line.split("` |", 1)[0] if line.startswith("| `pixelproof") else ""
        for command in re.findall(r"`pixelproof ([\w-]+)", first_cell):  # tag's row holds checkout too
            rows[command] = rows.get(command, "") + line
    return rows


@pytest.mark.parametrize("command", sorted(c for c in COMMANDS if c != "taxonomy"))
def test_every_option_of_a_command_is_in_its_row(command: str) -> None:
    row = _table_rows()[command]
    parser = build_parser(command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    for action in sub._actions:
        if not action.option_strings or set(action.option_strings) & EVERYWHERE:
            continue
        if set(action.option_strings) & BATCH and "batch options" in row:
            continue
        if command == "convert" and any(f"`{s}" in README for s in action.option_strings):
            continue  # a format's option: documented with the formats (and generated in convert --help)
        assert any(re.search(re.escape(s) + r"(?![\w-])", row) for s in action.option_strings), (
            f"README's Command line table does not name `{command} {action.option_strings[-1]}`"
        )


BENCH = re.compile(r"python -m bench ([\w-]+)((?: +--?[\w-]+(?: +[\w.]+)?)*)")


def test_every_bench_readme_names_exists_with_its_options() -> None:
    """README's figures come from `python -m bench NAME [--opt V]`: a bench renamed, or an option it no
    longer takes, would leave a newcomer a command that fails (exit 2: `NAME is one of: ...`)."""
    root = Path(__file__).resolve().parents[2] / "bench"
    named = [(n, o) for n, o in BENCH.findall(README.replace("\n", " ")) if n != "NAME"]  # Layout's usage
    assert len({name for name, _ in named}) >= 10  # the pattern still finds README's benches
    for name, options in named:
        source = root / f"{name}.py"
        assert source.is_file(), f"README: `python -m bench {name}`: there is no bench/{name}.py"
        for flag in FLAG.findall(options):
            assert f'"{flag}"' in source.read_text(encoding="utf-8"), f"README: bench {name} has no {flag}"
