"""COCO files from other tools: the standard layout annotations/instances_<split>.json + images/<split>/
(Datumaro's coco_instances sample), and where the reader says it looked when an image is missing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pixelproof.core.imageio import read_image
from pixelproof.core.model import Project
from pixelproof.interop import read_coco, write_coco

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "coco_dataset" / "coco_instances"


def test_standard_layout_finds_the_images(tmp_path: Path) -> None:
    src = DATA / "annotations" / "instances_val.json"
    result = read_coco(src)
    project = result.project
    (image,) = project.images.values()
    assert image.file_name == "../images/val/b.jpg" and project.image_path(image).is_file()
    folder = DATA / "images" / "val"
    assert result.notes == [  # how it was read: information, no problem
        f"{src}: 1 image found in {folder} (the usual COCO layout); their names now lead there"
    ]
    assert result.problems == []
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


def _split_project(root: Path, split: str, color: int, exif: int = 1) -> Project:
    """A project of one image ``<split>/0001.png`` (or ``.jpg`` with an EXIF orientation)."""
    from PIL import Image

    from pixelproof.core.coco import project_from_dict

    name = f"{split}/0001." + ("jpg" if exif != 1 else "png")
    (root / split).mkdir(parents=True, exist_ok=True)
    tag = Image.Exif()
    tag[0x0112] = exif
    Image.fromarray(np.full((20, 30, 3), color, np.uint8)).save(root / name, exif=tag)
    doc = {
        "images": [{"id": 1, "file_name": name, "width": 30, "height": 20}],
        "categories": [{"id": 1, "name": "x"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4]}],
    }
    project = project_from_dict(doc)
    project.path = root / f"{split}.json"
    return project


@pytest.mark.parametrize("mode", ["copy", "link"])
@pytest.mark.parametrize("exif", [1, 6])
def test_exports_sharing_an_images_folder_keep_each_picture(tmp_path: Path, mode: str, exif: int) -> None:
    """COCO's layout puts instances_train.json and instances_val.json in one folder, so their exports
    share ``images/``: val's ``0001`` replaced train's, and instances_train.json then named val's
    picture. Another picture there gets a free name; an export run again reuses its own file."""
    src = tmp_path / "src"
    train, val = _split_project(src, "train", 10, exif), _split_project(src, "val", 200, exif)
    out = tmp_path / "out" / "annotations"
    suffix = ".jpg" if exif != 1 else ".png"
    for _ in range(2):  # the second run finds its own files
        assert not any(
            "named apart" in w for w in write_coco(train, out / "instances_train.json", images=mode)
        )
        warnings = write_coco(val, out / "instances_val.json", images=mode)
        assert [w[-27:] for w in warnings if "named apart" in w] == [f"e.g. 0001{suffix} -> 0001_2{suffix}"]
    for split, color in (("train", 10), ("val", 200)):
        doc = json.loads((out / f"instances_{split}.json").read_text())
        placed = out / doc["images"][0]["file_name"]
        assert abs(int(read_image(placed).mean()) - color) <= 2, (split, placed)
    assert len(list((out / "images").iterdir())) == 2


def test_a_coco_panoptic_file_is_named_as_such_not_taken_for_broken_instances(tmp_path: Path) -> None:
    """A COCO panoptic JSON (annotations with ``segments_info``, pixels in PNGs) is no instances file: it
    was read as one, each annotation reported as three errors (no id, no category_id, no bbox) and the
    images imported empty, as if they held no objects."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [
            {
                "image_id": 1,
                "file_name": "a.png",
                "segments_info": [{"id": 1, "category_id": 1, "iscrowd": 0}],
            }
        ],
        "categories": [{"id": 1, "name": "person", "isthing": 1}],
    }
    src = tmp_path / "panoptic_val2017.json"
    src.write_text(json.dumps(doc))
    result = read_coco(src)
    assert result.project.images == {} and result.project.annotations == {}
    (problem,) = result.problems
    assert problem.startswith(f"{src}: annotations[0]: a COCO panoptic annotation (segments_info, ")
    assert result.skipped == {"files": 1}


def test_slices_of_a_volume_are_found_where_their_volume_is(tmp_path: Path) -> None:
    """A project holding a NIfTI volume's slices (``ct.nii.gz#z=001``) read as COCO (``convert --from
    coco``, File > Import) said every slice's file was "not found": the name with its ``#z=`` was looked
    up as a file. The volume beside the JSON is found; one in the COCO layout's images/ folder too."""
    nib = pytest.importorskip("nibabel")
    from pixelproof.core.coco import save_project
    from pixelproof.core.image_folder import project_from_folder

    data = tmp_path / "data"
    data.mkdir()
    nib.save(nib.Nifti1Image(np.zeros((6, 5, 3), np.uint8), np.eye(4)), data / "ct.nii.gz")
    save_project(project_from_folder(data, data / "p.json"), data / "p.json")
    result = read_coco(data / "p.json")
    assert result.problems == []
    assert sorted(im.file_name for im in result.project.images.values())[1] == "ct.nii.gz#z=001"
    layout = tmp_path / "coco"  # the same file in COCO's layout: annotations/ + images/
    (layout / "annotations").mkdir(parents=True)
    (layout / "images").mkdir()
    shutil.copy(data / "ct.nii.gz", layout / "images" / "ct.nii.gz")
    shutil.copy(data / "p.json", layout / "annotations" / "instances_val.json")
    result = read_coco(layout / "annotations" / "instances_val.json")
    names = sorted(im.file_name for im in result.project.images.values())
    assert names == ["../images/ct.nii.gz#z=000", "../images/ct.nii.gz#z=001", "../images/ct.nii.gz#z=002"]
    image = result.project.images[2]
    assert read_image(result.project.image_path(image)).shape[:2] == (5, 6)
