"""Agreement and consensus on a slide: nuclei spread over the whole image are counted without an
image-sized array (a 20,000 x 15,000 slide took 12 GB and ten minutes before)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from pixelproof.core import reliability
from pixelproof.core.agreement import Rater, run_agreement
from pixelproof.core.coco import new_project
from pixelproof.core.metrics import Placed
from pixelproof.core.model import Annotation, ImageRecord


def test_tiled_decision_patterns_equal_those_of_the_whole_image() -> None:
    rng = np.random.default_rng(3)
    shape = (53, 71)
    per_rater: list[list[Placed]] = []
    for _ in range(3):
        crops = []
        for _ in range(6):  # crops reaching past the image's edges and across many 7-px tiles
            h, w = rng.integers(1, 30, 2)
            crops.append(
                Placed(rng.random((h, w)) < 0.6, int(rng.integers(-10, 50)), int(rng.integers(-10, 65)))
            )
        per_rater.append(crops)
    dense = [np.logical_or.reduce([p.to_full(*shape) for p in crops]) for crops in per_rater]
    want_patterns, want_counts, _ = reliability.decision_patterns(dense)
    for tile in (7, 1024):
        patterns, counts = reliability.placed_decision_patterns(per_rater, shape, tile=tile)
        assert patterns.tolist() == want_patterns.tolist()
        assert counts.tolist() == want_counts.tolist()


def _nucleus(aid: int, x: float, y: float) -> Annotation:
    ring = [x, y, x + 12, y, x + 12, y + 10, x, y + 10]
    return Annotation(aid, 1, 1, [x, y, 12.0, 10.0], [ring], area=120.0)


def test_agreement_on_nuclei_at_a_slides_corners_holds_no_slide_sized_array(tmp_path: Path) -> None:
    width, height = 6000, 4000  # its whole-image STAPLE patterns took 1.3 GB; QA's class masks ~150 MB
    raters = []
    for k, shift in enumerate((0, 1)):
        p = new_project(["nucleus"])
        p.path = tmp_path / f"r{k}.json"
        p.add_image(ImageRecord(1, "slide.tif", width, height))
        p.add_annotation(_nucleus(1, 10 + shift, 10))
        p.add_annotation(_nucleus(2, width - 30 + shift, height - 30))
        raters.append(Rater(f"r{k}", p))
    tracemalloc.start()
    try:
        data = run_agreement(raters).to_dict()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 400 * 2**20, f"peak {peak / 2**20:.0f} MB"
    staple = data["per_class"][0]["staple"]
    # each rater's 2 x 13 x 11 nucleus pixels, 2 x 12 x 11 shared: one column of each nucleus apart
    assert staple["r0"]["sensitivity"] == pytest.approx(staple["r1"]["sensitivity"])
    assert 0.9 < staple["r0"]["sensitivity"] < 1.0
    assert staple["r0"]["specificity"] > 0.99999
