"""Where objects overlap, the exports follow the stacking (the image's order, Bring to Front / Send to
Back): the object in front keeps the shared pixels in the PNG masks and in COCO panoptic, and a CVAT file's
``z_order`` comes back as the stacking and goes out with it, so a round trip through PixelProof keeps it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core import edits
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.coco_panoptic import write_coco_panoptic
from pixelproof.interop.cvat import read_cvat, write_cvat
from pixelproof.interop.masks_folder import write_masks


def two_boxes(tmp_path: Path) -> Project:
    """Box 1 (cat) and box 2 (dog) overlap on columns 4-5; box 1 is brought to the front."""
    Image.new("RGB", (10, 4)).save(tmp_path / "a.png")
    p = Project(path=tmp_path / "p.json")
    p.add_image(ImageRecord(1, "a.png", 10, 4))
    p.add_category(Category(1, "cat"))
    p.add_category(Category(2, "dog"))
    p.add_annotation(Annotation(1, 1, 1, [0.0, 0.0, 6.0, 4.0], None, 24.0))
    p.add_annotation(Annotation(2, 1, 2, [4.0, 0.0, 6.0, 4.0], None, 24.0))
    edit = edits.restack(p, [1], front=True)
    assert edit is not None
    edit.apply(p)
    return p


def test_the_object_in_front_keeps_the_shared_pixels_of_a_mask_png(tmp_path: Path) -> None:
    p = two_boxes(tmp_path)
    write_masks(p, tmp_path / "sem", mode="semantic", images="keep")
    sem = np.asarray(Image.open(tmp_path / "sem" / "masks" / "a.png"))
    assert sem[0].tolist() == [1, 1, 1, 1, 1, 1, 2, 2, 2, 2]  # cat (front) over dog on 4-5
    write_masks(p, tmp_path / "ins", mode="instance", images="keep")
    ins = np.asarray(Image.open(tmp_path / "ins" / "masks" / "a.png"))
    assert ins[0].tolist() == [1, 1, 1, 1, 1, 1, 2, 2, 2, 2]  # numbered by id, painted by stacking


def test_the_object_in_front_keeps_the_shared_pixels_of_a_panoptic_png(tmp_path: Path) -> None:
    p = two_boxes(tmp_path)
    write_coco_panoptic(p, tmp_path / "out", images="keep")
    doc = json.loads((tmp_path / "out" / "annotations" / "panoptic_default.json").read_text())
    (ann,) = doc["annotations"]
    by_cat = {s["category_id"]: s for s in ann["segments_info"]}
    assert by_cat[1]["area"] == 24 and by_cat[2]["area"] == 16  # cat in front keeps columns 4-5


CVAT = """<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version>
<image id="0" name="a.png" width="10" height="4">
<box label="cat" occluded="0" xtl="0" ytl="0" xbr="6" ybr="4" z_order="3"/>
<box label="dog" occluded="0" xtl="4" ytl="0" xbr="10" ybr="4" z_order="1"/>
<box label="cow" occluded="0" xtl="2" ytl="0" xbr="8" ybr="4" z_order="2"/>
</image></annotations>"""


def _shapes(xml: Path) -> list[tuple[str, int]]:
    return [(el.get("label", ""), int(el.get("z_order", "0"))) for el in ET.parse(xml).getroot().iter("box")]


def test_a_cvat_round_trip_keeps_the_stacking_z_order_in_another_order_than_the_file(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    Image.new("RGB", (10, 4)).save(tmp_path / "src" / "a.png")
    (tmp_path / "src" / "annotations.xml").write_text(CVAT, encoding="utf-8")
    project = read_cvat(tmp_path / "src").project
    names = {c.id: c.name for c in project.categories.values()}
    (image_id,) = project.images
    assert [names[a.category_id] for a in project.annotations_of(image_id)] == ["dog", "cow", "cat"]
    write_cvat(project, tmp_path / "out", images="keep")
    assert _shapes(tmp_path / "out" / "annotations.xml") == [("dog", 1), ("cow", 2), ("cat", 3)]
    back = read_cvat(tmp_path / "out").project
    assert [names[a.category_id] for a in back.annotations_of(next(iter(back.images)))] == [
        "dog",
        "cow",
        "cat",
    ]
    # dog (z_order 1) brought to the front: written over cat (3), the others' values kept
    dog = next(a.id for a in project.annotations_of(image_id) if names[a.category_id] == "dog")
    edit = edits.restack(project, [dog], front=True)
    assert edit is not None
    edit.apply(project)
    write_cvat(project, tmp_path / "again", images="keep")
    assert _shapes(tmp_path / "again" / "annotations.xml") == [("cow", 2), ("cat", 3), ("dog", 4)]
    again = read_cvat(tmp_path / "again").project
    labels = {c.id: c.name for c in again.categories.values()}
    assert [labels[a.category_id] for a in again.annotations_of(next(iter(again.images)))] == [
        "cow",
        "cat",
        "dog",
    ]


def test_a_z_order_cvat_cannot_hold_is_not_written(tmp_path: Path) -> None:
    """CVAT keeps ``z_order`` in a 32-bit integer column: a hand-edited 10**17 (which the reader takes, as
    CVAT's ``int()`` does), or one more than 2**31 - 1 for an object brought over it, made CVAT refuse the
    task's whole import. Such a value counts as none; the top one stays 2**31 - 1, the later drawn on top."""
    (tmp_path / "src").mkdir()
    Image.new("RGB", (10, 4)).save(tmp_path / "src" / "a.png")
    xml = CVAT.replace('z_order="3"', f'z_order="{2**31 - 1}"').replace('z_order="2"', 'z_order="-5"')
    (tmp_path / "src" / "annotations.xml").write_text(
        xml.replace('z_order="1"', f'z_order="{10**17}"'), "utf-8"
    )
    project = read_cvat(tmp_path / "src").project
    names = {c.id: c.name for c in project.categories.values()}
    (image_id,) = project.images
    assert [names[a.category_id] for a in project.annotations_of(image_id)] == ["cow", "cat", "dog"]
    write_cvat(project, tmp_path / "out", images="keep")
    assert _shapes(tmp_path / "out" / "annotations.xml") == [
        ("cow", -5),
        ("cat", 2**31 - 1),
        ("dog", 2**31 - 1),
    ]
    cow = next(a.id for a in project.annotations_of(image_id) if names[a.category_id] == "cow")
    edits.restack(project, [cow], front=True).apply(project)  # type: ignore[union-attr]
    write_cvat(project, tmp_path / "again", images="keep")
    assert _shapes(tmp_path / "again" / "annotations.xml") == [
        ("cat", 2**31 - 1),
        ("dog", 2**31 - 1),
        ("cow", 2**31 - 1),
    ]
    again = read_cvat(tmp_path / "again").project
    labels = {c.id: c.name for c in again.categories.values()}
    assert [labels[a.category_id] for a in again.annotations_of(next(iter(again.images)))] == [
        "cat",
        "dog",
        "cow",
    ]
