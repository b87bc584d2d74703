"""The selected boxes of a ``layers.BoxLayer``, drawn above the rest without an item each: ``SelectedBoxes``
(the selected look, above the other boxes), ``SelectedTags`` (their tags, above every other tag) and
``SelectedHandles`` (their resize handles, above every tag, which ``BoxLayer.handle_at`` hit-tests). Select
all of 5,000 boxes made 5,000 items and 40,000 handles (~2 s); these draw them from the layer's arrays.
``SelectedBoxes`` moves the other two (and the polygon and mask layers' selected) along in a drag."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.ui.canvas.aspect import Scale
from pixelproof.ui.canvas.hit_test import handle_sides, handle_spots, shown_handles
from pixelproof.ui.canvas.items import Z_BY_KIND, Z_SELECTED
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.marks import HANDLE_SIZE, SELECTED_TAG_LIFT, Z_HANDLE, Z_SELECTED_LABEL, edge_shift
from pixelproof.ui.canvas.tag_tiles import TAG_TILE

if TYPE_CHECKING:
    from pixelproof.ui.canvas.layers import BoxLayer


class SelectedBoxes(QGraphicsItem):
    """The selected boxes of a ``BoxLayer``, above the others (as a selected ``BoxItem``): thicker outline,
    denser fill. Their tags are ``SelectedTags``' (above the others'), their handles ``SelectedHandles``'
    (above every tag). A move's preview shifts this item (``setPos``), tags and handles too."""

    def __init__(self, layer: BoxLayer) -> None:
        super().__init__()
        self.layer = layer
        self.setZValue(Z_BY_KIND["box"] + Z_SELECTED)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)  # marks follow

    def boundingRect(self) -> QRectF:
        return self.layer.boundingRect()

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self.layer.chosen_tags.setPos(self.pos())
            self.layer.handles.setPos(self.pos())
            self.layer.polygons.chosen.setPos(self.pos())
            self.layer.masks.chosen.setPos(self.pos())
        return super().itemChange(change, value)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.layer.style_groups(True):
            self.layer.paint_boxes(painter, option.exposedRect, selected=True)


