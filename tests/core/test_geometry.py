"""Edit arithmetic without Qt: snapping, resizing, moving boxes, polygons and masks."""

from __future__ import annotations

import numpy as np

from pixelproof.core import masks
from pixelproof.core.geometry import (
    HANDLES,
    clamp_delta,
    clone,
    handle_spot,
    resize_box,
    shift_mask,
    snap_box,
    translated,
)
from pixelproof.core.model import Annotation


def test_snap_box_rounds_to_pixel_edges_and_clamps() -> None:
    assert snap_box([10.4, 19.6, 50.2, 30.3], 100, 100) == [10.0, 20.0, 51.0, 30.0]
    assert snap_box([-5, -5, 20, 20], 100, 100) == [0.0, 0.0, 15.0, 15.0]
    assert snap_box([90, 90, 30, 30], 100, 100) == [90.0, 90.0, 10.0, 10.0]


def test_resize_box_moves_only_the_named_edges_and_flips() -> None:
    box = [10.0, 10.0, 20.0, 20.0]
    assert resize_box(box, "br", 40, 50) == [10, 10, 30, 40]
    assert resize_box(box, "t", 99, 5) == [10, 5, 20, 25]
    assert resize_box(box, "l", 35, 99) == [30, 10, 5, 20]  # dragged past the right edge: flipped


def test_clamp_delta_keeps_the_box_on_the_image() -> None:
    assert clamp_delta([10, 10, 20, 20], -50, 5, 100, 100) == (-10, 5)
    assert clamp_delta([70, 10, 20, 20], 50, 0, 100, 100) == (10, 0)
    # sticking out by 5 px (imported): no further out, never pushed back the other way
    assert clamp_delta([-5, 10, 20, 20], -1, 0, 100, 100) == (0, 0)
    assert clamp_delta([-5, 10, 20, 20], 1, 0, 100, 100) == (1, 0)
    assert clamp_delta([10, 85, 20, 20], 0, 3, 100, 100) == (0, 0)


def test_translate_polygon_and_box_exactly() -> None:
    poly = Annotation(1, 1, 1, [0, 0, 0, 0], segmentation=[[10, 10, 20, 10, 20, 20, 10, 20]])
    moved = translated(poly, 5, -3, 100, 100)
    assert moved.segmentation == [[15, 7, 25, 7, 25, 17, 15, 17]]
    assert moved.bbox == [15, 7, 10, 10]
    assert poly.segmentation == [[10, 10, 20, 10, 20, 20, 10, 20]]  # the original is untouched
    box = Annotation(2, 1, 1, [1.5, 2.5, 3, 4], area=12)
    assert translated(box, 1, 1, 100, 100).bbox == [2.5, 3.5, 3, 4]


def test_translate_mask_moves_pixels_and_cuts_at_the_border() -> None:
    m = np.zeros((20, 30), bool)
    m[2:6, 25:29] = True
    ann = Annotation(1, 1, 1, masks.bbox(m), segmentation=masks.encode(m), area=masks.area(m))
    moved = translated(ann, 3, 1, 30, 20)
    out = masks.decode(moved.segmentation)
    assert out[3:7, 28:30].all() and out.sum() == 8
    assert moved.area == 8 and moved.bbox == [28, 3, 2, 4]


def test_shift_mask_both_ways() -> None:
    m = np.zeros((5, 5), bool)
    m[2, 2] = True
    assert shift_mask(m, -2, -2)[0, 0] and shift_mask(m, 2, 2)[4, 4]
    assert not shift_mask(m, 5, 0).any()


def test_clone_shares_nothing_mutable() -> None:
    a = Annotation(1, 1, 1, [1, 2, 3, 4], segmentation=[[0, 0, 1, 0, 1, 1]], extra={"k": [1]})
    b = clone(a)
    b.bbox[0] = 9
    b.segmentation[0][0] = 9
    b.extra["k"].append(2)
    assert a.bbox[0] == 1 and a.segmentation[0][0] == 0 and a.extra == {"k": [1]}


def test_a_handle_dragged_onto_its_own_spot_leaves_the_box_as_it_is() -> None:
    """``handle_spot`` is where the select tool's drag of a handle starts: each of the 8 handles, moved to
    where it is, resizes nothing; moved by (dx, dy), only its edges move, by that much."""
    box = [10.0, 20.0, 30.0, 40.0]
    for name in HANDLES:
        x, y = handle_spot(box, name)
        assert resize_box(box, name, x, y) == box, name
        x0, y0, x1, y1 = 10.0, 20.0, 40.0, 60.0
        x0, x1 = (x0 + 3, x1) if "l" in name else (x0, x1 + 3) if "r" in name else (x0, x1)
        y0, y1 = (y0 + 5, y1) if name.startswith("t") else (y0, y1 + 5) if name.startswith("b") else (y0, y1)
        assert resize_box(box, name, x + 3, y + 5) == [x0, y0, x1 - x0, y1 - y0], name
