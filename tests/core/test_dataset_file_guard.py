"""No report, export or key map is written over a file of the project's dataset: the rule the CLI's
``refuse_image_outputs`` and the app's writers share (``core.save_targets.dataset_file_problem``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.core.coco import ProjectSaveError, load_project, new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.core.save_targets import check_not_dataset_file, dataset_file_problem


def _project(tmp_path: Path):
    (tmp_path / "images").mkdir()
    project = new_project(["cat"])
    for i in range(2):
        (tmp_path / "images" / f"scan{i}.png").write_bytes(b"\x89PNG pixels")
        project.add_image(ImageRecord(i + 1, f"images/scan{i}.png", 32, 32))
    path = tmp_path / "project.json"
    save_project(project, path)
    return load_project(path)


def test_an_image_the_project_file_and_the_reference_are_named_with_why(tmp_path: Path) -> None:
    project = _project(tmp_path)
    ref = tmp_path / "reference.json"
    ref.write_text("{}")
    image = tmp_path / "images" / "scan1.png"
    problem = dataset_file_problem(image, [project], ref)
    assert problem is not None and problem.startswith(f"{image}: is the image images/scan1.png of ")
    assert str(project.path) in problem
    said = dataset_file_problem(project.path, [project], ref)
    assert said is not None and "is the project file" in said
    said = dataset_file_problem(tmp_path / "." / "reference.json", [project], ref)
    assert said == f"{tmp_path / 'reference.json'}: is the reference {ref}; choose another file"
    with pytest.raises(ProjectSaveError, match=r"is the image images/scan0\.png"):
        check_not_dataset_file(str(tmp_path / "images" / "scan0.png"), [project])


def test_a_link_to_an_image_is_one_and_other_files_are_not(tmp_path: Path) -> None:
    project = _project(tmp_path)
    link = tmp_path / "latest.html"
    os.symlink(tmp_path / "images" / "scan0.png", link)  # a report written there lands on the picture
    assert "is the image images/scan0.png" in (dataset_file_problem(link, [project]) or "")
    other = tmp_path / "images" / "notes.csv"
    other.write_text("a,b\n")
    assert dataset_file_problem(other, [project]) is None
    assert dataset_file_problem(tmp_path / "images" / "new.png", [project]) is None  # nothing there yet
    assert dataset_file_problem(None, [project]) is None and dataset_file_problem("", [project]) is None
