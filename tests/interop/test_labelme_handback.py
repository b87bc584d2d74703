"""A LabelMe user's folder through PixelProof and back to a colleague still on LabelMe, on LabelMe's own
examples (../shared/fixtures/labelme): what LabelMe keeps on a save comes back, and ``--labels`` gives the
category ids ``labelme2coco`` gave."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.coco import load_project, read_json, save_project
from pixelproof.interop.labelme import read_labelme
from pixelproof.interop.labelme_writer import write_labelme


def test_labels_file_gives_labelme2coco_ids_and_geometry(labelme_dir: Path) -> None:
    """LabelMe's example keeps labels.txt beside data_annotated/, as ``labelme2coco --labels`` is given
    it: without the option the ids followed the order shapes came in (person 1), not labelme2coco's
    (person 15), so a model trained on one export read the other's classes wrong."""
    seg = labelme_dir / "instance_segmentation"
    result = read_labelme(seg / "data_annotated", labels=seg / "labels.txt")
    assert result.problems == []
    ours = result.project
    ref = read_json(seg / "data_dataset_coco" / "annotations.json")
    ref_cats = {c["id"]: c["name"] for c in ref["categories"]}
    our_ids = {c.name: c.id for c in ours.categories.values()}
    assert {n: our_ids[n] for i, n in ref_cats.items() if i > 0} == {
        n: i for i, n in ref_cats.items() if i > 0
    }
    names = {im["id"]: Path(im["file_name"]).name for im in ref["images"]}
    mine = {(Path(im.file_name).name, a.category_id, tuple(np.round(a.segmentation[0][:4], 2))): a
            for im in ours.images.values() for a in ours.annotations_of(im.id)}  # fmt: skip
    for ra in ref["annotations"]:
        key = (names[ra["image_id"]], ra["category_id"], tuple(np.round(ra["segmentation"][0][:4], 2)))
        a = mine[key]  # the same object under the same category id
        assert len(a.segmentation) == len(ra["segmentation"])
        for p, q in zip(a.segmentation, ra["segmentation"], strict=True):
            assert np.abs(np.array(p) - np.array(q)).max() <= 0.01
        # labelme2coco's box is that of the rasterized polygon's pixels: its corners within a pixel
        x, y, bw, bh = a.bbox
        rx, ry, rw, rh = ra["bbox"]
        assert np.abs(np.array([x - rx, y - ry, x + bw - rx - rw, y + bh - ry - rh])).max() <= 1.0, key
        # the area is pycocotools' count of the same polygons (labelme2coco counts PIL's pixels: README)
        h, w = ours.images[a.image_id].height, ours.images[a.image_id].width
        assert a.area == pytest.approx(float(masks.polygons_to_mask(ra["segmentation"], h, w).sum()))
    assert len(ref["annotations"]) == 12


def test_missing_labels_file_is_said(labelme_dir: Path, tmp_path: Path) -> None:
    seg = labelme_dir / "instance_segmentation"
    result = read_labelme(seg / "data_annotated", labels=tmp_path / "nope.txt")
    assert any("nope.txt: no such labels file" in p for p in result.problems)
    assert len(result.project.annotations) == 14


def test_round_trip_gives_a_labelme_colleague_back_what_labelme_keeps(
    labelme_dir: Path, tmp_path: Path
) -> None:
    """Lines, line strips and points (no objects here), a file's and a shape's keys LabelMe does not
    know (it keeps them on a save: ``otherData``, ``other_data``), file and shape flags and descriptions
    come back after a save of the project and an export to LabelMe; they were dropped."""
    src = tmp_path / "in"
    shutil.copytree(labelme_dir / "primitives", src)
    doc = json.loads((src / "primitives.json").read_text())
    doc["flags"] = {"blurry": True, "night": False}
    doc["reviewedBy"] = "kentaro"
    doc["shapes"][0]["flags"] = {"truncated": True}
    doc["shapes"][0]["description"] = "the big one"
    doc["shapes"][3]["track"] = {"id": 7}
    (src / "primitives.json").write_text(json.dumps(doc))

    project = read_labelme(src).project
    save_project(project, tmp_path / "project.json")
    out = tmp_path / "out"
    write_labelme(load_project(tmp_path / "project.json"), out)
    back = json.loads((out / "primitives.json").read_text())

    assert back["flags"] == {"blurry": True, "night": False}
    assert back["reviewedBy"] == "kentaro"
    by_type = {}
    for s in back["shapes"]:
        by_type.setdefault(s["shape_type"], []).append(s)
    for kind in ("line", "point", "linestrip"):
        (orig,) = [s for s in doc["shapes"] if s["shape_type"] == kind]
        (got,) = by_type[kind]
        assert (got["label"], got["points"]) == (orig["label"], orig["points"])
    first = next(s for s in back["shapes"] if s["shape_type"] == "rectangle")
    assert (first["flags"], first["description"]) == ({"truncated": True}, "the big one")
    polygon = next(s for s in back["shapes"] if s["label"] == "polygon")
    assert polygon["track"] == {"id": 7}
    # read again, they are the same objects and kept shapes, not doubled
    again = read_labelme(out).project
    assert len(again.annotations) == len(project.annotations)
    (image,) = again.images.values()
    assert len(image.extra["pixelproof"]["labelme_shapes"]) == 3
