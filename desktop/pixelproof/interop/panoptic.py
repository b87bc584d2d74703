"""Pieces shared by the readers of id images (Cityscapes instanceIds, KITTI instance PNGs, Waymo panoptic
labels, COCO panoptic's RGB-encoded segment ids), where a pixel value packs a class and an instance or
names a segment, and of drawn-in-order polygons."""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core.imageio import open_pillow
from pixelproof.core.limits import LimitError
from pixelproof.core.model import ImageRecord, Project
from pixelproof.interop._util import Builder

ID_MODES = ("L", "P", "I", "I;16", "I;16B", "I;16L", "1")


def read_id_png(source: Path | bytes, where: str = "") -> np.ndarray:
    """The values of a one-channel id PNG (8/16-bit gray or palette indexes) in their own integer dtype
    (uint8, uint16 or int32, native byte order: no wider copy of the image); ValueError for colour images
    and for images over the pixel limit (checked from the header, before decoding), OSError for files
    Pillow cannot decode."""
    with open_pillow(source if isinstance(source, Path) else io.BytesIO(source), where or str(source)) as im:
        if im.mode not in ID_MODES:
            raise ValueError(f"{im.mode} image: expected one channel of ids (8/16-bit gray or palette)")
        return native_ids(np.asarray(im))  # damage met while decoding: OSError (open_pillow)


def native_ids(ids: np.ndarray) -> np.ndarray:
    """Ids as an integer array numpy and scipy read without conversion: bool as uint8, byte-swapped
    (``I;16B``) to native order; anything else as it is."""
    if ids.dtype == bool:
        return ids.astype(np.uint8)
    if not ids.dtype.isnative:
        return ids.astype(ids.dtype.newbyteorder("="))
    return ids


MAX_RGB_ID = (1 << 24) - 1  # the largest id three 8-bit channels hold


def rgb2id(rgb: np.ndarray) -> np.ndarray:
    """H x W x 3 colours as COCO panoptic's segment ids, id = R + 256 G + 256^2 B (panopticapi's
    ``rgb2id``), uint32; one temporary the size of the result."""
    ids = rgb[..., 2].astype(np.uint32)
    ids <<= 8
    ids |= rgb[..., 1]
    ids <<= 8
    ids |= rgb[..., 0]
    return ids


def id2rgb(ids: np.ndarray) -> np.ndarray:
    """Segment ids (0..``MAX_RGB_ID``) as H x W x 3 uint8 colours, the inverse of ``rgb2id`` (panopticapi's
    ``id2rgb``)."""
    out = np.empty((*ids.shape, 3), dtype=np.uint8)
    for channel in range(3):
        out[..., channel] = (ids >> (8 * channel)) & 0xFF
    return out


def read_rgb_ids(path: Path, where: str = "") -> np.ndarray:
    """The segment ids of a COCO panoptic PNG (RGB, or RGBA with the alpha ignored, as panopticapi reads
    it), uint32; ValueError for other modes and for images over the pixel limit (from the header, before
    decoding), OSError for files Pillow cannot decode."""
    with open_pillow(path, where or str(path)) as im:
        if im.mode not in ("RGB", "RGBA"):
            raise ValueError(f"{im.mode} image: expected RGB-encoded segment ids (id = R + 256 G + 256^2 B)")
        return rgb2id(np.asarray(im))  # damage met while decoding: OSError (open_pillow)


Rect = tuple[int, int, int, int]  # x, y, w, h
_STRIP_PIXELS = 1 << 20  # whole-image passes that make temporaries work on row strips of this size
MAX_BOX_COVER = 256  # the values' boxes together may cover the picture this many times (see IdRegions)
# distinct values of one id map: each costs ~600 bytes of boxes and bookkeeping, so past this the values
# would outweigh the pixels of a picture at the pixel limit (a PNG of 2**24 ids, one a pixel, is 150 KB)
MAX_ID_VALUES = 1 << 20


