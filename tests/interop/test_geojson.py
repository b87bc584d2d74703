"""QuPath GeoJSON: the hand-written fixtures in QuPath 0.2 and 0.4 layouts read as QuPath means them, and
what the writer makes reads back to the same pixels. Shapely (an independent geometry library; tests only)
measures the GeoJSON side: its area of a written geometry is the object's pixel count (rings traced on
pixel edges), and its area of a read one matches the object's pixels within rasterization tolerance."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

shapely_geometry = pytest.importorskip("shapely.geometry")

from pixelproof.core.coco import new_project  # noqa: E402
from pixelproof.core.model import Annotation, ImageRecord, Project  # noqa: E402
from pixelproof.interop.formats import FORMATS, detect_format  # noqa: E402
from pixelproof.interop.geojson import read_geojson  # noqa: E402
from pixelproof.interop.geojson_writer import write_geojson  # noqa: E402
from tests.interop.conftest import _add  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "geojson"


def _fixtures(tmp_path: Path) -> Path:
    shutil.copytree(DATA, tmp_path / "qupath")
    return tmp_path / "qupath"


def _pixels(project: Project, a: Annotation) -> np.ndarray:
    im = project.images[a.image_id]
    return a.mask(im.height, im.width)


def _by_name(project: Project, stem: str) -> list[tuple[str, Annotation]]:
    image = next(im for im in project.images.values() if Path(im.file_name).stem == stem)
    cats = {c.id: c.name for c in project.categories.values()}
    return [(cats[a.category_id], a) for a in sorted(project.annotations_of(image.id), key=lambda a: a.id)]


def _close_to_shapely(geometry: dict, pixels: np.ndarray) -> None:
    """The pixel count is the polygon's area within what rasterizing can move: half a pixel along the
    outline."""
    shape = shapely_geometry.shape(geometry)
    assert abs(int(pixels.sum()) - shape.area) <= 0.5 * shape.length + 1, (pixels.sum(), shape.area)


def _traced_area_matches(geometry: dict, pixels: int) -> None:
    """A traced outline lies on the pixel edges but for its concave corners, each cut by a triangle of
    at most an eighth of a pixel (no pixel centre in it: the pixels are exact)."""
    shape = shapely_geometry.shape(geometry)
    corners = len(json.dumps(geometry["coordinates"]).split("],"))
    assert abs(shape.area - pixels) <= corners / 8, (shape.area, pixels)


def test_qupath_04_feature_collection(tmp_path: Path) -> None:
    root = _fixtures(tmp_path)
    result = read_geojson(root)
    doc = json.loads((root / "slide_v04.geojson").read_text())
    got = _by_name(result.project, "slide_v04")
    assert [n for n, _ in got] == ["Tumor", "Stroma", "Tumor: Positive", "Positive", "Unclassified"]
    colors = {c.name: c.color for c in result.project.categories.values()}
    assert colors["Tumor"] == "#c80000" and colors["Tumor: Positive"] == "#ff7800"
    (_, holed), (_, rect), (_, multi), (_, cell), (_, plain) = got
    assert holed.kind == "mask" and holed.area == 32 * 24 - 12 * 10  # the hole stays a hole
    assert _pixels(result.project, holed)[15, 18] == 0 and _pixels(result.project, holed)[6, 6] == 1
    assert rect.kind == "box" and rect.bbox == [40.0, 6.0, 16.0, 12.0]  # QuPath's rectangle
    assert multi.kind == "polygon" and len(multi.segmentation) == 2
    for feature, a in zip(doc["features"][:5], (holed, rect, multi, cell, plain), strict=True):
        _close_to_shapely(feature["geometry"], _pixels(result.project, a))
    assert shapely_geometry.shape(doc["features"][0]["geometry"]).area == holed.area
    qupath = holed.app_extra["qupath"]
    assert qupath["id"] == doc["features"][0]["id"] and qupath["name"] == "Tumor region 1"
    assert qupath["isLocked"] is True and qupath["objectType"] == "annotation"
    measured = {"Nucleus: Area": 16.0, "Cell: Area": 100.0, "DAB: Mean": None}
    assert cell.app_extra["qupath"]["measurements"] == measured
    assert cell.bbox == [44.0, 30.0, 10.0, 10.0]  # the cell's boundary, not its nucleus
    assert any("features[5]" in p and "Point" in p for p in result.problems)
    assert any("1 cell(s)" in p and "nucleusGeometry" in p for p in result.problems)
    nuclei = read_geojson(root, cell_shape="nucleus").project
    assert _by_name(nuclei, "slide_v04")[3][1].bbox == [47.0, 33.0, 4.0, 4.0]


def test_qupath_02_array_with_colorrgb_and_nan_measurements(tmp_path: Path) -> None:
    root = _fixtures(tmp_path)
    result = read_geojson(root / "slide_v02.geojson")
    assert result.skipped.total() == 0, result.problems
    (tumor, holed), (stroma, detection) = _by_name(result.project, "slide_v02")
    assert (tumor, stroma) == ("Tumor", "Stroma")
    colors = {c.name: c.color for c in result.project.categories.values()}
    assert colors == {"Tumor": "#c80000", "Stroma": "#96c896"}  # -3670016, -6895466 packed ARGB
    assert holed.kind == "mask" and holed.area == 32 * 32 - 8 * 8
    assert holed.app_extra["qupath"]["measurements"] == {"Area px^2": 960.0, "Mean": None}
    assert "id" not in holed.app_extra["qupath"]  # 0.2's "id" is the object's class, not an id
    assert detection.app_extra["qupath"]["objectType"] == "detection"
    doc = json.loads((root / "slide_v02.geojson").read_text().replace("NaN", "null"))
    _close_to_shapely(doc[1]["geometry"], _pixels(result.project, detection))


def test_a_project_round_trips_with_holes_scores_and_categories(sample_project: Project, tmp_path: Path):
    out = tmp_path / "out"
    assert FORMATS["geojson"].write(sample_project, out) == []
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".geojson") == ["a.geojson", "b.geojson"]
    assert detect_format(out).name == "geojson"
    a_doc = json.loads((out / "a.geojson").read_text())
    assert a_doc["type"] == "FeatureCollection"
    ring = a_doc["features"][2]
    assert ring["type"] == "Feature" and str(uuid.UUID(ring["id"])) == ring["id"]
    assert ring["properties"]["objectType"] == "annotation"
    assert ring["properties"]["classification"]["name"] == "traffic light"
    shape = shapely_geometry.shape(ring["geometry"])
    assert shape.is_valid and len(shape.interiors) == 1
    _traced_area_matches(ring["geometry"], 30 * 25 - 12 * 12)
    result = read_geojson(out)
    assert result.problems == [] and not result.skipped
    back = result.project
    for stem in ("a", "b"):
        orig, new = _by_name(sample_project, stem), _by_name(back, stem)
        assert [n for n, _ in orig] == [n for n, _ in new]
        for (_, x), (_, y) in zip(orig, new, strict=True):
            assert np.array_equal(_pixels(sample_project, x), _pixels(back, y))
            assert (x.score, x.review, x.note) == (y.score, y.review, y.note)
    assert {c.name: c.color for c in back.categories.values()} == {
        c.name: c.color for c in sample_project.categories.values()
    }
    again = tmp_path / "again"
    FORMATS["geojson"].write(sample_project, again)  # ids are stable: QuPath replaces, not duplicates
    assert [f["id"] for f in json.loads((again / "a.geojson").read_text())["features"]] == [
        f["id"] for f in a_doc["features"]
    ]


def test_masks_with_holes_and_islands_are_pixel_exact_and_shapely_measures_them(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    project = new_project(["blob"])
    (tmp_path / "src").mkdir()
    Image.fromarray(np.zeros((40, 48), np.uint8)).save(tmp_path / "src" / "m.png")
    project.add_image(ImageRecord(1, "m.png", 48, 40))
    shapes = []
    for _ in range(12):
        m = np.zeros((40, 48), bool)
        m[4:36, 4:44] = rng.random((32, 40)) < 0.6
        m[20:30, 10:20], m[22:28, 12:18], m[24:26, 14:16] = True, False, True  # a hole with an island
        shapes.append(m)
        _add(project, project.images[1], 1, mask=m)
    project.path = tmp_path / "src" / "p.json"
    write_geojson(project, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "m.geojson").read_text())
    back = read_geojson(tmp_path / "out").project
    got = [_pixels(back, a) for a in sorted(back.annotations.values(), key=lambda a: a.id)]
    for m, feature, pixels in zip(shapes, doc["features"], got, strict=True):
        assert np.array_equal(m, pixels)
        _traced_area_matches(feature["geometry"], int(m.sum()))


def test_images_are_found_by_stem_elsewhere_and_missing_ones_said(tmp_path: Path) -> None:
    root = _fixtures(tmp_path)
    slides = tmp_path / "slides"
    slides.mkdir()
    (root / "slide_v04.png").rename(slides / "slide_v04.png")
    problems = read_geojson(root).problems
    assert any("slide_v04.geojson: no image named slide_v04.*" in p and "--image-dir" in p for p in problems)
    project = read_geojson(root, image_dir=slides).project
    assert len(_by_name(project, "slide_v04")) == 5


def test_a_slide_pyramid_is_sized_from_its_header_not_decoded(tmp_path: Path) -> None:
    import tifffile

    from pixelproof.core import limits

    with tifffile.TiffWriter(tmp_path / "slide.tif", bigtiff=True) as tw:
        tw.write(np.zeros((4096, 4096), np.uint8), tile=(256, 256), compression="zlib", subifds=1)
        tw.write(np.zeros((1024, 1024), np.uint8), tile=(256, 256), compression="zlib", subfiletype=1)
    ring = [[3000, 3000], [3100, 3000], [3100, 3100], [3000, 3100], [3000, 3000]]
    hole = [[3040, 3040], [3040, 3060], [3060, 3060], [3060, 3040], [3040, 3040]]
    (tmp_path / "slide.geojson").write_text(json.dumps({"type": "Polygon", "coordinates": [ring, hole]}))
    limits.set_max_pixels(1 << 20)  # a sixteenth of the slide: decoding it would be refused
    try:
        result = read_geojson(tmp_path)
    finally:
        limits.set_max_pixels(None)
    assert result.problems == []
    (image,) = result.project.images.values()
    (a,) = result.project.annotations.values()
    assert (image.width, image.height) == (4096, 4096) and a.area == 100 * 100 - 20 * 20
    limits.set_max_pixels(50 * 50)  # the polygon's box is made at once to cut its hole: refused
    try:
        result = read_geojson(tmp_path)
    finally:
        limits.set_max_pixels(None)
    (a,) = result.project.annotations.values()
    assert a.kind == "polygon" and a.area == 100 * 100  # the outline kept, its hole filled, and said
    assert (
        len(result.problems) == 1
        and "geometry" in result.problems[0]
        and "holes are filled" in result.problems[0]
    )
