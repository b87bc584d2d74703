"""CVAT for images 1.1 read, written and read again: what a team moving a CVAT project to PixelProof and
back must find as it was (subsets, image names, each shape's own attributes)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.interop import read_coco, write_coco
from pixelproof.interop._util import Builder
from pixelproof.interop.cvat import read_cvat, write_cvat
from pixelproof.interop.masks_folder import write_masks

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_images"


def _images(xml: Path) -> list[dict[str, str]]:
    return [dict(el.attrib) for el in ET.parse(xml).getroot().iter("image")]


def test_a_project_exports_subsets_and_image_names_come_back(tmp_path: Path) -> None:
    """Datumaro's project export: img0.jpg and img1.jpg in each of Train/Test/Validation. The export
    dropped ``subset`` and renamed the images ``img0_1.jpg``... in one ``images/``: CVAT then put every
    image in one subset, and an upload to the original task matched no frame by name. Each image's
    ``task_id`` (which task of the project it is in) was read but not written back."""
    source = read_cvat(DATA / "export_project").project
    write_cvat(source, tmp_path / "out", images="copy")
    written = _images(tmp_path / "out" / "annotations.xml")
    original = _images(DATA / "export_project" / "annotations.xml")
    assert [(im["name"], im.get("subset"), im.get("task_id")) for im in written] == [
        (im["name"], im["subset"], im["task_id"]) for im in original
    ]
    for im in written:  # CVAT's project layout, which our reader and Datumaro's look in
        assert (tmp_path / "out" / "images" / im["subset"] / im["name"]).is_file()
    back = read_cvat(tmp_path / "out").project
    assert [im.extra["pixelproof"]["cvat"]["subset"] for im in back.images.values()] == [
        im["subset"] for im in original
    ]
    assert [(im.width, im.height) for im in back.images.values()] == [
        (im.width, im.height) for im in source.images.values()
    ]


def test_a_subset_that_is_no_folder_name_never_leaves_the_images_folder(tmp_path: Path) -> None:
    """A subset is a folder of the export: one naming a path (``../x``, ``/tmp``) stays an attribute
    and the image goes to ``images/`` as before."""
    (tmp_path / "src").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "src" / "a.png")
    images = "".join(
        f'<image id="{k}" name="a.png" subset="{s}" width="4" height="4"/>'
        for k, s in enumerate(["../up", "/abs", "..", "ok"])
    )
    (tmp_path / "src" / "annotations.xml").write_text(
        f"<annotations><version>1.1</version>{images}</annotations>", encoding="utf-8"
    )
    project = read_cvat(tmp_path / "src").project
    write_cvat(project, tmp_path / "out" / "x", images="copy")
    written = _images(tmp_path / "out" / "x" / "annotations.xml")
    assert [im.get("subset") for im in written] == ["../up", "/abs", "..", "ok"]
    files = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.png"))
    assert all(p.parts[:2] == ("x", "images") for p in files)
    assert Path("x/images/ok/a.png") in files
    assert not (tmp_path / "up").exists() and not (tmp_path / "out" / "up").exists()


def test_grouped_polygons_keep_their_own_attributes(tmp_path: Path) -> None:
    """Polygons of one label and group are joined into one object; a part whose occluded flag,
    z_order or attributes differ from the first lost them (written back with the first's values)."""
    (tmp_path / "src").mkdir()
    shapes = (
        '<polygon label="person" occluded="0" z_order="0" group_id="7" points="1,1;5,1;5,5">'
        '<attribute name="pose">standing</attribute></polygon>'
        '<polygon label="person" occluded="1" z_order="3" group_id="7" points="7,1;9,1;9,5">'
        '<attribute name="pose">sitting</attribute></polygon>'
        '<polygon label="person" occluded="0" z_order="0" group_id="7" points="1,7;5,7;5,9">'
        '<attribute name="pose">standing</attribute></polygon>'
    )
    (tmp_path / "src" / "annotations.xml").write_text(
        f'<annotations><version>1.1</version><image id="0" name="a.png" width="10" height="10">{shapes}'
        "</image></annotations>",
        encoding="utf-8",
    )
    project = read_cvat(tmp_path / "src").project
    found = sorted(
        (
            a.app_extra["occluded"],
            a.app_extra["z_order"],
            a.app_extra["attributes"]["pose"],
            len(a.segmentation),
        )
        for a in project.annotations.values()
    )
    assert found == [(0, 0, "standing", 2), (1, 3, "sitting", 1)]
    write_cvat(project, tmp_path / "out", images="keep")
    shapes_back = [
        (el.get("occluded"), el.get("z_order"), el.find("attribute").text, el.get("group_id"))
        for el in ET.parse(tmp_path / "out" / "annotations.xml").getroot().iter("polygon")
    ]
    assert sorted(shapes_back) == sorted(
        [("0", "0", "standing", "7"), ("0", "0", "standing", "7"), ("1", "3", "sitting", "7")]
    )


def test_masks_are_painted_in_cvats_z_order(tmp_path: Path) -> None:
    """CVAT draws a higher ``z_order`` on top, whatever the shapes' order in the file (CVAT writes them
    in the order they were made): a car drawn first (z 1) and the road after it sent to the back (z 0).
    PixelProof paints in annotation order, so the road covered the car in every mask export."""
    (tmp_path / "src").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "src" / "a.png")
    shapes = (
        '<box label="car" z_order="1" xtl="2" ytl="2" xbr="5" ybr="5"/>'
        '<polygon label="road" z_order="0" points="0,0;10,0;10,10;0,10"/>'
        '<box label="sign" z_order="1" xtl="7" ytl="7" xbr="9" ybr="9"/>'
    )
    (tmp_path / "src" / "annotations.xml").write_text(
        f'<annotations><version>1.1</version><image id="0" name="a.png" width="10" height="10">{shapes}'
        "</image></annotations>",
        encoding="utf-8",
    )
    project = read_cvat(tmp_path / "src").project
    write_masks(project, tmp_path / "masks", mode="semantic", images="keep")
    names = (tmp_path / "masks" / "classes.txt").read_text(encoding="utf-8").splitlines()
    ids = np.asarray(Image.open(tmp_path / "masks" / "masks" / "a.png"))
    assert names[ids[3, 3]] == "car" and names[ids[8, 8]] == "sign" and names[ids[0, 9]] == "road"
    write_cvat(project, tmp_path / "out", images="keep")  # written back with each shape's z_order
    back = {
        el.get("label"): el.get("z_order")
        for el in ET.parse(tmp_path / "out" / "annotations.xml").getroot().iter()
        if el.get("label")
    }
    assert back == {"car": "1", "road": "0", "sign": "1"}


