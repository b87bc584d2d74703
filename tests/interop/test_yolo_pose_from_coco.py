"""Pose data between COCO and YOLO. A COCO person_keypoints project (or CVAT / Datumaro skeletons) is
written as a YOLO pose dataset with ``task pose``, as Ultralytics' JSON2YOLO converts COCO: ``kpt_shape
[K, 3]`` from its categories' names, ``flip_idx`` pairing left and right names, each object's triples after
its box (normalised, visibility as read); it was refused ('the project was not read from a pose dataset').
A YOLO pose dataset's COCO export writes person_keypoints (it wrote the boxes only)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pycocotools.coco import COCO

from pixelproof.core.coco import load_project, new_project
from pixelproof.core.keypoints import COCO_PERSON_SKELETON
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.interop.coco_io import write_coco
from pixelproof.interop.yolo import read_yolo, write_yolo
from tests.interop.test_yolo_ultralytics_yaml import _dataset

NAMES = ["nose", "left_eye", "right_eye", "left_ear", "right_ear"]
POINTS = [50.0, 20.0, 2, 45.0, 18.0, 2, 55.0, 18.0, 1, 40.0, 20.0, 0, 0, 0, 0]


def _project(other: list[str] | None = None, folder: Path | None = None) -> Project:
    p = new_project(["person", "car", "dog"])
    p.categories[1].extra.update({"keypoints": list(NAMES), "skeleton": [[1, 2], [1, 3]]})
    if other is not None:
        p.categories[3].extra["keypoints"] = other
    image = "a.png"
    if folder is not None:  # a real image, for the dataset to be read back
        Image.new("RGB", (100, 50)).save(folder / "a.png")
        image = str(folder / "a.png")
    p.add_image(ImageRecord(1, image, 100, 50))
    coco = {"keypoints": list(POINTS), "num_keypoints": 3}
    p.add_annotation(Annotation(1, 1, 1, [30.0, 10.0, 40.0, 30.0], area=1200.0, extra=coco))
    p.add_annotation(Annotation(2, 1, 2, [0.0, 0.0, 20.0, 10.0], area=200.0))
    return p


def test_coco_keypoints_are_written_as_a_yolo_pose_dataset(tmp_path: Path) -> None:
    out = tmp_path / "yolo"
    warnings = write_yolo(_project(folder=tmp_path), out, task="pose")
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["kpt_shape"] == [5, 3] and data["flip_idx"] == [0, 2, 1, 4, 3]
    person, car = (line.split() for line in (out / "labels/train/a.txt").read_text().splitlines())
    assert [float(v) for v in person[1:5]] == [0.5, 0.5, 0.4, 0.6]
    assert [float(v) for v in person[5:]] == pytest.approx(
        [0.5, 0.4, 2, 0.45, 0.36, 2, 0.55, 0.36, 1, 0.4, 0.4, 0, 0, 0, 0]
    )
    assert car[5:] == ["0.000000", "0.000000", "0"] * 5  # no keypoints: absent ones, said
    assert any("without keypoints of kpt_shape [5, 3]" in w for w in warnings)
    back = read_yolo(out).project
    kept = next(a for a in back.annotations.values() if a.category_id == 1).extra["yolo"]["keypoints"]
    assert kept == pytest.approx([0.5, 0.4, 2, 0.45, 0.36, 2, 0.55, 0.36, 1, 0.4, 0.4, 0, 0, 0, 0])


@pytest.mark.parametrize(
    "names",
    [
        ["nose", "left_eye", "right_eye", "left_ear", "tail"],  # a side without its counterpart
        [f"keypoint {i}" for i in range(1, 6)],  # no side named: a mirror of itself would be a guess
    ],
)
def test_no_flip_idx_when_the_names_do_not_tell_the_mirror(tmp_path: Path, names: list[str]) -> None:
    p = _project()
    p.categories[1].extra["keypoints"] = names
    write_yolo(p, tmp_path / "yolo", task="pose")
    assert "flip_idx" not in yaml.safe_load((tmp_path / "yolo" / "data.yaml").read_text())


@pytest.mark.parametrize(("other", "said"), [(["a", "b"], "categories name [2, 5] keypoints"), (None, None)])
def test_categories_of_other_keypoint_counts_or_none_are_refused(
    tmp_path: Path, other: list[str] | None, said: str | None
) -> None:
    p = _project(other)
    if said is None:
        p.categories[1].extra.pop("keypoints")
        said = "no category names COCO keypoints"
    with pytest.raises(ValueError, match=re.escape(said)):
        write_yolo(p, tmp_path / "yolo", task="pose")


def test_a_yolo_pose_dataset_goes_to_coco_keypoints_and_back(tmp_path: Path) -> None:
    """The other way: a COCO export of a pose dataset writes person_keypoints (it wrote the boxes only),
    named and joined as the canvas shows them; that file exported to YOLO pose gives the lines back."""
    line = "0 0.5 0.5 0.2 0.4 " + " ".join(["0.45 0.4 2"] * 8 + ["0.5 0.6 1"] * 8 + ["0 0 0"])
    root = _dataset(tmp_path / "pose", "coco8-pose.yaml", {"images/train/a.png": line + "\n"})
    warnings = write_coco(read_yolo(root).project, tmp_path / "coco.json")
    assert "1 object of a YOLO pose dataset written with COCO keypoints" in warnings[0]
    coco = COCO(str(tmp_path / "coco.json"))
    (ann,) = coco.loadAnns(coco.getAnnIds())
    assert ann["keypoints"][:3] == [45.0, 20.0, 2] and ann["keypoints"][-3:] == [0, 0, 0]
    assert ann["num_keypoints"] == 16 and "yolo" not in ann
    (cat,) = coco.loadCats(coco.getCatIds())
    assert cat["keypoints"][0] == "keypoint 1" and cat["skeleton"] == COCO_PERSON_SKELETON
    write_yolo(load_project(tmp_path / "coco.json"), tmp_path / "yolo", task="pose")
    data = yaml.safe_load((tmp_path / "yolo" / "data.yaml").read_text())
    assert data["kpt_shape"] == [17, 3] and data["flip_idx"][:3] == [0, 2, 1]  # the dataset's, kept
    (row,) = (tmp_path / "yolo" / "labels" / "train" / "a.txt").read_text().splitlines()
    assert [float(v) for v in row.split()[5:]] == [float(v) for v in line.split()[5:]]
