"""Drawing a PNG mask folder's masks (``write_masks``) image by image (``interop.per_image``): each image's
objects go into an id array saved as its PNG by the task itself, so the work runs in this process, on local
workers or on a cluster with the same files as a result.

Every raster writer (masks, Cityscapes, KITTI, MVTec) paints objects with ``paint``: each object's pixels
inside its box only. ``Annotation.mask`` would keep a full-size mask decoded on every
object, so an export held one image of memory per object of the whole project (100 images x 10 objects of
1000 x 1000: 1 GB; a thousand objects on one 16000 x 16000 image: out of memory)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core import annotation_pixels, limits, mask_edit
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop._util import fresh_output
from pixelproof.interop.label_maps import class_value, voc_colormap
from pixelproof.interop.masks_folder import VOID, VOID_16

SECONDS_PER_MASK = 0.01  # draw and encode one mask of ~10 objects on one core: sizes batch chunks


@dataclass(frozen=True, slots=True)
class MaskContext:
    """What every mask-drawing task needs besides its images."""

    mode: str
    class_index: dict[int, int]
    categories: dict[int, Category]
    masks_dir: str  # as the worker sees it


def draw_mask(
    context: MaskContext, image: ImageRecord, objects: list[Annotation], mask_name: str
) -> tuple[dict[str, str], dict[str, int]]:
    """Draw, encode and save one image's mask (a batch task's work: see ``interop.per_image``); returns
    its instance class map and what to count in the warnings."""
    one = Project(categories=context.categories)
    one.add_image(image)
    one.extend_annotations(objects)
    counts: Counter[str] = Counter()
    ids, names = _image_ids(one, image, context.mode, context.class_index, counts)
    counts["16bit"] += ids.dtype == np.uint16
    if ids.dtype == np.uint8:
        png = Image.frombytes("P", (image.width, image.height), ids.tobytes())
        png.putpalette(voc_colormap().reshape(-1).tolist())
    else:
        png = Image.fromarray(ids)
    with fresh_output(Path(context.masks_dir) / mask_name) as f:  # "...png" has no suffix for PIL
        png.save(f, format="PNG")
    return names, dict(counts)


def paint(
    target: np.ndarray, ann: Annotation, value: object
) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """Set ``ann``'s pixels of ``target`` (an array the size of its image) to ``value``, decoding its box
    only; returns where they are (the box's rows and columns, its bool pixels), None when it has none."""
    found = annotation_pixels.annotation_crop(ann, *target.shape[:2], f"annotation {ann.id}")
    if found is None:
        return None
    rows_cols = mask_edit.rect_slices(found[0])
    target[rows_cols][found[1]] = value
    return rows_cols, found[1]


def paint_ids(
    anns: list[Annotation],
    image: ImageRecord,
    class_ids: Mapping[int, int],
    has_instances: Callable[[int], bool],
    counts: Counter[str],
    *,
    multiplier: int,
    stuff_multiplied: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """A class-id image (uint8) and an instance-id image (uint16: class x multiplier + n for the n-th object
    of a class with instances; the class alone, or class x multiplier with ``stuff_multiplied``, for crowds
    and classes without instances), numbered in annotation id order and painted in ``anns``' order, the
    stacking (``Project.annotations_of``: back to front), so the front object keeps a shared pixel
    (Cityscapes, KITTI). Objects whose instance id does not fit (a class id of 65535 // multiplier or
    more, or more than multiplier - 1 objects of one class) are painted as their class alone and counted under
    "no_instance"; the PNGs cannot tell them apart."""
    h, w = image.height, image.width
    limits.check_image_size(w, h, image.file_name)
    label_png = np.zeros((h, w), dtype=np.uint8)
    instance_png = np.zeros((h, w), dtype=np.uint16)
    per_class: Counter[int] = Counter()
    top = 65535 // multiplier
    values: dict[int, int] = {}
    for a in sorted(anns, key=lambda a: a.id):
        cls = class_ids[a.category_id]
        if has_instances(cls) and not a.iscrowd:
            if cls < top and per_class[cls] < multiplier - 1:
                per_class[cls] += 1
                value = cls * multiplier + per_class[cls]
            else:
                counts["no_instance"] += 1
                value = cls * multiplier if stuff_multiplied else cls
        else:
            value = cls * multiplier if stuff_multiplied else cls
        values[a.id] = value
    for a in anns:
        if (found := paint(label_png, a, class_ids[a.category_id])) is not None:
            instance_png[found[0]][found[1]] = values[a.id]
    return label_png, instance_png


def _image_ids(
    project: Project, image: ImageRecord, mode: str, class_index: dict[int, int], counts: Counter[str]
) -> tuple[np.ndarray, dict[str, str | int]]:
    """One image's id array (void first, then the objects in their stacking, back to front: the front one
    keeps a pixel they share) and, for instance masks, id -> class (objects numbered 1..n by id)."""
    anns = project.annotations_of(image.id)
    void_anns = [a for a in anns if project.is_void(a)]
    objects = sorted((a for a in anns if not project.is_void(a)), key=lambda a: a.id)
    number = {a.id: k for k, a in enumerate(objects, start=1)}
    h, w = image.height, image.width
    limits.check_image_size(w, h, image.file_name)  # the whole mask is made at once
    n = len(objects) if mode == "instance" else len(class_index)
    if n >= VOID_16:  # 65535 is void and 65536 does not fit: the mask would be wrong, not just lossy
        what = "objects" if mode == "instance" else "classes"
        raise ValueError(
            f"{n:,} {what}: a 16-bit mask holds at most {VOID_16 - 1:,} ids besides void ({VOID_16})"
        )
    ids = np.zeros((h, w), dtype=np.uint8 if n < VOID else np.uint16)
    void = VOID if ids.dtype == np.uint8 else VOID_16
    for a in void_anns:
        paint(ids, a, void)
    covered = np.zeros((h, w), dtype=bool)
    names: dict[str, str | int] = {}
    seen_classes: set[int] = set()
    for a in (a for a in anns if a.id in number):  # the stacking
        k = number[a.id]
        counts["boxes"] += a.kind == "box"
        if mode == "instance":  # a name the reader would take for a class value: its value in classes.txt
            name = project.categories[a.category_id].name
            names[str(k)] = class_index[a.category_id] if class_value(name) is not None else name
        else:
            counts["merged"] += a.category_id in seen_classes
            seen_classes.add(a.category_id)
        found = paint(ids, a, k if mode == "instance" else class_index[a.category_id])
        if found is not None:
            rows_cols, m = found
            counts["overlap"] += int(np.count_nonzero(covered[rows_cols] & m))
            covered[rows_cols] |= m
    return ids, names