class SelectedTags(QGraphicsItem):
    """The tags of the selected boxes of a ``BoxLayer`` where the ``TagLayer`` (which leaves them out) would
    put them, at ``Z_SELECTED_LABEL`` as a selected item's ``LabelItem``: above every other tag, so in a
    crowd the canvas says what was picked; later boxes on top. ``SelectedBoxes`` moves it along."""

    def __init__(self, layer: BoxLayer) -> None:
        super().__init__()
        self.layer = layer
        self.setZValue(Z_SELECTED_LABEL)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QRectF:
        return self.layer.tags.boundingRect()  # tags keep their screen size: they reach past the boxes

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self.layer.selected or not self.layer.tags.enabled:
            return
        t = painter.worldTransform()
        seen = t.mapRect(option.exposedRect)
        dx, dy = round(t.dx()), round(t.dy())
        _, codes, tag_x, tag_y = self.spots((t.m11(), t.m22()))
        tag_x, tag_y = tag_x + dx, tag_y + dy
        tagged = (tag_x <= seen.right()) & (tag_y + TAG_TILE >= seen.top()) & (tag_y <= seen.bottom())
        tags: dict[int, QPixmap] = {}
        painter.save()
        painter.resetTransform()
        for k in np.flatnonzero(tagged).tolist():
            c = int(codes[k])
            if c not in tags:
                tags[c] = self.layer.tags.tag_of(c)
            painter.drawPixmap(QPointF(tag_x[k], tag_y[k]), tags[c])
        painter.restore()

    def spots(self, scale: Scale) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ids, tag codes, x, y): the selected shown boxes' tags' top-left corners at ``scale`` (across,
        down), screen pixels from the scene's origin (``paint``; ``PinnedTags`` keeps a cut one in the
        window)."""
        zoom, zoom_y = scale
        ids, xyxy, shown, _ = self.layer.arrays()
        codes = self.layer.tag_codes()
        idx = np.flatnonzero(
            shown & self.layer.selected_mask() & ~np.isin(ids, list(self.layer.tags.chosen_out))
        )
        under = np.isin(ids[idx], np.fromiter(self.layer.tags.chosen_below, np.int64))
        tops, lows = self.layer.polygons.tag_xs()  # a polygon's tag at its top (bottom) vertex, as its item's
        tag_x = np.round(np.where(under, lows[idx], tops[idx]) * zoom)
        kinds, which = np.unique(codes[idx], return_inverse=True)  # one size per tag text
        size = np.array([self.layer.tags.tag_size(int(c)) for c in kinds], np.float64).reshape(-1, 2)
        widths, heights = size[which.reshape(-1), 0], size[which.reshape(-1), 1]
        tag_x = tag_x - edge_shift(tag_x, widths, self.layer.tags.image_width, zoom)  # as ``tag_layout``
        # over the handles (as an item's): the bottom of the tag above the box, or its top under the box
        # (``tag_layout``: above, it would cover another selected box's)
        lift = np.where(self.layer.selected_mask(handled=True)[idx], SELECTED_TAG_LIFT, 0)  # a polygon: none
        tag_y = np.where(
            under, np.round(xyxy[idx, 3] * zoom_y) + lift, np.round(xyxy[idx, 1] * zoom_y) - lift - heights
        )
        return ids[idx], codes[idx], tag_x, tag_y


class SelectedHandles(QGraphicsItem):
    """The white resize handles (8, or the corners: ``shown_handles``) of each selected box of a ``BoxLayer``,
    a fixed number of screen pixels wide, drawn as ``HandleItem`` draws itself and at its ``Z_HANDLE``: above
    every tag, so a neighbour's tag over a corner does not hide the handle a press there grabs
    (``handle_at``). Top-level: a child of ``SelectedBoxes`` would be stacked with it, under the tags;
    ``SelectedBoxes`` moves it along."""

    def __init__(self, layer: BoxLayer) -> None:
        super().__init__()
        self.layer = layer
        self._pixmaps: dict[tuple[int, float, float], QPixmap] = {}
        self.setZValue(Z_HANDLE)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QRectF:
        return self.layer.boundingRect()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self.layer.selected:
            return
        t = painter.worldTransform()
        dpr = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        s = HANDLE_SIZE
        seen = t.mapRect(option.exposedRect).adjusted(-s, -s, s, s)
        _, xyxy, shown, cats = self.layer.arrays()
        idx = np.flatnonzero(shown & self.layer.selected_mask(handled=True))
        spots = handle_spots(xyxy[idx], t)  # where ``HandleItem`` puts its rectangle
        near = (spots[..., 0] >= seen.left()) & (spots[..., 0] <= seen.right())
        near &= (spots[..., 1] >= seen.top()) & (spots[..., 1] <= seen.bottom())
        drawable = shown_handles(spots)  # the corners only on a box a few handles wide
        drawn = np.flatnonzero((near & drawable).any(axis=1))
        keep = drawable[drawn]
        per_box = keep.sum(axis=1)
        sides = np.repeat(handle_sides(spots[drawn]), per_box)  # smaller on a box small on screen
        # where an aliased rectangle centred on the spot starts, as whole pixels: the int overload of
        # drawPixmap costs a fifth of the QPointF one, and there are up to 8 handles a box
        corners = np.floor(spots[drawn][keep] - sides[:, None] / 2).astype(np.int64).tolist()
        cat_of = np.repeat(cats[idx[drawn]], per_box).tolist()
        handles: dict[tuple[int, float], QPixmap] = {}
        draw = painter.drawPixmap
        painter.save()
        painter.resetTransform()
        for c, side, (x, y) in zip(cat_of, sides.tolist(), corners, strict=True):  # off the area: clipped
            pm = handles.get((c, side))
            if pm is None:
                pm = handles[c, side] = self._handle(category_color(self.layer.category(c)), dpr, side)
            draw(x, y, pm)
        painter.restore()

    def _handle(self, color: QColor, dpr: float, size: float) -> QPixmap:
        """A resize handle as ``HandleItem`` draws it, ``size`` wide: white, a 1-pixel outline darker than
        ``color``."""
        key = (color.rgba(), dpr, size)
        pm = self._pixmaps.get(key)
        if pm is None:
            side = size + 1  # a 9-pixel rectangle's outline covers 10 pixels
            pm = QPixmap(math.ceil(side * dpr), math.ceil(side * dpr))
            pm.setDevicePixelRatio(dpr)
            pm.fill(color.darker(160))
            p = QPainter(pm)
            p.fillRect(QRectF(1 / dpr, 1 / dpr, side - 2 / dpr, side - 2 / dpr), QColor(255, 255, 255))
            p.end()
            self._pixmaps[key] = pm
        return pm
