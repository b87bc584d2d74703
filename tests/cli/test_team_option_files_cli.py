"""A file one of the team commands' options names that does not exist: said with the option and what the
file is for, a usage error (exit 2), before any work and with nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from tests.core.teams_data import make_project

OPTIONS = [
    ("split", "--honeypots", "the honeypot images with their reference labels"),
    ("merge", "--into", "the project to merge the shards into"),
    ("merge", "--manifest", "the lead's manifest from split"),
    ("agreement", "--manifest", "the lead's manifest from split, for the honeypot scorecards"),
    ("agreement", "--reference", "the reference project of the honeypots"),
]


def _command(tmp_path: Path, command: str) -> list[str]:
    """The command's arguments on a split of a 4-image project (shards ann, bob)."""
    project = make_project(tmp_path, 4)
    save_project(project)
    out = tmp_path / "shards"
    assert main(["split", str(project.path), "--annotators", "ann,bob", "-o", str(out)]) == 0
    shards = [str(out / "ann.json"), str(out / "bob.json")]
    return {
        "split": ["split", str(project.path), "--annotators", "ann,bob", "-o", str(tmp_path / "again")],
        "merge": ["merge", *shards, "-o", str(tmp_path / "merged.json")],
        "agreement": ["agreement", *shards],
    }[command]


@pytest.mark.parametrize(("command", "option", "what"), OPTIONS)
def test_a_missing_option_file_is_named_with_its_option_and_what_it_is_for(
    tmp_path: Path, capsys, command: str, option: str, what: str
) -> None:  # type: ignore[no-untyped-def]
    """It said only ``gold.json: file not found``: which of the command's files, and for what?"""
    args = _command(tmp_path, command)
    capsys.readouterr()
    missing = tmp_path / "gold.json"
    assert main([*args, option, str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == f"pixelproof: error: {option} {missing}: file not found ({what})\n"
    assert not (tmp_path / "again").exists() and not (tmp_path / "merged.json").exists()


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and symlinks")
@pytest.mark.parametrize(("command", "option", "what"), OPTIONS)
def test_an_option_naming_a_folder_a_fifo_or_a_bad_link_is_a_usage_error_naming_it(
    tmp_path: Path, capsys, command: str, option: str, what: str
) -> None:  # type: ignore[no-untyped-def]
    """The reader said ``adir: is a folder, not a file to read`` (exit 1) without the option; agreement's
    --reference naming a folder was not read at all without honeypots, and the run went on as if it were
    right; a link to nowhere was 'file not found' though ls shows it."""
    args = _command(tmp_path, command)
    capsys.readouterr()
    folder, fifo, broken, loop = (tmp_path / n for n in ("adir", "fifo", "broken", "loop"))
    folder.mkdir()
    os.mkfifo(fifo)
    broken.symlink_to(tmp_path / "nowhere")
    loop.symlink_to(loop)
    for target, said in (
        (folder, "is a folder, not a file"),
        (fifo, "is a FIFO (named pipe), not a file"),  # never opened: reading one waits for a writer
        (broken, "is a link to nowhere"),
        (loop, "is a loop of links, not a file"),
    ):
        assert main([*args, option, str(target)]) == 2
        assert capsys.readouterr().err == f"pixelproof: error: {option} {target}: {said} ({what})\n"
    assert not (tmp_path / "again").exists() and not (tmp_path / "merged.json").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_an_option_file_without_read_permission_is_said_by_its_reader(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """It exists: not 'file not found'; the reader names the file and the reason."""
    args = _command(tmp_path, "merge")
    locked = tmp_path / "manifest.json"
    locked.write_text("{}")
    locked.chmod(0)
    capsys.readouterr()
    assert main([*args, "--manifest", str(locked)]) != 0
    err = capsys.readouterr().err
    assert "file not found" not in err and str(locked) in err
