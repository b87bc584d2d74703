"""The Measure tool's arithmetic: a straight distance between two image points, in pixels and, when the
image has a pixel spacing, in mm (µm under 1 mm: slides' cells and nuclei), and the Shift constraint to
horizontal, vertical or 45°; and a length in mm as an image record keeps it (``kept_mm``). Kept without
Qt so the numbers are tested on their own."""

from __future__ import annotations

import math
from dataclasses import dataclass

KEPT_DECIMALS = 6  # the decimals image records kept of every length in mm before ``kept_mm``


def kept_mm(value: float) -> float:
    """A length in mm as an image record keeps it (``pixel_spacing``, ``slice_position``): to 6 decimals
    (float noise off, as records always kept it, so a length of 0.1 mm or more is saved as before), and
    to 6 significant figures below that: a nanometre pixel (electron microscopy, a NIfTI pixdim of 1e-9)
    was saved as 0.0, and QA then measured it in pixels."""
    v = float(value)
    if v == 0 or not math.isfinite(v):
        return v
    return round(v, max(KEPT_DECIMALS, KEPT_DECIMALS - 1 - math.floor(math.log10(abs(v)))))


def kept_alike(a: float, b: float) -> bool:
    """Whether ``a`` and ``b`` are one length as records kept it before (``KEPT_DECIMALS``, one of them
    saved so: 0.000108 beside 0.000108333 read now), so that a project saved then and one made now do
    not disagree on a spacing that was equal between them."""
    old = round(a, KEPT_DECIMALS)
    return (a == old or b == round(b, KEPT_DECIMALS)) and old == round(b, KEPT_DECIMALS) != 0


@dataclass(frozen=True, slots=True)
class Distance:
    """A measured segment: its components and length in image pixels, and its length in mm (None
    without a pixel spacing)."""

    dx: float
    dy: float
    px: float
    mm: float | None


def distance(
    x0: float, y0: float, x1: float, y1: float, spacing: tuple[float, float] | None = None
) -> Distance:
    """From (x0, y0) to (x1, y1) in image pixels; ``spacing`` is ``pixel_spacing`` (row, column) in mm as
    ``core.qa_objects.image_spacing`` gives it: a column step (x) is ``spacing[1]`` mm, a row step (y)
    ``spacing[0]`` mm, so a segment across anisotropic pixels is measured in mm, not scaled afterwards."""
    dx, dy = x1 - x0, y1 - y0
    mm = None if spacing is None else math.hypot(dx * spacing[1], dy * spacing[0])
    return Distance(dx, dy, math.hypot(dx, dy), mm)


def constrain(dx: float, dy: float) -> tuple[float, float]:
    """(dx, dy) turned to the nearest of horizontal, vertical or a 45° diagonal (Shift while measuring,
    as in drawing programs): its projection on that direction, so the end stays nearest the cursor."""
    if dx == 0 and dy == 0:
        return 0.0, 0.0
    octant = round(math.atan2(dy, dx) / (math.pi / 4)) % 8
    ux, uy = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))[octant]
    t = (dx * ux + dy * uy) / (ux * ux + uy * uy)
    return float(t * ux), float(t * uy)


def format_length(d: Distance) -> str:
    """``12.35 mm (49.4 px)``, ``87.5 µm (350.0 px)`` under 1 mm, ``49.4 px`` without a spacing."""
    px = f"{d.px:.1f} px"
    return px if d.mm is None else f"{length_text(d.mm)} ({px})"


MICROSCOPY_MM = 0.1  # a pixel finer than this is a slide's (µm); from it, radiology's (CT, MR, X-ray: mm)


def in_um(mm: float, pixel_mm: float | None = None) -> bool:
    """Whether a length in mm is written in µm: under 1 mm, unless the image's pixel (``pixel_mm``) is
    radiology's (from ``MICROSCOPY_MM``). The unit rule of every length the app and its reports write."""
    return mm < 1 and (pixel_mm is None or pixel_mm < MICROSCOPY_MM)


