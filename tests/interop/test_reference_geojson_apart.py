"""A pathologist's QuPath export (one GeoJSON per slide, no slides beside it) chosen as the QA reference of a
project over those slides: its images are found in the candidate's image folders, as under ``qa
--image-dir`` (the review view has no such option, and its banner named the flag). Without a candidate, or
with no image of that name there, the file is still skipped and said."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import run_qa
from pixelproof.interop.references import ReferenceLoadError, load_reference


def square(x: int, y: int, side: int) -> dict:
    ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"objectType": "annotation", "classification": {"name": "Tumor"}},
    }


def setup(tmp_path: Path) -> tuple[Path, Project]:
    slides = tmp_path / "project" / "slides"
    slides.mkdir(parents=True)
    Image.fromarray(np.zeros((60, 80, 3), np.uint8)).save(slides / "s1.png")
    export = tmp_path / "qupath_export"  # saved apart from the slides, as QuPath's scripts write it
    export.mkdir()
    features = {"type": "FeatureCollection", "features": [square(10, 10, 20)]}
    (export / "s1.geojson").write_text(json.dumps(features))
    cand = Project(path=tmp_path / "project" / "project.json")
    cand.add_category(Category(1, "Tumor"))
    cand.add_image(ImageRecord(1, "slides/s1.png", 80, 60))
    ring = [10, 10, 30, 10, 30, 30, 10, 30]
    cand.add_annotation(Annotation(1, 1, 1, [10, 10, 20, 20], [ring], 400.0))
    return export, cand


def test_a_geojson_reference_finds_its_slides_in_the_candidate_s_folders(tmp_path) -> None:
    export, cand = setup(tmp_path)
    ref = load_reference(export, cand)
    assert len(ref.project.images) == 1 and ref.problems == []
    result = run_qa(ref, cand)
    assert result.images_scored == 1 and result.unmatched_candidate == []
    assert [(r.status, round(r.iou, 3)) for r in result.per_object] == [("match", 1.0)]


def test_without_the_slide_the_file_is_still_skipped_and_said(tmp_path) -> None:
    export, cand = setup(tmp_path)
    (tmp_path / "project" / "slides" / "s1.png").unlink()
    try:
        load_reference(export, cand)
    except ReferenceLoadError as e:
        assert any("s1.geojson: no image named s1.*" in p for p in e.problems)
    else:
        raise AssertionError("read without its image")
