"""A brush or eraser stroke on a large selected mask, drawn over the layer's picture of it.

A large selected mask stays in the mask layer (``mask_layer.selected_in_layer``). Its own ``MaskItem`` made
for a stroke decoded, coloured and traced its whole box (a slide's 12,000 x 9,000 tumour region: 1.4 GB peak
while painting, ``bench slide_objects --big-mask``). ``LiveMask`` holds only the area the stroke has touched
(its dirty rectangles, grown as ``MaskItem`` grows a new mask's crop), filled from the stroke's own mask, so
it shows the mask as painted there; the layer leaves that area out of its drawing of the mask
(``MaskLayer.live``). The stroke's edit is made from the stroke's mask as before (``core.paint.Stroke``), so
the committed pixels do not depend on what is drawn.
"""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from pixelproof.core.model import Annotation, Category
from pixelproof.ui.canvas.items import MaskItem
from pixelproof.ui.canvas.mask_layer import LIVE_OPACITY, selected_in_layer
from pixelproof.ui.canvas.polygon_layer import port_pixels


def over_layer(canvas, ann: Annotation) -> bool:  # type: ignore[no-untyped-def]
    """Whether a stroke on ``ann`` is drawn by a ``LiveMask`` over the layer: it is a large selected mask
    the layer draws (no item of its own made: ``selected_in_layer``)."""
    layer = canvas.box_layer
    if layer is None or canvas.made_item(ann.id) is not None:
        return False
    return selected_in_layer(layer.boxes.get(ann.id), port_pixels(canvas))


class LiveMask(MaskItem):
    """The stroke's touched area of a mask the layer draws: its pixels as painted, with the selected look,
    no outline; the layer draws the rest's fill, no outline either, as the whole-box item painted live
    (``MaskLayer.live``: the area is cut out of its drawing)."""

    def __init__(self, canvas, ann: Annotation, cat: Category | None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ann, canvas.image_size(), canvas.show_filter)
        self._layer = canvas.box_layer.masks
        self._source: np.ndarray | None = None  # the stroke's mask (whole image; dense or ``SparseMask``)
        self.sync(ann, cat, False)
        self.set_selected_look(True)

    def sync_shape(self, ann: Annotation) -> None:
        """Nothing held until the stroke paints (its stored pixels are the layer's to draw)."""
        self._live = True
        self.set_mask(np.zeros((0, 0), dtype=bool), (0, 0))

    def paint_live(self, mask: np.ndarray, rect: tuple[int, int, int, int]) -> None:
        self._source = mask
        super().paint_live(mask, rect)

    def _grow_to(self, x: int, y: int, w: int, h: int) -> None:
        """As ``MaskItem``'s, then the whole new crop read from the stroke's mask (what the layer showed
        there, with the stroke's pixels), and the layer told to leave it out."""
        before = (self._origin, self._mask_crop.shape)
        super()._grow_to(x, y, w, h)
        if (self._origin, self._mask_crop.shape) == before or self._source is None:
            return
        (ox, oy), (ch, cw) = self._origin, self._mask_crop.shape
        self._mask_crop[:] = self._source[oy : oy + ch, ox : ox + cw]
        self._recolor(0, 0, cw, ch)
        self._layer.set_live(self.ann_id, QRectF(ox, oy, cw, ch))
        self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """Its pixels at the layer's fill opacity (a seam at its edge else), ``LIVE_OPACITY`` when that is
        0 (outline only; the layer then fills the rest of the mask so too: ``MaskLayer.live``)."""
        if self._qimage.isNull():
            return
        opacity = self.show_filter.fill_opacity or LIVE_OPACITY
        saved = painter.opacity()
        painter.setOpacity(saved * opacity)
        painter.drawImage(QPointF(*self._origin), self._qimage)
        painter.setOpacity(saved)

    def held(self) -> tuple[tuple[int, int, int, int], int]:
        """The area it holds (x, y, w, h in the image) and its arrays' bytes: the stroke's, not the box's."""
        (x, y), (h, w) = self._origin, self._mask_crop.shape
        return (x, y, w, h), self._mask_crop.nbytes + self._rgba.nbytes

    def let_go(self) -> None:
        """The stroke is over: the layer draws all of the mask again."""
        if shiboken6.isValid(self._layer):  # not with its scene cleared (another image)
            self._layer.set_live(self.ann_id, None)
        self._source = None
