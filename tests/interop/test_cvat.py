"""CVAT for images 1.1: Datumaro's task and project exports, masks as CVAT writes them, round trip."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import project_from_dict
from pixelproof.core.coco_dump import project_to_dict
from pixelproof.core.model import Project
from pixelproof.interop import read_coco, write_coco
from pixelproof.interop._util import Builder
from pixelproof.interop.cvat import mask_crop, read_cvat, write_cvat
from pixelproof.interop.cvat_writer import encode_mask
from pixelproof.interop.formats import detect_format

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_images"


def test_datumaro_project_export() -> None:
    """Three subsets (Train/Test/Validation) of the same two images, found under images/<subset>/."""
    xml = DATA / "export_project" / "annotations.xml"
    assert detect_format(DATA / "export_project").name == "cvat"
    result = read_cvat(DATA / "export_project")
    project = result.project
    assert len(project.images) == 6
    for im in project.images.values():
        assert project.image_path(im).is_file()
        assert im.file_name.startswith(f"images/{im.extra['pixelproof']['cvat']['subset']}/")
    assert [c.name for c in project.categories.values()] == ["label1", "label2"]
    boxes = [a for a in project.annotations.values() if a.kind == "box"]
    polygons = [a for a in project.annotations.values() if a.kind == "polygon"]
    assert len(boxes) == 3 and len(polygons) == 3 and len(project.annotations) == 6
    box = boxes[0]
    assert box.bbox == [0.0, 2.0, 4.0, 2.0]
    assert box.app_extra == {
        "occluded": 1,
        "z_order": 1,
        "attributes": {"a1": "true", "a2": "v3", "a3": "0003", "a4": "2.4"},
    }
    assert polygons[0].segmentation == [[1.0, 2.0, 3.0, 4.0, 6.0, 5.0]]
    # polylines and points are not objects: each reported, kept in the image extras
    assert result.skipped == {"polyline": 3, "points": 3}
    # each subset numbers its images from 0 and has an img0.jpg: the message names the subset's one
    assert [p.split(": <")[0] for p in result.problems[:3]] == [
        f"{xml}: image 0 (Test/img0.jpg)",
        f"{xml}: image 1 (Test/img1.jpg)",
        f"{xml}: image 0 (Train/img0.jpg)",
    ]
    assert (
        f"{xml}: image 0 (Test/img0.jpg): <polyline> 2 (label2): encloses no area; kept in the image extras, "
        "not an object" in result.problems
    )
    first = next(iter(project.images.values()))
    assert first.extra["pixelproof"]["cvat"]["shapes"] == [
        {"tag": "polyline", "attrib": {"label": "label2", "points": "1.0,2;3,4;5,6;7,8"}, "attributes": {}}
    ]


def test_datumaro_task_export_unlabeled_shapes_are_kept_as_unclassified(tmp_path: Path) -> None:
    """Datumaro writes an annotation without a label as ``label=""`` (its unlabeled polygon here): it was
    skipped, so lost on the way back, and the polyline's message read ``<polyline> 2 ()``. It is now an
    object of ``Unclassified`` (the name the GeoJSON reader gives objects without a class), said once
    per file, and comes back from a CVAT export as the same object."""
    xml = DATA / "export_task" / "train.xml"
    result = read_cvat(xml)
    project = result.project
    assert [Path(im.file_name).name for im in project.images.values()] == ["img0.jpg", "img1.jpg"]
    assert all(project.image_path(im).is_file() for im in project.images.values())
    unlabeled = [s for s in ET.parse(xml).getroot().iter("polygon") if s.get("label") == ""]
    assert len(unlabeled) == 1
    points = [float(v) for pair in unlabeled[0].get("points", "").split(";") for v in pair.split(",")]
    by_kind = {a.kind: a for a in project.annotations.values()}
    assert sorted(by_kind) == ["box", "polygon"]
    polygon = by_kind["polygon"]
    assert project.categories[polygon.category_id].name == "Unclassified"
    assert polygon.segmentation == [points] and polygon.app_extra == {"z_order": 1}
    assert (
        f"{xml}: 1 shape with no label imported into the category 'Unclassified': "
        "image 1 (img1.jpg): <polygon> 1" in result.problems
    )
    assert f"{xml}: image 0 (img0.jpg): <polyline> 2 (no label): encloses no area" in "".join(result.problems)
    assert not any("()" in p for p in result.problems)
    assert result.skipped == {"polyline": 1, "points": 1}
    assert write_cvat(project, tmp_path / "cvat") == []
    back = read_cvat(tmp_path / "cvat").project
    (again,) = [a for a in back.annotations.values() if a.kind == "polygon"]
    assert back.categories[again.category_id].name == "Unclassified" and again.segmentation == [points]


def _labels_and_shapes(xml: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The label list of a written ``annotations.xml`` and each shape of its images as (tag, label)."""
    root = ET.parse(xml).getroot()
    names = [label.findtext("name") or "" for label in root.iterfind("meta/task/labels/label")]
    return names, [(s.tag, s.get("label", "")) for image in root.iter("image") for s in image]


