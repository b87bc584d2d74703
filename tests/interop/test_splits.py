"""Dataset splits carried from one format to another (``interop.splits``): a CVAT project's Train /
Validation / Test subsets, YOLO's train / val / test, Open Images' validation, KITTI's training / testing
and MVTec's validation are one split each, written in the spelling of the format written and read back."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import yaml
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.interop.cityscapes import read_cityscapes
from pixelproof.interop.cityscapes_writer import write_cityscapes
from pixelproof.interop.cvat import read_cvat, write_cvat
from pixelproof.interop.kitti import read_kitti, write_kitti
from pixelproof.interop.labelstudio import read_labelstudio
from pixelproof.interop.labelstudio_writer import write_labelstudio
from pixelproof.interop.mvtec import read_mvtec, write_mvtec
from pixelproof.interop.openimages import read_openimages, write_openimages
from pixelproof.interop.splits import canonical
from pixelproof.interop.yolo import read_yolo, write_yolo

DATUMARO = Path(__file__).resolve().parents[1] / "data" / "datumaro"
CVAT_PROJECT = DATUMARO / "cvat_dataset" / "for_images" / "export_project"
IMG_FORMATS = {".bmp", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp"}


def _ultralytics_splits(yaml_file: Path) -> dict[str, list[tuple[Path, Path]]]:
    """(image, label file) per split, found as Ultralytics' ``check_det_dataset`` and ``img2label_paths``
    find them: train and val required, the root is ``path`` else the YAML's folder, a split folder is
    searched recursively, a label is the image's path with its last ``images`` turned ``labels``."""
    data = yaml.safe_load(yaml_file.read_text(encoding="utf-8"))
    assert "train" in data and "val" in data  # Ultralytics refuses a data.yaml without them
    root = Path(data.get("path") or yaml_file.parent)
    sa, sb = f"{os.sep}images{os.sep}", f"{os.sep}labels{os.sep}"
    out = {}
    for key in ("train", "val", "test"):
        if data.get(key):
            folder = (root / data[key]).resolve()
            files = sorted(p for p in folder.rglob("*.*") if p.suffix.lower() in IMG_FORMATS)
            out[key] = [(f, Path(sb.join(str(f).rsplit(sa, 1)).rsplit(".", 1)[0] + ".txt")) for f in files]
    return out


def _sizes_by_split(project: Project, key) -> Counter:
    return Counter((key(im), im.width, im.height) for im in project.images.values())


def _cvat_subset(image: ImageRecord) -> str | None:
    return image.extra.get("pixelproof", {}).get("cvat", {}).get("subset")


def _split(image: ImageRecord) -> str | None:
    return image.extra.get("pixelproof", {}).get("split")


def test_canonical_names_and_other_names_as_given() -> None:
    assert [canonical(s) for s in ("Train", "training", "Validation", "valid", "val", "Test", "testing")] == [
        "train",
        "train",
        "val",
        "val",
        "val",
        "test",
        "test",
    ]
    assert [canonical(s) for s in ("Extra", "default", "../x", "", None)] == [
        "Extra",
        "default",
        "../x",
        None,
        None,
    ]


def test_cvat_subsets_go_to_yolo_splits_and_come_back_as_cvat_subsets(tmp_path: Path) -> None:
    """Datumaro's CVAT project export (img0 8x8 and img1 10x10 in each of Train / Test / Validation): YOLO
    wrote all six to train and said there was no validation split; back in CVAT they had no subset."""
    source = read_cvat(CVAT_PROJECT).project
    assert _sizes_by_split(source, _split) == Counter(
        {(s, w, w): 1 for s in ("train", "val", "test") for w in (8, 10)}
    )
    warnings = write_yolo(source, tmp_path / "yolo", images="copy")
    assert not any("split" in w for w in warnings), warnings
    found = _ultralytics_splits(tmp_path / "yolo" / "data.yaml")
    assert {k: len(v) for k, v in found.items()} == {"train": 2, "val": 2, "test": 2}
    assert all(label.is_file() for pairs in found.values() for _, label in pairs)
    assert {k: sorted(Image.open(f).size for f, _ in v) for k, v in found.items()} == {
        k: [(8, 8), (10, 10)] for k in found
    }
    back = read_yolo(tmp_path / "yolo").project
    write_cvat(back, tmp_path / "cvat", images="copy")
    written = [el.attrib for el in ET.parse(tmp_path / "cvat" / "annotations.xml").getroot().iter("image")]
    original = [el.attrib for el in ET.parse(CVAT_PROJECT / "annotations.xml").getroot().iter("image")]
    assert Counter((im["subset"], im["width"]) for im in written) == Counter(
        (im["subset"], im["width"]) for im in original
    )
    for im in written:  # CVAT's project layout
        assert (tmp_path / "cvat" / "images" / im["subset"] / im["name"]).is_file()
    again = read_cvat(tmp_path / "cvat").project
    assert _sizes_by_split(again, _cvat_subset) == Counter(
        {(s, w, w): 1 for s in ("Train", "Validation", "Test") for w in (8, 10)}
    )


