"""Label Studio JSON, read and written, checked against label-studio-converter (Label Studio's own converter
and brush RLE reference, a test-only dependency) on real exports from its repository (tests/data/labelstudio,
Apache-2.0, see SOURCE.md there)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.model import Annotation, Project, is_pending_prediction
from pixelproof.interop import read_coco, write_coco
from pixelproof.interop.formats import FORMATS, detect_format
from pixelproof.interop.labelstudio import read_labelstudio
from pixelproof.interop.labelstudio_writer import write_labelstudio

brush = pytest.importorskip("label_studio_converter.brush")
DATA = Path(__file__).resolve().parents[1] / "data" / "labelstudio"
FMT = FORMATS["labelstudio"]


def _coco_by_converter(export: str, config: str, tmp_path: Path) -> dict:
    from label_studio_converter import Converter

    logging.disable(logging.WARNING)  # it logs each image it cannot download
    try:
        Converter(str(DATA / config), str(tmp_path)).convert_to_coco(
            str(DATA / export), str(tmp_path / "coco"), is_dir=False
        )
    finally:
        logging.disable(logging.NOTSET)
    return json.loads((tmp_path / "coco" / "result.json").read_text())


def _tasks(path: Path, tasks: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tasks))
    return path


def _box(x: float, y: float, w: float, h: float, label: str = "cat", **more) -> dict:
    value = {"x": x, "y": y, "width": w, "height": h, "rotation": 0, "rectanglelabels": [label]}
    return {
        "type": "rectanglelabels",
        "from_name": "label",
        "to_name": "image",
        "original_width": 200,
        "original_height": 100,
        "image_rotation": 0,
        "value": value,
        **more,
    }


# ---------------------------------------------------------------------------------------------------
# real exports against label-studio-converter


def test_boxes_match_the_converters_coco_and_the_latest_annotation_is_kept(tmp_path: Path) -> None:
    """data.json: task 1 annotated twice (annotations 1 and 2), task 2 once. One version per image comes
    in - the most recent - and the other is reported by id; its boxes are the converter's COCO boxes."""
    result = read_labelstudio(DATA / "data.json", label_config=DATA / "label_config.xml")
    project = result.project
    coco = _coco_by_converter("data.json", "label_config.xml", tmp_path)
    # the converter makes an image per annotation (task 1's two versions, task 2's)
    theirs = [[a["bbox"] for a in coco["annotations"] if a["image_id"] == im["id"]] for im in coco["images"]]
    ours = [[a.bbox for a in project.annotations_of(im)] for im in project.images]
    assert [[k for k, boxes in enumerate(theirs) if np.allclose(boxes, mine)] for mine in ours] == [[0], [2]]
    assert [c.name for c in project.categories.values()] == ["parasites", "white"]  # the config's order
    assert [c.color for c in project.categories.values()] == ["#da01ee", "#00ff00"]  # rgba() colours
    assert result.skipped["annotations"] == 1
    assert any("tasks[0] (id 1): annotation 1 not imported" in p for p in result.problems)
    assert any("no image file named image1" in p and "'/image1'" in p for p in result.problems)
    assert project.app["image_status"] == {str(i): "done" for i in project.images}


def test_rotated_boxes_are_the_converters_corners(tmp_path: Path) -> None:
    """data_obb.json: 25 rectangles rotated about their top-left corner. Each is a polygon whose corners
    are the converter's YOLO-OBB corners (turned in pixels, as Label Studio draws them); the report says
    so once. Its COCO export is no reference here: it turns the box in percent units, which skews it on
    these non-square images (597 x 768), so its boxes differ from the turned rectangle's."""
    from label_studio_converter.utils import convert_annotation_to_yolo_obb

    result = read_labelstudio(DATA / "data_obb.json", label_config=DATA / "label_config_obb.xml")
    tasks = json.loads((DATA / "data_obb.json").read_text())
    regions = [r for t in tasks for r in t["annotations"][0]["result"]]
    ours = list(result.project.annotations.values())
    assert len(ours) == len(regions) == 25 and all(a.kind == "polygon" for a in ours)
    for a, r in zip(ours, regions, strict=True):
        w, h = r["original_width"], r["original_height"]
        corners = convert_annotation_to_yolo_obb({**r["value"], "original_width": w, "original_height": h})
        assert np.allclose(np.reshape(a.segmentation[0], (4, 2)), np.array(corners) * (w, h))
    assert sum("25 rotated boxes imported as 4-corner polygons" in p for p in result.problems) == 1


