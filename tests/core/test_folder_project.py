"""What a folder opened as a project holds already (``core.folder_project``): its saved ``project.json``
with the image count, a file there that does not load (with why), and the free name beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.folder_project import free_project_file, saved_project
from pixelproof.core.model import ImageRecord


def test_a_saved_project_is_found_with_its_images(tmp_path: Path) -> None:
    assert saved_project(tmp_path) is None and free_project_file(tmp_path) == tmp_path / "project.json"
    project = new_project(["cat"])
    project.add_image(ImageRecord(1, "a.png", 30, 20))
    save_project(project, tmp_path / "project.json")
    found = saved_project(tmp_path)
    assert found is not None and found.loads and found.images == 1
    # (mtime_ns / 1e9 and st_mtime may differ in the last bit of the float: the dialog shows minutes)
    assert found.saved == pytest.approx((tmp_path / "project.json").stat().st_mtime, abs=1e-6)
    (tmp_path / "project_2.json").write_text("{}", encoding="utf-8")
    assert free_project_file(tmp_path) == tmp_path / "project_3.json"


def test_what_does_not_load_says_why(tmp_path: Path) -> None:
    (tmp_path / "project.json").write_text('{"images": [', encoding="utf-8")
    found = saved_project(tmp_path)
    assert found is not None and not found.loads and found.problems
    other = tmp_path / "other"
    (other / "project.json").mkdir(parents=True)  # a folder of that name: taken, not a project
    found = saved_project(other)
    assert found is not None and "folder" in found.problems[0]
    assert free_project_file(other) == other / "project_2.json"
    (tmp_path / "labelme").mkdir()
    (tmp_path / "labelme" / "project.json").write_text('{"shapes": [], "imagePath": "a.png"}', "utf-8")
    assert not saved_project(tmp_path / "labelme").loads  # another tool's JSON is no project
