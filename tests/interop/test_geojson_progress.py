"""A QuPath export of one slide is followed object by object: the import's progress said 0 of 1 file for
the whole read (tens of seconds on a slide's cells) and its Cancel waited for the file's end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.interop.geojson import read_geojson


def _export(folder: Path, stem: str, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (400, 300)).save(folder / f"{stem}.png")
    cells = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[x, 10], [x + 3, 10], [x + 3, 14], [x + 1, 16], [x, 10]]],
            },
            "properties": {
                "objectType": "detection",
                "classification": {"name": "Tumor", "color": [200, 0, 0]},
            },
        }
        for x in (10 + (k % 380) for k in range(n))
    ]
    file = folder / f"{stem}.geojson"
    file.write_text(json.dumps({"type": "FeatureCollection", "features": cells}))
    return file


def test_one_file_reports_its_features(tmp_path: Path) -> None:
    file = _export(tmp_path, "slide1", 600)
    calls: list[tuple[int, int]] = []
    result = read_geojson(file, progress=lambda done, total: calls.append((done, total)))
    assert len(result.project.annotations) == 600
    assert {total for _, total in calls} == {600}
    assert calls[-1] == (600, 600) and any(0 < done < 600 for done, _ in calls)


def test_cancel_stops_inside_the_file(tmp_path: Path) -> None:
    file = _export(tmp_path, "slide1", 600)
    seen: list[int] = []

    def step(done: int, total: int) -> None:  # as the app's job: Cancel raises from its progress callback
        seen.append(done)
        if done >= 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read_geojson(file, progress=step)
    assert max(seen) < 600


def test_a_folder_of_slides_counts_files(tmp_path: Path) -> None:
    for stem in ("a", "b"):
        _export(tmp_path, stem, 50)
    calls: list[tuple[int, int]] = []
    read_geojson(tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)


def test_a_streamed_file_is_busy_not_stuck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pixelproof.interop import geojson_stream

    monkeypatch.setattr(geojson_stream, "STREAM_BYTES", 0)  # read a feature at a time, as a 64 MB export
    file = _export(tmp_path, "slide1", 40)
    calls: list[tuple[int, int]] = []
    assert (
        len(read_geojson(file, progress=lambda done, total: calls.append((done, total))).project.annotations)
        == 40
    )
    assert calls == [(0, 0)]  # a busy bar: how many is known at the file's end only


def test_cancel_stops_inside_a_streamed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of 64 MB or more, the slowest to read, called its progress once, at its start: the app's
    Cancel (raised from the progress callback) then waited for the file's end."""
    from pixelproof.interop import geojson_stream

    monkeypatch.setattr(geojson_stream, "STREAM_BYTES", 0)
    file = _export(tmp_path, "slide1", 3000)
    calls: list[tuple[int, int]] = []

    def step(done: int, total: int) -> None:
        calls.append((done, total))
        if len(calls) > 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read_geojson(file, progress=step)
    assert set(calls) == {(0, 0)}  # busy throughout
