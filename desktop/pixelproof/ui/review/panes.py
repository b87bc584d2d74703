"""The three side-by-side views of the review: reference | candidate | difference, zoom and pan linked.

Each pane is a light QGraphicsView over the canvas's tiled ``ImageItem`` (the same loaded pixels, shared),
an RGBA overlay (masks of one side, or the difference codes), the keypoints of the objects of its side (the
canvas's ``KeypointLayer``: one drawing of them) and a dashed box around the object in focus.
Navigation is the canvas's: wheel zooms at the cursor (or scrolls: ``wheel_mode``), drag (left or middle)
pans, right drag sets the window / level of all three (``WindowDrag``, the canvas's gesture), Ctrl+0 /
Ctrl+= / Ctrl+- fit and zoom when a pane has the focus; a click without a drag picks the object under the
cursor. A slice placed in the patient shows the canvas's orientation letters (``canvas.orientation``), and
the pixel under the cursor goes to the status bar as the canvas's does (``cursorMoved``, ``loaded``,
``pixel_value``), and so do its zoom and display window while the review view is shown (``zoomChanged``,
``windowChanged``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QKeyCombination, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from pixelproof.ui.canvas.aspect import (
    SQUARE_PIXELS,
    Scale,
    StretchedScale,
    physical_aspect,
    scaled,
    stretch_of,
)
from pixelproof.ui.canvas.image_item import ImageItem, PlaceholderItem
from pixelproof.ui.canvas.image_view import (
    ZOOM_STEP,
    clamp_zoom,
    keep_at,
    setup_image_view,
    zoom_to_fit,
)
from pixelproof.ui.canvas.keypoint_layer import KeypointLayer
from pixelproof.ui.canvas.orientation import OrientationMarks, patient_of
from pixelproof.ui.canvas.show_filter import ShowFilter
from pixelproof.ui.canvas.tool_event import scene_at
from pixelproof.ui.canvas.window_drag import WindowDrag
from pixelproof.ui.shortcuts import REGISTRY
from pixelproof.ui.wheel_mode import wheel_navigates
from pixelproof.ui.workers import LoadedImage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from pixelproof.core.image_pairing import ImagePair
    from pixelproof.core.model import Annotation, Category, ImageRecord

CLICK_SLOP = 4  # px a press may move and still be a click
ZOOM_ACTIONS = (("view.fit", "fit"), ("view.zoom_in", "in"), ("view.zoom_out", "out"))  # the canvas's


def rgba_qimage(rgba: np.ndarray) -> tuple[QImage, np.ndarray]:
    """HxWx4 uint8 RGBA -> a QImage over the same buffer (keep both alive together)."""
    buf = np.ascontiguousarray(rgba)
    h, w = buf.shape[:2]
    return QImage(buf.data, w, h, int(buf.strides[0]), QImage.Format.Format_RGBA8888), buf


class OverlayItem(QGraphicsItem):
    """An RGBA image over the picture, drawn without smoothing (crisp edges): one pixel per image pixel, or
    per ``scale`` x ``scale`` block of an image of ``size`` (height, width) for a layer drawn reduced."""

    def __init__(
        self, rgba: np.ndarray, opacity: float = 1.0, scale: int = 1, size: tuple[int, int] | None = None
    ) -> None:
        super().__init__()
        self.image, self._buf = rgba_qimage(rgba)
        h, w = size if size is not None else (self.image.height() * scale, self.image.width() * scale)
        # the last block may stick out of the image: only its part inside is drawn
        self._rect = QRectF(0, 0, min(w, self.image.width() * scale), min(h, self.image.height() * scale))
        self._source = QRectF(0, 0, self._rect.width() / scale, self._rect.height() / scale)
        self.setOpacity(opacity)
        self.setZValue(10)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(self._rect, self.image, self._source)


class ReviewPane(StretchedScale, QGraphicsView):
    """One of the three views. Emits ``viewChanged`` whenever the user zooms or pans it."""

    viewChanged = Signal()
    clicked = Signal(QPointF)  # scene (image pixel) position of a click without drag
    cursorMoved = Signal(object)  # QPointF in image pixels, or None when off the image (as the canvas's)
    zoomChanged = Signal(float)  # screen pixels per image pixel, at any change (a linked pane's too)
    windowChanged = Signal(float, float)  # the shown pixels' display window; (0, 0) with none shown
    windowDragged = Signal(float, float)  # the window a right-drag gives: the view sets it in all panes

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.setAccessibleName(title)
        self._scene = QGraphicsScene(self)
        setup_image_view(self, self._scene)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(120, 120)
        self.image_item: ImageItem | PlaceholderItem | None = None
        self.overlay: OverlayItem | None = None
        self.focus_item: QGraphicsRectItem | None = None
        self.keypoints: KeypointLayer | None = None  # of the objects of its side
        self.image_size = (0, 0)  # (height, width)
        self.pixel_spacing: object = None  # the image record's (row, col mm): drawn at its aspect
        self.stretch: Scale = SQUARE_PIXELS  # ``aspect.stretch_of`` it, as the canvas draws it
        self.loaded: LoadedImage | None = None  # the pixels shown (shared with the other panes)
        self.orientation_marks = OrientationMarks(self, lambda: patient_of(self.loaded))
        self.setMouseTracking(True)  # the cursor's pixel for the status bar, no button held
        self.fitted = True
        self.group: LinkedPanes | None = None  # the panes that move with this one
        self._press: QPoint | None = None
        self._last: QPoint | None = None
        self._dragged = False
        self.window_drag = WindowDrag(self.windowDragged.emit)  # right drag = window / level, as the canvas
        self.horizontalScrollBar().valueChanged.connect(self._user_moved)
        self.verticalScrollBar().valueChanged.connect(self._user_moved)
        self._silent = False
        physical_aspect().changed.connect(self._follow_aspect)  # View > Pixels at Physical Aspect

    # -- content ---------------------------------------------------------------------------------
    def clear(self) -> None:
        self._scene.clear()
        self.image_item = None
        self.overlay = None
        self.keypoints = None
        self.focus_item = None
        self.image_size = (0, 0)
        self.loaded = None
        self.orientation_marks.follow()
        self.windowChanged.emit(0.0, 0.0)

    def set_size(self, height: int, width: int, message: str = "", image: ImageRecord | None = None) -> None:
        """A new image of this size: a placeholder until the pixels come; drawn at the aspect of the
        ``pixel_spacing`` of its record ``image``, as the canvas draws it."""
        self.clear()
        self.image_size = (height, width)
        self.pixel_spacing = image.extra.get("pixel_spacing") if image is not None else None
        self.stretch = stretch_of(self.pixel_spacing)
        m = max(width, height, 1) * 4
        self._scene.setSceneRect(QRectF(-m, -m, width + 2 * m, height + 2 * m))
        if message:
            self.image_item = PlaceholderItem(width, height, message)
            self._scene.addItem(self.image_item)

    def set_image(self, image: LoadedImage | None, message: str = "", error: bool = False) -> None:
        if self.image_item is not None:
            self._scene.removeItem(self.image_item)
        h, w = self.image_size
        self.image_item = ImageItem(image) if image is not None else PlaceholderItem(w, h, message, error)
        self._scene.addItem(self.image_item)
        self.loaded = image
        self.orientation_marks.follow()
        self.windowChanged.emit(*(image.window if image is not None else (0.0, 0.0)))

    def pixel_value(self, x: int, y: int) -> np.ndarray | None:
        """The stored value at image pixel (x, y), as the canvas reads it; None before the pixels come."""
        return self.image_item.pixel(x, y) if isinstance(self.image_item, ImageItem) else None

    def set_window(self, lo: float, hi: float) -> None:
        """Display window (low, high) of the pixels shown, as the canvas's ``set_window``."""
        if isinstance(self.image_item, ImageItem):
            self.image_item.set_window((lo, hi))
            self.windowChanged.emit(*self.image_item.image.window)

    def add_veil(self, opacity: float) -> None:
        """A black veil over the picture, under the overlay (the difference pane: its colours read)."""
        h, w = self.image_size
        veil = QGraphicsRectItem(0, 0, w, h)
        veil.setBrush(QColor(0, 0, 0))
        veil.setPen(Qt.PenStyle.NoPen)
        veil.setOpacity(opacity)
        veil.setZValue(5)
        self.scene().addItem(veil)

    def set_overlay(self, rgba: np.ndarray | None, opacity: float = 1.0, scale: int = 1) -> None:
        """``rgba`` over the image; ``scale``: one of its pixels per ``scale`` x ``scale`` image pixels."""
        if self.overlay is not None:
            self._scene.removeItem(self.overlay)
            self.overlay = None
        if rgba is not None:
            size = self.image_size if all(self.image_size) else None
            self.overlay = OverlayItem(rgba, opacity, scale, size)
            self._scene.addItem(self.overlay)

    def set_keypoints(
        self,
        image: ImageRecord,
        anns: Iterable[Annotation],
        categories: Callable[[int], Category | None],
    ) -> None:
        """The keypoints of the objects this pane shows (``anns`` of ``image``), drawn as the canvas draws
        them, over the overlay and under the focus box; none for objects without keypoints."""
        if self.keypoints is not None:
            self._scene.removeItem(self.keypoints)
            self.keypoints = None
        layer = KeypointLayer(image, categories, ShowFilter())
        layer.add_many(anns)
        if layer.entries:
            layer.setZValue(15)
            self._scene.addItem(layer)
            self.keypoints = layer

    def set_focus_box(self, bbox: list[float] | None) -> None:
        """Dashed frame around the object in focus ([x, y, w, h] pixels), or none."""
        if self.focus_item is not None:
            self._scene.removeItem(self.focus_item)
            self.focus_item = None
        if bbox is None:
            return
        x, y, w, h = bbox
        pen = QPen(QColor(255, 255, 255), 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        item = QGraphicsRectItem(QRectF(x - 2, y - 2, w + 4, h + 4))
        item.setPen(pen)
        item.setZValue(20)
        self._scene.addItem(item)
        self.focus_item = item

    # -- zoom and pan ----------------------------------------------------------------------------
    def _follow_aspect(self, _on: bool) -> None:
        """View > Pixels at Physical Aspect toggled: the image drawn the new way, fitted again if it was,
        else at the same zoom about the same point (its linked panes do the same)."""
        stretch = stretch_of(self.pixel_spacing)
        if stretch == self.stretch:
            return
        zoom, center = self.zoom, self.center()
        self.stretch = stretch
        if self.fitted:
            self.fit()
        else:
            self.show_at(center, zoom)

    def center(self) -> QPointF:
        """The image point at the middle of the pane."""
        return self.mapToScene(self.viewport().rect().center())

    def show_at(self, center: QPointF, zoom: float) -> None:
        """Put ``center`` in the middle at ``zoom`` without telling the other panes (they are told)."""
        self._silent = True
        try:
            self.setTransform(scaled(zoom, self.stretch))
            self.centerOn(center)
            keep_at(self, center, self.viewport().rect().center())  # all panes agree to the pixel
        finally:
            self._silent = False
        self.zoomChanged.emit(zoom)

    def fit_zoom(self) -> float:
        h, w = self.image_size
        if not w or not h:
            return 1.0
        return zoom_to_fit(self, w * self.stretch[0], h * self.stretch[1], margin=8)

    def fit(self) -> None:
        """The whole image in sight: in every linked pane, at the zoom that fits the smallest of them."""
        if self.group is not None:
            self.group.fit()
            return
        h, w = self.image_size
        self.show_at(QPointF(w / 2, h / 2), self.fit_zoom())
        self.fitted = True
        self.viewChanged.emit()

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        z = clamp_zoom(self.zoom * factor)
        before = self.mapToScene(anchor)
        self._silent = True
        self.setTransform(scaled(z, self.stretch))
        keep_at(self, before, anchor)
        self._silent = False
        self.fitted = False
        self.zoomChanged.emit(z)
        self.viewChanged.emit()

    def _user_moved(self, *_: object) -> None:
        if not self._silent:
            self.viewChanged.emit()

    def resizeEvent(self, event) -> None:
        """A fitted pane fits again (with its linked panes: one zoom for all of them, whatever size each
        pane got from the layout); a zoomed-in one keeps its linked panes on the same point and zoom."""
        super().resizeEvent(event)
        if self.fitted:
            if self.group is not None:
                self.group.fit()
            else:
                h, w = self.image_size
                self.show_at(QPointF(w / 2, h / 2), self.fit_zoom())
        elif self.group is not None:
            self.group.follow(self)

    def image_rect(self) -> QRectF:
        h, w = self.image_size
        return QRectF(0, 0, w, h)

    def pan_by(self, dx: int, dy: int) -> None:
        """Move the picture ``dx``, ``dy`` screen pixels (a drag, a scroll); the linked panes follow."""
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - dx)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - dy)
        self.fitted = False

    def wheelEvent(self, event: QWheelEvent) -> None:
        wheel_navigates(self, event)  # zoom at the cursor, or scroll: the canvas's setting (Preferences)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() == Qt.MouseButton.RightButton and isinstance(self.image_item, ImageItem):
            self.window_drag.start(event.position().toPoint(), self.image_item.image)
        elif event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            self._press = self._last = event.position().toPoint()
            self._dragged = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        p = event.position().toPoint()
        if self.window_drag.move(p):  # right drag: right/left widens/narrows, up/down moves the level
            return
        scene = scene_at(self, event.position())  # its fraction kept, as the canvas's pointer
        h, w = self.image_size
        self.cursorMoved.emit(scene if QRectF(0, 0, w, h).contains(scene) else None)
        if self._last is None:
            return
        if not self._dragged and (p - self._press).manhattanLength() <= CLICK_SLOP:
            return
        if not self._dragged:
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        self._dragged = True
        d = p - self._last
        self._last = p
        self.pan_by(d.x(), d.y())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton and self.window_drag.stop():
            return
        if self._press is not None and not self._dragged and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(scene_at(self, event.position()))
        self._press = self._last = None
        self._dragged = False
        self.viewport().unsetCursor()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.fit()

    def leaveEvent(self, event: QEvent) -> None:
        self.cursorMoved.emit(None)
        super().leaveEvent(event)

    def _zoom_key(self, event: QKeyEvent) -> str | None:
        """ "fit", "in" or "out" when ``event`` is a key of the canvas's zoom actions (as the user set them);
        like Qt's own shortcuts, a key typed with Shift (Ctrl++ is Ctrl+Shift+= on many keyboards) also
        matches without it."""
        combo = event.keyCombination()
        pressed = [QKeySequence(combo)]
        if combo.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier:
            without = combo.keyboardModifiers() & ~Qt.KeyboardModifier.ShiftModifier
            pressed.append(QKeySequence(QKeyCombination(without, combo.key())))
        for id, what in ZOOM_ACTIONS:
            for seq in REGISTRY.sequences(id):
                if any(p.matches(seq) == QKeySequence.SequenceMatch.ExactMatch for p in pressed):
                    return what
        return None

    def event(self, event: QEvent) -> bool:
        # the zoom keys are the main window's (for the labeling canvas): take them here
        if event.type() == QEvent.Type.ShortcutOverride and self._zoom_key(event) is not None:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        what = self._zoom_key(event)
        if what == "fit":
            self.fit()
        elif what == "in":
            self.zoom_by(ZOOM_STEP)
        elif what == "out":
            self.zoom_by(1 / ZOOM_STEP)
        else:
            super().keyPressEvent(event)

    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def shown_title(self) -> str:
        """The title shortened to the pane's width (a long annotator's name)."""
        metrics = QFontMetrics(self._title_font())
        room = max(self.viewport().width() - 32, 0)
        return metrics.elidedText(self.title, Qt.TextElideMode.ElideMiddle, room)

    def title_rect(self) -> QRect:
        """Where the title is painted, in viewport pixels."""
        metrics = QFontMetrics(self._title_font())
        return QRect(8, 8, metrics.horizontalAdvance(self.shown_title()) + 16, metrics.height() + 8)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """A pan moves the pixels painted already, the title among them, and repaints only what comes into
        view: paint the title again where it stays."""
        super().scrollContentsBy(dx, dy)
        title = self.title_rect()
        self.viewport().update(title.united(title.translated(dx, dy)))

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        """The pane's title in its top-left corner, in screen pixels."""
        painter.save()
        painter.resetTransform()
        painter.setFont(self._title_font())
        box = QRectF(self.title_rect())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QColor(240, 240, 240))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.shown_title())
        painter.restore()


