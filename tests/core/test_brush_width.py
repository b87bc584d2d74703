"""The brush size is a width in pixels (CVAT's and Photoshop's brush size is the diameter): a dot and a
stroke of width w paint exactly w pixels across, even widths too, and the geometry is OpenCV's own."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from pixelproof.core import paint as pnt


def dab(width: int, pointer: tuple[float, float] = (50.3, 50.6), shape=(100, 100)) -> np.ndarray:
    """What a click of the brush paints with the pointer at ``pointer`` (image coordinates)."""
    mask = np.zeros(shape, dtype=bool)
    stroke = pnt.Stroke(mask, width=width)
    stroke.move_to(*pnt.brush_centre(*pointer, width))
    return mask


def extent(mask: np.ndarray) -> tuple[int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def opencv_disc_at(shape: tuple[int, int], centres: list[tuple[int, int]], width_odd: int) -> np.ndarray:
    """OpenCV's filled LINE_8 circle of diameter ``width_odd`` (radius (w-1)/2) at each centre, or-ed."""
    out = np.zeros(shape, np.uint8)
    for c in centres:
        cv2.circle(out, c, (width_odd - 1) // 2, 1, -1, cv2.LINE_8)
    return out.astype(bool)


@pytest.mark.parametrize("width", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 25, 40, 61])
def test_a_dot_is_exactly_width_pixels_across_and_symmetric(width: int) -> None:
    mask = dab(width)
    assert extent(mask) == (width, width)
    ys, xs = np.nonzero(mask)
    box = mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    # symmetric about its centre (a pixel centre when odd, a pixel corner when even), and round
    assert np.array_equal(box, box[::-1]) and np.array_equal(box, box[:, ::-1]) and np.array_equal(box, box.T)
    assert np.array_equal(box, pnt.footprint(width))
    mid = width // 2  # the middle row (rows, when even) is whole
    assert box[mid].all() and box[(width - 1) // 2].all() and box[:, mid].all()


@pytest.mark.parametrize("width", [1, 3, 5, 7, 9, 17, 31, 81])
def test_odd_widths_are_opencv_circles(width: int) -> None:
    """An odd width w is OpenCV's circle of radius (w-1)/2 at the pixel under the pointer: dx²+dy² <= r²."""
    mask = dab(width, (50.9, 40.1))
    assert np.array_equal(mask, opencv_disc_at(mask.shape, [(50, 40)], width))
    r = (width - 1) // 2
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    assert np.array_equal(pnt.footprint(width), yy**2 + xx**2 <= r**2)


@pytest.mark.parametrize("width", [2, 4, 6, 8, 12, 20, 32, 80])
def test_even_widths_are_centred_on_the_corner_nearest_the_pointer(width: int) -> None:
    """An even width w: OpenCV's (w-1)-wide disc at each of the four pixels around the pixel corner nearest
    the pointer - w across, symmetric about that corner (as Photoshop centres an even brush)."""
    pointer = (50.3, 40.6)  # nearest corner: x 50, y 41 (the corner between pixels 49|50 and 40|41)
    assert pnt.brush_centre(*pointer, width) == (50, 41)
    mask = dab(width, pointer)
    around = [(50 - 1, 41 - 1), (50, 41 - 1), (50 - 1, 41), (50, 41)]
    assert np.array_equal(mask, opencv_disc_at(mask.shape, around, width - 1))
    ys, xs = np.nonzero(mask)
    assert (xs.min() + xs.max() + 1) / 2 == 50 and (
        ys.min() + ys.max() + 1
    ) / 2 == 41  # centred on the corner


def test_the_centre_is_the_pixel_under_the_pointer_or_the_nearest_corner() -> None:
    for x, y in [(10.0, 10.0), (10.49, 10.51), (10.99, 0.2), (-0.2, -1.7), (3.5, 3.5)]:
        assert pnt.brush_centre(x, y, 5) == (int(np.floor(x)), int(np.floor(y)))
        cx, cy = pnt.brush_centre(x, y, 6)
        assert abs(cx - x) <= 0.5 and abs(cy - y) <= 0.5


@pytest.mark.parametrize("width", [1, 2, 3, 4, 5, 6, 9, 10, 17, 24])
def test_strokes_are_exactly_width_pixels_across(width: int) -> None:
    """A horizontal stroke is w pixels tall in every column, a vertical one w pixels wide in every row."""
    for a, b in [((20, 60), (150, 60)), ((80, 15), (80, 110))]:
        mask = np.zeros((130, 170), dtype=bool)
        stroke = pnt.Stroke(mask, width=width)
        for p in (a, ((a[0] + b[0]) // 2, (a[1] + b[1]) // 2), b):  # three mouse events
            stroke.move_to(*p)
        across = mask.sum(axis=0) if a[1] == b[1] else mask.sum(axis=1)
        inner = across[a[0] : b[0] + 1] if a[1] == b[1] else across[a[1] : b[1] + 1]
        assert set(inner.tolist()) == {width}, (width, a, b)


def test_a_wider_brush_never_paints_fewer_pixels() -> None:
    areas = [int(pnt.footprint(w).sum()) for w in range(1, 161)]
    assert all(b > a for a, b in itertools.pairwise(areas)), areas[:12]
    assert [pnt.footprint(w).shape for w in (1, 2, 159, 160)] == [(1, 1), (2, 2), (159, 159), (160, 160)]


def test_outline_traces_the_footprint() -> None:
    """The ring under the pointer is the footprint's outline: its polygon covers exactly those pixels."""
    for width in (1, 2, 3, 6, 17, 40):
        poly = np.array(pnt.footprint_outline(width), np.int32)
        half = width // 2
        drawn = np.zeros((width + 4, width + 4), np.uint8)
        # fill the pixels whose centres the outline encloses (the outline runs along pixel edges)
        yy, xx = np.mgrid[0 : width + 4, 0 : width + 4]
        inside = np.array(
            [cv2.pointPolygonTest(poly.astype(np.float32), (float(x) + 0.5, float(y) + 0.5), False) > 0
             for x, y in zip(xx.ravel() - half - 2, yy.ravel() - half - 2, strict=True)]
        ).reshape(drawn.shape)  # fmt: skip
        assert np.array_equal(inside[2:-2, 2:-2], pnt.footprint(width)), width
        assert not inside[:2].any() and not inside[-2:].any()


def test_size_steps_are_single_pixels_up_to_10_then_proportional() -> None:
    up = [1]
    while (nxt := pnt.step_width(up[-1], +1)) != up[-1]:
        up.append(nxt)
    assert up[:10] == list(range(1, 11)) and up[-1] == pnt.MAX_WIDTH
    ratios = [b / a for a, b in itertools.pairwise(up[9:])]
    assert all(1.08 <= r <= 1.21 for r in ratios), list(zip(up[9:], ratios, strict=False))
    down = [up[-1]]
    while (nxt := pnt.step_width(down[-1], -1)) != down[-1]:
        down.append(nxt)
    assert down == up[::-1]  # [ undoes ]
    assert pnt.step_width(17, +1) == 18 and pnt.step_width(17, -1) == 16  # a typed size between steps
    assert pnt.step_width(1, -1) == 1 and pnt.step_width(pnt.MAX_WIDTH, +1) == pnt.MAX_WIDTH
    assert pnt.clamp_width(0) == 1 and pnt.clamp_width(10**6) == pnt.MAX_WIDTH


def test_wand_tolerance_steps_are_single_levels_up_to_10_then_round_numbers_to_255() -> None:
    """[ / ] with the wand in hand: each step undone by the other key, stopping at 0 and 255."""
    up = [0]
    while (nxt := pnt.step_tolerance(up[-1], +1)) != up[-1]:
        up.append(nxt)
    assert up[:11] == list(range(11)) and up[-1] == pnt.MAX_TOLERANCE == 255 and 16 in up
    down = [up[-1]]
    while (nxt := pnt.step_tolerance(down[-1], -1)) != down[-1]:
        down.append(nxt)
    assert down == up[::-1]
    assert pnt.step_tolerance(17.5, -1) == 16 and pnt.step_tolerance(17.5, +1) == 20  # a kept value between
    assert pnt.step_tolerance(300, -1) == 224 and pnt.step_tolerance(-5, +1) == 1  # out of range: clamped
