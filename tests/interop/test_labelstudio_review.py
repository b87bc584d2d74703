"""Label Studio imports a user can be misled by: a task whose annotation lost a region marked Done (then
exported as a checked negative), a label spelt in another case than the config's, two tasks on one image
file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.interop.formats import FORMATS
from pixelproof.interop.labelstudio import read_labelstudio


def _box(label: str = "cat", x: float = 10) -> dict:
    value = {"x": x, "y": 10, "width": 20, "height": 20, "rotation": 0, "rectanglelabels": [label]}
    return {"type": "rectanglelabels", "original_width": 200, "original_height": 100, "value": value}


def _broken_brush(label: str = "cat") -> dict:
    return {
        "type": "brushlabels",
        "original_width": 200,
        "original_height": 100,
        "value": {"format": "rle", "rle": [0, 1, 2], "brushlabels": [label]},
    }


def _export(tmp_path: Path, tasks: list, names: list[str], config: str | None = None) -> Path:
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (200, 100)).save(tmp_path / name)
    if config is not None:
        (tmp_path / "label_config.xml").write_text(config)
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    return path


def test_a_task_whose_regions_were_skipped_is_not_done(tmp_path: Path) -> None:
    """A damaged brush is reported and skipped: the annotation held it, so the image is no checked negative
    (an empty YOLO label); it stays To do and exports leave it out, as every reader's record rule does."""
    export = _export(
        tmp_path,
        [
            {"id": 1, "data": {"image": "a.png"}, "annotations": [{"id": 1, "result": [_box()]}]},
            {"id": 2, "data": {"image": "b.png"}, "annotations": [{"id": 2, "result": [_broken_brush()]}]},
            {
                "id": 3,
                "data": {"image": "c.png"},
                "annotations": [{"id": 3, "result": [_box(), _broken_brush()]}],
            },
            {"id": 4, "data": {"image": "d.png"}, "annotations": [{"id": 4, "result": []}]},
        ],
        ["a.png", "b.png", "c.png", "d.png"],
    )
    result = read_labelstudio(export)
    project = result.project
    by_name = {im.file_name: im.id for im in project.images.values()}
    assert result.skipped["results"] == 2
    assert {n: project.image_status(i) for n, i in by_name.items()} == {
        "a.png": "done",
        "b.png": "todo",
        "c.png": "todo",
        "d.png": "done",
    }
    warnings = FORMATS["yolo"].write(project, tmp_path / "yolo", images="copy")
    assert "b.png" in warnings[0] and "left out" in warnings[0]
    assert sorted(p.name for p in (tmp_path / "yolo" / "labels" / "train").iterdir()) == [
        "a.txt",
        "c.txt",
        "d.txt",
    ]


CONFIG = """<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">
<Label value="Butterfly" background="red"/></RectangleLabels></View>"""


def test_a_label_in_another_case_than_the_configs_is_the_configs_category(tmp_path: Path) -> None:
    """A config edited to 'Butterfly' after regions were drawn as 'butterfly': one category, the config's
    spelling, and one line saying which spellings were paired."""
    export = _export(
        tmp_path,
        [
            {"id": 1, "data": {"image": "a.png"}, "annotations": [{"result": [_box("butterfly")]}]},
            {
                "id": 2,
                "data": {"image": "b.png"},
                "annotations": [{"result": [_box("Butterfly"), _box("moth")]}],
            },
        ],
        ["a.png", "b.png"],
        CONFIG,
    )
    result = read_labelstudio(export)
    project = result.project
    assert [c.name for c in project.categories.values()] == ["Butterfly", "moth"]
    butterfly = next(c.id for c in project.categories.values() if c.name == "Butterfly")
    assert sum(a.category_id == butterfly for a in project.annotations.values()) == 2
    said = [p for p in result.problems if "'butterfly'" in p]
    assert len(said) == 1 and "'Butterfly'" in said[0] and "tasks[0]" in said[0], result.problems


def test_two_tasks_on_one_image_file_are_said(tmp_path: Path) -> None:
    """The same image imported twice, and two uploads of different pictures both called img.png (Label
    Studio's 8-hex upload prefix told them apart) matched to the one img.png on disk: each is a second
    record of one file (its objects apart from the first's), named with both tasks."""
    export = _export(
        tmp_path,
        [
            {"id": 1, "data": {"image": "/data/local-files/?d=a.png"}, "annotations": [{"result": [_box()]}]},
            {"id": 2, "data": {"image": "/data/local-files/?d=a.png"}, "annotations": [{"result": [_box()]}]},
            {"id": 3, "data": {"image": "/data/upload/1/3f2a9c1b-img.png"}, "annotations": [{"result": []}]},
            {"id": 4, "data": {"image": "/data/upload/1/a1b2c3d4-img.png"}, "annotations": [{"result": []}]},
        ],
        ["a.png", "img.png"],
    )
    result = read_labelstudio(export)
    assert [im.file_name for im in result.project.images.values()] == ["a.png", "a.png", "img.png", "img.png"]
    said = [p for p in result.problems if "also" in p]
    assert len(said) == 2, result.problems
    assert "tasks[1] (id 2)" in said[0] and "tasks[0] (id 1)" in said[0] and "a.png" in said[0]
    assert "tasks[3] (id 4)" in said[1] and "tasks[2] (id 3)" in said[1] and "a1b2c3d4-img.png" in said[1]


def test_a_box_turned_many_times_over_is_its_angle_mod_360(tmp_path: Path) -> None:
    """Any finite rotation is a turn: 1e9 degrees is 280 (1e9 = 2777777 x 360 + 280), -80 is 280 too; such a
    box was skipped as no angle, losing a region a hand-edited or scripted export still means."""
    turned = []
    for rotation in (280, 1e9, -80):
        box = _box()
        box["value"]["rotation"] = rotation
        turned.append(box)
    path = _export(tmp_path, [{"data": {"image": "a.png"}, "annotations": [{"result": turned}]}], ["a.png"])
    result = read_labelstudio(path)
    polys = [a.segmentation[0] for a in result.project.annotations.values()]
    assert len(polys) == 3 and not [p for p in result.problems if "finite angle" in p]
    assert np.allclose(polys[1], polys[0]) and np.allclose(polys[2], polys[0])
