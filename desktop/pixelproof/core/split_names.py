"""Dataset splits by their canonical names: ``train``, ``val`` and ``test``, any other name as given (not
``core.split``, which deals a project out to annotators). The readers keep an image's split so
(``interop.splits``, which spells it for each format); a project saved before they did may hold
``training`` beside ``train`` or ``Validation`` beside ``val``, so whatever compares images' splits (lint's
``duplicate_picture`` leak) reads them through ``split_of``."""

from __future__ import annotations

from typing import Any

from pixelproof.core.model import ImageRecord

CANONICAL = ("train", "val", "test")
# every spelling read as a canonical split, compared ignoring case and blanks around it
ALIASES = {
    "train": "train",
    "training": "train",
    "val": "val",
    "valid": "val",  # Roboflow's YOLO exports
    "validation": "val",  # CVAT's default subset name, Open Images, MVTec LOCO
    "test": "test",
    "testing": "test",  # KITTI
}
NO_SUBSET = "default"  # CVAT's and Datumaro's subset of the items put in none


def canonical(name: Any) -> str | None:
    """``Train``, ``training`` -> ``train``; ``Validation``, ``valid`` -> ``val``; ``Test``, ``testing``
    -> ``test``; any other name as given; None for no name (not text, empty or blank)."""
    if not isinstance(name, str) or not name.strip():
        return None
    return ALIASES.get(name.strip().casefold(), name)


def subset_split(subset: Any) -> Any:
    """A CVAT or Datumaro subset as the split it names: ``default`` is theirs for "no subset" (a task
    exported outside a project, ``annotations/default.json``), so no split; any other as given."""
    return None if isinstance(subset, str) and subset.strip() == NO_SUBSET else subset


def split_of(image: ImageRecord) -> str | None:
    """The image's canonical split: its ``pixelproof.split``, else the CVAT subset it was read with (a
    project saved before the CVAT reader set the split; ``default``: none), None when it has neither."""
    app = _as_dict(image.extra.get("pixelproof"))
    return canonical(app.get("split")) or canonical(subset_split(_as_dict(app.get("cvat")).get("subset")))


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
