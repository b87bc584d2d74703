"""A small project on disk with every kind of object (box, polygons, a mask with a hole) to convert."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import masks
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord, Project


def _add(project: Project, image: ImageRecord, cat: int, **geometry) -> Annotation:
    h, w = image.height, image.width
    ann_id = project.next_annotation_id()
    if "mask" in geometry:
        m = geometry["mask"]
        a = Annotation(ann_id, image.id, cat, masks.bbox(m), masks.encode(m), float(m.sum()))
    elif "polygons" in geometry:
        p = geometry["polygons"]
        box = masks.polygons_bbox(p)
        a = Annotation(ann_id, image.id, cat, box, p, masks.segmentation_area(p, box, h, w))
    else:
        b = geometry["bbox"]
        a = Annotation(ann_id, image.id, cat, b, None, float(b[2] * b[3]))
    return project.add_annotation(a)


@pytest.fixture
def sample_project(tmp_path: Path) -> Project:
    """Two images (one in a subfolder) with non-overlapping objects; saved as ``tmp/src/project.json``."""
    src = tmp_path / "src"
    (src / "imgs" / "sub").mkdir(parents=True)
    rng = np.random.default_rng(0)
    project = new_project(["cat", "dog", "traffic light"])
    for i, (name, (w, h)) in enumerate([("imgs/a.png", (80, 60)), ("imgs/sub/b.jpg", (64, 48))], start=1):
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(src / name)
        project.add_image(ImageRecord(i, name, w, h))
    a, b = project.images[1], project.images[2]
    _add(project, a, 1, bbox=[2.0, 3.0, 20.0, 10.0])
    _add(project, a, 2, polygons=[[30.0, 5.0, 50.0, 5.0, 45.0, 25.0]])
    ring = np.zeros((60, 80), dtype=bool)
    ring[30:55, 10:40] = True
    ring[36:48, 18:30] = False  # a hole
    _add(project, a, 3, mask=ring)
    _add(project, b, 1, polygons=[[5.5, 5.0, 20.0, 6.0, 18.0, 20.0, 4.0, 18.5], [40, 30, 60, 30, 60, 45]])
    ann = _add(project, b, 2, bbox=[25.0, 10.0, 10.0, 8.0])
    ann.review, ann.note, ann.score = "accepted", "checked twice", 0.75
    save_project(project, src / "project.json")
    return project


@pytest.fixture
def ct_study(tmp_path: Path) -> Path:
    """``study/CT2``: pydicom's 4-slice CT series (its bundled test data, MIT licence) copied for a test."""
    import shutil

    from pydicom.data import get_testdata_file

    src = get_testdata_file("dicomdirtests", download=False)
    if src is None:
        pytest.skip("pydicom's dicomdirtests are not bundled")
    study = tmp_path / "study"
    shutil.copytree(Path(src) / "77654033" / "CT2", study / "CT2")
    return study
