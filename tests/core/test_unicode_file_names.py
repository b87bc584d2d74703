"""An image named in one Unicode form in the project and stored in the other on disk: a Mac writes
``café.png`` decomposed (``e`` + U+0301), a person or another tool types it composed, and a Linux disk
compares names byte by byte. The project must still find the file (issue: Japanese / Hebrew / Mac teams)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Category, ImageRecord, Project

NFC = unicodedata.normalize("NFC", "café_画像.png")
NFD = unicodedata.normalize("NFD", NFC)


def _project(folder: Path, stored: str, on_disk: str) -> Path:
    (folder / "imgs").mkdir(parents=True)
    Image.new("RGB", (20, 10), (200, 10, 10)).save(folder / "imgs" / on_disk)
    if len(list((folder / "imgs").iterdir())) != 1:
        pytest.skip("this file system stores either form as one name")
    p = Project()
    p.add_image(ImageRecord(1, f"imgs/{stored}", 20, 10))
    p.add_category(Category(1, "猫"))
    save_project(p, folder / "project.json")
    return folder / "project.json"


@pytest.mark.parametrize(("stored", "on_disk"), [(NFC, NFD), (NFD, NFC)])
def test_an_image_spelt_in_the_other_unicode_form_is_found(tmp_path: Path, stored: str, on_disk: str) -> None:
    project = load_project(_project(tmp_path, stored, on_disk))
    path = project.image_path(project.images[1])
    assert path.is_file() and path.name == on_disk
    assert project.images[1].file_name == f"imgs/{stored}"  # the stored name is not rewritten


def test_the_exact_spelling_wins_where_both_files_exist(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path, NFC, NFD))
    Image.new("RGB", (20, 10)).save(tmp_path / "imgs" / NFC)
    assert project.image_path(project.images[1]).name == NFC


def test_an_export_copies_the_decomposed_file_under_the_projects_name(tmp_path: Path, capsys) -> None:
    src = _project(tmp_path / "mac", NFC, NFD)
    assert main(["convert", str(src), str(tmp_path / "out"), "--to", "yolo", "--images", "copy"]) == 0
    assert "not found" not in capsys.readouterr().err
    assert [f.name for f in (tmp_path / "out" / "images" / "train").iterdir()] == [NFC]
