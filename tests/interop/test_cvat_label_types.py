"""A CVAT label's ``<type>`` (rectangle, polygon, polyline, points, tag, mask, ellipse, any) is read and
written back, so the labels of a project moved back to CVAT keep the tools CVAT offers for them; a label
one of whose shapes no longer fits its type (a polygon painted into a mask in PixelProof) is written
``any``, which CVAT takes every shape of, and named in the export's warnings."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from pixelproof.core import edits
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Project
from pixelproof.interop.cvat import read_cvat, write_cvat

TYPES = {
    "car": "rectangle",
    "road": "polygon",
    "sky": "mask",
    "lane": "polyline",
    "person": "points",
    "weather": "tag",
    "misc": "any",
    "untyped": None,  # CVAT before 2.0 wrote no <type>
}
SHAPES = (
    '<box label="car" occluded="0" source="manual" xtl="1" ytl="1" xbr="8" ybr="6" z_order="0"/>'
    '<polygon label="road" occluded="0" source="manual" points="10,10;30,10;30,20;10,20" z_order="0"/>'
    '<mask label="sky" occluded="0" source="manual" rle="2, 4, 2" left="20" top="2" width="4" height="2"'
    ' z_order="0"/>'
    '<polyline label="lane" occluded="0" source="manual" points="2,30;20,35" z_order="0"/>'
    '<points label="person" occluded="0" source="manual" points="5,5;6,7" z_order="0"/>'
    '<tag label="weather" source="manual"/>'
    '<box label="misc" occluded="0" source="manual" xtl="30" ytl="30" xbr="35" ybr="35" z_order="0"/>'
    '<polygon label="misc" occluded="0" source="manual" points="1,30;5,30;5,35" z_order="0"/>'
    '<box label="untyped" occluded="0" source="manual" xtl="2" ytl="2" xbr="4" ybr="4" z_order="0"/>'
)


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    Image.new("RGB", (40, 40)).save(src / "a.png")
    labels = "".join(
        f"<label><name>{n}</name>{f'<type>{t}</type>' if t else ''}<attributes/></label>"
        for n, t in TYPES.items()
    )
    (src / "annotations.xml").write_text(
        f"<annotations><version>1.1</version><meta><task><labels>{labels}</labels></task></meta>"
        f'<image id="0" name="a.png" width="40" height="40">{SHAPES}</image></annotations>'
    )
    return src


def _types(xml: Path) -> dict[str, str | None]:
    return {
        label.findtext("name") or "": label.findtext("type")
        for label in ET.parse(xml).getroot().iterfind("meta/task/labels/label")
    }


def _read_saved(src: Path, tmp_path: Path) -> Project:
    """Read, then saved and loaded as the app keeps a project."""
    save_project(read_cvat(src).project, tmp_path / "project.json")
    return load_project(tmp_path / "project.json")


def test_label_types_round_trip(tmp_path: Path) -> None:
    project = _read_saved(_source(tmp_path), tmp_path)
    warnings = write_cvat(project, tmp_path / "out")
    assert not [w for w in warnings if "type" in w], warnings
    assert _types(tmp_path / "out" / "annotations.xml") == TYPES
    again = read_cvat(tmp_path / "out").project  # and read back, written again: the same
    write_cvat(again, tmp_path / "again")
    assert _types(tmp_path / "again" / "annotations.xml") == TYPES


def test_a_polygon_label_whose_object_became_a_mask_is_written_any_and_said(tmp_path: Path) -> None:
    project = _read_saved(_source(tmp_path), tmp_path)
    road = next(a for a in project.annotations.values() if project.categories[a.category_id].name == "road")
    edit = edits.to_mask(project, [road.id])
    assert edit is not None
    edit.apply(project)
    warnings = write_cvat(project, tmp_path / "out")
    assert _types(tmp_path / "out" / "annotations.xml") == {**TYPES, "road": "any"}
    said = [w for w in warnings if "type" in w]
    assert len(said) == 1 and "'road' (polygon; now mask too)" in said[0], warnings
    assert "car" not in said[0]
    back = read_cvat(tmp_path / "out").project
    assert [a.kind for a in back.annotations.values() if back.categories[a.category_id].name == "road"] == [
        "mask"
    ]


def test_a_rectangle_label_given_keypoints_in_the_app_goes_back_as_a_skeleton(tmp_path: Path) -> None:
    """Its kept type is no skeleton label's: the category's COCO keypoints still make it one."""
    project = _read_saved(_source(tmp_path), tmp_path)
    car = project.category_by_name("car")
    assert car is not None and car.extra["cvat"]["type"] == "rectangle"
    car.extra["keypoints"] = ["front", "back"]
    box = next(a for a in project.annotations.values() if a.category_id == car.id)
    box.extra.update(keypoints=[2.0, 2.0, 2, 7.0, 5.0, 2], num_keypoints=2)
    write_cvat(project, tmp_path / "out")
    assert _types(tmp_path / "out" / "annotations.xml")["car"] == "skeleton"
    assert "<skeleton " in (tmp_path / "out" / "annotations.xml").read_text()


def test_a_hand_edited_type_that_is_no_name_is_not_written(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A project edited by hand holding a list or an object as a label's CVAT type: convert wrote nothing
    (TypeError: unhashable type), now the label goes without a type, as one CVAT gave none."""
    from pixelproof.cli import main

    project = _read_saved(_source(tmp_path), tmp_path)
    project.category_by_name("car").extra["cvat"]["type"] = ["rectangle"]
    project.category_by_name("road").extra["cvat"]["type"] = {"polygon": 1}
    save_project(project)
    assert main(["convert", str(project.path), str(tmp_path / "out"), "--to", "cvat"]) == 0
    types = _types(tmp_path / "out" / "annotations.xml")
    assert types["car"] is None and types["road"] is None
    assert types["sky"] == "mask"  # the others as read
