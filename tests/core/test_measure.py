"""The Measure tool's numbers without Qt: distances over anisotropic pixels, units, the Shift constraint."""

from __future__ import annotations

import math

import pytest

from pixelproof.core.measure import (
    Distance,
    box_text,
    constrain,
    distance,
    format_length,
    inside,
    length_text,
    size_text,
)
from pixelproof.core.metrics import image_diagonal
from pixelproof.core.model import ImageRecord
from pixelproof.core.qa_objects import image_spacing


def test_anisotropic_spacing_is_row_then_column() -> None:
    # pixel_spacing [0.5, 0.25]: a row step (y) is 0.5 mm, a column step (x) 0.25 mm
    spacing = image_spacing(ImageRecord(1, "a.png", 200, 160, {"pixel_spacing": [0.5, 0.25]}))
    across = distance(10, 20, 50, 20, spacing)
    down = distance(10, 20, 10, 60, spacing)
    assert across.px == down.px == 40
    assert across.mm == pytest.approx(10.0)
    assert down.mm == pytest.approx(20.0)
    # a diagonal is measured in mm (not its pixel length times a mean spacing)
    diag = distance(0, 0, 40, 30, spacing)
    assert diag.px == pytest.approx(50.0)
    assert diag.mm == pytest.approx(math.hypot(40 * 0.25, 30 * 0.5))


@pytest.mark.parametrize("shape, spacing", [((160, 200), (0.5, 0.25)), ((512, 300), (0.7, 3.0))])
def test_corner_to_corner_matches_the_qa_image_diagonal(shape, spacing) -> None:
    h, w = shape
    assert distance(0, 0, w, h, spacing).mm == pytest.approx(image_diagonal(shape, spacing))
    assert distance(w, h, 0, 0, spacing).mm == pytest.approx(image_diagonal(shape, spacing))
    assert distance(0, 0, w, h).px == pytest.approx(image_diagonal(shape))


def test_zero_length_and_no_spacing() -> None:
    d = distance(12.5, 7.25, 12.5, 7.25, (0.5, 0.5))
    assert (d.px, d.mm) == (0.0, 0.0)
    assert format_length(d) == "0.0 µm (0.0 px)"
    plain = distance(0, 0, 3, 4)
    assert plain.mm is None
    assert format_length(plain) == "5.0 px"
    assert constrain(0, 0) == (0.0, 0.0)


def test_units_mm_and_um_under_1_mm() -> None:
    assert format_length(Distance(0, 0, 49.4, 12.345)) == "12.35 mm (49.4 px)"
    assert format_length(Distance(0, 0, 900, 225.0)) == "225.0 mm (900.0 px)"
    # a slide at 0.25 µm / pixel: 350 px are 87.5 µm
    slide = distance(0, 0, 350, 0, (0.00025, 0.00025))
    assert format_length(slide) == "87.5 µm (350.0 px)"
    assert format_length(distance(0, 0, 3000, 0, (0.00025, 0.00025))) == "750 µm (3000.0 px)"
    assert format_length(distance(0, 0, 4000, 0, (0.00025, 0.00025))) == "1.00 mm (4000.0 px)"


@pytest.mark.parametrize(
    "d, want",
    [
        ((10, 2), (10, 0)),
        ((-10, 3), (-10, 0)),
        ((1, -9), (0, -9)),
        ((9, 11), (10, 10)),
        ((-11, 9), (-10, 10)),
        ((-8, -12), (-10, -10)),
    ],
)
def test_shift_constrains_to_horizontal_vertical_or_45(d, want) -> None:
    got = constrain(*d)
    assert got == pytest.approx(want)
    # the end is the cursor's projection: what is left over is perpendicular to the kept direction
    rest = (d[0] - got[0], d[1] - got[1])
    assert rest[0] * got[0] + rest[1] * got[1] == pytest.approx(0)


def test_an_end_off_the_image_is_brought_back_along_the_line() -> None:
    assert inside(10, 10, 50, 50, 40, 100) == pytest.approx((30, 30))  # keeps its 45°
    assert inside(10, 10, -20, 5, 40, 100) == pytest.approx((-10, 2.5))
    assert inside(10, 10, 5, -40, 40, 100) == pytest.approx((1.25, -10))
    assert inside(10, 10, 5, 5, 40, 100) == (5, 5)
    assert inside(40, 100, 3, 3, 40, 100) == (0, 0)


@pytest.mark.parametrize(
    ("mm", "pixel_mm", "text"),
    [
        (0.72, 0.7, "0.72 mm"),  # a CT's HD95 under a pixel read "720 µm", a slide's unit
        (0.72, 0.1, "0.72 mm"),  # from 0.1 mm a pixel: radiology
        (0.72, 0.099, "720 µm"),  # finer: microscopy
        (0.0312, 0.00025, "31.2 µm"),  # a slide at 40x
        (0.0312, None, "31.2 µm"),  # no pixel size said: as before
        (12.345, 0.7, "12.35 mm"),
    ],
)
def test_the_pixel_size_not_the_value_picks_um_or_mm(mm: float, pixel_mm: float | None, text: str) -> None:
    assert length_text(mm, pixel_mm=pixel_mm) == text


def test_the_finest_pixel_of_the_pairs_scored_in_mm() -> None:
    from pixelproof.core.image_pairing import ImagePair
    from pixelproof.core.qa_objects import finest_pixel_mm

    def pair(spacing: list[float] | None) -> ImagePair:
        extra = {} if spacing is None else {"pixel_spacing": spacing}
        image = ImageRecord(1, "a.png", 8, 8, extra=extra)
        return ImagePair("a.png", image, image)

    assert finest_pixel_mm([pair(None)]) is None
    assert finest_pixel_mm([pair(None), pair([0.7, 0.5]), pair([0.8, 0.8])]) == 0.5


def test_a_box_equal_in_pixels_is_equal_in_um() -> None:
    """A QuPath nucleus 9.39 x 9.41 px at 0.25 µm a pixel: the Properties panel read "9.4 × 9.4 px (2.3 ×
    2.4 µm)"; its sides in µm follow the pixels as shown."""
    assert box_text([20467.01, 28464.16, 9.39, 9.41], (0.00025, 0.00025)).endswith(
        "9.4 × 9.4 px (2.4 × 2.4 µm)"
    )
    assert box_text([0, 0, 180, 140], (0.00025, 0.00025)) == "x 0.0, y 0.0, 180.0 × 140.0 px (45.0 × 35.0 µm)"


def test_a_box_size_reads_as_its_box_text_ends() -> None:
    """The live readout while a box is drawn says its sides as the Properties panel does, unit and all."""
    assert size_text(180, 140) == "180.0 × 140.0 px"
    assert size_text(100, 40, (0.5, 0.25)) == "100.0 × 40.0 px (25.00 × 20.00 mm)"  # row, column spacing
    assert box_text([0, 0, 180, 140], (0.00025, 0.00025)).endswith(size_text(180, 140, (0.00025, 0.00025)))
