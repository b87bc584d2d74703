"""Writing Cityscapes: ``gtFine/<split>/<city>/<frame>_gtFine_{polygons.json,labelIds.png,instanceIds.png}``
and the photos in ``leftImg8bit/``. Split out of ``interop.cityscapes`` (the reader and the format's
declaration, which names ``write_cityscapes`` as its writer) to keep each under the module size limit.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pixelproof.core import masks as core_masks
from pixelproof.core.limits import RLE_ORIGIN, check_image_size
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.wording import noted_counts
from pixelproof.interop._util import ProgressCallback, fresh_output, is_file, path_part, write_fresh
from pixelproof.interop.cityscapes_labels import BY_NAME, LABELS, PNG_ID_NOTES, has_instances, split_group
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import place_image
from pixelproof.interop.mask_drawing import paint, paint_ids
from pixelproof.interop.panoptic import table_ids
from pixelproof.interop.per_image import draw_per_image
from pixelproof.interop.splits import folder_name, spelled
from pixelproof.interop.stems import unique_stems


def write_cityscapes(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "link",
    progress: ProgressCallback | None = None,
    executor: Any = None,
    worker_path: Callable[[str], str] | None = None,
) -> list[str]:
    """``gtFine/<split>/<city>/<frame>_gtFine_{polygons.json,labelIds.png,instanceIds.png}`` and the photos
    in ``leftImg8bit/``; returns warnings. Split and city come from each image's ``pixelproof`` extras
    (default ``train`` / ``default``; the split as ``interop.splits`` names it, any other one as given).
    Objects are written in annotation order (later ones on top).
    ``executor`` (``pixelproof.core.batch``; default: here) writes each image's ground truth
    (``interop.per_image``; ``worker_path`` maps the output folder for a cluster); the photos are linked
    or copied here."""
    if images not in ("copy", "link"):
        raise ValueError(
            f"images: Cityscapes needs its leftImg8bit/ folder: expected copy or link, got {images!r}"
        )
    out = Path(out_dir)
    warnings: list[str] = []
    counts: Counter[str] = Counter()
    ids = table_ids(project, {lb.name: lb.id for lb in LABELS if lb.id >= 0}, counts)
    stems = unique_stems(project)
    items = []
    for image in project.images.values():
        app = image.extra.get("pixelproof") if isinstance(image.extra.get("pixelproof"), dict) else {}
        split = spelled(image, "cityscapes") or "train"  # CVAT's Validation, KITTI's testing: val, test
        if not folder_name(split):  # a split is a folder of gtFine/ and leftImg8bit/: ../x never leads out
            counts["split"] += 1
            split = "train"
        city = path_part(str(app.get("city") or "default"), "default")
        counts["renamed"] += city != str(app.get("city") or "default")
        prefix = stems[image.id].removesuffix("_leftImg8bit")
        src = project.image_path(image)
        if is_file(src):
            dst = out / "leftImg8bit" / split / city / f"{prefix}_leftImg8bit{src.suffix}"
            if (placed := place_image(src, dst, images, image, project.applies_exif)) is not None:
                warnings.append(placed)
        else:
            counts["missing"] += 1
        items.append((image, project.annotations_of(image.id), (split, city, prefix)))
    gt_root = str(out / "gtFine")
    setup = (dict(project.categories), ids, worker_path(gt_root) if worker_path else gt_root)
    for image_counts in draw_per_image(
        _write_ground_truth, setup, items, executor=executor, progress=progress
    ):
        counts.update(image_counts)
    messages = {
        "missing": ("image file", "not found; only their ground truth was written"),
        "unknown": (
            "category",
            "not in the Cityscapes table: given label ids from 34 on in the PNGs (names kept in the JSON)",
        ),
        "holes": ("mask", "with holes: Cityscapes polygons cannot hold holes, so the holes are filled"),
        "parts": ("object", "in several parts written as one polygon per part"),
        "boxes": ("box-only object", "written as 4-corner polygons"),
        **PNG_ID_NOTES,
        "no_instance": (
            "object",
            "written to instanceIds as their class alone: a class id of 65 or "
            "more (categories outside the table) or more than 999 objects of a class in an image",
        ),
        "renamed": ("city name", "that are no single folder name (path separators, '..') written with '_'"),
        "split": ("image", "whose split is no plain folder name (such as ../x) written to train"),
    }
    warnings += noted_counts(counts, messages)
    return warnings


def _write_ground_truth(
    setup: tuple[dict[int, Category], dict[int, int], str],
    image: ImageRecord,
    anns: list[Annotation],
    where: tuple[str, str, str],
) -> dict[str, int]:
    """One image's three ground-truth files (a batch task's work: see ``interop.per_image``); returns the
    counts for the warnings."""
    categories, ids, gt_root = setup
    split, city, prefix = where
    counts: Counter[str] = Counter()
    gt = Path(gt_root) / split / city
    make_folders(gt)
    doc = {
        "imgHeight": image.height,
        "imgWidth": image.width,
        "objects": _json_objects(categories, anns, image, counts),
    }
    write_fresh(gt / f"{prefix}_gtFine_polygons.json", json.dumps(doc, indent=1))
    label_png, instance_png = paint_ids(anns, image, ids, has_instances, counts, multiplier=1000)
    with fresh_output(gt / f"{prefix}_gtFine_labelIds.png") as f:
        Image.fromarray(label_png).save(f, format="PNG")
    with fresh_output(gt / f"{prefix}_gtFine_instanceIds.png") as f:
        Image.fromarray(instance_png).save(f, format="PNG")
    return dict(counts)


def _json_objects(
    categories: dict[int, Category], anns: list[Annotation], image: ImageRecord, counts: Counter[str]
) -> list[dict]:
    """Objects in their stacking, back to front (Cityscapes draws later ones over earlier ones). A mask's
    holes are filled (polygons hold none); that loses nothing where objects in front cover the hole, as
    they do for the visible part of an occluded object."""
    ordered = list(anns)
    top = _top_objects(ordered, image) if any(a.kind == "mask" for a in ordered) else None
    out = []
    for k, a in enumerate(ordered):
        cat = categories[a.category_id]
        extra = dict(a.app_extra.get("cityscapes") or {})
        label = extra.pop("label", None) or (
            cat.name + "group" if a.iscrowd and cat.name in BY_NAME else cat.name
        )
        ours = {
            k: getattr(a, k)
            for k in ("score", "source", "review", "note", "author", "updated")
            if getattr(a, k)
        }
        # rle_origin places a COCO RLE stored cropped: the shapes written here are in the image's frame
        ours.update(
            {k: v for k, v in a.app_extra.items() if k not in ("cityscapes", "hidden_px", RLE_ORIGIN)}
        )
        if a.iscrowd and not split_group(label)[1]:  # no ``<name>group`` label says it
            ours["iscrowd"] = a.iscrowd
        if cat.void and cat.name not in BY_NAME:  # its PNG id is 0 (unlabeled): the JSON says it is void
            ours["void"] = True
        for poly in _polygons(a, image, top, k, counts):
            obj: dict[str, Any] = {"label": label, "polygon": poly, **extra}
            if ours:
                obj["pixelproof"] = ours
            out.append(obj)
    return out


def _top_objects(ordered: list[Annotation], image: ImageRecord) -> np.ndarray:
    """Per pixel, the index in ``ordered`` of the last object on it (-1: none): the objects drawn after
    the k-th cover exactly ``top > k``. One array for all objects (a copy of the later objects' union
    per object took a full image of memory each: out of memory for a few thousand)."""
    check_image_size(image.width, image.height, image.file_name)
    top = np.full((image.height, image.width), -1, dtype=np.int32 if len(ordered) < 2**31 else np.int64)
    for k, a in enumerate(ordered):
        paint(top, a, k)
    return top


def _polygons(
    a: Annotation, image: ImageRecord, top: np.ndarray | None, k: int, counts: Counter[str]
) -> list[list[list[float]]]:
    if a.kind == "box":
        counts["boxes"] += 1
        x, y, w, h = a.bbox
        return [[[x, y], [x + w, y], [x + w, y + h], [x, y + h]]]
    if a.kind == "polygon":
        polys = [p for p in a.segmentation if len(p) >= 6]
    else:
        assert top is not None  # made when any object is a mask
        mask = core_masks.annotation_mask(a, image.height, image.width)  # not kept on the object
        traced = core_masks.mask_to_polygons(mask)
        if traced.holes and (core_masks.fill_holes(mask) & ~mask & (top <= k)).any():
            counts["holes"] += 1
        polys = traced.polygons
    counts["parts"] += len(polys) > 1
    return [np.asarray(p, dtype=np.float64).reshape(-1, 2).tolist() for p in polys]