def test_shapes_without_a_label_are_written_under_one_listed_label(tmp_path: Path) -> None:
    """Before: a polyline or points with no label was written back with ``label=""``, a label not in the
    label list (CVAT refuses such a file), while the unlabeled polygon went under ``Unclassified``. Every
    shape without a label is now written under ``Unclassified``, which the label list holds, also when
    no object of the project is of that class."""
    result = read_cvat(DATA / "export_task" / "train.xml")
    write_cvat(result.project, tmp_path / "cvat")
    names, shapes = _labels_and_shapes(tmp_path / "cvat" / "annotations.xml")
    assert ("polyline", "Unclassified") in shapes and ("polygon", "Unclassified") in shapes
    assert names.count("Unclassified") == 1 and all(label in names for _, label in shapes), (names, shapes)
    back = read_cvat(tmp_path / "cvat").project
    kept = [s for im in back.images.values() for s in im.extra["pixelproof"]["cvat"].get("shapes", [])]
    assert {s["tag"]: s["attrib"]["label"] for s in kept}["polyline"] == "Unclassified"

    # only kept shapes lack a label (no Unclassified category): the label list still names it, once
    project = result.project
    for a in [a for a in project.annotations.values() if a.kind == "polygon"]:
        project.remove_annotation(a.id)
    del project.categories[next(c.id for c in project.categories.values() if c.name == "Unclassified")]
    image = next(iter(project.images.values()))
    image.extra["pixelproof"]["cvat"]["shapes"].append({"tag": "points", "attrib": {"label": " "}})
    write_cvat(project, tmp_path / "again")
    names, shapes = _labels_and_shapes(tmp_path / "again" / "annotations.xml")
    assert names.count("Unclassified") == 1 and all(label in names for _, label in shapes), (names, shapes)
    assert ("points", "Unclassified") in shapes


def test_mask_rle_as_cvat_writes_it(tmp_path: Path) -> None:
    """CVAT's writer: rle of the box [left, right] x [top, bottom] (width = right - left + 1), row-major,
    starting with a run of 0s."""
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version>'
        '<image id="0" name="a.png" width="6" height="5">'
        '<mask label="car" source="manual" occluded="0" rle="1, 2, 1, 3, 2" left="2" top="1" width="3" '
        'height="3" z_order="0"/>'
        '<mask label="car" rle="0, 3" left="0" top="3" width="2" height="2"/>'
        '<mask label="car" rle="1, 1" left="7" top="0" width="1" height="2"/>'
        "</image></annotations>"
    )
    result = read_cvat(xml)
    anns = list(result.project.annotations.values())
    assert len(anns) == 1
    crop = np.repeat([0, 1, 0, 1, 0], [1, 2, 1, 3, 2]).reshape(3, 3).astype(bool)
    want = np.zeros((5, 6), bool)
    want[1:4, 2:5] = crop
    assert np.array_equal(anns[0].mask(5, 6), want)
    assert len(result.problems) == 3 and "image file not found" in result.problems[0]
    assert "<mask> 2 (car): rle must hold width x height = 4 pixels" in result.problems[1]
    assert "<mask> 3 (car): the mask has no pixel inside the image; skipped" in result.problems[2]


