"""The category tags of the box layer's boxes, from cached tiles: each distinct tag (text, colour; a
pending prediction's text names its score, ``BoxLayer.tag_codes``) is rendered once to a pixmap, and the
tags are composed into 512 px screen-space tiles per zoom level, kept in a small LRU cache; a repaint blits a
few tiles. Where each tag goes is ``tag_layout``'s (above its box, below it, or left out: no tag over
another); a new layout drops only the tiles of the tags it moved or whose text changed."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.marks import Z_LABEL, fit_tag

if TYPE_CHECKING:
    from pixelproof.ui.canvas.aspect import Scale
    from pixelproof.ui.canvas.layers import BoxLayer, _Box

TAG_TILE = 512  # screen pixels
MAX_TAG_TILES = 96


class TagLayer(QGraphicsItem):
    """The category tags of the ``BoxLayer``'s boxes, in screen pixels at any zoom (as ``LabelItem``)."""

    def __init__(self, layer: BoxLayer) -> None:
        super().__init__()
        self.layer = layer
        self.enabled = True
        self.unselected = True  # False: the selected boxes' tags only (``SelectedTags``), none placed here
        self._pixmaps: dict[tuple[str, int], QPixmap] = {}
        self._by_code: dict[int, QPixmap] = {}  # ``tag_of``: its text made once, until the categories change
        self._tiles: OrderedDict[tuple[Scale, int, int], QImage | None] = OrderedDict()
        # per zoom, the tags its tiles show (``tag_layout``): indices into the layer's arrays, x, y (top-left,
        # screen pixels from the scene's origin), tag code (``BoxLayer.tag_codes``: a score that changes or
        # goes changes it, so its tiles are drawn again); the current zoom's side of each box's tag
        self._placed: dict[Scale, tuple[np.ndarray, ...]] = {}
        self._sides: dict[int, int] = {}
        self.chosen_below: set[int] = set()  # selected boxes whose tag ``SelectedTags`` draws under the box
        self.chosen_out: set[int] = set()  # selected boxes whose tag it leaves out (many selected, no room)
        self.laid_out = False  # False: the layer changed since the last layout (``relayout`` asks again)
        self.relayout: Callable[[], None] = lambda: None  # the canvas's ``flush_tags``
        self.on_change: Callable[[], None] = lambda: None  # the canvas's ``tags_changed``
        self._font = QFont()
        self._metrics = QFontMetrics(self._font)
        self._dpr = 1.0  # device pixels per screen pixel of the pixmaps and tiles (2 on a 200 % screen)
        self._scene_rect = QRectF()
        self.image_width = 0  # image pixels: a tag past the image's right edge moves left (``edge_shift``)
        self.tiles_rendered = 0  # tests read it: a repaint at the same zoom renders none
        self.setZValue(Z_LABEL)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def set_scene_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._scene_rect = QRectF(rect)

    def boundingRect(self) -> QRectF:
        return self._scene_rect  # tags keep their screen size: they reach past the boxes at low zoom

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.setVisible(on)
        self.invalidate()

    def invalidate(self, boxes: list[_Box] | None = None, redraw: bool = True) -> None:
        """The boxes changed (``boxes``; None: all, or their colours or names): the tags are placed again
        (``tag_layout``), and only the tiles of the tags that moved are redrawn (``set_layout``). Not
        ``redraw``: nothing is repainted before that layout (a selection change: the tags it moves are
        all that changes)."""
        if boxes is None:
            self._tiles.clear()
            self._by_code.clear()  # a category renamed or recoloured: its codes' tags read or look otherwise
        self.laid_out = False
        self.on_change()
        if redraw:
            self.update()

    def set_layout(
        self, zoom: Scale, idx: np.ndarray, side: np.ndarray, x: np.ndarray, y: np.ndarray
    ) -> None:
        """Where the tags of the layer's boxes ``idx`` (into ``arrays()``) go at ``zoom`` (the view's scale
        across and down: pixels need not be square, ``aspect``): ``side`` (above,
        below, or left out), top-left ``x``, ``y`` (``tag_layout.relayout``). The tiles of this zoom that a
        tag placed unlike in the last layout crosses go (an edit of 5,000 boxes redraws theirs only)."""
        ids = self.layer.arrays()[0]
        codes = self.layer.tag_codes()
        keep = side >= 0
        new = (ids[idx[keep]], x[keep].astype(np.int64), y[keep].astype(np.int64), codes[idx[keep]])
        old = self._placed.get(zoom)
        self._placed[zoom] = new
        self._sides = dict(zip(ids[idx].tolist(), side.tolist(), strict=True))
        self.laid_out = True
        for z in [z for z in self._placed if z != zoom and not any(k[0] == z for k in self._tiles)]:
            del self._placed[z]
        if old is None:
            return
        rows = {tuple(r) for r in np.stack(old, axis=1).tolist()} ^ {
            tuple(r) for r in np.stack(new, axis=1).tolist()
        }
        if not rows:
            return
        hit: set[tuple[int, int]] = set()
        t = TAG_TILE
        for _, bx, by, c in rows:
            w, h = self.tag_size(c)
            hit.update(
                (tx, ty)
                for tx in range(bx // t, (bx + w) // t + 1)
                for ty in range(by // t, (by + h) // t + 1)
            )
            # where the tag was or now is, in the scene; a pixel more each side for where a repaint rounds
            zx, zy = zoom
            self.update(QRectF((bx - 1) / zx, (by - 1) / zy, (w + 2) / zx, (h + 2) / zy))
        for key in [k for k in self._tiles if k[0] == zoom and k[1:] in hit]:
            del self._tiles[key]

    def set_chosen_sides(self, below: set[int], out: set[int]) -> None:
        """The selected boxes whose tag goes under the box (``tag_layout``: above, it would cover another
        selected one's) and those whose tag is left out (many selected, no room); ``SelectedTags`` draws
        them again where they changed."""
        if (below, out) != (self.chosen_below, self.chosen_out):
            self.chosen_below, self.chosen_out = below, out
            self.layer.chosen_tags.update()

    def is_laid_out(self, zoom: Scale) -> bool:
        """Whether the tags are placed for the boxes as they are, at ``zoom``."""
        return self.laid_out and zoom in self._placed

    def placed(self, zoom: Scale) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ids, x, y, tag codes) of the tags the tiles of ``zoom`` show, top-left corners in screen pixels
        from the scene's origin (``set_layout``); nothing when it was not laid out or tags are off."""
        empty = (np.zeros(0, np.int64),) * 4
        return self._placed.get(zoom, empty) if self.enabled else empty

    def side_of(self, ann_id: int) -> int:
        """Where the layer's box ``ann_id`` has its tag at the current zoom (``tag_layout``: above, below or
        left out; above for one it does not place)."""
        return self._sides.get(ann_id, 0)

    def tag_of(self, code: int) -> QPixmap:
        """The tag ``code`` (``BoxLayer.tag_codes``) as drawn: its text on its category's colour."""
        pm = self._by_code.get(code)
        if pm is None:
            cat_id, _ = self.layer.tag_key(code)
            text, color = self.layer.tag_text(code), category_color(self.layer.category(cat_id))
            pm = self._by_code[code] = self._pixmap(text, color)
        return pm

    def fit_width(self, code: int) -> int:
        """The width ``tag_fits`` compares for tag ``code``: of its category name alone (``LabelItem``'s
        ``fit_width``), so a prediction's score never hides the tag a label as narrow shows."""
        cat = self.layer.category(self.layer.tag_key(code)[0])
        return (
            self._metrics.horizontalAdvance(fit_tag(cat.name if cat is not None else "", self._metrics)) + 8
        )

    def tag_size(self, code: int) -> tuple[int, int]:
        """Width and height of tag ``code`` in screen pixels: wider with a score (``tag_layout``)."""
        size = self.tag_of(code).deviceIndependentSize()
        return round(size.width()), round(size.height())

    def pixmap(self, name: str, color: QColor) -> QPixmap:
        """A tag showing ``name`` on ``color`` as ``LabelItem`` draws it (``PinnedTags`` copies an item's)."""
        return self._pixmap(name, color)

    def _pixmap(self, name: str, color: QColor) -> QPixmap:
        """The tag as ``LabelItem`` draws it: the name on the category colour, 4 px padding; drawn at the
        screen's pixel ratio, so its text is as sharp as a ``LabelItem``'s on a HiDPI screen."""
        key = (name, color.rgba())
        pm = self._pixmaps.get(key)
        if pm is None:
            name = fit_tag(name, self._metrics)
            w, h = self._metrics.horizontalAdvance(name) + 8, self._metrics.height() + 2
            pm = QPixmap(max(1, math.ceil(w * self._dpr)), max(1, math.ceil(h * self._dpr)))
            pm.setDevicePixelRatio(self._dpr)
            pm.fill(color)
            p = QPainter(pm)
            p.setFont(self._font)
            p.setPen(QColor(0, 0, 0) if color.lightnessF() > 0.6 else QColor(255, 255, 255))
            align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            p.drawText(QRectF(4, 1, w - 8, h - 2), align, name)
            p.end()
            self._pixmaps[key] = pm
        return pm

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self.enabled or not self.layer.boxes:
            return
        dpr = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        if dpr != self._dpr:  # the window moved to a screen of another scale: redraw at its resolution
            self._dpr = dpr
            self._pixmaps.clear()
            self._by_code.clear()
            self._tiles.clear()
        t = painter.worldTransform()
        zoom = (t.m11(), t.m22())
        if not self.is_laid_out(zoom):  # not placed by the canvas yet (its ``flush_tags``)
            self.relayout()
        dx, dy = round(t.dx()), round(t.dy())
        area = t.mapRect(option.exposedRect)  # screen (device-independent) pixels
        x0, y0 = math.floor(area.left() - dx), math.floor(area.top() - dy)
        x1, y1 = math.ceil(area.right() - dx), math.ceil(area.bottom() - dy)
        painter.save()
        painter.resetTransform()
        for ty in range(y0 // TAG_TILE, (y1 - 1) // TAG_TILE + 1):
            for tx in range(x0 // TAG_TILE, (x1 - 1) // TAG_TILE + 1):
                img = self._tile(zoom, tx, ty)
                if img is not None:
                    painter.drawImage(QPointF(tx * TAG_TILE + dx, ty * TAG_TILE + dy), img)
        painter.restore()

    def _tile(self, zoom: Scale, tx: int, ty: int) -> QImage | None:
        key = (zoom, tx, ty)
        if key in self._tiles:
            self._tiles.move_to_end(key)
            return self._tiles[key]
        img = self._render(zoom, tx, ty)
        self._tiles[key] = img
        while len(self._tiles) > MAX_TAG_TILES:
            self._tiles.popitem(last=False)
        return img

    def _render(self, zoom: Scale, tx: int, ty: int) -> QImage | None:
        """The tags crossing one screen tile where the layout of this zoom put them (``set_layout``: only of
        the boxes wide enough on screen, none over another), later boxes on top."""
        _, x, y, codes = self._placed.get(zoom, (np.zeros(0, np.int64),) * 4)
        ox, oy = tx * TAG_TILE, ty * TAG_TILE
        sizes = [pm.deviceIndependentSize() for pm in self._pixmaps.values()]
        reach_w, reach_h = (
            max((s.width() for s in sizes), default=0),
            max((s.height() for s in sizes), default=0),
        )
        near = (x < ox + TAG_TILE) & (x + reach_w > ox) & (y < oy + TAG_TILE) & (y + reach_h > oy)
        idx = np.flatnonzero(near)
        self.tiles_rendered += 1
        if not len(idx):
            return None
        side = math.ceil(TAG_TILE * self._dpr)
        img = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(self._dpr)
        img.fill(0)
        p = QPainter(img)
        tags: dict[int, QPixmap] = {}
        for c, bx, by in zip(codes[idx].tolist(), x[idx].tolist(), y[idx].tolist(), strict=True):
            pm = tags.get(c) or tags.setdefault(c, self.tag_of(c))
            p.drawPixmap(QPointF(bx - ox, by - oy), pm)
        p.end()
        return img
