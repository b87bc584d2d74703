"""The lint page and messages as a user reads them: a shifted polygon's wording and the model's box in its
crop, a sub-pixel overshoot in px, JPEG crops a fraction of PNG's size, and cells that wrap long names."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

from pixelproof.core import report_html
from pixelproof.core.lint import lint_project, parse_rules
from pixelproof.core.lint import report as lint_report
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

CROP = re.compile(r"src='data:image/jpeg;base64,([^']+)'")


def labelme_people(tmp_path: Path, shared_fixtures: Path, shared_models: Path) -> Project:
    """LabelMe's instance-segmentation example (people and more) read as a project; skips without
    onnxruntime or the shared yolo11n model the tests then run on it."""
    from pixelproof.interop.labelme import read_labelme

    pytest.importorskip("onnxruntime")
    if not (shared_models / "yolo11n.onnx").is_file():
        pytest.skip(f"{shared_models / 'yolo11n.onnx'} not found")
    shutil.copytree(shared_fixtures / "labelme" / "instance_segmentation" / "data_annotated", tmp_path / "s")
    return read_labelme(tmp_path / "s").project


def yolo_predictions(project: Project, shared_models: Path) -> dict[int, list[Annotation]]:
    """yolo11n's predictions on the project's images, as lint takes them."""
    from pixelproof.inference.apply import predict_project
    from pixelproof.inference.registry import get_backend

    backend = get_backend("yolo-onnx")
    backend.configure(model_path=str(shared_models / "yolo11n.onnx"))
    return predict_project(project, backend)[0]


def test_a_shifted_polygon_is_not_worded_as_merely_oversized_and_its_crop_shows_the_model_box(
    tmp_path: Path, shared_fixtures: Path, shared_models: Path
) -> None:
    """LabelMe's own polygons, each shifted right by half its width: the left person of 2011_000006 then
    nests with its neighbour's smaller box and read "box is 2.0x the object the model sees", and its crop
    (a polygon, a model of boxes: no fix) showed no model box. The message now says the label also
    overlaps another person (shifted?), and the crop draws the model's box in green."""
    project = labelme_people(tmp_path, shared_fixtures, shared_models)
    for a in project.annotations.values():
        d = a.bbox[2] / 2
        a.segmentation = [[v + d * (k % 2 == 0) for k, v in enumerate(r)] for r in a.segmentation]
        a.bbox = [a.bbox[0] + d, *a.bbox[1:]]
    predictions = yolo_predictions(project, shared_models)
    result = lint_project(project, parse_rules({"thresholds": {"confident": 0.5}}), predictions)
    oversized = [p for p in result.problems if p.kind == "oversized_box"]
    assert oversized, [(p.kind, p.message) for p in result.problems]
    for p in oversized:
        assert "also overlaps another person the model sees" in p.message and "shifted?" in p.message
        assert p.fix is None and p.model_bbox is not None
    data = lint_report.to_dict(result)
    lint_report.write_html(data, tmp_path / "r.html", project)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    card = next(f for f in re.findall(r"<figure.*?</figure>", page, re.S) if "oversized_box" in f)
    crop = cv2.imdecode(np.frombuffer(base64.b64decode(CROP.search(card)[1]), np.uint8), cv2.IMREAD_COLOR)
    green = (np.abs(crop.astype(int) - lint_report._MODEL[::-1]).sum(axis=2) < 60).sum()
    assert green > 100  # the model's box is drawn (a 2-px outline round a box in the crop)


def one_image(tmp_path: Path, anns: list[Annotation], names: tuple[str, ...] = ("person",)) -> Project:
    p = Project()
    p.path = tmp_path / "p.json"
    pixels = skimage.data.astronaut()
    Image.fromarray(pixels).save(tmp_path / "a.png")
    p.add_image(ImageRecord(1, "a.png", 512, 512))
    for i, name in enumerate(names, start=1):
        p.add_category(Category(i, name))
    for a in anns:
        p.add_annotation(a)
    return p


