"""QuPath writes the plane of an object drawn on a z-stack or time series off its first plane in the
geometry (``"plane": {"c": -1, "z": 3, "t": 0}``). The import dropped it: the objects of every plane lay on
the one 2-D image with nothing said, and the export put them all back on z=0, t=0 in QuPath. The plane is
kept in the object's QuPath extras and written back, and the import says which features lie elsewhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pixelproof.core.coco import load_project, save_project
from pixelproof.interop.geojson import read_geojson
from pixelproof.interop.geojson_writer import write_geojson

DATA = Path(__file__).resolve().parents[1] / "data" / "geojson"
Z3 = {"c": -1, "z": 3, "t": 0}
T1 = {"c": -1, "z": 2, "t": 1}


def planes_file(tmp_path: Path) -> Path:
    """QuPath's 0.4 fixture with its first polygon on z=3, its cell (and nucleus) on z=2, t=1, and its
    rectangle on the default plane written out."""
    root = tmp_path / "qupath"
    root.mkdir()
    shutil.copy(DATA / "slide_v04.png", root)
    doc = json.loads((DATA / "slide_v04.geojson").read_text())
    features = doc["features"]
    features[0]["geometry"]["plane"] = Z3
    features[1]["geometry"]["plane"] = {"c": -1, "z": 0, "t": 0}
    features[3]["geometry"]["plane"] = T1
    features[3]["nucleusGeometry"]["plane"] = T1
    (root / "slide_v04.geojson").write_text(json.dumps(doc))
    return root


def planes_of(file: Path) -> list[tuple[dict | None, dict | None]]:
    doc = json.loads(file.read_text())
    return [
        (f["geometry"].get("plane"), (f.get("nucleusGeometry") or {}).get("plane")) for f in doc["features"]
    ]


def test_a_features_plane_is_kept_said_and_written_back(tmp_path: Path) -> None:
    root = planes_file(tmp_path)
    result = read_geojson(root)
    anns = sorted(result.project.annotations.values(), key=lambda a: a.id)
    assert [a.app_extra["qupath"].get("plane") for a in anns] == [Z3, None, None, T1, None]
    (note,) = [p for p in result.problems if "another plane" in p]
    assert str(root / "slide_v04.geojson") in note and "2 features on another plane" in note
    assert "z=2, t=1: 1; z=3, t=0: 1" in note and "slide_v04.png is read as one 2-D image" in note
    save_project(result.project, tmp_path / "p.json")  # kept in the project as saved
    write_geojson(load_project(tmp_path / "p.json"), tmp_path / "out", images="keep")
    written = planes_of(tmp_path / "out" / "slide_v04.geojson")
    assert written == [(Z3, None), (None, None), (None, None), (T1, T1), (None, None)]
    again = read_geojson(tmp_path / "out" / "slide_v04.geojson", image_dir=root)  # and read back the same
    assert [a.app_extra["qupath"].get("plane") for a in again.project.annotations.values()] == [
        Z3,
        None,
        None,
        T1,
        None,
    ]


def test_a_plane_that_is_none_is_said_and_ignored(tmp_path: Path) -> None:
    root = planes_file(tmp_path)
    doc = json.loads((root / "slide_v04.geojson").read_text())
    doc["features"][0]["geometry"]["plane"] = {"z": -4}
    (root / "slide_v04.geojson").write_text(json.dumps(doc))
    result = read_geojson(root)
    assert any("features[0].geometry.plane: expected" in p and "ignored" in p for p in result.problems)
    first = min(result.project.annotations.values(), key=lambda a: a.id)
    assert "plane" not in first.app_extra["qupath"]
    write_geojson(result.project, tmp_path / "out", images="keep")
    assert planes_of(tmp_path / "out" / "slide_v04.geojson")[0] == (None, None)