def test_polygons_match_the_converters_coco(tmp_path: Path) -> None:
    result = read_labelstudio(DATA / "data_polygons.json", label_config=DATA / "label_config_polygons.xml")
    (a,) = result.project.annotations.values()
    (theirs,) = _coco_by_converter("data_polygons.json", "label_config_polygons.xml", tmp_path)["annotations"]
    assert np.allclose(a.segmentation[0], theirs["segmentation"][0])
    assert np.allclose(a.bbox, theirs["bbox"])


def _brush_task(tmp_path: Path, *, prediction: bool) -> tuple[Path, dict]:
    made = brush.image2annotation(
        str(DATA / "test.png"),
        "Airplane",
        "tag",
        "image",
        model_version="v1" if prediction else None,
        score=0.5,
    )
    task = {"id": 7, "data": {"image": "/data/upload/3/0a1b2c3d-plane.png"}}
    task["predictions" if prediction else "annotations"] = [made]
    Image.new("RGB", Image.open(DATA / "test.png").size).save(tmp_path / "imgs" / "plane.png")
    return _tasks(tmp_path / "export" / "project.json", [task]), made["result"][0]


@pytest.mark.parametrize("prediction", [False, True], ids=["annotation", "prediction"])
def test_brush_masks_are_the_references_decoding(tmp_path: Path, prediction: bool) -> None:
    """A brush region made by the converter from a real mask image: pixel-equal to ``brush.decode_rle``
    (alpha not 0); a prediction is a pending model object with its score. The uploaded file's name
    (8 hex digits and a dash before it) is found without its prefix in the images folder."""
    (tmp_path / "imgs").mkdir()
    export, region = _brush_task(tmp_path, prediction=prediction)
    result = read_labelstudio(export, image_dir=tmp_path / "imgs")
    assert result.problems == []
    (image,) = result.project.images.values()
    assert image.file_name == "plane.png" and result.project.image_path(image).is_file()
    (a,) = result.project.annotations.values()
    w, h = region["original_width"], region["original_height"]
    want = brush.decode_rle(region["value"]["rle"]).reshape(h, w, 4)[:, :, 3] > 0
    assert want.any() and np.array_equal(a.mask(h, w), want)
    assert is_pending_prediction(a) == prediction
    assert (a.source, a.score) == (("model:v1", 0.5) if prediction else (None, None))
    status = result.project.app.get("image_status", {})
    assert status.get(str(image.id)) == (None if prediction else "done")  # predictions alone: To do


def test_written_brush_rle_decodes_to_our_masks(sample_project: Project, tmp_path: Path) -> None:
    """The writer's RLE read by the reference decoder is every mask, pixel for pixel (RGBA 255 inside)."""
    write_labelstudio(sample_project, tmp_path / "out")
    tasks = json.loads((tmp_path / "out" / "tasks.json").read_text())
    masks = [a for a in sample_project.annotations.values() if a.kind == "mask"]
    assert masks
    for a in masks:
        image = sample_project.images[a.image_id]
        task = next(t for t in tasks if t["id"] == image.id)
        (region,) = [r for r in task["annotations"][0]["result"] if r["type"] == "brushlabels"]
        decoded = brush.decode_rle(region["value"]["rle"]).reshape(image.height, image.width, 4)
        assert np.array_equal(decoded, np.repeat(a.mask(image.height, image.width)[..., None], 4, 2) * 255)


# ---------------------------------------------------------------------------------------------------
# round trip


def _by_image(project: Project) -> list[list[Annotation]]:
    return [sorted(project.annotations_of(i), key=lambda a: (a.bbox[0], a.bbox[1])) for i in project.images]


