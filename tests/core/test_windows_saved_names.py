"""A project whose image names were written on Windows (``images\\a.png``) opened on Linux or macOS: the
images are where the names lead, and exports name them as they name ``images/a.png``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project
from pixelproof.core.image_folder import find_moved
from pixelproof.core.model import ImageRecord
from pixelproof.interop.stems import unique_stems
from tests.core.test_add_and_relocate_images import png, saved_project

posix_only = pytest.mark.skipif(os.name != "posix", reason="a backslash is a separator on Windows")


@posix_only
def test_backslash_names_lead_to_their_files_and_are_not_missing(tmp_path: Path) -> None:
    png(tmp_path / "proj" / "images" / "a.png")
    png(tmp_path / "proj" / "images" / "sub" / "b.png", 12, 9)
    path = saved_project(
        tmp_path,
        [
            ImageRecord(1, "images\\a.png", 10, 8),
            ImageRecord(2, "images\\sub\\b.png", 12, 9),
            ImageRecord(3, "D:\\data\\c.png", 10, 8),  # another machine's drive: left as written
        ],
    )
    project = load_project(path)
    assert project.image_path(project.images[1]) == tmp_path / "proj" / "images" / "a.png"
    assert project.image_path(project.images[2]) == tmp_path / "proj" / "images" / "sub" / "b.png"
    found, problems = find_moved(project, tmp_path)
    assert found == {} and [p.image_id for p in problems] == [3]
    assert unique_stems(project) == {1: "a", 2: "b", 3: "c"}

    # on POSIX ``images\a.png`` may be a file's whole name: where one is, it is the image's file
    png(tmp_path / "proj" / "images\\a.png", 10, 8)
    assert project.image_path(project.images[1]) == tmp_path / "proj" / "images\\a.png"
