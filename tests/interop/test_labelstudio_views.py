"""A Label Studio task of several pictures (a multi-view config: ``<Image name="front" value="$front"/>``
and ``<Image name="side" value="$side"/>``, each control bound by ``toName``): each picture is an image of
its own with the results whose ``to_name`` names it, a result naming no picture is skipped and said, never
put on another one, and the export writes the task back whole, each result on its picture, so a round
trip mixes no views. The exports are made as Label Studio writes them (percent values,
``original_width/height``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.model import Project
from pixelproof.interop import labelstudio_rle
from pixelproof.interop.labelstudio import read_labelstudio, write_labelstudio

CONFIG = """<View>
  <Image name="front" value="$front" zoom="true"/>
  <RectangleLabels name="front_box" toName="front"><Label value="Car"/></RectangleLabels>
  <Image name="side" value="$side"/>
  <RectangleLabels name="side_box" toName="side"><Label value="Car"/><Label value="Wheel"/></RectangleLabels>
  <BrushLabels name="side_paint" toName="side"><Label value="Road"/></BrushLabels>
  <Choices name="quality" toName="side"><Choice value="sharp"/><Choice value="blurry"/></Choices>
</View>"""
FRONT, SIDE = (200, 100), (300, 150)  # the two pictures' sizes: a result on the wrong one would not fit


def _box(name: str, to: str, size: tuple[int, int], x: float, label: str) -> dict:
    return {
        "id": f"{to}-{x:g}", "type": "rectanglelabels", "from_name": name, "to_name": to,
        "original_width": size[0], "original_height": size[1], "image_rotation": 0,
        "value": {"x": x, "y": 10, "width": 20, "height": 40, "rotation": 0, "rectanglelabels": [label]},
    }  # fmt: skip


def _road() -> np.ndarray:
    mask = np.zeros((SIDE[1], SIDE[0]), bool)
    mask[100:140, 30:270] = True
    return mask


def _tasks() -> list[dict]:
    brush = {
        "id": "paint1", "type": "brushlabels", "from_name": "side_paint", "to_name": "side",
        "original_width": SIDE[0], "original_height": SIDE[1], "image_rotation": 0,
        "value": {"format": "rle", "rle": labelstudio_rle.encode(_road()), "brushlabels": ["Road"]},
    }  # fmt: skip
    choice = {"id": "q1", "type": "choices", "from_name": "quality", "to_name": "side",
              "origin": "manual", "value": {"choices": ["blurry"]}}  # fmt: skip
    return [
        {
            "id": 41,
            "data": {"front": "/data/local-files/?d=cars/front_1.png",
                     "side": "/data/upload/3/9a8b7c6d-side_1.png"},
            "annotations": [{
                "id": 7, "completed_by": 1, "was_cancelled": False, "ground_truth": False,
                "created_at": "2026-01-05T10:00:00.000000Z", "updated_at": "2026-01-05T10:01:00.000000Z",
                "result": [_box("front_box", "front", FRONT, 10, "Car"),
                           _box("side_box", "side", SIDE, 50, "Wheel"), brush, choice],
            }],
            "predictions": [{"id": 3, "model_version": "det-v2", "score": 0.8,
                             "result": [_box("side_box", "side", SIDE, 70, "Car")]}],
        }
    ]  # fmt: skip


def _export(tmp_path: Path, tasks: list[dict]) -> Path:
    Image.new("RGB", FRONT).save(tmp_path / "front_1.png")
    Image.new("RGB", SIDE).save(tmp_path / "side_1.png")
    (tmp_path / "label_config.xml").write_text(CONFIG)
    path = tmp_path / "project-3-at-2026-01-05.json"
    path.write_text(json.dumps(tasks))
    return path


def _objects(project: Project, file_name: str) -> list[tuple]:
    image = project.image_by_file_name(file_name)
    return sorted(
        (project.categories[a.category_id].name, a.kind, a.source, [round(v, 3) for v in a.bbox])
        for a in project.annotations_of(image.id)
    )


def test_each_result_goes_to_the_picture_its_to_name_names(tmp_path: Path) -> None:
    result = read_labelstudio(_export(tmp_path, _tasks()))
    project = result.project
    front, side = project.image_by_file_name("front_1.png"), project.image_by_file_name("side_1.png")
    assert (front.width, front.height, side.width, side.height) == (*FRONT, *SIDE)
    assert _objects(project, "front_1.png") == [("Car", "box", None, [20.0, 10.0, 40.0, 40.0])]
    assert _objects(project, "side_1.png") == [
        ("Car", "box", "model:det-v2", [210.0, 15.0, 60.0, 60.0]),
        ("Road", "mask", None, [30.0, 100.0, 240.0, 40.0]),
        ("Wheel", "box", None, [150.0, 15.0, 60.0, 60.0]),
    ]
    road = next(a for a in project.annotations_of(side.id) if a.kind == "mask")
    assert np.array_equal(road.mask(*SIDE[::-1]), _road())
    # the choice stays with the picture it was made on; each picture says which view of which task it is
    ls_front, ls_side = (im.extra["pixelproof"]["labelstudio"] for im in (front, side))
    assert ls_front == {"task": 41, "view": "front"}
    assert ls_side["view"] == "side" and ls_side["task"] == 41
    assert [r["value"] for r in ls_side["results"]] == [{"choices": ["blurry"]}]
    assert project.app["image_status"] == {str(front.id): "done", str(side.id): "done"}
    assert any("2 images a task (<Image> front, side)" in p for p in result.problems)


def test_a_result_on_no_picture_of_the_config_is_skipped_and_said(tmp_path: Path) -> None:
    tasks = _tasks()
    stray = _box("top_box", "top", SIDE, 5, "Car")  # a view the config (edited since) no longer has
    tasks[0]["annotations"][0]["result"].append(stray)
    result = read_labelstudio(_export(tmp_path, tasks))
    project = result.project
    assert len(_objects(project, "front_1.png")) == 1 and len(_objects(project, "side_1.png")) == 3
    said = [p for p in result.problems if "'top'" in p]
    assert said and "tasks[0] (id 41): result[4]" in said[0] and "names no <Image>" in said[0]
    assert "from_name 'top_box'" in said[0]
    assert result.skipped["results"] == 1
    assert project.app.get("image_status", {}) == {}  # not read whole: no picture is a checked one


def test_a_picture_missing_from_the_task_data_is_named_the_other_imported(tmp_path: Path) -> None:
    tasks = _tasks()
    del tasks[0]["data"]["side"]
    result = read_labelstudio(_export(tmp_path, tasks))
    assert [im.file_name for im in result.project.images.values()] == ["front_1.png"]
    assert len(_objects(result.project, "front_1.png")) == 1
    said = [p for p in result.problems if "no data.side" in p]
    assert said and '(id 41) <Image name="side">' in said[0] and "4 results not imported" in said[0]


def test_json_min_results_go_to_the_picture_their_control_is_bound_to(tmp_path: Path) -> None:
    """JSON-MIN has no to_name: each control's picture is the config's toName."""
    record = {
        "front": "/data/local-files/?d=front_1.png", "side": "/data/local-files/?d=side_1.png", "id": 41,
        "annotation_id": 7, "annotator": "ann@example.com",
        "front_box": [{"x": 10, "y": 10, "width": 20, "height": 40, "rotation": 0,
                       "rectanglelabels": ["Car"], "original_width": FRONT[0], "original_height": FRONT[1]}],
        "side_box": [{"x": 50, "y": 10, "width": 20, "height": 40, "rotation": 0,
                      "rectanglelabels": ["Wheel"], "original_width": SIDE[0], "original_height": SIDE[1]}],
    }  # fmt: skip
    project = read_labelstudio(_export(tmp_path, [record])).project
    assert _objects(project, "front_1.png") == [("Car", "box", None, [20.0, 10.0, 40.0, 40.0])]
    assert _objects(project, "side_1.png") == [("Wheel", "box", None, [150.0, 15.0, 60.0, 60.0])]


def test_a_round_trip_writes_the_task_back_whole_each_result_on_its_picture(tmp_path: Path) -> None:
    """The export wrote each picture as a task of its own (the written config showing one image a task):
    now the pictures of one task go back as that task, each under its data key, its results with its
    to_name and their controls' names, the config showing both pictures."""
    first = read_labelstudio(_export(tmp_path, _tasks())).project
    out = tmp_path / "out"
    warnings = write_labelstudio(first, out, images="copy")
    assert not any("<Image>" in w for w in warnings)
    (task,) = json.loads((out / "tasks.json").read_text())
    assert sorted(task["data"]) == ["front", "side"]
    results = [r for a in task["annotations"] for r in a["result"]]
    predicted = [r for p in task["predictions"] for r in p["result"]]
    made = sorted((r["type"], r["from_name"], r["to_name"]) for r in results)
    assert made == [
        ("brushlabels", "side_paint", "side"),
        ("choices", "quality", "side"),
        ("rectanglelabels", "front_box", "front"),
        ("rectanglelabels", "side_box", "side"),
    ]
    assert [(r["from_name"], r["to_name"]) for r in predicted] == [("side_box", "side")]
    size = {"front": FRONT, "side": SIDE}
    for r in [*results, *predicted]:  # each on its picture's size
        assert (r["original_width"], r["original_height"]) == size[r["to_name"]]
    config = (out / "label_config.xml").read_text()
    for tag in ('<Image name="front" value="$front"', '<Image name="side" value="$side"',
                '<RectangleLabels name="front_box" toName="front"',
                '<BrushLabels name="side_paint" toName="side"',
                '<Choices name="quality" toName="side"'):  # fmt: skip
        assert tag in config
    (out / "tasks.json").rename(out / "export.json")  # read back as Label Studio would export it
    back = read_labelstudio(out / "export.json", image_dir=out / "images").project
    for name in ("front_1.png", "side_1.png"):
        assert _objects(back, name) == _objects(first, name)
    side = back.image_by_file_name("side_1.png")
    assert [r["value"] for r in side.extra["pixelproof"]["labelstudio"]["results"]] == [
        {"choices": ["blurry"]}
    ]


