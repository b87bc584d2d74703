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


def test_fill_holes_fills_what_scipy_fills() -> None:
    """``masks.fill_holes`` (one flood fill from outside) sets exactly the pixels scipy's binary_fill_holes
    sets: a background region 4-connected to the border stays, a diagonal gap does not let it in, holes at
    the border stay open; on random masks of every density and on empty, full and 1-px masks."""
    from scipy import ndimage

    ring = np.zeros((9, 9), bool)
    ring[2:7, 2:7] = True
    ring[3:6, 3:6] = False  # a hole
    ring[2, 2] = False  # a notch at the corner: only diagonal to the hole, which stays a hole
    filled = masks.fill_holes(ring)
    assert filled[3:6, 3:6].all() and not filled[2, 2]
    open_edge = np.zeros((5, 5), bool)
    open_edge[:, 1] = open_edge[:, 3] = open_edge[4, :] = True  # a channel open at the top: not a hole
    assert not masks.fill_holes(open_edge)[0:4, 2].any()
    rng = np.random.default_rng(0)
    cases = [rng.random((60, 80)) < p for p in (0.3, 0.5, 0.6, 0.7, 0.9)]
    cases += [np.zeros((4, 6), bool), np.ones((4, 6), bool), np.zeros((1, 1), bool), np.ones((1, 7), bool)]
    for m in cases:
        assert np.array_equal(masks.fill_holes(m), ndimage.binary_fill_holes(m))
