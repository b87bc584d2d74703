"""QuPath cells and measurements on the way back to QuPath.

A QuPath cell has two shapes: its boundary (``geometry``) and its nucleus (``nucleusGeometry``). PixelProof
reads one as the object (``--cell-shape``); the other is kept in the object's ``qupath`` extras
(``nucleus`` or ``cell``: COCO polygons, each a list of flat rings, outer ring first) and written back
beside it, so a cell export survives a round trip through a PixelProof project.

QuPath's measurements describe the shapes they were measured on. The object's shape as imported is kept
as a fingerprint (``shape_at_import``: a hash of its coordinates on pycocotools' 1/5-pixel grid, which the
project file's rounding keeps, or of its pixels for a mask), so the writer knows an object edited since.
For such an object it writes:

- the other shape only while the nucleus still lies inside the cell (every nucleus pixel a cell pixel);
  otherwise the edited shape alone, as the object's outline;
- the measurements of the unchanged shape only (``Nucleus: ...`` when the boundary was edited and the
  nucleus kept; ``Cell: ...``/``Membrane: ...`` when the nucleus was); every other one (the edited shape's
  area and intensities, ``Cytoplasm: ...`` and ratios, which span both, an annotation's area and counts)
  is left out: QuPath computes them again (Analyze > Calculate features).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from pixelproof.core.annotation_pixels import annotation_crop
from pixelproof.core.limits import LimitError
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.precision import raster_cell
from pixelproof.interop._util import Reporter
from pixelproof.interop.geojson_shapes import Part, check_vertices, parts_crop, plain_polygon, polygon_part

SHAPE_KEY = "shape_at_import"  # in the ``qupath`` extras: the fingerprint of the shape as imported
OTHER_KEY = {"cell": "nucleus", "nucleus": "cell"}  # the object read as -> the key of its other shape
COMPARTMENT = re.compile(r"\b(Nucleus|Cell|Membrane|Cytoplasm)\b")
SHAPES_OF = {"Nucleus": {"nucleus"}, "Cell": {"cell"}, "Membrane": {"cell"}, "Cytoplasm": {"cell", "nucleus"}}
Polygons = list[list[list[float]]]  # polygons, each its rings as flat x, y lists (not closed)


def other_shape(geometry: Any, where: str, report: Reporter) -> Polygons | None:
    """The cell's shape not read as the object, checked as the object's own are, to keep; None (said)
    when it is not a Polygon or MultiPolygon QuPath can read back."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon" and (plain := plain_polygon(coords)) is not None:
        return plain
    try:
        if kind == "Polygon":
            parts = [polygon_part(coords, f"{where}.coordinates", report)]
        elif kind == "MultiPolygon" and isinstance(coords, list) and coords:
            check_vertices(coords, where)
            parts = [polygon_part(p, f"{where}.coordinates[{k}]", report) for k, p in enumerate(coords)]
        else:
            raise ValueError(f"{where}: expected a Polygon or MultiPolygon, got {kind!r}")
    except ValueError as e:  # LimitError too
        report(f"{e}; the cell is read without it")
        return None
    return [[ring[:-1].reshape(-1).tolist() for ring in (outer, *holes)] for outer, holes in parts]


def mark_imported(a: Annotation, image: ImageRecord) -> None:
    """Keep the fingerprint of the object's shape as imported, when it has measurements or a second
    shape that an edit would make stale."""
    kept = a.app_extra.get("qupath")
    if isinstance(kept, dict) and ("measurements" in kept or any(k in kept for k in OTHER_KEY.values())):
        found = fingerprint(a, image)
        if found is not None:
            kept[SHAPE_KEY] = found


def fingerprint(a: Annotation, image: ImageRecord) -> str | None:
    """A hash of the object's shape as pycocotools rasterizes it: its coordinates on the 1/5-pixel grid
    (``precision.raster_cell``, which the project file's rounding never changes: saving leaves it as it
    is), a mask's pixels; None for a mask over the pixel limit. A move under a fifth of a pixel, which
    changes no pixel, is not an edit."""
    digest = hashlib.blake2b(a.kind.encode(), digest_size=12)
    if a.kind == "polygon":
        rings = [p for p in a.segmentation if isinstance(p, list)]
        lengths = [len(p) for p in rings]
        flat = np.fromiter(chain.from_iterable(rings), dtype=np.float64, count=sum(lengths))
        digest.update(np.asarray(lengths, dtype=np.int64).tobytes())
        digest.update(raster_cell(flat).astype(np.int64).tobytes())
    elif a.kind == "box":
        x, y, w, h = (float(v) for v in a.bbox)
        digest.update(raster_cell(np.array([x, y, x + w, y + h])).astype(np.int64).tobytes())
    else:
        try:
            found = annotation_crop(a, image.height, image.width)
        except LimitError:
            return None
        if found is not None:
            rect, crop = found
            digest.update(np.asarray([*rect, *crop.shape], dtype=np.int64).tobytes())
            digest.update(np.packbits(crop).tobytes())
    return digest.hexdigest()


