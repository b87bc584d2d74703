"""core.polygon_interp: a polygon ring between two others, as CVAT resamples a polygon track between its
keyframes; the expected rings are CVAT's own (its ``polyshape_interpolation`` in
cvat/apps/dataset_manager/annotation.py, run on these rings outside this repository)."""

from __future__ import annotations

import math

import pytest

from pixelproof.core.polygon_interp import polygon_between

OCTAGON = [10.0, 0.0, 20.0, 0.0, 30.0, 10.0, 30.0, 20.0, 20.0, 30.0, 10.0, 30.0, 0.0, 20.0, 0.0, 10.0]
TRIANGLE = [0.0, 0.0, 30.0, 0.0, 15.0, 30.0]


def test_the_same_vertex_count_laid_alike_is_mixed_vertex_by_vertex() -> None:
    square = [0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0]
    expected = [1.0, 1.0, 11.0, 1.0, 11.0, 11.0, 1.0, 11.0]  # CVAT's ring too
    assert polygon_between(square, [v + 4.0 for v in square], 0.25) == expected


# a 20 x 20 square with a fifth vertex mid-way along its top edge, and one with it mid-way down its right
TOP_MID = [0.0, 0.0, 10.0, 0.0, 20.0, 0.0, 20.0, 20.0, 0.0, 20.0]
RIGHT_MID = [0.0, 0.0, 20.0, 0.0, 20.0, 10.0, 20.0, 20.0, 0.0, 20.0]


@pytest.mark.parametrize(
    ("p", "q", "expected"),
    [
        (TOP_MID, RIGHT_MID, [0.0, 0.0, 7.5, 0.0, 20.0, 0.0, 20.0, 2.5, 20.0, 20.0, 0.0, 20.0]),
        (RIGHT_MID, TOP_MID, [0.0, 0.0, 2.5, 0.0, 20.0, 0.0, 20.0, 7.5, 20.0, 20.0, 0.0, 20.0]),
    ],
)
def test_the_same_vertex_count_laid_otherwise_is_resampled_as_cvat_does(
    p: list[float], q: list[float], expected: list[float]
) -> None:
    """CVAT's ``interpolate`` sends every polygon pair through ``polyshape_interpolation``, of one vertex
    count too: the square stays a square (six vertices), where vertex by vertex cut its corner
    (``[0, 0, 12.5, 0, 20, 2.5, 20, 20, 0, 20]`` at 0.25)."""
    assert polygon_between(p, q, 0.25) == pytest.approx(expected)


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
