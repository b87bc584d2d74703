"""A file one of the team commands' options names that does not exist: said with the option and what the
file is for, a usage error (exit 2), before any work and with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from tests.core.teams_data import make_project


@pytest.mark.parametrize(
    ("command", "option", "what"),
    [
        ("split", "--honeypots", "the honeypot images with their reference labels"),
        ("merge", "--into", "the project to merge the shards into"),
        ("merge", "--manifest", "the lead's manifest from split"),
        ("agreement", "--manifest", "the lead's manifest from split, for the honeypot scorecards"),
        ("agreement", "--reference", "the reference project of the honeypots"),
    ],
)
def test_a_missing_option_file_is_named_with_its_option_and_what_it_is_for(
    tmp_path: Path, capsys, command: str, option: str, what: str
) -> None:  # type: ignore[no-untyped-def]
    """It said only ``gold.json: file not found``: which of the command's files, and for what?"""
    project = make_project(tmp_path, 4)
    save_project(project)
    out = tmp_path / "shards"
    assert main(["split", str(project.path), "--annotators", "ann,bob", "-o", str(out)]) == 0
    shards = [str(out / "ann.json"), str(out / "bob.json")]
    args = {
        "split": ["split", str(project.path), "--annotators", "ann,bob", "-o", str(tmp_path / "again")],
        "merge": ["merge", *shards, "-o", str(tmp_path / "merged.json")],
        "agreement": ["agreement", *shards],
    }[command]
    capsys.readouterr()
    missing = tmp_path / "gold.json"
    assert main([*args, option, str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == f"pixelproof: error: {option} {missing}: file not found ({what})\n"
    assert not (tmp_path / "again").exists() and not (tmp_path / "merged.json").exists()
