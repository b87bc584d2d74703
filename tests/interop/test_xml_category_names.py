"""VOC and CVAT XML readers strip the blanks around a name and read an empty one as none, so a category
named "" or " car " would not come back as it was written: the writers refuse such a name, before writing
anything, naming the category and the file; renamed, the project round-trips."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.taxonomy import rename_category
from pixelproof.interop.cvat import read_cvat, write_cvat
from pixelproof.interop.safe_xml import CategoryNameError
from pixelproof.interop.voc import read_voc, write_voc

FORMATS = [
    pytest.param(write_voc, read_voc, "Annotations/*.xml", "VOC XML", id="voc"),
    pytest.param(write_cvat, read_cvat, "annotations.xml", "CVAT XML", id="cvat"),
]


def project_with(names: list[str], used: list[int] | None = None) -> Project:
    """One 8x6 image (no file: ``images="keep"`` writers need none) with a box of each category in ``used``
    (default: all)."""
    project = new_project(names)
    project.add_image(ImageRecord(1, "a.png", 8, 6))
    for cid in used if used is not None else list(project.categories):
        project.add_annotation(Annotation(cid, 1, cid, [1.0, 1.0, 2.0, 2.0], None, 4.0))
    return project


@pytest.mark.parametrize(("write", "read", "file", "fmt"), FORMATS)
def test_a_blank_or_padded_name_is_refused_and_nothing_is_written(
    tmp_path: Path, write: Callable, read: Callable, file: str, fmt: str
) -> None:
    project = project_with(["", " car ", "traffic light"])
    with pytest.raises(CategoryNameError) as caught:
        write(project, tmp_path / "out", images="keep")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'out' / file}: nothing exported: {fmt} readers would give back ")
    assert "category 1 '' as no name (objects skipped); category 2 ' car ' as 'car'" in message
    assert "traffic light" not in message and "pixelproof taxonomy rename" in message
    assert not (tmp_path / "out").exists()  # refused before the folder was made


@pytest.mark.parametrize(("write", "read", "file", "fmt"), FORMATS)
def test_a_refusal_leaves_an_earlier_export_as_it_was(
    tmp_path: Path, write: Callable, read: Callable, file: str, fmt: str
) -> None:
    out = tmp_path / "out"
    write(project_with(["car"]), out, images="keep")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(CategoryNameError):
        write(project_with(["car", "truck "]), out, images="keep")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(("write", "read", "file", "fmt"), FORMATS)
def test_renamed_the_names_round_trip(
    tmp_path: Path, write: Callable, read: Callable, file: str, fmt: str
) -> None:
    project = project_with(["", " car ", "traffic light", "new\nline"])
    project.path = tmp_path / "p.json"  # the picture beside it, copied into the export
    Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(tmp_path / "a.png")
    rename_category(project, "", "unnamed").apply(project)
    rename_category(project, " car ", "car").apply(project)
    write(project, tmp_path / "out", images="copy")
    back = read(tmp_path / "out").project
    names = ["car", "new\nline", "traffic light", "unnamed"]
    assert sorted(c.name for c in back.categories.values()) == names
    assert sorted(back.categories[a.category_id].name for a in back.annotations.values()) == names


def test_a_carriage_return_would_come_back_as_a_line_feed(tmp_path: Path) -> None:
    with pytest.raises(CategoryNameError, match=r"category 1 'a\\rb' as 'a\\nb'"):
        write_cvat(project_with(["a\rb"]), tmp_path / "out", images="keep")


def test_voc_checks_only_the_names_it_writes_cvat_its_whole_label_list(tmp_path: Path) -> None:
    """VOC keeps no category list: a blank category without objects is not written, so not refused;
    CVAT's label list holds every category."""
    project = project_with(["car", " "], used=[1])
    write_voc(project, tmp_path / "voc", images="keep")
    assert [c.name for c in read_voc(tmp_path / "voc").project.categories.values()] == ["car"]
    with pytest.raises(CategoryNameError, match="category 2 ' ' as no name"):
        write_cvat(project, tmp_path / "cvat", images="keep")


@pytest.mark.parametrize("to", ["voc", "cvat"])
def test_convert_reports_the_refusal_and_exits_1(tmp_path: Path, capsys, to: str) -> None:
    source = save_project(project_with(["car", " car"]), tmp_path / "p.json")
    out = tmp_path / "out"
    code = main(["convert", str(source), str(out), "--from", "coco", "--to", to, "--images", "keep"])
    err = capsys.readouterr().err
    assert code == 1
    assert "pixelproof: error: " in err and "nothing exported" in err and "category 2 ' car' as 'car'" in err
    assert not out.exists()