def test_encode_decode_masks_agree_and_start_with_zeros() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        m = rng.random((9, 11)) > 0.6
        if not m.any():
            continue
        runs, left, top, w, h = encode_mask(m)
        ys, xs = np.nonzero(m)
        assert (left, top, w, h) == (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
        assert sum(runs) == w * h and all(r >= 0 for r in runs)
        shape = ET.Element(
            "mask", rle=", ".join(map(str, runs)), left=str(left), top=str(top), width=str(w), height=str(h)
        )
        (x, y, cw, ch), crop = mask_crop(shape, 9, 11)
        decoded = np.zeros((9, 11), bool)
        decoded[y : y + ch, x : x + cw] = crop
        assert np.array_equal(decoded, m)
    runs, *_ = encode_mask(np.ones((2, 2), bool))
    assert runs == [0, 4]


@pytest.mark.parametrize("bad", ['xtl="nan" ytl="1" xbr="2" ybr="3"', 'xtl="5" ytl="1" xbr="2" ybr="3"'])
def test_bad_boxes_reported(tmp_path: Path, bad: str) -> None:
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        f'<annotations><image id="0" name="a.png" width="6" height="5"><box label="x" {bad}/></image>'
        "</annotations>"
    )
    result = read_cvat(xml)
    assert not result.project.annotations and result.skipped == {"invalid": 1}


def test_a_shape_label_with_blanks_around_it_is_the_listed_category(tmp_path: Path) -> None:
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        "<annotations><meta><task><labels><label><name>\n  car\n</name></label></labels></task></meta>"
        '<image id="0" name="a.png" width="6" height="5">'
        '<box label=" car " xtl="1" ytl="1" xbr="3" ybr="3"/>'
        '<box label="  " xtl="1" ytl="1" xbr="3" ybr="3"/>'
        "</image></annotations>"
    )
    result = read_cvat(xml)
    assert [c.name for c in result.project.categories.values()] == ["car", "Unclassified"]
    names = [result.project.categories[a.category_id].name for a in result.project.annotations.values()]
    assert names == ["car", "Unclassified"]  # a blank label is no label
    assert not result.skipped


def test_image_names_leaving_the_dataset_are_flagged_never_copied(tmp_path: Path) -> None:
    """As every reader does (``Builder.image``): the record and its shapes are kept, flagged
    ``outside_root``, and no export copies or links the file."""
    (tmp_path / "elsewhere").mkdir()
    Image.new("RGB", (6, 5)).save(tmp_path / "elsewhere" / "x.png")
    xml = tmp_path / "ds" / "annotations.xml"
    xml.parent.mkdir()
    xml.write_text(
        '<annotations><image id="0" name="../elsewhere/x.png" width="6" height="5">'
        '<box label="a" xtl="1" ytl="1" xbr="3" ybr="3"/></image></annotations>'
    )
    result = read_cvat(xml)
    (image,) = result.project.images.values()
    assert image.extra["pixelproof"]["outside_root"] is True
    assert len(result.project.annotations) == 1
    warnings = write_coco(result.project, tmp_path / "out" / "project.json", images="copy")
    assert any("outside the dataset folder it was imported from; not copied" in w for w in warnings)
    assert not (tmp_path / "out" / "images").exists() or not any((tmp_path / "out" / "images").iterdir())


def test_an_export_keeping_the_images_where_they_are_reads_back(
    sample_project: Project, tmp_path: Path
) -> None:
    """``--images keep`` writes names relative to the XML (``../src/imgs/a.png``); the reader refused
    them as outside the dataset and skipped every image with its shapes."""
    write_cvat(sample_project, tmp_path / "cvat", images="keep")
    result = read_cvat(tmp_path / "cvat")
    assert result.problems == []
    back = result.project
    assert len(back.images) == len(sample_project.images)
    assert len(back.annotations) == len(sample_project.annotations)
    assert all(back.image_path(im).is_file() for im in back.images.values())


def test_coco_cvat_coco_round_trip(sample_project: Project, tmp_path: Path) -> None:
    sample_project.annotations[1].app_extra.update(occluded=1, attributes={"color": "red"})
    assert write_cvat(sample_project, tmp_path / "cvat") == []
    doc = ET.parse(tmp_path / "cvat" / "annotations.xml").getroot()
    assert [e.tag for e in doc.find("image")] == ["box", "polygon", "mask"]
    assert doc.find("image/box/attribute").text == "red"
    result = read_cvat(tmp_path / "cvat")
    assert result.problems == []
    write_coco(result.project, tmp_path / "back.json")
    back = read_coco(tmp_path / "back.json").project
    for im, mine in zip(sample_project.images.values(), back.images.values(), strict=True):
        assert back.image_path(mine).is_file()
        a_list = sorted(sample_project.annotations_of(im.id), key=lambda a: a.id)
        b_list = sorted(back.annotations_of(mine.id), key=lambda a: a.id)
        assert len(a_list) == len(b_list)
        for a, b in zip(a_list, b_list, strict=True):
            assert sample_project.categories[a.category_id].name == back.categories[b.category_id].name
            if a.kind == "polygon" and len(a.segmentation) > 1:  # parts written as shapes of one group
                assert b.app_extra["group_id"] == 1 and len(b.segmentation) == 2  # the first free group
            assert a.kind == b.kind
            assert np.allclose(a.bbox, b.bbox) and np.array_equal(
                a.mask(im.height, im.width), b.mask(im.height, im.width)
            )
    assert next(iter(back.annotations.values())).app_extra["attributes"] == {"color": "red"}


