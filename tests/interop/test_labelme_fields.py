"""COCO -> LabelMe -> COCO through the formats ``pixelproof convert`` uses, compared field by field: the
demo project (masks, polygons, boxes) and LabelMe's own example as ``labelme2coco`` converts it (objects in
several parts, areas of PIL's rasterization). Only ids may change (LabelMe has none)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pixelproof.core.demo import install_demo
from pixelproof.interop.formats import FORMATS

LABELME_COCO = Path("/work/shared/fixtures/labelme/instance_segmentation/data_dataset_coco")
ALL = {"unlabeled": "keep", "pending": "keep", "rejected": "keep"}


def _convert(src: Path, tmp: Path) -> tuple[dict, dict, list[str]]:
    """(the project as ``convert --to coco`` writes it, the same after LabelMe and back, the LabelMe
    writer's warnings)."""
    project = FORMATS["coco"].read(src).project
    FORMATS["coco"].write(project, tmp / "before.json", **ALL)
    warnings = FORMATS["labelme"].write(project, tmp / "lm", **ALL)
    result = FORMATS["labelme"].read(tmp / "lm")
    assert result.problems == [] and not result.skipped
    FORMATS["coco"].write(result.project, tmp / "after.json", **ALL)
    return (
        json.loads((tmp / "before.json").read_text()),
        json.loads((tmp / "after.json").read_text()),
        warnings,
    )


def _objects(doc: dict) -> dict[tuple, dict]:
    """Annotations without their ids, keyed by (image file, category name, order in the image)."""
    names = {c["id"]: c["name"] for c in doc["categories"]}
    files = {i["id"]: Path(i["file_name"]).name for i in doc["images"]}
    out: dict[tuple, dict] = {}
    for a in sorted(doc["annotations"], key=lambda a: a["id"]):
        key = (files[a["image_id"]], names[a["category_id"]])
        n = sum(k[:2] == key for k in out)
        out[(*key, n)] = {k: v for k, v in a.items() if k not in ("id", "image_id", "category_id")}
    return out


def _images(doc: dict) -> dict[str, dict]:
    return {
        Path(i["file_name"]).name: {k: v for k, v in i.items() if k not in ("id", "file_name")}
        for i in doc["images"]
    }


def _drop_provenance(images: dict[str, dict]) -> dict[str, dict]:
    """Image fields without the ``imported`` mark (where the objects were last read from: it says LabelMe)."""
    out = {}
    for name, fields in images.items():
        app = {
            k: v for k, v in (fields.get("pixelproof") or {}).items() if k not in ("imported", "outside_root")
        }
        out[name] = {
            **{k: v for k, v in fields.items() if k != "pixelproof"},
            **({"pixelproof": app} if app else {}),
        }
    return out


@pytest.fixture
def demo_project(tmp_path: Path) -> Path:
    return install_demo(tmp_path / "demo")


@pytest.fixture
def labelme_coco(tmp_path: Path) -> Path:
    shutil.copytree(LABELME_COCO, tmp_path / "src")
    return tmp_path / "src" / "annotations.json"


@pytest.mark.parametrize("which", ["demo_project", "labelme_coco"])
def test_every_object_field_comes_back(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    before, after, _ = _convert(request.getfixturevalue(which), tmp_path)
    old, new = _objects(before), _objects(after)
    assert old.keys() == new.keys() and old
    for key, a in old.items():
        assert new[key] == a, key  # area, bbox, segmentation (its encoding too), iscrowd, extras: all
    assert _drop_provenance(_images(after)) == {
        name: {k: v for k, v in f.items() if k not in ("license", "url", "date_captured")}
        for name, f in _drop_provenance(_images(before)).items()
    }  # (the image keys of labelme2coco's file are named by a warning)


def test_category_names_and_ids_come_back(labelme_coco: Path, tmp_path: Path) -> None:
    before, after, warnings = _convert(labelme_coco, tmp_path)
    cats = [(c["id"], c["name"]) for c in before["categories"]]
    assert cats[0] == (0, "_background_")  # labelme2coco's class 0, no object
    assert [(c["id"], c["name"]) for c in after["categories"]] == cats[1:]
    assert any("_background_" in w and "class 0" in w for w in warnings)


def _labelme_coco_project(src: Path):
    return FORMATS["coco"].read(src).project


def test_a_group_id_is_the_objects_own_or_none(labelme_coco: Path, tmp_path: Path) -> None:
    """The writer links an object's parts with a group id it makes up; the reader gives the object back
    none, and an object's own group id (a CVAT group's list LabelMe cannot hold too) comes back."""
    project = _labelme_coco_project(labelme_coco)
    parts = sorted((a for a in project.annotations.values() if len(a.segmentation) > 1), key=lambda a: a.id)
    assert len(parts) == 2 and all("group_id" not in a.app_extra for a in parts)
    parts[1].app_extra["group_id"] = ["g", 7]  # no number or text: LabelMe cannot link shapes with it
    FORMATS["labelme"].write(project, tmp_path / "lm", **ALL)
    shapes = [s for f in (tmp_path / "lm").glob("*.json") for s in json.loads(f.read_text())["shapes"]]
    assert sorted({s["group_id"] for s in shapes if s["group_id"] is not None}) == [1]  # one per file
    back = FORMATS["labelme"].read(tmp_path / "lm").project
    groups = sorted((a for a in back.annotations.values() if len(a.segmentation) > 1), key=lambda a: a.id)
    assert [a.app_extra.get("group_id", "none") for a in groups] == ["none", ["g", 7]]


def test_area_of_a_labelme_file_is_pycocotools_count(tmp_path: Path) -> None:
    """A LabelMe file's polygon gets the area the app gives a drawn polygon (pycocotools' pixel count of
    all its parts), and an edited one written by PixelProof loses the file's area it carried."""
    from pycocotools import mask as mask_utils

    from pixelproof.core import masks as core_masks

    src = Path("/work/shared/fixtures/labelme/instance_segmentation/data_annotated")
    project = FORMATS["labelme"].read(src).project
    for a in project.annotations.values():
        im = project.images[a.image_id]
        rle = mask_utils.merge(mask_utils.frPyObjects(a.segmentation, im.height, im.width))
        assert (
            a.area
            == float(mask_utils.area(rle))
            == core_masks.segmentation_area(a.segmentation, a.bbox, im.height, im.width)
        )
    shutil.copytree(LABELME_COCO, tmp_path / "src")
    FORMATS["labelme"].write(
        _labelme_coco_project(tmp_path / "src" / "annotations.json"), tmp_path / "lm", **ALL
    )
    f = tmp_path / "lm" / "2011_000003.json"
    doc = json.loads(f.read_text())
    file_area, drawn = doc["shapes"][0]["pixelproof"]["area"]
    assert (file_area, drawn) == (15689.0, 15448.0)  # labelme2coco's count of PIL's pixels; pycocotools'
    doc["shapes"][0]["points"][0][0] -= 30  # a vertex dragged in LabelMe
    f.write_text(json.dumps(doc))
    a = min(FORMATS["labelme"].read(f).project.annotations.values(), key=lambda a: a.id)
    im = next(iter(FORMATS["labelme"].read(f).project.images.values()))
    assert a.area == core_masks.segmentation_area(a.segmentation, a.bbox, im.height, im.width) != drawn


def test_background_in_labels_txt_and_as_a_shape(tmp_path: Path) -> None:
    """labels.txt's ``_background_`` line (LabelMe's class 0) makes no category; shapes labelled
    ``_background_`` are objects (``labelme2coco`` gives them its category 0 too) and are written back."""
    src = Path("/work/shared/fixtures/labelme/instance_segmentation")
    shutil.copytree(src / "data_annotated", tmp_path / "in")
    shutil.copy(src / "labels.txt", tmp_path / "in" / "labels.txt")
    project = FORMATS["labelme"].read(tmp_path / "in").project
    assert "_background_" not in {c.name for c in project.categories.values()}
    f = tmp_path / "in" / "2011_000003.json"
    doc = json.loads(f.read_text())
    doc["shapes"].append({**doc["shapes"][0], "label": "_background_", "group_id": None})
    f.write_text(json.dumps(doc))
    project = FORMATS["labelme"].read(tmp_path / "in").project
    bg = [c for c in project.categories.values() if c.name == "_background_"]
    assert len(bg) == 1 and len([a for a in project.annotations.values() if a.category_id == bg[0].id]) == 1
    warnings = FORMATS["labelme"].write(project, tmp_path / "out", **ALL)
    assert not any("_background_" in w for w in warnings)  # it has an object: nothing is lost
    labels = (tmp_path / "out" / "labels.txt").read_text().splitlines()
    assert labels[:2] == ["__ignore__", "_background_"] and labels.count("_background_") == 1
    back = FORMATS["labelme"].read(tmp_path / "out").project
    assert [c.name for c in back.categories.values()].count("_background_") == 1