def test_coco_labelstudio_coco_loses_only_what_lost_on_export_says(
    sample_project: Project, tmp_path: Path
) -> None:
    """Everything but review state comes back (the sample's accepted object has it): boxes, the
    two-part polygon as one object, the mask pixel for pixel, scores, notes, category order and
    colours, a model's pending object with its score, image files found in images/."""
    model = next(a for a in sample_project.annotations.values() if a.kind == "polygon")
    model.source, model.review, model.score = "model:yolo", "pending", 0.25
    warnings = FMT.write(sample_project, tmp_path / "ls")
    assert warnings == []
    assert (tmp_path / "ls" / "label_config.xml").is_file()
    assert detect_format(tmp_path / "ls" / "tasks.json") is FMT
    result = FMT.read(tmp_path / "ls" / "tasks.json")
    assert result.problems == [] and not result.skipped
    write_coco(result.project, tmp_path / "back" / "project.json")
    back = read_coco(tmp_path / "back" / "project.json").project
    assert [(c.name, c.color) for c in back.categories.values()] == [
        (c.name, c.color) for c in sample_project.categories.values()
    ]
    for image, before, after in zip(  # objects in the same order: a model's are read after the others
        sample_project.images.values(), _by_image(sample_project), _by_image(back), strict=True
    ):
        assert back.image_path(back.images[after[0].image_id]).is_file()
        assert len(before) == len(after)
        for a, b in zip(before, after, strict=True):
            assert (a.kind, a.category_id, a.score, a.note, a.source) == (
                b.kind,
                b.category_id,
                b.score,
                b.note,
                b.source,
            )
            assert np.allclose(a.bbox, b.bbox)
            if a.kind == "polygon":
                assert all(np.allclose(p, q) for p, q in zip(a.segmentation, b.segmentation, strict=True))
            assert np.array_equal(a.mask(image.height, image.width), b.mask(image.height, image.width))
            assert a.review == b.review or "review state" in FMT.lost_on_export
    (pending,) = [b for b in back.annotations.values() if is_pending_prediction(b)]
    assert (pending.source, pending.review, pending.score) == ("model:yolo", "pending", 0.25)


def test_statuses_empty_annotations_and_unlabeled_images(tmp_path: Path) -> None:
    """A task annotated with nothing is labelled (Done) and exported as an empty image; a task without
    annotations (or only a cancelled one) is To do, left out by exports as not labelled yet; a written
    Done image without objects comes back Done."""
    export = _tasks(
        tmp_path / "e.json",
        [
            {
                "id": 1,
                "data": {"image": "a.png"},
                "annotations": [{"id": 1, "result": [_box(10, 10, 20, 20)]}],
            },
            {"id": 2, "data": {"image": "b.png"}, "annotations": [{"id": 2, "result": []}]},
            {
                "id": 3,
                "data": {"image": "c.png"},
                "annotations": [{"id": 3, "result": [], "was_cancelled": True}],
            },
            {"id": 4, "data": {"image": "d.png"}, "annotations": []},
        ],
    )
    for name in "abcd":
        Image.new("RGB", (200, 100)).save(tmp_path / f"{name}.png")
    result = read_labelstudio(export)
    project = result.project
    assert project.app["image_status"] == {"1": "done", "2": "done"}
    assert [project.images[i].file_name for i in project.unlabeled_image_ids()] == ["c.png", "d.png"]
    assert any("tasks[2] (id 3): annotation 3 not imported: cancelled" in p for p in result.problems)
    warnings = FMT.write(project, tmp_path / "out")
    assert "2 images left out as not labelled yet" in warnings[0]
    tasks = json.loads((tmp_path / "out" / "tasks.json").read_text())
    assert [(t["id"], len(t["annotations"][0]["result"])) for t in tasks] == [(1, 1), (2, 0)]
    back = read_labelstudio(tmp_path / "out").project
    assert back.app["image_status"] == {"1": "done", "2": "done"}


