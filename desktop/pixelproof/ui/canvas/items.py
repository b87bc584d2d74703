"""Annotation items on the canvas, one class per annotation kind (box, polygon, mask).

Items are views: they are rebuilt from the Annotation by ``sync`` whenever the Document says it changed,
and tools only move them temporarily (``setPos`` / ``preview_box``) while a drag is in progress. Boxes and
polygons use Qt's C++ painting (no Python ``paint``), so thousands of them redraw fast. Masks are a
translucent category-coloured QImage cropped to the mask's box, with an outline; ``update_region`` redraws
only a dirty rectangle (for the brush and eraser tools).

To add a kind: subclass one of these (or QGraphicsItem + ``AnnotationItemMixin``), then register it in
``ITEM_CLASSES``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from pixelproof.core.geometry import HANDLES, end_point, handle_spot, row_start
from pixelproof.core.limits import LimitError
from pixelproof.core.model import Annotation, Category
from pixelproof.core.object_lock import is_locked
from pixelproof.ui.canvas.looks import (
    REJECTED,
    category_color,
    display_score,
    fill_brush,
    outline_pen,
    review_look,
    tag_suffix,
    tag_text,
)
from pixelproof.ui.canvas.marks import (
    SELECTED_TAG_LIFT,
    Z_LABEL,
    Z_SELECTED_LABEL,
    HandleItem,
    LabelItem,
    tag_fits,
)
from pixelproof.ui.canvas.mask_outline import mask_crop, mask_fill, outline_pieces, trace_outline
from pixelproof.ui.canvas.show_filter import ShowFilter

Z_BY_KIND = {"mask": 1.0, "polygon": 2.0, "box": 3.0}
Z_SELECTED = 10.0


class AnnotationItemMixin:
    """What every annotation item offers the canvas and the tools."""

    kind = "?"
    ann_id: int
    category_id: int = -1
    _prediction_score: float | None = None  # set for a pending prediction (score, 1.0 when it has none)
    _look: str = ""  # ``looks.review_look``: a label, a pending prediction or a rejected object
    show_filter: ShowFilter
    image_size: tuple[int, int]  # (height, width)
    _label: LabelItem | None = None
    _label_at: QPointF  # the tag's anchor in item coordinates (a move preview's ``setPos`` shifts it)
    _label_low_at: QPointF  # where its top-left goes when placed below the object (``tag_layout``)
    _selected_look: bool
    _color: QColor
    tag_stamp = 0  # counts the changes of what its tag's layout reads (``tag_items.ItemSpots``)

    def _init_common(self, ann: Annotation, image_size: tuple[int, int], show: ShowFilter) -> None:
        self.ann_id = ann.id
        self.show_filter = show  # its canvas's: what the display hides
        self.image_size = image_size
        self._label = None
        self._label_at = QPointF()
        self._label_low_at = QPointF()
        self._selected_look = False
        self.locked = False
        self._color = QColor()
        self.setZValue(Z_BY_KIND.get(self.kind, 1.0))  # type: ignore[attr-defined]
        # position changes reach ``itemChange``: the tag follows a move preview
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)  # type: ignore[attr-defined]

    def sync(self, ann: Annotation, cat: Category | None, show_label: bool) -> None:
        """Redraw from the annotation (after any change) and drop a preview offset."""
        self._color = category_color(cat)
        self.category_id = ann.category_id
        self._prediction_score = display_score(ann)
        self._look = review_look(ann)
        self.locked = is_locked(ann)  # no handles: its shape cannot change (``core.object_lock``)
        self.setPos(0, 0)  # type: ignore[attr-defined]
        self.sync_shape(ann)
        self._apply_look()
        shown = cat is not None and show_label
        self.set_label(
            tag_text(cat.name, tag_suffix(ann)) if shown else None, ann, cat.name if shown else None
        )
        self.setVisible(self.shown())  # type: ignore[attr-defined]

    def refresh_display(self) -> None:
        """Re-apply its canvas's display settings (``show_filter``) without re-reading the shape."""
        self.setVisible(self.shown())  # type: ignore[attr-defined]
        self._apply_look()

    def shown(self) -> bool:
        """Whether the display filters (hidden categories or objects, prediction score) let it show."""
        return self.show_filter.shows(self.category_id, self._prediction_score, self.ann_id)

    def sync_shape(self, ann: Annotation) -> None:
        raise NotImplementedError

    def set_label(self, text: str | None, ann: Annotation, name: str | None = None) -> None:
        """Tag the item with ``text`` (None: no tag); ``name``, the category's, decides whether it fits."""
        if text is None:
            if self._label is not None:
                if self._label.scene() is not None:
                    self._label.scene().removeItem(self._label)
                self._label = None
            return
        if self._label is None:
            self._label = LabelItem(self)  # type: ignore[arg-type]
            if self.scene() is not None:  # type: ignore[attr-defined]
                self.scene().addItem(self._label)  # type: ignore[attr-defined]
        self._label.set_text(text, self._color, name)
        self._label_at = QPointF(*self.label_anchor(ann))
        self._label_low_at = QPointF(*self.low_anchor(ann))
        self._place_companions()

    def _place_companions(self) -> None:
        """Put the top-level tag and handles at their anchors as the item is now shown (moved, hidden,
        raised when selected)."""
        self.tag_stamp += 1  # moved, reshaped, retagged, shown, hidden, (un)selected: measured again
        for h in self.handles():  # shown by ``refit_marks``
            h.setPos(self.mapToScene(h.anchor))  # type: ignore[attr-defined]
        label = self._label
        if label is None:
            self.refit_marks()
            return
        label.setPos(self.mapToScene(self._label_low_at if label.below else self._label_at))  # type: ignore[attr-defined]
        label.set_lift(SELECTED_TAG_LIFT if self.handles() else 0.0)  # over the top edge's handles
        # above every fill (z <= 13), under the box layer's tags (Z_LABEL) as before; a selected one's above
        # every other tag (in a crowd, the canvas says what was picked), under the handles
        z = Z_SELECTED_LABEL if self._selected_look else Z_LABEL - 1 + self.zValue() / 100  # type: ignore[attr-defined]
        label.setZValue(z)
        self.refit_marks()

    def refit_marks(self) -> None:
        """Show the tag if the object is, and it is selected or wide enough on screen (``tag_fits``) and
        not left out by ``tag_layout`` (a crowd; a selected one only when many are): the canvas asks again at
        each zoom (a box's handles too)."""
        label = self._label
        if label is None:
            return
        zoom = self._zoom()
        width = self.boundingRect().width() * zoom  # type: ignore[attr-defined]
        room = not label.crowded and (self._selected_look or bool(tag_fits(width, label.fit_width)))
        label.setVisible(self.isVisible() and room)  # type: ignore[attr-defined]

    def _zoom(self) -> float:
        """Screen pixels per scene pixel across in the canvas showing the item (1 outside one)."""
        views = self.scene().views() if self.scene() is not None else []  # type: ignore[attr-defined]
        return views[0].transform().m11() if views else 1.0

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        """Keep the top-level tag and handles with their item: in the same scene (added, removed with it),
        at their anchors, shown or hidden with it."""
        companions = [*self.handles(), *([self._label] if self._label is not None else [])]
        if companions:
            change_kind = QGraphicsItem.GraphicsItemChange
            if change == change_kind.ItemSceneHasChanged:
                for c in companions:
                    if c.scene() is not None and c.scene() is not value:
                        c.scene().removeItem(c)
                    if value is not None and c.scene() is None:
                        value.addItem(c)  # type: ignore[attr-defined]
            elif change in (
                change_kind.ItemPositionHasChanged,
                change_kind.ItemVisibleHasChanged,
                change_kind.ItemZValueHasChanged,
            ):
                self._place_companions()
        return super().itemChange(change, value)  # type: ignore[misc]

    def label_anchor(self, ann: Annotation) -> tuple[float, float]:
        """Where the tag sits: on the shape, so it names the shape it touches (a box's top-left corner)."""
        return ann.bbox[0], ann.bbox[1]

    def low_anchor(self, ann: Annotation) -> tuple[float, float]:
        """Where the tag goes when its spot above is taken (``tag_layout``): under the shape (a box's
        bottom-left corner)."""
        return ann.bbox[0], ann.bbox[1] + ann.bbox[3]

    def set_selected_look(self, selected: bool) -> None:
        if selected != self._selected_look:
            self._selected_look = selected
            self.setZValue(Z_BY_KIND.get(self.kind, 1.0) + (Z_SELECTED if selected else 0.0))  # type: ignore[attr-defined]
            self._apply_look()

    @property
    def is_selected_look(self) -> bool:
        return self._selected_look

    def _apply_look(self) -> None:
        # a prediction stays dashed and lighter until accepted; a rejected object is struck out
        self.setPen(outline_pen(self._color, self._selected_look, self._look))  # type: ignore[attr-defined]
        brush = fill_brush(self._color, self._selected_look, self._look)
        if self.kind != "mask":  # masks apply the opacity when drawing their image
            c = brush.color()
            c.setAlphaF(c.alphaF() * self.show_filter.fill_opacity)
            brush.setColor(c)
        self.setBrush(brush)  # type: ignore[attr-defined]

    def handles(self) -> list[HandleItem]:
        return []

    def outline_path(self) -> QPainterPath:
        """The object's outline in scene coordinates (the hover mark draws it)."""
        return self.mapToScene(self.shape())  # type: ignore[attr-defined]


