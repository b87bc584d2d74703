"""Flat file names of exported images (``unique_stems``): images sharing a base name (MVTec AD's ``000.png``
in every defect folder) are named by the folders that tell them apart, the same whatever the image order,
still unique ignoring case, and safe on Windows; other names stay as they were."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import project_from_dict
from pixelproof.core.model import ImageRecord, Project
from pixelproof.interop.coco_io import read_coco, write_coco
from pixelproof.interop.masks_folder import read_masks, write_masks
from pixelproof.interop.stems import unique_stems
from pixelproof.interop.yolo import read_yolo, write_yolo

DEFECTS = (("dent", 10), ("scratch", 20), ("good", 30))  # defect folder, grey level of its 000.png


def _mvtec_like(folder: Path) -> Project:
    """``plate/test/{dent,scratch,good}/000.png``, each its own grey, a polygon on the two defects."""
    images, anns = [], []
    for i, (defect, grey) in enumerate(DEFECTS, 1):
        path = folder / "plate" / "test" / defect / "000.png"
        path.parent.mkdir(parents=True)
        Image.fromarray(np.full((6, 8, 3), grey, np.uint8)).save(path)
        images.append({"id": i, "file_name": f"plate/test/{defect}/000.png", "width": 8, "height": 6})
        if defect != "good":
            poly = [1, 1, 3 + i, 1, 3 + i, 4, 1, 4]
            anns.append(
                dict(id=i, image_id=i, category_id=i, bbox=[1, 1, 2 + i, 3], area=1, segmentation=[poly])
            )
    cats = [{"id": 1, "name": "dent"}, {"id": 2, "name": "scratch"}]
    project = project_from_dict({"images": images, "categories": cats, "annotations": anns})
    project.path = folder / "project.json"
    return project


def _read_back(project: Project) -> dict[str, tuple[int, list[str]]]:
    """Base file name -> (grey level of the picture, category names of its objects)."""
    out = {}
    for image in project.images.values():
        grey = int(np.asarray(Image.open(project.image_path(image)))[0, 0, 0])
        names = [project.categories[a.category_id].name for a in project.annotations_of(image.id)]
        out[Path(image.file_name).name] = (grey, sorted(names))
    return out


WANT = {"dent_000.png": (10, ["dent"]), "scratch_000.png": (20, ["scratch"]), "good_000.png": (30, [])}


def test_mvtec_like_images_exported_to_yolo_keep_their_defect_folders_and_read_back_paired(
    tmp_path: Path,
) -> None:
    """YOLO keeps the folders below the ones all images share (plate/test/) under images/<split>/
    (Ultralytics pairs labels by path), so the three 000.png stay apart by folder, not by a made name."""
    write_yolo(_mvtec_like(tmp_path / "in"), tmp_path / "yolo", images="copy")
    train = tmp_path / "yolo" / "images" / "train"
    assert {p.relative_to(train).as_posix() for p in train.rglob("*.png")} == {
        f"{d}/000.png" for d in ("dent", "scratch", "good")
    }
    labels = tmp_path / "yolo" / "labels" / "train"
    assert {p.relative_to(labels).as_posix() for p in labels.rglob("*.txt")} == {
        f"{d}/000.txt" for d in ("dent", "scratch", "good")
    }
    back = read_yolo(tmp_path / "yolo").project
    got = {}
    for image in back.images.values():  # WANT's keys are the flat names other exports make
        grey = int(np.asarray(Image.open(back.image_path(image)))[0, 0, 0])
        names = sorted(back.categories[a.category_id].name for a in back.annotations_of(image.id))
        got[image.file_name.replace("images/train/", "").replace("/", "_")] = (grey, names)
    assert got == WANT


def test_mvtec_like_images_exported_to_a_mask_folder_are_named_by_their_defect_and_read_back_paired(
    tmp_path: Path,
) -> None:
    write_masks(_mvtec_like(tmp_path / "in"), tmp_path / "masks", images="copy", mode="semantic")
    assert {p.name for p in (tmp_path / "masks" / "images").iterdir()} == set(WANT)
    assert {p.name for p in (tmp_path / "masks" / "masks").iterdir()} == set(WANT)
    assert _read_back(read_masks(tmp_path / "masks").project) == WANT


def test_mvtec_like_images_copied_with_a_coco_file_are_named_by_their_defect(tmp_path: Path) -> None:
    write_coco(_mvtec_like(tmp_path / "in"), tmp_path / "coco" / "instances.json", images="copy")
    names = [
        im["file_name"] for im in json.loads((tmp_path / "coco" / "instances.json").read_text())["images"]
    ]
    assert sorted(names) == ["images/dent_000.png", "images/good_000.png", "images/scratch_000.png"]
    assert _read_back(read_coco(tmp_path / "coco" / "instances.json").project) == WANT


def _stems_by_name(names: list[str], first_id: int = 1) -> dict[str, str]:
    project = Project()
    for i, name in enumerate(names, first_id):
        project.add_image(ImageRecord(i, name, 8, 6))
    return {project.images[i].file_name: stem for i, stem in unique_stems(project).items()}


def test_only_the_deepest_folders_that_tell_images_apart_are_used_and_other_names_stay() -> None:
    stems = _stems_by_name(
        [
            "plate/test/dent/000.png",
            "plate/test/good/000.png",
            "plate/train/good/000.png",
            "screw/test/scratch/000.png",
            "000.png",  # in no folder: none of the others is there
            "plate/test/dent/001.png",  # shares its name with no other image: kept as it was
            "photos/cat.jpg",
        ]
    )
    assert stems == {
        "plate/test/dent/000.png": "dent_000",
        "plate/test/good/000.png": "test_good_000",
        "plate/train/good/000.png": "train_good_000",
        "screw/test/scratch/000.png": "scratch_000",
        "000.png": "000",
        "plate/test/dent/001.png": "001",
        "photos/cat.jpg": "cat",
    }


NAMES = [
    "plate/test/dent/000.png",
    "plate/test/scratch/000.png",
    "plate/test/good/000.png",
    "plate/train/good/000.png",
    "a/dup.png",
    "a/dup.jpg",  # no folder tells these two apart: numbered
    "a/b/x.png",
    "a/b/x.jpg",  # beside an x in another folder: named by their folder and numbered
    "k/Dent/000.png",  # differs from .../dent/ in case only
    "dent_000.png",  # another image's stem is the name dent/000.png would take
    "c/x.png",
]


def test_names_do_not_depend_on_the_order_images_were_added_in_and_stay_unique_ignoring_case() -> None:
    forward = _stems_by_name(NAMES)
    assert forward == _stems_by_name(NAMES[::-1], first_id=50)
    assert forward == _stems_by_name(NAMES[3:] + NAMES[:3], first_id=7)
    assert len({s.casefold() for s in forward.values()}) == len(NAMES)
    assert forward["dent_000.png"] == "dent_000"  # not renamed for the made name
    assert forward["plate/test/scratch/000.png"] == "scratch_000"
    assert {forward["a/dup.jpg"], forward["a/dup.png"]} == {"dup", "dup_2"}
    assert {forward["a/b/x.jpg"], forward["a/b/x.png"]} == {"b_x", "b_x_2"}


def test_the_same_path_twice_is_numbered() -> None:
    project = Project()
    for i in (1, 2):
        project.add_image(ImageRecord(i, "x/dent/000.png", 8, 6))
    project.add_image(ImageRecord(3, "y/scratch/000.png", 8, 6))
    assert unique_stems(project) == {1: "dent_000", 2: "dent_000_2", 3: "scratch_000"}


# what Windows refuses in a file name (or treats as a device), and what hides a file elsewhere
_WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]|[ .]$|^\.')
_DEVICES = {"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10))}


@pytest.mark.parametrize(
    ("folder", "want"),
    [
        ("nul.d", "_nul.d_001"),  # Windows reads NUL.d_001.png as the device NUL
        ("CON", "CON_001"),  # CON_001 is no device name
        ("a:b?", "a_b__001"),
        ("v1. ", "v1_001"),
        (".hidden", "hidden_001"),
        ("..", "__001"),
        ("x\\y", "y_001"),  # a backslash separates folders, as Windows wrote it: y tells it apart
    ],
)
def test_folder_names_made_part_of_a_file_name_are_safe_on_windows(folder: str, want: str) -> None:
    stems = _stems_by_name([f"{folder}/001.png", "other/001.png"])
    made = stems[f"{folder}/001.png"]
    assert made == want
    assert not _WINDOWS_BAD.search(made + ".png") and made.split(".")[0].casefold() not in _DEVICES


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("CON.png", "_CON"),  # Windows opens the console for CON.png, not a file
        ("nul.jpg", "_nul"),
        ("Com1.png", "_Com1"),
        ("lpt9.tif", "_lpt9"),
        ("aux.tar.png", "_aux.tar"),  # AUX.tar.png is the device AUX too
        ("console.png", "console"),  # only the whole name before the first dot counts
        ("com10.png", "com10"),
        ("CON_1.png", "CON_1"),
    ],
)
def test_an_image_named_like_a_windows_device_gets_a_name_windows_can_open(name: str, want: str) -> None:
    made = _stems_by_name([name, "other.png"])[name]
    assert made == want
    assert made.split(".")[0].casefold() not in _DEVICES


def test_a_device_name_made_safe_stays_unique_beside_the_name_it_became() -> None:
    """``_CON.png`` already there: ``CON.png`` cannot take ``_CON`` too; the folder tells them apart."""
    stems = _stems_by_name(["a/CON.png", "b/_CON.png", "c/con.jpg"])
    assert len({s.casefold() for s in stems.values()}) == 3
    assert all(s.split(".")[0].casefold() not in _DEVICES for s in stems.values())


def test_a_yolo_export_of_con_png_writes_files_windows_can_open(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(np.full((6, 8, 3), 40, np.uint8)).save(folder / "CON.png")
    images = [{"id": 1, "file_name": "CON.png", "width": 8, "height": 6}]
    anns = [dict(id=1, image_id=1, category_id=1, bbox=[1, 1, 3, 3], area=9)]
    project = project_from_dict(
        {"images": images, "categories": [{"id": 1, "name": "x"}], "annotations": anns}
    )
    project.path = folder / "project.json"
    write_yolo(project, tmp_path / "yolo", images="copy")
    written = [p.name for p in (tmp_path / "yolo").rglob("*") if p.is_file()]
    assert "_CON.png" in written and "_CON.txt" in written
    assert not [n for n in written if n.split(".")[0].casefold() in _DEVICES]
    assert _read_back(read_yolo(tmp_path / "yolo").project) == {"_CON.png": (40, ["x"])}


def test_many_images_of_one_path_are_numbered_in_turn_beside_names_taken() -> None:
    """The same path many times (one picture on every page of a task) beside a name the numbering would
    land on: each gets the next number free, as without remembering where the last one stopped."""
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord
    from pixelproof.interop.stems import unique_stems

    project = new_project(["x"])
    for n in range(1, 6):
        project.add_image(ImageRecord(n, "pages/p.png", 4, 4))
    project.add_image(ImageRecord(6, "other/p_3.png", 4, 4))
    assert sorted(unique_stems(project).values()) == ["p", "p_2", "p_3", "p_4", "p_5", "p_6"]
