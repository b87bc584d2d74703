"""Where an object's tag goes above it or, when that spot is taken, below it (``tag_layout``): a polygon's top
or bottom vertex, the leftmost of ties; a mask's top row's first pixel, or under its bottom row's."""

from __future__ import annotations

import numpy as np

from pixelproof.core.geometry import end_point, row_start


def test_a_polygons_ends_are_its_top_and_bottom_vertex_leftmost_of_ties() -> None:
    polys = [[10.0, 50.0, 30.0, 20.0, 50.0, 20.0, 40.0, 80.0], [5.0, 80.0, 6.0, 70.0]]
    assert end_point(polys, top=True) == (30.0, 20.0)
    assert end_point(polys, top=False) == (5.0, 80.0)
    assert end_point([], top=True) is None and end_point([[1.0]], top=False) is None


def test_a_masks_ends_are_the_corners_of_its_top_and_bottom_rows_first_pixels() -> None:
    crop = np.zeros((6, 5), dtype=bool)
    crop[1, 3] = crop[1, 4] = True
    crop[4, 2] = crop[4, 0] = True
    assert row_start(crop, (100, 200), top=True) == (103.0, 201.0)
    assert row_start(crop, (100, 200), top=False) == (100.0, 205.0)  # under the pixel: its bottom edge
    assert row_start(np.zeros((2, 2), dtype=bool), (0, 0), top=True) is None
