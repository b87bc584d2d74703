"""Large QuPath GeoJSON files are streamed (``geojson_stream``): the project, the problems and the refusals
are those of the file parsed whole (orjson, falling back to ``json.loads``: the independent reading each
streamed one is checked against), whatever the chunk boundaries cut (chunks of a few bytes put one inside
every number, escape and keyword); and the peak memory of a streamed read is a fraction of a whole one."""

from __future__ import annotations

import gc
import json
import re
import shutil
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco_dump import project_to_dict
from pixelproof.interop import geojson_stream
from pixelproof.interop.geojson import read_geojson

DATA = Path(__file__).resolve().parents[1] / "data" / "geojson"
CLASSES = (
    {"name": "Tumor", "color": [200, 0, 0]},
    {"names": ["Tumor", "Positive"], "color": [255, 120, 0]},
    {"name": "Immune cells", "color": [160, 90, 160]},
    {"name": "Ignore*", "color": [180, 180, 180]},
    None,
)


def _read(src: Path, monkeypatch: pytest.MonkeyPatch, *, stream: bool, chunk: int = 2**20) -> tuple:
    """(project as a dict, problems) of reading ``src``, whole or streamed in ``chunk``-byte reads;
    a parser's own wording of a syntax error left out (orjson's and the stream's differ)."""
    with monkeypatch.context() as m:
        if stream:
            m.setattr(geojson_stream, "STREAM_BYTES", 0)
            m.setattr(geojson_stream, "CHUNK", chunk)
        result = read_geojson(src)
    problems = [re.sub(r"not a readable JSON file \(.*\); skipped$", "not JSON", p) for p in result.problems]
    return project_to_dict(result.project), problems


def _ring(cx: float, cy: float, r: float, n: int) -> list[list[float]]:
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1).round(2).tolist()
    return [*ring, ring[0]]


def _cells(n: int, seed: int = 0, odd: bool = True) -> list[dict]:
    """QuPath 0.4 cell detections (outline, nucleusGeometry, class, measurements); ``odd`` mixes in what
    QuPath also writes: NaN measurements, holes, MultiPolygons, points, unclosed rings, 0.2's packed
    colours, non-ASCII names."""
    rng = np.random.default_rng(seed)
    out = []
    for i, (cx, cy) in enumerate(rng.uniform(30, 970, (n, 2))):
        r = float(rng.uniform(5, 12))
        outline = [_ring(cx, cy, r, int(rng.integers(8, 20)))]
        measured = {
            "Nucleus: Area µm^2": float(rng.uniform(5, 50)),
            "Cell: Area": float(rng.uniform(50, 400)),
        }
        props: dict = {"objectType": "cell", "isLocked": False, "measurements": measured}
        if CLASSES[i % 5] is not None:
            props["classification"] = CLASSES[i % 5]
        geometry: dict = {"type": "Polygon", "coordinates": outline}
        if odd and i % 7 == 3:
            measured["DAB: Mean"] = float("nan")
        if odd and i % 11 == 4:
            geometry["coordinates"] = [*outline, _ring(cx, cy, r / 3, 6)[::-1]]
        if odd and i % 13 == 5:
            geometry = {"type": "MultiPolygon", "coordinates": [outline, [_ring(cx + 2 * r, cy, r / 2, 8)]]}
        if odd and i % 17 == 6:
            geometry = {"type": "Point", "coordinates": [cx, cy]}
        if odd and i % 19 == 7 and geometry["type"] == "Polygon":
            geometry["coordinates"][0] = geometry["coordinates"][0][:-1]
        if odd and i % 23 == 8:
            props["classification"] = {"name": "Stroma ☃", "colorRGB": -16744448}
        out.append(
            {
                "type": "Feature",
                "id": f"{i:08x}-0000-4000-8000-{seed:012x}",
                "geometry": geometry,
                "nucleusGeometry": {"type": "Polygon", "coordinates": [_ring(cx, cy, r / 2, 8)]},
                "properties": props,
            }
        )
    return out


