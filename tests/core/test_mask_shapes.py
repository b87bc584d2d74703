"""``masks.mask_to_shapes``: outlines with their holes, as formats whose polygons hold holes need them."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core import masks


def _drawn(shapes: list, h: int, w: int) -> np.ndarray:
    """Each part's outer ring rasterized (pycocotools) minus its own holes, the parts together."""
    out = np.zeros((h, w), bool)
    for outer, holes in shapes:
        part = masks.polygons_to_mask([outer], h, w)
        if holes:
            part &= ~masks.polygons_to_mask(holes, h, w)
        out |= part
    return out


def test_random_masks_with_holes_and_islands_come_back_pixel_for_pixel() -> None:
    rng = np.random.default_rng(1)
    for k in range(300):
        h, w = (int(v) for v in rng.integers(3, 30, 2))
        m = rng.random((h, w)) < rng.uniform(0.3, 0.9)
        if k % 3 == 0:  # a frame of holes in a row, one pixel apart
            m[:] = False
            m[2 : h - 1, 1 : w - 1] = True
            m[3 : h - 2 : 2, 2 : w - 2 : 3] = False
        assert np.array_equal(_drawn(masks.mask_to_shapes(m), h, w), m), k


def test_a_ring_with_an_island_in_its_hole_is_two_parts_and_shapely_agrees() -> None:
    geometry = pytest.importorskip("shapely.geometry")
    m = np.zeros((30, 30), bool)
    m[2:28, 2:28], m[8:22, 8:22], m[12:18, 12:18] = True, False, True
    shapes = masks.mask_to_shapes(m)
    assert sorted(len(holes) for _, holes in shapes) == [0, 1]
    assert np.array_equal(_drawn(shapes, 30, 30), m)

    def pts(flat: list[float]) -> list[tuple[float, float]]:
        return list(zip(flat[0::2], flat[1::2], strict=True))

    polys = [geometry.Polygon(pts(o), [pts(r) for r in holes]) for o, holes in shapes]
    assert all(p.is_valid for p in polys)
    ring = next(p for p in polys if p.interiors)
    # on the pixel edges but for the hole's 4 corners, each cut by less than an eighth of a pixel
    assert 0 < ring.area - (26 * 26 - 14 * 14) < 4 / 8
    assert masks.mask_to_polygons(m).holes == 1 and len(masks.mask_to_polygons(m).polygons) == 2
