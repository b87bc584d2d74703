"""A mask's pixels as the canvas shows them (``mask_crop``), its fill colour (``mask_fill``) and its outline:
traced from its pixels, and cut into pieces so a small repaint (a brush's dirty rectangle) strokes only the
pieces crossing it. Shared by ``MaskItem`` and the layer's masks (``mask_layer``); out of ``items`` (a module
at its size limit)."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainterPath, QPolygonF

from pixelproof.core import mask_edit, masks
from pixelproof.core.model import Annotation
from pixelproof.core.sparse_mask import origin_of
from pixelproof.ui.canvas.looks import PENDING, REJECTED

OUTLINE_CHUNK = 48  # vertices per outline piece drawn for small repaints
MASK_ALPHA = 80


def mask_crop(ann: Annotation, image_size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """(pixels of the mask's box, its top-left in the image): the box only, no full-size array (64 MB at
    8000x8000); an empty (0, 0) crop for an empty mask. ``LimitError`` for a box over the pixel limit."""
    h, w = image_size
    rle = ann.segmentation
    where = f"annotation {ann.id}"
    empty = (np.zeros((0, 0), dtype=bool), (0, 0))
    if isinstance(rle, dict) and [int(v) for v in rle["size"]] == [h, w]:
        found = mask_edit.crop_of(rle, where=where)
        return empty if found is None else (found[1], found[0][:2])
    origin = origin_of(ann)
    if isinstance(rle, dict) and origin is not None:  # stored cropped (a slide's mask): the crop is it
        found = mask_edit.crop_of(rle, where=where)
        if found is None:
            return empty
        (cx, cy, _, _), crop = found
        return crop, (origin[0] + cx, origin[1] + cy)
    mask = ann.mask(h, w)
    x, y, bw, bh = (int(v) for v in masks.bbox(mask))  # from the pixels: a stale bbox must not crop
    return mask[y : y + bh, x : x + bw], (x, y)


def mask_fill(color: QColor, look: str, selected: bool) -> np.uint32:
    """A mask's pixel colour (premultiplied ARGB32) for a fill brush of ``color``: at least ``MASK_ALPHA``
    (half for a pending proposal), none for a rejected one (hatched only), denser when selected."""
    floor = MASK_ALPHA // 2 if look == PENDING else MASK_ALPHA
    a = max(floor, color.alpha()) if color.alpha() and look != REJECTED else 0
    if selected:
        a = min(255, a + 50)
    premul = [int(color.blue() * a / 255), int(color.green() * a / 255), int(color.red() * a / 255), a]
    return np.array(premul, dtype=np.uint8).view(np.uint32)[0]


def trace_outline(crop: np.ndarray, origin: tuple[int, int]) -> QPainterPath:
    """The outline around the pixels of ``crop`` (bool, its top-left at ``origin`` in the image), along their
    outer edges, so it encloses every pixel: it is also the item's shape, which a click must hit. Traced
    through pixel centres it left a 1 px wide scratch no area (a click on it selected only on its centre
    line) and drew a 3x3 defect as a 2x2 square at high zoom.

    Traced on the mask at twice its size: there each border pixel is the half of a pixel next to the
    outside, and its index ``u`` halved up, ``(u + 1) // 2``, is that pixel's edge (holes' too)."""
    path = QPainterPath()
    if not crop.size:
        return path
    doubled = cv2.resize(crop.astype(np.uint8), None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(doubled, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    offset = np.array(origin)
    for c in contours:
        pts = (c.reshape(-1, 2) + 1) // 2 + offset
        keep = np.ones(len(pts), dtype=bool)
        keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)  # a diagonal step of the doubled mask: one corner
        pts = pts[keep]
        if len(pts) >= 2:
            # through Python floats: building QPointF from numpy scalars is ~4x slower
            path.addPolygon(QPolygonF(list(itertools.starmap(QPointF, pts.astype(float).tolist()))))
            path.closeSubpath()
    return path


def outline_pieces(outline: QPainterPath) -> list[tuple[QRectF, QPolygonF]]:
    """(bounds, piece) of ``OUTLINE_CHUNK`` vertices each. Pieces overlap by one vertex on each side so
    every vertex is an inner join of some piece (drawn as in the whole outline); a piece's end caps lie
    outside any area it is drawn for."""
    pieces = []
    for poly in outline.toSubpathPolygons():
        pts = list(poly)
        n = len(pts)
        ext = [pts[-2], *pts, pts[1]] if n > 2 and pts[0] == pts[-1] else [pts[0], *pts, pts[-1]]
        for i in range(0, max(n - 1, 1), OUTLINE_CHUNK):
            piece = QPolygonF(ext[i : i + OUTLINE_CHUNK + 3])
            box = QPolygonF(ext[i + 1 : i + OUTLINE_CHUNK + 2]).boundingRect()
            pieces.append((box.adjusted(-0.5, -0.5, 0.5, 0.5), piece))
    return pieces