def test_a_sub_pixel_overshoot_is_said_in_px_not_as_0_percent(tmp_path: Path) -> None:
    box = Annotation(1, 1, 1, [400.0, 100.0, 112.4, 80.0], None, 112.4 * 80)  # 0.4 px past the right
    far = Annotation(2, 1, 1, [-30.0, 300.0, 60.0, 60.0], None, 3600.0)  # half outside
    result = lint_project(one_image(tmp_path, [box, far]))
    msgs = {p.annotation_id: p.message for p in result.problems if p.kind == "out_of_bounds"}
    assert "0.4 px past the right edge" in msgs[1] and "0%" not in msgs[1]
    assert "50% of its box outside" in msgs[2]


def test_crops_are_jpegs_a_fraction_of_png_and_as_legible(tmp_path: Path) -> None:
    """40 problems on a photo: each crop was a ~110 KB PNG (a 4.5 MB page); now a JPEG (quality 85)."""
    anns = [Annotation(k + 1, 1, 1, [12.0 * k, 11.0 * k, 1.0, 1.0], None, 1.0) for k in range(40)]
    project = one_image(tmp_path, anns)
    data = lint_report.to_dict(lint_project(project, parse_rules({"default": {"min_width": 2}})))
    assert len(data["problems"]) >= 40
    lint_report.write_html(data, tmp_path / "r.html", project)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    crops = [base64.b64decode(b) for b in CROP.findall(page)]
    assert len(crops) == 40 and all(c[:2] == b"\xff\xd8" for c in crops)
    as_png = 0
    for c in crops:
        img = cv2.imdecode(np.frombuffer(c, np.uint8), cv2.IMREAD_COLOR)
        as_png += len(cv2.imencode(".png", img)[1])
    assert sum(map(len, crops)) * 3 < as_png  # a third of the same crops as PNG, or less
    sizes = {cv2.imdecode(np.frombuffer(c, np.uint8), cv2.IMREAD_COLOR).shape for c in crops}
    assert {max(h, w) for h, w, _ in sizes} == {240}  # as large as the PNGs were: as legible


def _td_rules(css: str) -> list[str]:
    return [
        body
        for sel, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
        if "td" in [x.strip() for x in sel.split(",")]
    ]


def test_cells_holding_notes_and_names_wrap_anywhere(tmp_path: Path) -> None:
    """A 400-character class name without spaces made the lint page's tables as wide; QA's page likewise
    with a long note. Both pages' cells now break such text anywhere."""
    for css in (lint_report._CSS, report_html.REPORT_CSS):
        assert any("overflow-wrap:anywhere" in body for body in _td_rules(css)), css
    name = "x" * 400
    project = one_image(tmp_path, [Annotation(1, 1, 1, [5.0, 5.0, 1.0, 1.0], None, 1.0)], (name,))
    data = lint_report.to_dict(lint_project(project, parse_rules({"default": {"min_width": 2}})))
    lint_report.write_html(data, tmp_path / "r.html", project)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert re.search(rf"<td>(<bdi>)?{name}", page)  # the name sits in a cell the rule applies to


def test_a_shifted_box_gets_no_fix_that_copies_its_neighbour(
    tmp_path: Path, shared_fixtures: Path, shared_models: Path
) -> None:
    """LabelMe's people as boxes, each shifted right by half its width: a box nesting with one person's
    box while overlapping another's read "shifted?", yet its fix set_bbox took the box it was matched to,
    a neighbour's, so Shift+F could make the label a copy of another person's. A shifted label's own
    object is not known: no automatic fix; a partial or oversized box overlapping no other still gets one."""
    project = labelme_people(tmp_path, shared_fixtures, shared_models)
    for a in project.annotations.values():
        x, y, w, h = a.bbox
        a.set_geometry(None, [x + w / 2, y, w, h], w * h)
    predictions = yolo_predictions(project, shared_models)
    result = lint_project(project, parse_rules({"thresholds": {"confident": 0.5}}), predictions)
    located = [p for p in result.problems if p.kind in ("partial_box", "oversized_box")]
    shifted = [p for p in located if "shifted?" in p.message]
    assert shifted, [(p.kind, p.message) for p in result.problems]
    for p in shifted:
        assert p.fix is None, (p.message, p.fix)
        others = [q.bbox for q in predictions[project.annotations[p.annotation_id].image_id]]
        assert p.model_bbox in [list(b) for b in others]  # the crop still shows the box it was matched to
    for p in located:
        if "shifted?" not in p.message:
            assert p.fix is not None and p.fix["action"] == "set_bbox", p.message
