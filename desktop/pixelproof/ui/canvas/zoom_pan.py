"""The canvas's zoom and pan: fit, a zoom kept at a point, zoom to an object with its surroundings, a pan
by pixels. A part of ``CanvasView`` (as ``pixels.ShownPixels``), which gives what it uses (``hover``,
``items_by_id``, ``tags_changed``, ``zoomChanged``, ``_fitted``, ``image_size``)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF
from PySide6.QtGui import QTransform

from pixelproof.ui.canvas import stacking
from pixelproof.ui.canvas.image_view import clamp_zoom, keep_at, zoom_to_fit

ZOOM_TO_MAX = 4.0  # ``zoom_to``: beyond this a small object's pixels hide what surrounds it
ZOOM_TO_CONTEXT = 3.0  # ``zoom_to``: the area takes at most a third of the view


class ZoomAndPan:
    """Zoom and pan of the canvas (see the module's docstring)."""

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def image_rect(self) -> QRectF:
        h, w = self.image_size()
        return QRectF(0, 0, w, h)

    def fit(self) -> None:
        """Whole image in the window (Ctrl+0)."""
        r = self.image_rect()
        if r.isEmpty():
            return
        self._apply_zoom(zoom_to_fit(self, r.width(), r.height(), margin=12))
        self.centerOn(r.center())
        self._fitted = True
        stacking.rehover(self)  # another spot of the image under a pointer that rests

    def zoom_to(self, area: QRectF) -> None:
        """Show ``area`` (scene) with its surroundings: it takes at most a third of the view, at most 400%
        (beyond that a small object's pixels hide what surrounds it; a tiny one grows to 8 px about its
        centre); an area that needs no more than fit zoom shows the whole image (the problem of the
        Problems panel, the object double-clicked in the Annotations panel)."""
        w, h = max(area.width(), 8.0), max(area.height(), 8.0)
        area = QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)
        vp = self.viewport().rect()
        z = min(vp.width() / (w * ZOOM_TO_CONTEXT), vp.height() / (h * ZOOM_TO_CONTEXT))
        image = self.image_rect()
        if not image.isEmpty() and z <= min(vp.width() / image.width(), vp.height() / image.height()):
            self.fit()
            return
        self.set_zoom(min(z, ZOOM_TO_MAX))
        self.centerOn(area.center())

    def set_zoom(self, z: float, anchor: QPoint | None = None) -> None:
        """Zoom to ``z`` screen pixels per image pixel, keeping the image point under ``anchor`` (view
        coordinates; default the window centre) where it is."""
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        before = self.mapToScene(anchor)
        self._apply_zoom(clamp_zoom(z))
        keep_at(self, before, anchor)
        self._fitted = False
        stacking.rehover(self)

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        self.set_zoom(self.zoom * factor, anchor)

    def _apply_zoom(self, z: float) -> None:
        self.setTransform(QTransform.fromScale(z, z))
        if self.hover is not None:
            self.hover.set_zoom(z)
        for item in self.items_by_id.values():  # the box layer's tags and handles are per zoom already
            item.refit_marks()
        self.tags_changed()  # a zoom makes or takes room between tags: placed again before the next frame
        self.zoomChanged.emit(z)

    def pan_by(self, dx: int, dy: int) -> None:
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - dx)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - dy)
        self._fitted = False
