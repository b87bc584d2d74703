"""LabelMe's own examples (tests/data/labelme, GPL-3.0): the tutorial JSON that names itself as its image,
and ``__ignore__`` regions compared with what LabelMe's ``labelme2voc.py`` wrote from the same JSON."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.interop.formats import FORMATS
from pixelproof.interop.labelme import read_labelme
from pixelproof.interop.labelme_writer import write_labelme

DATA = Path(__file__).resolve().parents[1] / "data" / "labelme"
TUTORIAL = DATA / "tutorial" / "apc2016_obj3.json"
SEMANTIC = DATA / "semantic_segmentation"
KERNEL = np.ones((3, 3), np.uint8)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else float(np.count_nonzero(a & b) / union)


def test_tutorial_json_naming_itself_uses_its_embedded_image(tmp_path: Path) -> None:
    result = read_labelme(TUTORIAL)
    (image,) = result.project.images.values()
    assert image.file_name == "apc2016_obj3.jpg"  # named after the JSON, suffix from the JPEG bytes
    assert (image.width, image.height) == (1210, 907)
    assert any("imagePath apc2016_obj3.json is not an image file" in p for p in result.problems)
    assert any("embedded imageData was not extracted" in p for p in result.problems)
    # the objects match LabelMe's own export_json.py output (label.png, value = line of label_names.txt)
    names = (TUTORIAL.parent / "apc2016_obj3" / "label_names.txt").read_text().split()
    label = np.asarray(Image.open(TUTORIAL.parent / "apc2016_obj3" / "label.png"))
    project = result.project
    assert sorted(c.name for c in project.categories.values()) == sorted(names[1:])
    painted = np.zeros(label.shape, np.uint8)  # shapes painted in file order, as LabelMe paints them
    for a in sorted(project.annotations.values(), key=lambda a: a.id):
        painted[a.mask(907, 1210)] = names.index(project.categories[a.category_id].name)
    for value in range(1, len(names)):
        assert _iou(painted == value, label == value) > 0.99, names[value]


def test_extract_images_writes_the_tutorial_jpeg(tmp_path: Path, capsys) -> None:
    embedded = base64.b64decode(json.loads(TUTORIAL.read_bytes())["imageData"])
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(TUTORIAL, folder)
    (folder / "apc2016_obj3.jpg").write_bytes(b"another file beside the JSON")  # the embedded one wins
    out, images = tmp_path / "p.json", tmp_path / "images"
    args = [
        "convert",
        str(folder),
        str(out),
        "--from",
        "labelme",
        "--to",
        "coco",
        "--extract-images",
        str(images),
    ]
    assert main(args) == 0
    assert (images / "apc2016_obj3.jpg").read_bytes() == embedded
    doc = json.loads(out.read_text())
    (image,) = doc["images"]
    assert (out.parent / image["file_name"]).resolve() == (images / "apc2016_obj3.jpg").resolve()
    assert len(doc["annotations"]) == 4


def test_ignore_regions_are_void_as_in_labelme2voc(tmp_path: Path) -> None:
    """``__ignore__`` shapes become a void category: out of object counts, 255 in masks as LabelMe's
    labelme2voc writes them; the other classes match its SegmentationClass PNGs."""
    result = read_labelme(SEMANTIC / "data_annotated")
    project = result.project
    ignore = project.category_by_name("__ignore__")
    assert ignore is not None and ignore.void
    image_003 = next(im for im in project.images.values() if im.file_name.endswith("2011_000003.jpg"))
    assert project.annotation_count(image_003.id) == 5 and project.object_count(image_003.id) == 4
    out = tmp_path / "m"
    assert (
        main(
            [
                "convert",
                str(SEMANTIC / "data_annotated"),
                str(tmp_path / "p.json"),
                "--from",
                "labelme",
                "--to",
                "coco",
            ]
        )
        == 0
    )
    assert main(["convert", str(tmp_path / "p.json"), str(out), "--from", "coco", "--to", "masks"]) == 0
    labelme_names = (SEMANTIC / "data_dataset_voc" / "class_names.txt").read_text().split("\n")
    assert "__ignore__" not in (out / "classes.txt").read_text().split("\n")
    compared = 0
    for ref_png in sorted((SEMANTIC / "data_dataset_voc" / "SegmentationClass").glob("*.png")):
        ref = np.asarray(Image.open(ref_png))
        ours = _class_raster(out, ref_png.stem)
        # LabelMe fills polygons with PIL (outline pixels in), PixelProof as pycocotools (pixel centres
        # in): they differ in a 1-px band along the reference's region edges (the image's edge included),
        # and in 1-px cracks where two polygons of one class meet (PIL's outlines close them)
        padded = np.pad(ref, 1)
        band = (cv2.dilate(padded, KERNEL) != cv2.erode(padded, KERNEL))[1:-1, 1:-1]
        theirs = np.array(["", *labelme_names[1:]], dtype=object)[np.where(ref == 255, 0, ref)]
        theirs[ref == 255] = "void"
        assert np.count_nonzero((ours != theirs) & ~band) < ref.size / 2000, ref_png.stem
        for name in {*theirs[ref > 0].tolist()}:
            assert _iou((ours == name) & ~band, (theirs == name) & ~band) > 0.99, (ref_png.stem, name)
            compared += 1
        compared_void = (ref == 255).any()
        assert not compared_void or _iou(ours == "void", theirs == "void") > 0.95
    assert (
        compared == 9
    )  # 2011_000003: person, bottle, void; _000006: person, chair, sofa, void; _000025: bus, car


def _class_raster(out: Path, stem: str) -> np.ndarray:
    """Class name per pixel of PixelProof's mask export (instance PNG + instances.json)."""
    ids = np.asarray(Image.open(out / "masks" / f"{stem}.png"))
    instances = json.loads((out / "instances.json").read_text())
    per_file = instances.get(f"{stem}.png") or instances.get(stem)
    raster = np.full(ids.shape, "", dtype=object)
    raster[ids == 255] = "void"
    for instance, class_id in per_file.items():  # instance -> class name
        raster[ids == int(instance)] = class_id
    return raster


