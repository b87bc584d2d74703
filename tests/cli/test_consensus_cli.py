"""``pixelproof consensus`` on edge cases: nothing to accept, accepting twice, no overlap image."""

from __future__ import annotations

from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from tests.core.test_consensus import _merged


def test_accept_without_a_consensus_is_an_error_and_writes_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project = _merged(tmp_path)
    project.path = tmp_path / "merged.json"
    save_project(project)
    before = project.path.read_bytes()
    assert main(["consensus", str(project.path), "--accept", "-o", str(tmp_path / "out.json")]) == 1
    err = capsys.readouterr().err
    assert "merged.json: no consensus to accept" in err and "2 images" in err
    assert not (tmp_path / "out.json").exists() and project.path.read_bytes() == before
    # once worked out, accepting works; a second accept has nothing left to do
    assert main(["consensus", str(project.path), "--method", "majority"]) == 0
    assert main(["consensus", str(project.path), "--accept"]) == 0
    assert "2 images" in capsys.readouterr().out
    accepted = project.path.read_bytes()
    assert main(["consensus", str(project.path), "--accept"]) == 1
    assert "no consensus to accept" in capsys.readouterr().err and project.path.read_bytes() == accepted


def test_a_second_consensus_changes_nothing_and_keeps_the_backup(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Every image has its consensus already: the project is not rewritten, so its .bak still holds the
    project from before the consensus (a rewrite replaced it with the current file)."""
    project = _merged(tmp_path)
    project.path = tmp_path / "merged.json"
    save_project(project)
    original = project.path.read_bytes()
    assert main(["consensus", str(project.path)]) == 0
    worked_out = project.path.read_bytes()
    backup = project.path.with_name("merged.json.bak")
    assert backup.read_bytes() == original
    assert main(["consensus", str(project.path)]) == 0
    assert "2 images already have a consensus" in capsys.readouterr().out
    assert project.path.read_bytes() == worked_out and backup.read_bytes() == original
