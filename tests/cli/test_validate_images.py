"""``pixelproof validate --images``: each image file's header against the size the project declares (the
frame its objects are in), as imports check it (core.declared_size); without the flag no file is opened."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def _project(folder: Path) -> Path:
    """a.png as declared (40x30), b.png resized to 80x60 after labelling, c.png missing, d.png no image."""
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(folder / "a.png")
    Image.fromarray(np.zeros((60, 80, 3), np.uint8)).save(folder / "b.png")
    (folder / "d.png").write_bytes(b"no picture")
    project = Project()
    project.add_category(Category(1, "cat"))
    for i, name in enumerate(("a.png", "b.png", "c.png", "d.png"), start=1):
        project.add_image(ImageRecord(i, name, 40, 30))
    project.add_annotation(Annotation(1, 2, 1, [2.0, 2.0, 10.0, 10.0]))
    path = folder / "p.json"
    save_project(project, path)
    return path


def test_without_images_the_files_are_not_opened(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.strip() == f"{path}: valid (4 images, 1 annotation)"


def test_images_reports_each_file_of_another_size_missing_or_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(tmp_path)
    assert main(["validate", "--images", str(path)]) == 1
    out = capsys.readouterr()
    lines = out.err.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{tmp_path / 'b.png'}: the file is 80x60 px but the project says 40x30 (")
    assert "a uniform 2x" in lines[0] and "resized" in lines[0]
    assert lines[1].startswith(f"{tmp_path / 'c.png'}: image file not found")
    assert lines[2].startswith(f"{tmp_path / 'd.png'}: not a readable image")
    assert out.out == ""


def test_images_all_as_declared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(tmp_path)
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / "b.png")
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / "c.png")
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / "d.png")
    assert main(["validate", "--images", str(path)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"{path}: valid (4 images, 1 annotation; 4 image files as large as declared)"
    )