def shape_edited(a: Annotation, image: ImageRecord, kept: Any = None) -> bool | None:
    """Whether the object's shape changed since QuPath's file gave it (its fingerprint, ``mark_imported``),
    as the export judges it (a mask now over the pixel limit, whose pixels cannot be compared, counts as
    edited); None when no fingerprint was kept (an object without measurements or a second shape).
    ``kept``: its ``qupath`` extras (default: looked up)."""
    kept = a.app_extra.get("qupath") if kept is None else kept
    stored = kept.get(SHAPE_KEY) if isinstance(kept, dict) else None
    return fingerprint(a, image) != stored if isinstance(stored, str) else None


@dataclass
class Written:
    """What goes to QuPath for one object: its ``geometry``, its ``nucleusGeometry`` (or None) and the
    measurements still true of them."""

    geometry: dict[str, Any]
    nucleus: dict[str, Any] | None
    measurements: dict[str, Any]


def written(
    a: Annotation, image: ImageRecord, kept: dict[str, Any], shape: dict[str, Any], counts: Counter[str]
) -> Written:
    """The object's shapes and measurements for QuPath (``shape`` its own geometry as written)."""
    measured = kept.get("measurements")
    measurements = dict(measured) if isinstance(measured, dict) else {}
    key = next((k for k in ("nucleus", "cell") if k in kept), None)
    other = _parts(kept[key]) if key is not None else None
    edited = shape_edited(a, image, kept) is True
    if edited and other is not None and not _nucleus_inside(a, image, other, read_as_cell=key == "nucleus"):
        other = None
        counts["outside"] += 1
    if edited:
        unchanged = key if other is not None else None  # the kept shape, as its measurements name it
        fresh = {k: v for k, v in measurements.items() if unchanged is not None and _only_of(k, unchanged)}
        counts["stale"] += len(fresh) < len(measurements)
        measurements = fresh
    if other is None:
        return Written(shape, None, measurements)
    if key == "nucleus":
        return Written(shape, _geometry(other), measurements)
    return Written(_geometry(other), shape, measurements)


def stale_measurements(a: Annotation, image: ImageRecord) -> set[str]:
    """The names of the object's kept measurements an edit since import made untrue: those the export
    leaves out (``written``'s rule, the one place it is decided), so the app can say so beside them."""
    kept = a.app_extra.get("qupath")
    measured = kept.get("measurements") if isinstance(kept, dict) else None
    if not isinstance(measured, dict) or not isinstance(kept.get(SHAPE_KEY), str):
        return set()  # never measured, or no fingerprint to tell an edit by
    try:
        fresh = written(a, image, kept, {}, Counter()).measurements
    except (LimitError, TypeError, ValueError):  # a hand-edited shape the writer reports: told there
        return set()
    return set(measured) - set(fresh)


def _only_of(name: str, shape: str) -> bool:
    """The measurement describes ``shape`` ("cell", "nucleus") alone, by the compartments it names."""
    found = COMPARTMENT.findall(name)
    return bool(found) and all(SHAPES_OF[c] == {shape} for c in found)


def _parts(value: Any) -> list[Part] | None:
    """The kept polygons as closed rings; None for a value of another form (a hand-edited project)."""
    parts: list[Part] = []
    for polygon in value if isinstance(value, list) else [None]:
        rings = []
        for ring in polygon if isinstance(polygon, list) else [None]:
            if not isinstance(ring, list) or len(ring) < 6 or len(ring) % 2:
                return None
            try:
                pts = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
            except (TypeError, ValueError):
                return None
            if not np.isfinite(pts).all():
                return None
            rings.append(np.vstack([pts, pts[:1]]))
        if not rings:
            return None
        parts.append((rings[0], rings[1:]))
    return parts or None


def _geometry(parts: list[Part]) -> dict[str, Any]:
    polygons = [[ring.tolist() for ring in (outer, *holes)] for outer, holes in parts]
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _nucleus_inside(a: Annotation, image: ImageRecord, other: list[Part], read_as_cell: bool) -> bool:
    """Every nucleus pixel is a cell pixel (the object one of them, ``other`` the other)."""
    where = f"{image.file_name}: annotation {a.id}"
    try:
        own = annotation_crop(a, image.height, image.width, where)
        kept = parts_crop(other, image.height, image.width, where)
    except LimitError:
        return False
    if own is None:
        return False
    cell, nucleus = (own, kept) if read_as_cell else (kept, own)
    (cx, cy, cw, ch), cell_px = cell
    (nx, ny, _, _), nucleus_px = nucleus
    ys, xs = np.nonzero(nucleus_px)
    if not len(xs):
        return False
    xs, ys = xs + (nx - cx), ys + (ny - cy)
    if xs.min() < 0 or ys.min() < 0 or xs.max() >= cw or ys.max() >= ch:
        return False
    return bool(cell_px[ys, xs].all())
