"""The keypoint layer as last painted, kept for a pan: its screen-sized dots and lines are drawn anew at
each zoom, but a pan (the view's transform moved by whole device pixels, nothing drawn changed) shows the
same pixels moved. ``PanCache`` copies those and draws only the strips the pan uncovers, as a scrolled
window does; any other change (zoom, rotation, an object or the selection edited, a category hidden, a
colour changed: the caller's ``key``) draws the whole area again."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable

from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import QImage, QPainter, QRegion, QTransform

MIN_AREA = 256 * 256  # device pixels: a smaller repaint (a drag frame's) draws directly, cache untouched
MAX_AREA = 4096 * 2560  # and a larger one (no window shows more; 40 MB): not kept


class PanCache:
    """One image of the last painted area, in device pixels counted from the view's whole-pixel offset."""

    def __init__(self) -> None:
        self._key: Hashable = None
        self._image: QImage | None = None
        self._rect = QRect()  # what ``_image`` covers

    def paint(
        self,
        painter: QPainter,
        to_view: QTransform,
        area: QRectF,
        key: Hashable,
        draw: Callable[[QPainter, QTransform, QRectF], None],
    ) -> bool:
        """Paint ``area`` (screen pixels; ``painter`` untransformed, ``to_view`` maps the image there) from
        the image kept and ``draw`` (painter, image to painter, rectangle of it to fill) for what it lacks.
        False, nothing painted: ``area`` too small to keep, the caller draws it."""
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        dx, dy = to_view.m31() * dpr, to_view.m32() * dpr
        ox, oy = math.floor(dx), math.floor(dy)
        x0, y0 = math.floor(area.left() * dpr) - ox, math.floor(area.top() * dpr) - oy
        x1, y1 = math.ceil(area.right() * dpr) - ox, math.ceil(area.bottom() * dpr) - oy
        rect = QRect(x0, y0, x1 - x0, y1 - y0)
        if not MIN_AREA <= rect.width() * rect.height() <= MAX_AREA:
            return False
        t = (to_view.m11(), to_view.m12(), to_view.m21(), to_view.m22())
        full_key = (t, round(dx - ox, 6), round(dy - oy, 6), dpr, key)
        old = self._image if full_key == self._key else None
        image = QImage(rect.width(), rect.height(), QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(0)
        image.setDevicePixelRatio(dpr)
        p = QPainter(image)
        if old is not None:
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            p.drawImage(QPointF((self._rect.x() - x0) / dpr, (self._rect.y() - y0) / dpr), old)
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            missing = list(QRegion(rect).subtracted(QRegion(self._rect)))
        else:
            missing = [rect]
        shift = to_view * QTransform.fromTranslate(-(ox + x0) / dpr, -(oy + y0) / dpr)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for r in missing:
            strip = QRectF((r.x() - x0) / dpr, (r.y() - y0) / dpr, r.width() / dpr, r.height() / dpr)
            p.setClipRect(strip)
            draw(p, shift, strip)
        p.end()
        self._image, self._rect, self._key = image, rect, full_key
        painter.drawImage(QPointF((ox + x0) / dpr, (oy + y0) / dpr), image)
        return True
