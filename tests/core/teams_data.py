"""Small projects for the teams tests (split, merge, agreement, consensus, diff, history)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixelproof.core import masks
from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project

W, H = 64, 48


def disc(cx: float, cy: float, r: float, w: int = W, h: int = H) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r


def mask_annotation(aid: int, image_id: int, category_id: int, mask: np.ndarray, **kw: object) -> Annotation:
    rle = masks.encode(mask)
    return Annotation(aid, image_id, category_id, masks.bbox(mask), rle, float(mask.sum()), **kw)  # type: ignore[arg-type]


def box_annotation(aid: int, image_id: int, category_id: int, bbox: list[float], **kw: object) -> Annotation:
    return Annotation(aid, image_id, category_id, [float(v) for v in bbox], None, bbox[2] * bbox[3], **kw)  # type: ignore[arg-type]


def make_project(
    folder: Path, n_images: int = 20, name: str = "project.json", prefix: str = "img"
) -> Project:
    """``n_images`` images (never read: only paths), categories cat/dog/bird, 2 objects per image."""
    p = new_project(["cat", "dog", "bird"])
    p.path = folder / name
    aid = 1
    for i in range(1, n_images + 1):
        p.add_image(ImageRecord(i, f"images/{prefix}{i:03d}.png", W, H))
        p.add_annotation(mask_annotation(aid, i, 1 + i % 3, disc(20 + i % 7, 20, 8)))
        p.add_annotation(box_annotation(aid + 1, i, 1 + (i + 1) % 3, [40, 10 + i % 5, 12, 14]))
        aid += 2
    return p
