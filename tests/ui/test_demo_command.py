"""``pixelproof demo`` copies the bundled demo to a writable folder and opens the app on it;
``pixelproof PATH`` refuses a path that does not exist without opening a window."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof import cli
from pixelproof.core.coco import load_project


def test_demo_copies_the_project_and_opens_it(tmp_path: Path, monkeypatch) -> None:
    opened: list[list[str]] = []
    monkeypatch.setattr("pixelproof.ui.app.run_app", lambda argv: opened.append(argv) or 0)
    target = tmp_path / "demo"
    assert cli.main(["demo", "--dir", str(target)]) == 0
    assert opened == [[str(target / "project.json")]]
    project = load_project(target / "project.json")
    assert len(project.images) >= 8 and project.annotations
    for image in project.images.values():
        assert project.image_path(image).is_file()
    (target / "project.json").write_text((target / "project.json").read_text())  # an edit is kept...
    marker = target / "mine.txt"
    marker.write_text("x")
    assert cli.main(["demo", "--dir", str(target)]) == 0
    assert marker.exists()
    assert cli.main(["demo", "--dir", str(target), "--fresh"]) == 0  # ...unless --fresh
    assert not marker.exists() and (target / "project.json").is_file()


def test_gui_path_that_does_not_exist_is_an_error(tmp_path: Path, capsys) -> None:
    from pixelproof.ui.app import run_app

    assert run_app([str(tmp_path / "nope.json")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_open_is_the_unambiguous_gui_form(tmp_path: Path, monkeypatch, capsys) -> None:
    """``pixelproof open PATH`` opens PATH even when it is named like a subcommand; Qt options pass on."""
    opened: list[list[str]] = []
    monkeypatch.setattr("pixelproof.ui.app.run_app", lambda argv: opened.append(argv) or 0)
    folder = tmp_path / "validate"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    assert cli.main(["open", "validate"]) == 0
    assert cli.main(["open", str(folder), "--reset-layout", "-platform", "offscreen"]) == 0
    assert cli.main(["open", str(folder), "--categories", "cat,dog"]) == 0
    assert opened == [
        ["validate"],
        ["--reset-layout", str(folder), "-platform", "offscreen"],
        ["--categories", "cat,dog", str(folder)],
    ]
    # without `open`, the word is the subcommand, not the folder
    assert cli.main(["validate", "x.json"]) == 1 and len(opened) == 3
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["open"])  # PATH is required
    assert exit_info.value.code == 2 and "path" in capsys.readouterr().err
    assert "open" in cli.build_parser().format_help()