def test_video_tracks_are_reported_by_id_and_label(tmp_path: Path) -> None:
    (tmp_path / "annotations.xml").write_text(
        '<annotations><version>1.1</version><image id="0" name="a.png" width="4" height="3">'
        '<box label="car" xtl="0" ytl="0" xbr="2" ybr="2" occluded="0"/></image>'
        '<track id="7" label="person"><box frame="0" xtl="0" ytl="0" xbr="1" ybr="1" outside="0" '
        'occluded="0" keyframe="1"/></track></annotations>'
    )
    result = read_cvat(tmp_path)
    assert len(result.project.annotations) == 1 and result.skipped == {"tracks": 1}
    assert any("1 <track> element (CVAT for video)" in p and "id 7 (person)" in p for p in result.problems)


def test_shapes_and_sizes_over_the_limits_are_reported_with_their_element(tmp_path: Path) -> None:
    """Found by fuzzing: a box far outside its image or a side over the limit raised LimitError out of
    the reader (the whole import lost, the message naming no XML element)."""
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        '<annotations><image id="0" name="a.png" width="6" height="5">'
        '<box label="car" xtl="0" ytl="0" xbr="1000000" ybr="2"/>'
        '<ellipse label="car" cx="1" cy="1" rx="100000" ry="1"/>'
        '<box label="car" xtl="0" ytl="0" xbr="2" ybr="2"/></image>'
        '<image id="1" name="b.png" width="99999999999" height="5"/></annotations>'
    )
    result = read_cvat(xml)
    assert [a.bbox for a in result.project.annotations.values()] == [[0.0, 0.0, 2.0, 2.0]]
    assert [im.file_name for im in result.project.images.values()] == ["images/a.png"]
    assert result.skipped == {"invalid": 2, "images": 1}
    assert any(p.startswith(f"{xml}: image 0 (a.png): <box> 1 (car): x = 1000000.0") for p in result.problems)
    assert any(p.startswith(f"{xml}: image 0 (a.png): <ellipse> 2 (car): x = ") for p in result.problems)
    assert any(p.startswith(f"{xml}: image 1 (b.png): width 99999999999 is over") for p in result.problems)


def test_integer_attributes_that_are_no_integers_are_left_out(tmp_path: Path) -> None:
    """Found by fuzzing: ``occluded="--1"``, a superscript digit or 5000 digits passed the digit test and
    raised ValueError out of the reader."""
    xml = tmp_path / "annotations.xml"
    box = '<box label="car" xtl="0" ytl="0" xbr="2" ybr="2" {}/>'
    shapes = [
        'occluded="--1" z_order="\u00b2" group_id="\u0663"',
        f'group_id="{"9" * 5000}"',
        'occluded="1" z_order="-2" group_id="7"',
    ]
    xml.write_text(
        '<annotations><image id="0" name="a.png" width="6" height="5">'
        + "".join(box.format(s) for s in shapes)
        + "</image></annotations>",
        encoding="utf-8",
    )
    result = read_cvat(xml)
    extras = [a.app_extra for a in result.project.annotations.values()]  # z_order -2 is drawn first
    assert sorted(extras, key=len) == [{}, {}, {"occluded": 1, "z_order": -2, "group_id": 7}]


@pytest.mark.parametrize("levels", [150, 5000])
def test_deeply_nested_skeletons_are_reported(tmp_path: Path, levels: int) -> None:
    """Found by fuzzing: skeletons nested 150 deep made a project that could not be saved; 5000 deep, a
    RecursionError out of the reader."""
    xml = tmp_path / "annotations.xml"
    deep = "<skeleton>" * levels + "</skeleton>" * levels
    xml.write_text(
        '<annotations><image id="0" name="a.png" width="6" height="5">'
        f'<skeleton label="hand">{deep}</skeleton>'
        '<skeleton label="hand"><points label="tip" points="1,1"/></skeleton></image></annotations>'
    )
    result = read_cvat(xml)
    image = next(iter(result.project.images.values()))
    kept = image.extra["pixelproof"]["cvat"]["shapes"]
    assert [len(s["children"]) for s in kept] == [1]  # the ordinary skeleton is kept
    assert f"{xml}: image 0 (a.png): <skeleton> 1 (hand): nested more than 32 elements deep; skipped" in (
        result.problems
    )
    project_from_dict(json.loads(json.dumps(project_to_dict(result.project), allow_nan=False)))


