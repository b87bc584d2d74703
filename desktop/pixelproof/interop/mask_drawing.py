"""Drawing a PNG mask folder's masks (``write_masks``) image by image (``interop.per_image``): each image's
objects go into an id array saved as its PNG by the task itself, so the work runs in this process, on local
workers or on a cluster with the same files as a result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core import limits
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.label_maps import voc_colormap
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
    png.save(Path(context.masks_dir) / mask_name)
    return names, dict(counts)


def _image_ids(
    project: Project, image: ImageRecord, mode: str, class_index: dict[int, int], counts: Counter[str]
) -> tuple[np.ndarray, dict[str, str]]:
    """One image's id array (void first, then objects by id) and, for instance masks, id -> class."""
    anns = sorted(project.annotations_of(image.id), key=lambda a: a.id)
    void_anns = [a for a in anns if project.is_void(a)]
    objects = [a for a in anns if not project.is_void(a)]
    h, w = image.height, image.width
    limits.check_image_size(w, h, image.file_name)  # the whole mask is made at once
    n = len(objects) if mode == "instance" else len(class_index)
    ids = np.zeros((h, w), dtype=np.uint8 if n < VOID else np.uint16)
    void = VOID if ids.dtype == np.uint8 else VOID_16
    for a in void_anns:
        ids[a.mask(h, w)] = void
    covered = np.zeros((h, w), dtype=bool)
    names: dict[str, str] = {}
    seen_classes: set[int] = set()
    for k, a in enumerate(objects, start=1):
        m = a.mask(h, w)
        counts["boxes"] += a.kind == "box"
        counts["overlap"] += int(np.count_nonzero(covered & m))
        covered |= m
        if mode == "instance":
            ids[m] = k
            names[str(k)] = project.categories[a.category_id].name
        else:
            counts["merged"] += a.category_id in seen_classes
            seen_classes.add(a.category_id)
            ids[m] = class_index[a.category_id]
    return ids, names
