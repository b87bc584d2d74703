"""An export that leaves images out (not labelled yet, rejected in review) or objects (pending, rejected)
writes the top-level ``pixelproof`` entries of the images and objects it writes only: a status, a review
decision, the time spent or a "not a problem" decision of an image not in the file made it inconsistent
and told what was left out. The project itself keeps them all."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
from PIL import Image
from pycocotools.coco import COCO

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.interop.formats import FORMATS

# per-image maps of the top-level pixelproof object (docs/format.md), keyed by image id
IMAGE_MAPS = ("image_status", "image_review", "time_spent", "overlap_annotators", "consensus")


def _square(ann_id: int, image_id: int, x: float, **app: str) -> Annotation:
    ann = Annotation(
        ann_id, image_id, 1, [x, 4.0, 6.0, 6.0], [[x, 4.0, x + 6, 4.0, x + 6, 10.0, x, 10.0]], 36.0
    )
    for key, value in app.items():
        setattr(ann, key, value)
    return ann


def _project(tmp_path: Path) -> Project:
    """``done.png`` (a pore drawn, and a model's pending one; Done), ``unseen.png`` (nothing, To do: not
    labelled yet), ``rejected.png`` (Reviewed, rejected as a whole); every per-image map holds all three."""
    src = tmp_path / "src"
    src.mkdir()
    project = new_project(["pore"])
    for i, name in enumerate(["done.png", "unseen.png", "rejected.png"], start=1):
        Image.fromarray(np.full((30, 40), 90 + i, dtype=np.uint8)).save(src / name)
        project.add_image(ImageRecord(i, name, 40, 30))
    project.add_annotation(_square(1, 1, 4.0))
    project.add_annotation(_square(2, 1, 20.0, source="model:x", review="pending"))
    project.add_annotation(_square(3, 3, 4.0, review="accepted"))
    app = project.app
    app["image_status"] = {"1": "done", "2": "todo", "3": "reviewed"}
    app["image_review"] = {
        k: {"review": r, "updated": "t0"} for k, r in (("1", "accepted"), ("3", "rejected"))
    }
    app["time_spent"] = {k: {"ann": 12.5} for k in ("1", "2", "3")}
    app["overlap_annotators"] = {k: ["ann", "bob"] for k in ("1", "2", "3")}
    app["consensus"] = {k: "staple" for k in ("1", "2", "3")}
    app["shard"] = {  # an annotator's shard exported: what it was dealt, by image
        "annotator": "ann",
        "at_split": {k: "hash" + k for k in ("1", "2", "3")},
        "status_at_split": {k: "todo" for k in ("1", "2", "3")},
        "files_at_split": {k: {"path": f"/data/{k}.png", "width": 40, "height": 30} for k in ("1", "2", "3")},
        "categories": {"1": "pore"},
    }
    app["lint"] = {
        "dismissed": [
            "duplicate|1|1",  # written
            "duplicate|1|2",  # its object is pending: left out
            "missing_object|1|pore@1,1,2,2",  # written: no object id
            "tiny_object|3|3",  # its image is left out
            "blank_image|2|-",  # its image is left out
            "a key of another form",  # names nothing: kept
        ]
    }
    project.path = src / "project.json"
    return project


def _check_written(out: Path, project: Project, written: set[int]) -> dict:
    """The file's per-image entries are those of ``written`` (the images in it), as in the project."""
    doc = json.loads(out.read_text())
    assert {im["id"] for im in doc["images"]} == written
    app = doc["pixelproof"]
    for key in IMAGE_MAPS:
        assert app[key] == {k: v for k, v in project.app[key].items() if int(k) in written}, key
    shard = project.app["shard"]
    assert app["shard"] == {
        k: {i: e for i, e in v.items() if int(i) in written} if k.endswith("_split") else v
        for k, v in shard.items()
    }
    assert set(COCO(str(out)).getImgIds()) == written  # pycocotools reads it as the same images
    back = FORMATS["coco"].read(out).project
    assert set(back.images) == written
    assert {i: back.image_status(i) for i in back.images} == {i: project.image_status(i) for i in written}
    return app


def test_left_out_images_leave_no_entries(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = copy.deepcopy(project.app)
    out = tmp_path / "out.json"
    FORMATS["coco"].write(project, out)
    app = _check_written(out, project, {1})
    assert app["lint"]["dismissed"] == [
        "duplicate|1|1",
        "missing_object|1|pore@1,1,2,2",
        "a key of another form",
    ]
    assert project.app == before  # the project keeps them


def test_kept_images_keep_their_entries(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = tmp_path / "out.json"
    FORMATS["coco"].write(project, out, unlabeled="keep", pending="keep", rejected="keep")
    app = _check_written(out, project, {1, 2, 3})
    assert app["lint"] == project.app["lint"]


def test_a_subset_of_the_images_leaves_no_entries(tmp_path: Path) -> None:
    """convert --changed-since exports a snapshot of some images: the others' entries are not written."""
    project = _project(tmp_path)
    out = tmp_path / "out.json"
    FORMATS["coco"].write(project.snapshot([2, 3]), out, unlabeled="keep", rejected="keep")
    app = _check_written(out, project, {2, 3})
    assert app["lint"]["dismissed"] == ["tiny_object|3|3", "blank_image|2|-", "a key of another form"]