@pytest.mark.parametrize("encoding", ["no-such-codec", "rot13", "utf-7", "idna"])
def test_an_unusable_declared_encoding_is_reported(tmp_path: Path, encoding: str) -> None:
    """Found by fuzzing: an XML declaration naming an encoding Python lacks (LookupError) or expat cannot
    use (ValueError) escaped the reader."""
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        f'<?xml version="1.0" encoding="{encoding}"?><annotations><version>1.1</version></annotations>'
    )
    result = read_cvat(xml)
    assert result.skipped == {"files": 1} and not result.project.images
    assert result.problems[0].startswith(f"{xml}: not readable XML (")


def test_a_split_object_never_takes_the_group_of_another(sample_project: Project, tmp_path: Path) -> None:
    """The parts of a multi-part polygon share a new group: they took the annotation id as the group,
    which another object of that label could already hold (a group imported from CVAT) - read back,
    the two objects were one."""
    b = sample_project.images[2]
    (split,) = [a for a in sample_project.annotations_of(b.id) if a.kind == "polygon"]
    Builder(sample_project).annotation(
        b, split.category_id, polygons=[[30.0, 2.0, 40.0, 2.0, 35.0, 8.0]], app_extra={"group_id": split.id}
    )
    write_cvat(sample_project, tmp_path / "cvat")
    back = read_cvat(tmp_path / "cvat").project
    assert len(back.annotations) == len(sample_project.annotations)
    parts = sorted(len(a.segmentation) for a in back.annotations.values() if a.kind == "polygon")
    assert parts == [1, 1, 2]


def test_integer_fields_cvat_parses_with_int_are_whole_numbers(
    sample_project: Project, tmp_path: Path
) -> None:
    """CVAT's and Datumaro's loaders read ``z_order`` and ``group_id`` with ``int()``: extras that are no
    whole number (from another format's extras) must not reach the file, or CVAT refuses it all."""
    for a, (z, g) in zip(
        sample_project.annotations.values(), [("top", [1]), (1.5, "x"), (True, {})], strict=False
    ):
        a.app_extra.update(z_order=z, group_id=g)
    write_cvat(sample_project, tmp_path / "cvat")
    shapes = [el for el in ET.parse(tmp_path / "cvat" / "annotations.xml").iter() if el.get("label")]
    assert shapes
    for el in shapes:
        int(el.get("z_order", "0")), int(el.get("group_id", "0"))  # what CVAT's load_anno does


def test_skeleton_parts_are_no_categories_and_are_written_back(tmp_path: Path) -> None:
    """Datumaro's skeleton task (labels ``1``-``4`` with ``<parent>skeleton</parent>``): the parts of a
    skeleton are no categories of their own (two skeletons' parts named ``1`` were one category, and
    the export listed them as plain labels, losing the skeleton: Datumaro then finds no label for them)."""
    result = read_cvat(DATA / "skeleton_task" / "train.xml")
    project = result.project
    # (and the category of its unlabeled polygon)
    assert [c.name for c in project.categories.values()] == ["label1", "label2", "skeleton", "Unclassified"]
    write_cvat(project, tmp_path / "cvat")
    written = ET.parse(tmp_path / "cvat" / "annotations.xml").getroot()
    original = ET.parse(DATA / "skeleton_task" / "train.xml").getroot()

    def labels(doc: ET.Element) -> list[tuple[str | None, ...]]:
        return [
            tuple(el.findtext(k) for k in ("name", "type", "parent", "svg"))
            for el in doc.iterfind("meta/task/labels/label")
            if el.findtext("type") in ("skeleton", "points")
        ]

    assert labels(written) == labels(original) and len(labels(written)) == 5
    back = read_cvat(tmp_path / "cvat").project
    assert [c.name for c in back.categories.values()] == [c.name for c in project.categories.values()]
    for mine, theirs in zip(project.images.values(), back.images.values(), strict=True):
        shapes = mine.extra["pixelproof"]["cvat"]["shapes"]
        for shape in shapes:  # a shape with no label comes back under the listed label Unclassified
            shape["attrib"]["label"] = shape["attrib"].get("label") or "Unclassified"
        assert shapes == theirs.extra["pixelproof"]["cvat"]["shapes"]


