"""A QuPath export of a slide reads with the slide's pixel size: QuPath's measurements are in µm, and the
status bar, the Measure tool and QA's distances need the spacing a project made over the slide's folder
has (``pixelproof new`` reads it from the header); the GeoJSON import took the size alone."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pixelproof.interop.geojson import read_geojson

tifffile = pytest.importorskip("tifffile")


def _slide(path: Path, um_per_px: float) -> None:
    """A small tiled two-level TIFF, its pixel size as an Aperio-free slide gives it: pixels per cm."""
    base = np.full((192, 256, 3), 200, np.uint8)
    per_cm = 1e4 / um_per_px
    with tifffile.TiffWriter(path) as tw:
        tw.write(
            base, tile=(64, 64), photometric="rgb", resolution=(per_cm, per_cm), resolutionunit="CENTIMETER"
        )
        tw.write(base[::2, ::2], tile=(64, 64), photometric="rgb", subfiletype=1)


def _export(path: Path) -> None:
    ring = [[10, 10], [60, 10], [60, 40], [10, 50], [10, 10]]
    feature = {
        "type": "Feature",
        "id": "6f0c2a7e-0000-4000-8000-000000000001",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"objectType": "annotation", "classification": {"name": "Tumor", "color": [200, 0, 0]}},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))


def test_slide_pixel_size_is_kept(tmp_path: Path) -> None:
    _slide(tmp_path / "slide1.tif", 0.5)
    _export(tmp_path / "slide1.geojson")
    project = read_geojson(tmp_path).project
    (image,) = project.images.values()
    assert (image.width, image.height) == (256, 192)
    # 0.5 µm a pixel is 0.0005 mm (pixel_spacing is in mm, row then column)
    assert image.extra["pixel_spacing"] == pytest.approx([0.0005, 0.0005])


def test_image_without_a_pixel_size_has_none(tmp_path: Path) -> None:
    tifffile.imwrite(tmp_path / "slide1.tif", np.zeros((40, 70), np.uint8))
    _export(tmp_path / "slide1.geojson")
    (image,) = read_geojson(tmp_path).project.images.values()
    assert "pixel_spacing" not in image.extra
