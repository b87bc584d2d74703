"""YOLO dialects from Datumaro's test assets (tests/data/datumaro, MIT): expectations are Datumaro's own
(tests/unit/data_formats/test_yolo_format.py, test_roboflow.py): boxes as x, y, w, h in pixels."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.interop.yolo import read_yolo

DATUMARO = Path(__file__).resolve().parents[1] / "data" / "datumaro"
# Datumaro's fxt_train_dataset: image 1 (15 x 10), Bbox(0, 2, 4, 2, label_2), Bbox(3, 3, 2, 3, label_4)
ONE = [("label_2", (0, 2, 4, 2)), ("label_4", (3, 3, 2, 3))]


def _objects(project) -> dict[str, list]:
    out: dict[str, list] = {}
    for image in project.images.values():
        out[image.file_name] = [
            (project.categories[a.category_id].name, a.bbox) for a in project.annotations_of(image.id)
        ]
    return out


def _same(got: list, want: list) -> None:
    assert [name for name, _ in got] == [name for name, _ in want]
    for (_, box), (_, expected) in zip(got, want, strict=True):
        assert box == pytest.approx(expected, abs=0.5)


@pytest.mark.parametrize(
    ("folder", "images"),
    [
        ("yolo_dataset/annotations", {"Images/1.jpg": None}),  # Images/ + Annotations/ + obj.names
        ("yolo_dataset/strict", {"obj_train_data/1.jpg": None}),  # Darknet: labels beside the images
        ("yolo_dataset/labels", {"images/train/1.jpg": "train", "images/val/1.jpg": "val"}),
    ],
)
def test_datumaro_yolo_layouts(folder: str, images: dict) -> None:
    result = read_yolo(DATUMARO / folder)
    assert result.problems == []
    project = result.project
    assert [c.name for c in project.categories.values()] == [f"label_{i}" for i in range(10)]
    got = _objects(project)
    assert set(got) == set(images)
    for image in project.images.values():
        assert (image.width, image.height) == (15, 10)
        assert image.extra.get("pixelproof", {}).get("split") == images[image.file_name]
        _same(got[image.file_name], ONE)


def test_roboflow_data_yaml_with_paths_relative_to_its_parent() -> None:
    """``train: ../train/images`` names the folder beside data.yaml (Ultralytics drops the ``../``);
    ``val: ../valid/images`` is Roboflow's name for a ``val/`` folder here: each lookup is reported."""
    result = read_yolo(DATUMARO / "roboflow_dataset" / "yolo")
    got = _objects(result.project)
    _same(got["train/images/train_001.jpg"], [("label_0", (2, 1, 3, 1))])
    _same(got["train/images/train_002.jpg"], [("label_1", (0, 0, 2, 4))])
    _same(got["val/images/val_001.jpg"], [("label_0", (0, 0, 1, 2)), ("label_1", (0, 0, 9, 1))])
    splits = {im.file_name: im.extra["pixelproof"]["split"] for im in result.project.images.values()}
    assert splits == {
        "train/images/train_001.jpg": "train",
        "train/images/train_002.jpg": "train",
        "val/images/val_001.jpg": "val",
    }
    assert len(result.problems) == 2 and all("not found at" in p and "read" in p for p in result.problems)


def test_label_file_without_its_image_is_reported_and_convert_says_so(tmp_path: Path, capsys) -> None:
    data = tmp_path / "yolo"
    shutil.copytree(DATUMARO / "yolo_dataset" / "annotations", data)
    (data / "Images" / "1.jpg").rename(data / "Images" / "2.jpg")
    result = read_yolo(data)
    assert len(result.project.images) == 1 and not result.project.annotations
    assert result.skipped["files"] == 1
    assert any(str(data / "Annotations" / "1.txt") in p and "no image" in p for p in result.problems)
    assert main(["convert", str(data), str(tmp_path / "p.json"), "--from", "yolo", "--to", "coco"]) == 3
    captured = capsys.readouterr()
    assert "Annotations/1.txt: no image for this label file" in captured.err
    assert "0 annotations" in captured.out and "skipped 1 file\n" in captured.out
