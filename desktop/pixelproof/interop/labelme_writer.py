"""Writing LabelMe: one JSON file per image (``shapes`` with ``label``, ``points``, ``shape_type``) beside
the image, and ``labels.txt``. Split out of ``interop.labelme`` (the reader and the format's declaration,
which names ``write_labelme`` as its writer) to keep each under the module size limit.
"""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pixelproof.core import annotation_pixels, limits
from pixelproof.core.limits import LimitError, short_repr
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    ProgressCallback,
    check_image_mode,
    group_id,
    one_line,
    rel_name,
    with_progress,
    write_fresh,
)
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import image_exists, image_suffix, place_image
from pixelproof.interop.labelme_image_data import embeddable
from pixelproof.interop.labelme_keep import APP_FIELDS, area_kept, file_keys, not_written
from pixelproof.interop.provenance import without_mark
from pixelproof.interop.stems import unique_stems

LABELME_VERSION = "5.5.0"
# app_extra keys LabelMe holds itself, and rle_origin (it places a COCO RLE stored cropped; shapes written
# here are in the image's frame)
_NOT_EXTRAS = ("flags", "description", "group_id", "labelme_keys", limits.RLE_ORIGIN)
RESERVED_LABELS = ("__ignore__", "_background_")  # first in labels.txt; the reader takes neither for a class
IGNORE_LABEL = "__ignore__"  # LabelMe's void label (255 in labelme2voc's PNGs)


def write_labelme(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "keep",
    image_data: bool = False,
    progress: ProgressCallback | None = None,
) -> list[str]:
    """One LabelMe JSON per image in ``out_dir`` (plus ``labels.txt``); returns warnings.

    ``images``: "keep" points ``imagePath`` at the original file, "copy"/"link" put the image beside its
    JSON as LabelMe prefers. Masks become LabelMe "mask" shapes (holes kept); objects in several parts
    become shapes sharing a ``group_id``.
    """
    check_image_mode(images)
    out = Path(out_dir)
    make_folders(out)
    warnings: list[str] = []
    stems = unique_stems(project)
    names = {c.id: c.name for c in project.categories.values()}
    void = project.void_category_ids()
    missing = 0
    # names this export writes itself: an image copied or linked under one of them would be overwritten
    # (through a hard link: the original image) by a JSON file or labels.txt
    ours = {f"{s}.json".casefold() for s in stems.values()} | {"labels.txt"}
    for image in with_progress(list(project.images.values()), len(project.images), progress):
        src = project.image_path(image)
        if images == "keep":
            image_path = rel_name(src, out)
        else:
            dst = out / (stems[image.id] + image_suffix(src))
            if dst.name.casefold() in ours:
                dst = out / "images" / dst.name
            if image_exists(src):
                if (w := place_image(src, dst, images, image, project.applies_exif)) is not None:
                    warnings.append(w)
            else:
                missing += 1
            image_path = rel_name(dst, out)
        doc = _image_doc(image, project.annotations_of(image.id), names, image_path, void, warnings)
        if image_data and (data := embeddable(src, image, warnings, project.applies_exif)) is not None:
            doc["imageData"] = base64.b64encode(data).decode("ascii")
        write_fresh(out / f"{stems[image.id]}.json", json.dumps(doc, indent=2))
    if missing:
        warnings.append(
            f"{plural(missing, 'image file')} not found; their JSON was written without the image"
        )
    ordered = [
        c.name
        for c in sorted(project.categories.values(), key=lambda c: c.id)
        if c.name not in RESERVED_LABELS
    ]
    lines = [n for n in ordered if one_line(n) == n]
    if odd := [n for n in ordered if one_line(n) != n]:
        left = ", ".join(map(short_repr, odd))
        warnings.append(
            f"{plural(len(odd), 'category name')} not one line of text ({left}): left out of "
            "labels.txt (one name a line; "
            "their objects keep them)"
        )
    write_fresh(out / "labels.txt", "\n".join([*RESERVED_LABELS, *lines]) + "\n")
    return warnings + not_written(project, RESERVED_LABELS)