@pytest.mark.parametrize(
    ("shape", "says"),
    [
        ('<polygon label="a" points="1,2;3;4,5"/>', "points: '3' is not an x,y pair of numbers"),
        ('<polygon label="a" points="1,2,3;3,4;4,5"/>', "points: '1,2,3' is not an x,y pair of numbers"),
        (
            '<polyline label="a" points="1,2;3,4"/><polygon label="a" points="1,2;x,4;4,5"/>',
            "points: 'x,4' is not",
        ),
        ('<mask label="a" rle="a, b" left="0" top="0" width="2" height="1"/>', "rle must be whole numbers"),
    ],
)
def test_malformed_coordinates_are_named_in_the_message(tmp_path: Path, shape: str, says: str) -> None:
    """Python's own words (``not enough values to unpack``) said nothing about what is wrong where."""
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        f'<annotations><image id="0" name="a.png" width="6" height="5">{shape}</image></annotations>'
    )
    result = read_cvat(xml)
    n = shape.count("<")
    assert any(
        f"{xml}: image 0 (a.png): <{shape.split('<')[-1].split()[0]}> {n} (a): {says}" in p
        for p in result.problems
    )
    assert not result.project.annotations


def test_export_writes_each_objects_own_source_a_pasted_copy_is_manual(tmp_path: Path) -> None:
    """A copy (Edit > Copy/Paste) of an object imported from CVAT as ``source="auto"`` went back to CVAT as
    "auto": the exporter wrote the original's kept ``cvat_source``. A copy is a person's (manual), a
    model's prediction is CVAT's "auto"; an object read from CVAT and not re-made keeps its source, which
    PixelProof cannot tell (semi-auto, or a value of a newer CVAT)."""
    from pixelproof.core.clipboard import copy_annotations, paste
    from pixelproof.core.edits.annotations import AddAnnotations
    from pixelproof.core.model import Annotation

    xml = tmp_path / "in" / "annotations.xml"
    xml.parent.mkdir()
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version>'
        '<image id="0" name="a.png" width="60" height="50">'
        '<box label="car" source="auto" occluded="0" xtl="1" ytl="2" xbr="11" ybr="12" z_order="0"/>'
        '<box label="car" source="semi-auto" occluded="0" xtl="20" ytl="2" xbr="30" ybr="12" z_order="0"/>'
        '<box label="car" source="manual" occluded="0" xtl="40" ytl="2" xbr="50" ybr="12" z_order="0"/>'
        "</image></annotations>"
    )
    project = read_cvat(xml).project
    image_id = next(iter(project.images))
    auto, semi, manual = sorted(project.annotations)
    assert project.annotations[auto].app_extra["cvat_source"] == "auto"
    pasted = paste(copy_annotations(project, image_id, [auto, semi]), project, image_id).annotations
    AddAnnotations(pasted, "Paste 2 objects").apply(project)
    model = Annotation(
        project.next_annotation_id(), image_id, project.annotations[manual].category_id, [5.0, 30.0, 9.0, 9.0]
    )
    model.source = "model:yolo-onnx/yolo11n.onnx@1"
    project.add_annotation(model)
    write_cvat(project, tmp_path / "out", images="keep")
    boxes = ET.parse(tmp_path / "out" / "annotations.xml").getroot().iter("box")
    sources = [(b.get("xtl"), b.get("ytl"), b.get("source")) for b in boxes]
    assert sources == [
        ("1.00", "2.00", "auto"),  # imported: as read
        ("20.00", "2.00", "semi-auto"),
        ("40.00", "2.00", "manual"),
        ("1.00", "2.00", "manual"),  # the pasted copies (on their originals)
        ("20.00", "2.00", "manual"),
        ("5.00", "30.00", "auto"),  # a model's prediction
    ]


