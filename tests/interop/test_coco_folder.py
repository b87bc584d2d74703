"""A COCO export folder (CVAT's "COCO 1.0": annotations/instances_default.json + images/) as the input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pixelproof.core.split_names import split_of
from pixelproof.interop import read_coco, write_coco
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
    assert "read " in result.notes[0] and "instances_default.json" in result.notes[0]
    project = result.project
    (image,) = project.images.values()
    assert project.image_path(image).is_file()
    polygon, crowd = project.annotations.values()
    assert polygon.extra["attributes"] == {"x": 1, "y": "hello"}
    assert crowd.iscrowd == 1 and crowd.area == 20.0


def test_a_folder_of_several_splits_is_one_project_with_each_image_in_its_split() -> None:
    """Datumaro's coco_instances: instances_train.json + instances_val.json, both numbering objects from 1."""
    assert detect_format(DATA).name == "coco"
    result = read_coco(DATA)
    project = result.project
    assert result.notes[0] == (  # information, no problem: the app and convert count only problems
        f"{DATA}: read 2 COCO files (annotations/instances_train.json, annotations/instances_val.json) "
        "as one project; each image's split is its file's"
    )
    assert len(result.notes) == 3 and all("their names now lead there" in n for n in result.notes[1:])
    by_name = {i.file_name: i for i in project.images.values()}
    assert set(by_name) == {"images/train/a.jpg", "images/val/b.jpg"}
    assert all(project.image_path(i).is_file() for i in by_name.values())
    assert [split_of(by_name[n]) for n in ("images/train/a.jpg", "images/val/b.jpg")] == ["train", "val"]
    assert {c.name: c.id for c in project.categories.values()} == {"a": 1, "b": 2, "c": 4}
    # both files' first object is id 1: the val file's is renumbered, said, and each stays on its image
    assert len(project.annotations) == 3
    assert (
        f"{DATA / 'annotations' / 'instances_val.json'}: 1 annotation id also in an earlier file (1) "
        "given new ids" in result.problems
    )
    assert len(result.problems) == 1
    objects = {(project.image(a.image_id).file_name, project.category(a.category_id).name, a.kind)
               for a in project.annotations.values()}  # fmt: skip
    assert objects == {
        ("images/train/a.jpg", "b", "box"),
        ("images/val/b.jpg", "a", "polygon"),
        ("images/val/b.jpg", "b", "mask"),
    }
    crowd = next(a for a in project.annotations.values() if a.kind == "mask")
    assert crowd.iscrowd == 1 and crowd.area == 20.0


def _variant(tmp_path: Path) -> Path:
    """The sample with its val file as another tool numbers it: its own category ids (``b`` 7, ``a`` of
    another supercategory), its image id 5 as in train and named ``a.jpg`` as train's, in images/val/."""
    shutil.copytree(DATA, tmp_path / "coco")
    val = tmp_path / "coco" / "annotations" / "instances_val.json"
    doc = json.loads(val.read_text())
    doc["categories"] = [
        {"id": 1, "name": "a", "supercategory": "letter"},
        {"id": 7, "name": "b", "supercategory": ""},
        {"id": 2, "name": "d", "supercategory": ""},
    ]
    for ann in doc["annotations"]:
        ann["category_id"] = {1: 1, 2: 7}[ann["category_id"]]
        ann["image_id"] = 5
    doc["images"][0].update(id=5, file_name="a.jpg")
    val.write_text(json.dumps(doc))
    (tmp_path / "coco" / "images" / "val" / "b.jpg").rename(tmp_path / "coco" / "images" / "val" / "a.jpg")
    return tmp_path / "coco"


def test_splits_merge_categories_by_name_and_keep_colliding_images_apart(tmp_path: Path) -> None:
    src = _variant(tmp_path)
    result = read_coco(src)
    project = result.project
    val = src / "annotations" / "instances_val.json"
    assert (
        f"{val}: category 'b' has id 7 here but 2 in instances_train.json; read as one category (id 2)"
        in (result.problems)
    )
    assert f"{val}: category 'a' has supercategory 'letter' here but '' in instances_train.json; '' kept" in (
        result.problems
    )
    # one category per name; val's new 'd' cannot keep id 2 (train's 'b'), so takes a new one
    cats = {c.name: c.id for c in project.categories.values()}
    assert cats == {"a": 1, "b": 2, "c": 4, "d": 8}
    images = sorted(project.images.values(), key=lambda i: i.file_name)
    assert [(i.file_name, split_of(i)) for i in images] == [
        ("images/train/a.jpg", "train"),
        ("images/val/a.jpg", "val"),
    ]
    assert len(
        {i.id for i in images}
    ) == 2 and f"{val}: 1 image id also in an earlier file (5) given new ids" in (result.problems)
    val_image = images[1]
    assert sorted(project.category(a.category_id).name for a in project.annotations_of(val_image.id)) == [
        "a",
        "b",
    ]
    # saved and read back: one project, the splits kept
    out = tmp_path / "out.json"
    write_coco(project, out)
    back = read_coco(out).project
    assert sorted(split_of(i) for i in back.images.values()) == ["train", "val"]


