"""core.polygon_interp: a polygon ring between two of other vertex counts, as CVAT resamples a polygon track
between its keyframes; the expected rings are CVAT's own (its ``polyshape_interpolation`` in
cvat/apps/dataset_manager/annotation.py, run on these rings outside this repository)."""

from __future__ import annotations

import math

import pytest

from pixelproof.core.polygon_interp import polygon_between

OCTAGON = [10.0, 0.0, 20.0, 0.0, 30.0, 10.0, 30.0, 20.0, 20.0, 30.0, 10.0, 30.0, 0.0, 20.0, 0.0, 10.0]
TRIANGLE = [0.0, 0.0, 30.0, 0.0, 15.0, 30.0]


def test_the_same_vertex_count_is_mixed_vertex_by_vertex() -> None:
    square = [0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0]
    assert polygon_between(square, [v + 4.0 for v in square], 0.25) == [
        1.0,
        1.0,
        11.0,
        1.0,
        11.0,
        11.0,
        1.0,
        11.0,
    ]


@pytest.mark.parametrize(("p", "q"), [(OCTAGON, TRIANGLE), (TRIANGLE, OCTAGON)])
def test_an_octagon_and_a_triangle_give_cvats_ring(p: list[float], q: list[float]) -> None:
    expected = [5.0, 0.0, 10.0, 0.0, 30.0, 5.0, 30.0, 10.0, 17.5, 30.0, 12.5, 30.0, 7.5, 25.0, 0.0, 5.0]
    assert polygon_between(p, q, 0.5) == pytest.approx(expected)
    assert polygon_between(p, q, 0.0) == p  # a key's own ring at its frame


def test_a_ring_of_no_length_or_no_vertex_gives_finite_vertices() -> None:
    """CVAT divides by a perimeter of 0 (NaN); here such a ring is all at its start."""
    square = [0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0]
    ring = polygon_between([5.0, 5.0, 5.0, 5.0, 5.0, 5.0], square, 0.5)
    assert ring and all(math.isfinite(v) for v in ring)
    assert polygon_between([], square, 0.5) == square and polygon_between(square, [1.0], 0.5) == square