def distance_unit(v: float, unit: str | None, pixel_mm: float | None = None) -> tuple[float, str | None]:
    """A QA distance (``v`` in ``unit``, mm or px) as it is written: ``(22.5, "µm")`` for 0.0225 mm on a
    slide (``in_um``), else as it is. No distance (0) stays in mm: a CT's perfect slice read "0.0 µm". The
    review view's tables, the printed summary and the HTML page all go through it."""
    if unit == "mm" and v != 0 and in_um(v, pixel_mm):
        return v * 1000, "µm"
    return v, unit


def length_text(mm: float, scale: float | None = None, pixel_mm: float | None = None) -> str:
    """A length in mm as every figure of the app writes it: ``12.35 mm``, ``123.4 mm`` from 100 mm, and
    ``87.5 µm`` (``350 µm`` from 100 µm) under 1 mm, where a slide's cells, nuclei and distances lie.
    ``scale``: the length that picks the unit and decimals (a box's larger side, for both its sides).
    ``pixel_mm``: the image's pixel size; from ``MICROSCOPY_MM`` (a CT's 0.7 mm) a length stays in mm
    (``0.72 mm``): µm is a slide's unit, and a CT's HD95 under a pixel read "720 µm"."""
    s = mm if scale is None else scale
    if in_um(s, pixel_mm):
        return f"{mm * 1000:.1f} µm" if s < 0.1 else f"{mm * 1000:.0f} µm"
    return f"{mm:.2f} mm" if s < 100 else f"{mm:.1f} mm"


def box_text(bbox: list[float], spacing: tuple[float, float] | None = None) -> str:
    """``x 10.0, y 10.0, 180.0 × 140.0 px`` (a box as the Properties panel and lint's fixes say it), and
    its sides in µm or mm (one unit, the larger side's) when the image has a pixel spacing."""
    x, y, w, h = bbox
    return f"x {x:.1f}, y {y:.1f}, {size_text(w, h, spacing)}"


def size_text(w: float, h: float, spacing: tuple[float, float] | None = None) -> str:
    """``180.0 × 140.0 px (45.0 × 35.0 µm)``: a box's sides, as ``box_text`` ends and as the live readout
    says them while a box is drawn or resized; the physical part only with a pixel spacing."""
    text = f"{w:.1f} × {h:.1f} px"
    if spacing is not None:
        # from the sides as the px shows them: a 9.39 x 9.41 px nucleus at 0.25 µm read "9.4 x 9.4 px
        # (2.3 x 2.4 µm)", two equal sides in pixels unequal in µm
        wm, hm = round(w, 1) * spacing[1], round(h, 1) * spacing[0]
        scale = max(wm, hm)
        text += f" ({length_text(wm, scale).split()[0]} × {length_text(hm, scale)})"
    return text


def area_text(mm2: float) -> str:
    """An area in mm²: ``3,150 mm²`` (``0.40 mm²`` under 100), and ``1,575 µm²`` (``21.3 µm²`` under
    1,000) under 1 mm², as QuPath gives a cell's area."""
    if mm2 < 1:
        um2 = mm2 * 1e6
        return f"{um2:,.1f} µm²" if um2 < 1000 else f"{um2:,.0f} µm²"
    return f"{mm2:,.2f} mm²" if mm2 < 100 else f"{mm2:,.0f} mm²"


def pixel_area_text(pixels: float, spacing: tuple[float, float] | None = None) -> str:
    """``1,702,450 px``, and the area in mm² (µm² under 1 mm²: ``area_text``) when the image has a pixel
    spacing (``[row, col]`` mm): ``341 px (21.3 µm²)``, as the Properties panel and lint give an area."""
    text = f"{pixels:,.0f} px" if float(pixels).is_integer() else f"{pixels:,.1f} px"
    if spacing is not None:
        text += f" ({area_text(pixels * spacing[0] * spacing[1])})"
    return text


def inside(x0: float, y0: float, dx: float, dy: float, width: int, height: int) -> tuple[float, float]:
    """(dx, dy) from (x0, y0), a point in the ``width`` x ``height`` image, shortened along its own
    direction so its end stays on the image (a constrained diagonal keeps its 45°, unlike clamping x and
    y apart)."""
    s = 1.0
    for start, d, hi in ((x0, dx, width), (y0, dy, height)):
        if start + d > hi:
            s = min(s, (hi - start) / d)
        elif start + d < 0:
            s = min(s, -start / d)
    s = max(s, 0.0)
    return dx * s, dy * s
