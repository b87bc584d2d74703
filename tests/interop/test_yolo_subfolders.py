"""The YOLO export keeps the images' subfolders under ``images/<split>/`` and ``labels/<split>/`` (Ultralytics
swaps the last ``/images/`` of an image's path for ``/labels/``, so nested folders train as they are), and
no two images ever get one image or label file name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.interop.yolo import read_yolo, write_yolo


def _project(root: Path, names: list[str]) -> Project:
    project = new_project(["a"])
    project.path = root / "project.json"
    for i, name in enumerate(names, 1):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((6, 8, 3), i * 20, np.uint8)).save(root / name)
        project.add_image(ImageRecord(i, name, 8, 6))
        project.add_annotation(Annotation(i, i, 1, [float(i % 5), 1.0, 2.0, 2.0], None, 4.0))
    return project


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_subfolders_are_kept_and_same_names_never_collide(tmp_path: Path) -> None:
    names = ["a/img1.jpg", "b/img1.jpg", "img1.jpg", "A/IMG1.jpg", "a/img1.png", "site/images/x.png"]
    project = _project(tmp_path, names)
    write_yolo(project, tmp_path / "out")
    images = _files(tmp_path / "out" / "images" / "train")
    labels = _files(tmp_path / "out" / "labels" / "train")
    # a/ and A/ are one folder on Windows and macOS: one folder, numbered names; a folder called images
    # would be taken by Ultralytics for the one to swap for labels/
    assert images == [
        "a/IMG1.jpg",
        "a/img1_2.jpg",
        "a/img1_3.png",
        "b/img1.jpg",
        "img1.jpg",
        "site/images_/x.png",
    ]
    assert labels == [n.rsplit(".", 1)[0] + ".txt" for n in images]
    assert len({n.casefold() for n in labels}) == len(names)
    back = read_yolo(tmp_path / "out").project
    got = {im.file_name: [a.bbox for a in back.annotations_of(im.id)] for im in back.images.values()}
    for i, name in enumerate(names, 1):  # each image kept its own box (its x is i % 5)
        pixels = np.asarray(Image.open(tmp_path / name))
        (match,) = [
            n for n in images if (np.asarray(Image.open(tmp_path / "out/images/train" / n)) == pixels).all()
        ]
        assert got[f"images/train/{match}"][0][0] == float(i % 5)


def test_a_yolo_dataset_exported_again_keeps_its_layout(tmp_path: Path) -> None:
    names = ["images/train/a/x.jpg", "images/val/b/x.jpg", "valid/images/y.jpg"]
    project = _project(tmp_path, names)
    for image in project.images.values():
        split = "train" if "train" in image.file_name else "val"
        image.extra = {"pixelproof": {"split": split}}
    write_yolo(project, tmp_path / "out")
    assert _files(tmp_path / "out" / "images") == ["train/a/x.jpg", "val/b/x.jpg", "val/y.jpg"]


def test_images_an_earlier_export_left_are_named(tmp_path: Path) -> None:
    """An export over one of a version that flattened ``a/img1.jpg`` to ``a_img1.jpg`` left that copy in
    ``images/train``: Ultralytics trained on it as well, twice with its labels."""
    project = _project(tmp_path, ["a/img1.jpg", "b/img1.jpg"])
    out = tmp_path / "out"
    (out / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (8, 6)).save(out / "images" / "train" / "a_img1.jpg")
    warnings = write_yolo(project, out)
    assert any("1 image under" in w and "images/train/a_img1.jpg" in w for w in warnings), warnings
    assert not any("not written by this export" in w for w in write_yolo(project, tmp_path / "fresh"))


def test_images_outside_the_project_folder_keep_the_folders_below_the_ones_they_share(tmp_path: Path) -> None:
    """``../shared/cam1/x.png`` and an absolute ``/.../shared/cam2/x.png``: never ``..`` nor the whole
    absolute path under images/train/, and the two x.png stay apart."""
    project = _project(tmp_path, ["shared/cam1/x.png", "shared/cam2/x.png", "mine/x.png"])
    project.path = tmp_path / "mine" / "project.json"
    images = sorted(project.images.values(), key=lambda im: im.id)
    images[0].file_name = "../shared/cam1/x.png"
    images[1].file_name = str(tmp_path / "shared" / "cam2" / "x.png")
    images[2].file_name = "x.png"
    write_yolo(project, tmp_path / "out")
    assert _files(tmp_path / "out" / "images" / "train") == ["cam1/x.png", "cam2/x.png", "x.png"]
