"""What an object's QuPath extras say, as the app shows them: its objectType and name, and its measurements
as QuPath's own table reads them (the Properties panel's measurement table). The GeoJSON reader keeps
those extras (``interop.geojson``); this is only how they are shown. Split out of ``interop.geojson``.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from pixelproof.interop.geojson_writer import QUPATH_KEY


class Measured(NamedTuple):
    """One measurement as the app shows it: its name, its value as read (``measurement_text``) and as
    copied (every digit the file had, for a spreadsheet)."""

    name: str
    shown: str
    exact: str


def measurement_text(v: Any) -> str:
    """A measurement's value as QuPath's own table reads it: up to 4 decimals (``5.378``, ``31.4159``),
    4 significant digits under 1 (``0.0001235``, not ``0.0001``), whole numbers (a count) without a
    point, an exponent only outside 10**-6..10**15; ``NaN`` for one QuPath could not compute (a null)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return "NaN" if v is None else str(v)
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        return "NaN"
    if abs(v) >= 1e15 or abs(v) < 1e-6:
        return f"{v:.4g}"
    if v.is_integer():
        return str(int(v))
    if abs(v) < 1:  # 4 significant digits
        return f"{v:.{3 - math.floor(math.log10(abs(v)))}f}".rstrip("0").rstrip(".")
    return f"{v:.4f}".rstrip("0").rstrip(".")


def shown_qupath(app_extra: Any) -> tuple[list[str], list[Measured]]:
    """What an object's QuPath extras say, for the app to show (QuPath users read a cell's measurements):
    its objectType and name, then its measurements in the file's order; nothing for an object that never
    came from QuPath (or a hand-edited extra of another shape)."""
    kept = app_extra.get(QUPATH_KEY) if isinstance(app_extra, dict) else None
    if not isinstance(kept, dict):
        return [], []
    about = [kept[k] for k in ("objectType", "name") if isinstance(kept.get(k), str) and kept[k]]
    measured = kept.get("measurements")
    pairs = [
        Measured(
            str(name),
            measurement_text(v),
            repr(v) if isinstance(v, float) and math.isfinite(v) else measurement_text(v),
        )
        for name, v in (measured.items() if isinstance(measured, dict) else ())
    ]
    return about, pairs