def test_an_object_made_in_pixelproof_stays_on_top_in_cvat(tmp_path: Path) -> None:
    """PixelProof draws a new object over the ones before it; exported with z_order 0, CVAT drew it under
    an imported road of z_order 1. It now takes the highest z_order of the objects before it."""
    (tmp_path / "src").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "src" / "a.png")
    (tmp_path / "src" / "annotations.xml").write_text(
        '<annotations><version>1.1</version><image id="0" name="a.png" width="10" height="10">'
        '<polygon label="road" z_order="1" points="0,0;10,0;10,10;0,10"/>'
        '<box label="car" z_order="-3" xtl="2" ytl="2" xbr="5" ybr="5"/></image></annotations>',
        encoding="utf-8",
    )
    project = read_cvat(tmp_path / "src").project
    (image,) = project.images.values()
    Builder(project).annotation(image, project.category_by_name("car").id, bbox=[6.0, 6.0, 2.0, 2.0])
    write_cvat(project, tmp_path / "out", images="keep")
    z = [
        (el.get("label"), el.get("z_order"), el.get("xtl"))
        for el in ET.parse(tmp_path / "out" / "annotations.xml").getroot().iter()
        if el.get("label")
    ]
    assert z == [("car", "-3", "2.00"), ("road", "1", None), ("car", "1", "6.00")]
    back = read_cvat(tmp_path / "out").project
    assert [a.bbox[0] for a in back.annotations.values()] == [2.0, 0.0, 6.0]


def _declared(xml: Path) -> dict[str, list[dict[str, str]]]:
    labels = ET.parse(xml).getroot().iterfind("meta/*/labels/label")
    return {
        label.findtext("name", ""): [
            {child.tag: child.text or "" for child in attr} for attr in label.iterfind("attributes/attribute")
        ]
        for label in labels
    }


def test_declared_attributes_keep_their_type_values_and_default(tmp_path: Path) -> None:
    """Datumaro's task export declares a checkbox, a radio, a text and a number attribute with their
    values and defaults. Through a project file and back, each was written as a text attribute with no
    values or default (only those some object had), so CVAT and Datumaro read other types."""
    source = DATA / "export_task" / "train.xml"
    write_coco(read_cvat(source).project, tmp_path / "project.json", images="keep")
    write_cvat(read_coco(tmp_path / "project.json").project, tmp_path / "out", images="keep")
    # and the label its unlabeled polygon went to (a CVAT label, so CVAT takes the file back)
    assert _declared(tmp_path / "out" / "annotations.xml") == {**_declared(source), "Unclassified": []}


def _shape_attributes(xml: Path) -> list[dict[str, str]]:
    return [
        {a.get("name", ""): a.text or "" for a in box.iter("attribute")}
        for box in ET.parse(xml).getroot().iter("box")
    ]


def test_an_object_without_values_is_written_with_its_labels_defaults(tmp_path: Path) -> None:
    """CVAT gives a new object its label's defaults and writes every attribute of every object: an
    object drawn in PixelProof (holding none) was written with no <attribute>, so Datumaro read it without
    them. Now each declared attribute is written, the object's value or the default, in the declared
    order, then the undeclared ones it holds; what it holds is unchanged."""
    source = DATA / "export_task" / "train.xml"
    project = read_cvat(source).project
    label1 = project.category_by_name("label1")
    image = next(iter(project.images.values()))
    build = Builder(project)
    drawn = build.annotation(image, label1.id, bbox=[5.0, 5.0, 2.0, 2.0])
    held = build.annotation(image, label1.id, bbox=[1.0, 1.0, 2.0, 2.0])
    held.app_extra["attributes"] = {"kept": "k", "a2": "v2", "a1": "true"}
    write_cvat(project, tmp_path / "out", images="keep")
    written = _shape_attributes(tmp_path / "out" / "annotations.xml")
    assert written[0] == {"a1": "true", "a2": "v3", "a3": "0003", "a4": "2.4"}  # as read
    assert list(written[1].items()) == [("a1", "false"), ("a2", "v1"), ("a3", "0000"), ("a4", "0")]
    assert list(written[2].items()) == [
        ("a1", "true"),
        ("a2", "v2"),
        ("a3", "0000"),
        ("a4", "0"),
        ("kept", "k"),
    ]
    assert "attributes" not in drawn.app_extra
    back = read_cvat(tmp_path / "out").project
    assert [a.app_extra["attributes"] for a in back.annotations.values() if a.kind == "box"] == written
