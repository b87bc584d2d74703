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


def _spread_raters(tmp_path: Path, width: int, height: int, step: int) -> list[Rater]:
    """Two raters' nuclei of two classes over the whole image: the second shifted, some missed, one
    class swapped, and touching pairs (clusters of several objects a side)."""
    raters = []
    for k in range(2):
        p = new_project(["nucleus", "lymphocyte"])
        p.path = tmp_path / f"s{k}.json"
        p.add_image(ImageRecord(1, "slide.tif", width, height))
        aid = 0
        for n, (y, x) in enumerate(
            (y, x) for y in range(5, height - 40, step) for x in range(5, width - 40, step)
        ):
            if k == 1 and n % 7 == 3:  # missed by the second rater
                continue
            cat = 1 + (n % 3 == 0) if not (k == 1 and n % 11 == 5) else 2 - (n % 3 == 0)
            for dx in (0, 13) if n % 5 == 0 else (0,):  # two touching nuclei: one cluster
                aid += 1
                a = _nucleus(aid, x + dx + k * (n % 4), y + k * (n % 2))
                a.category_id = cat
                p.add_annotation(a)
        raters.append(Rater(f"s{k}", p))
    return raters


def test_agreement_per_class_figures_cluster_by_cluster_equal_the_whole_class_masks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pixelproof.core import metrics_parts

    raters = _spread_raters(tmp_path, 900, 700, 60)
    clustered = run_agreement(raters).to_dict()
    monkeypatch.setattr(metrics_parts, "SPARSE_FRAME", 1 << 40)  # every class compared on its whole frame
    whole = run_agreement(raters).to_dict()
    assert clustered == whole
    assert {r["category"] for r in whole["per_image"]} == {"nucleus", "lymphocyte"}
    assert all(r["fp"] + r["fn"] for r in whole["per_image"])  # something to get wrong
    assert all(0.3 < r["dice"] < 1.0 for r in whole["per_image"])


def test_agreement_per_class_scoring_of_nuclei_over_a_slide_holds_no_slide_sized_mask(tmp_path: Path) -> None:
    # 6000 x 4000: each class's union a side was a 24,000,000-pixel frame (3 GB on a 20,000 x 15,000 slide)
    run_agreement(_spread_raters(tmp_path, 1500, 1000, 150))  # modules imported on first use: not counted
    raters = _spread_raters(tmp_path, 6000, 4000, 150)
    tracemalloc.start()
    try:
        data = run_agreement(raters).to_dict()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert {c["category"] for c in data["per_class"]} == {"nucleus", "lymphocyte"}
    assert 0.3 < data["summary"]["dice"] < 1.0
