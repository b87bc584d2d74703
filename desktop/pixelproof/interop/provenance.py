"""Where an object came from, in words (the Properties panel's Source, the Annotations panel's tooltips).

``Annotation.source`` says who made an object: ``manual`` (drawn, painted, pasted in PixelProof),
``model:NAME`` (a model's prediction, pre-labelling), ``consensus:METHOD`` (made from annotators' objects),
``interpolation:METHOD`` (Edit > Fill Between Slices, ``core.slice_fill``).
An object read from another tool's file has none: the file says nothing of it, and showing "manual" for a
cell QuPath detected, or a box a YOLO file gave, told the user it was drawn here. So every reader's images
are marked with what was read (``Format.read``): ``pixelproof.imported`` in the image's extras,
``{"format": "geojson", "from": "qupath_export"}`` (the format's name and the file or folder read). It is
kept per image, not per object: a mark on each of a slide's million cells would cost a dict each in memory
(objects from YOLO or COCO have no extras otherwise) and in every load. An object without a source on a
marked image came from that import: PixelProof gives every object it makes a source. The mark stays in the
project file (COCO, a PixelProof project) and is left out of the other formats' files that keep image
extras (LabelMe's ``pixelproof``: ``without_mark``): it says where a project's objects came from, not what
a dataset holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.track_fill import fill_edited
from pixelproof.interop.formats import FORMATS
from pixelproof.interop.geojson_cells import shape_edited

IMPORTED = "imported"  # in an image's ``pixelproof`` extras
DRAWN = "drawn in PixelProof"
NOT_RECORDED = "not recorded"
FILL_EDITED = "edited since (a key frame)"  # a filled box moved, resized or given another class since
TIP = (
    "Where the object came from: drawn in PixelProof (by hand: drawn, painted, pasted); model: the model "
    "that proposed it; interpolated: Fill Between Slices or Fill Between Frames made it from the objects "
    "around it (edited since: moved, resized or reclassified after, a key frame of its track now); "
    "imported: the format and the file or folder it was read from (and whether its shape was edited since, "
    "where the file let PixelProof tell); not recorded: the project file gives no source "
    "(an object from another tool's file opened as a project, or imported before PixelProof marked imports)"
)


def mark_imported(images: Mapping[int, ImageRecord], fmt: str, path: str | Path, kind: str = "") -> None:
    """Mark each image a reader made with the format ``fmt`` (its name), the file or folder read and, for a
    format of several kinds of file, the kind it was (``Format.kinds``: CVAT's "video"). An image marked
    already keeps its mark (a PixelProof project read as COCO: its objects came from there)."""
    name = Path(path).name or str(path)
    for image in images.values():
        app = image.extra.setdefault("pixelproof", {})
        if isinstance(app, dict) and not isinstance(app.get(IMPORTED), dict):
            app[IMPORTED] = {"format": fmt, "from": name, **({"kind": kind} if kind else {})}


def _mark(image: ImageRecord | None) -> dict[str, Any] | None:
    app = image.extra.get("pixelproof") if image is not None else None
    mark = app.get(IMPORTED) if isinstance(app, dict) else None
    return mark if isinstance(mark, dict) and isinstance(mark.get("format"), str) else None


def imported_from(image: ImageRecord | None) -> tuple[str, str] | None:
    """(format name, file or folder name) of the image's import mark; None for an image not imported (or
    a hand-edited mark of another shape)."""
    mark = _mark(image)
    return None if mark is None else (mark["format"], str(mark.get("from") or ""))


def _title(mark: dict[str, Any]) -> str:
    """The title of the format of an import mark, of the kind of file it was (a CVAT video task: "CVAT for
    video 1.1 XML", not the format list's title for both kinds): ``Format.title_of``."""
    found = FORMATS.get(mark["format"])
    return found.title_of(mark.get("kind")) if found is not None else mark["format"]


def without_mark(app: Any) -> Any:
    """An image's ``pixelproof`` extras as another format's writer keeps them: the import mark left out."""
    if not isinstance(app, dict) or IMPORTED not in app:
        return app
    return {k: v for k, v in app.items() if k != IMPORTED}


def source_text(ann: Annotation, image: ImageRecord | None, edits: bool = True) -> str:
    """Where ``ann`` came from, in words: "drawn in PixelProof", "model: otsu", "imported: QuPath GeoJSON
    (qupath_export), shape edited since", "not recorded". ``image``: the object's image (its import mark);
    ``edits``: tell an imported object edited since, where its file kept enough to tell (a QuPath cell's
    fingerprint; a mask's costs a decode: off for a list of many)."""
    source = ann.source
    if source == "manual":
        return DRAWN
    for prefix, word in (
        ("model:", "model"),
        ("consensus:", "consensus"),
        ("interpolation:", "interpolated"),
    ):
        if source is not None and source.startswith(prefix):
            edited = f", {FILL_EDITED}" if edits and fill_edited(ann) else ""
            return f"{word}: {source[len(prefix) :] or '?'}{edited}"
    if source:  # another value a file gave: as written
        return source
    mark = _mark(image)
    if mark is None:
        return NOT_RECORDED
    name = str(mark.get("from") or "")
    text = f"imported: {_title(mark)}" + (f" ({name})" if name else "")
    cvat = ann.app_extra.get("cvat_source")
    if isinstance(cvat, str) and cvat:
        text += f", CVAT source {cvat}"
    if edits and image is not None and shape_edited(ann, image):
        text += ", shape edited since"
    return text