def show_keypoints(view, pair: ImagePair | None) -> None:  # type: ignore[no-untyped-def]
    """The review ``view``'s reference and candidate panes draw the keypoints of their side's objects of
    ``pair`` (the difference pane, pixels compared, none)."""
    if pair is None or view.scored is None or view.document is None:
        return
    ref, cand = view.scored.reference.project, view.document.project
    view.ref_pane.set_keypoints(pair.ref, ref.annotations_of(pair.ref.id), ref.categories.get)
    view.cand_pane.set_keypoints(pair.cand, cand.annotations_of(pair.cand.id), cand.categories.get)


class LinkedPanes:
    """Keeps panes showing the same image point at the same zoom: a change in one is copied to the rest."""

    def __init__(self, panes: list[ReviewPane]) -> None:
        self.panes = panes
        self._busy = False
        for p in panes:
            p.group = self
            p.viewChanged.connect(lambda p=p: self.follow(p))

    def follow(self, source: ReviewPane) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            center, zoom = source.center(), source.zoom
            for p in self.panes:
                if p is not source:
                    p.show_at(center, zoom)
                    p.fitted = source.fitted
        finally:
            self._busy = False

    def show_at(self, center: QPointF, zoom: float) -> None:
        for p in self.panes:
            p.show_at(center, zoom)
            p.fitted = False

    def fit(self) -> None:
        """Every pane on the whole image at one zoom: the one that fits the smallest pane."""
        if self._busy or not self.panes:
            return
        shown = [p for p in self.panes if p.isVisible()] or self.panes  # hidden ones keep a stale size
        h, w = shown[0].image_size
        zoom = min(p.fit_zoom() for p in shown)
        self._busy = True
        try:
            for p in self.panes:
                p.show_at(QPointF(w / 2, h / 2), zoom)
                p.fitted = True
        finally:
            self._busy = False

    def centre_on(self, bbox: list[float], fill: float = 0.45, max_zoom: float = 8.0) -> None:
        """Centre every pane on a box, zoomed so it spans about ``fill`` of the pane (never past 8x). A box
        too large for that gets the whole image, fitted: zooming out past the fit only shrinks the picture."""
        x, y, w, h = bbox
        p = self.panes[0]
        vp, (sx, sy) = p.viewport().rect(), p.stretch  # on screen the box is w * sx by h * sy
        z = min(vp.width() * fill / max(w * sx, 1.0), vp.height() * fill / max(h * sy, 1.0), max_zoom)
        z = clamp_zoom(z)
        shown = [p for p in self.panes if p.isVisible()] or self.panes
        if z <= min(p.fit_zoom() for p in shown):
            self.fit()
            return
        self.show_at(QPointF(x + w / 2, y + h / 2), z)