def test_choices_and_keypoints_are_kept_and_written_back(tmp_path: Path) -> None:
    """Image-level choices and keypoints enclose no area: kept in the image extras, reported once, and
    written back with a tag for them in the label config."""
    choice = {"type": "choices", "from_name": "quality", "to_name": "img", "value": {"choices": ["blurry"]}}
    point = {
        "type": "keypointlabels",
        "from_name": "kp",
        "to_name": "img",
        "original_width": 200,
        "original_height": 100,
        "value": {"x": 5, "y": 5, "width": 1, "keypointlabels": ["eye"]},
    }
    export = _tasks(
        tmp_path / "e.json",
        [
            {
                "id": 1,
                "data": {"image": "a.png"},
                "annotations": [{"id": 1, "result": [choice, point, _box(10, 10, 20, 20)]}],
            }
        ],
    )
    result = read_labelstudio(export)
    assert len(result.project.annotations) == 1
    assert any("1 choices, 1 keypointlabels" in p and "tasks[0] (id 1)" in p for p in result.problems)
    write_labelstudio(result.project, tmp_path / "out")
    (task,) = json.loads((tmp_path / "out" / "tasks.json").read_text())
    kept = [r for r in task["annotations"][0]["result"] if r["type"] in ("choices", "keypointlabels")]
    assert [r["value"] for r in kept] == [choice["value"], point["value"]]
    config = (tmp_path / "out" / "label_config.xml").read_text()
    assert '<Choices name="quality" toName="image">' in config and '<Choice value="blurry"' in config


# ---------------------------------------------------------------------------------------------------
# hostile input


def _bad_rle() -> list[tuple[str, object, str]]:
    good = brush.mask2rle(np.ones((100, 200), np.uint8) * 255)
    return [
        ("short", good[:10], "rle ends after"),
        ("other size", brush.mask2rle(np.ones((10, 20), np.uint8) * 255), "not width x height x 4"),
        ("not bytes", [300, -1], "whole numbers 0..255"),
        ("text", "abc", "non-empty list"),
        ("header only", good[:3], "shorter than its header"),
    ]


def test_hostile_regions_are_reported_where_they_are(tmp_path: Path) -> None:
    """Bad RLE, NaN and huge percentages, a huge original size, image names that try to leave the
    folder: each a located message, nothing crashes, the good region of the same task still comes in."""
    bad = [
        {
            "type": "brushlabels",
            "from_name": "b",
            "to_name": "image",
            "original_width": 200,
            "original_height": 100,
            "value": {"format": "rle", "rle": rle, "brushlabels": ["cat"]},
            "id": name,
        }
        for name, rle, _ in _bad_rle()
    ]
    bad += [
        _box(float("nan"), 1, 1, 1, id="nan"),
        _box(1e300, 1, 1, 1, id="huge"),
        _box(5000, 1, 1, 1, id="far"),
    ]
    bad += [
        {
            **_box(1, 1, 1, 1),
            "type": "polygonlabels",
            "value": {"points": [[1, 2], [3, 4], "x"], "polygonlabels": ["c"]},
        }
    ]
    bad += [_box(1, 1, 5, 5, id="turned", image_rotation=90), "not an object", _box(20, 20, 10, 10)]
    (tmp_path / "imgs").mkdir()
    Image.new("RGB", (5, 5)).save(tmp_path / "secret.png")  # beside the images folder, never named
    export = _tasks(
        tmp_path / "e" / "e.json",
        [
            {
                "id": 1,
                "data": {"image": "/data/local-files/?d=x/a.png"},
                "annotations": [{"id": 1, "result": bad}],
            },
            {"id": 2, "data": {"image": "/data/local-files/?d=.."}, "annotations": [{"result": []}]},
            {
                "id": 3,
                "data": {"image": "/data/local-files/?d=../secret.png"},
                "annotations": [{"result": [_box(1, 1, 1, 1)]}],
            },
            {
                "id": 4,
                "data": {"image": "b.png"},
                "annotations": [
                    {"result": [{**_box(1, 1, 1, 1), "original_width": 10**12, "original_height": 10**12}]}
                ],
            },
            {
                "id": 6,
                "data": {"image": "c.png"},
                "annotations": [{"result": [{**bad[0], "original_width": 60000, "original_height": 60000}]}],
            },
            {"id": 5, "data": {}},
            "not a task",
        ],
    )
    assert "NaN" in export.read_text()  # Python's json writes it; orjson refuses it
    result = read_labelstudio(export, image_dir=tmp_path / "imgs")
    problems = "\n".join(result.problems)
    for n, (_, _, why) in enumerate(_bad_rle()):
        assert f"tasks[0] (id 1): result[{n}] (brushlabels" in problems and why in problems
    assert "(rectanglelabels, id 'nan'): value.x must be a finite percentage, got nan" in problems
    assert "(rectanglelabels, id 'huge'): value.x must be a finite percentage" in problems
    assert "id 'far')" in problems  # far outside the image: the coordinate limit
    assert "is not an [x, y] pair" in problems and "image_rotation 90" in problems
    assert "annotation result[10]: 'not an object' is not an object; skipped" in problems
    assert "tasks[1] (id 2): data.image '/data/local-files/?d=..' names no file; skipped" in problems
    assert "tasks[5] (id 5): no data.image" in problems and "tasks[6]: no data.image" in problems
    project = result.project
    assert "tasks[3] (id 4): width 1000000000000 is over the limit" in problems
    assert "tasks[4] (id 6): result[0] (brushlabels, id 'short'): brush mask of 60000 x 60000" in problems
    assert [im.file_name for im in project.images.values()] == ["a.png", "secret.png", "c.png"]
    assert len(project.annotations) == 2  # the good box of task 1, and task 3's
    for image in project.images.values():  # the "../secret.png" task names a file in the images folder
        assert project.image_path(image).parent == tmp_path / "imgs"
    FMT.write(project, tmp_path / "out", images="copy")
    assert not (tmp_path / "out" / "images" / "secret.png").exists()  # not found, so never copied
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        ".pixelproof-export",
        "label_config.xml",
        "tasks.json",
    ]


