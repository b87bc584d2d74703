"""QuPath's object types as the problem finder reads them: a project imported from QuPath keeps each
object's ``objectType`` (``annotation``, ``detection``, ``cell``, ``tile``, ``tmaCore``) in its ``qupath``
extras. A hand-drawn 5 mm² "Tumor" region and the 50 µm² "Tumor" cells detected inside it share a class
but are different things: their sizes are not one distribution, and a region holding its cells is not an
overlap. Objects without a kept type (every project not from QuPath, objects drawn in PixelProof) are
one group of their own, so such projects are judged exactly as before.

Core code reads the extras here rather than importing the GeoJSON reader (core does not import interop).
"""

from __future__ import annotations

from typing import Any

QUPATH_KEY = "qupath"  # the object's QuPath fields in its app extras (``interop.geojson_writer.QUPATH_KEY``)
REGION_TYPES = frozenset({"annotation", "tmaCore"})  # drawn areas that hold detections, as QuPath nests them


def object_type(app_extra: Any) -> str:
    """The QuPath ``objectType`` an object was imported with, "" for none (not from QuPath, or drawn in
    PixelProof)."""
    kept = app_extra.get(QUPATH_KEY) if isinstance(app_extra, dict) else None
    kind = kept.get("objectType") if isinstance(kept, dict) else None
    return kind if isinstance(kind, str) else ""


def nests(a: str, b: str) -> bool:
    """Objects of types ``a`` and ``b`` may lie one inside the other by design: a QuPath region
    (annotation, TMA core) and a detection, cell or tile. Untyped objects nest with nothing."""
    return bool(a) and bool(b) and (a in REGION_TYPES) != (b in REGION_TYPES)


def type_words(kind: str) -> str:
    """How a message names a type's objects beside their class: "" for untyped ones."""
    return f" (QuPath {kind})" if kind else ""
