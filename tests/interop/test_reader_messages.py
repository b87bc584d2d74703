"""Readers' messages stay few and safe: a problem a file has once per object is named for the first
``SAID_PER_FILE`` objects and counted in one more line (200,000 unclosed rings printed 200,001 lines); a
label file linked to a file outside the dataset is named, never read or echoed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import limits
from pixelproof.interop import read_coco, read_labelme, read_voc, read_yolo
from pixelproof.interop._util import SAID_PER_FILE
from pixelproof.interop.cvat import read_cvat
from pixelproof.interop.geojson import read_geojson
from tests.interop.test_bad_input import _image, _labelme
from tests.interop.test_hostile_input import _yolo


@pytest.fixture(autouse=True)
def outside_root_refused():  # type: ignore[no-untyped-def]
    limits.set_outside_root_allowed(False)
    yield
    limits.set_outside_root_allowed(False)


OPEN = [[[2, 2], [12, 2], [12, 12], [2, 12]]]  # no closing position


def _slide(folder: Path, features: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(folder / "slide.png")
    (folder / "slide.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return folder / "slide.geojson"


def _polygon(rings: object) -> dict:
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": rings}, "properties": {}}


def test_unclosed_rings_of_one_file_are_named_five_times_then_counted(tmp_path: Path) -> None:
    file = _slide(tmp_path / "a", [_polygon(OPEN) for _ in range(12)] + [{"geometry": 1}] * 7)
    result = read_geojson(file.parent)
    assert len(result.project.annotations) == 12  # all still read, closed
    unclosed = [p for p in result.problems if "ring not closed" in p]
    assert len(unclosed) == SAID_PER_FILE == 5
    assert unclosed[0].startswith(f"{file}: features[0].geometry.coordinates[0]: ring not closed")
    assert f"... and 7 more unclosed rings in {file}" in result.problems
    assert f"... and 2 more skipped features in {file}" in result.problems
    assert result.skipped["invalid"] == 7  # every one counted, said or not
    assert len(result.problems) == 5 + 1 + 5 + 1


def test_the_count_starts_again_for_each_file(tmp_path: Path) -> None:
    for name in ("a", "b"):
        _slide(tmp_path / name, [_polygon(OPEN) for _ in range(6)])
    result = read_geojson(tmp_path)
    assert sum("ring not closed" in p for p in result.problems) == 10
    assert sum(p.startswith("... and 1 more unclosed rings in ") for p in result.problems) == 2


def test_a_yolo_label_file_linked_outside_the_dataset_is_named_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    src = _yolo(tmp_path / "y", {"a": "0 0.5 0.5 0.2 0.2\n"})
    _image(src / "images" / "train" / "b.png")
    (src / "labels" / "train" / "b.txt").symlink_to(secret)
    result = read_yolo(src)
    label = src / "labels" / "train" / "b.txt"
    assert result.problems == [
        f"{label}: a link to a file outside the dataset folder {src}; not read (the command line's "
        "--allow-outside-root reads it); its image is imported without labels"
    ]
    assert result.skipped["files"] == 1 and len(result.project.images) == 2
    limits.set_outside_root_allowed(True)  # the user said so: read as any label file
    assert "root:x:0:0" in "\n".join(read_yolo(src).problems)


def test_a_link_inside_the_dataset_is_read(tmp_path: Path) -> None:
    src = _yolo(tmp_path / "y", {"a": "0 0.5 0.5 0.2 0.2\n"})
    _image(src / "images" / "train" / "b.png")
    (src / "labels" / "train" / "b.txt").symlink_to(src / "labels" / "train" / "a.txt")
    result = read_yolo(src)
    assert result.problems == [] and len(result.project.annotations) == 2


def test_a_bad_yolo_line_is_quoted_short(tmp_path: Path) -> None:
    src = _yolo(tmp_path / "y", {"a": "1" * 5000 + " 0.5 0.5 0.2 0.2\n" + "x" * 5000 + "\n"})
    problems = read_yolo(src).problems
    assert len(problems) == 2 and all(len(p) < len(str(src)) + 140 for p in problems)


def test_labelme_voc_and_geojson_files_linked_outside_the_folder_are_named_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    for name, reader, suffix in (
        ("lm", read_labelme, ".json"),
        ("voc", read_voc, ".xml"),
        ("gj", read_geojson, ".geojson"),
    ):
        target = outside / f"x{suffix}"
        target.write_text("{}" if suffix != ".xml" else "<annotation/>")
        folder = tmp_path / name
        folder.mkdir()
        (folder / f"x{suffix}").symlink_to(target)
        result = reader(folder)
        assert result.problems == [
            f"{folder / f'x{suffix}'}: a link to a file outside the dataset folder {folder}; not read "
            "(the command line's --allow-outside-root reads it)"
        ], name


def test_many_bad_yolo_lines_are_counted_after_five(tmp_path: Path) -> None:
    src = _yolo(tmp_path / "y", {"a": "0 0.5 0.5 0.2 0.2\n" + "7 0.5 0.5 0.2 0.2\n" * 9})
    result = read_yolo(src)
    label = src / "labels" / "train" / "a.txt"
    assert len(result.problems) == 6 and result.skipped["lines"] == 9
    assert result.problems[-1] == f"... and 4 more skipped lines in {label}"


def _circle(label: str, rim: list[float]) -> dict:
    return {"label": label, "points": [[10, 10], rim], "group_id": None, "shape_type": "circle", "flags": {}}


def test_a_labelme_circle_of_radius_0_is_named_and_skipped(tmp_path: Path) -> None:
    _image(tmp_path / "a.png")
    _labelme(tmp_path / "a.json", "a.png", [_circle("cell", [14, 10]), _circle("dot", [10, 10])])
    result = read_labelme(tmp_path)
    assert result.problems == [
        f"{tmp_path / 'a.json'}: shapes[1] (dot, circle): its centre and rim are one point (a circle of "
        "radius 0); skipped"
    ]
    assert [a.category_id for a in result.project.annotations.values()] == [
        result.project.category_by_name("cell").id
    ]
    assert result.skipped["invalid"] == 1


def test_many_bad_labelme_shapes_are_counted_after_five(tmp_path: Path) -> None:
    _image(tmp_path / "a.png")
    lines = [{"label": "x", "points": [[1, 1]] * k, "shape_type": "polygon"} for k in range(2)] * 4
    _labelme(
        tmp_path / "a.json", "a.png", [*lines, *[{"label": "p", "shape_type": "point", "points": []}] * 30]
    )
    result = read_labelme(tmp_path)
    file = tmp_path / "a.json"
    assert result.problems[0] == (
        f"{file}: skipped shapes that enclose no area: 30 point shapes (shapes[8]; shapes[9]; shapes[10]; "
        "shapes[11]; "
        "shapes[12] and 25 more) (no objects here; kept with the image and written back by a LabelMe export)"
    )
    assert result.problems[6] == f"... and 3 more skipped shapes in {file}"
    assert result.skipped["invalid"] == 8 and len(result.problems) == 7


def test_many_cvat_points_and_bad_boxes_are_counted_after_five(tmp_path: Path) -> None:
    _image(tmp_path / "a.png", 6, 5)
    shapes = '<points label="p" points="1,1"/>' * 9 + '<box label="x" xtl="nan" ytl="0" xbr="2" ybr="2"/>' * 6
    xml = tmp_path / "a.xml"
    xml.write_text(
        f'<annotations><image id="0" name="a.png" width="6" height="5">{shapes}</image></annotations>'
    )
    result = read_cvat(xml)
    assert len(result.problems) == 12
    assert result.problems[10] == f"... and 4 more shapes without area in {xml}"
    assert result.problems[11] == f"... and 1 more skipped shapes in {xml}"
    assert result.skipped["points"] == 9 and result.skipped["invalid"] == 6


def test_many_coco_images_not_found_are_counted_after_five(tmp_path: Path) -> None:
    images = [{"id": i, "file_name": f"gone{i}.png", "width": 4, "height": 3} for i in range(1, 9)]
    src = tmp_path / "coco.json"
    src.write_text(json.dumps({"images": images, "annotations": [], "categories": []}))
    result = read_coco(src)
    assert len(result.problems) == 6 and len(result.project.images) == 8
    assert result.problems[0].startswith(f"{src}: image 1: file gone1.png not found")
    assert result.problems[-1] == f"... and 3 more images not found in {src}"