def _slide(root: Path, text: str | bytes, name: str = "slide.geojson") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((1000, 1000), np.uint8)).save(root / "slide.png")
    (root / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


@pytest.mark.parametrize("chunk", [3, 2**20])
def test_the_fixtures_stream_as_they_read_whole(tmp_path: Path, monkeypatch, chunk: int) -> None:
    root = shutil.copytree(DATA, tmp_path / "qupath")
    whole = _read(root, monkeypatch, stream=False)
    assert whole[0]["annotations"]
    assert _read(root, monkeypatch, stream=True, chunk=chunk) == whole


@pytest.mark.parametrize("nan", [False, True], ids=["orjson", "json-nan"])
def test_2000_cells_stream_as_they_read_whole(tmp_path: Path, monkeypatch, nan: bool) -> None:
    """Without NaN the whole file is orjson's; with it, json.loads' (orjson refuses NaN)."""
    features = _cells(2000, odd=nan)
    root = _slide(tmp_path, json.dumps({"type": "FeatureCollection", "features": features}))
    whole = _read(root, monkeypatch, stream=False)
    assert len(whole[0]["annotations"]) > 1800
    assert _read(root, monkeypatch, stream=True, chunk=4096) == whole
    assert _read(root, monkeypatch, stream=True, chunk=7) == _read(root, monkeypatch, stream=True)


FEATURE = json.dumps(_cells(1, odd=False)[0])
OTHER = json.dumps(_cells(2, seed=5, odd=False)[1])
DOCUMENTS = [
    # (what, the file's text)
    ("bare list", f"[{FEATURE}, {OTHER}]"),
    ("spaces", f' \n\t{{ "type" : "FeatureCollection" ,\r\n "features" : [ \n{FEATURE} ,\n {OTHER} ] }} \n'),
    ("empty collection", '{"type": "FeatureCollection", "features": []}'),
    ("empty list", "[]"),
    ("type last", f'{{"features": [{FEATURE}], "type": "FeatureCollection"}}'),
    (
        "two feature arrays",
        f'{{"type": "FeatureCollection", "features": [{FEATURE}], "features": [{OTHER}]}}',
    ),
    ("type changed after", f'{{"type": "FeatureCollection", "features": [{FEATURE}], "type": "Topology"}}'),
    ("features then not", f'{{"type": "FeatureCollection", "features": [{FEATURE}], "features": 3}}'),
    ("features not a list", f'{{"type": "FeatureCollection", "features": {FEATURE}}}'),
    ("one feature", FEATURE),
    ("a geometry", '{"type": "Polygon", "coordinates": [[[1, 1], [9, 1], [9, 9], [1, 1]]]}'),
    ("a number", "12345"),
    ("a string", '"FeatureCollection"'),
    ("empty object", "{}"),
    ("byte-order mark", "\ufeff" + f"[{FEATURE}]"),
    ("escapes", f'[{FEATURE[:-1]}, "x": "caf\\u00e9 \\ud83d\\ude00 \\" \\\\ \\/ \\n"}}]'),
    ("lone surrogate", '[{"type": "Feature", "geometry": null, "properties": {"name": "\\ud800"}}]'),
    ("numbers", '[{"type": "Feature", "properties": {"measurements": {"a": -12.5e-3, "b": 1E+2, "c": -0}}}]'),
    ("5,000 digits", '[{"type": "Feature", "properties": {"measurements": {"a": %s}}}]' % ("9" * 5000)),
    ("huge numbers", '[{"type": "Feature", "properties": {"measurements": {"a": 1e999, "b": -Infinity}}}]'),
    ("truncated", f"[{FEATURE}, {OTHER[:-40]}"),
    ("trailing data", f"[{FEATURE}] x"),
    ("two values", f"[{FEATURE}] []"),
    ("trailing comma", f"[{FEATURE},]"),
    ("object trailing comma", f'{{"type": "FeatureCollection", "features": [{FEATURE}],}}'),
    ("no colon", '{"type" "FeatureCollection"}'),
    ("bare word", f"[{FEATURE}, nope]"),
    ("control character", '["a\tb"]'),
    ("bad escape", f'[{FEATURE}, "\\x"]'),
    ("empty file", ""),
    ("only spaces", "   \n "),
    ("deep", "[" * 50_000 + "]" * 50_000),
    ("deep later", f'{{"type": "FeatureCollection", "features": [{FEATURE}, {"[" * 50_000}{"]" * 50_000}]}}'),
    ("deep past an error", f"[{FEATURE}, nope, {'[' * 300}{']' * 300}]"),
    ("deep and cut", f"[{FEATURE}, {'[' * 300}"),
    ("deep after an escaped quote", f'[{FEATURE}, "a\\"[", {"[" * 300}{"]" * 300}]'),
    ("brackets in a string", f'[{FEATURE[:-1]}, "x": "{"[" * 300}\\\\"}}, {"[" * 150}{"]" * 150}]'),
]


@pytest.mark.parametrize("chunk", [1, 5, 2**20])
@pytest.mark.parametrize(("what", "text"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_any_text_streams_as_it_reads_whole(
    tmp_path: Path, monkeypatch, what: str, text: str, chunk: int
) -> None:
    root = _slide(tmp_path, text)
    assert _read(root, monkeypatch, stream=True, chunk=chunk) == _read(root, monkeypatch, stream=False)


@pytest.mark.parametrize("chunk", [1, 4096])
@pytest.mark.parametrize("at", [0, 1, 5000])
def test_a_byte_that_is_not_utf8_is_named_as_when_read_whole(
    tmp_path: Path, monkeypatch, chunk: int, at: int
) -> None:
    """Also past a syntax error: a file read whole is decoded before it is parsed."""
    text = json.dumps({"type": "FeatureCollection", "features": _cells(8, odd=False)}).encode()
    for data in (text[:at] + b"\xff" + text[at:], b"\xef\xbb\xbf" + text[:at] + b"\xe9" + text[at:]):
        root = _slide(tmp_path, data[:100] + b"\x01" + data[100:])  # a syntax error before it, too
        whole = _read(root, monkeypatch, stream=False)
        assert len(whole[1]) == 1 and "not UTF-8 text (byte" in whole[1][0], whole[1]
        assert _read(root, monkeypatch, stream=True, chunk=chunk) == whole


def test_a_file_cut_while_it_is_read_is_said_and_what_was_read_kept(tmp_path: Path, monkeypatch) -> None:
    features = _cells(40, odd=False)
    root = _slide(tmp_path, json.dumps({"type": "FeatureCollection", "features": features}))
    streamed = geojson_stream.features

    def cut_after_the_first(file: Path, *args: object) -> Iterator[Any]:
        for n, feature in enumerate(streamed(file, *args)):
            if n == 0:
                file.write_bytes(file.read_bytes()[: len(file.read_bytes()) // 2])
            yield feature

    monkeypatch.setattr(geojson_stream, "features", cut_after_the_first)
    monkeypatch.setattr(geojson_stream, "STREAM_BYTES", 0)
    monkeypatch.setattr(geojson_stream, "CHUNK", 4096)  # the rest is read after the cut
    result = read_geojson(root)
    assert 0 < len(result.project.annotations) < 40
    changed = [p for p in result.problems if "changed while it was read" in p]
    assert len(changed) == 1 and changed[0].startswith(str(root / "slide.geojson")), result.problems


@pytest.mark.parametrize("how", ["replaced", "rewritten"])
def test_a_file_another_export_replaces_after_the_check_is_said_not_read_as_empty(
    tmp_path: Path, monkeypatch, how: str
) -> None:
    """QuPath writing the slide's export again while it is imported: a FeatureCollection checked, then a
    bare list of other cells in its place. The list's features were looked for as the collection's array
    (none there), so the file read as holding no object, and nothing was said."""
    root = _slide(tmp_path, json.dumps({"type": "FeatureCollection", "features": _cells(40, odd=False)}))
    checked = geojson_stream.check

    def check_then_replace(file: Path) -> geojson_stream.Shape:
        shape = checked(file)
        other = json.dumps(_cells(30, seed=2, odd=False)).encode()
        if how == "replaced":  # written beside it and moved over it, as a careful writer does
            (file.parent / "new.tmp").write_bytes(other)
            (file.parent / "new.tmp").replace(file)
        else:
            file.write_bytes(other)
        return shape

    monkeypatch.setattr(geojson_stream, "check", check_then_replace)
    monkeypatch.setattr(geojson_stream, "STREAM_BYTES", 0)
    result = read_geojson(root)
    changed = [p for p in result.problems if "changed" in p]
    assert len(changed) == 1 and changed[0].startswith(str(root / "slide.geojson")), result.problems
    assert "import it again" in changed[0]


def test_a_file_rewritten_with_its_size_and_time_kept_is_said_changed_and_its_nesting_never_crashes(
    tmp_path: Path, monkeypatch
) -> None:
    """The second reading counts no levels (the first did, on the file its stamp says is the same). A file
    written over with the same size and its modification time put back (``cp -p``, ``rsync -t``, an
    archive unpacked) kept that stamp: another file, nested past the limit, was read unchecked. Its
    change time cannot be put back."""
    import os

    first = {"type": "FeatureCollection", "features": _cells(3, odd=False)}
    root = _slide(tmp_path, json.dumps(first))
    file = root / "slide.geojson"
    size = file.stat().st_size
    deep: Any = 1.0
    for _ in range(300):
        deep = [deep]
    feature = {"type": "Feature", "geometry": None, "properties": {"deep": deep}}
    other = json.dumps({"type": "FeatureCollection", "features": [feature]})
    other = other[:-1] + " " * (size - len(other)) + "}"  # the same size
    assert len(other.encode()) == size
    checked = geojson_stream.check

    def check_then_rewrite(path: Path) -> geojson_stream.Shape:
        shape = checked(path)
        before = path.stat()
        path.write_text(other)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        return shape

    monkeypatch.setattr(geojson_stream, "check", check_then_rewrite)
    monkeypatch.setattr(geojson_stream, "STREAM_BYTES", 0)
    result = read_geojson(root)
    changed = [p for p in result.problems if "changed" in p]
    assert len(changed) == 1 and changed[0].startswith(str(file)), result.problems
    assert not result.project.annotations


def test_a_feature_nested_past_the_parser_s_depth_in_the_second_reading_is_a_change_not_a_crash(
    tmp_path: Path,
) -> None:
    """Unchecked for levels, the second reading's parser meets the nesting itself (``RecursionError``)."""
    file = tmp_path / "slide.geojson"
    file.write_text(
        '{"type": "FeatureCollection", "features": [{"properties": ' + "[" * 100_000 + "]" * 100_000 + "}]}"
    )
    with pytest.raises(geojson_stream.Changed, match="nested too deeply"):
        list(geojson_stream.features(file, 1))


def _peak(src: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        result = read_geojson(src)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(result.project.annotations) == 5_000
    return peak


def test_a_streamed_read_peaks_at_a_fraction_of_a_whole_one(tmp_path: Path, monkeypatch) -> None:
    """5,000 cells: the whole read holds the file's bytes and its parsed tree at once; the stream holds
    the objects made and a chunk of text."""
    features = _cells(5_000, odd=False)
    root = _slide(tmp_path, json.dumps({"type": "FeatureCollection", "features": features}))
    del features
    whole = _peak(root)
    monkeypatch.setattr(geojson_stream, "STREAM_BYTES", 0)
    streamed = _peak(root)
    assert streamed < 0.4 * whole, (streamed, whole)  # 0.17 measured (20,000 cells: 51 MB vs 305 MB)
