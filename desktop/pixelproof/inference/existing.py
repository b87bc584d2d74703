"""Pre-labeling that respects what is labeled: a prediction that repeats an object the image already has
(same category, IoU above a threshold) is skipped, so pressing M on a labeled image adds only what is
missing."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np

from pixelproof.core import mask_edit, masks
from pixelproof.core.model import Annotation

Rect = tuple[int, int, int, int]


class Shape:
    """An object's pixels as the crop of its box (decoded once, on first need), or None for a box."""

    __slots__ = ("_crop", "rle")

    def __init__(self, rle: dict[str, Any] | None, crop: tuple[Rect, np.ndarray] | None = None) -> None:
        self.rle = rle
        self._crop = crop

    @property
    def is_box(self) -> bool:
        return self.rle is None and self._crop is None

    def crop(self) -> tuple[Rect, np.ndarray]:
        if self._crop is None:
            found = mask_edit.crop_of(self.rle) if self.rle is not None else None
            self._crop = found if found is not None else ((0, 0, 0, 0), np.zeros((0, 0), bool))
        return self._crop


def _mask_iou(a: Shape, b: Shape) -> float:
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
            self.add(a.category_id, self.shape(a.segmentation), a.bbox)

    def shape(self, segmentation: Any, crop: tuple[Rect, np.ndarray] | None = None) -> Shape:
        """The shape of a segmentation (RLE, polygons, or None for a box); ``crop`` (rect, pixels) when the
        pixels are at hand already (a prediction's mask), so they are never decoded."""
        if crop is not None:
            return Shape(None, crop)
        if isinstance(segmentation, dict) and isinstance(segmentation.get("counts"), str | bytes | list):
            return Shape(segmentation)
        if isinstance(segmentation, list) and segmentation:
            polys = [p for p in segmentation if isinstance(p, list) and len(p) >= 6]
            if polys:
                return Shape(masks.polygons_to_rle(polys, self.height, self.width))
        return Shape(None)

    def add(self, category_id: Hashable, shape: Shape, bbox: list[float]) -> None:
        """Count an object (also each prediction kept, so one batch does not repeat itself either)."""
        n = self._count.get(category_id, 0)
        boxes = self._boxes.get(category_id)
        if boxes is None or n == len(boxes):
            grown = np.empty((max(16, 2 * n), 4))
            if boxes is not None:
                grown[:n] = boxes[:n]
            self._boxes[category_id] = boxes = grown
        boxes[n] = bbox
        self._count[category_id] = n + 1
        self._shapes.setdefault(category_id, []).append(shape)

    def repeats(self, category_id: Hashable, shape: Shape, bbox: list[float], threshold: float) -> bool:
        """True when an object of ``category_id`` overlaps this one with IoU > ``threshold``."""
        n = self._count.get(category_id, 0)
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