def _placed(project: Project) -> dict[str, list[tuple]]:
    return {im.file_name: _objects(project, im.file_name) for im in project.images.values()}


def test_a_name_two_images_share_or_an_image_without_value_places_no_result(tmp_path: Path) -> None:
    """Hostile configs: the side view's results were put on the front picture (its boxes rescaled onto
    it) when a second <Image> shared the front's name or had no $value: now skipped, each said."""
    shared = CONFIG.replace('name="side" value="$side"', 'name="front" value="$side"')
    no_value = CONFIG.replace(' value="$side"', "")
    for config, why in (
        (shared, "to_name 'front' names several <Image> tags ($front, $side)"),
        (no_value, "to_name 'side' names an <Image> without a $value"),
    ):
        path = _export(tmp_path, _tasks())
        (tmp_path / "label_config.xml").write_text(config)
        result = read_labelstudio(path)
        placed = _placed(result.project)
        assert all(size == FRONT for size in [(im.width, im.height) for im in result.project.images.values()
                                              if im.file_name == "front_1.png"])  # fmt: skip
        assert placed.get("front_1.png", []) in ([], [("Car", "box", None, [20.0, 10.0, 40.0, 40.0])])
        assert placed.get("side_1.png", []) == []  # nothing guessed onto a picture
        said = [p for p in result.problems if why in p]
        assert said and all("tasks[0] (id 41)" in p and p.endswith("skipped") for p in said)


