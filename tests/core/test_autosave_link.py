"""A link at the autosave's place (``<name>.json.autosave`` made a symlink in a shared folder, to a file
of whoever edits the project) is replaced by the autosave, never written through: the file it pointed at
is left as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.core.autosave import autosave_path_for, read_autosave, write_autosave
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.model import ImageRecord


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_link_in_the_autosaves_place_is_replaced_not_written_through(tmp_path: Path) -> None:
    project = new_project(["cat"])
    project.add_image(ImageRecord(1, "a.png", 40, 30))
    path = tmp_path / "shared" / "project.json"
    path.parent.mkdir()
    save_project(project, path)
    elsewhere = tmp_path / "home" / "notes.txt"
    elsewhere.parent.mkdir()
    elsewhere.write_text("mine\n")
    auto = autosave_path_for(path)
    auto.symlink_to(elsewhere)
    edited = load_project(path)
    edited.add_image(ImageRecord(2, "b.png", 40, 30))
    write_autosave(auto, edited, edited.file_state)
    assert elsewhere.read_text() == "mine\n" and sorted(os.listdir(elsewhere.parent)) == ["notes.txt"]
    assert not auto.is_symlink()
    kept, _ = read_autosave(auto)
    assert sorted(kept.images) == [1, 2]
