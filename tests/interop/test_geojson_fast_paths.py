"""The GeoJSON import's fast paths (a plain cell's outline taken without arrays, areas measured in bulk,
streamed features parsed by orjson where the check found their ends) give the project the plain paths
give: the same objects, areas, extras and messages, on the real QuPath fixtures and on cells of every
odd kind QuPath writes, on a small image and on a slide too big for one RLE."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.polygon_areas import polygon_areas
from pixelproof.interop import _util, geojson, geojson_stream
from tests.interop.test_geojson_stream import DATA, _cells, _read, _slide

SLIDE = (65536, 49152)  # over 2**31 pixels: each polygon is measured in its own frame


def _reference(m: pytest.MonkeyPatch) -> None:
    """The plain paths: every polygon through ``parts``/``add_object``, each area measured alone, every
    streamed feature parsed by ``json``'s decoder."""
    m.setattr(geojson, "plain_outline", lambda geometry: None)
    m.setattr(_util.Builder, "areas_in_bulk", lambda self, image: contextlib.nullcontext())
    m.setattr(geojson_stream._Text, "value_to", lambda self, end: self.value())


def _both(root: Path, monkeypatch: pytest.MonkeyPatch, stream: bool, size: tuple[int, int] | None) -> tuple:
    """(fast, plain) readings, and how many outlines the fast one took the fast way."""
    taken = []
    outline = geojson.plain_outline
    with monkeypatch.context() as m:
        if size is not None:
            m.setattr(geojson, "image_size", lambda path: size)
        m.setattr(geojson, "plain_outline", lambda g: taken.append(outline(g)) or taken[-1])
        fast = _read(root, m, stream=stream, chunk=4096)
        _reference(m)
        plain = _read(root, m, stream=stream, chunk=4096)
    return fast, plain, sum(t is not None for t in taken)


@pytest.mark.parametrize("size", [None, SLIDE], ids=["picture", "slide"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_the_qupath_fixtures_import_as_the_plain_paths_read_them(
    tmp_path: Path, monkeypatch, stream: bool, size: tuple[int, int] | None
) -> None:
    root = shutil.copytree(DATA, tmp_path / "qupath")
    fast, plain, _ = _both(root, monkeypatch, stream, size)  # their polygons: holes, rectangles, 4 corners
    assert len(fast[0]["annotations"]) == 7
    assert fast == plain


@pytest.mark.parametrize("size", [None, SLIDE], ids=["picture", "slide"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_odd_cells_import_as_the_plain_paths_read_them(
    tmp_path: Path, monkeypatch, stream: bool, size: tuple[int, int] | None
) -> None:
    """5,000 cells (more than one bulk of areas): holes, MultiPolygons, points, unclosed rings, NaN, cells
    on the image's edges and past them, rectangles, integer corners, and numbers orjson reads otherwise
    than json (an integer past 64 bits)."""
    cells = _cells(5000)
    for i, cell in enumerate(cells):
        ring = cell["geometry"]["coordinates"][0] if cell["geometry"]["type"] == "Polygon" else None
        if ring is not None and i % 29 == 9:  # across the image's top-left corner
            cell["geometry"]["coordinates"][0] = [[x - 990 + i % 7, y - 990] for x, y in ring]
        if ring is not None and i % 31 == 10:
            cell["geometry"]["coordinates"] = [[[10, 10], [30, 10], [30, 20], [10, 20], [10, 10]]]
        if ring is not None and i % 37 == 11:
            cell["geometry"]["coordinates"] = [[[round(x), round(y)] for x, y in ring]]
        if i % 41 == 12:
            cell["properties"]["measurements"]["Count"] = 123456789012345678901234567890
    text = json.dumps({"type": "FeatureCollection", "features": cells})
    root = _slide(tmp_path / "s", text)  # json writes NaN as QuPath does
    fast, plain, taken = _both(root, monkeypatch, stream, size)
    assert len(fast[0]["annotations"]) > 4500 and taken > 3500
    assert fast == plain


@pytest.mark.parametrize("size", [(1000, 800), SLIDE], ids=["picture", "slide"])
def test_polygon_areas_are_each_polygons_own(size: tuple[int, int]) -> None:
    """In bulk, in one frame as large as the largest, each area is the one measured alone: polygons of
    every size, on whole pixels, half pixels and fifths (pycocotools' grid), on the image's edges and
    past them, and one whose frame is too large to share."""
    rng = np.random.default_rng(5)
    w, h = size
    polygons = []
    for k in range(700):
        n = int(rng.integers(3, 40))
        cx = float(rng.choice([rng.uniform(0, w), 0.3, w - 0.5, 30000.0]))
        cy = float(rng.choice([rng.uniform(0, h), 0.0, h - 0.2]))
        r = float(rng.choice([0.4, 3.0, 20.0, 1500.0]))
        angles, radii = np.sort(rng.uniform(0, 2 * np.pi, n)), r * rng.uniform(0.2, 1, n)
        pts = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], 1)
        pts = pts.round(int(rng.integers(0, 3))) if k % 3 else np.round(pts * 5) / 5
        polygons.append([float(v) for v in pts.reshape(-1)])
    bulk = polygon_areas(polygons, h, w)
    alone = [masks.segmentation_area([p], [], h, w) for p in polygons]
    assert bulk == alone
    assert sum(a > 0 for a in alone) > 300