class BoxItem(AnnotationItemMixin, QGraphicsRectItem):
    """A box-only annotation; shows 8 resize handles when selected."""

    kind = "box"

    def __init__(self, ann: Annotation, image_size: tuple[int, int], show: ShowFilter) -> None:
        QGraphicsRectItem.__init__(self)
        self._handles: list[HandleItem] = []  # before ``_init_common``: its changes reach ``itemChange``
        self._init_common(ann, image_size, show)

    def sync_shape(self, ann: Annotation) -> None:
        self.preview_box(ann.bbox)

    def preview_box(self, box: list[float]) -> None:
        """Show the box at ``box`` (while resizing) without changing the annotation."""
        x, y, w, h = box
        self.setRect(QRectF(x, y, w, h))
        self._place_handles()
        self._label_at = QPointF(x, y)
        self._label_low_at = QPointF(x, y + h)
        self._place_companions()

    def _apply_look(self) -> None:
        super()._apply_look()
        handled = self._selected_look and not self.locked
        if handled and not self._handles:
            self._handles = [HandleItem(self, name, self._color) for name in HANDLES]
            if self.scene() is not None:
                for h in self._handles:
                    self.scene().addItem(h)
            self._place_handles()
        elif not handled and self._handles:
            for h in self._handles:
                if h.scene() is not None:
                    h.scene().removeItem(h)
            self._handles = []
            self._place_companions()  # the tag back down: no handles under it

    def _place_handles(self) -> None:
        if not self._handles:
            return
        r = self.rect()
        for h in self._handles:
            h.anchor = QPointF(*handle_spot([r.x(), r.y(), r.width(), r.height()], h.name))
        self._place_companions()

    def handles(self) -> list[HandleItem]:
        return list(self._handles)

    def refit_marks(self) -> None:
        """The tag, and the handles the box's size on screen has room for (``shown_handles``: the corners
        only on a box a few handles wide), shown if the box is."""
        super().refit_marks()
        if not self._handles:
            return
        from pixelproof.ui.canvas.hit_test import handle_sides, handle_spots, shown_handles  # (imports this)

        r = self.mapRectToScene(self.rect())
        views = self.scene().views() if self.scene() is not None else []
        t = views[0].transform() if views else QTransform()  # across and down: pixels need not be square
        spots = handle_spots(
            np.array([[r.left(), r.top(), r.right(), r.bottom()]]), QTransform.fromScale(t.m11(), t.m22())
        )
        drawable = dict(zip(HANDLES, shown_handles(spots)[0].tolist(), strict=True))
        side = float(handle_sides(spots)[0])  # smaller on a box small on screen
        for h in self._handles:
            h.setVisible(self.isVisible() and drawable[h.name])
            h.set_side(side)

    def outline_path(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.rect())
        return self.mapToScene(path)


