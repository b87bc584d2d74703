"""QA with boundary metrics off (``QAOptions(boundary_metrics=False)``, as ``agreement`` runs it): pixel
counts only, so the distances, NSD, Boundary IoU and clDice are "not computed" (NaN), never reduced from the
distance sets that were not measured (``hd`` took the max of an empty array when the masks differed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pixelproof.core.metrics import Placed, compare
from pixelproof.core.metrics_3d import compare_volume
from pixelproof.core.metrics_parts import compare_parts
from pixelproof.core.metrics_shapes import Shapes, compare_shapes
from pixelproof.core.qa import QAOptions, run_qa
from tests.core.test_qa import disc, make_project

FIGURES = ("hd", "hd95", "hd95_pooled", "hd95_mean", "assd", "masd", "nsd", "boundary_iou", "cldice")


def test_summary_with_a_missed_object_and_boundary_metrics_off() -> None:
    # a cat drawn 1 px off, a second cat and the only dog missed: rows with both masks and one mask empty
    ref = make_project(
        [
            ("a.png", "cat", disc(20, 20, 8)),
            ("a.png", "cat", disc(40, 60, 9)),
            ("a.png", "dog", disc(50, 20, 6)),
        ]
    )
    cand = make_project([("a.png", "cat", disc(21, 20, 8))])
    on = run_qa(ref, cand)
    off = run_qa(ref, cand, QAOptions(boundary_metrics=False))
    s = off.summary()  # before: ValueError: zero-size array to reduction operation maximum (metrics.hd)
    assert (s["tp"], s["fn"], s["fp"]) == (1, 2, 0)
    for name in ("iou", "dice", "tp_px", "fn_px", "f1", "pq"):  # pixel counts and objects as with them on
        assert s[name] == on.summary()[name], name
    assert s["n_one_empty"] == 1
    for name in FIGURES:
        assert math.isnan(s[name]), name
        assert s.get(f"{name}_inf_replaced", 0) == 0  # the missed dog's +inf is not guessed either
    for row in off.per_image:
        for name in FIGURES:
            assert math.isnan(row.value(name)) and row.reason(name) == "not computed", (row.category, name)
    assert [c["category"] for c in off.per_class()] == ["cat", "dog"]
    assert len(off.image_table()) == 1 and off.worst_images(key="hd95")


def _sparse(cy: int, cx: int) -> list[Placed]:
    """Two small discs far apart: compare_parts scores them cluster by cluster, not in one frame."""
    return [Placed.from_full(disc(cy + d, cx + d, 3, (2000, 2000))) for d in (0, 1800)]


@pytest.mark.parametrize(
    "how", ["compare", "compare_shapes", "compare_parts", "compare_parts_sparse", "volume"]
)
def test_every_comparison_of_pixel_counts_only_leaves_the_boundary_figures_unknown(how: str) -> None:
    a, b = disc(20, 20, 8), disc(21, 22, 8)
    if how == "compare":
        c = compare(a, b, distances=False)
    elif how == "compare_shapes":
        c = compare_shapes(
            Placed.from_full(a), Placed.from_full(b), a.shape, shapes=Shapes(), distances=False
        )
    elif how == "compare_parts":
        c = compare_parts([Placed.from_full(a)], [Placed.from_full(b)], a.shape, distances=False)
    elif how == "compare_parts_sparse":
        c = compare_parts(_sparse(20, 20), _sparse(21, 22), (2000, 2000), distances=False)
    else:
        c = compare_volume([Placed.from_full(a)] * 2, [Placed.from_full(b)] * 2, a.shape, distances=False)
    assert c.tp and c.fp and c.fn and not c.measured
    for name in FIGURES:
        assert math.isnan(getattr(c, name)) and c.reason(name) == "not computed", name
    assert all(math.isnan(v) for v in c.hd95_directed)
    measured = compare(a, b)  # the same masks measured: distances as before
    assert measured.measured and math.isfinite(measured.hd) and np.isfinite(measured.nsd)