def test_yolo_splits_become_cvat_subsets(tmp_path: Path) -> None:
    """Roboflow's YOLO export (train 2, val 1): CVAT got no subset at all."""
    source = read_yolo(DATUMARO / "roboflow_dataset" / "yolo").project
    write_cvat(source, tmp_path / "cvat", images="copy")
    back = read_cvat(tmp_path / "cvat").project
    assert Counter(_cvat_subset(im) for im in back.images.values()) == {"Train": 2, "Validation": 1}
    assert Counter(_split(im) for im in back.images.values()) == {"train": 2, "val": 1}


def test_a_cvat_subset_keeps_its_own_spelling_and_a_user_subset_is_said_in_yolo(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "src" / "a.png")
    subsets = ["train", "VAL", "Extra", "../up"]
    images = "".join(
        f'<image id="{k}" name="a.png" subset="{s}" width="4" height="4"/>' for k, s in enumerate(subsets)
    )
    (tmp_path / "src" / "annotations.xml").write_text(
        f"<annotations><version>1.1</version>{images}</annotations>", encoding="utf-8"
    )
    project = read_cvat(tmp_path / "src").project
    assert [_split(im) for im in project.images.values()] == ["train", "val", "Extra", "../up"]
    write_cvat(project, tmp_path / "cvat")
    written = [
        el.get("subset") for el in ET.parse(tmp_path / "cvat" / "annotations.xml").getroot().iter("image")
    ]
    assert written == subsets  # as the source spelt them
    warnings = write_yolo(project, tmp_path / "yolo")
    assert any("2 images" in w and "'Extra'" in w and "'../up'" in w and "train" in w for w in warnings), (
        warnings
    )
    found = _ultralytics_splits(tmp_path / "yolo" / "data.yaml")
    assert {k: len(v) for k, v in found.items()} == {"train": 3, "val": 1}
    assert not (tmp_path / "up").exists() and not (tmp_path / "yolo" / "up").exists()


def test_a_data_yaml_validation_key_is_val_as_ultralytics_reads_it(tmp_path: Path) -> None:
    """Ultralytics' check_det_dataset takes ``validation:`` for ``val:``; we read none of its images."""
    for split in ("train", "valid"):
        (tmp_path / "images" / split).mkdir(parents=True)
        Image.new("RGB", (4, 4)).save(tmp_path / "images" / split / f"{split}.png")
    (tmp_path / "data.yaml").write_text(
        "train: images/train\nvalidation: images/valid\nnames: [a]\n", encoding="utf-8"
    )
    back = read_yolo(tmp_path / "data.yaml").project
    assert sorted((im.file_name, _split(im)) for im in back.images.values()) == [
        ("images/train/train.png", "train"),
        ("images/valid/valid.png", "val"),
    ]


def test_cityscapes_splits_reach_yolo(tmp_path: Path) -> None:
    source = read_cityscapes(DATUMARO / "cityscapes_dataset" / "dataset").project
    write_yolo(source, tmp_path / "yolo", images="copy")
    found = _ultralytics_splits(tmp_path / "yolo" / "data.yaml")
    assert {k: len(v) for k, v in found.items()} == {"train": 1, "val": 1, "test": 2}


