"""A QuPath project mixes hand-drawn regions (``objectType`` annotation) with detected cells, often of the
same class: a "Tumor" region holding "Tumor" cells. The problem finder judges each class's sizes per
object type (a region is not a 50-fold oversized nucleus) and does not take a region holding its cells
for an overlap. Built from a QuPath 0.4-style GeoJSON export (the layout of tests/data/geojson), no Qt."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.lint import lint_project
from pixelproof.core.model import Project
from pixelproof.interop.geojson import read_geojson


def _octagon(cx: float, cy: float, r: float) -> list[list[float]]:
    pts = [[cx + r * math.cos(k * math.pi / 4), cy + r * math.sin(k * math.pi / 4)] for k in range(8)]
    return [*pts, pts[0]]


def _feature(ring: list[list[float]], kind: str, name: str = "Tumor") -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"objectType": kind, "classification": {"name": name, "color": [200, 0, 0]}},
    }


def _slide(tmp_path: Path, *, odd_cell: bool = False, touching_cells: bool = False) -> Project:
    """A 400 x 400 slide: one big "Tumor" region and 36 "Tumor" cells inside it (radius 5-6 px); with
    ``odd_cell`` one cell of radius 16 (about 9x the others' area), with ``touching_cells`` two cells
    overlapping each other."""
    root = tmp_path / "qupath"
    root.mkdir()
    Image.fromarray(np.full((400, 400, 3), 230, np.uint8)).save(root / "slide.png")
    features = [_feature(_octagon(200, 200, 170), "annotation")]
    for k in range(36):
        r = 5 + (k % 3) * 0.5
        features.append(_feature(_octagon(90 + 35 * (k % 6), 90 + 35 * (k // 6), r), "cell"))
    if odd_cell:
        features.append(_feature(_octagon(110, 300, 16), "cell"))
    if touching_cells:
        features.append(_feature(_octagon(300, 300, 6), "cell"))
        features.append(_feature(_octagon(308, 300, 6), "cell"))
    (root / "slide.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return read_geojson(root).project


def _region_id(project: Project) -> int:
    return next(
        a.id for a in project.annotations.values() if a.app_extra["qupath"]["objectType"] == "annotation"
    )


def test_a_tumour_region_is_not_a_size_outlier_among_its_classes_cells(tmp_path: Path) -> None:
    """The region's area (~90,000 px) against the cells' median (~90 px) made it a size outlier of
    "Tumor"; now the region is judged among the class's regions only, and the odd cell among its cells,
    the message naming the type it was compared within."""
    project = _slide(tmp_path, odd_cell=True)
    region = _region_id(project)
    found = lint_project(project).problems
    sizes = [p for p in found if p.kind == "size_outlier"]
    assert [p for p in sizes if p.annotation_id == region] == []
    odd = [p for p in sizes if p.annotation_id != region]
    assert len(odd) == 1, [p.message for p in sizes]
    assert odd[0].message.startswith("Tumor (QuPath cell) area")
    assert odd[0].category == "Tumor"  # the class stays the class: filters and counts by class unchanged
    assert 6 < odd[0].figures["value"] / odd[0].figures["class_median"] < 14


def test_a_countable_classs_region_holding_its_cells_is_no_overlap(tmp_path: Path) -> None:
    """With "Tumor" countable (cells must not overlap), each cell inside the region was an
    ``unseparated_overlap`` whose fix cut the cell out of the region; two overlapping cells still are one."""
    project = _slide(tmp_path, touching_cells=True)
    project.app["rules"] = {"classes": {"Tumor": {"countable": True}}}
    region = _region_id(project)
    found = [p for p in lint_project(project).problems if p.kind == "unseparated_overlap"]
    assert [p for p in found if region in (p.annotation_id, p.related_id)] == []
    assert len(found) == 1, [p.message for p in found]
