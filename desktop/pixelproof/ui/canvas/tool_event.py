"""The mouse event the canvas hands its tools (tools need this, not the canvas view's module)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QGraphicsView


@dataclass
class ToolEvent:
    """A mouse event as a tool sees it: where in the image, and where on screen (for pixel thresholds)."""

    pos: QPointF  # scene = image pixel coordinates
    view_pos: QPoint
    button: Qt.MouseButton
    modifiers: Qt.KeyboardModifier


def scene_at(view: QGraphicsView, at: QPointF) -> QPointF:
    """The scene point under viewport position ``at``, its fraction kept. A high-DPI screen or a fractional
    scale gives the pointer in fractions of a logical pixel; rounded first (``mapToScene(QPoint)``), the
    right half of each image pixel at 100 % (a screen pixel at its edge at 3200 %) was the next pixel's."""
    return view.viewportTransform().inverted()[0].map(QPointF(at))
