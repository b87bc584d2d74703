"""The choice "Only this project's classes" is remembered in the project: undone, saved, read back."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.edits.prelabel_choice import ONLY_EXISTING, SetOnlyExisting, only_existing


def test_the_choice_is_undone_and_survives_a_save(tmp_path: Path) -> None:
    project = new_project(["cat"])
    assert not only_existing(project)  # off by default, as prelabel without --only-existing
    edit = SetOnlyExisting(True)
    edit.apply(project)
    assert only_existing(project)
    path = save_project(project, tmp_path / "p.json")
    assert only_existing(load_project(path))
    edit.revert(project)
    assert ONLY_EXISTING not in project.app
    project.app[ONLY_EXISTING] = "yes"  # a hand-edited file: not a crash, and not on
    assert not only_existing(project)
