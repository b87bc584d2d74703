"""Masks drawn in bulk until someone touches them, as the box layer's boxes and polygons (``layers``).

A whole-slide prelabel gives one image ~64,000 masks: an item each (its pixels decoded, coloured, its
outline traced, its tag) froze the window 25-70 s on opening the image. So an untouched mask is an entry of
the ``BoxLayer`` (``LayerMask``: its stored box for culling, hit-testing, tags and the rubber band) and
``MaskLayer`` draws those the exposed area crosses, at a mask item's height, in the layer's order. Nothing
is decoded until needed: a mask under ``DETAIL`` screen pixels is drawn as its box (a dot of its colour at
a slide's fit zoom, as its item's outline was); a larger one is decoded then, and so is one a click, the
hover mark or a rubber band tests. Decoded pixels and outlines are kept for the next repaints up to
``DECODED_BYTES`` in all (``_Decoded``: panning a whole slide of 64,000 masks at zoom 0.25 held 100-150 MB),
the least recently used dropped first and decoded again when next needed; coloured images are in a cache
bounded the same way (``IMAGE_BYTES``: 400 masks covering a 1000 x 600 image held 850 MB of them).

Zoomed out past 50 %, a mask is drawn from a copy reduced by a power of two (``reduction_level``: a cell
about a screen pixel), made from its runs (``core.mask_reduce``: a cell is set when any of its pixels is, so
a 1 px scratch stays), coloured and its outline traced on that copy, kept per level with the decoded
pixels: a 12,000 x 9,000 tumour region at a slide's 2 % overview cost 1.9 s CPU and 1.4 GB from its
full-resolution pixels, 0.03 s and nothing noticeable so (``bench slide_objects --big-mask``).
A mask whose box is over ``WINDOW_VIEWS`` times the view's area is coloured and traced in a window around
the view only (``LayerMask.in_view``), cut from its reduced copy, or at 50 % and closer decoded there from
its runs: the same picture, from the view's pixels.
The pointer over a mask not decoded reads its pixel from the runs (``pixel_at``), and the hover mark takes
the outline so drawn (``outline_at``): hovering the region at the overview decoded and traced it whole.

Selecting a mask - a click, the eraser, an edit - turns it into its own ``MaskItem`` (``LazyItems``,
``polygon_layer.follow_selection``) with the selected look, brush edits and live painting, as before; it
goes back to the layer when unselected. A large one (``selected_in_layer``) stays in the layer, drawn
selected by ``SelectedMasks`` as the others are drawn; a brush or eraser stroke on it is drawn over it by a
``live_mask.LiveMask`` of the stroke's area, which ``MaskLayer.live`` leaves out; a rubber band reads it
from its runs (``touches``). Selecting many (``MANY_SELECTED``: Select All on a slide) does not:
they stay in the layer and ``SelectedMasks`` draws them with the selected look, as ``SelectedPolygons``.
"""

from __future__ import annotations

import math
import weakref
from collections import OrderedDict
from functools import partial

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.core.geometry import row_start
from pixelproof.core.limits import LimitError, max_pixels
from pixelproof.core.mask_edit import decode_rect
from pixelproof.core.mask_reduce import any_in_rect, pixel_at, reduce_rle, run_bounds
from pixelproof.core.model import Annotation
from pixelproof.core.rle_strings import row_starts
from pixelproof.core.sparse_mask import origin_of
from pixelproof.ui.canvas.items import Z_BY_KIND, Z_SELECTED
from pixelproof.ui.canvas.layers import BoxLayer, _Box
from pixelproof.ui.canvas.looks import REJECTED, category_color, fill_brush, outline_pen
from pixelproof.ui.canvas.mask_outline import mask_crop, mask_fill, trace_outline

DETAIL = 4.0  # screen pixels: a mask's box smaller than this on screen is drawn as the box, not decoded
IMAGE_CACHE = 4096  # coloured mask images kept (the masks most recently drawn)
IMAGE_BYTES = 64 * 2**20  # and their pixels' bytes, all together (the one just coloured is kept)
DECODED_BYTES = 64 * 2**20  # decoded pixels and outlines kept, all masks together (``_Decoded``)
PATH_ELEMENT_BYTES = 24  # a QPainterPath element: x, y (doubles) and its type, padded
MAX_LEVEL = 1 << 12  # the coarsest reduction drawn (a 1:4096 view of a slide)
WINDOW_VIEWS = 4  # a box over this many times the view's area is drawn from a window around the view
WINDOW_TILE = 256  # the window's sides lie on multiples of this (a pan decodes it again past its edge)
LIVE_OPACITY = 0.6  # a mask being painted is filled so in outline-only mode (as ``MaskItem``'s)


