"""A GeoJSON file nested past ``limits.MAX_JSON_DEPTH`` levels is refused with the byte that opens the next
level, read whole or streamed alike. The limit was each parser's own: orjson (a file read whole) reads
1,024 levels, Python's ``json`` (a streamed file, and a whole one orjson refuses) as many as the stack
allows, about 990 from a test and fewer from deep in the app; so a file of 990 to 1,024 levels was read
whole and refused streamed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.limits import MAX_JSON_DEPTH
from pixelproof.interop import geojson_stream
from pixelproof.interop.geojson import read_geojson

SQUARE = '{"type": "Polygon", "coordinates": [[[1, 1], [9, 1], [9, 9], [1, 9], [1, 1]]]}'


def _nested(levels: int) -> bytes:
    """A FeatureCollection (level 1) of a square and a feature whose properties (level 4) hold a value
    nesting to ``levels`` levels in all."""
    value = "[" * (levels - 4) + "]" * (levels - 4)
    return (
        f'{{"type": "FeatureCollection", "features": [{{"type": "Feature", "geometry": {SQUARE}, '
        f'"properties": {{"name": "a [[[ \\" {{ bracket"}}}}, {{"type": "Feature", "geometry": {SQUARE}, '
        f'"properties": {{"x": {value}}}}}]}}'
    ).encode()


def _read(root: Path, monkeypatch: pytest.MonkeyPatch, stream: bool) -> tuple[int, list[str]]:
    with monkeypatch.context() as m:
        if stream:
            m.setattr(geojson_stream, "STREAM_BYTES", 0)
            m.setattr(geojson_stream, "CHUNK", 4096)
        result = read_geojson(root)
    return len(result.project.annotations), result.problems


@pytest.mark.parametrize(
    "levels", [MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 1_000, 1_024, 100_000], ids=lambda n: f"{n:,} levels"
)
def test_nesting_past_the_limit_is_refused_at_its_byte_read_whole_or_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, levels: int
) -> None:
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(tmp_path / "slide.png")
    text = _nested(levels)
    (tmp_path / "slide.geojson").write_bytes(text)
    whole = _read(tmp_path, monkeypatch, stream=False)
    assert _read(tmp_path, monkeypatch, stream=True) == whole
    objects, problems = whole
    if levels <= MAX_JSON_DEPTH:
        assert objects == 2 and problems == []
        return
    # the place, found apart: the bracket after the value's first (MAX_JSON_DEPTH - 4) ones
    at = text.index(b'"x": ') + len(b'"x": ') + MAX_JSON_DEPTH - 4
    assert text[at : at + 1] == b"["
    assert objects == 0 and problems == [
        f"{tmp_path / 'slide.geojson'}: nested too deeply to be GeoJSON (level {MAX_JSON_DEPTH + 1} opens "
        f"at byte {at}; at most {MAX_JSON_DEPTH} levels are read); skipped"
    ]