class IdRegions:
    """The distinct values of an id map, each with its bounding box, found in O(pixels) without sorting
    or widening the image: uint8/uint16 maps are their own labels for ``scipy.ndimage.find_objects``
    (one pass gives every nonzero value's box, absent values ``None``; 0's box from one strip-wise
    pass); wider types are numbered 1..n (``distinct`` on the native dtype) in a uint16/uint32 label
    image. A value's mask is then its box crop alone, so all values together cost O(pixels + their
    boxes), never O(values x pixels). ``LimitError`` for more than ``MAX_ID_VALUES`` values (found before
    any box) and for values scattered over the picture (``_check_cover``)."""

    def __init__(self, ids: np.ndarray, where: str = "") -> None:
        from scipy import ndimage  # here: File > Import's module list loads at app start-up, scipy need not

        ids = native_ids(ids)
        self.shape = ids.shape
        self.found: dict[int, tuple[tuple[slice, slice], int]] = {}  # value -> (box, label), ascending
        if ids.size == 0:
            self.labels = ids
            return
        if ids.dtype in (np.uint8, np.uint16):
            self.labels = ids
            zero = _value_box(ids, 0)
            if zero is not None:
                self.found[0] = (zero, 0)
            top = int(ids.max())
            for i, box in enumerate(ndimage.find_objects(ids, top) if top > 0 else []):
                if box is not None:
                    self.found[i + 1] = (box, i + 1)
            self._check_cover(where)
            return
        values = distinct(ids)
        if len(values) > MAX_ID_VALUES:
            raise LimitError(
                where or "id map",
                f"{len(values):,} distinct values (at most {MAX_ID_VALUES:,} are read): not a label map",
            )
        self.labels = np.empty(ids.shape, np.uint16 if len(values) < 65535 else np.uint32)
        step = max(1, _STRIP_PIXELS // max(1, ids.shape[1]))
        for r in range(0, ids.shape[0], step):
            self.labels[r : r + step] = np.searchsorted(values, ids[r : r + step]) + 1
        boxes = ndimage.find_objects(self.labels, len(values))
        for i, (value, box) in enumerate(zip(values.tolist(), boxes, strict=True)):
            self.found[int(value)] = (box, i + 1)
        self._check_cover(where)

    def _check_cover(self, where: str) -> None:
        """Each value's mask is made from its box: values scattered over the whole picture (a crafted map:
        thousands of ids, each a few pixels far apart) would cost values x picture. Refused past
        ``MAX_BOX_COVER`` pictures' worth of boxes (a 256-class semantic map whose every class spans the
        picture still passes)."""
        cover = sum((b[0].stop - b[0].start) * (b[1].stop - b[1].start) for b, _ in self.found.values())
        pixels = self.shape[0] * self.shape[1]
        if cover > MAX_BOX_COVER * max(pixels, 1):
            raise LimitError(
                where or "id map",
                f"{len(self.found):,} values whose boxes cover the {self.shape[1]} x {self.shape[0]} "
                f"picture {cover / pixels:,.0f} times (at most {MAX_BOX_COVER}): not a label map",
            )

    def __contains__(self, value: int) -> bool:
        return value in self.found

    def values(self) -> list[int]:
        return list(self.found)

    def crop(self, value: int) -> tuple[Rect, np.ndarray]:
        """((x, y, w, h), boolean pixels of that box): where ``value`` is, as ``Builder.annotation``'s
        ``crop`` takes it."""
        box, label = self.found[value]
        rows, cols = box
        rect = (cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start)
        return rect, self.labels[box] == label

    def __iter__(self) -> Iterator[tuple[int, tuple[Rect, np.ndarray]]]:
        """(value, crop) for each value in ascending order; each crop made when it is reached."""
        for value in self.found:
            yield value, self.crop(value)


def distinct(ids: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, ascending (``np.unique``'s): by a sort, as numpy 2's
    ``np.unique`` hashes them, 100 times slower on millions of distinct values (2^24 ids: 17 s, the sort
    0.3 s) and no faster on a few."""
    flat = np.sort(ids, axis=None)
    if flat.size == 0:
        return flat
    keep = np.empty(flat.size, dtype=bool)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    return flat[keep]


def _value_box(ids: np.ndarray, value: int) -> tuple[slice, slice] | None:
    """The box of the pixels equal to ``value`` (None when there are none), one strip at a time."""
    h, w = ids.shape
    rows = np.zeros(h, dtype=bool)
    cols = np.zeros(w, dtype=bool)
    step = max(1, _STRIP_PIXELS // max(1, w))
    for r in range(0, h, step):
        hit = ids[r : r + step] == value
        rows[r : r + step] = hit.any(axis=1)
        cols |= hit.any(axis=0)
    ys, xs = np.flatnonzero(rows), np.flatnonzero(cols)
    if ys.size == 0:
        return None
    return slice(int(ys[0]), int(ys[-1]) + 1), slice(int(xs[0]), int(xs[-1]) + 1)


def add_id_objects(
    ids: np.ndarray,
    image: ImageRecord,
    build: Builder,
    *,
    split: Callable[[int], tuple[int, int | None]] | None,
    category: Callable[[int], tuple[int, bool] | None],
    extra_key: str,
) -> None:
    """One mask object per pixel value. ``split(value)`` gives (class, instance), instance None when the
    value holds none (instance 0 is a number in Cityscapes, none in KITTI); ``split`` None: a semantic map
    (value = class: one region per class, no instances, no crowds). ``category(class)`` gives the category
    id and whether the class has instances (None: skip, the callback reported why). In an instance map, a
    value of an instance class without an instance number is a crowd region (``iscrowd: 1``)."""
    for value, crop in IdRegions(ids, image.file_name):
        cls, inst = split(value) if split is not None else (value, None)
        found = category(cls)
        if found is None:
            continue
        cat_id, has_instances = found
        crowd = (
            split is not None and has_instances and inst is None and not build.project.categories[cat_id].void
        )
        extra = {extra_key: {"instance": inst}} if inst is not None else {}
        build.annotation(image, cat_id, crop=crop, iscrowd=int(crowd), app_extra=extra)


def crop_raster(flat: list[float], height: int, width: int) -> tuple[int, int, np.ndarray] | None:
    """A polygon rasterized as COCO does (pycocotools), only inside its box clipped to the image:
    (top, left, boolean crop), or None when it covers no pixel of the image."""
    xs, ys = flat[0::2], flat[1::2]
    x0, y0 = max(0, math.floor(min(xs))), max(0, math.floor(min(ys)))
    x1, y1 = min(width, math.ceil(max(xs)) + 1), min(height, math.ceil(max(ys)) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    shifted = [v - (x0 if i % 2 == 0 else y0) for i, v in enumerate(flat)]
    rle = mask_utils.frPyObjects([shifted], y1 - y0, x1 - x0)
    crop = mask_utils.decode(rle)[:, :, 0].astype(bool)
    if not crop.any():
        return None
    return y0, x0, crop


def table_ids(
    project: Project, table: Mapping[str, int], counts: Counter[str], first_free: int = 34
) -> dict[int, int]:
    """Category id -> class id of a fixed label table; names outside it are numbered from ``first_free``
    (counted under "unknown" when used); a void category outside it gets 0, Cityscapes' ``unlabeled``, which
    evaluation and training ignore (counted under "void": a class of its own would be trained as objects).
    The ids stop at 254 (an 8-bit label PNG); later categories share 255 (counted under "shared_id" when
    used: they cannot be told apart in the PNGs)."""
    out: dict[int, int] = {}
    next_id = first_free
    for cat in sorted(project.categories.values(), key=lambda c: c.id):
        if cat.name in table:
            out[cat.id] = table[cat.name]
        elif cat.void:
            out[cat.id] = 0
            counts["void"] += sum(1 for _ in project.annotations_with_category(cat.id))
        else:
            used = any(True for _ in project.annotations_with_category(cat.id))
            counts["unknown"] += used
            counts["shared_id"] += used and next_id >= 255
            out[cat.id] = min(next_id, 255)
            next_id += 1
    return out