def reduction_level(zoom: float) -> int:
    """The power of two a mask is reduced by at ``zoom`` (screen pixels per image pixel): the largest
    whose cell is at most a screen pixel, 1 (its own pixels) at 50 % and closer."""
    if zoom >= 0.5:
        return 1
    return int(min(MAX_LEVEL, 2 ** math.floor(math.log2(1.0 / zoom))))


def selected_in_layer(e: object, port_pixels: float) -> bool:
    """Whether selected mask ``e`` (an entry of the layer) stays in the layer, drawn selected by
    ``SelectedMasks`` from its reduced copy or a window around the view (a brush or eraser stroke on it is
    drawn by a ``live_mask.LiveMask`` of its area): its box is over ``WINDOW_VIEWS`` views at 100 %
    (``port_pixels``: the viewport's), the layer's rule for a window, at any zoom. Its own item decoded,
    coloured and traced its whole box: 1.4 GB for a slide's 12,000 x 9,000 tumour region selected."""
    return isinstance(e, LayerMask) and not e.too_big and large_box(e.w, e.h, port_pixels)


def large_box(w: float, h: float, port_pixels: float) -> bool:
    """Whether a mask's box of ``w`` x ``h`` is over ``WINDOW_VIEWS`` views at 100 %: large
    (``selected_in_layer``)."""
    return w * h > WINDOW_VIEWS * port_pixels


class _Decoded:
    """The layer masks holding decoded pixels or an outline, least recently used first, and their bytes:
    over ``DECODED_BYTES`` the least recently used are dropped (the one in use is kept, however large).
    Held weakly: a mask gone (its image closed) leaves with its bytes."""

    def __init__(self) -> None:
        self.entries: OrderedDict[int, tuple[weakref.ref[LayerMask], int]] = OrderedDict()
        self.total = 0

    def used(self, mask: LayerMask) -> None:
        """``mask`` was decoded, traced or drawn: the most recently used, its bytes counted again."""
        key = id(mask)
        found = self.entries.pop(key, None)
        if found is not None:
            self.total -= found[1]
            ref = found[0]
        else:
            ref = weakref.ref(mask, lambda _, k=key: self._gone(k))
        size = mask.decoded_bytes()
        self.entries[key] = (ref, size)
        self.total += size
        while self.total > DECODED_BYTES and len(self.entries) > 1:
            _, (old, old_size) = self.entries.popitem(last=False)
            self.total -= old_size
            victim = old()
            if victim is not None:
                victim.drop_decoded()

    def _gone(self, key: int) -> None:
        found = self.entries.pop(key, None)
        if found is not None:
            self.total -= found[1]


DECODED = _Decoded()


def decoded_bytes() -> int:
    """Bytes of decoded pixels and outlines the layer masks hold now (at most about ``DECODED_BYTES``)."""
    return DECODED.total


def layer_masks(anns: list[Annotation], image_size: tuple[int, int]) -> list[LayerMask]:
    """The layer's entries of the masks ``anns``, their tags' spots (``row_starts``: as their items' tags,
    on the top and bottom row's first pixel) read from all their runs at once, no pixels decoded."""
    h, w = image_size
    placed: list[int] = []
    origins: list[tuple[int, int]] = []
    for k, ann in enumerate(anns):
        rle = ann.segmentation
        if not isinstance(rle, dict):
            continue
        origin = origin_of(ann)
        if [int(v) for v in rle.get("size", [])] == [h, w]:  # as ``mask_crop`` reads them
            origins.append((0, 0))
        elif origin is not None:
            origins.append((origin[0], origin[1]))
        else:
            continue  # another size: its pixels decide (``LayerMask``)
        placed.append(k)
    tops, lows = row_starts([anns[k].segmentation for k in placed], origins)  # type: ignore[misc]
    spots: dict[int, tuple[float, float]] = {}
    for k, top, low in zip(placed, tops.tolist(), lows.tolist(), strict=True):
        spots[k] = (top, low)
    return [LayerMask(ann, image_size, spots.get(k)) for k, ann in enumerate(anns)]