def test_open_images_validation_is_val_and_written_back_as_validation(tmp_path: Path) -> None:
    source = read_openimages(DATUMARO / "open_images_dataset" / "v6").project
    assert Counter(_split(im) for im in source.images.values()) == {"train": 2, "test": 1, "val": 1}
    write_yolo(source, tmp_path / "yolo", images="copy")
    found = _ultralytics_splits(tmp_path / "yolo" / "data.yaml")
    assert {k: len(v) for k, v in found.items()} == {"train": 2, "val": 1, "test": 1}
    write_openimages(read_yolo(tmp_path / "yolo").project, tmp_path / "oi", images="copy")
    assert sorted(p.name for p in (tmp_path / "oi" / "images").iterdir()) == ["test", "train", "validation"]
    back = read_openimages(tmp_path / "oi").project
    assert Counter(_split(im) for im in back.images.values()) == {"train": 2, "test": 1, "val": 1}


def _project_with_splits(folder: Path, splits: list[str | None]) -> Project:
    folder.mkdir(parents=True)
    project = new_project(["a"])
    project.path = folder / "project.json"
    for n, split in enumerate(splits, start=1):
        Image.new("RGB", (20, 10)).save(folder / f"im{n}.png")
        extra = {"pixelproof": {"split": split}} if split else {}
        project.add_image(ImageRecord(n, f"im{n}.png", 20, 10, extra=extra))
        project.add_annotation(Annotation(n, n, 1, [2.0, 2.0, 5.0, 5.0], None, 25.0))
    return project


def test_kitti_writes_test_images_to_testing_and_reads_training_as_train(tmp_path: Path) -> None:
    project = _project_with_splits(tmp_path / "src", ["train", "val", "test", None])
    warnings = write_kitti(project, tmp_path / "kitti", task="detect")
    assert any("1 image" in w and "'val'" in w and "training" in w for w in warnings), warnings
    assert sorted(p.name for p in (tmp_path / "kitti" / "testing" / "image_2").iterdir()) == ["im3.png"]
    assert (tmp_path / "kitti" / "testing" / "label_2" / "im3.txt").is_file()
    back = read_kitti(tmp_path / "kitti").project
    assert Counter(_split(im) for im in back.images.values()) == {"train": 3, "test": 1}


def test_mvtec_writes_val_as_validation_and_says_defects_in_train(tmp_path: Path) -> None:
    project = _project_with_splits(tmp_path / "src", ["train", "val", "test"])
    warnings = write_mvtec(project, tmp_path / "mv")
    assert any("1 image with defects in train" in w for w in warnings), warnings
    assert sorted(p.name for p in (tmp_path / "mv" / "object").iterdir()) == [
        "ground_truth",
        "test",
        "train",
        "validation",
    ]
    back = read_mvtec(tmp_path / "mv").project
    assert Counter(_split(im) for im in back.images.values()) == {"train": 1, "val": 1, "test": 1}


def test_label_studio_keeps_the_split_in_the_task_data(tmp_path: Path) -> None:
    project = _project_with_splits(tmp_path / "src", ["train", "val", None])
    write_labelstudio(project, tmp_path / "ls")
    back = read_labelstudio(tmp_path / "ls" / "tasks.json", label_config=tmp_path / "ls" / "label_config.xml")
    assert sorted(str(_split(im)) for im in back.project.images.values()) == ["None", "train", "val"]


@pytest.mark.parametrize("split", ["../../escaped", "/abs/escaped", "a/b", ".hidden"])
def test_a_split_that_is_no_folder_name_is_never_a_path(tmp_path: Path, split: str) -> None:
    if split.startswith("/abs"):
        split = str(tmp_path / "abs" / "escaped")
    project = _project_with_splits(tmp_path / "src", [split])
    before = {str(p) for p in tmp_path.rglob("*")}
    write_cvat(project, tmp_path / "out" / "cvat", images="copy")
    write_yolo(project, tmp_path / "out" / "yolo")
    write_kitti(project, tmp_path / "out" / "kitti")
    write_mvtec(project, tmp_path / "out" / "mvtec")
    write_cityscapes(project, tmp_path / "out" / "cs")
    new = {str(p) for p in tmp_path.rglob("*")} - before
    assert all(p.startswith(str(tmp_path / "out")) for p in new), sorted(new)
    assert not (tmp_path / "out" / "cs" / "gtFine" / "a").exists()
