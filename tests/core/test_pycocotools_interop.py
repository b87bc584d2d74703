"""Files the app writes are read by the reference client, pycocotools, with the same pixels; real COCO
files survive load -> save -> load."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from pixelproof.core import masks
from pixelproof.core.coco import dumps_project, load_project, new_project, save_project
from pixelproof.core.coco_dump import project_to_dict
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.precision import round_annotations

H, W = 48, 64


def _quiet_coco(path: Path) -> COCO:
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


def _disc(cy: int, cx: int, r: int) -> np.ndarray:
    yy, xx = np.mgrid[:H, :W]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2


def tricky_project(with_boxes: bool = True, first_id: int = 0) -> Project:
    """What real COCO files hold: ids from 0, category 0, crowd with uncompressed RLE, multi-part
    polygons, box-only objects, info null, no licenses."""
    p = Project(extra={"info": None})
    p.add_category(Category(0, "background-ish", supercategory="thing"))
    p.add_category(Category(1, "cell", color="#ff0000", shortcut="1"))
    for i in range(3):
        p.add_image(ImageRecord(i, f"img{i}.png", W, H))
    aid = first_id

    def add(image_id: int, cat: int, seg: object, iscrowd: int = 0, bbox: list[float] | None = None) -> None:
        nonlocal aid
        if seg is None:
            area = bbox[2] * bbox[3]
        else:
            bbox = masks.segmentation_bbox(seg, H, W)
            area = masks.segmentation_area(seg, bbox, H, W)
        p.add_annotation(Annotation(aid, image_id, cat, bbox, seg, area, iscrowd, source="manual"))
        aid += 1

    for i in range(3):
        add(i, 1, [[5.0 + i, 5.0, 20.0, 6.0, 18.5, 19.0, 4.0, 17.0]])  # polygon
        add(i, 0, [[30.0, 30.0, 40.0, 30.0, 40.0, 40.0], [50.0, 5.0, 60.0, 5.0, 60.0, 15.5, 50.0, 15.0]])
        add(i, 1, masks.encode(_disc(30, 15 + i, 6)))  # compressed RLE mask
        ring = _disc(20, 45, 8) & ~_disc(20, 45, 3)  # a mask with a hole
        rle = mask_utils.encode(np.asfortranarray(ring.astype(np.uint8)))
        flat = ring.flatten(order="F").astype(np.int8)
        changes = np.flatnonzero(np.diff(np.concatenate(([0], flat, [2 if flat[-1] == 0 else 0]))))
        counts = np.diff(np.concatenate(([0], changes))).tolist()
        if flat[0] == 1:
            counts = [0, *counts]
        assert mask_utils.decode(mask_utils.frPyObjects({"size": [H, W], "counts": counts}, H, W)).sum() == (
            mask_utils.area(rle)
        )
        add(i, 0, {"size": [H, W], "counts": counts}, iscrowd=1)  # crowd, uncompressed RLE
        if with_boxes:
            add(i, 1, None, bbox=[10.0, 30.0, 12.0, 9.0])  # box-only
    return p


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, Project]:
    path = tmp_path / "project.json"
    save_project(tricky_project(), path)
    return path, load_project(path)


@pytest.fixture
def written_for_eval(tmp_path: Path) -> tuple[Path, Project]:
    """COCOeval stores the matched ground-truth *id* and treats 0 as "no match", so an annotation with
    id 0 can never count as found: a pycocotools limitation, not a file problem (the app numbers new
    annotations from 1). Image id 0 and category id 0 stay."""
    path = tmp_path / "project.json"
    save_project(tricky_project(first_id=1), path)
    return path, load_project(path)


def test_written_file_keeps_coco_conventions(written: tuple[Path, Project]) -> None:
    path, project = written
    doc = json.loads(path.read_text())
    assert doc["info"] is None and "licenses" not in doc
    assert min(a["id"] for a in doc["annotations"]) == 0
    assert {c["id"] for c in doc["categories"]} == {0, 1}
    kinds = {a.kind for a in project.annotations.values()}
    assert kinds == {"polygon", "mask", "box"}
    boxes = [a for a in doc["annotations"] if "segmentation" not in a]
    assert boxes and all(a["area"] == a["bbox"][2] * a["bbox"][3] for a in boxes)
    crowd = [a for a in doc["annotations"] if a["iscrowd"] == 1]
    assert crowd and all(isinstance(a["segmentation"]["counts"], list) for a in crowd)
    rle = [a for a in doc["annotations"] if isinstance(a.get("segmentation"), dict) and not a["iscrowd"]]
    assert rle and all(isinstance(a["segmentation"]["counts"], str) for a in rle)


def test_pycocotools_masks_equal_ours(written: tuple[Path, Project]) -> None:
    path, project = written
    coco = _quiet_coco(path)
    assert len(coco.getAnnIds()) == len(project.annotations)
    checked = 0
    for ann in project.annotations.values():
        ref = coco.anns[ann.id]
        if ann.kind == "box":
            assert "segmentation" not in ref
            continue
        img = project.images[ann.image_id]
        theirs = coco.annToMask(ref).astype(bool)
        ours = ann.mask(img.height, img.width)
        assert theirs.shape == ours.shape
        assert np.array_equal(theirs, ours), f"annotation {ann.id} ({ann.kind}) differs"
        assert ann.area == float(theirs.sum())
        checked += 1
    assert checked == 12


def _evaluate(gt_path: Path, results: list[dict], iou_type: str) -> np.ndarray:
    gt = _quiet_coco(gt_path)
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(results)
        ev = COCOeval(gt, dt, iou_type)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats


def test_cocoeval_bbox_on_all_annotations(written_for_eval: tuple[Path, Project]) -> None:
    path, project = written_for_eval
    results = [
        {"image_id": a.image_id, "category_id": a.category_id, "bbox": list(a.bbox), "score": 1.0}
        for a in project.annotations.values()
        if not a.iscrowd
    ]
    stats = _evaluate(path, results, "bbox")
    assert stats[0] == pytest.approx(1.0)  # AP@[.5:.95]
    assert stats[1] == pytest.approx(1.0)  # AP@.5


def test_cocoeval_bbox_sees_a_wrong_box(written_for_eval: tuple[Path, Project]) -> None:
    path, project = written_for_eval
    results = [
        {"image_id": a.image_id, "category_id": a.category_id, "bbox": list(a.bbox), "score": 1.0}
        for a in project.annotations.values()
        if not a.iscrowd
    ]
    results[0]["bbox"] = [0.0, 40.0, 3.0, 3.0]
    assert _evaluate(path, results, "bbox")[0] < 1.0


def test_cocoeval_segm_on_segmented_project(tmp_path: Path) -> None:
    path = tmp_path / "segm.json"
    save_project(tricky_project(with_boxes=False, first_id=1), path)
    project = load_project(path)
    results = []
    for a in project.annotations.values():
        if a.iscrowd:
            continue
        rle = masks.encode(a.mask(H, W))
        results.append(
            {"image_id": a.image_id, "category_id": a.category_id, "segmentation": rle, "score": 1.0}
        )
    stats = _evaluate(path, results, "segm")
    assert stats[0] == pytest.approx(1.0)


def _coco_json_files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*.json")):
        try:
            doc = json.loads(path.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(doc, dict) and {"images", "annotations", "categories"} <= doc.keys():
            found.append(path)
    return found


def test_shared_coco_files_round_trip(shared_fixtures: Path, tmp_path: Path) -> None:
    files = _coco_json_files(shared_fixtures)
    if not files:
        pytest.skip(f"no COCO json under {shared_fixtures}")
    for n, path in enumerate(files):
        first = load_project(path)
        out = tmp_path / str(n) / path.name
        out.parent.mkdir()
        save_project(first, out)
        second = load_project(out)
        # coordinates are written to 1/1000 px where that leaves every mask as it is (docs/format.md)
        expected = project_to_dict(first)
        expected["annotations"] = round_annotations(expected["annotations"])
        assert project_to_dict(second) == expected, path
        for aid, ann in first.annotations.items():
            image = first.images[ann.image_id]
            assert np.array_equal(second.annotations[aid].mask(image.height, image.width),
                                  ann.mask(image.height, image.width)), (path, aid)  # fmt: skip
        original = json.loads(path.read_text())
        original["annotations"] = round_annotations(original["annotations"])
        saved = json.loads(out.read_text())
        added = saved.pop("pixelproof")
        # other tools' files (and format 1) are saved as format 2, labeled on stored pixels (docs/format.md)
        assert added == {**original.pop("pixelproof", {}), "format": 2, "exif_orientation": "ignore"}
        # file names are rebased to the new folder; put them back before comparing the rest
        for img in saved["images"]:
            img["file_name"] = str(
                (out.parent / img["file_name"]).resolve().relative_to(path.parent.resolve())
            )
        assert saved == original, path
        coco = _quiet_coco(out)
        assert len(coco.anns) == len(first.annotations)


def test_round_trip_in_place_is_byte_stable(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    save_project(tricky_project(), path)
    first = path.read_bytes()
    loaded = load_project(path)
    assert dumps_project(loaded) == first
    save_project(loaded)  # the same bytes: not written again, so no backup is made of them
    assert path.read_bytes() == first and not (tmp_path / "p.json.bak").exists()


def test_new_project_numbers_categories_from_one() -> None:
    p = new_project(["a", "b"])
    assert sorted(p.categories) == [1, 2]
    assert copy.deepcopy(p) == p


def test_null_supercategory_and_score_are_kept(tmp_path: Path) -> None:
    """Exporters (labelme2coco, CVAT) write ``"supercategory": null``; it must come back as written."""
    doc = {
        "images": [{"id": 0, "file_name": "a.png", "width": 10, "height": 10}],
        "categories": [{"id": 0, "name": "a", "supercategory": None}, {"id": 1, "name": "b"}],
        "annotations": [
            {"id": 0, "image_id": 0, "category_id": 0, "bbox": [1, 1, 2, 2], "area": 4, "score": None},
            {"id": 1, "image_id": 0, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0},
        ],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    project = load_project(path)
    save_project(project)
    saved = json.loads(path.read_text())
    assert saved["categories"] == doc["categories"]
    assert saved["annotations"][0]["score"] is None
    assert "score" not in saved["annotations"][1]
    project.categories[0].supercategory = "thing"
    project.annotations[0].score = 0.5
    save_project(project)
    saved = json.loads(path.read_text())
    assert saved["categories"][0]["supercategory"] == "thing"
    assert saved["annotations"][0]["score"] == 0.5