def _image_doc(
    image: ImageRecord,
    anns: list[Annotation],
    names: dict[int, str],
    image_path: str,
    void: set[int],
    warnings: list[str],
) -> dict:
    groups = {a.id: group_id(a) for a in anns}
    next_group = max((g for g in groups.values() if isinstance(g, int)), default=0) + 1
    shapes: list[dict] = []
    for a in sorted(anns, key=lambda a: a.id):
        group = groups[a.id]
        many = a.kind == "polygon" and len(a.segmentation) > 1
        if group is None and many:
            group, next_group = next_group, next_group + 1
        base = {
            "label": names[a.category_id],
            "group_id": group,
            "description": a.app_extra.get("description", ""),
            "flags": a.app_extra.get("flags", {}),
            "mask": None,
        }
        ours = {k: getattr(a, k) for k in APP_FIELDS if getattr(a, k) not in (None, 0)}
        ours.update({k: v for k, v in a.app_extra.items() if k not in _NOT_EXTRAS})
        if groups[a.id] is None and (group is not None or a.app_extra.get("group_id") is not None):
            # made up to link the parts (None: the reader drops it) or one LabelMe cannot hold (restored)
            ours["group_id"] = a.app_extra.get("group_id")
        if a.category_id in void and names[a.category_id] != IGNORE_LABEL:
            ours["void"] = True  # read back as a void category (``__ignore__`` is void by its name)
        base.update(_shape_fields(ours))
        from_file, kept = file_keys(a, "attributes" in base)
        kept.update(area_kept(a, image.height, image.width))
        base, ours = {**base, **from_file}, {**ours, **kept}
        base.update(_unknown_keys(a.app_extra.get("labelme_keys"), base))
        if ours:
            base["pixelproof"] = ours
        for points, kind, mask in _shape_geometry(a, image, warnings):
            shapes.append({**base, "points": points, "shape_type": kind, "mask": mask})
    app = dict(without_mark(image.extra.get("pixelproof")) or {})  # where the project's objects came from
    flags = app.pop("flags", {})
    other, kept_shapes = app.pop("labelme_keys", None), app.pop("labelme_shapes", None)
    if isinstance(kept_shapes, list):  # lines, line strips, points read from LabelMe: no objects here
        shapes.extend(s for s in kept_shapes if isinstance(s, dict))
    doc: dict[str, Any] = {
        "version": LABELME_VERSION,
        "flags": flags,
        "shapes": shapes,
        "imagePath": image_path,
        "imageData": None,
        "imageHeight": image.height,
        "imageWidth": image.width,
    }
    doc.update(_unknown_keys(other, doc))
    if app:
        doc["pixelproof"] = app
    return doc


def _unknown_keys(kept: Any, written: dict) -> dict[str, Any]:
    """The keys LabelMe did not know that a file or shape held (read into ``labelme_keys``), to write
    back as LabelMe keeps them; never one over a key written already."""
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if isinstance(k, str) and k not in written and k != "pixelproof"}


def _shape_fields(ours: dict[str, Any]) -> dict[str, Any]:
    """The extras X-AnyLabeling keeps in a shape's own fields (``score``, ``difficult``, ``attributes``),
    taken out of ``ours`` (PixelProof's) so that X-AnyLabeling reads them back."""
    out: dict[str, Any] = {}
    if "score" in ours:
        out["score"] = ours.pop("score")
    if ours.get("difficult") in (0, 1):  # (VOC may hold another text: it stays PixelProof's)
        out["difficult"] = bool(ours.pop("difficult"))
    if isinstance(ours.get("attributes"), dict):
        out["attributes"] = ours.pop("attributes")
    return out


def _shape_geometry(
    a: Annotation, image: ImageRecord, warnings: list[str]
) -> list[tuple[list, str, str | None]]:
    if a.kind == "box":
        x, y, w, h = a.bbox
        return [([[x, y], [x + w, y + h]], "rectangle", None)]
    if a.kind == "polygon":
        return [
            (np.asarray(p, dtype=float).reshape(-1, 2).tolist(), "polygon", None)
            for p in a.segmentation
            if len(p) >= 6
        ]
    try:
        found = annotation_pixels.annotation_crop(
            a, image.height, image.width, f"{image.file_name}: annotation {a.id}"
        )
    except LimitError as e:
        warnings.append(f"{e}; written as its box")
        x, y, w, h = a.bbox
        return [([[x, y], [x + w, y + h]], "rectangle", None)]
    if found is None:
        return []
    (x, y, w, h), m = found
    buf = io.BytesIO()
    Image.fromarray(m.astype(np.uint8)).save(buf, format="PNG")
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    return [([[float(x), float(y)], [float(x + w - 1), float(y + h - 1)]], "mask", b64)]
