"""The canvas's zoom and pan: fit, fill (a line scan's height across the window), a zoom kept at a point,
zoom to an object with its surroundings, a pan by pixels; pixels that are not square drawn at their
physical aspect (``aspect``: the zoom is the finer axis's). A part of ``CanvasView`` (as
``pixels.ShownPixels``), which gives what it uses (``hover``, ``items_by_id``, ``tags_changed``,
``zoomChanged``, ``_fitted``, ``zoom_mode``, ``image_size``, ``document``, ``image_id``, ``pointer_at``).

The zoom mode the user chose, Fit (Ctrl+0) or Fill Window (Ctrl+9), is ``zoom_mode``: each image D / A open
is shown that way, until a zoom by hand (the wheel, Ctrl+=, Ctrl+1) ends it ('': the image fitted, or kept
at the same zoom and position with Keep Zoom When Changing Image). ``_fitted``: nothing moved since the mode
was applied, so a resize applies it again."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF

from pixelproof.ui.canvas import stacking
from pixelproof.ui.canvas.aspect import StretchedScale, scaled, stretch_of
from pixelproof.ui.canvas.image_view import clamp_zoom, keep_at, zoom_to_fit

ZOOM_TO_MAX = 4.0  # ``zoom_to``: beyond this a small object's pixels hide what surrounds it
ZOOM_TO_CONTEXT = 3.0  # ``zoom_to``: the area takes at most a third of the view
FIT_MARGIN = 12  # screen pixels between a fitted (or filled) image and the window's edge


class ZoomAndPan(StretchedScale):
    """Zoom and pan of the canvas (see the module's docstring)."""

    def aspect_switched(self, _on: bool) -> None:
        """View > Pixels at Physical Aspect changed: the shown image drawn the new way."""
        self.follow_aspect()

    def follow_aspect(self, pixel_spacing: object = None, refit: bool = True) -> None:
        """Draw the pixels of this ``pixel_spacing`` at their aspect (the shown image's when None, as View >
        Pixels at Physical Aspect now says); ``refit``: the image fitted again if it was, else the zoom and
        the point at the window's centre kept."""
        if pixel_spacing is None and self.document is not None:
            rec = self.document.project.images.get(self.image_id)
            pixel_spacing = rec.extra.get("pixel_spacing") if rec is not None else None
        self.pixel_spacing = pixel_spacing  # the zoom's tooltip says when its ratio is drawn capped
        stretch = stretch_of(pixel_spacing)
        if stretch == self.stretch:
            return
        zoom, center = self.zoom, self.mapToScene(self.viewport().rect().center())
        self.stretch = stretch
        if not refit:
            return
        if self._fitted:
            self.apply_zoom_mode()
        else:
            self._apply_zoom(zoom)
            self.centerOn(center)

    def image_rect(self) -> QRectF:
        h, w = self.image_size()
        return QRectF(0, 0, w, h)

    def fit(self) -> None:
        """Whole image in the window (Ctrl+0)."""
        r = self.image_rect()
        if r.isEmpty():
            return
        sx, sy = self.stretch
        self._apply_zoom(zoom_to_fit(self, r.width() * sx, r.height() * sy, margin=FIT_MARGIN))
        self.centerOn(r.center())
        self._fitted, self.zoom_mode = True, "fit"
        stacking.rehover(self)  # another spot of the image under a pointer that rests

    def fill(self) -> None:
        """The image's narrow side across the window, from its start (View > Fill Window, Ctrl+9): a line
        scan of 8192x1024 fitted whole is a strip of 8% zoom, 85 px high in a 1366x768 window, where a
        3 px scratch is no pixel at all. Filled, it is the window's height, its left end at the left edge;
        the wheel, a pan or the overview go along it. An image of the window's shape is fitted."""
        r = self.image_rect()
        if r.isEmpty():
            return
        sx, sy = self.stretch
        w, h = r.width() * sx, r.height() * sy
        vp, m = self.viewport().rect(), FIT_MARGIN
        z = clamp_zoom(max((vp.width() - 2 * m) / w, (vp.height() - 2 * m) / h))
        self._apply_zoom(z)
        if w / (vp.width() - 2 * m) >= h / (vp.height() - 2 * m):  # wide: its left end, centred up and down
            keep_at(self, QPointF(r.left(), r.center().y()), QPoint(m, vp.center().y()))
        else:  # tall: its top end, centred across
            keep_at(self, QPointF(r.center().x(), r.top()), QPoint(vp.center().x(), m))
        self._fitted, self.zoom_mode = True, "fill"
        stacking.rehover(self)

    def apply_zoom_mode(self) -> None:
        """The image filled (Fill Window chosen and no zoom by hand since), else fitted."""
        if self.zoom_mode == "fill":
            self.fill()
        else:
            self.fit()

    def zoom_to(self, area: QRectF) -> None:
        """Show ``area`` (scene) with its surroundings: it takes at most a third of the view, at most 400%
        (beyond that a small object's pixels hide what surrounds it; a tiny one grows to 8 px about its
        centre); an area that needs no more than fit zoom shows the whole image (the problem of the
        Problems panel, the object double-clicked in the Annotations panel)."""
        w, h = max(area.width(), 8.0), max(area.height(), 8.0)
        area = QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)
        vp, (sx, sy) = self.viewport().rect(), self.stretch  # on screen, the area is w * sx by h * sy
        z = min(vp.width() / (w * sx * ZOOM_TO_CONTEXT), vp.height() / (h * sy * ZOOM_TO_CONTEXT))
        image = self.image_rect()
        whole = image.width() * sx, image.height() * sy
        if not image.isEmpty() and z <= min(vp.width() / whole[0], vp.height() / whole[1]):
            self.fit()
            return
        self.set_zoom(min(z, ZOOM_TO_MAX))
        self.centerOn(area.center())

    def set_zoom(self, z: float, anchor: QPoint | None = None) -> None:
        """Zoom to ``z`` screen pixels per image pixel (along the finer axis), keeping the image point
        under ``anchor`` (view coordinates; default the window centre) where it is."""
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        before = self.mapToScene(anchor)
        self._apply_zoom(clamp_zoom(z))
        keep_at(self, before, anchor)
        self._fitted, self.zoom_mode = False, ""
        stacking.rehover(self)

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        self.set_zoom(self.zoom * factor, anchor)

    def zoom_by_key(self, factor: float) -> None:
        """Ctrl+= / Ctrl+-: zoom about ``key_zoom_anchor``, so a selected object off the window's centre
        stays on screen as image editors keep a selection (the wheel zooms at the cursor)."""
        self.zoom_by(factor, self.key_zoom_anchor())

    def key_zoom_anchor(self) -> QPoint | None:
        """Where a zoom key zooms about: the selection's centre when it is on screen, else the pointer when
        it rests over the canvas, else None (the window's centre)."""
        vp = self.viewport().rect()
        area = self.selection_area()
        if area is not None:
            at = self.mapFromScene(area.center())
            if vp.contains(at):
                return at
        if self.pointer_at is not None and vp.contains(self.pointer_at):
            return QPoint(self.pointer_at)
        return None

    def selection_area(self) -> QRectF | None:
        """The bounding rectangle (scene = image pixels) of the selected objects of the shown image; None
        when none is selected. An object under a pixel wide counts as one pixel."""
        doc = self.document
        if doc is None:
            return None
        area: QRectF | None = None
        for ann in doc.selected_annotations():
            if ann.image_id != self.image_id:
                continue
            x, y, w, h = ann.bbox
            r = QRectF(x, y, max(w, 1.0), max(h, 1.0))
            area = r if area is None else area.united(r)
        return area

    def _apply_zoom(self, z: float) -> None:
        self.setTransform(scaled(z, self.stretch))
        if self.hover is not None:
            self.hover.set_zoom(z)  # the smaller of the two scales: its margin in scene pixels is wide enough
        for item in self.items_by_id.values():  # the box layer's tags and handles are per zoom already
            item.refit_marks()
        self.tags_changed()  # a zoom makes or takes room between tags: placed again before the next frame
        self.zoomChanged.emit(z)

    def center_on(self, point: QPointF) -> None:
        """Pan so image point ``point`` is at the window's centre, the zoom kept (the overview navigator)."""
        keep_at(self, point, self.viewport().rect().center())
        self._fitted = False

    def pan_by(self, dx: int, dy: int) -> None:
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - dx)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - dy)
        self._fitted = False