class PolygonItem(AnnotationItemMixin, QGraphicsPathItem):
    """A polygon annotation (one or more COCO polygons)."""

    kind = "polygon"

    def __init__(self, ann: Annotation, image_size: tuple[int, int], show: ShowFilter) -> None:
        QGraphicsPathItem.__init__(self)
        self._init_common(ann, image_size, show)

    def sync_shape(self, ann: Annotation) -> None:
        self.setPath(polygon_path(ann.segmentation or []))

    def outline_path(self) -> QPainterPath:
        return self.mapToScene(self.path())

    def label_anchor(self, ann: Annotation) -> tuple[float, float]:
        """The top vertex (the leftmost of ties): a bounding box's corner can lie far off a polygon, and
        beside another shape's corner (a box and a polygon around one person: tags on top of each other)."""
        return end_point(ann.segmentation or [], top=True) or super().label_anchor(ann)

    def low_anchor(self, ann: Annotation) -> tuple[float, float]:
        """The bottom vertex (the leftmost of ties), as ``label_anchor`` the top one."""
        return end_point(ann.segmentation or [], top=False) or super().low_anchor(ann)


def polygon_path(polygons: list[list[float]]) -> QPainterPath:
    """The outline of flat [x0, y0, x1, y1, ...] polygons as a polygon is drawn (item or layer)."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for poly in polygons:
        pts = [QPointF(poly[i], poly[i + 1]) for i in range(0, len(poly) - 1, 2)]
        if len(pts) >= 2:
            path.addPolygon(QPolygonF(pts))
            path.closeSubpath()
    return path


class MaskItem(AnnotationItemMixin, QGraphicsItem):
    """A pixel-mask annotation: translucent colour over the mask's pixels plus an outline."""

    kind = "mask"

    def __init__(self, ann: Annotation, image_size: tuple[int, int], show: ShowFilter) -> None:
        QGraphicsItem.__init__(self)
        self._init_common(ann, image_size, show)
        self._pen = QPen()
        self._brush = QBrush()
        self._origin = (0, 0)
        self._mask_crop: np.ndarray = np.zeros((0, 0), dtype=bool)
        self._rgba: np.ndarray = np.zeros((0, 0, 4), dtype=np.uint8)
        self._qimage = QImage()
        self._outline = QPainterPath()
        self._rect = QRectF()
        self._live = False  # a brush stroke is painting into this item: outline hidden until sync
        self.too_big = ""  # why the pixels are not shown (a mask over the pixel limit), "" when they are
        self._chunks: list[tuple[QRectF, QPolygonF]] = []
        self._chunks_of: QPainterPath | None = None  # the outline the chunks were cut from
        # exposedRect = the dirty area, so a small repaint strokes only the outline pieces crossing it
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    # QGraphicsItem API -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        return self._outline

    def setPen(self, pen: QPen) -> None:
        self._pen = pen
        self.update()

    def setBrush(self, brush: QBrush) -> None:
        self._brush = brush
        if self._mask_crop.size:
            self._recolor(0, 0, self._mask_crop.shape[1], self._mask_crop.shape[0])
        self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self._qimage.isNull():
            return
        opacity = self.show_filter.fill_opacity
        if self._live:
            opacity = max(opacity, 0.6)  # what is being painted stays visible in outline-only mode
        if opacity > 0:
            saved = painter.opacity()
            painter.setOpacity(saved * opacity)
            painter.drawImage(QPointF(*self._origin), self._qimage)
            if self._look == REJECTED and not self._live:  # struck out, as a rejected box's fill
                painter.fillPath(self._outline, self._brush)
            painter.setOpacity(saved)
        if self._live:
            return
        painter.setBrush(Qt.BrushStyle.NoBrush)
        paths = self._outline_paths(option.exposedRect, painter)
        if self._selected_look:  # a light halo under the outline: the selection stands out on any image
            halo = QPen(QColor(255, 255, 255, 230), self._pen.widthF() + 2.5)
            halo.setCosmetic(True)
            halo.setCapStyle(Qt.PenCapStyle.FlatCap)  # outlines are closed; pieces must not overhang
            painter.setPen(halo)
            for path in paths:
                painter.drawPath(path)
        pen = QPen(self._pen)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        for path in paths:
            painter.drawPath(path)

    def _outline_paths(self, exposed: QRectF, painter: QPainter) -> list[QPainterPath]:
        """The whole outline, or for a small exposed area (brush dirty rectangles) only the pieces
        crossing it: stroking an outline of thousands of vertices per mouse move costs more than the rest
        of the repaint."""
        r = self._rect
        if exposed.width() * exposed.height() >= 0.25 * r.width() * r.height():
            return [self._outline]
        if self._chunks_of is not self._outline:
            self._chunks, self._chunks_of = outline_pieces(self._outline), self._outline
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        m = 5.0 / max(lod, 1e-6)  # the cosmetic pens' half width, in image pixels
        area = exposed.adjusted(-m, -m, m, m)
        path = QPainterPath()  # one path: overlapping pieces of a translucent pen must not blend twice
        for box, piece in self._chunks:
            if box.intersects(area):
                path.addPolygon(piece)
        return [path]

    # mask data ---------------------------------------------------------------------------------
    def sync_shape(self, ann: Annotation) -> None:
        self.too_big = ""
        try:
            self._sync_pixels(ann)
        except LimitError as e:  # a mask spread over a slide: shown as nothing, and said (CanvasView)
            self.too_big = str(e)
            self.set_mask(np.zeros((0, 0), dtype=bool), (0, 0))

    def _sync_pixels(self, ann: Annotation) -> None:
        self._live = False
        crop, origin = mask_crop(ann, self.image_size)
        self.set_mask(crop, origin)

    def label_anchor(self, ann: Annotation) -> tuple[float, float]:
        """The top row's first pixel (as a polygon's top vertex), from the pixels shown."""
        return row_start(self._mask_crop, self._origin, top=True) or super().label_anchor(ann)

    def low_anchor(self, ann: Annotation) -> tuple[float, float]:
        """Under the bottom row's first pixel, as ``label_anchor`` the top row's."""
        return row_start(self._mask_crop, self._origin, top=False) or super().low_anchor(ann)

    def set_mask(self, crop: np.ndarray, origin: tuple[int, int]) -> None:
        """Show ``crop`` (a boolean mask) with its top-left pixel at ``origin``."""
        self.prepareGeometryChange()
        self._origin = origin
        self._mask_crop = np.ascontiguousarray(crop, dtype=bool)
        ch, cw = self._mask_crop.shape
        self._rgba = np.zeros((ch, cw, 4), dtype=np.uint8)
        self._qimage = (
            QImage(
                self._rgba.data, cw, ch, int(self._rgba.strides[0]), QImage.Format.Format_ARGB32_Premultiplied
            )
            if cw and ch
            else QImage()
        )
        self._recolor(0, 0, cw, ch)
        self._outline = trace_outline(self._mask_crop, self._origin)
        self._rect = QRectF(origin[0], origin[1], cw, ch).adjusted(-1, -1, 1, 1)
        self.update()

    def update_region(self, crop: np.ndarray, x0: int, y0: int) -> None:
        """Replace the pixels of a dirty rectangle (image coordinates; inside the current crop) and
        redraw only there — the brush and eraser call this while painting."""
        ox, oy = self._origin
        h, w = crop.shape
        self._mask_crop[y0 - oy : y0 - oy + h, x0 - ox : x0 - ox + w] = crop
        self._recolor(x0 - ox, y0 - oy, w, h)
        self._outline = trace_outline(self._mask_crop, self._origin)
        self.update(QRectF(x0, y0, w, h).adjusted(-1, -1, 1, 1))

    # live painting (brush / eraser) -----------------------------------------------------------
    @property
    def is_live(self) -> bool:
        return self._live

    def paint_live(self, mask: np.ndarray, rect: tuple[int, int, int, int]) -> None:
        """A stroke in progress: show the full-size ``mask`` being painted inside ``rect`` (image pixels),
        growing the crop when the stroke leaves it. Only ``rect`` is recoloured and redrawn; the outline
        is hidden until the next ``sync`` (re-tracing it per mouse move would cost more than the paint)."""
        x, y, w, h = rect
        self._grow_to(x, y, w, h)
        ox, oy = self._origin
        self._mask_crop[y - oy : y - oy + h, x - ox : x - ox + w] = mask[y : y + h, x : x + w]
        self._recolor(x - ox, y - oy, w, h)
        if not self._live:
            self._live = True
            self.update()  # drop the outline once
        else:
            self.update(QRectF(x, y, w, h))

    def _grow_to(self, x: int, y: int, w: int, h: int) -> None:
        """Make the crop hold ``(x, y, w, h)``: grown by half its size (>= 256 px) towards the stroke, so
        a long stroke reallocates a few times, not at every move."""
        ox, oy = self._origin
        ch, cw = self._mask_crop.shape
        if ch and cw and x >= ox and y >= oy and x + w <= ox + cw and y + h <= oy + ch:
            return
        ih, iw = self.image_size
        if not (ch and cw):
            ox, oy, cw, ch = x, y, w, h
        mx, my = max(256, cw // 2), max(256, ch // 2)
        nx0 = max(0, ox if x >= ox else x - mx)
        ny0 = max(0, oy if y >= oy else y - my)
        nx1 = min(iw, ox + cw if x + w <= ox + cw else x + w + mx)
        ny1 = min(ih, oy + ch if y + h <= oy + ch else y + h + my)
        crop = np.zeros((ny1 - ny0, nx1 - nx0), dtype=bool)
        rgba = np.zeros((ny1 - ny0, nx1 - nx0, 4), dtype=np.uint8)
        if self._mask_crop.size:
            oh, ow = self._mask_crop.shape
            px, py = self._origin[0] - nx0, self._origin[1] - ny0
            crop[py : py + oh, px : px + ow] = self._mask_crop
            rgba[py : py + oh, px : px + ow] = self._rgba
        self.prepareGeometryChange()
        self._origin = (nx0, ny0)
        self._mask_crop, self._rgba = crop, rgba
        self._qimage = QImage(
            rgba.data, nx1 - nx0, ny1 - ny0, int(rgba.strides[0]), QImage.Format.Format_ARGB32_Premultiplied
        )
        self._rect = QRectF(nx0, ny0, nx1 - nx0, ny1 - ny0).adjusted(-1, -1, 1, 1)

    def refresh_display(self) -> None:
        """Opacity and visibility only: the colours of the image do not change."""
        self.setVisible(self.shown())
        self.update()

    def _recolor(self, x: int, y: int, w: int, h: int) -> None:
        c = self._brush.color() if self._brush.style() != Qt.BrushStyle.NoBrush else QColor(0, 0, 0, 0)
        region = self._mask_crop[y : y + h, x : x + w]
        out = self._rgba[y : y + h, x : x + w].view(np.uint32)  # one 32-bit store per pixel:
        packed = mask_fill(c, self._look, self._selected_look)  # ~60x faster than out[region] = ...
        np.multiply(region[..., None], packed, out=out)


ITEM_CLASSES: dict[str, type[AnnotationItemMixin]] = {
    "box": BoxItem,
    "polygon": PolygonItem,
    "mask": MaskItem,
}


def make_item(
    ann: Annotation,
    cat: Category | None,
    image_size: tuple[int, int],
    show_label: bool,
    show: ShowFilter,
) -> AnnotationItemMixin:
    """A new item for ``ann``, of the class registered for its kind, hiding what ``show`` (its canvas's)
    hides."""
    item = ITEM_CLASSES[ann.kind](ann, image_size, show)  # type: ignore[call-arg]
    item.sync(ann, cat, show_label)
    return item
