"""What the assist tool draws over the canvas for a prompt: its points (green +, red -) and box, and the
model's answer in the preview amber - the mask tinted, a box outlined, or with *Result: Polygon* the traced
polygon Enter will add (outline and a light fill: holes filled, islands as parts), not the mask it comes
from, so the preview is what Enter adds."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
)

from pixelproof.ui.tools.assist_shapes import PREVIEW_RGBA, Shape

POLYGON_FILL_ALPHA = 60  # lighter than the mask's tint: the outline is what is read


def _amber_pen(width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(*PREVIEW_RGBA[:3]), width, style)
    pen.setCosmetic(True)  # screen pixels at any zoom
    return pen


def shape_items(shape: Shape, polygon: bool) -> list[QGraphicsItem]:
    """One answer's items: with ``polygon`` (*Result: Polygon*) and a traced outline, one polygon item per
    part; else the tinted mask, or the box's outline."""
    if polygon and shape.outline:
        fill = QColor(*PREVIEW_RGBA[:3], POLYGON_FILL_ALPHA)
        items: list[QGraphicsItem] = []
        for flat in shape.outline:
            item = QGraphicsPolygonItem(
                QPolygonF([QPointF(flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)])
            )
            item.setPen(_amber_pen(2))
            item.setBrush(fill)
            items.append(item)
        return items
    if shape.rgba is None:
        rect = QGraphicsRectItem(QRectF(*shape.bbox))
        rect.setPen(_amber_pen(2))
        return [rect]
    h, w = shape.rgba.shape[:2]
    img = QImage(shape.rgba.data, w, h, int(shape.rgba.strides[0]), QImage.Format.Format_ARGB32_Premultiplied)
    pixmap = QGraphicsPixmapItem(QPixmap.fromImage(img))  # copies: the array may go
    pixmap.setPos(*shape.origin)
    return [pixmap]


def prompt_items(
    box: Sequence[float] | None, points: Sequence[tuple[float, float]], labels: Sequence[int]
) -> list[QGraphicsItem]:
    """The prompt: its box dashed, its points as dots of a fixed screen size."""
    items: list[QGraphicsItem] = []
    if box is not None:
        rect = QGraphicsRectItem(QRectF(*box))
        rect.setPen(_amber_pen(1.5, Qt.PenStyle.DashLine))
        items.append(rect)
    for (x, y), label in zip(points, labels, strict=True):
        dot = QGraphicsEllipseItem(-5, -5, 10, 10)
        dot.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        dot.setBrush(QColor(40, 200, 80) if label == 1 else QColor(220, 50, 50))
        dot.setPen(QPen(QColor(255, 255, 255), 1.5))
        dot.setPos(x, y)
        items.append(dot)
    return items
