"""Images a team moved between machines: renamed in case only by a case-blind disk, or inside a symlinked
folder that the search does not follow (known answers over real files written here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project
from pixelproof.core.image_folder import find_moved
from pixelproof.core.model import ImageRecord
from tests.core.test_add_and_relocate_images import png, saved_project


def test_a_file_renamed_in_case_only_is_found_and_an_exact_name_wins(tmp_path: Path) -> None:
    """``images/upper/b.png`` finds ``Upper/B.PNG`` (a Windows copy renamed it); ``c.png`` finds its own
    ``c.png`` and not ``C.png`` beside it; two names alike but for case are ambiguous, not a guess."""
    png(tmp_path / "to" / "Upper" / "B.PNG")
    png(tmp_path / "to" / "c.png")
    png(tmp_path / "to" / "x" / "C.png")
    png(tmp_path / "to" / "D.png")
    png(tmp_path / "to" / "y" / "d.PNG")
    path = saved_project(
        tmp_path,
        [
            ImageRecord(1, "../images/upper/b.png", 10, 8),
            ImageRecord(2, "../images/c.png", 10, 8),
            ImageRecord(3, "../images/d.png", 10, 8),
        ],
    )
    project = load_project(path)
    found, problems = find_moved(project, tmp_path / "to")
    assert found == {1: "../to/Upper/B.PNG", 2: "../to/c.png"}
    assert [(p.image_id, p.reason) for p in problems] == [(3, "ambiguous")]
    assert "D.png" in str(problems[0]) and "y/d.PNG" in str(problems[0])
    assert all(project.image_path(ImageRecord(i, n, 1, 1)).is_file() for i, n in found.items())


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_an_image_in_a_symlinked_folder_is_not_found_and_the_message_names_the_link(tmp_path: Path) -> None:
    png(tmp_path / "real" / "a.png")
    (tmp_path / "to").mkdir()
    (tmp_path / "to" / "linked").symlink_to(tmp_path / "real")
    path = saved_project(tmp_path, [ImageRecord(1, "../images/a.png", 10, 8)])
    found, problems = find_moved(load_project(path), tmp_path / "to")
    assert found == {}
    assert [p.reason for p in problems] == ["not found"]
    assert "../images/a.png: not found under" in str(problems[0])
    assert f"symlinked folders not searched: {tmp_path / 'to' / 'linked'}" in str(problems[0])
    found, problems = find_moved(load_project(path), tmp_path / "to" / "linked")  # the link itself: searched
    assert (found, problems) == ({1: "../to/linked/a.png"}, [])
