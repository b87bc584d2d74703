"""The project as JSON bytes: COCO's key order, unknown keys kept, one image / annotation / category per
line (compact, yet diffable), coordinates rounded to 1/1000 px where no mask changes (``core.precision``).
Reading and the atomic write are ``core.coco``'s.
"""

from __future__ import annotations

import os
from typing import Any

import orjson

from pixelproof.core.coco_rules import APP_KEYS
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.precision import round_annotations


class ProjectSaveError(Exception):
    """Saving failed; the previous project file and its backup are untouched."""


def project_to_dict(project: Project) -> dict[str, Any]:
    """The JSON document of a project (unknown keys included, in COCO's usual key order)."""
    extra = project.extra
    doc: dict[str, Any] = {}
    for key in ("info", "licenses"):
        if key in extra:
            doc[key] = extra[key]
    doc["images"] = [_image_dict(im) for im in project.images.values()]
    doc["annotations"] = [annotation_to_dict(a) for a in project.annotations.values()]
    doc["categories"] = [_category_dict(c) for c in project.categories.values()]
    for key, value in extra.items():
        if key not in doc:
            doc[key] = value
    doc["pixelproof"] = project.app
    return doc


def _image_dict(im: ImageRecord) -> dict[str, Any]:
    d = {"id": im.id, "file_name": im.file_name, "width": im.width, "height": im.height}
    d.update(im.extra)
    return d


def _category_dict(c: Category) -> dict[str, Any]:
    d: dict[str, Any] = {"id": c.id, "name": c.name}
    d.update(c.extra)  # first, so a null supercategory kept there yields to a real one
    if c.supercategory is not None:
        d["supercategory"] = c.supercategory
    app = dict(c.app_extra)
    if c.color is not None:
        app["color"] = c.color
    if c.shortcut is not None:
        app["shortcut"] = c.shortcut
    if app:
        d["pixelproof"] = app
    return d


def annotation_to_dict(a: Annotation) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": a.id,
        "image_id": a.image_id,
        "category_id": a.category_id,
        "bbox": a.bbox,
        "area": a.area,
        "iscrowd": a.iscrowd,
    }
    if a.segmentation is not None:
        d["segmentation"] = a.segmentation
    if a.extra:
        d.update(a.extra)  # first, so a null score kept there yields to a real one
    if a.score is not None:
        d["score"] = a.score
    app: dict[str, Any] = {}  # APP_KEYS in their order, spelled out: a loop over them takes twice as long
    if a.source is not None:
        app["source"] = a.source
    if a.review is not None:
        app["review"] = a.review
    if a.note is not None:
        app["note"] = a.note
    if a.author is not None:
        app["author"] = a.author
    if a.updated is not None:
        app["updated"] = a.updated
    if a.app_extra:
        app.update(a.app_extra)
    if app:
        d["pixelproof"] = app
    return d


if APP_KEYS != ("source", "review", "note", "author", "updated"):  # annotation_to_dict spells them out
    raise ImportError("annotation_to_dict does not write the APP_KEYS of core.coco_rules")


def dumps_project(project: Project) -> bytes:
    """Serialize with one image / annotation / category per line: compact, yet diffable. Coordinates
    are written rounded to 1/1000 px wherever that leaves every mask as it is (``core.precision``).
    ``ProjectSaveError`` names the member holding a value JSON cannot (``_unwritable``)."""
    doc = project_to_dict(project)
    try:
        return _dumps(doc)
    except TypeError as e:  # orjson's JSONEncodeError
        raise ProjectSaveError(f"{_unwritable(doc)}: {e}") from None


def _dumps(doc: dict[str, Any]) -> bytes:
    doc["annotations"] = round_annotations(doc["annotations"])
    opt = orjson.OPT_SERIALIZE_NUMPY
    parts = [b"{"]
    keys = list(doc)
    for n, key in enumerate(keys):
        value = doc[key]
        sep = b"," if n < len(keys) - 1 else b""
        head = orjson.dumps(key) + b": "
        if isinstance(value, list) and key in ("images", "annotations", "categories"):
            if not value:
                parts.append(b"\n" + head + b"[]" + sep)
                continue
            parts += [b"\n", head, b"[\n  ", _one_per_line(value), b"\n]", sep]  # no copy of the big part
        else:
            parts.append(b"\n" + head + orjson.dumps(value, option=opt, default=_json_default) + sep)
    parts.append(b"\n}\n")
    return b"".join(parts)


_SEPARATOR = "\x00pixelproof: next member\x00"
_SEPARATOR_JSON = b',"\\u0000pixelproof: next member\\u0000",'


def _one_per_line(members: list) -> bytes | memoryview:
    """``members`` serialized and joined by ``,`` + newline + 2 spaces: one ``orjson.dumps`` call for the
    whole list (per-member calls take ~4x as long), the members told apart by a separator string between
    them, then replaced. A string of the project that holds the separator makes the count differ: then
    the members are serialized one by one."""
    opt = orjson.OPT_SERIALIZE_NUMPY
    spaced = [_SEPARATOR] * (2 * len(members) - 1)
    spaced[0::2] = members
    whole = orjson.dumps(spaced, option=opt, default=_json_default)
    del spaced
    if whole.count(_SEPARATOR_JSON) == len(members) - 1:
        return memoryview(whole.replace(_SEPARATOR_JSON, b",\n  "))[1:-1]  # without [ and ], uncopied
    return b",\n  ".join(orjson.dumps(v, option=opt, default=_json_default) for v in members)


def _unwritable(doc: dict[str, Any]) -> str:
    """Where in ``doc`` the value is that no JSON can hold (a lone surrogate from an edit, a dict key that
    is no string, an integer past 64 bits): the member, e.g. ``categories[3]``, found on a failed save."""
    opt = orjson.OPT_SERIALIZE_NUMPY
    for key, value in doc.items():
        members = enumerate(value) if key in ("images", "annotations", "categories") else [(None, value)]
        for i, member in members:
            try:
                orjson.dumps(member, option=opt, default=_json_default)
            except TypeError:
                return key if i is None else f"{key}[{i}]"
    return "the project"


def _json_default(v: Any) -> Any:
    if hasattr(v, "item"):  # numpy scalar
        return v.item()
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    raise TypeError(f"cannot write {type(v).__name__} to JSON")
