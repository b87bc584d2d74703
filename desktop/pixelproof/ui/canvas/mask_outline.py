"""A mask item's outline: traced from its pixels, and cut into pieces so a small repaint (a brush's dirty
rectangle) strokes only the pieces crossing it. Out of ``items`` (a module at its size limit)."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath, QPolygonF

OUTLINE_CHUNK = 48  # vertices per outline piece drawn for small repaints


def trace_outline(crop: np.ndarray, origin: tuple[int, int]) -> QPainterPath:
    """The outline around the pixels of ``crop`` (bool, its top-left at ``origin`` in the image), through
    pixel centres; a lone pixel as its square."""
    path = QPainterPath()
    if not crop.size:
        return path
    contours, _ = cv2.findContours(crop.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    offset = np.array([origin[0] + 0.5, origin[1] + 0.5])
    for c in contours:
        # through Python floats: building QPointF from numpy scalars is ~4x slower
        pts = list(itertools.starmap(QPointF, (c.reshape(-1, 2) + offset).tolist()))
        if len(pts) >= 2:
            path.addPolygon(QPolygonF(pts))
            path.closeSubpath()
        elif pts:
            path.addRect(QRectF(pts[0].x() - 0.5, pts[0].y() - 0.5, 1, 1))
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
