"""Hostile COCO projects given to the text writers (yolo, voc, labelme, coco, cvat, openimages): strings,
extras and masks a project file may hold must not make a writer fail, write outside its output, write
files its own reader cannot read back, or embed/overwrite files that are not the export's."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import masks
from pixelproof.core.coco import project_from_dict
from pixelproof.core.model import Project
from pixelproof.interop.coco_io import read_coco
from pixelproof.interop.cvat import read_cvat, write_cvat
from pixelproof.interop.labelme import read_labelme
from pixelproof.interop.labelme_writer import write_labelme
from pixelproof.interop.openimages import read_openimages, write_openimages
from pixelproof.interop.stems import unique_stems
from pixelproof.interop.voc import read_voc, write_voc
from pixelproof.interop.yolo import read_yolo, write_yolo

REPO = Path(__file__).resolve().parents[2]
POLY = [[1.0, 1.0, 6.0, 1.0, 6.0, 5.0]]


def _png(w: int = 8, h: int = 6) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((h, w, 3), np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _project(
    folder: Path,
    *,
    names: tuple[str, ...] = ("a",),
    file_name: str = "a.png",
    image_extra: dict[str, Any] | None = None,
    ann_app: dict[str, Any] | None = None,
    segmentation: Any = None,
    size: tuple[int, int] = (8, 6),
    cat_app: dict[str, Any] | None = None,
    write_image: bool = True,
) -> Project:
    """One image (``a.png`` written beside the project) with one object per category."""
    folder.mkdir(parents=True, exist_ok=True)
    if write_image:
        (folder / file_name).write_bytes(_png())
    cats = [
        {"id": i + 1, "name": n, **({"pixelproof": cat_app} if cat_app else {})} for i, n in enumerate(names)
    ]
    anns = []
    for i in range(len(names)):
        ann: dict[str, Any] = {"id": i + 1, "image_id": 1, "category_id": i + 1, "bbox": [1, 1, 2, 2]}
        ann.update(area=4, iscrowd=0)
        if segmentation is not None:
            ann["segmentation"] = segmentation
        if ann_app is not None:
            ann["pixelproof"] = ann_app
        anns.append(ann)
    image = {"id": 1, "file_name": file_name, "width": size[0], "height": size[1], **(image_extra or {})}
    project = project_from_dict({"images": [image], "categories": cats, "annotations": anns})
    project.path = folder / "project.json"
    return project


def _files(root: Path) -> set[str]:
    return {str(p) for p in root.rglob("*")}


# ------------------------------------------------------------------------------------------------
# openimages


@pytest.mark.parametrize("split", ["../../escaped", "/abs/escaped", "a/b", ".hidden", "x*"])
def test_openimages_split_from_extras_stays_inside_the_output(tmp_path: Path, split: str) -> None:
    if split.startswith("/abs"):
        split = str(tmp_path / "abs" / "escaped")
    project = _project(tmp_path / "in", image_extra={"pixelproof": {"split": split}}, segmentation=POLY)
    before = _files(tmp_path)
    warnings = write_openimages(project, tmp_path / "out" / "ds")
    outside = {p for p in _files(tmp_path) - before if not p.startswith(str(tmp_path / "out" / "ds"))}
    assert outside <= {str(tmp_path / "out")}
    assert any("split" in w for w in warnings)
    back = read_openimages(tmp_path / "out" / "ds").project
    assert len(back.annotations) == 1


def test_openimages_mask_names_from_extras_stay_plain_and_unique(tmp_path: Path) -> None:
    oi = {"openimages": {"box_id": "../../../x"}}
    project = _project(tmp_path / "in", names=("a", "b"), ann_app=oi, segmentation=POLY)
    project.categories[2].app_extra["openimages"] = {"mid": "/m/../.."}
    write_openimages(project, tmp_path / "out")
    pngs = sorted(p.name for p in (tmp_path / "out" / "masks" / "train").iterdir())
    assert len(pngs) == 2 and all("/" not in n and ".." not in n for n in pngs)
    back = read_openimages(tmp_path / "out")
    assert len(back.project.annotations) == 2 and all(
        a.kind == "mask" for a in back.project.annotations.values()
    )


def test_openimages_two_objects_with_one_box_id_keep_both_masks(tmp_path: Path) -> None:
    project = _project(
        tmp_path / "in", names=("a",), ann_app={"openimages": {"box_id": "b1"}}, segmentation=POLY
    )
    second = project.annotations[1]
    from dataclasses import replace

    project.add_annotation(replace(second, id=2, app_extra={"openimages": {"box_id": "b1"}}))
    write_openimages(project, tmp_path / "out")
    assert len(list((tmp_path / "out" / "masks" / "train").iterdir())) == 2


@pytest.mark.parametrize(
    ("image_extra", "ann_app", "cat_app"),
    [
        ({"pixelproof": {"openimages": ["x"]}}, None, None),
        ({"pixelproof": {"openimages": {"labels": [["/m/x", "src"], "y"]}}}, None, None),
        (None, {"openimages": ["x"]}, None),
        (None, {"openimages": {"box": ["a", 1]}}, None),
        (None, {"openimages": {"box": [0.1, 0.2]}}, None),
        (None, None, {"openimages": ["x"]}),
    ],
)
def test_openimages_extras_of_the_wrong_type_do_not_stop_the_export(
    tmp_path: Path, image_extra: Any, ann_app: Any, cat_app: Any
) -> None:
    project = _project(tmp_path / "in", image_extra=image_extra, ann_app=ann_app, cat_app=cat_app)
    write_openimages(project, tmp_path / "out")
    back = read_openimages(tmp_path / "out")
    (a,) = back.project.annotations.values()
    assert a.bbox == pytest.approx([1.0, 1.0, 2.0, 2.0]), back.problems


# ------------------------------------------------------------------------------------------------
# voc and cvat: XML


HOSTILE_NAMES = ("ctl\x01\x7f", "<x>&]]>", "sur\ufffe", "ok")


def test_voc_control_characters_and_action_names_keep_the_xml_readable(tmp_path: Path) -> None:
    app = {"actions": {"x><evil/><y": 1, "": 2, "jumping": 1}, "pose": "\x02", "group_id": [1]}
    project = _project(tmp_path / "in", names=HOSTILE_NAMES, file_name="im\x03g.png", ann_app=app)
    warnings = write_voc(project, tmp_path / "out", images="copy")
    result = read_voc(tmp_path / "out")
    assert not result.problems, result.problems
    back = result.project
    assert len(back.annotations) == len(HOSTILE_NAMES)
    assert "ok" in [c.name for c in back.categories.values()]
    assert all(a.app_extra.get("actions") == {"jumping": 1} for a in back.annotations.values())
    assert "evil" not in (tmp_path / "out" / "Annotations" / "im\x03g.xml").read_text()
    assert any("XML cannot hold" in w for w in warnings)


def test_voc_group_id_that_is_no_number_does_not_stop_the_export(tmp_path: Path) -> None:
    project = _project(tmp_path / "in", ann_app={"group_id": {"a": 1}, "part_of": 1})
    write_voc(project, tmp_path / "out")
    assert len(read_voc(tmp_path / "out").project.annotations) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_voc_image_that_is_a_fifo_does_not_hang_the_export(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    os.mkfifo(tmp_path / "in" / "a.png")
    (tmp_path / "in" / "project.json").write_text(
        json.dumps({"images": [{"id": 1, "file_name": "a.png", "width": 8, "height": 6}], "categories": []})
    )
    done = subprocess.run(
        [sys.executable, "-m", "pixelproof", "convert", "--from", "coco", "--to", "voc",
         str(tmp_path / "in" / "project.json"), str(tmp_path / "out")],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip
    assert done.returncode in (0, 3), done.stderr
    assert (tmp_path / "out" / "Annotations" / "a.xml").is_file()


def test_voc_depth_of_an_image_over_the_pixel_limit_comes_from_its_header(tmp_path: Path) -> None:
    """A declared 60000^2 grey PNG (a slide-sized picture in the project): Pillow's own open refused it
    with a traceback; the depth comes from the header, nothing is decoded."""
    from tests.bombs import write_png_bomb

    folder = tmp_path / "in"
    folder.mkdir()
    write_png_bomb(folder / "big.png")
    project = _project(folder, file_name="big.png", size=(60000, 60000), write_image=False)
    write_voc(project, tmp_path / "out")
    xml = (tmp_path / "out" / "Annotations" / "big.xml").read_text()
    assert "<depth>1</depth>" in xml and "<width>60000</width>" in xml


def test_cvat_control_characters_and_hostile_extras_keep_the_xml_readable(tmp_path: Path) -> None:
    app = {
        "cvat_attrib": {"label": "stolen", 'x="1"/><evil a': "1", "custom": 5},
        "attributes": {"k\x01": [1], 3: None},
        "occluded": "abc",
        "z_order": {"a": 1},
    }
    kept = [
        {"tag": 'points x="1"', "attrib": {}},
        "str",
        {"tag": "points", "attrib": {"label": "ok", "a b": 1}},
    ]
    extra = {"pixelproof": {"cvat": {"shapes": kept}}}
    project = _project(
        tmp_path / "in", names=HOSTILE_NAMES, file_name="im\x03g.png", ann_app=app, image_extra=extra
    )
    warnings = write_cvat(project, tmp_path / "out", images="copy")
    result = read_cvat(tmp_path / "out")
    back = result.project
    assert len(back.annotations) == len(HOSTILE_NAMES), result.problems
    assert "stolen" not in [c.name for c in back.categories.values()]
    assert all(a.app_extra.get("cvat_attrib") == {"custom": "5"} for a in back.annotations.values())
    assert "evil" not in (tmp_path / "out" / "annotations.xml").read_text()
    assert (tmp_path / "out" / "images" / "im\ufffdg.png").is_file()  # the name the XML holds
    assert any("not CVAT shapes" in w for w in warnings)


@pytest.mark.parametrize(
    "app", [{"cvat_attrib": ["x"]}, {"attributes": ["x", {"y": 1}]}, {"occluded": [1]}, {"group_id": [1]}]
)
def test_cvat_extras_of_the_wrong_type_do_not_stop_the_export(tmp_path: Path, app: dict) -> None:
    project = _project(tmp_path / "in", ann_app=app)
    write_cvat(project, tmp_path / "out")
    assert len(read_cvat(tmp_path / "out").project.annotations) == 1


def test_cvat_kept_shapes_that_are_no_object_do_not_stop_the_export(tmp_path: Path) -> None:
    project = _project(tmp_path / "in", image_extra={"pixelproof": {"cvat": ["x"]}})
    write_cvat(project, tmp_path / "out")
    assert len(read_cvat(tmp_path / "out").project.annotations) == 1


# ------------------------------------------------------------------------------------------------
# yolo and labelme: class lists


ODD_NAMES = ("emoji 😀", "new\nline", "sep\u2028x", "c: #{x}", "ok")


def test_yolo_class_names_beyond_the_bmp_keep_data_yaml_readable(tmp_path: Path) -> None:
    project = _project(tmp_path / "in", names=ODD_NAMES)
    write_yolo(project, tmp_path / "out")
    result = read_yolo(tmp_path / "out")
    assert not result.problems, result.problems
    assert [c.name for c in result.project.categories.values()] == list(ODD_NAMES)
    classes = (tmp_path / "out" / "classes.txt").read_text(encoding="utf-8").splitlines()
    assert len(classes) == len(ODD_NAMES)  # one line a class: the indexes of the label files hold


def test_labelme_names_with_line_breaks_do_not_become_categories(tmp_path: Path) -> None:
    project = _project(tmp_path / "in", names=ODD_NAMES)
    write_labelme(project, tmp_path / "out")
    back = read_labelme(tmp_path / "out").project
    assert sorted(c.name for c in back.categories.values()) == sorted(ODD_NAMES)


@pytest.mark.parametrize("group", [[1], {"a": 1}, 1.5])
def test_labelme_group_id_that_is_no_number_does_not_stop_the_export(tmp_path: Path, group: Any) -> None:
    project = _project(tmp_path / "in", ann_app={"group_id": group}, segmentation=POLY)
    write_labelme(project, tmp_path / "out")
    back = read_labelme(tmp_path / "out").project
    assert [a.app_extra.get("group_id") for a in back.annotations.values()] == [group]


def test_labelme_image_data_embeds_no_file_that_is_not_a_dataset_image(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "project.json").write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": str(secret), "width": 8, "height": 6},
                           {"id": 2, "file_name": "../secret.txt", "width": 8, "height": 6}],
                "categories": [],
            }
        )
    )  # fmt: skip
    project = read_coco(tmp_path / "in" / "project.json").project
    write_labelme(project, tmp_path / "out", image_data=True)
    for doc in (tmp_path / "out").glob("*.json"):
        assert json.loads(doc.read_text())["imageData"] is None


@pytest.mark.parametrize("mode", ["link", "copy"])
def test_labelme_image_named_like_its_json_is_not_overwritten(tmp_path: Path, mode: str) -> None:
    project = _project(tmp_path / "in", names=("a",), file_name="labels.txt")
    project.add_image(type(project.images[1])(2, "b.json", 8, 6))
    (tmp_path / "in" / "b.json").write_bytes(_png())
    write_labelme(project, tmp_path / "out", images=mode)
    assert (tmp_path / "in" / "b.json").read_bytes() == _png()  # the original, through a hard link
    assert (tmp_path / "in" / "labels.txt").read_bytes() == _png()
    back = read_labelme(tmp_path / "out")  # the copy named b.json is reported as no LabelMe file
    assert len(back.project.images) == 2 and len(back.project.annotations) == 1
    assert all("b.json" in p for p in back.problems), back.problems


# ------------------------------------------------------------------------------------------------
# masks on huge declared images: the box only


def _huge_mask_project(folder: Path) -> Project:
    crop = np.zeros((5, 7), bool)
    crop[1:4, 2:6] = True
    crop[2, 3] = False  # a hole
    rle = masks.encode(crop)
    rle["counts"] = rle["counts"].decode() if isinstance(rle["counts"], bytes) else rle["counts"]
    ann_app = {"rle_origin": [100, 200]}
    project = _project(folder, segmentation=rle, ann_app=ann_app, size=(60000, 60000), write_image=False)
    for a in project.annotations.values():
        a.area = 11.0  # its pixels (a LabelMe round trip keeps another stored area: test_labelme_fields)
    return project


@pytest.mark.parametrize(("write", "read"), [(write_labelme, read_labelme), (write_cvat, read_cvat)])
def test_small_mask_on_a_huge_declared_image_is_written_from_its_box(tmp_path: Path, write, read) -> None:  # type: ignore[no-untyped-def]
    project = _huge_mask_project(tmp_path / "in")
    write(project, tmp_path / "out")
    (a,) = read(tmp_path / "out").project.annotations.values()
    assert a.kind == "mask" and a.bbox == [102.0, 201.0, 4.0, 3.0] and a.area == 11


def test_small_mask_on_a_huge_declared_image_is_traced_from_its_box_for_yolo(tmp_path: Path) -> None:
    project = _huge_mask_project(tmp_path / "in")
    write_yolo(project, tmp_path / "out", task="segment")
    (line,) = (tmp_path / "out" / "labels" / "train" / "a.txt").read_text().splitlines()
    xy = np.array(line.split()[1:], float).reshape(-1, 2) * 60000
    assert xy.min(axis=0).round().tolist() == [102, 201] and xy.max(axis=0).round().tolist() == [106, 204]


# ------------------------------------------------------------------------------------------------
# file names the file system refuses


def test_a_file_name_too_long_for_the_file_system_does_not_stop_reading_or_writing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    name = "L" * 300 + ".png"
    (tmp_path / "in" / "project.json").write_text(
        json.dumps({"images": [{"id": 1, "file_name": name, "width": 8, "height": 6}], "categories": []})
    )
    result = read_coco(tmp_path / "in" / "project.json")
    assert len(result.project.images) == 1
    assert any("not found" in p for p in result.problems)
    write_cvat(result.project, tmp_path / "cvat")
    write_openimages(result.project, tmp_path / "oi")
    write_voc(result.project, tmp_path / "voc", images="copy")
    write_yolo(result.project, tmp_path / "yolo")
    write_labelme(result.project, tmp_path / "labelme", image_data=True)
    assert len(list((tmp_path / "voc" / "Annotations").glob("*.xml"))) == 1


def test_image_outputs_do_not_collide_when_a_made_stem_is_another_image_s(tmp_path: Path) -> None:
    project = _project(tmp_path / "in", file_name="dup.png")
    for i, name in ((2, "dup.jpg"), (3, "dup_2.png")):
        project.add_image(type(project.images[1])(i, name, 8, 6))
    write_labelme(project, tmp_path / "out")
    assert len(list((tmp_path / "out").glob("*.json"))) == 3
    stems = unique_stems(project)
    assert stems[3] == "dup_2" and len({s.casefold() for s in stems.values()}) == 3
    project.add_image(type(project.images[1])(4, "DUP_2.jpg", 8, 6))  # the same name on a case-blind disk
    assert len({s.casefold() for s in unique_stems(project).values()}) == 4
