"""A region's ``origin`` in Label Studio - ``prediction`` (taken from a model's prediction as it was),
``prediction-changed`` (taken from one, then edited), ``manual`` (drawn by a person) -, kept from the import
and written back. Where an object came from a prediction as it was (``origin: prediction``, or a
``predictions[]`` region imported as a pending model object), its shape's fingerprint and its category are
kept, so the export tells whether it was edited here since: ``prediction-changed`` then, as Label Studio
marks a prediction a person changed."""

from __future__ import annotations

from typing import Any

from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop._util import as_dict
from pixelproof.interop.geojson_cells import fingerprint

ORIGINS = ("prediction", "prediction-changed", "manual")  # Label Studio's values
ORIGIN_KEY = "origin"  # under an object's ``pixelproof.labelstudio``: the origin read
SHAPE_KEY = "shape"  # there: the fingerprint of its shape as read (``geojson_cells.fingerprint``)
CATEGORY_KEY = "category"  # there: its category as read


def keep_origin(ann: Annotation, image: ImageRecord, result: dict, from_model: bool) -> None:
    """Record a region's origin on the object made of it (``from_model``: a ``predictions[]`` region),
    and what tells an edit since where it came from a prediction unchanged."""
    origin = result.get("origin")
    if origin not in ORIGINS and not from_model:
        return
    kept = ann.app_extra.setdefault("labelstudio", {})
    if origin in ORIGINS:
        kept[ORIGIN_KEY] = origin
    if from_model or origin == "prediction":
        shape = fingerprint(ann, image)
        if shape is not None:  # None: a mask over the pixel limit, whose pixels are not compared
            kept.update({SHAPE_KEY: shape, CATEGORY_KEY: ann.category_id})


def origin_of(ann: Annotation, image: ImageRecord) -> str:
    """The ``origin`` an accepted or hand-made object is written with: ``prediction-changed`` for one read
    so, or taken from a prediction and edited since (shape or category), ``prediction`` for one taken from
    a prediction (read so, or a model's object accepted here) unchanged, ``manual`` otherwise."""
    kept: Any = as_dict(ann.app_extra.get("labelstudio"))
    read = kept.get(ORIGIN_KEY)
    if read == "prediction-changed":
        return read
    if read != "prediction" and not (ann.source or "").startswith("model:"):
        return "manual"
    shape = kept.get(SHAPE_KEY)
    if isinstance(shape, str) and (
        kept.get(CATEGORY_KEY) != ann.category_id or fingerprint(ann, image) != shape
    ):
        return "prediction-changed"
    return "prediction"
