"""``convert --to coco`` writes a box-only object's box outline as its segmentation: pycocotools'
``annToRLE`` / ``annToMask`` and torchvision's detection reference read ``segmentation`` on every object.
PixelProof reads the file back with the box-only objects box-only, and the project's own save is as it was."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.box_outline import KEY
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Project
from pixelproof.interop.formats import FORMATS

mask_api = pytest.importorskip("pycocotools.mask", reason="pycocotools not installed")
COCO = pytest.importorskip("pycocotools.coco", reason="pycocotools not installed").COCO


def _export(project_file: Path, out: Path) -> dict:
    assert main(["convert", str(project_file), str(out), "--from", "coco", "--to", "coco"]) == 0
    return json.loads(out.read_text())


def test_every_exported_object_has_a_segmentation_pycocotools_rasterizes(
    sample_project: Project, tmp_path: Path
) -> None:
    out = tmp_path / "coco" / "instances.json"
    doc = _export(sample_project.path, out)
    boxes = [a.id for a in sample_project.annotations.values() if a.kind == "box"]
    assert len(boxes) == 2
    coco = COCO(str(out))
    for ann in coco.dataset["annotations"]:
        image = sample_project.images[ann["image_id"]]
        rle = coco.annToRLE(ann)  # KeyError without a segmentation, IndexError on []
        assert mask_api.area(rle) == coco.annToMask(ann).sum()
        want = masks.annotation_mask(sample_project.annotations[ann["id"]], image.height, image.width)
        assert np.array_equal(coco.annToMask(ann).astype(bool), want)  # a box: the pixels the app shows
        # torchvision's references/detection ConvertCocoPolysToMask, per object:
        if isinstance(ann["segmentation"], list):
            mask_api.decode(mask_api.frPyObjects(ann["segmentation"], image.height, image.width))
    by_id = {d["id"]: d for d in doc["annotations"]}
    assert [by_id[i]["pixelproof"][KEY] for i in boxes] == [None, None]


def test_the_export_reads_back_box_only_and_a_second_export_is_the_same_file(
    sample_project: Project, tmp_path: Path
) -> None:
    first = tmp_path / "one" / "instances.json"
    _export(sample_project.path, first)
    saved = load_project(sample_project.path)
    for back in (FORMATS["coco"].read(first).project, load_project(first)):
        assert back.annotations == saved.annotations  # kinds, boxes, areas, extras: nothing changed
        assert not any(KEY in a.app_extra for a in back.annotations.values())
    again = tmp_path / "again.json"
    save_project(load_project(first), again)
    second = tmp_path / "two" / "instances.json"
    _export(again, second)
    assert second.read_bytes() == first.read_bytes()


def test_the_projects_own_save_writes_no_segmentation_for_a_box(sample_project: Project) -> None:
    saved = json.loads(sample_project.path.read_text())["annotations"]
    assert ["segmentation" in d for d in saved] == [
        a.kind != "box" for a in sample_project.annotations.values()
    ]


def test_an_empty_segmentation_read_as_is_goes_back_as_it_was(tmp_path: Path) -> None:
    """A COCO file of another tool opened as a project keeps CVAT's ``segmentation: []`` for a box."""
    src = tmp_path / "cvat.json"
    src.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.png", "width": 40, "height": 30}],
                "categories": [{"id": 1, "name": "car"}],
                "annotations": [
                    {"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 3, 10, 5], "area": 50,
                     "iscrowd": 0, "segmentation": []}
                ],
            }
        )
    )  # fmt: skip
    opened = load_project(src)
    assert opened.annotations[1].segmentation == []
    out = tmp_path / "coco.json"
    FORMATS["coco"].write(opened, out)
    doc = json.loads(out.read_text())
    assert doc["annotations"][0]["segmentation"] == [[2, 3, 12, 3, 12, 8, 2, 8]]
    assert doc["annotations"][0]["pixelproof"] == {KEY: []}
    assert load_project(out).annotations[1].segmentation == []
    assert FORMATS["coco"].read(out).project.annotations[1].segmentation is None  # as reading `[]` gives


def test_an_outline_another_tool_moved_is_read_as_the_polygon_it_now_is(
    sample_project: Project, tmp_path: Path
) -> None:
    out = tmp_path / "coco.json"
    doc = _export(sample_project.path, out)
    box = next(d for d in doc["annotations"] if d["pixelproof"].get(KEY, 0) is None)
    box["segmentation"][0][2] += 3  # a corner dragged in another tool
    out.write_text(json.dumps(doc))
    back = load_project(out).annotations[box["id"]]
    assert back.kind == "polygon" and back.segmentation == box["segmentation"]
    assert KEY not in back.app_extra  # the mark meant "the outline is the box": no longer so, not kept
