"""Pre-labeling that respects what is labeled: a prediction that repeats an object the image already has
(same category, IoU above a threshold) is skipped, so pressing M on a labeled image adds only what is
missing."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from enum import IntEnum
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils

from pixelproof.core import mask_edit, masks
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.matching import overlapping_within
from pixelproof.core.model import Annotation

Rect = tuple[int, int, int, int]
NO_PIXELS: tuple[Rect, np.ndarray] = ((0, 0, 0, 0), np.zeros((0, 0), bool))


class Shape:
    """An object's pixels as the crop of its box (decoded once, on first need), or None for a box. An RLE
    stored cropped (``rle_origin``) has its ``origin`` [x, y] in the image."""

    __slots__ = ("_crop", "origin", "rle")

    def __init__(
        self,
        rle: dict[str, Any] | None,
        crop: tuple[Rect, np.ndarray] | None = None,
        origin: Sequence[int] | None = None,
    ) -> None:
        self.rle = rle
        self._crop = crop
        self.origin = (int(origin[0]), int(origin[1])) if origin is not None else None

    @property
    def is_box(self) -> bool:
        return self.rle is None and self._crop is None

    def crop(self) -> tuple[Rect, np.ndarray]:
        if self._crop is None:
            found = mask_edit.crop_of(self.rle) if self.rle is not None else None
            if found is not None and self.origin is not None:
                (x, y, w, h), pixels = found
                found = (x + self.origin[0], y + self.origin[1], w, h), pixels
            self._crop = found if found is not None else NO_PIXELS
        return self._crop


def _mask_iou(a: Shape, b: Shape) -> float:
    if _compressed(a) and _compressed(b) and a.rle["size"] == b.rle["size"]:  # type: ignore[index]
        return float(mask_utils.iou([a.rle], [b.rle], [0])[0][0])  # on the runs: nothing decoded
    (ax, ay, aw, ah), pa = a.crop()
    (bx, by, bw, bh), pb = b.crop()
    x0, y0 = max(ax, bx), max(ay, by)
    x1, y1 = min(ax + aw, bx + bw), min(ay + ah, by + bh)
    if x1 <= x0 or y1 <= y0:
        return 0.0
    inter = np.count_nonzero(
        pa[y0 - ay : y1 - ay, x0 - ax : x1 - ax] & pb[y0 - by : y1 - by, x0 - bx : x1 - bx]
    )
    union = np.count_nonzero(pa) + np.count_nonzero(pb) - inter
    return inter / union if union else 0.0


def _compressed(shape: Shape) -> bool:
    """A shape known only by its compressed RLE of the whole image (pycocotools compares those run by
    run)."""
    return (
        shape._crop is None
        and shape.origin is None
        and shape.rle is not None
        and isinstance(shape.rle.get("counts"), str | bytes)
    )


class Repeat(IntEnum):
    """Why ``ExistingObjects.add_new`` did not add a new object (false: it was added). Counted apart, so a
    run on an empty project does not call its own duplicates "already labeled"."""

    NONE = 0
    EXISTING = 1  # repeats an object the image had before the call
    RUN = 2  # repeats another new object of the same call kept before it (and no object the image had)


class ExistingObjects:
    """The objects one image already has, by category (its id, or its name where a batch worker checks
    predictions of categories that may not exist yet). ``repeats`` compares masks pixel by pixel (each
    object's box crop, decoded once), and boxes by box IoU when either side is a box. Boxes are screened
    in one numpy pass over a growing array, so an image with thousands of objects stays fast."""

    def __init__(self, annotations: Iterable[Annotation], height: int, width: int) -> None:
        self.height, self.width = height, width
        self._boxes: dict[Hashable, np.ndarray] = {}
        self._count: dict[Hashable, int] = {}
        self._shapes: dict[Hashable, list[Shape]] = {}
        for a in annotations:
            self.add(a.category_id, self.shape(a.segmentation, origin=a.app_extra.get(RLE_ORIGIN)), a.bbox)

    def shape(
        self,
        segmentation: Any,
        crop: tuple[Rect, np.ndarray] | None = None,
        origin: Sequence[int] | None = None,
    ) -> Shape:
        """The shape of a segmentation (RLE, polygons, or None for a box); ``crop`` (rect, pixels) when the
        pixels are at hand already (a prediction's mask), so they are never decoded; ``origin``: where an
        RLE stored cropped to its box sits (``rle_origin``). Polygons are rasterized in a frame around
        them (exactly as on the whole image, which may be too big for one RLE)."""
        if crop is not None:
            return Shape(None, crop)
        if isinstance(segmentation, dict) and isinstance(segmentation.get("counts"), str | bytes | list):
            return Shape(segmentation, origin=origin)
        if isinstance(segmentation, list) and segmentation:
            polys = [p for p in segmentation if isinstance(p, list) and len(p) >= 6]
            if polys:
                framed = masks.polygons_cropped(polys, masks.polygons_bbox(polys), self.height, self.width)
                if framed is None:  # outside the image: no pixels
                    return Shape(None, NO_PIXELS)
                return Shape(framed[0], origin=framed[1])
        return Shape(None)

    def add(self, category_id: Hashable, shape: Shape, bbox: list[float]) -> None:
        """Count an object (also each prediction kept, so one batch does not repeat itself either)."""
        self.add_many(category_id, [shape], [bbox])

    def add_many(self, category_id: Hashable, shapes: Sequence[Shape], bboxes: Sequence[list[float]]) -> None:
        """``add`` each of them, in order."""
        n = self._count.get(category_id, 0)
        need = n + len(shapes)
        boxes = self._boxes.get(category_id)
        if boxes is None or need > len(boxes):
            grown = np.empty((max(16, 2 * need), 4))
            if boxes is not None:
                grown[:n] = boxes[:n]
            self._boxes[category_id] = boxes = grown
        boxes[n:need] = bboxes
        self._count[category_id] = need
        self._shapes.setdefault(category_id, []).extend(shapes)

    def repeats(
        self,
        category_id: Hashable,
        shape: Shape,
        bbox: list[float],
        threshold: float,
        first: int | None = None,
    ) -> bool:
        """True when an object of ``category_id`` (among its ``first`` ones, default all) overlaps this one
        with IoU > ``threshold``."""
        n = self._count.get(category_id, 0) if first is None else min(first, self._count.get(category_id, 0))
        if n == 0:
            return False
        b = self._boxes[category_id][:n]
        x, y, w, h = (float(v) for v in bbox)
        iw = np.minimum(b[:, 0] + b[:, 2], x + w) - np.maximum(b[:, 0], x)
        ih = np.minimum(b[:, 1] + b[:, 3], y + h) - np.maximum(b[:, 1], y)
        inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
        box_iou = inter / np.maximum(b[:, 2] * b[:, 3] + w * h - inter, 1e-12)
        others = self._shapes[category_id]
        for i in np.flatnonzero(inter > 0):
            other = others[i]
            if shape.is_box or other.is_box:
                if box_iou[i] > threshold:
                    return True
            elif _mask_iou(shape, other) > threshold:
                return True
        return False

    def add_new(self, new: Sequence[NewObject], threshold: float) -> list[Repeat]:
        """For each new object in order: ``Repeat.EXISTING`` when it repeats an object the image had,
        ``Repeat.RUN`` when it repeats (only) a new one kept before it (IoU > ``threshold``),
        ``Repeat.NONE`` for the others, which are added. The same answers as ``repeats`` then ``add`` one
        by one, but the pairs of new objects that could overlap that much are found in one numpy pass per
        category (mask IoU <= box intersection / the larger mask area), so thousands of non-overlapping
        components cost no per-object screening."""
        out = [Repeat.NONE] * len(new)
        by_category: dict[Hashable, list[int]] = {}
        for k, obj in enumerate(new):
            by_category.setdefault(obj[0], []).append(k)
        for category_id, order in by_category.items():
            had = self._count.get(category_id, 0)
            objs = [new[k] for k in order]
            earlier = _overlapping_pairs(objs, threshold)
            if had == 0:  # only new objects to repeat: those with no earlier candidate are kept unchecked
                keep = [True] * len(objs)
                for j in sorted(earlier):
                    keep[j] = not any(keep[i] and _iou(objs[i], objs[j]) > threshold for i in earlier[j])
                    out[order[j]] = Repeat.NONE if keep[j] else Repeat.RUN
                chosen = [o for o, k in zip(objs, keep, strict=True) if k]
                self.add_many(category_id, [o[1] for o in chosen], [o[2] for o in chosen])
                continue
            kept: list[bool] = []
            for j, (_, shape, bbox, _) in enumerate(objs):
                repeat = Repeat.NONE
                if self.repeats(category_id, shape, bbox, threshold, first=had):
                    repeat = Repeat.EXISTING
                elif any(kept[i] and _iou(objs[i], objs[j]) > threshold for i in earlier.get(j, ())):
                    repeat = Repeat.RUN
                kept.append(not repeat)
                out[order[j]] = repeat
                if not repeat:
                    self.add(category_id, shape, bbox)
        return out


NewObject = tuple[Hashable, Shape, list[float], float]  # (category, shape, bbox, pixels or 0 if unknown)


def _iou(a: NewObject, b: NewObject) -> float:
    if a[1].is_box or b[1].is_box:
        return _box_iou(a[2], b[2])
    return _mask_iou(a[1], b[1])


def _box_iou(a: list[float], b: list[float]) -> float:
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = max(iw, 0.0) * max(ih, 0.0)
    return inter / max(a[2] * a[3] + b[2] * b[3] - inter, 1e-12)


def _overlapping_pairs(objs: list[NewObject], threshold: float, batch: int = 1 << 20) -> dict[int, list[int]]:
    """{j: [i < j, ...]}: the earlier objects that may overlap object j with IoU > ``threshold`` (boxes:
    box IoU; masks: box intersection / the larger mask area bounds the mask IoU). The others cannot.
    Pairs come from ``matching.overlapping_within``'s sweep (``batch`` pairs at a time)."""
    n = len(objs)
    boxes = np.array([o[2] for o in objs], dtype=np.float64).reshape(n, 4)
    pixels = np.array([o[3] for o in objs], dtype=np.float64)
    is_box = np.array([o[1].is_box for o in objs], dtype=bool)
    x0, y0 = boxes[:, 0], boxes[:, 1]
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    extents = np.c_[x0, y0, x1, y1]
    a, b = overlapping_within(extents, batch)
    iw = np.minimum(x1[a], x1[b]) - np.maximum(x0[a], x0[b])
    ih = np.minimum(y1[a], y1[b]) - np.maximum(y0[a], y0[b])
    inter = iw * ih  # both positive: the extents overlap
    area_a, area_b = boxes[a, 2] * boxes[a, 3], boxes[b, 2] * boxes[b, 3]
    box_iou = inter / np.maximum(area_a + area_b - inter, 1e-12)
    larger = np.maximum(pixels[a], pixels[b])  # 0 when neither area is known: no bound
    mask_bound = np.where(larger > 0, inter / np.maximum(larger, 1e-12), np.inf)
    may = np.where(is_box[a] | is_box[b], box_iou > threshold, mask_bound > threshold)
    pairs: dict[int, list[int]] = {}
    for i, j in zip(a[may].tolist(), b[may].tolist(), strict=True):
        pairs.setdefault(j, []).append(i)
    for earlier in pairs.values():
        earlier.sort()
    return pairs
