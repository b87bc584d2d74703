"""Hostile QuPath GeoJSON: each bad feature or file is one located line (the file and its JSON place), the
rest of the file is read, nothing hangs or crashes, and the writer writes nothing outside its folder. Every
test runs twice: the file parsed whole (orjson, as a small file) and streamed (as one of
``geojson_stream.STREAM_BYTES`` or more, the threshold lowered to 0)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import limits
from pixelproof.core.coco import new_project
from pixelproof.core.lint.shapes import polygon_defect
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop import geojson_stream
from pixelproof.interop.geojson import read_geojson
from pixelproof.interop.geojson_writer import write_geojson

SQUARE = [[[2, 2], [12, 2], [12, 12], [2, 12], [2, 2]]]


@pytest.fixture(autouse=True, params=["whole", "stream"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "stream":
        monkeypatch.setattr(geojson_stream, "STREAM_BYTES", 0)
    return request.param


def _feature(rings: object, **props: object) -> dict:
    polygon = {"type": "Polygon", "coordinates": rings}
    return {"type": "Feature", "geometry": polygon, "properties": {"objectType": "annotation", **props}}


def _read(tmp_path: Path, text: str | bytes) -> tuple[list[str], list[Annotation]]:
    """``text`` as ``slide.geojson`` beside a 40 x 30 ``slide.png``: the problems and the objects read."""
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(tmp_path / "slide.png")
    f = tmp_path / "slide.geojson"
    f.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = read_geojson(tmp_path)
    return result.problems, list(result.project.annotations.values())


def _collection(*features: object) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [_feature(SQUARE), *features]})


BAD_GEOMETRIES = [
    # (what, geometry as JSON text, words the message must hold)
    ("NaN", '{"type": "Polygon", "coordinates": [[[0, 0], [NaN, 0], [5, 5], [0, 0]]]}', "coordinates[0][1]"),
    ("Infinity", '{"type": "Polygon", "coordinates": [[[0, 0], [Infinity, 0], [5, 5], [0, 0]]]}', "finite"),
    ("1e400", '{"type": "Polygon", "coordinates": [[[0, 0], [1e400, 0], [5, 5], [0, 0]]]}', "coordinates[0]"),
    (  # their sum is 1, finite: the quick look at plain rings took them, numpy's float array did not
        "huge ints cancelling",
        '{"type": "Polygon", "coordinates": [[[1%s, 0], [-1%s, 0], [-1%s, 1], [1%s, 0]]]}'
        % (("0" * 400,) * 4),
        "coordinates[0]",
    ),
    (
        "far off",
        '{"type": "Polygon", "coordinates": [[[0, 0], [1e9, 0], [5, 5], [0, 0]]]}',
        "too far outside",
    ),
    ("3 positions", '{"type": "Polygon", "coordinates": [[[0, 0], [5, 5], [0, 0]]]}', "at least 4 positions"),
    (
        "strings",
        '{"type": "Polygon", "coordinates": [[["0", "0"], ["5", "0"], ["5", "5"], ["0", "0"]]]}',
        "[x, y]",
    ),
    ("booleans", '{"type": "Polygon", "coordinates": [[[true, 0], [5, 0], [5, 5], [true, 0]]]}', "[x, y]"),
    ("a number", '{"type": "Polygon", "coordinates": 7}', "list of rings"),
    ("empty", '{"type": "MultiPolygon", "coordinates": []}', "list of polygons"),
    ("ragged", '{"type": "Polygon", "coordinates": [[[0, 0], [5], [5, 5], [0, 0]]]}', "[x, y]"),
    ("unknown type", '{"type": "Circle", "coordinates": [1, 2]}', "geometry type"),
    ("no geometry", "null", "expected a geometry object"),
    ("a list", "[1, 2, 3]", "expected a geometry object"),
    (
        "nested",
        '{"type": "GeometryCollection", "geometries": [{"type": "GeometryCollection", "geometries": []}]}',
        "inside a GeometryCollection",
    ),
    # deep coordinates, within the levels a file may nest (past them it is refused: test_geojson_nesting)
    ("deep", '{"type": "Polygon", "coordinates": ' + "[" * 150 + "]" * 150 + "}", "coordinates"),
]


@pytest.mark.parametrize(("what", "geometry", "words"), BAD_GEOMETRIES, ids=[b[0] for b in BAD_GEOMETRIES])
def test_a_bad_geometry_is_one_located_line_and_the_rest_is_read(
    tmp_path: Path, what: str, geometry: str, words: str
) -> None:
    good = json.dumps(_feature(SQUARE))
    text = (
        '{"type": "FeatureCollection", "features": ['
        + good
        + ', {"type": "Feature", "geometry": '
        + geometry
        + "}]}"
    )
    problems, objects = _read(tmp_path, text)
    assert len(objects) == 1  # the good square
    bad = [p for p in problems if "features[1]" in p]
    assert len(bad) == 1 and str(tmp_path / "slide.geojson") in bad[0] and words in bad[0], problems


def test_an_unclosed_ring_is_closed_and_said(tmp_path: Path) -> None:
    problems, objects = _read(tmp_path, _collection(_feature([[[20, 2], [30, 2], [30, 12], [20, 12]]])))
    assert len(objects) == 2 and objects[1].bbox == [20.0, 2.0, 10.0, 10.0]
    assert any("features[1].geometry.coordinates[0]: ring not closed" in p for p in problems)


def test_a_self_intersecting_ring_is_read_as_drawn_and_the_problem_finder_names_it(tmp_path: Path) -> None:
    bowtie = [[[20, 2], [30, 12], [30, 2], [20, 12], [20, 2]]]
    problems, objects = _read(tmp_path, _collection(_feature(bowtie)))
    assert problems == [] and len(objects) == 2 and objects[1].area > 0
    assert polygon_defect(objects[1].segmentation[0]) == "self-intersecting"


def test_too_many_positions_are_refused_before_any_array(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_VERTICES", 100)
    ring = [[float(k % 10), float(k // 10)] for k in range(150)] + [[0.0, 0.0]]
    problems, objects = _read(tmp_path, _collection(_feature([ring])))
    assert len(objects) == 1
    assert any("features[1]" in p and "over the limit of 100" in p for p in problems), problems


@pytest.mark.parametrize(
    ("props", "words"),
    [
        ({"classification": 5}, "classification: expected an object"),
        ({"classification": {"color": [1, 2, 3]}}, "no class name"),
        ({"classification": {"name": "\ud800"}}, "not UTF-8"),
        ({"pixelproof": {"score": "high"}}, "expected a number"),
        ({"pixelproof": {"review": "maybe"}}, "review: expected one of"),
    ],
)
def test_bad_properties_leave_that_object_out_and_say_where(tmp_path: Path, props: dict, words: str) -> None:
    problems, objects = _read(
        tmp_path, _collection(_feature([[[20, 2], [30, 2], [30, 12], [20, 2]]], **props))
    )
    assert len(objects) == 1
    assert any("features[1]" in p and words in p for p in problems), problems


def test_odd_but_harmless_properties_are_dropped_not_fatal(tmp_path: Path) -> None:
    feature = _feature(SQUARE, classification={"name": "../../etc/passwd", "color": ["red", 0, 0]})
    feature["properties"].update(isLocked="yes", name=["x"], measurements={"a": "b", "c": float("inf")})
    feature["id"] = 12
    problems, objects = _read(
        tmp_path, json.dumps({"type": "Feature", **feature}).replace("Infinity", "1e999")
    )
    assert problems == [] and len(objects) == 1
    kept = dict(objects[0].app_extra["qupath"])
    assert kept.pop("shape_at_import")  # the shape measured, to tell an edit at export
    assert kept == {"objectType": "annotation", "measurements": {"c": None}}


def test_a_measurement_too_large_for_a_number_is_null_not_a_crash(tmp_path: Path) -> None:
    """A 400-digit integer is past orjson, so Python's parser reads the file and gives an int no float can
    hold: its measurement is one QuPath could not compute (null, as NaN), the rest of the file is read."""
    huge = "1" + "0" * 400
    feature = _feature(SQUARE, measurements={"Cell: Area": 100.0, "Big": 7, "Small": -7})
    text = (
        _collection(feature).replace('"Big": 7', f'"Big": {huge}').replace('"Small": -7', f'"Small": -{huge}')
    )
    problems, objects = _read(tmp_path, text)
    assert problems == [] and len(objects) == 2
    measured = objects[1].app_extra["qupath"]["measurements"]
    assert measured == {"Cell: Area": 100.0, "Big": None, "Small": None}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe{not json", "not UTF-8"),
        (
            b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "nested too deeply",
        ),
        (b'{"type": "Topology"}', "not GeoJSON"),
        (b"", "not a readable JSON file"),
    ],
)
def test_a_bad_file_is_one_line_naming_it(tmp_path: Path, content: bytes, words: str) -> None:
    problems, objects = _read(tmp_path, content)
    assert objects == [] and len(problems) == 1
    assert problems[0].startswith(str(tmp_path / "slide.geojson")) and words in problems[0], problems


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_like_geojson_does_not_hang(tmp_path: Path) -> None:
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(tmp_path / "slide.png")
    os.mkfifo(tmp_path / "slide.geojson")
    os.mkfifo(tmp_path / "other.json")
    assert not read_geojson(tmp_path).project.images  # not files: passed over, as every reader does
    with pytest.raises(ValueError, match="FIFO"):
        read_geojson(tmp_path / "slide.geojson")


def test_the_writer_keeps_hostile_names_inside_its_folder(tmp_path: Path) -> None:
    project = new_project(["../../escaped\0cat"])
    for i, name in enumerate(["../../evil.png", "/abs/evil2.png", "sub/../..png"], start=1):
        project.add_image(ImageRecord(i, name, 20, 20))
        project.add_annotation(Annotation(i, i, 1, [1.0, 1.0, 5.0, 5.0], None, 25.0))
    project.path = tmp_path / "deep" / "src" / "p.json"
    out = tmp_path / "deep" / "out"
    warnings = write_geojson(project, out)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert all(out in (tmp_path / p).parents for p in written), written
    assert len([p for p in written if p.suffix == ".geojson"]) == 3
    assert any("3 image files not found" in w for w in warnings)
    back = read_geojson(out, image_dir=tmp_path / "nowhere").problems
    assert len(back) == 3 and all("no image named" in p for p in back)


def test_many_small_polygons_are_counted_together(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_VERTICES", 100)
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE] * 30}  # 150 positions
    good = json.dumps(_feature(SQUARE))
    problems, objects = _read(tmp_path, f'[{good}, {{"type": "Feature", "geometry": {json.dumps(multi)}}}]')
    assert len(objects) == 1 and any("[1].geometry: 150 positions" in p for p in problems), problems


def test_a_category_of_no_name_is_written_as_one_its_reader_takes(tmp_path: Path) -> None:
    """A COCO file may name a category "" (PixelProof loads it). The writer gave its objects the class
    {"name": ""}, which its own reader refuses ('no class name'): exported and read back, they were gone.
    They are written unclassified (as QuPath's own objects without a class), so they come back."""
    project = new_project(["", "cat"])
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(tmp_path / "m.png")
    project.add_image(ImageRecord(1, "m.png", 20, 20))
    for ann_id, cat in ((1, 1), (2, 2), (3, 1)):
        project.add_annotation(Annotation(ann_id, 1, cat, [1.0, 1.0, 5.0 + ann_id, 5.0], None, 25.0))
    project.path = tmp_path / "p.json"
    write_geojson(project, tmp_path / "out", images="copy")
    result = read_geojson(tmp_path / "out")
    assert result.problems == []
    names = {c.id: c.name for c in result.project.categories.values()}
    back = sorted((a.bbox[2], names[a.category_id]) for a in result.project.annotations.values())
    assert back == [(6.0, "Unclassified"), (7.0, "cat"), (8.0, "Unclassified")]


def test_a_class_only_refused_objects_had_is_not_made(tmp_path: Path) -> None:
    far = [[[0, 0], [1e9, 0], [5, 5], [0, 0]]]  # refused: too far outside the image
    text = _collection(
        _feature(far, classification={"name": "Necrosis", "color": [50, 50, 50]}),
        _feature(far),  # no class: it would have made "Unclassified"
        _feature(SQUARE, classification={"name": "Tumor", "color": [200, 0, 0]}),
        _feature(far, classification={"name": "Tumor", "color": [9, 9, 9]}),  # Tumor holds an object
    )
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(tmp_path / "slide.png")
    (tmp_path / "slide.geojson").write_text(text)
    result = read_geojson(tmp_path)
    assert sum("too far outside" in p for p in result.problems) == 3
    cats = {c.name: c for c in result.project.categories.values()}
    assert sorted(cats) == ["Tumor", "Unclassified"]  # the first square has no class
    assert cats["Tumor"].color == "#c80000"
    assert len(result.project.annotations) == 2


def test_collections_in_a_list_are_read_each_feature_at_its_place(tmp_path: Path) -> None:
    """``json.dump([collection])`` (a script's export of one slide, or of several collections) read its
    collection as a Feature without a geometry: nothing read, ``[0].geometry: expected a geometry``."""
    bad = {"type": "Feature", "geometry": None, "properties": {}}
    second = {"type": "FeatureCollection", "features": [_feature(SQUARE), bad]}
    problems, objects = _read(tmp_path, json.dumps([json.loads(_collection()), second]))
    assert len(objects) == 2
    at = "[1].features[1].geometry"
    assert problems == [f"{tmp_path / 'slide.geojson'}: {at}: expected a geometry object, got None; skipped"]


def test_objects_wholly_off_the_image_are_counted_in_one_line(tmp_path: Path) -> None:
    """A 40 x 30 image's export holding cells at x 100+ (another slide's, matched by its name) was read
    without a word: each object lay off the image, seen only as blank objects in the app."""
    away = [_feature([[[x, 5], [x + 8, 5], [x + 4, 12], [x, 5]]]) for x in (100, 200, 300, 400)]
    edge = _feature([[[40, 0], [48, 0], [44, 9], [40, 0]]])  # touching the right edge from outside: off
    inside_partly = _feature([[[35, 0], [48, 0], [44, 9], [35, 0]]])
    problems, objects = _read(tmp_path, _collection(*away, edge, inside_partly))
    assert len(objects) == 7  # kept: nothing is lost, the problem finder names each
    assert problems == [
        f"{tmp_path / 'slide.geojson'}: 5 of 7 objects lie wholly outside its image slide.png (40x30 px): "
        "features[1], features[2], features[3], ...; is it the export of another slide? Kept; the problem "
        "finder's out_of_bounds names each"
    ]


def test_objects_on_the_image_are_not_said_to_be_off_it(tmp_path: Path) -> None:
    corner = _feature([[[0, 0], [1, 0], [1, 1], [0, 0]]])
    far_corner = _feature([[[39, 29], [40, 29], [40, 30], [39, 29]]])
    problems, objects = _read(tmp_path, _collection(corner, far_corner))
    assert len(objects) == 3 and problems == []


def test_features_of_one_id_are_kept_and_said_naming_the_id_and_both_places(tmp_path: Path) -> None:
    """A second feature of an id (two exports' features joined by hand) lost that id without a word. Each
    is kept as an object; one line names the id and the features; the later is written back with an id
    of its own, so the ids QuPath reads stay unique."""
    a, b = "0f3c9e7a-1111-4c2b-9d3e-5a6b7c8d9e0f", "0f3c9e7a-2222-4c2b-9d3e-5a6b7c8d9e0f"
    features = [_feature(SQUARE), _feature(SQUARE), _feature(SQUARE), _feature(SQUARE)]
    for f, fid in zip(features, [a, b, a, a], strict=True):
        f["id"] = fid
    problems, objects = _read(tmp_path, json.dumps({"type": "FeatureCollection", "features": features}))
    assert len(objects) == 4
    assert problems == [
        f"{tmp_path / 'slide.geojson'}: 2 features with the id of an earlier one, each kept as an object of "
        f"its own (written back with an id of its own): '{a}' (features[0], features[2]); "
        f"'{a}' (features[0], features[3])"
    ]
    result = read_geojson(tmp_path)
    result.project.path = tmp_path / "p.json"
    write_geojson(result.project, tmp_path / "out")
    ids = [f["id"] for f in json.loads((tmp_path / "out" / "slide.geojson").read_text())["features"]]
    assert ids[:2] == [a, b] and len(set(ids)) == 4
