"""COCO files from other tools: the standard layout annotations/instances_<split>.json + images/<split>/
(Datumaro's coco_instances sample), and where the reader says it looked when an image is missing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pixelproof.interop import read_coco, write_coco

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "coco_dataset" / "coco_instances"


def test_standard_layout_finds_the_images(tmp_path: Path) -> None:
    src = DATA / "annotations" / "instances_val.json"
    result = read_coco(src)
    project = result.project
    (image,) = project.images.values()
    assert image.file_name == "../images/val/b.jpg" and project.image_path(image).is_file()
    folder = DATA / "images" / "val"
    assert result.problems == [
        f"{src}: 1 image(s) found in {folder} (the usual COCO layout); their names now lead there"
    ]
    # written elsewhere, the image is still found (names made relative to the new file)
    write_coco(project, tmp_path / "out" / "p.json")
    doc = json.loads((tmp_path / "out" / "p.json").read_text())
    assert (tmp_path / "out" / doc["images"][0]["file_name"]).resolve() == (DATA / "images" / "val" / "b.jpg")


def test_missing_image_names_where_it_looked(tmp_path: Path) -> None:
    shutil.copytree(DATA / "annotations", tmp_path / "annotations")
    result = read_coco(tmp_path / "annotations" / "instances_train.json")
    (problem,) = result.problems
    looked = ", ".join(
        str(p) for p in (tmp_path / "annotations", tmp_path / "images" / "train", tmp_path / "train",
                         tmp_path / "images", tmp_path)
    )  # fmt: skip
    assert problem.endswith(f"file a.jpg not found (looked in {looked})")
    assert len(result.project.images) == 1  # kept, with the size the JSON records
