"""The overview navigator: a thumbnail of the whole image in the canvas's bottom-right corner with a rectangle
around the part in view, as QuPath, 3D Slicer and whole-slide viewers show one. At 50-400 % on a slide one
lost one's place and only Fit found it again; a press or a drag in the thumbnail centres the view there.

Shown only while the image does not fit the window (zoomed in past Fit, or panned so part of it is out of
view): at Fit the canvas itself is the overview. View > Overview (Ctrl+Alt+O) hides it (remembered). The
thumbnail is the image item's coarsest level (``ImageItem.overview_image``: a slide's overview, a plain
image's smallest pyramid level), scaled once per size and window: the full image is never decoded for it.
It is drawn at the pixels' physical aspect, as the canvas is (``aspect``), so the rectangle is the
viewport's shape. The objects are not drawn in it: a slide's thousands of boxes would be a smear of dots at
200 px and cost a redraw at each edit; the Annotations panel finds an object (double-click zooms to it).

Bottom-right: the tags of objects cut by the window's edge are pinned along its top (``PinnedTags``), and
the toolbar the pointer travels to is above. It sits in the very corner, over every tag: a tag under it is
kept beside it by ``PinnedTags`` (``covered``), as at the window's edge. 10 px from the corner, a tag under
it showed its last letter in the gap beside it. A drag of a tool over it (a box, a brush stroke into the
corner) fades it so the pixels under it show. It never holds the keyboard focus (a click in it gives the
canvas the keys, as Qt gives a click's focus to the first parent taking it, and as any click on the canvas
does); its mouse events never reach the canvas's tool."""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from pixelproof.ui.canvas.image_view import wheel_zoom_factor
from pixelproof.ui.settings import settings
from pixelproof.ui.theme import readable

if TYPE_CHECKING:
    from collections.abc import Callable

    from pixelproof.ui.canvas.view import CanvasView

KEY = "view/overview"
MAX_SIDE = 200  # the thumbnail's longer side at most, in screen pixels
SHARE = 0.3  # and at most this share of the viewport's width and height: a small window keeps its canvas
MIN_SIDE = 40  # a thumbnail smaller than this (a tiny window) is not shown
MARGIN = 0  # from the viewport's corner: none, so no tag under it peeks out between it and the edge
PAD = 3  # the frame around the thumbnail
MIN_MARK = 5.0  # the view's rectangle drawn at least this size (at 400 % on a slide it is under a pixel)
HALO = 3.5  # px: the dark line under the view's rectangle, its widest stroke
DIM = 70  # the alpha of the shade over the part out of view
FRAME_CONTRAST = 3.0  # WCAG's contrast for a control's edge: the frame's line against the mat
FADED = 0.2  # its opacity while a tool's drag passes over it
TIP = (
    "A thumbnail of the whole image while zoomed in, the part in view outlined: click or drag in it to "
    "move the view there"
)


