"""What every image view shares (the labeling canvas, the review panes): zoom limits and step, the
background, and the view's setup."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView

MIN_ZOOM = 0.01
MAX_ZOOM = 64.0
ZOOM_STEP = 1.25
CANVAS_BACKGROUND = QColor(43, 45, 48)


def setup_image_view(view: QGraphicsView, scene: QGraphicsScene) -> None:
    """No frame or scroll bars (panning is ours), the canvas background, and zoom/resize anchors that the
    view's own code drives."""
    view.setScene(scene)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setBackgroundBrush(CANVAS_BACKGROUND)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
    view.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