def test_the_task_is_named_after_the_imported_folder(tmp_path: Path) -> None:
    """A folder read by another reader has a stand-in project file (``.pixelproof-import.json``): the
    CVAT task was named ``.pixelproof-import`` by ``convert``, and after the folder in File > Export."""
    from pixelproof.interop.labelme import read_labelme

    folder = tmp_path / "street_scenes"
    folder.mkdir()
    Image.new("RGB", (20, 10)).save(folder / "a.png")
    shape = {"label": "car", "shape_type": "rectangle", "points": [[1, 1], [5, 5]]}
    doc = {"shapes": [shape], "imagePath": "a.png", "imageHeight": 10, "imageWidth": 20}
    (folder / "a.json").write_text(json.dumps(doc))
    write_cvat(read_labelme(folder).project, tmp_path / "out")
    task = ET.parse(tmp_path / "out" / "annotations.xml").getroot().find("meta/task/name")
    assert task is not None and task.text == "street_scenes"


def test_rotated_boxes_and_ellipses_made_polygons_are_said_once_per_file(tmp_path: Path) -> None:
    """A CVAT team's rotated boxes and ellipses come in as polygons (and go back to CVAT as polygons, no
    longer turned or resized as boxes and ellipses there): the import said nothing of it, where the Label
    Studio reader names each rotated box. One line per file now names each, by image and element."""
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        '<annotations><image id="0" name="a.png" width="60" height="40">'
        '<box label="car" xtl="5" ytl="5" xbr="15" ybr="25" rotation="30"/>'
        '<box label="car" xtl="5" ytl="5" xbr="15" ybr="25" rotation="360"/>'
        '<ellipse label="car" cx="30" cy="20" rx="5" ry="3"/></image>'
        '<image id="1" name="b.png" width="60" height="40">'
        '<box label="car" xtl="5" ytl="5" xbr="15" ybr="25"/></image></annotations>'
    )
    result = read_cvat(xml)
    kinds = [a.kind for a in result.project.annotations.values()]
    assert sorted(kinds) == ["box", "box", "polygon", "polygon"] and not result.skipped
    turned = [p for p in result.problems if "as polygons" in p]
    assert turned == [
        f"{xml}: 1 rotated box and 1 ellipse imported as polygons (PixelProof's boxes are upright "
        "and it draws no ellipses; written back to CVAT as polygons): image 0 (a.png): <box> 1; "
        "image 0 (a.png): <ellipse> 3"
    ]

    (tmp_path / "boxes.xml").write_text(
        '<annotations><image id="0" name="a.png" width="60" height="40">'
        '<box label="car" xtl="5" ytl="5" xbr="15" ybr="25" rotation="30"/></image></annotations>'
    )
    said = [p for p in read_cvat(tmp_path / "boxes.xml").problems if "as polygons" in p]
    assert len(said) == 1 and ": 1 rotated box imported as polygons (" in said[0]  # not "and 0 ellipses"


def test_a_second_image_element_naming_one_file_is_said(tmp_path: Path) -> None:
    """Two ``<image>`` elements naming one file (a hand-merged XML, two tasks' exports pasted together)
    are two records of one picture, each with its objects: imported as such, but the second is said,
    as the Label Studio reader says a second task on one file. A name in two subsets is two files."""
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        '<annotations><image id="0" name="a.png" width="10" height="10">'
        '<box label="car" xtl="1" ytl="1" xbr="5" ybr="5"/></image>'
        '<image id="0" name="b.png" width="10" height="10"/>'
        '<image id="1" name="a.png" width="10" height="10"><box label="car" xtl="2" ytl="2" xbr="6" ybr="6"/>'
        "</image>"
        '<image id="2" name="c.png" subset="Train" width="10" height="10"/>'
        '<image id="3" name="c.png" subset="Validation" width="10" height="10"/></annotations>'
    )
    result = read_cvat(xml)
    names = [im.file_name for im in result.project.images.values()]
    assert names == [
        "images/a.png",
        "images/b.png",
        "images/a.png",
        "images/Train/c.png",
        "images/Validation/c.png",
    ]
    assert len(result.project.annotations) == 2 and not result.skipped
    said = [p for p in result.problems if "second record" in p]
    assert said == [
        f"{xml}: image 1 (a.png): images/a.png is also the file of image 0 (a.png); imported as a second "
        "record of that file, its objects apart"
    ]


