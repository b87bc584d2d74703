"""Writing QuPath GeoJSON: one FeatureCollection per image, ``<image stem>.geojson``, in QuPath 0.4's style
(a Feature with a UUID ``id``, its ``geometry`` and ``properties`` with ``objectType`` and the
``classification``'s name and colour), so QuPath's File > Import objects (or dragging the file onto the open
image) reads it. Boxes are rectangles, polygons one Polygon or a MultiPolygon, masks traced on their pixel
edges with their holes (``masks.mask_to_shapes``: reading them back gives the same pixels). The objects'
PixelProof fields (score, review state, note, crowd and void flags ...) go into a ``pixelproof`` property,
which QuPath ignores.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from pixelproof.core import annotation_pixels
from pixelproof.core import masks as core_masks
from pixelproof.core.limits import RLE_ORIGIN, LimitError
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.wording import noted_counts
from pixelproof.interop import geojson_cells, geojson_plane
from pixelproof.interop._util import (
    UNCLASSIFIED,
    ProgressCallback,
    as_dict,
    check_image_mode,
    with_progress,
    write_fresh,
)
from pixelproof.interop.geojson_plane import on_plane
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import image_exists, image_suffix, place_image
from pixelproof.interop.stems import unique_stems

QUPATH_KEY = "qupath"  # an object's QuPath fields, in its app extras
OBJECT_TYPES = ("annotation", "detection", "cell", "tile", "tmaCore")
APP_FIELDS = ("score", "source", "review", "note", "author", "updated", "iscrowd")
ID_NAMESPACE = uuid.UUID("5b0e3f4c-7a1d-4c1e-9a53-0d1f2b6c9e47")  # PixelProof's: ids stable across exports


def is_qupath_color(v: Any) -> bool:
    """A colour as QuPath writes one: [r, g, b(, a)] of 0..255, or a packed (A)RGB integer."""
    if isinstance(v, int) and not isinstance(v, bool):
        return -(2**31) <= v < 2**32
    return isinstance(v, list) and len(v) in (3, 4) and all(type(c) is int and 0 <= c <= 255 for c in v)


# QuPath properties kept with an object, and what QuPath's reader takes for each (it fails on others)
KEPT_PROPERTIES = {
    "name": lambda v: isinstance(v, str),
    "isLocked": lambda v: isinstance(v, bool),
    "color": is_qupath_color,
    "metadata": lambda v: (
        isinstance(v, dict) and all(isinstance(x, str | int | float | bool) for x in v.values())
    ),
}


def kept_properties(source: dict[str, Any]) -> dict[str, Any]:
    """The QuPath properties of ``source`` worth keeping: ``KEPT_PROPERTIES`` of a type QuPath reads."""
    return {k: source[k] for k, ok in KEPT_PROPERTIES.items() if k in source and ok(source[k])}


def write_geojson(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "link",
    progress: ProgressCallback | None = None,
) -> list[str]:
    """One ``<stem>.geojson`` per image in ``out_dir``; returns warnings. ``images`` "link"/"copy" put the
    image beside it under the same stem (so the folder reads back, and a QuPath script finds the pair);
    "keep" writes the GeoJSON only."""
    check_image_mode(images)
    out = Path(out_dir)
    make_folders(out)
    warnings: list[str] = []
    counts: Counter[str] = Counter()
    stems = unique_stems(project)
    names = {c.id: c.name for c in project.categories.values()}
    colors = {c.id: color_rgb(c.color) for c in project.categories.values()}
    void = project.void_category_ids()
    for image in with_progress(list(project.images.values()), len(project.images), progress):
        if images != "keep":
            src = project.image_path(image)
            if image_exists(src):
                dst = out / (stems[image.id] + image_suffix(src))
                if (w := place_image(src, dst, images, image, project.applies_exif)) is not None:
                    warnings.append(w)
            else:
                counts["missing"] += 1
        features = []
        for a in sorted(project.annotations_of(image.id), key=lambda a: a.id):
            feature = _feature(a, image, names, colors, void, counts)
            if feature is not None:
                features.append(feature)
        doc = {"type": "FeatureCollection", "features": features}
        try:
            data = orjson.dumps(doc)
        except orjson.JSONEncodeError:  # an integer past 64 bits in an extra: Python's writer takes it
            data = json.dumps(doc, allow_nan=False, separators=(",", ":")).encode("utf-8")
        write_fresh(out / f"{stems[image.id]}.geojson", data)
    notes = {
        "missing": ("image file", "not found; their GeoJSON was written without the image"),
        "as box": ("mask", "over the pixel limit to trace, written as their box"),
        "no outline": ("object", "with no outline (polygons of fewer than 3 points, empty masks) left out"),
        "stale": (
            "object",
            "edited since they came from QuPath written without the measurements of the "
            "shape changed (QuPath computes them again: Analyze > Calculate features)",
        ),
        "outside": (
            "cell",
            "whose edited shape no longer holds its nucleus (or lies in its cell) written as "
            "that shape alone",
        ),
    }
    warnings += noted_counts(counts, notes)
    return warnings


def color_rgb(color: str | None) -> list[int] | None:
    """A category's ``#rrggbb`` colour as [r, g, b] (None when it has none, or another form)."""
    if not isinstance(color, str) or len(color) != 7 or color[0] != "#":
        return None
    try:
        return [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    except ValueError:
        return None


def feature_id(a: Annotation, image: ImageRecord) -> str:
    """The object's QuPath id when it came from QuPath (a UUID), else one made from the image and the
    object id: the same in every export, so QuPath replaces the objects rather than adding copies."""
    kept = as_dict(a.app_extra.get(QUPATH_KEY)).get("id")
    if isinstance(kept, str):
        try:
            return str(uuid.UUID(kept))
        except ValueError:
            pass
    return str(uuid.uuid5(ID_NAMESPACE, f"{image.file_name}#{a.id}"))


def _feature(
    a: Annotation,
    image: ImageRecord,
    names: dict[int, str],
    colors: dict[int, list[int] | None],
    void: set[int],
    counts: Counter[str],
) -> dict[str, Any] | None:
    geometry = _geometry(a, image, counts)
    if geometry is None:
        counts["no outline"] += 1
        return None
    qupath = as_dict(a.app_extra.get(QUPATH_KEY))
    kind = qupath.get("objectType")
    props: dict[str, Any] = {"objectType": kind if kind in OBJECT_TYPES else "annotation"}
    name = names[a.category_id]
    if name and name != UNCLASSIFIED:  # no name (a COCO file's ""): a class no reader takes, so none
        parts = [p.strip() for p in name.split(":")]  # a derived class: its names, as QuPath writes it
        cls: dict[str, Any] = {"names": parts} if len(parts) > 1 and all(parts) else {"name": name}
        if colors[a.category_id] is not None:
            cls["color"] = colors[a.category_id]
        props["classification"] = cls
    props.update(kept_properties(qupath))
    shapes = geojson_cells.written(a, image, qupath, geometry, counts)
    measurements = {
        k: v
        for k, v in shapes.measurements.items()
        if v is None or (isinstance(v, int | float) and not isinstance(v, bool))
    }
    if measurements:
        props["measurements"] = measurements
    ours = {k: getattr(a, k) for k in APP_FIELDS if getattr(a, k) not in (None, 0)}
    ours.update({k: v for k, v in a.app_extra.items() if k not in (QUPATH_KEY, RLE_ORIGIN)})
    if a.category_id in void:
        ours["void"] = True
    if ours:
        props["pixelproof"] = ours
    plane = geojson_plane.kept_plane(qupath)  # the z-slice / time point QuPath drew it on, kept
    feature = {"type": "Feature", "id": feature_id(a, image), "geometry": on_plane(shapes.geometry, plane)}
    if shapes.nucleus is not None:
        feature["nucleusGeometry"] = on_plane(shapes.nucleus, plane)
    feature["properties"] = props
    return feature


def _ring(flat: list[float]) -> list[list[float]]:
    """A flat x, y list as GeoJSON positions, closed (the first position again at the end)."""
    pts = [[float(flat[k]), float(flat[k + 1])] for k in range(0, len(flat) - 1, 2)]
    return [*pts, pts[0]]


def _box(bbox: list[float]) -> dict[str, Any]:
    x, y, w, h = (float(v) for v in bbox)
    return {"type": "Polygon", "coordinates": [_ring([x, y, x + w, y, x + w, y + h, x, y + h])]}


def _geometry(a: Annotation, image: ImageRecord, counts: Counter[str]) -> dict[str, Any] | None:
    if a.kind == "box":
        return _box(a.bbox)
    if a.kind == "polygon":
        polygons = [[_ring(p)] for p in a.segmentation if len(p) >= 6]
    else:
        try:
            found = annotation_pixels.annotation_crop(
                a, image.height, image.width, f"{image.file_name}: annotation {a.id}"
            )
        except LimitError:
            counts["as box"] += 1
            return _box(a.bbox)
        if found is None:
            return None
        (x, y, _, _), crop = found
        polygons = []
        for outer, holes in core_masks.mask_to_shapes(crop):
            rings = [outer, *holes]
            polygons.append([_ring([v + (x if k % 2 == 0 else y) for k, v in enumerate(r)]) for r in rings])
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}