def test_void_category_round_trips_through_labelme(tmp_path: Path) -> None:
    """``__ignore__`` stays void by its name; any other void category by a flag in the shape's extras."""
    project = read_labelme(SEMANTIC / "data_annotated").project
    project.category_by_name("person").app_extra["void"] = True
    write_labelme(project, tmp_path / "out")
    labels = (tmp_path / "out" / "labels.txt").read_text().split()
    assert labels.count("__ignore__") == 1
    again = read_labelme(tmp_path / "out").project
    assert again.category_by_name("__ignore__").void and again.category_by_name("person").void
    assert not again.category_by_name("bottle").void
    assert not any("void" in a.app_extra for a in again.annotations.values())


def test_qa_against_a_labelme_folder_leaves_ignore_regions_out(tmp_path: Path) -> None:
    """A candidate that labels the ``__ignore__`` regions as persons is not charged for them."""
    ref = tmp_path / "ref"  # one image (2011_000003: 4 objects, 1 __ignore__ region) keeps it quick
    ref.mkdir()
    shutil.copy(SEMANTIC / "data_annotated" / "2011_000003.json", ref)
    cand = tmp_path / "cand.json"
    assert main(["convert", str(ref), str(cand), "--from", "labelme", "--to", "coco"]) == 0
    doc = json.loads(cand.read_text())
    names = {c["id"]: c["name"] for c in doc["categories"]}
    person = next(cid for cid, name in names.items() if name == "person")
    for a in doc["annotations"]:
        if names[a["category_id"]] == "__ignore__":
            a["category_id"] = person
    doc["categories"] = [c for c in doc["categories"] if c["name"] != "__ignore__"]
    cand.write_text(json.dumps(doc))
    report = tmp_path / "r.json"
    assert main(["qa", str(ref), str(cand), "--ref-format", "labelme", "--json", str(report)]) == 0
    scores = json.loads(report.read_text())
    assert scores["summary"]["fp_px"] == 0
    assert all(r["dice"] == 1.0 for r in scores["per_image"] if r["dice"] is not None)
    assert {r["status"] for r in scores["per_object"]} == {"match"}


WRITABLE = [
    "coco",
    "coco-panoptic",
    "labelme",
    "yolo",
    "voc",
    "cityscapes",
    "kitti",
    "openimages",
    "cvat",
    "mvtec",
    "masks",
]


@pytest.mark.parametrize("name", WRITABLE)  # nifti and dicom-seg need volumes: tests/cli/test_medical_cli.py
def test_void_regions_after_a_round_trip_are_as_readme_says(name: str, tmp_path: Path) -> None:
    """``__ignore__`` regions written to each format and read back: void still, unless the format's "lost
    on export" cell (README, the declaration) lists void regions or the void flag."""
    project = read_labelme(SEMANTIC / "data_annotated" / "2011_000003.json").project
    fmt = FORMATS[name]
    out = tmp_path / ("p.json" if fmt.output_is_file else name)
    fmt.write(project, out)
    again = fmt.read(out).project
    voids = sum(again.is_void(a) for a in again.annotations.values())
    lost = "void regions" in fmt.lost_on_export or "void flag" in fmt.lost_on_export
    assert voids == (0 if lost else 1), fmt.lost_on_export