def test_a_config_with_entities_is_refused_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "label_config.xml").write_text(
        '<!DOCTYPE v [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><View><Labels name="l">'
        '<Label value="&b;"/></Labels></View>'
    )
    export = _tasks(
        tmp_path / "e.json", [{"data": {"image": "a.png"}, "annotations": [{"result": [_box(1, 1, 5, 5)]}]}]
    )
    result = read_labelstudio(export)
    assert any(str(tmp_path / "label_config.xml") in p and "DTD" in p for p in result.problems)
    assert [c.name for c in result.project.categories.values()] == ["cat"]


def test_several_images_of_one_name_take_the_one_whose_path_matches(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / "imgs" / sub).mkdir(parents=True)
        Image.new("RGB", (200, 100)).save(tmp_path / "imgs" / sub / "x.png")
    export = _tasks(
        tmp_path / "e.json",
        [
            {
                "data": {"image": "/data/local-files/?d=b/x.png"},
                "annotations": [{"result": [_box(1, 1, 5, 5)]}],
            },
            {"data": {"image": "s3://bucket/x.png"}, "annotations": [{"result": [_box(1, 1, 5, 5)]}]},
        ],
    )
    result = read_labelstudio(export, image_dir=tmp_path / "imgs")
    assert [im.file_name for im in result.project.images.values()] == ["b/x.png", "a/x.png"]
    assert any("tasks[1]: 2 files named x.png" in p for p in result.problems)
    shutil.rmtree(tmp_path / "imgs")


def test_predictions_but_not_the_one_the_annotation_was_made_from(tmp_path: Path) -> None:
    """An annotator who corrected a prediction made the annotation from it (``parent_prediction``): that
    prediction is the annotation, so it does not come in twice; another model's does, as pending."""
    Image.new("RGB", (200, 100)).save(tmp_path / "a.png")
    task = {
        "id": 1,
        "data": {"image": "a.png"},
        "annotations": [{"id": 1, "parent_prediction": 5, "result": [_box(10, 10, 20, 20)]}],
        "predictions": [
            {"id": 5, "model_version": "v1", "score": 0.9, "result": [_box(11, 10, 20, 20)]},
            {"id": 6, "model_version": "v2", "result": [_box(50, 50, 9, 9, score=0.4)]},
        ],
    }
    export = _tasks(tmp_path / "e.json", [task])
    found = {}
    for mode in ("all", "unannotated", "skip"):
        project = read_labelstudio(export, import_predictions=mode).project
        found[mode] = sorted((a.source, a.score) for a in project.annotations.values() if a.source)
    assert found == {"all": [("model:v2", 0.4)], "unannotated": [], "skip": []}


