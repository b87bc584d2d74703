"""The image on the canvas: drawn in tiles from a pyramid, so an 8000x8000 image opens at once and pans
smoothly (only the visible tiles of the level that matches the zoom are converted and drawn).

Tiles are converted to 32-bit QImages lazily and kept in a bounded LRU cache; window/level changes drop the
cache and never touch the stored pixels. MONOCHROME1 images are drawn inverted.

A whole-slide pyramid (``LoadedImage.lazy``) decodes its file tiles as they come into view: one paint
decodes for at most ``PAINT_BUDGET_S``, draws what is still missing from the overview (the coarsest level,
upscaled) and asks for another paint, so panning never waits for a row of JPEG tiles. A file tile that
cannot be read (corrupt, missing from the tile table) is drawn from the overview too, and named once in
the status bar (``on_error``), instead of failing every paint.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable

import cv2
import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.core.imageio import to_display8
from pixelproof.core.pyramid import PyramidError
from pixelproof.ui.workers import LoadedImage

TILE = 512
MAX_CACHED_TILES = 160
PAINT_BUDGET_S = 0.025  # decoding allowed per paint of a lazy pyramid; the rest follows next paint
OVERVIEW_MAX_SIDE = 2048  # ``overview_image``: a coarsest level larger than this is read strided


def to_qimage(display8: np.ndarray) -> tuple[QImage, np.ndarray]:
    """8-bit gray/RGB/RGBA pixels -> a 32-bit QImage (the format the raster engine draws fastest), plus
    the buffer it points into (keep both alive together)."""
    if display8.ndim == 2:
        buf = cv2.cvtColor(display8, cv2.COLOR_GRAY2BGRA)
        fmt = QImage.Format.Format_RGB32
    elif display8.shape[2] == 3:
        buf = cv2.cvtColor(display8, cv2.COLOR_RGB2BGRA)
        fmt = QImage.Format.Format_RGB32
    else:
        buf = cv2.cvtColor(display8, cv2.COLOR_RGBA2BGRA)
        fmt = QImage.Format.Format_ARGB32
    buf = np.ascontiguousarray(buf)
    h, w = buf.shape[:2]
    img = QImage(buf.data, w, h, int(buf.strides[0]), fmt)
    if fmt == QImage.Format.Format_ARGB32:
        img = img.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        buf = None  # converted copy owns its pixels
    return img, buf


class ImageItem(QGraphicsItem):
    """A loaded image at scene (0, 0), one scene unit per image pixel."""

    def __init__(self, image: LoadedImage, on_error: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.image = image
        self.on_error = on_error
        self._unreadable: set[tuple[int, int, int]] = set()  # display tiles whose file tiles failed
        self._tiles: OrderedDict[tuple[int, int, int], tuple[QImage, np.ndarray | None]] = OrderedDict()
        self._overview: tuple[QImage, np.ndarray | None] | None = None
        self._rect = QRectF(0, 0, image.width, image.height)
        self._refine_pending = False
        self.tiles_converted = 0  # display tiles made (tests and bench large read it)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setZValue(0)

    def boundingRect(self) -> QRectF:
        return self._rect

    def set_window(self, window: tuple[float, float]) -> None:
        """Change the display window/level; only the drawing changes."""
        lo, hi = window
        if hi <= lo:
            hi = lo + 1e-6
        self.image.window = (float(lo), float(hi))
        self._tiles.clear()
        self._overview = None
        self.update()

    def channels_changed(self) -> None:
        """A channel was shown or hidden (``image.channels.visible``): the composite is drawn again, the
        overview of a slide remade from its coarsest level (whose tiles the cache still holds)."""
        if self.image.lazy:
            coarsest = self.image.levels[-1]
            with contextlib.suppress(PyramidError):  # unreadable: the old overview stays
                self.image.overview = coarsest.region(0, coarsest.height, 0, coarsest.width)
        self._tiles.clear()
        self._overview = None
        self.update()

    def level_for_scale(self, scale: float) -> int:
        """The coarsest pyramid level still at least as detailed as the screen."""
        level = 0
        while level + 1 < len(self.image.levels) and scale * self.image.downsample(level + 1) <= 1.0001:
            level += 1
        return level

    def _display(self, pixels: np.ndarray) -> tuple[QImage, np.ndarray | None]:
        window = (
            None if not self.image.needs_window and self.image.window == (0.0, 255.0) else self.image.window
        )
        shown = to_display8(pixels, window)
        if self.image.invert:
            shown = 255 - shown  # MONOCHROME1: the lowest values are white
        return to_qimage(shown)

    def _tile(self, level: int, tx: int, ty: int) -> QImage | None:
        """The display tile, or None when the file's pixels for it cannot be read."""
        key = (level, tx, ty)
        hit = self._tiles.get(key)
        if hit is not None:
            self._tiles.move_to_end(key)
            return hit[0]
        if key in self._unreadable:
            return None
        arr = self.image.levels[level]
        # one pixel of overlap right and below hides seams between tiles drawn at fractional positions
        try:
            sub = arr[ty * TILE : (ty + 1) * TILE + 1, tx * TILE : (tx + 1) * TILE + 1]
        except PyramidError as e:
            self._unreadable.add(key)
            if self.on_error is not None:
                self.on_error(f"{e} (drawn from the overview)")
            return None
        entry = self._display(sub)
        self.tiles_converted += 1
        self._tiles[key] = entry
        while len(self._tiles) > MAX_CACHED_TILES:
            self._tiles.popitem(last=False)
        return entry[0]

    def overview_image(self) -> QImage | None:
        """The whole image at its coarsest level as it is shown (window, inversion, channels): a slide's
        overview, a plain image's smallest pyramid level (under 512 px: ``build_pyramid``), never the full
        image; made once until the window or the channels change (the paint's fallback for a slide's tiles
        still decoding shares it). None when there is no such level."""
        if self._overview is None:
            coarsest = self.image.overview if self.image.lazy else self.image.levels[-1]
            h, w = coarsest.shape[:2]
            if not self.image.lazy and max(h, w) > OVERVIEW_MAX_SIDE:
                if not isinstance(coarsest, np.ndarray):
                    return None  # a level read on demand: not decoded whole on the UI thread
                step = math.ceil(max(h, w) / OVERVIEW_MAX_SIDE)
                coarsest = coarsest[::step, ::step]
            else:
                coarsest = coarsest[0:h, 0:w]  # a composite level renders what is sliced
            self._overview = self._display(coarsest)
        return self._overview[0]

    def _draw_overview(self, painter: QPainter, target: QRectF) -> None:
        """Fill ``target`` (image pixels) from the overview while its own tile is still being decoded."""
        if not self.image.lazy or (img := self.overview_image()) is None:
            return
        sx, sy = img.width() / self.image.width, img.height() / self.image.height
        source = QRectF(target.x() * sx, target.y() * sy, target.width() * sx, target.height() * sy)
        painter.drawImage(target, img, source)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        # device pixels per image pixel: on a 200 % screen a level at half the zoom's detail would be
        # blown up 2x (a blurry photo at Fit)
        dpr = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        # the finer of the two axes' scales: pixels drawn at their physical aspect (``aspect``) are
        # stretched along one axis, where a level picked for the other would be blurred
        t = painter.worldTransform()
        scale = max(math.hypot(t.m11(), t.m12()), math.hypot(t.m21(), t.m22())) * dpr
        level = self.level_for_scale(scale)
        arr = self.image.levels[level]
        lh, lw = arr.shape[:2]
        sx, sy = self.image.width / lw, self.image.height / lh
        exposed = option.exposedRect.intersected(self._rect)
        if exposed.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale * sx < 0.999)
        tx0 = max(0, int(exposed.left() / sx) // TILE)
        ty0 = max(0, int(exposed.top() / sy) // TILE)
        tx1 = min(math.ceil(lw / TILE) - 1, math.ceil(exposed.right() / sx) // TILE)
        ty1 = min(math.ceil(lh / TILE) - 1, math.ceil(exposed.bottom() / sy) // TILE)
        deadline = time.perf_counter() + PAINT_BUDGET_S if self.image.lazy else math.inf
        missing = False
        for ty in range(ty0, ty1 + 1):
            for tx in range(tx0, tx1 + 1):
                key = (level, tx, ty)
                if key not in self._tiles and key not in self._unreadable and time.perf_counter() > deadline:
                    w, h = min(TILE, lw - tx * TILE), min(TILE, lh - ty * TILE)
                    self._draw_overview(painter, QRectF(tx * TILE * sx, ty * TILE * sy, w * sx, h * sy))
                    missing = True
                    continue
                img = self._tile(level, tx, ty)
                if img is None:
                    w, h = min(TILE, lw - tx * TILE), min(TILE, lh - ty * TILE)
                    self._draw_overview(painter, QRectF(tx * TILE * sx, ty * TILE * sy, w * sx, h * sy))
                    continue
                target = QRectF(tx * TILE * sx, ty * TILE * sy, img.width() * sx, img.height() * sy)
                painter.drawImage(target, img)
        if missing and not self._refine_pending:
            self._refine_pending = True
            QTimer.singleShot(0, self._refine)

    def _refine(self) -> None:
        self._refine_pending = False
        with contextlib.suppress(RuntimeError):  # the item went (another image) before the timer fired
            self.update()

    def pixel(self, x: int, y: int) -> np.ndarray | None:
        """The stored value at pixel (x, y) (a multichannel image's channel values), or None outside the
        image or in a slide tile that cannot be read (the paint names it)."""
        raw = self.image.raw
        if 0 <= y < raw.shape[0] and 0 <= x < raw.shape[1]:
            try:
                return raw.raw_pixel(y, x) if self.image.channels is not None else raw[y, x]
            except PyramidError:
                return None
        return None


class PlaceholderItem(QGraphicsItem):
    """Stands in for an image that is loading, missing or unreadable, with the reason written on it; the
    annotations still show on top, at the size the project records."""

    def __init__(self, width: int, height: int, message: str, error: bool = False) -> None:
        super().__init__()
        self._rect = QRectF(0, 0, max(1, width), max(1, height))
        self.message = message
        self.error = error
        self.preview: QImage | None = None  # the top of a big image while the rest decodes
        self.preview_scale = 1
        self.setZValue(0)

    def boundingRect(self) -> QRectF:
        return self._rect

    def set_message(self, message: str, error: bool) -> None:
        self.message, self.error = message, error
        self.update()

    def set_preview(self, image: QImage, scale: int) -> None:
        self.preview, self.preview_scale = image, scale
        self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.fillRect(self._rect, QColor(70, 50, 50) if self.error else QColor(60, 60, 60))
        pen = QPen(QColor(110, 110, 110))
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawRect(self._rect)
        if self.preview is not None and not self.error:
            s = self.preview_scale
            target = QRectF(0, 0, self.preview.width() * s, self.preview.height() * s)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(target, self.preview, QRectF(self.preview.rect()))
            return  # the picture says it is loading (its lower part is still grey)
        # the message in screen pixels, whatever the zoom
        painter.save()
        device_rect = painter.worldTransform().mapRect(self._rect)
        painter.resetTransform()
        font = QFont(painter.font())
        font.setPointSizeF(max(9.0, font.pointSizeF() * 1.15))
        painter.setFont(font)
        painter.setPen(QColor(255, 190, 190) if self.error else QColor(220, 220, 220))
        box = device_rect.adjusted(16, 16, -16, -16)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        painter.restore()
