"""The mouse event the canvas hands its tools (tools need this, not the canvas view's module)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, Qt


@dataclass
class ToolEvent:
    """A mouse event as a tool sees it: where in the image, and where on screen (for pixel thresholds)."""

    pos: QPointF  # scene = image pixel coordinates
    view_pos: QPoint
    button: Qt.MouseButton
    modifiers: Qt.KeyboardModifier