class Overview(QWidget):
    """Over the canvas's viewport, a child of the view as the focus frame (a pan does not scroll it)."""

    def __init__(self, view: CanvasView) -> None:
        super().__init__(view)
        self.view = view
        self.setObjectName("overview")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_NoMousePropagation)  # nothing reaches the canvas's tool
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("Overview")
        self.setAccessibleDescription(TIP)  # no tooltip: it would cover the thumbnail at each rest
        self.on = settings().value(KEY, True, type=bool)
        self.thumb = QRectF()  # where the whole image is drawn, in this widget's pixels
        self._dragging = False
        self.faded = False
        self._pixmap: tuple[tuple[int, int, int, float], QPixmap] | None = None
        self.hide()
        view.viewport().installEventFilter(self)
        for bar in (view.horizontalScrollBar(), view.verticalScrollBar()):
            bar.valueChanged.connect(self.follow)  # a pan
            bar.rangeChanged.connect(self.follow)  # a zoom
        view.zoomChanged.connect(self.follow)
        view.imageShown.connect(self.follow)
        view.windowChanged.connect(self.update)  # the thumbnail drawn through the new window

    # -- where ----------------------------------------------------------------------------------
    def set_on(self, on: bool) -> None:
        """View > Overview: shown while zoomed in, or never (kept in the settings for the next window)."""
        self.on = bool(on)
        settings().setValue(KEY, self.on)
        self.follow()

    def image_rect(self) -> QRectF:
        return self.view.image_rect()

    def visible_rect(self) -> QRectF:
        """The part of the scene (image pixels) the viewport shows."""
        return self.view.mapToScene(self.view.viewport().rect()).boundingRect()

    def fits(self) -> bool:
        """The whole image is in view (to a screen pixel: Fit rounds)."""
        image = self.image_rect()
        slack = 1.0 / max(min(self.view.scale_xy), 1e-9)
        return self.visible_rect().adjusted(-slack, -slack, slack, slack).contains(image)

    def thumb_size(self) -> tuple[float, float] | None:
        """The thumbnail's width and height: the image at its physical aspect (the canvas's ``stretch``),
        its longer side ``MAX_SIDE`` or less to fit ``SHARE`` of the viewport; None when too small."""
        image, vp = self.image_rect(), self.view.viewport().size()
        sx, sy = self.view.stretch
        w, h = image.width() * sx, image.height() * sy
        if w <= 0 or h <= 0:
            return None
        k = min(min(MAX_SIDE, vp.width() * SHARE) / w, min(MAX_SIDE, vp.height() * SHARE) / h)
        if max(w, h) * k < MIN_SIDE:
            return None
        return max(w * k, 2.0), max(h * k, 2.0)

    def follow(self) -> None:
        """Shown, sized and placed as the image, the zoom, the pan and the window now are."""
        size = self.thumb_size() if self.on and self.view.image_id != -1 else None
        before = self.covered()
        if size is None or self.fits():
            self._dragging = False
            self.setVisible(False)
        else:
            tw, th = size
            self.thumb = QRectF(PAD, PAD, tw, th)
            box = QSize(math.ceil(tw) + 2 * PAD, math.ceil(th) + 2 * PAD)
            vp = self.view.viewport().geometry()
            self.setGeometry(
                vp.right() + 1 - MARGIN - box.width(),
                vp.bottom() + 1 - MARGIN - box.height(),
                box.width(),
                box.height(),
            )
            self.setVisible(True)
            if [w for w in self.view.children() if isinstance(w, QWidget)][-1] is not self:
                self.raise_()  # over the orientation letters, which raise themselves with each image
            self.update()
        if self.covered() != before:
            self.view.pin_tags()  # the tags it covers kept beside it, or back where they were

    def covered(self) -> QRect | None:
        """Where it covers the canvas (the viewport's pixels), None while hidden: a tag there is kept beside
        it (``pinned_tags.cut_tags``)."""
        if self.isHidden():
            return None
        return self.geometry().translated(-self.view.viewport().pos())

    def to_thumb(self, p: QPointF) -> QPointF:
        """An image point in this widget's pixels."""
        image, t = self.image_rect(), self.thumb
        return QPointF(t.x() + p.x() * t.width() / image.width(), t.y() + p.y() * t.height() / image.height())

    def to_image(self, p: QPointF) -> QPointF:
        """A point of this widget in image pixels, kept within the image."""
        image, t = self.image_rect(), self.thumb
        x = (p.x() - t.x()) * image.width() / t.width()
        y = (p.y() - t.y()) * image.height() / t.height()
        return QPointF(min(max(x, 0.0), image.width()), min(max(y, 0.0), image.height()))

    def view_rect(self) -> QRectF:
        """The part in view, in this widget's pixels (reaching past the thumbnail where the view shows more
        than the image)."""
        seen = self.visible_rect()
        return QRectF(self.to_thumb(seen.topLeft()), self.to_thumb(seen.bottomRight()))

    def mark_rect(self) -> QRectF:
        """The rectangle drawn for the part in view: ``view_rect`` within the thumbnail, ``MIN_MARK`` at
        least, its four sides' strokes inside the thumbnail. Cut to the thumbnail where the view reached
        past the image's corner, only two sides showed, an "L" that read as a mark of something else."""
        half = HALO / 2
        inner = self.thumb.adjusted(half, half, -half, -half)
        r = self.view_rect().intersected(inner)
        if r.isEmpty():  # out beside the image (panned past it): the nearest edge of the thumbnail
            c = self.view_rect().center()
            r = QRectF(
                min(max(c.x(), inner.left()), inner.right()),
                min(max(c.y(), inner.top()), inner.bottom()),
                0,
                0,
            )
        w, h = min(max(r.width(), MIN_MARK), inner.width()), min(max(r.height(), MIN_MARK), inner.height())
        x = min(max(r.center().x() - w / 2, inner.left()), inner.right() - w)
        y = min(max(r.center().y() - h / 2, inner.top()), inner.bottom() - h)
        return QRectF(x, y, w, h)

    # -- mouse ----------------------------------------------------------------------------------
    def _go(self, pos: QPointF) -> None:
        self.view.center_on(self.to_image(pos))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            self._go(event.position())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.mousePressEvent(event)  # a quick second click moves the view too

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        event.accept()
        if self._dragging:
            self._go(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        """The wheel zooms the canvas about its centre (at the pointer it would zoom about a hidden point)."""
        event.accept()
        if (factor := wheel_zoom_factor(event)) is not None:
            self.view.zoom_by(factor)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Resize:
            self.follow()
        elif kind == QEvent.Type.MouseMove and self.isVisible():
            held = event.buttons() != Qt.MouseButton.NoButton  # type: ignore[attr-defined]
            at = self.view.viewport().mapTo(self.view, event.position().toPoint())  # type: ignore[attr-defined]
            self._fade(held and self.geometry().contains(at))
        elif kind == QEvent.Type.MouseButtonRelease:
            self._fade(False)
        return False

    def _fade(self, faded: bool) -> None:
        if faded != self.faded:
            self.faded = faded
            self.update()

    # -- drawing --------------------------------------------------------------------------------
    def _thumbnail(self) -> QPixmap | None:
        """The image's coarsest level scaled to the thumbnail, made again when it or the size changes."""
        item = self.view.image_item
        image = item.overview_image() if item is not None else None
        if image is None:
            return None
        dpr = self.devicePixelRatioF()
        w, h = round(self.thumb.width() * dpr), round(self.thumb.height() * dpr)
        key = (image.cacheKey(), w, h, dpr)
        if self._pixmap is None or self._pixmap[0] != key:
            scaled = image.scaled(
                w, h, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            pixmap = QPixmap.fromImage(scaled)
            pixmap.setDevicePixelRatio(dpr)
            self._pixmap = (key, pixmap)
        return self._pixmap[1]

    def paintEvent(self, _event: QPaintEvent) -> None:
        if self.image_rect().isEmpty() or self.thumb.isEmpty():
            return  # hidden at the next ``follow``
        pal = self.palette()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.faded:
            p.setOpacity(FADED)
        back = QColor(pal.color(QPalette.ColorRole.Window))
        back.setAlpha(190)
        p.setPen(QPen(frame_color(pal), 1))
        p.setBrush(back)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        pixmap = self._thumbnail()
        if pixmap is not None:
            p.drawPixmap(self.thumb, pixmap, QRectF(pixmap.rect()))
        else:
            p.fillRect(self.thumb, QColor(60, 60, 60))  # still loading: the placeholder's grey
        r = self.mark_rect()
        outside = QPainterPath()
        outside.addRect(self.thumb)
        outside.addRect(r)  # odd-even: the thumbnail less the part in view
        p.fillPath(outside, QColor(0, 0, 0, DIM))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor(0, 0, 0, 170), HALO))  # a dark halo: the mark reads on white tissue and dark air
        p.drawRect(r)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
        p.drawRect(r)
        p.end()


@functools.cache
def _frame(mid: int, window: int) -> QColor:
    return readable(QColor.fromRgba(mid), QColor.fromRgba(window), ratio=FRAME_CONTRAST)


def frame_color(pal: QPalette) -> QColor:
    """The frame's line: the palette's Mid grey moved just far enough to stand out from the mat (Window) by
    ``FRAME_CONTRAST``. Mid itself read 1.3:1 on a dark picture in the dark theme and 2:1 on a slide's white
    glass in the light one, the thumbnail's edge lost in the picture; the picture is either like the mat
    (then the line shows) or unlike it (then the mat does)."""
    roles = QPalette.ColorRole
    return QColor(_frame(pal.color(roles.Mid).rgba(), pal.color(roles.Window).rgba()))


def overview_action(make: Callable[..., QAction], overview: Overview) -> QAction:
    """View > Overview, made by a window's ``make`` (its ``_action``), checked as the settings say."""
    act = make("view.overview", overview.set_on, tip=TIP, checkable=True)
    act.setStatusTip(TIP)
    act.setChecked(overview.on)
    return act
