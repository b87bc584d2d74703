"""A COCO export folder (CVAT's "COCO 1.0": annotations/instances_default.json + images/) as the input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pixelproof.interop import read_coco
from pixelproof.interop.formats import detect_format

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "coco_dataset" / "coco_instances"


def test_a_cvat_coco_export_folder_reads_its_one_file_with_attributes_and_crowd_rle(tmp_path: Path) -> None:
    """Datumaro's instances_val.json (CVAT writes its COCO through Datumaro) laid out as CVAT exports it."""
    (tmp_path / "annotations").mkdir()
    shutil.copy(
        DATA / "annotations" / "instances_val.json", tmp_path / "annotations" / "instances_default.json"
    )
    (tmp_path / "images").mkdir()
    shutil.copy(DATA / "images" / "val" / "b.jpg", tmp_path / "images" / "b.jpg")
    assert detect_format(tmp_path).name == "coco"
    result = read_coco(tmp_path)
    assert "read " in result.problems[0] and "instances_default.json" in result.problems[0]
    project = result.project
    (image,) = project.images.values()
    assert project.image_path(image).is_file()
    polygon, crowd = project.annotations.values()
    assert polygon.extra["attributes"] == {"x": 1, "y": "hello"}
    assert crowd.iscrowd == 1 and crowd.area == 20.0


def test_a_folder_of_several_splits_names_them() -> None:
    with pytest.raises(ValueError, match=r"2 COCO files \(annotations/instances_train.json, "):
        read_coco(DATA)
