"""``pixelproof photo.jpg``, as ``labelme photo.jpg`` opens a picture: the project loader says it is a picture
and names the folder to open, not "not UTF-8 text: byte 0xff at line 1 column 1"."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pixelproof.core.coco import load_project
from pixelproof.core.project_json import ProjectFormatError


def test_a_picture_is_named_as_one_with_its_folder_to_open(tmp_path: Path) -> None:
    folder = tmp_path / "my photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "part 1.jpg"), np.full((10, 10, 3), 50, np.uint8))
    with pytest.raises(ProjectFormatError) as e:
        load_project(folder / "part 1.jpg")
    (problem,) = e.value.problems
    assert problem.startswith("a picture, not a project: open its folder to label it")
    assert f"pixelproof '{folder.resolve()}'" in problem  # quoted: the space would split the command
    assert "UTF-8" not in problem


def test_a_json_named_like_a_picture_is_no_picture(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_bytes(b"\xff\xfe")
    with pytest.raises(ProjectFormatError) as e:
        load_project(tmp_path / "notes.json")
    assert "UTF-8" in e.value.problems[0]  # the JSON's own problem, as before
