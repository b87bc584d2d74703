"""What every image view shares (the labeling canvas, the review panes): zoom limits and step, the zoom
arithmetic, the background, the keyboard focus frame, and the view's setup."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

MIN_ZOOM = 0.01
MAX_ZOOM = 64.0
ZOOM_STEP = 1.25
CANVAS_BACKGROUND = QColor(43, 45, 48)


class FocusFrame(QWidget):
    """A frame in the highlight colour over an image view while it has the keyboard focus: the view has
    no frame of its own, so nothing showed whether the keys went to it or to a panel. A child of the view,
    not of its viewport, so a pan does not scroll it."""

    WIDTH = 2

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self.setObjectName("focusFrame")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.setVisible(kind == QEvent.Type.FocusIn)
            self.raise_()
        elif kind == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False

    def paintEvent(self, _event: QEvent) -> None:
        p = QPainter(self)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), self.WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        p.setPen(pen)
        half = self.WIDTH / 2
        p.drawRect(QRectF(self.rect()).adjusted(half, half, -half, -half))
        p.end()


def setup_image_view(view: QGraphicsView, scene: QGraphicsScene) -> None:
    """No frame or scroll bars (panning is ours), the canvas background, a focus frame, and zoom/resize
    anchors that the view's own code drives."""
    view.setScene(scene)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setBackgroundBrush(CANVAS_BACKGROUND)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
    view.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
    FocusFrame(view)


def clamp_zoom(z: float) -> float:
    return max(MIN_ZOOM, min(MAX_ZOOM, z))


def zoom_to_fit(view: QGraphicsView, width: float, height: float, margin: int) -> float:
    """The zoom showing ``width`` x ``height`` image pixels whole, ``margin`` screen pixels from each edge."""
    vp = view.viewport().rect()
    return clamp_zoom(min((vp.width() - 2 * margin) / width, (vp.height() - 2 * margin) / height))


def keep_at(view: QGraphicsView, scene_point: QPointF, view_point: QPoint) -> None:
    """Scroll so ``scene_point`` shows at ``view_point`` again (after a zoom; ``centerOn`` alone rounds to
    whole scroll steps)."""
    d = view.mapFromScene(scene_point) - view_point
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + d.x())
    view.verticalScrollBar().setValue(view.verticalScrollBar().value() + d.y())


def wheel_zoom_factor(event: QWheelEvent) -> float | None:
    """The zoom factor of a wheel turn (``ZOOM_STEP`` a notch; a horizontal wheel too), None for none."""
    delta = event.angleDelta().y() or event.angleDelta().x()
    return ZOOM_STEP ** (delta / 120.0) if delta else None