def test_brush_rle_with_colours_and_damaged_streams(tmp_path: Path) -> None:
    """Label Studio's RLE of coloured RGBA pixels (channels differ: literal runs) decodes to the
    reference's alpha; a stream cut short or with bytes changed is refused with a reason, never a
    crash or a mask of the wrong size."""
    from pixelproof.interop.labelstudio_rle import RleError, decode

    rng = np.random.default_rng(3)
    rgba = np.zeros((30, 40, 4), np.uint8)
    rgba[5:20, 8:30] = (255, 0, 0, 200)
    rgba[::3, ::5, :3] = rng.integers(0, 255, (10, 8, 3))
    rle = brush.encode_rle(rgba.ravel())
    want = brush.decode_rle(rle).reshape(30, 40, 4)[:, :, 3] > 0
    assert np.array_equal(decode(rle, 40, 30, "x"), want)
    for k in range(200):
        damaged = list(rle)
        if k % 2:
            damaged = damaged[: rng.integers(0, len(rle))]
        else:
            at = rng.integers(0, len(rle), 3)
            damaged = [int(rng.integers(0, 256)) if i in at else v for i, v in enumerate(rle)]
        try:
            mask = decode(damaged, 40, 30, "x")
        except RleError as e:
            assert str(e)
        else:
            assert mask.shape == (30, 40)


@pytest.mark.parametrize(
    ("export", "config"),
    [("data.json", "label_config.xml"), ("data_polygons.json", "label_config_polygons.xml")],
)
def test_json_min_export_reads_as_its_json_export(export: str, config: str, tmp_path: Path) -> None:
    """Label Studio's JSON-MIN (written here by its own converter from the real exports) was read as tasks
    with no data.image, every record skipped: now each record is an annotation of its task, the same
    objects as the JSON export gives, the format said, and detected without --from."""
    from label_studio_converter import Converter

    logging.disable(logging.WARNING)
    try:
        Converter(str(DATA / config), str(tmp_path)).convert_to_json_min(
            str(DATA / export), str(tmp_path / "min"), is_dir=False
        )
    finally:
        logging.disable(logging.NOTSET)
    shutil.copy(DATA / config, tmp_path / "min" / "label_config.xml")
    shutil.copy(DATA / config, tmp_path / "label_config.xml")
    shutil.copy(DATA / export, tmp_path / "tasks.json")
    min_file = tmp_path / "min" / "result.json"
    assert detect_format(min_file) is FMT
    said: list[str] = []
    got = read_labelstudio(min_file, on_problem=said.append).project
    want = read_labelstudio(tmp_path / "tasks.json").project

    def objects(project: Project) -> list[tuple]:
        names = {c.id: c.name for c in project.categories.values()}
        return sorted(
            (Path(project.image(a.image_id).file_name).name, names[a.category_id], tuple(np.round(a.bbox, 3)))
            for a in project.annotations.values()
        )

    assert objects(got) and objects(got) == objects(want)
    assert [got.image_status(i) for i in got.images] == [want.image_status(i) for i in want.images]
    assert any("JSON-MIN" in s for s in said)
    assert not any("no data.image" in s for s in said)


def test_a_prediction_accepted_goes_back_marked_as_label_studio_marks_one_taken_from_a_model(
    tmp_path: Path,
) -> None:
    """A model's box accepted in PixelProof is written in the task's annotation with ``origin``
    "prediction", Label Studio's mark of a region taken from a prediction (its editor's 'prediction' |
    'prediction-changed' | 'manual'); a hand-drawn one "manual". Before, both were "manual": the export
    said a person drew what a model proposed."""
    from pixelproof.core.geometry import clone
    from pixelproof.core.labels import set_review

    Image.new("RGB", (200, 100)).save(tmp_path / "a.png")
    task = {
        "id": 1,
        "data": {"image": "a.png"},
        "annotations": [{"id": 1, "result": [_box(10, 10, 20, 20, id="hand")]}],
        "predictions": [{"id": 6, "model_version": "v2", "result": [_box(50, 50, 9, 9, id="m", score=0.4)]}],
    }
    project = read_labelstudio(_tasks(tmp_path / "e.json", [task])).project
    (model,) = [a for a in project.annotations.values() if is_pending_prediction(a)]
    accepted = clone(model)
    set_review(accepted, "accepted")
    project.replace_annotation(accepted)
    write_labelstudio(project, tmp_path / "out")
    (written,) = json.loads((tmp_path / "out" / "tasks.json").read_text())
    assert "predictions" not in written
    assert {r["id"]: r["origin"] for r in written["annotations"][0]["result"]} == {
        "hand": "manual",
        "m": "prediction",
    }