class LayerMask(_Box):
    """A mask of the layer: its stored box (``_Box``), its pixels and outline decoded on first use."""

    __slots__ = (
        "__weakref__",
        "_ann",
        "_bounds",
        "_crop",
        "_levels",
        "_origin",
        "_outline",
        "_size",
        "_window",
        "too_big",
    )
    as_rect = False
    kind = "mask"

    def __init__(
        self, ann: Annotation, image_size: tuple[int, int], spots: tuple[float, float] | None = None
    ) -> None:
        super().__init__(ann)
        self._ann = ann
        self._size = image_size
        self._crop: np.ndarray | None = None
        self._origin = (0, 0)
        self._outline: QPainterPath | None = None
        # reduced copies by level (a power of two): (cells, their top-left in the image, their outline)
        self._levels: dict[int, tuple[np.ndarray, tuple[int, int], QPainterPath | None]] = {}
        self._bounds: np.ndarray | None = None  # its runs' bounds (``run_bounds``), read once
        # a window of its box around the view: ((level, x0, y0, x1, y1) in its RLE's pixels or its
        # reduced copy's cells), its pixels or cells, their top-left in the image, their outline)
        self._window: tuple[tuple[int, ...], np.ndarray, tuple[int, int], QPainterPath] | None = None
        self.too_big = ""  # why its pixels are not shown (its box over the pixel limit), as its item's
        if self.w * self.h > max_pixels():  # by its stored box: said when the image opens (``CanvasView``)
            self.pixels()
        if spots is None:  # not read from its runs: from its pixels
            crop, origin = self.pixels()
            top, low = row_start(crop, origin, top=True), row_start(crop, origin, top=False)
            spots = (top[0] if top else np.nan, low[0] if low else np.nan)
        # where its tag starts above and below it, as its item's (an empty one's: its box's corner)
        self.top_x = self.x if np.isnan(spots[0]) else spots[0]
        self.low_x = self.x if np.isnan(spots[1]) else spots[1]

    def pixels(self) -> tuple[np.ndarray, tuple[int, int]]:
        """(the mask's box's pixels, its top-left), decoded once; empty for a mask over the pixel limit
        (``too_big`` says why)."""
        crop = self._crop
        if crop is None:
            try:
                crop, self._origin = mask_crop(self._ann, self._size)
            except LimitError as e:
                crop, self._origin = np.zeros((0, 0), dtype=bool), (0, 0)
                self.too_big = str(e)
            self._crop = crop
        DECODED.used(self)  # may drop others, never this one
        return crop, self._origin

    def outline(self) -> QPainterPath:
        """Its outline as its item's shape: along the pixels' outer edges (the hover mark, the drawing)."""
        path = self._outline
        if path is None:
            path = trace_outline(*self.pixels())
            self._outline = path
            DECODED.used(self)
        return path

    def _frame(self) -> tuple[dict, tuple[int, int]] | None:
        """(its RLE, where the RLE's top-left lies in the image) when its runs are placed in the image (a
        whole-image RLE or one stored cropped, as ``mask_crop`` reads them), else None."""
        rle, origin = self._ann.segmentation, origin_of(self._ann)
        if not isinstance(rle, dict):
            return None
        if [int(v) for v in rle.get("size", [])] == list(self._size):
            return rle, (0, 0)
        return None if origin is None else (rle, (origin[0], origin[1]))

    def reduced(self, level: int) -> tuple[np.ndarray, tuple[int, int]] | None:
        """(cells, top-left in the image) of its any-pixel reduction by ``level`` (a power of two: a cell
        is set when any of its ``level`` x ``level`` pixels is), read from its runs without its
        full-resolution pixels; None when its runs are not placed in the image (its pixels decide)."""
        found = self._levels.get(level)
        if found is None:
            frame = self._frame()
            if frame is None:
                return None
            rle, (fx, fy) = frame
            cut = reduce_rle(rle, level, self._run_bounds(rle))
            cells, at = (np.zeros((0, 0), dtype=bool), (0, 0)) if cut is None else cut
            found = self._levels[level] = (cells, (fx + at[0], fy + at[1]), None)
        DECODED.used(self)
        return found[0], found[1]

    def _run_bounds(self, rle: dict) -> np.ndarray:
        """Where its runs start and end (``run_bounds``), parsed from its counts once while kept."""
        if self._bounds is None:
            self._bounds = run_bounds(rle)
        return self._bounds

    def in_view(
        self, visible: QRectF, pad: int, level: int = 1
    ) -> tuple[np.ndarray, tuple[int, int], QPainterPath] | None:
        """(pixels, their top-left in the image, their outline) of a window of its box holding ``visible``
        grown by ``pad`` pixels, in ``WINDOW_TILE`` steps, kept while the view stays inside: decoded from
        its runs (``decode_rect``), or cut from ``reduced(level)`` (cells of ``level`` pixels): a box much
        larger than the view is not coloured or traced whole, nor decoded whole at 50 % and closer. The
        outline is traced on the window, so where the window cuts the mask it runs along the cut, ``pad``
        pixels out of view (the view's pixels and edges are drawn as from the whole box). None when its
        runs are not placed in the image (its pixels decide)."""
        frame = self._frame()
        if frame is None:
            return None
        rle, (fx, fy) = frame
        if level > 1:
            cells, (fx, fy) = self.reduced(level)  # type: ignore[misc]
            fh, fw = cells.shape
        else:
            fh, fw = (int(v) for v in rle["size"])
        x0 = max(0, math.floor((visible.left() - pad - fx) / level))
        y0 = max(0, math.floor((visible.top() - pad - fy) / level))
        x1 = min(fw, math.ceil((visible.right() + pad - fx) / level))
        y1 = min(fh, math.ceil((visible.bottom() + pad - fy) / level))
        kept = self._window
        if kept is None or not (
            kept[0][0] == level
            and kept[0][1] <= x0
            and kept[0][2] <= y0
            and x1 <= kept[0][3]
            and y1 <= kept[0][4]
        ):
            t = WINDOW_TILE
            x0, y0 = x0 // t * t, y0 // t * t
            x1, y1 = min(fw, -(-x1 // t) * t), min(fh, -(-y1 // t) * t)
            if x1 <= x0 or y1 <= y0:
                crop = np.zeros((0, 0), dtype=bool)
            elif level > 1:
                crop = cells[y0:y1, x0:x1]
            else:
                crop = decode_rect(rle, (x0, y0, x1 - x0, y1 - y0), f"annotation {self.ann_id}")
            at = (fx + x0 * level, fy + y0 * level)
            if level > 1:
                path = QTransform(level, 0, 0, level, *at).map(trace_outline(crop, (0, 0)))
            else:
                path = trace_outline(crop, at)
            kept = self._window = ((level, x0, y0, x1, y1), crop, at, path)
        DECODED.used(self)
        return kept[1], kept[2], kept[3]

    def reduced_outline(self, level: int) -> QPainterPath:
        """The outline of ``reduced(level)``'s cells in image coordinates: along the cells' outer edges,
        traced on the reduced copy (``trace_outline``), not on the mask at twice its size."""
        found = self.reduced(level)
        if found is None:
            return self.outline()
        cells, (x, y), path = self._levels[level]
        if path is None:
            path = QTransform(level, 0, 0, level, x, y).map(trace_outline(cells, (0, 0)))
            self._levels[level] = (cells, (x, y), path)
            DECODED.used(self)
        return path

    def decoded_bytes(self) -> int:
        """What its decoded pixels, outline and reduced copies hold (0 when none is)."""
        crop = 0 if self._crop is None else self._crop.nbytes
        crop += 0 if self._bounds is None else self._bounds.nbytes
        paths = [self._outline] + [p for _, _, p in self._levels.values()]
        crop += sum(cells.nbytes for cells, _, _ in self._levels.values())
        if self._window is not None:
            crop += self._window[1].nbytes
            paths.append(self._window[3])
        return crop + sum(p.elementCount() for p in paths if p is not None) * PATH_ELEMENT_BYTES

    def drop_decoded(self) -> None:
        """Let go of its pixels, outline and reduced copies (``_Decoded``): made again, the same, when next
        needed."""
        self._crop = None
        self._outline = None
        self._levels = {}
        self._window = None
        self._bounds = None

    def outline_at(self, zoom: float) -> QPainterPath:
        """Its outline as the layer draws it at ``zoom``: around the view's window of a large mask (the one
        last drawn, ``in_view``), traced on its reduced copy zoomed out, else on its pixels."""
        level = reduction_level(zoom)
        if self._window is not None and self._window[0][0] == level:
            return self._window[3]
        return self.reduced_outline(level) if level > 1 and not self.too_big else self.outline()

    def hits(self, point: QPointF, margin: float) -> bool:
        """On one of its pixels, as a click hits its item (whose outline runs along the pixels' outer
        edges); not ``margin`` (a box's outline) around it: the eraser started beside a mask took it. A
        mask not decoded is read at the point only (the pointer over a slide's tumour region decoded it
        whole)."""
        x, y = int(np.floor(point.x())), int(np.floor(point.y()))
        frame = self._frame() if self._crop is None and not self.too_big else None
        if frame is not None:
            rle, (fx, fy) = frame
            fh, fw = (int(v) for v in rle["size"])
            if not (0 <= x - fx < fw and 0 <= y - fy < fh):
                return False
            found = pixel_at(self._run_bounds(rle), fh, x - fx, y - fy)
            DECODED.used(self)
            return found
        crop, (ox, oy) = self.pixels()
        col, row = x - ox, y - oy
        return bool(0 <= row < crop.shape[0] and 0 <= col < crop.shape[1] and crop[row, col])

    def touches(self, rect: QRectF) -> bool:
        """Has a pixel in ``rect`` (a rubber band), read from its runs when not decoded (``any_in_rect``): a
        band over a slide's tumour region decoded its whole box."""
        x0, y0 = int(np.floor(rect.left())), int(np.floor(rect.top()))
        x1, y1 = int(np.ceil(rect.right())) + 1, int(np.ceil(rect.bottom())) + 1
        frame = self._frame() if self._crop is None and not self.too_big else None
        if frame is not None:
            rle, (fx, fy) = frame
            fh, fw = (int(v) for v in rle["size"])
            found = any_in_rect(self._run_bounds(rle), fh, fw, x0 - fx, y0 - fy, x1 - fx, y1 - fy)
            DECODED.used(self)
            return found
        crop, (ox, oy) = self.pixels()
        x0, y0 = max(0, int(np.floor(rect.left())) - ox), max(0, int(np.floor(rect.top())) - oy)
        x1, y1 = int(np.ceil(rect.right())) - ox + 1, int(np.ceil(rect.bottom())) - oy + 1
        return bool(crop[y0:y1, x0:x1].any()) if x1 > x0 and y1 > y0 else False


class MaskLayer(QGraphicsItem):
    """The ``BoxLayer``'s masks at a mask item's height, in the layer's order, each as its item draws it: its
    coloured pixels at the fill opacity, its outline (a rejected one hatched). Selected ones have their own
    item, unless many are (``keep_selected``): ``chosen`` draws those with the selected look."""

    def __init__(self, layer: BoxLayer) -> None:
        super().__init__()
        self.layer = layer
        self._drawn: tuple[list[LayerMask], np.ndarray, list[QRectF], np.ndarray] | None = None
        self._images: OrderedDict[int, tuple[LayerMask, tuple[int, str, bool, tuple], QImage, np.ndarray]] = (
            OrderedDict()
        )
        self.image_bytes = 0  # the pixels of ``_images``, at most about ``IMAGE_BYTES``
        self.keep_selected = (
            False  # many selected: they stay here (``follow_selection``), drawn by ``chosen``
        )
        self.chosen = SelectedMasks(self)
        self.live: dict[int, QRectF] = {}  # a stroke's area of a mask, drawn by its ``LiveMask``: left out
        self.setZValue(Z_BY_KIND["mask"])
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def changed(self) -> None:
        """The layer's masks or the display settings changed: picked again when drawn."""
        self._drawn = None
        self.prepareGeometryChange()
        self.chosen.prepareGeometryChange()
        self.update()
        self.chosen.update()

    def boundingRect(self) -> QRectF:
        return self.layer.boundingRect()

    def set_live(self, ann_id: int, rect: QRectF | None) -> None:
        """Leave ``rect`` of mask ``ann_id`` (its stroke's ``LiveMask`` draws it) and its outline out, fill
        it in outline-only mode, as a ``MaskItem`` painted live; None: draw it all again."""
        old = self.live.pop(ann_id, None)
        if rect is not None:
            self.live[ann_id] = rect
        area = rect if rect is not None else old  # a stroke's area only grows
        if (old is None) != (rect is None):
            area = self.boundingRect()  # its outline (outline only: its fill) goes or comes, all of it
        for item in (self, self.chosen) if area is not None else ():
            item.update(area)

    def shown_masks(self) -> tuple[list[LayerMask], np.ndarray, list[QRectF], np.ndarray]:
        """The shown masks in drawing order, their boxes (x0 y0 x1 y1), QRectFs and ids."""
        if self._drawn is None:
            layer = self.layer
            picked = [e for e in layer.boxes.values() if isinstance(e, LayerMask) and layer.shown(e)]
            xyxy = np.array([(e.x, e.y, e.x + e.w, e.y + e.h) for e in picked], dtype=np.float64)
            rects = [QRectF(e.x, e.y, e.w, e.h) for e in picked]
            ids = np.fromiter((e.ann_id for e in picked), dtype=np.int64, count=len(picked))
            self._drawn = (picked, xyxy.reshape(-1, 4), rects, ids)
            live = {id(e): e for e in picked}
            for key in [k for k, v in self._images.items() if live.get(k) is not v[0]]:
                self.image_bytes -= self._images.pop(key)[3].nbytes  # masks edited or gone
        return self._drawn

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.paint_masks(painter, option.exposedRect, selected=False)

    def paint_masks(self, painter: QPainter, exposed: QRectF, selected: bool) -> None:
        """Draw the shown masks crossing ``exposed``, the selected ones (as a selected ``MaskItem``) or the
        others."""
        if selected and not self.layer.selected:
            return
        picked, xyxy, rects, ids = self.shown_masks()
        if not picked:
            return
        t = painter.worldTransform()
        zoom = max(abs(t.m11()), abs(t.m22()), 1e-9)
        m = 6.0 / zoom  # the cosmetic outline (and a selected one's halo) past the box
        near = (xyxy[:, 0] - m <= exposed.right()) & (xyxy[:, 2] + m >= exposed.left())
        near &= (xyxy[:, 1] - m <= exposed.bottom()) & (xyxy[:, 3] + m >= exposed.top())
        if self.layer.selected:
            chosen = np.isin(ids, np.fromiter(self.layer.selected, dtype=np.int64))
            near &= chosen if selected else ~chosen
        big = np.maximum(xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1]) * zoom >= DETAIL
        looks: dict[tuple[int, str], tuple[QPen, QBrush]] = {}
        dots: dict[tuple[int, str], list[QRectF]] = {}
        for k in np.flatnonzero(
            near & ~big
        ).tolist():  # a dot of its colour, as its item's outline this small
            e = picked[k]
            dots.setdefault((e.category_id, e.look), []).append(rects[k])
        opacity = self.layer.show_filter.fill_opacity
        saved = painter.opacity()
        for (cat_id, look), boxes in dots.items():
            pen, brush = self._look(looks, cat_id, look, selected)
            if opacity > 0:  # its fill inside the outline, as its item's: the bare image showed there
                painter.setOpacity(saved * opacity)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(brush)
                painter.drawRects(boxes)
                painter.setOpacity(saved)
            # solid: a pending look's dash on a box of 1-3 px started and ended open at its top-left
            # corner and left a notch of the image in every dot; a dash cannot show at this size anyway
            pen = QPen(pen)
            pen.setStyle(Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRects(boxes)
        level = reduction_level(zoom)
        inverse, _ = t.inverted()
        visible = inverse.mapRect(QRectF(painter.viewport()))
        view_area = visible.width() * visible.height()
        pad = math.ceil(16.0 / zoom)  # the cosmetic outline's and halo's widths, and more, out of view
        for k in np.flatnonzero(near & big).tolist():
            e = picked[k]
            pen, brush = self._look(looks, e.category_id, e.look, selected)
            large = not e.too_big and e.w * e.h > WINDOW_VIEWS * view_area
            window = e.in_view(visible, pad, level) if large else None  # the part in view
            cut = e.reduced(level) if level > 1 and not e.too_big and window is None else None
            if window is not None:
                crop, origin, path = window
                at = level
                outline = partial(QPainterPath, path)
            elif cut is None:  # at 50 % and closer: its own pixels
                crop, origin = e.pixels()
                at = 1
                outline = e.outline
            else:  # zoomed out: its reduced copy, a cell about a screen pixel
                crop, origin = cut
                at = level
                outline = partial(e.reduced_outline, level)
            if not crop.size:
                continue
            hole = self.live.get(e.ann_id)
            if hole is not None:  # a stroke's ``LiveMask`` draws there
                painter.save()
                clip = QPainterPath()
                clip.setFillRule(Qt.FillRule.OddEvenFill)
                clip.addRect(self.layer.boundingRect().united(hole).adjusted(-m, -m, m, m))
                clip.addRect(hole)
                painter.setClipPath(clip, Qt.ClipOperation.IntersectClip)
            fill = opacity if hole is None or opacity > 0 else LIVE_OPACITY  # as its ``LiveMask``'s
            if fill > 0:
                painter.setOpacity(saved * fill)
                image = self._image(e, brush, selected, crop, (at, origin, crop.shape))
                painter.drawImage(QRectF(*origin, crop.shape[1] * at, crop.shape[0] * at), image)
                if e.look == REJECTED and hole is None:  # struck out, as a rejected box's fill
                    painter.fillPath(outline(), brush)
                painter.setOpacity(saved)
            if hole is not None:  # no outline while a stroke paints it, as a ``MaskItem`` painted live
                painter.restore()
                continue
            painter.setBrush(Qt.BrushStyle.NoBrush)
            if selected:  # a light halo under the outline, as a selected ``MaskItem``'s
                halo = QPen(QColor(255, 255, 255, 230), pen.widthF() + 2.5)
                halo.setCosmetic(True)
                halo.setCapStyle(Qt.PenCapStyle.FlatCap)
                painter.setPen(halo)
                painter.drawPath(outline())
            painter.setPen(pen)
            painter.drawPath(outline())

    def _look(
        self, looks: dict[tuple[int, str], tuple[QPen, QBrush]], cat_id: int, name: str, selected: bool
    ) -> tuple[QPen, QBrush]:
        """(outline pen, fill brush) of a mask of category ``cat_id`` and review look ``name``."""
        look = looks.get((cat_id, name))
        if look is None:
            color = category_color(self.layer.category(cat_id))
            pen = outline_pen(color, selected, name)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            look = looks[cat_id, name] = (pen, fill_brush(color, selected, name))
        return look

    def _image(self, e: LayerMask, brush: QBrush, selected: bool, crop: np.ndarray, which: tuple) -> QImage:
        """``e``'s pixels ``crop`` (its own, a window of them or reduced: ``which`` says, (level, top-left,
        shape)) in its fill colour (as ``MaskItem._recolor``), kept for the next repaints."""
        c = brush.color()
        key = (int(c.rgba()), e.look, selected, which)
        found = self._images.get(id(e))
        if found is not None and found[0] is e and found[1] == key:
            self._images.move_to_end(id(e))
            return found[2]
        h, w = crop.shape
        rgba = np.zeros((h, w, 4), dtype=np.uint8)
        np.multiply(crop[..., None], mask_fill(c, e.look, selected), out=rgba.view(np.uint32))
        image = QImage(rgba.data, w, h, int(rgba.strides[0]), QImage.Format.Format_ARGB32_Premultiplied)
        old = self._images.pop(id(e), None)
        if old is not None:  # recoloured: its other colour's pixels go
            self.image_bytes -= old[3].nbytes
        self._images[id(e)] = (e, key, image, rgba)  # the array holds the image's pixels
        self.image_bytes += rgba.nbytes
        while len(self._images) > 1 and (len(self._images) > IMAGE_CACHE or self.image_bytes > IMAGE_BYTES):
            self.image_bytes -= self._images.popitem(last=False)[1][3].nbytes
        return image


class SelectedMasks(QGraphicsItem):
    """The selected masks of the layer (many: ``keep_selected``), at a selected ``MaskItem``'s height and
    with its look. ``SelectedBoxes`` moves it along in a drag's preview."""

    def __init__(self, masks: MaskLayer) -> None:
        super().__init__()
        self.masks = masks
        self.setZValue(Z_BY_KIND["mask"] + Z_SELECTED)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QRectF:
        return self.masks.layer.boundingRect()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.masks.paint_masks(painter, option.exposedRect, selected=True)
