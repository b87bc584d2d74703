"""QuPath cells on the way back to QuPath: a cell's second shape (its nucleus, or its boundary when the
nuclei are read) comes back beside the one PixelProof edits, and measurements of a shape edited in
PixelProof are not written back stale. The export is a QuPath 0.4 cell export (``geometry`` +
``nucleusGeometry``, compartment measurements); shapely (tests only) compares the written shapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

shapely_geometry = pytest.importorskip("shapely.geometry")

from pixelproof.cli import main  # noqa: E402
from pixelproof.core.coco import load_project, save_project  # noqa: E402
from pixelproof.core.masks import polygons_bbox, segmentation_area  # noqa: E402
from pixelproof.core.model import Annotation, Project  # noqa: E402


def _octagon(cx: float, cy: float, r: float) -> list[list[float]]:
    """A closed ring of 8 corners, its coordinates with more decimals than the project keeps."""
    pts = [
        [round(cx + r * float(np.cos(k * np.pi / 4)), 6), round(cy + r * float(np.sin(k * np.pi / 4)), 6)]
        for k in range(8)
    ]
    return [*pts, pts[0]]


MEASURED = {
    "Nucleus: Area µm^2": 21.3,
    "Nucleus: Hematoxylin OD mean": 0.41,
    "Cell: Area µm^2": 80.5,
    "Cell: Max caliper µm": 11.2,
    "Membrane: DAB OD mean": 0.2,
    "Cytoplasm: DAB OD mean": 0.33,
    "Nucleus/Cell area ratio": 0.26,
    "Detection probability": None,
}


def _cell(k: int, cx: float, cy: float) -> dict:
    return {
        "type": "Feature",
        "id": f"6e5d4c3b-2a19-4807-b6a5-f4e3d2c1b0a{k}",
        "geometry": {"type": "Polygon", "coordinates": [_octagon(cx, cy, 9.5)]},
        "nucleusGeometry": {"type": "Polygon", "coordinates": [_octagon(cx + 0.5, cy, 4.25)]},
        "properties": {
            "objectType": "cell",
            "classification": {"name": "Positive", "color": [112, 112, 225]},
            "measurements": {**MEASURED, "Cell: Area µm^2": 80.5 + k},
        },
    }


def _export(root: Path) -> list[dict]:
    """A 96 x 64 image and QuPath's export of it: three cells and a tumour annotation."""
    root.mkdir()
    Image.fromarray(np.full((64, 96, 3), 220, np.uint8)).save(root / "slide.png")
    features = [_cell(1, 15.25, 15.5), _cell(2, 45.5, 15.25), _cell(3, 75.125, 40.5)]
    features.append(
        {
            "type": "Feature",
            "id": "9b8a7f6e-5d4c-4b3a-8291-0f1e2d3c4b5a",
            "geometry": {"type": "Polygon", "coordinates": [_octagon(40.5, 45.5, 14.3)]},
            "properties": {
                "objectType": "annotation",
                "classification": {"name": "Tumor", "color": [200, 0, 0]},
                "measurements": {"Area µm^2": 600.5, "Num Detections": 3.0},
            },
        }
    )
    (root / "slide.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return features


def _round_trip(tmp_path: Path, *extra: str, edit=None) -> tuple[list[dict], dict[str, dict]]:
    """QuPath's export -> a COCO project (saved again as the app saves it, after ``edit``) -> GeoJSON."""
    features = _export(tmp_path / "me")
    mine = tmp_path / "mine.json"
    assert (
        main(["convert", str(tmp_path / "me"), str(mine), "--from", "geojson", "--to", "coco", *extra]) == 0
    )
    project = load_project(mine)
    if edit is not None:
        edit(project)
    save_project(project, mine)
    out = tmp_path / "back"
    assert (
        main(["convert", str(mine), str(out), "--from", "coco", "--to", "geojson", "--images", "keep"]) == 0
    )
    back = json.loads((out / "slide.geojson").read_text())["features"]
    return features, {f["id"]: f for f in back}


def _same_shape(a: dict, b: dict) -> bool:
    """The same shape but for the project file's rounding (1/1000 px)."""
    return shapely_geometry.shape(a).hausdorff_distance(shapely_geometry.shape(b)) < 1e-3


def _objects(project: Project) -> dict[str, Annotation]:
    return {a.app_extra["qupath"]["id"]: a for a in project.annotations.values()}


def _set_polygon(project: Project, a: Annotation, ring: list[list[float]]) -> None:
    """What an edit in the app does: the object's shape replaced."""
    flat = [float(v) for p in ring[:-1] for v in p]
    im = project.images[a.image_id]
    box = polygons_bbox([flat])
    a.set_geometry([flat], box, segmentation_area([flat], box, im.height, im.width))


def test_cells_keep_their_nuclei_and_measurements_through_a_coco_project(tmp_path: Path) -> None:
    features, back = _round_trip(tmp_path)
    cells = [f for f in features if f["properties"]["objectType"] == "cell"]
    assert sum("nucleusGeometry" in f for f in back.values()) == len(cells) == 3
    for f in features:
        got = back[f["id"]]
        assert _same_shape(got["geometry"], f["geometry"])
        if "nucleusGeometry" in f:
            assert _same_shape(got["nucleusGeometry"], f["nucleusGeometry"])
        assert got["properties"]["measurements"] == f["properties"]["measurements"]  # nothing edited
        assert "shape_at_import" not in json.dumps(got)  # PixelProof's bookkeeping stays home


def test_nuclei_read_as_the_objects_go_back_as_nuclei_of_their_cells(tmp_path: Path) -> None:
    features, back = _round_trip(tmp_path, "--cell-shape", "nucleus")
    project = load_project(tmp_path / "mine.json")
    nucleus = _objects(project)[features[0]["id"]]
    assert nucleus.bbox[2] < 9  # the object is the nucleus ...
    for f in features[:3]:  # ... and QuPath gets its cell back, boundary and nucleus in their places
        assert _same_shape(back[f["id"]]["geometry"], f["geometry"])
        assert _same_shape(back[f["id"]]["nucleusGeometry"], f["nucleusGeometry"])


def test_an_edited_cell_keeps_a_nucleus_still_inside_and_drops_stale_measurements(tmp_path: Path) -> None:
    def edit(project: Project) -> None:
        objects = _objects(project)
        _set_polygon(project, objects[ids[0]], _octagon(15.25, 15.5, 7.5))  # smaller, nucleus inside
        _set_polygon(project, objects[ids[1]], _octagon(52.0, 15.25, 6.0))  # cuts through its nucleus
        _set_polygon(project, objects[ids[3]], _octagon(40.5, 45.5, 12.0))  # the annotation
        # the third cell is left as it came

    ids = [f["id"] for f in _export(tmp_path / "probe")]
    features, back = _round_trip(tmp_path, edit=edit)
    inside, cut, same, region = (back[i] for i in ids)
    assert _same_shape(inside["nucleusGeometry"], features[0]["nucleusGeometry"])
    assert inside["properties"]["measurements"] == {  # the nucleus did not change: its measurements hold
        "Nucleus: Area µm^2": 21.3,
        "Nucleus: Hematoxylin OD mean": 0.41,
    }
    assert "nucleusGeometry" not in cut  # no longer inside the cell drawn: not written as its nucleus
    assert "measurements" not in cut["properties"]
    assert "measurements" not in region["properties"]  # its area, its count of detections: stale
    assert same["properties"]["measurements"] == features[2]["properties"]["measurements"]
    assert _same_shape(same["nucleusGeometry"], features[2]["nucleusGeometry"])


def test_an_edited_nucleus_keeps_its_cell_while_inside_it(tmp_path: Path) -> None:
    def edit(project: Project) -> None:
        objects = _objects(project)
        _set_polygon(project, objects[ids[0]], _octagon(14.0, 15.5, 3.0))  # still in its cell
        _set_polygon(project, objects[ids[1]], _octagon(70.0, 50.0, 3.0))  # moved out of it

    ids = [f["id"] for f in _export(tmp_path / "probe")]
    features, back = _round_trip(tmp_path, "--cell-shape", "nucleus", edit=edit)
    kept, moved = back[ids[0]], back[ids[1]]
    assert _same_shape(kept["geometry"], features[0]["geometry"])
    assert _same_shape(
        kept["nucleusGeometry"], {"type": "Polygon", "coordinates": [_octagon(14.0, 15.5, 3.0)]}
    )
    assert kept["properties"]["measurements"] == {"Cell: Area µm^2": 81.5, "Cell: Max caliper µm": 11.2,
                                                  "Membrane: DAB OD mean": 0.2}  # fmt: skip
    assert _same_shape(moved["geometry"], {"type": "Polygon", "coordinates": [_octagon(70.0, 50.0, 3.0)]})
    assert "nucleusGeometry" not in moved and "measurements" not in moved["properties"]


def test_unedited_masks_and_rectangles_keep_their_measurements(tmp_path: Path) -> None:
    """The fingerprint of a holed shape (a mask: its pixels) and a rectangle (a box) survives the project."""
    src = tmp_path / "me"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "geojson", src)
    doc = json.loads((src / "slide_v02.geojson").read_text().replace("NaN", "null"))
    doc[1]["properties"]["measurements"] = [{"name": "Area px^2", "value": 192.0}]
    doc[1]["geometry"]["coordinates"] = [[[40, 8], [56, 8], [56, 20], [40, 20], [40, 8]]]  # a rectangle
    (src / "slide_v02.geojson").write_text(json.dumps(doc))
    mine, out = tmp_path / "mine.json", tmp_path / "back"
    assert (
        main(["convert", str(src / "slide_v02.geojson"), str(mine), "--from", "geojson", "--to", "coco"]) == 0
    )
    save_project(load_project(mine), mine)
    assert (
        main(["convert", str(mine), str(out), "--from", "coco", "--to", "geojson", "--images", "keep"]) == 0
    )
    back = json.loads((out / "slide_v02.geojson").read_text())["features"]
    assert [f["properties"]["measurements"] for f in back] == [
        {"Area px^2": 960.0, "Mean": None},
        {"Area px^2": 192.0},
    ]
