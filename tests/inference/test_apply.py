"""Predictions -> annotations: category mapping, new categories, ids, fields; the project is untouched."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from pixelproof.core.category_colors import default_color
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.masks import decode
from pixelproof.core.model import ImageRecord, Project
from pixelproof.inference.apply import (
    PredictionMapper,
    prelabel_project,
)
from pixelproof.inference.base import Backend, Prediction
from pixelproof.inference.class_mapping import parse_mapping


def project_with_images(n: int = 2):
    p = new_project(["cat", "dog"])
    for i in range(1, n + 1):
        p.add_image(ImageRecord(i, f"img{i}.png", 40, 30))
    return p


def preds() -> list[Prediction]:
    mask = np.zeros((30, 40), bool)
    mask[5:15, 10:30] = True
    return [
        Prediction("cat", 0.9, [10, 5, 20, 10], mask=mask),
        Prediction("person", 0.8, [-5, 2, 20, 100]),  # clipped to the image
        Prediction("bird", 0.7, [1, 1, 2, 2], polygon=[[1, 1, 5, 1, 5, 5, 1, 5]]),
        Prediction("cat", 0.6, [0, 0, 1, 1], mask=np.zeros((30, 40), bool)),  # empty: dropped
    ]


def test_convert_does_not_touch_the_project_and_fills_every_field() -> None:
    project = project_with_images()
    before = copy.deepcopy(project)
    mapper = PredictionMapper(project, "model:x/m.onnx@1")
    prop = mapper.convert(project.image(1), preds())
    assert project == before
    assert [c.name for c in prop.categories] == ["person", "bird"]
    assert [c.id for c in prop.categories] == [3, 4]
    assert prop.categories[0].color == default_color(3)
    assert prop.ignored == 1
    cat, person, bird = prop.annotations
    assert [a.id for a in prop.annotations] == [1, 2, 3]
    assert (cat.category_id, person.category_id, bird.category_id) == (1, 3, 4)
    for a in prop.annotations:
        assert (a.source, a.review, a.iscrowd, a.image_id) == ("model:x/m.onnx@1", "pending", 0, 1)
        assert a.updated and a.updated.endswith("Z")
    assert cat.kind == "mask" and cat.area == 200 and cat.bbox == [10.0, 5.0, 20.0, 10.0]
    assert decode(cat.segmentation)[5:15, 10:30].all()
    assert mask_utils.area({"size": [30, 40], "counts": cat.segmentation["counts"].encode()}) == 200
    assert person.kind == "box" and person.bbox == [0.0, 2.0, 15.0, 28.0] and person.area == 15 * 28
    assert bird.kind == "polygon" and bird.score == 0.7
    # the next image's proposal continues the ids and reuses the categories created above
    prop2 = mapper.convert(project.image(2), preds())
    assert prop2.categories == []
    assert [a.id for a in prop2.annotations] == [4, 5, 6]
    prop.edit().apply(project)
    prop2.edit().apply(project)
    assert len(project.annotations) == 6 and project.category_by_name("person").id == 3


def test_only_existing_and_mapping() -> None:
    project = project_with_images()
    mapper = PredictionMapper(project, "s", only_existing=True, mapping={"person": "dog", "cat": None})
    prop = mapper.convert(project.image(1), preds())
    assert prop.categories == []
    assert [project.category(a.category_id).name for a in prop.annotations] == ["dog"]
    assert prop.ignored == 3
    assert parse_mapping(["person=dog", "cat="]) == {"person": "dog", "cat": None}
    with pytest.raises(ValueError, match="expected model_name=category"):
        parse_mapping(["person"])


class Fixed(Backend):
    name = "fixed"

    def predict(self, image, prompt=None):
        if image.mean() > 100:
            raise RuntimeError("too bright")
        return preds()[:2]


def test_prelabel_project_continues_after_failures(tmp_path: Path) -> None:
    import cv2

    project = project_with_images(4)
    cv2.imwrite(str(tmp_path / "img1.png"), np.zeros((30, 40), np.uint8))
    cv2.imwrite(str(tmp_path / "img2.png"), np.full((30, 40), 255, np.uint8))  # backend raises
    cv2.imwrite(str(tmp_path / "img3.png"), np.zeros((31, 40), np.uint8))  # wrong size
    # img4.png missing
    project.path = tmp_path / "p.json"
    failed = []
    report = prelabel_project(project, Fixed(), on_failure=lambda f, r: failed.append((f, r)))
    assert report.images == 4 and report.succeeded == 1 and report.annotations == 2
    assert report.new_categories == ["person"]
    assert [f for f, _ in failed] == ["img2.png", "img3.png", "img4.png"]
    assert "too bright" in failed[0][1]
    assert "40x31 but the project says 40x30" in failed[1][1]
    assert "not found" in failed[2][1]
    save_project(project)
    again = load_project(project.path)
    assert len(again.annotations) == 2


def test_a_serial_run_reads_the_next_picture_while_the_model_runs(tmp_path: Path, monkeypatch) -> None:
    """Serial pre-labeling (one image a task) decodes picture i+1 in a thread while the model runs on
    picture i; every picture is read once. The backend waits for that read: without it, it times out."""
    import threading

    import cv2

    from pixelproof.inference import batch

    project = project_with_images(3)
    for i in (1, 2, 3):
        cv2.imwrite(str(tmp_path / f"img{i}.png"), np.zeros((30, 40), np.uint8))
    project.path = tmp_path / "p.json"
    reads: list[str] = []
    read = {name: threading.Event() for name in ("img1.png", "img2.png", "img3.png")}
    real = batch.read_checked

    def counting(path, *args):
        reads.append(Path(path).name)
        read[Path(path).name].set()
        return real(path, *args)

    monkeypatch.setattr(batch, "read_checked", counting)
    waited: list[bool] = []

    class Waits(Backend):
        name = "waits"

        def predict(self, image, prompt=None):
            nxt = f"img{len(waited) + 2}.png"
            waited.append(read[nxt].wait(20) if nxt in read else True)
            return preds()[:1]

    report = prelabel_project(project, Waits())
    assert report.succeeded == 3 and waited == [True, True, True]
    assert sorted(reads) == ["img1.png", "img2.png", "img3.png"]  # each once


def test_masks_predicted_on_a_slide_too_big_for_one_rle_are_stored_cropped(tmp_path: Path) -> None:
    """Tiled pre-labeling of a 66,000^2 slide (4.4 G pixels: no COCO RLE of the whole image exists) gives
    masks as crops at their tile's offset: each is stored cropped to its pixels with ``rle_origin``
    (docs/format.md), so the project saves, opens again and has the pixels where the model saw them."""
    from pixelproof.core.annotation_pixels import annotation_crop
    from pixelproof.core.limits import RLE_ORIGIN

    side = 66_000
    project = new_project(["cat"])
    project.add_image(ImageRecord(1, "slide.tif", side, side))
    tile = np.zeros((464, 464), bool)  # the last tile, against the far corner
    tile[100:300, 200:464] = True
    tile[400, 5] = True
    mapper = PredictionMapper(project, "model:x")
    found = Prediction("cat", 0.9, [65_541.0, 65_636.0, 459.0, 301.0], mask=tile, offset=(65_536, 65_536))
    prop = mapper.convert(project.image(1), [found])
    (ann,) = prop.annotations
    assert ann.app_extra[RLE_ORIGIN] == [65_541, 65_636]
    assert ann.segmentation["size"] == [301, 459]
    assert ann.bbox == [65_541.0, 65_636.0, 459.0, 301.0] and ann.area == 200 * 264 + 1
    prop.edit().apply(project)
    path = tmp_path / "slide.json"
    save_project(project, path)
    (again,) = load_project(path).annotations.values()
    rect, crop = annotation_crop(again, side, side)
    assert rect == (65_541, 65_636, 459, 301)
    np.testing.assert_array_equal(crop, tile[100:401, 5:464])


def test_a_mapper_resumed_from_its_checkpoint_gives_what_one_run_gives() -> None:
    """A sharded pre-label resumed after an interruption goes on from the last kept part's checkpoint:
    the same object ids, and the categories it had created (ids, and the colours counted from them) as
    if the whole job had run in one go. Checked against one mapper doing every image, as a JSON round
    trip (the checkpoint lives in a manifest file)."""
    import json

    from pixelproof.inference.apply import PredictionMapper, Shape

    def project() -> Project:
        p = new_project(["cat"])
        for i in (1, 2, 3):
            p.add_image(ImageRecord(i, f"{i}.png", 10, 10))
        return p

    def shapes(*names: str) -> list[Shape]:
        return [Shape(n, 0.9, None, [1.0, 1.0, 3.0, 3.0], 9.0) for n in names]

    work = [shapes("zebra", "cat"), shapes("yak", "zebra"), shapes("gnu", "yak", "cat")]
    whole = project()
    one = PredictionMapper(whole, "model:x", now="2020-01-01T00:00:00Z")
    expected = []
    for image_id, todo in zip((1, 2, 3), work, strict=True):
        proposal = one.adopt(whole.images[image_id], todo)
        for cat in proposal.categories:
            whole.add_category(cat)  # as write_shards does
        expected.append(proposal)
        if image_id == 1:
            state = json.loads(json.dumps(one.checkpoint()))
    again = project()
    later = PredictionMapper(again, "model:x", now="2020-01-01T00:00:00Z")
    for cat in later.resume(state):
        again.add_category(cat)
    for image_id, todo, proposal in zip((2, 3), work[1:], expected[1:], strict=True):
        resumed = later.adopt(again.images[image_id], todo)
        assert resumed.annotations == proposal.annotations
        assert resumed.categories == proposal.categories  # ids and colours
        for cat in resumed.categories:
            again.add_category(cat)


class Overlapping(Backend):
    """Two predictions of a class on top of each other, twice, and one of another class."""

    name = "overlapping"

    def predict(self, image, prompt=None):
        return [
            Prediction("cat", 0.9, [0, 0, 10, 10]),
            Prediction("cat", 0.8, [1, 0, 10, 10]),  # IoU 90/110 with the first
            Prediction("cat", 0.7, [20, 10, 10, 10]),
            Prediction("cat", 0.6, [20, 11, 10, 10]),  # IoU 90/110 with the one before
            Prediction("dog", 0.5, [20, 10, 10, 10]),  # another class: never a repeat
        ]


def test_repeats_of_an_object_and_of_another_prediction_are_counted_apart(tmp_path: Path) -> None:
    """A prelabel run on an empty project said "6 skipped (already labeled)": predictions dropped for
    repeating another prediction of the same run (a second NMS) were counted as already labeled. img1 has
    the cat [0, 0, 10, 10]: its first two cats repeat it, the fourth repeats the third; img2 has no object:
    its second and fourth cats repeat the first and third."""
    import cv2

    from pixelproof.core.model import Annotation

    project = project_with_images(2)
    for name in ("img1.png", "img2.png"):
        cv2.imwrite(str(tmp_path / name), np.zeros((30, 40), np.uint8))
    project.path = tmp_path / "p.json"
    project.add_annotation(Annotation(project.next_annotation_id(), 1, 1, [0.0, 0.0, 10.0, 10.0]))
    mapper = PredictionMapper(project, "model:overlapping")
    per_image = [mapper.convert(project.images[i], Overlapping().predict(None)) for i in (1, 2)]
    assert [(len(p.annotations), p.skipped, p.duplicates) for p in per_image] == [(2, 2, 1), (3, 0, 2)]
    report = prelabel_project(project, Overlapping())
    assert (report.annotations, report.skipped, report.duplicates) == (5, 2, 3)
    assert len(project.annotations) == 1 + 5
