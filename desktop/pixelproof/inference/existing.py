"""Pre-labeling that respects what is labeled: a prediction that repeats an object the image already has
(same category, IoU above a threshold) is skipped, so pressing M on a labeled image adds only what is
missing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from pixelproof.core import mask_edit, masks
from pixelproof.core.model import Annotation

Rect = tuple[int, int, int, int]


def _rect(a: list[float], b: list[float], height: int, width: int) -> Rect | None:
    """Integer rectangle around both boxes, inside the image."""
    x0, y0 = int(np.floor(min(a[0], b[0]))), int(np.floor(min(a[1], b[1])))
    x1 = int(np.ceil(max(a[0] + a[2], b[0] + b[2])))
    y1 = int(np.ceil(max(a[1] + a[3], b[1] + b[3])))
    return mask_edit.clip_rect((x0, y0, x1 - x0, y1 - y0), height, width)


class ExistingObjects:
    """The objects one image already has, by category. ``repeats`` compares masks pixel by pixel (only
    inside the two objects' box), and boxes by box IoU when either side is a box. Boxes are screened in
    one numpy pass, so an image with thousands of objects stays fast."""

    def __init__(self, annotations: Iterable[Annotation], height: int, width: int) -> None:
        self.height, self.width = height, width
        self.boxes: dict[int, list[list[float]]] = {}
        self.rles: dict[int, list[dict[str, Any] | None]] = {}
        for a in annotations:
            self.add(a.category_id, a.segmentation, a.bbox)

    def _rle(self, segmentation: Any) -> dict[str, Any] | None:
        if isinstance(segmentation, dict):
            return segmentation if isinstance(segmentation.get("counts"), str | bytes | list) else None
        if isinstance(segmentation, list) and segmentation:
            polys = [p for p in segmentation if isinstance(p, list) and len(p) >= 6]
            return masks.polygons_to_rle(polys, self.height, self.width) if polys else None
        return None

    def add(self, category_id: int, segmentation: Any, bbox: list[float]) -> None:
        """Count an object (also each prediction kept, so one batch does not repeat itself either)."""
        self.boxes.setdefault(category_id, []).append([float(v) for v in bbox])
        self.rles.setdefault(category_id, []).append(self._rle(segmentation))

    def repeats(self, category_id: int, segmentation: Any, bbox: list[float], threshold: float) -> bool:
        """True when an object of ``category_id`` overlaps this one with IoU > ``threshold``."""
        boxes = self.boxes.get(category_id)
        if not boxes:
            return False
        b = np.asarray(boxes)
        x, y, w, h = (float(v) for v in bbox)
        iw = np.minimum(b[:, 0] + b[:, 2], x + w) - np.maximum(b[:, 0], x)
        ih = np.minimum(b[:, 1] + b[:, 3], y + h) - np.maximum(b[:, 1], y)
        inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
        box_iou = inter / np.maximum(b[:, 2] * b[:, 3] + w * h - inter, 1e-12)
        rle = self._rle(segmentation)
        others = self.rles[category_id]
        for i in np.flatnonzero(inter > 0):
            other = others[i]
            if rle is None or other is None:
                if box_iou[i] > threshold:
                    return True
                continue
            rect = _rect(list(bbox), boxes[i], self.height, self.width)
            if rect is None:
                continue
            ma, mb = mask_edit.decode_rect(rle, rect), mask_edit.decode_rect(other, rect)
            union = np.count_nonzero(ma | mb)
            if union and np.count_nonzero(ma & mb) / union > threshold:
                return True
        return False
