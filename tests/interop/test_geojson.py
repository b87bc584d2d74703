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
from pixelproof.core.wording import skipped_counts  # noqa: E402
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
    assert any("enclose no area: 1 Point geometry (features[5]" in p for p in result.problems)
    assert "1 Point geometry" in skipped_counts(result.skipped)  # the summary says what it was, as LabelMe
    assert any("1 cell" in p and "nucleusGeometry" in p for p in result.notes)  # information, no problem
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


def test_two_pathologists_exports_are_scored_against_each_other(tmp_path: Path) -> None:
    """Pathologist B's QuPath export (GeoJSON, slides in another folder) is the reference of ``qa`` for A's
    imported project; the pair's IoU is shapely's (a box pair exactly, a triangle pair within the pixels
    the outline crosses), the object B alone drew is missed and A's alone is extra. ``agreement`` of the
    two imported projects gives the same pooled Dice."""
    from pixelproof.cli import main
    from pixelproof.core.coco import save_project

    slides = tmp_path / "slides"
    slides.mkdir()
    Image.fromarray(np.zeros((200, 300), np.uint8)).save(slides / "case1.tif")

    def feature(ring: list, name: str) -> dict:
        geometry = {"type": "Polygon", "coordinates": [ring]}
        return {"type": "Feature", "geometry": geometry, "properties": {"classification": {"name": name}}}

    def box(x: int, y: int, w: int, h: int) -> list:
        return [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]

    def triangle(x: int, y: int, s: int) -> list:
        return [[x, y], [x + s, y], [x, y + s], [x, y]]

    drawn = {
        "A": [
            (box(10, 10, 40, 30), "Tumor"),
            (triangle(100, 20, 50), "Stroma"),
            (box(200, 100, 50, 60), "Tumor"),
        ],
        "B": [
            (box(14, 12, 40, 30), "Tumor"),
            (triangle(104, 22, 48), "Stroma"),
            (box(20, 120, 30, 30), "Tumor"),
        ],
    }
    projects = {}
    for who, shapes in drawn.items():
        (tmp_path / who).mkdir()
        doc = {"type": "FeatureCollection", "features": [feature(r, n) for r, n in shapes]}
        (tmp_path / who / "case1.geojson").write_text(json.dumps(doc))
        projects[who] = read_geojson(tmp_path / who, image_dir=slides).project
        projects[who].path = tmp_path / f"{who}.json"
        save_project(projects[who], projects[who].path)
    report = tmp_path / "qa.json"
    args = [
        "qa",
        str(tmp_path / "B"),
        str(tmp_path / "A.json"),
        "--image-dir",
        str(slides),
        "--json",
        str(report),
    ]
    assert main(args) == 0
    data = json.loads(report.read_text())
    assert data["reference_kind"] == "geojson" and data["unmatched_images"] == {
        "reference": [],
        "candidate": [],
    }
    rows = {(r["status"], r["category"]): r for r in data["per_object"]}
    assert sorted(rows) == [("fn", "Tumor"), ("fp", "Tumor"), ("match", "Stroma"), ("match", "Tumor")]
    for (a, name), (b, _) in zip(drawn["A"][:2], drawn["B"][:2], strict=True):
        pa, pb = shapely_geometry.Polygon(a), shapely_geometry.Polygon(b)
        exact = pa.intersection(pb).area / pa.union(pb).area
        tolerance = 0.0 if name == "Tumor" else (pa.length + pb.length) / 2 / pa.union(pb).area
        assert abs(rows[("match", name)]["iou"] - exact) <= tolerance + 1e-9, (name, rows[("match", name)])
    assert rows[("fn", "Tumor")]["ref_bbox"] == [20.0, 120.0, 30.0, 30.0]
    agreed = tmp_path / "agreement.json"
    assert main(["agreement", str(tmp_path / "A.json"), str(tmp_path / "B.json"), "--json", str(agreed)]) == 0
    pooled = json.loads(agreed.read_text())
    assert abs(pooled["pairs"][0]["dice"] - data["summary"]["dice"]) < 1e-9, (
        pooled["pairs"][0],
        data["summary"],
    )


def test_a_derived_class_is_written_as_quPaths_names(tmp_path: Path) -> None:
    """QuPath writes a derived class (``Tumor: Positive``) as ``"names": ["Tumor", "Positive"]``
    (``GsonTools.PathClassTypeAdapter.write`` splits it), never a name holding ':' (which its
    ``PathClass.getInstance`` refuses); the fixture's own feature is written back as it came, and read
    again it is the same class."""
    root = _fixtures(tmp_path)
    project = read_geojson(root).project
    out = tmp_path / "out"
    write_geojson(project, out, images="keep")
    written = json.loads(next(out.glob("slide_v04*.geojson")).read_text())
    classes = [f["properties"].get("classification") for f in written["features"]]
    source = json.loads((root / "slide_v04.geojson").read_text())["features"][2]["properties"]
    assert source["classification"]["names"] == ["Tumor", "Positive"]
    derived = [c for c in classes if c and "names" in c]
    assert derived == [{"names": ["Tumor", "Positive"], "color": source["classification"]["color"]}]
    assert not any(":" in c.get("name", "") for c in classes if c)
    again = {c.name for c in read_geojson(out, image_dir=root).project.categories.values()}
    assert "Tumor: Positive" in again


def test_measurement_text_reads_as_qupaths_table_and_stays_close_to_the_value() -> None:
    """Values as QuPath's measurement table shows them: up to 4 decimals, significant digits under 1,
    never an exponent for a slide's areas (µm² of a whole annotation), NaN for a null."""
    from pixelproof.interop.qupath_measurements import measurement_text

    rng = np.random.default_rng(3)
    values = np.concatenate([10.0 ** rng.uniform(-6, 14, 300), -(10.0 ** rng.uniform(-6, 14, 100))])
    for v in [*values.tolist(), 0.0, 7.0, 123456789.0, 5.378, 0.25]:
        text = measurement_text(v)
        assert "e" not in text, (v, text)
        assert abs(float(text) - v) <= max(abs(v) * 1e-3, 5e-5), (v, text)
    assert [measurement_text(v) for v in (5.378, 31.41592, 0.000123456, 12.0, 3, None, float("nan"))] == [
        "5.378",
        "31.4159",
        "0.0001235",
        "12",
        "3",
        "NaN",
        "NaN",
    ]