def test_json_min_control_bound_to_two_pictures_is_skipped_not_guessed(tmp_path: Path) -> None:
    both = '<RectangleLabels name="both_box" toName="front, side"><Label value="Car"/></RectangleLabels>'
    record = {
        "front": "/data/local-files/?d=front_1.png", "side": "/data/local-files/?d=side_1.png", "id": 41,
        "annotation_id": 7,
        "both_box": [{"x": 50, "y": 10, "width": 20, "height": 40, "rotation": 0, "rectanglelabels": ["Car"],
                      "original_width": SIDE[0], "original_height": SIDE[1]}],
    }  # fmt: skip
    path = _export(tmp_path, [record])
    (tmp_path / "label_config.xml").write_text(CONFIG.replace("</View>", both + "</View>"))
    result = read_labelstudio(path)
    assert _placed(result.project) == {"front_1.png": [], "side_1.png": []}  # was on front, rescaled
    said = [p for p in result.problems if "bound to front, side: not one picture" in p]
    assert said and "tasks[0] (id 41): result[0]" in said[0] and "from_name 'both_box'" in said[0]


def test_ten_thousand_image_tags_are_read_once_and_their_empty_views_said_a_few_times(tmp_path: Path) -> None:
    """Each task looked every view's name up among all the others (quadratic: 2 s a task at 10,000
    <Image> tags) and said each empty view (10,000 lines a task)."""
    views = "".join(f'<Image name="v{k}" value="$v{k}"/>' for k in range(10_000))
    path = _export(tmp_path, _tasks() * 3)
    (tmp_path / "label_config.xml").write_text(CONFIG.replace("<View>", "<View>" + views, 1))
    result = read_labelstudio(path)
    assert len(result.project.images) == 6
    assert [len(v) for v in _placed(result.project).values()] == [1, 3]  # one record a file name shown
    empty = [p for p in result.problems if "no data.v" in p]
    assert len(empty) == 5 and 'tasks[0] (id 41) <Image name="v0">' in empty[0]
    assert any("29,995 more views not in a task's data" in p for p in result.problems)
    assert any(
        "10,002 images a task (<Image> v0, v1, v2, v3, v4 and 9,997 more)" in p for p in result.problems
    )