@pytest.mark.parametrize(
    ("attrs", "says"),
    [
        ('width="-5" height="5"', "width/height '-5' x '5' is no size"),
        ('width="nan" height="5"', "width/height 'nan' x '5' is no size"),
        ('height="5"', "no width/height"),
    ],
)
def test_an_image_size_that_is_no_size_is_named(tmp_path: Path, attrs: str, says: str) -> None:
    """An image declaring ``width="-5"`` (its file missing) was skipped as having "no width/height": the
    message hid the value to look for in the file. It now quotes what the XML says."""
    xml = tmp_path / "annotations.xml"
    xml.write_text(f'<annotations><image id="3" name="c.png" {attrs}/></annotations>')
    result = read_cvat(xml)
    assert not result.project.images and result.skipped == {"images": 1}
    assert result.problems == [f"{xml}: image 3 (c.png): {says} and the image cannot be read; skipped"]


def test_the_notes_name_each_image_whole_in_a_folder_whose_name_has_a_colon(tmp_path: Path) -> None:
    """The rotated-box and second-record notes cut each place at the first ': ' of the whole location,
    so an export in a folder named ``run: 2`` named ``2/annotations.xml: image 0 (a.png)`` as the image."""
    folder = tmp_path / "run: 2"
    folder.mkdir()
    xml = folder / "annotations.xml"
    xml.write_text(
        '<annotations><image id="0" name="a.png" width="60" height="40">'
        '<box label="car" xtl="5" ytl="5" xbr="15" ybr="25" rotation="30"/></image>'
        '<image id="1" name="a.png" width="60" height="40"/></annotations>'
    )
    problems = read_cvat(xml).problems
    assert any(p.endswith("written back to CVAT as polygons): image 0 (a.png): <box> 1") for p in problems)
    assert (
        f"{xml}: image 1 (a.png): images/a.png is also the file of image 0 (a.png); imported as a "
        "second record of that file, its objects apart" in problems
    ), problems


@pytest.mark.parametrize(
    ("shape", "says"),
    [
        (
            '<box label="car" xtl="99999990" ytl="1" xbr="99999999" ybr="3"/>',
            "x = 99999990.0 is too far outside",
        ),
        ('<ellipse label="car" cx="2" cy="-50000000" rx="1" ry="1"/>', "y = -50000000.0 is too far outside"),
        ('<box label="car" xtl="1" ytl="1" xbr="3" ybr="3" rotation="400000000"/>', None),
    ],
)
def test_a_coordinate_far_outside_the_image_is_said_so_not_called_not_finite(
    tmp_path: Path, shape: str, says: str | None
) -> None:
    """A value over 10,000,000 was refused as 'must be a finite number, got ...' (it is finite): now the
    message says it is too far outside the image and what is allowed, in core.coordinate_limits' words;
    a finite angle of any size is a turn, not a coordinate."""
    xml = tmp_path / "annotations.xml"
    xml.write_text(
        f'<annotations><image id="0" name="a.png" width="6" height="5">{shape}</image></annotations>'
    )
    result = read_cvat(xml)
    assert not any("finite" in p for p in result.problems)
    if says is None:
        (ann,) = result.project.annotations.values()
        assert ann.kind == "polygon"  # 400,000,000 degrees = 40 degrees
        return
    (problem,) = [p for p in result.problems if "image file not found" not in p]
    assert problem.startswith(f"{xml}: image 0 (a.png): <{shape.split()[0][1:]}> 1 (car): ")
    assert says in problem and "the image (6 x 5); allowed " in problem
    assert not result.project.annotations and result.skipped == {"invalid": 1}


def test_the_default_subset_is_no_split(tmp_path: Path) -> None:
    """CVAT names the subset of images put in none ``default`` (a project's task without one): it is no
    split, where Train stays train and its writer puts no subset back."""
    import shutil

    root = tmp_path / "export_project"
    shutil.copytree(DATA / "export_project", root)
    (root / "images" / "Train").rename(root / "images" / "default")
    xml = root / "annotations.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace('subset="Train"', 'subset="default"'), "utf-8")
    project = read_cvat(root).project
    splits = {im.file_name: im.extra["pixelproof"].get("split") for im in project.images.values()}
    assert splits["images/default/img0.jpg"] is None and splits["images/default/img1.jpg"] is None
    assert splits["images/Test/img0.jpg"] == "test" and splits["images/Validation/img1.jpg"] == "val"
    assert all(project.image_path(im).is_file() for im in project.images.values())  # under images/default/
    write_cvat(project, tmp_path / "out")
    written = ET.parse(tmp_path / "out" / "annotations.xml").getroot().iter("image")
    assert sorted(n.get("subset", "") for n in written) == [
        "",
        "",
        "Test",
        "Test",
        "Validation",
        "Validation",
    ]
