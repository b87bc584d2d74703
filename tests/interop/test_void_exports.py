"""Void regions (LabelMe's ``__ignore__``) in exports: a format with regions to ignore keeps them, one
without (YOLO, VOC XML) leaves them out and says how many - a class of them would be trained as objects;
COCO writes them as crowd regions, which trainers ignore."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation, Category, Project
from pixelproof.interop.formats import FORMATS


@pytest.fixture
def ignore_project(shared_fixtures: Path) -> Project:
    """LabelMe's instance segmentation example: 2 ``__ignore__`` regions on 2 of its images."""
    project = (
        FORMATS["labelme"].read(shared_fixtures / "labelme/instance_segmentation/data_annotated").project
    )
    assert sum(map(project.is_void, project.annotations.values())) == 2
    return project


@pytest.mark.parametrize("task", ["detect", "segment"])
def test_yolo_leaves_void_regions_out_and_says_so(ignore_project: Project, tmp_path: Path, task: str) -> None:
    out = tmp_path / "yolo"
    warnings = FORMATS["yolo"].write(ignore_project, out, task=task)
    assert "2 void regions on 2 images left out (__ignore__: YOLO has no regions to ignore" in "\n".join(
        warnings
    )
    classes = (out / "classes.txt").read_text().split("\n")
    assert "__ignore__" not in classes and "__ignore__" not in (out / "data.yaml").read_text()
    lines = [ln for f in (out / "labels").rglob("*.txt") for ln in f.read_text().splitlines()]
    objects = sum(not ignore_project.is_void(a) for a in ignore_project.annotations.values())
    parts = sum(
        len(a.segmentation) - 1
        for a in ignore_project.annotations.values()
        if task == "segment" and isinstance(a.segmentation, list) and not ignore_project.is_void(a)
    )
    assert len(lines) == objects + parts  # no line for a void region
    assert max(int(ln.split()[0]) for ln in lines) < len([c for c in classes if c])


def test_voc_leaves_void_regions_out_and_says_so(ignore_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "voc"
    warnings = FORMATS["voc"].write(ignore_project, out)
    assert any(w.startswith("2 void regions on 2 images left out (__ignore__: VOC XML") for w in warnings)
    assert not any("__ignore__" in f.read_text() for f in (out / "Annotations").glob("*.xml"))
    back = FORMATS["voc"].read(out).project
    assert len(back.annotations) == len(ignore_project.annotations) - 2


def test_labelme_and_masks_keep_void_regions(ignore_project: Project, tmp_path: Path) -> None:
    for name, options in (("labelme", {}), ("masks", {"mode": "semantic"})):
        FORMATS[name].write(ignore_project, tmp_path / name, **options)
        back = FORMATS[name].read(tmp_path / name).project
        assert sum(map(back.is_void, back.annotations.values())) == 2, name


def test_cityscapes_pngs_give_a_void_region_unlabeled(tmp_path: Path) -> None:
    """A void category outside the Cityscapes table is id 0 (``unlabeled``, ignored) in labelIds, not 34."""
    (tmp_path / "a.png").parent.mkdir(exist_ok=True)
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(tmp_path / "a.png")
    project = Project(path=tmp_path / "project.json")
    from pixelproof.core.model import ImageRecord

    project.add_image(ImageRecord(1, "a.png", 30, 20))
    project.add_category(Category(1, "car"))
    project.add_category(Category(2, "__ignore__", app_extra={"void": True}))
    project.add_annotation(Annotation(1, 1, 1, [0.0, 0.0, 10.0, 10.0], None, 100.0))
    project.add_annotation(Annotation(2, 1, 2, [15.0, 5.0, 10.0, 10.0], None, 100.0))
    warnings = FORMATS["cityscapes"].write(project, tmp_path / "cs")
    assert any(w.startswith("1 void region outside the Cityscapes table given label id 0") for w in warnings)
    ids = np.asarray(Image.open(next((tmp_path / "cs").rglob("*_labelIds.png"))))
    assert ids[5, 5] == 26  # car
    assert ids[10, 20] == 0 and not (ids >= 34).any()


def test_cityscapes_round_trip_keeps_a_void_category_void(ignore_project: Project, tmp_path: Path) -> None:
    """``__ignore__`` is no Cityscapes label: its regions are 0 (``unlabeled``) in the PNGs and keep their
    name in the JSON, which says they are void, so the polygons read back as void regions, not a class."""
    FORMATS["cityscapes"].write(ignore_project, tmp_path / "cs")
    back = FORMATS["cityscapes"].read(tmp_path / "cs", mode="polygons").project
    ignore = back.category_by_name("__ignore__")
    assert ignore is not None and ignore.void
    assert sum(map(back.is_void, back.annotations.values())) == 2
    assert not any(c.void for c in back.categories.values() if c.name != "__ignore__")
    semantic = FORMATS["cityscapes"].read(tmp_path / "cs", mode="semantic").project
    assert {c.name for c in semantic.categories.values() if c.void} == {"unlabeled"}


def test_coco_export_writes_void_regions_as_crowd_and_reads_them_back(
    ignore_project: Project, tmp_path: Path
) -> None:
    """A trainer reading the COCO export (pycocotools, detectron2: objects with ``iscrowd`` 0) does not see
    the ``__ignore__`` regions as objects to learn; PixelProof reads the file back as the same project."""
    void_ids = [a.id for a in ignore_project.annotations.values() if ignore_project.is_void(a)]
    ignore_project.annotations[void_ids[1]].iscrowd = 1  # one already a crowd region: stays one
    out = tmp_path / "coco" / "instances.json"
    warnings = FORMATS["coco"].write(ignore_project, out)
    assert any(w.startswith("1 void region (__ignore__) written with iscrowd 1") for w in warnings)
    doc = json.loads(out.read_text())
    crowd = {d["id"]: d["iscrowd"] for d in doc["annotations"]}
    assert [crowd[i] for i in void_ids] == [1, 1]
    assert sum(crowd.values()) == 2  # the objects keep theirs
    ignore = next(c for c in doc["categories"] if c["name"] == "__ignore__")
    assert ignore["pixelproof"]["void"] is True  # listed: detectron2 refuses an object of an unlisted id
    for back in (FORMATS["coco"].read(out).project, load_project(out)):
        assert {a.id: (a.iscrowd, "iscrowd" in a.app_extra) for a in back.annotations.values()} == {
            a.id: (a.iscrowd, False) for a in ignore_project.annotations.values()
        }
    coco = pytest.importorskip("pycocotools.coco", reason="pycocotools not installed").COCO(str(out))
    trained = coco.loadAnns(coco.getAnnIds(iscrowd=False))
    assert trained and not any(a["category_id"] == ignore["id"] for a in trained)
    save_project(ignore_project, tmp_path / "project.json")  # only exports mark them: the project as drawn
    saved = json.loads((tmp_path / "project.json").read_text())["annotations"]
    assert sum(d["iscrowd"] for d in saved) == 1
