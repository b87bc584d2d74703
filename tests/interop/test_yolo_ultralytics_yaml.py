"""Ultralytics' own dataset YAML files (tests/data/ultralytics, AGPL-3.0, copied unchanged) with tiny image
and label sets built around them: the layouts Ultralytics trains, read by its rules
(``ultralytics/data/utils.py``: ``check_det_dataset``, ``img2label_paths``, ``verify_image_label``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.interop.yolo import read_yolo, write_yolo

ULTRALYTICS = Path(__file__).resolve().parents[1] / "data" / "ultralytics"
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".webp": "WEBP", ".tif": "TIFF"}


def _dataset(root: Path, yaml_name: str | None, labels: dict[str, str | None], yaml_text: str = "") -> Path:
    """``root`` with the YAML (theirs, or ``yaml_text`` as data.yaml) and each image (100 x 50) with its
    label file where Ultralytics looks for it (the last ``/images/`` -> ``/labels/``; None: no label)."""
    root.mkdir(parents=True)
    if yaml_name:
        shutil.copy(ULTRALYTICS / yaml_name, root / yaml_name)
    if yaml_text:
        (root / "data.yaml").write_text(yaml_text)
    for name, text in labels.items():
        image = root / name
        image.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (100, 50)).save(image, format=FORMATS[image.suffix.lower()])
        if text is not None:
            label = Path(str(image).replace("/images/", "/labels/")).with_suffix(".txt")
            label.parent.mkdir(parents=True, exist_ok=True)
            label.write_text(text)
    return root


def _objects(project) -> dict[str, list]:
    out: dict[str, list] = {}
    for image in sorted(project.images.values(), key=lambda im: im.file_name):
        out[image.file_name] = [
            (project.categories[a.category_id].name, a.kind, [round(v, 2) for v in a.bbox])
            for a in project.annotations_of(image.id)
        ]
    return out


def test_coco8_names_dict_its_path_elsewhere_and_odd_image_suffixes(tmp_path: Path) -> None:
    """coco8.yaml says ``path: coco8`` (under Ultralytics' datasets folder): the YAML's folder is the root
    here. Upper-case, .webp and .tif suffixes are images; an out-of-range class and a label file without
    an image are named with their file (and line); an empty label file is an image without objects."""
    root = _dataset(
        tmp_path / "coco8",
        "coco8.yaml",
        {
            "images/train/x.webp": "0 0.5 0.5 0.2 0.2\n80 0.5 0.5 0.1 0.1\n",
            "images/val/Y.JPG": "79 0.5 0.5 1.005 0.2\n",
            "images/val/z.tif": "",
            "images/val/w.png": None,
        },
    )
    (root / "labels" / "val" / "orphan.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    result = read_yolo(root)
    labels = root / "labels"
    assert result.problems == [
        f"{labels / 'train' / 'x.txt'}:2: class 80 is not in names (0..79); line skipped",
        f"{labels / 'val' / 'orphan.txt'}: no image for this label file; skipped",
    ]
    assert _objects(result.project) == {
        "images/train/x.webp": [("person", "box", [40.0, 20.0, 20.0, 10.0])],
        "images/val/Y.JPG": [("toothbrush", "box", [-0.25, 20.0, 100.5, 10.0])],
        "images/val/w.png": [],
        "images/val/z.tif": [],
    }
    assert len(result.project.categories) == 80
    by_name = {im.file_name: im.id for im in result.project.images.values()}
    assert result.unrecorded == [by_name["images/val/w.png"]]  # no label file: not "no objects"


def test_coco8_pose_lines_are_read_as_boxes_keeping_their_keypoints(tmp_path: Path) -> None:
    """kpt_shape [17, 3]: a pose line is class, box and 17 x y visible; every line was skipped as a line of
    the wrong count (56 numbers), so a pose dataset came in without objects."""
    keypoints = [0.45, 0.4, 2.0] * 16 + [0.0, 0.0, 0.0]
    line = "0 0.5 0.5 0.2 0.4 " + " ".join(f"{v:g}" for v in keypoints)
    root = _dataset(
        tmp_path / "pose",
        "coco8-pose.yaml",
        {"images/train/a.png": line + "\n0 0.5 0.5 0.2 0.4\n", "images/val/b.png": ""},
    )
    result = read_yolo(root)
    assert result.problems == [
        f"{root / 'labels' / 'train' / 'a.txt'}:2: expected 56 numbers (class cx cy w h and 17 keypoints of "
        "3 values, data.yaml's kpt_shape), got 5; line skipped"
    ]
    project = result.project
    (person,) = project.annotations.values()
    assert person.kind == "box" and person.bbox == pytest.approx([40.0, 15.0, 20.0, 20.0])
    # the box they were read with (cx cy w h, normalised): an export moves them with an edited box
    assert person.extra["yolo"] == {"keypoints": keypoints, "kpt_shape": [17, 3], "box": [0.5, 0.5, 0.2, 0.4]}
    assert any("1 object of a pose dataset (kpt_shape [17, 3])" in n for n in result.notes)
    warnings = write_yolo(project, tmp_path / "out", task="detect")
    assert any(
        "1 object of a pose dataset written without their keypoints (task detect" in w for w in warnings
    )


def test_dota8_obb_lines_are_four_corner_polygons(tmp_path: Path) -> None:
    root = _dataset(
        tmp_path / "dota8", "dota8.yaml", {"images/train/a.png": "1 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n"}
    )
    result = read_yolo(root)
    (ship,) = result.project.annotations.values()
    assert result.project.categories[ship.category_id].name == "ship"
    assert ship.segmentation == [pytest.approx([10.0, 5.0, 30.0, 5.0, 30.0, 15.0, 10.0, 15.0])]
    assert result.problems == [
        f"{root / 'dota8.yaml'}: val: images/val not found (looked at "
        f"{root / 'images/val'}, {root / 'valid/images'}, {root / 'val/images'})"
    ]


def test_nc_disagreeing_with_names_is_said(tmp_path: Path) -> None:
    """Ultralytics refuses such a data.yaml ("'names' length 2 and 'nc: 3' must match"); read silently,
    the labels of class 2 were skipped as out of range with nothing naming the cause."""
    root = _dataset(
        tmp_path / "nc",
        None,
        {"images/train/a.png": "1 0.5 0.5 0.2 0.2\n"},
        "train: images/train\nval: images/train\nnc: 3\nnames: [a, b]\n",
    )
    assert read_yolo(root).problems == [
        f"{root / 'data.yaml'}: nc: 3 but names has 2 classes (Ultralytics refuses this data.yaml: 'names' "
        "length and 'nc' must match); the names are used"
    ]


@pytest.mark.parametrize(
    "splits",
    [
        "path: .\ntrain: [images/t1, images/t2]\nval: val.txt\n",  # a list of folders; a .txt listing
        "train:\n  - images/t1\n  - images/t2\nval: [val.txt]\n",  # no path: the YAML's folder
        "path: {root}\ntrain: [images/t1, images/t2]\nval: val.txt\n",  # an absolute path
    ],
)
def test_train_as_a_list_of_folders_and_val_as_a_listing(splits: str, tmp_path: Path) -> None:
    root = tmp_path / "ds"
    yaml_text = splits.format(root=root) + "names: {0: a, 1: b}\n"
    labels = {"images/t1/a.png": "0 0.5 0.5 0.2 0.2\n", "images/t2/b.png": "1 0.5 0.5 0.2 0.2\n"}
    _dataset(root, None, labels | {"images/v/c.png": "1 0.5 0.5 0.2 0.2\n"}, yaml_text)
    (root / "val.txt").write_text("./images/v/c.png\n")
    result = read_yolo(root)
    assert result.problems == []
    splits_read = {im.file_name: im.extra["pixelproof"]["split"] for im in result.project.images.values()}
    assert splits_read == {"images/t1/a.png": "train", "images/t2/b.png": "train", "images/v/c.png": "val"}
    write_yolo(result.project, tmp_path / "out")  # the folders are kept under images/<split>/
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.png")) == [
        "images/train/t1/a.png",
        "images/train/t2/b.png",
        "images/val/v/c.png",
    ]


def test_coco8_seg_polygons_come_back_in_a_segment_export(tmp_path: Path) -> None:
    """coco8-seg.yaml's ``path: ../datasets/coco8-seg`` is not there: its own folder is the root."""
    line = "15 0.1 0.1 0.5 0.1 0.5 0.5 0.1 0.5"
    labels = {"images/val/sub/a.png": line + "\n", "images/val/b.png": ""}
    root = _dataset(tmp_path / "seg", "coco8-seg.yaml", labels)
    result = read_yolo(root)
    (cat,) = result.project.annotations.values()
    assert result.project.categories[cat.category_id].name == "cat" and cat.kind == "polygon"
    assert result.problems == [
        f"{root / 'coco8-seg.yaml'}: train: images/train not found (looked at {root / 'images/train'}, "
        f"{root / 'train/images'})"
    ]
    write_yolo(result.project, tmp_path / "out")
    written = (tmp_path / "out" / "labels" / "val" / "sub" / "a.txt").read_text().split()
    assert [float(v) for v in written] == pytest.approx([float(v) for v in line.split()])