def test_missing_images_of_two_splits_stay_two(tmp_path: Path) -> None:
    """No images at all (a QA reference, or annotations only): each is named where its split keeps it."""
    src = _variant(tmp_path)
    shutil.rmtree(src / "images")
    for check in (True, False):
        project = read_coco(src, check_images=check).project
        assert sorted(i.file_name for i in project.images.values()) == [
            "images/train/a.jpg",
            "images/val/a.jpg",
        ]


def test_the_default_subset_is_no_split(tmp_path: Path) -> None:
    """CVAT names the images of no subset ``default``."""
    shutil.copytree(DATA, tmp_path / "coco")
    ann = tmp_path / "coco" / "annotations"
    (ann / "instances_val.json").rename(ann / "instances_default.json")
    (tmp_path / "coco" / "images" / "val").rename(tmp_path / "coco" / "images" / "default")
    project = read_coco(tmp_path / "coco").project
    assert sorted((i.file_name, split_of(i) or "") for i in project.images.values()) == [
        ("images/default/b.jpg", ""),
        ("images/train/a.jpg", "train"),
    ]


def test_a_roboflow_coco_export_reads_each_split_folder(tmp_path: Path) -> None:
    """Roboflow's COCO export: ``<split>/_annotations.coco.json`` beside its pictures (``valid`` is val);
    the sample's files laid out so."""
    src = tmp_path / "rf"
    for split, theirs in (("train", "train"), ("valid", "val")):
        (src / split).mkdir(parents=True)
        shutil.copy(DATA / "annotations" / f"instances_{theirs}.json", src / split / "_annotations.coco.json")
        for picture in (DATA / "images" / theirs).iterdir():
            shutil.copy(picture, src / split / picture.name)
    assert detect_format(src).name == "coco"
    project = read_coco(src).project
    assert sorted((i.file_name, split_of(i)) for i in project.images.values()) == [
        ("train/a.jpg", "train"),
        ("valid/b.jpg", "val"),
    ]
    assert all(project.image_path(i).is_file() for i in project.images.values())
    assert len(project.annotations) == 3


def test_several_coco_files_of_no_export_layout_are_not_joined(tmp_path: Path) -> None:
    """Two COCO files side by side may be two versions of one dataset, not splits: the reader names them."""
    for name in ("a.json", "b.json"):
        shutil.copy(DATA / "annotations" / "instances_val.json", tmp_path / name)
    with pytest.raises(ValueError, match=r"2 COCO files \(a.json, b.json\); give one of them"):
        read_coco(tmp_path)


def test_one_picture_listed_by_two_splits_is_said(tmp_path: Path) -> None:
    """Both files name ``a.jpg`` and the export keeps all pictures in ``images/``: one file in two splits
    (a leak between them), two records said."""
    src = _variant(tmp_path)
    (src / "images" / "train" / "a.jpg").rename(src / "images" / "a.jpg")
    shutil.rmtree(src / "images" / "train")
    shutil.rmtree(src / "images" / "val")
    result = read_coco(src)
    val = src / "annotations" / "instances_val.json"
    assert f"{val}: 1 image listed by another split too: images/a.jpg (also in instances_train.json)" in (
        result.problems
    )
    assert sorted(split_of(i) for i in result.project.images.values()) == ["train", "val"]


def test_splits_pixelproof_wrote_keep_each_image_status_with_its_new_id(tmp_path: Path) -> None:
    """Each split's file saved by PixelProof with an image Done: the val image renumbered keeps its own."""
    src = _variant(tmp_path)
    for split, status in (("train", "done"), ("val", "in_progress")):
        file = src / "annotations" / f"instances_{split}.json"
        project = read_coco(file).project
        project.set_image_status(5, status)
        write_coco(project, file)
    project = read_coco(src).project
    assert {split_of(i): project.image_status(i.id) for i in project.images.values()} == {
        "train": "done",
        "val": "in_progress",
    }


def test_an_export_of_one_named_split_keeps_the_split(tmp_path: Path) -> None:
    """CVAT's export of a task in a project's Train subset holds annotations/instances_train.json alone: its
    images are the train split, as when the export also held val (the one file was read without a split)."""
    src = tmp_path / "export"
    shutil.copytree(DATA, src)
    (src / "annotations" / "instances_val.json").unlink()
    shutil.rmtree(src / "images" / "val")
    project = read_coco(src).project
    assert [(i.file_name, split_of(i)) for i in project.images.values()] == [("images/train/a.jpg", "train")]
    assert all(project.image_path(i).is_file() for i in project.images.values())
