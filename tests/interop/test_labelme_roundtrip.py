"""A COCO project written as LabelMe and read back keeps its objects' file keys (attributes, track_id)
and boxes, and the writer names what LabelMe cannot hold."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pixelproof.interop.coco_io import read_coco
from pixelproof.interop.labelme import read_labelme
from pixelproof.interop.labelme_writer import write_labelme

FIXTURE = Path("/work/shared/fixtures/labelme/instance_segmentation/data_dataset_coco")


def _project(tmp_path: Path):
    """labelme2coco's export of LabelMe's example (21 categories with ``_background_``, boxes from the
    rasterized polygons) with CVAT-style attributes and a track id on each object."""
    doc = json.loads((FIXTURE / "annotations.json").read_text())
    for i, a in enumerate(doc["annotations"]):
        a["attributes"] = {"occluded": i % 2 == 0, "color": "red"}
        a["track_id"] = 100 + i
    shutil.copytree(FIXTURE / "JPEGImages", tmp_path / "JPEGImages")
    (tmp_path / "project.json").write_text(json.dumps(doc))
    return read_coco(tmp_path / "project.json").project


def _by_place(project):
    """Objects keyed by (image file, category name, order in the image): ids are renumbered."""
    names = {c.id: c.name for c in project.categories.values()}
    out = {}
    for image in project.images.values():
        for n, a in enumerate(sorted(project.annotations_of(image.id), key=lambda a: a.id)):
            out[(Path(image.file_name).name, names[a.category_id], n)] = a
    return out


def test_round_trip_keeps_objects_field_by_field(tmp_path):
    before = _project(tmp_path)
    warnings = write_labelme(before, tmp_path / "lm")
    after = read_labelme(tmp_path / "lm").project
    old, new = _by_place(before), _by_place(after)
    assert old.keys() == new.keys() and len(old) == 12
    for key, a in old.items():
        b = new[key]
        assert b.extra == a.extra, key  # attributes and track_id back where the COCO reader put them
        assert b.bbox == a.bbox, key  # labelme2coco's box of the rasterized polygon, not the vertex box
        assert b.segmentation == a.segmentation, key
        assert (b.iscrowd, b.score) == (a.iscrowd, a.score), key
        # an object in several parts has no group id in the project: the one linking its shapes is not its
        assert b.app_extra == a.app_extra, key
        assert b.area == a.area, key  # labelme2coco's area (PIL's pixels), not pycocotools' count
    assert any(a.bbox != _vertex_box(a) for a in old.values())  # the boxes this checks do differ
    # the empty _background_ category cannot come back: the writer says so
    assert "_background_" in {c.name for c in before.categories.values()}
    assert {c.name for c in before.categories.values()} - {c.name for c in after.categories.values()} == {
        "_background_"
    }
    assert any("_background_" in w and "labels.txt's _background_ line" in w for w in warnings)
    assert any("license" in w and "ids are renumbered" in w for w in warnings)


def _vertex_box(a):
    from pixelproof.core.masks import polygons_bbox

    return polygons_bbox(a.segmentation)


def test_file_keys_are_shape_keys_labelme_and_x_anylabeling_keep(tmp_path):
    before = _project(tmp_path)
    write_labelme(before, tmp_path / "lm")
    shape = json.loads((tmp_path / "lm" / "2011_000003.json").read_text())["shapes"][0]
    assert shape["attributes"] == {"occluded": True, "color": "red"}  # where X-AnyLabeling reads them
    assert shape["track_id"] == 100  # an unknown key LabelMe keeps (other_data)


def test_a_moved_polygon_gets_its_new_box(tmp_path):
    write_labelme(_project(tmp_path), tmp_path / "lm")
    f = tmp_path / "lm" / "2011_000003.json"
    doc = json.loads(f.read_text())
    doc["shapes"][0]["points"] = [[x + 40, y] for x, y in doc["shapes"][0]["points"]]
    f.write_text(json.dumps(doc))
    after = read_labelme(f).project
    a = min(after.annotations.values(), key=lambda a: a.id)
    assert a.bbox == _vertex_box(a)


def test_shape_attributes_of_x_anylabeling_stay_object_attributes(tmp_path):
    """A shape's attributes without PixelProof's file_keys (X-AnyLabeling's own) stay the object's."""
    write_labelme(_project(tmp_path), tmp_path / "lm")
    f = tmp_path / "lm" / "2011_000003.json"
    doc = json.loads(f.read_text())
    for s in doc["shapes"]:
        s.pop("pixelproof", None)
    f.write_text(json.dumps(doc))
    a = min(read_labelme(f).project.annotations.values(), key=lambda a: a.id)
    assert a.app_extra["attributes"] == {"occluded": True, "color": "red"} and a.extra == {}
