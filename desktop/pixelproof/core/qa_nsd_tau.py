"""The one place that decides QA's NSD tolerance (tau) when none is given: by the image's pixel size.

NSD counts the boundary pixels within tau of the other side's boundary, in the image's distance unit (mm
with a ``pixel_spacing``, else px). A single default of 2 fits radiology (2 mm: DeepMind's
surface-distance and MONAI users' usual tolerance on 0.5-1 mm voxels) and images without a spacing (2 px),
but on a slide 2 mm is 8,000 pixels at 0.25 µm: two annotators a quarter of a millimetre apart scored NSD
1.0. A pixel finer than ``SLIDE_PIXEL_MM`` (10 µm: a slide at any magnification from 1.25x) gets
``SLIDE_TAU_MM``, 2 µm, a fraction of a nucleus (8 px at 40x, 4 px at 20x), as QuPath measures cells in
µm. The threshold is not the display's ``measure.MICROSCOPY_MM`` (0.1 mm): that one only writes a length
in µm, this one changes a figure, and mammograms (0.05-0.1 mm pixels) and micro-CT keep radiology's 2 mm.
An explicit tolerance (``QAOptions.nsd_tau``, ``--nsd-tau``, ``nsd_tau_by_class``) always wins."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

RADIOLOGY_TAU = 2.0  # mm with a pixel spacing, px without one
SLIDE_PIXEL_MM = 0.01  # a pixel finer than this is a microscope's: its default tolerance is SLIDE_TAU_MM
SLIDE_TAU_MM = 0.002  # 2 µm

# the kinds of image a default applies to, as ``tau_applied`` and ``tau_text`` name them
_WHY = {
    "px": "default without a pixel spacing",
    "mm": f"default for a pixel spacing from {SLIDE_PIXEL_MM:g} mm",
    "slide": f"default for a pixel under {SLIDE_PIXEL_MM:g} mm, a slide's",
    "given": "given",
}


def tau_kind(spacing: tuple[float, ...] | None) -> str:
    """``px`` (no spacing), ``slide`` (a pixel under ``SLIDE_PIXEL_MM``) or ``mm`` (radiology's)."""
    if spacing is None:
        return "px"
    return "slide" if min(spacing) < SLIDE_PIXEL_MM else "mm"


def default_nsd_tau(spacing: tuple[float, ...] | None) -> float:
    """The NSD tolerance, in the image's unit (mm, or px without ``spacing``), when none is given."""
    return SLIDE_TAU_MM if tau_kind(spacing) == "slide" else RADIOLOGY_TAU


def resolve_tau(given: float | None, spacing: tuple[float, ...] | None) -> float:
    """``given`` when set, else the default for ``spacing`` (``default_nsd_tau``)."""
    return float(given) if given is not None else default_nsd_tau(spacing)


def tau_applied(given: float | None, spacings: Iterable[tuple[float, ...] | None]) -> list[dict[str, Any]]:
    """What tolerance the images of a run were scored at, one entry per kind of image (``tau_kind``):
    ``{"kind", "tau", "unit", "images"}``, kind ``given`` for an explicit tau; the reports' ``options``
    say it, so a run mixing slides and CT says which tau each used."""
    counts: dict[tuple[str, str, float], int] = {}
    for sp in spacings:
        key = (
            "given" if given is not None else tau_kind(sp),
            "px" if sp is None else "mm",
            resolve_tau(given, sp),
        )
        counts[key] = counts.get(key, 0) + 1
    order = {"given": 0, "mm": 1, "slide": 2, "px": 3}
    return [
        {"kind": kind, "tau": tau, "unit": unit, "images": n}
        for (kind, unit, tau), n in sorted(counts.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
    ]


def tau_length(tau: float, unit: str) -> str:
    """``2 µm``, ``2 mm``, ``2 px``: a tolerance under 1 mm in µm, as a slide's distances read."""
    if unit == "mm" and 0 < tau < 1:
        return f"{tau * 1000:g} µm"
    return f"{tau:g} {unit}"


def tau_text(applied: list[dict[str, Any]]) -> str:
    """``2 µm on 1 image (default for a pixel under 0.01 mm, a slide's); 2 mm on 2 images (...)``: the
    terminal's and the HTML page's one wording of ``tau_applied``."""
    parts = []
    for a in applied:
        n = a["images"]
        parts.append(
            f"{tau_length(a['tau'], a['unit'])} on {n} image{'' if n == 1 else 's'} ({_WHY[a['kind']]})"
        )
    return "; ".join(parts) or "none (no image scored)"
