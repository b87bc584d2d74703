"""Polygons drawn in bulk until someone touches them, as the box layer's boxes (``layers``).

A slide's imported cells are 20,000 polygons: an item each, with its tag, cost ~12x one bare path item a
cell to put on the canvas. So an untouched polygon is an entry of the ``BoxLayer`` (``LayerPolygon``: its
bounding box for hit-testing, tags - ``TagLayer``, ``tag_layout`` - and the rubber band, plus its outline),
and ``PolygonLayer`` draws every such polygon in the layer's order, one pen and brush per run of a
(category, review look) style, the runs grouped once and again only when the layer's set or the display
settings change. It sits at a polygon item's height:
under the boxes, as before. Anything that looks a polygon up (``LazyItems``) - selecting it, a drag, an
edit - turns it into its own ``PolygonItem`` with its vertex handles, as today.

Selecting many polygons does not (``MANY_SELECTED``): select all of 10,000 made 10,000 items and their
vertex handles (~3.9 s), which help nobody on thousands. They stay in the layer and ``SelectedPolygons``
draws them with the selected look at a selected item's height (no resize handles: ``SelectedHandles`` is
the boxes'); a drag moves it as ``SelectedBoxes``, and a tool that looks one up still gets its item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.core.geometry import end_point
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import Z_BY_KIND, Z_SELECTED, MaskItem, polygon_path
from pixelproof.ui.canvas.layers import BoxLayer, _Box

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView
from pixelproof.ui.canvas.looks import category_color, fill_brush, outline_pen
from pixelproof.ui.canvas.mask_layer import large_box, selected_in_layer

LAYER_KINDS = ("box", "polygon", "mask")  # the kinds the layer draws until they get an item
MANY_SELECTED = 64  # more selected polygons than this stay in the layer (``SelectedPolygons``), no items


class LayerPolygon(_Box):
    """A polygon of the layer: its box (``_Box``: its outline's bounds, not the stored bbox), its outline as
    its item draws it, and where its tag sits above and below (its top and bottom vertex, as
    ``PolygonItem``'s)."""

    __slots__ = ("path",)
    as_rect = False
    kind = "polygon"

    def __init__(self, ann: Annotation) -> None:
        super().__init__(ann)
        self.path = polygon_path(ann.segmentation or [])
        # where its outline is, as its item's bounds: by a stale stored bbox (an import's, which lint's
        # bbox_matches flags) it was not drawn nor taken by a click zoomed in on it
        if not self.path.isEmpty():
            r = self.path.boundingRect()
            self.x, self.y, self.w, self.h = r.x(), r.y(), r.width(), r.height()
        top = end_point(ann.segmentation or [], top=True)
        low = end_point(ann.segmentation or [], top=False)
        self.top_x = top[0] if top is not None else self.x
        self.low_x = low[0] if low is not None else self.x

    def outline(self) -> QPainterPath:
        return self.path

    def hits(self, point: QPointF, margin: float) -> bool:
        """Inside the outline, or within ``margin`` of it (as the item's shape with its outline)."""
        if self.path.contains(point):
            return True
        near = QRectF(point.x() - margin, point.y() - margin, 2 * margin, 2 * margin)
        return self.path.intersects(near)

    def touches(self, rect: QRectF) -> bool:
        return self.path.intersects(rect)


class PolygonLayer(QGraphicsItem):
    """The ``BoxLayer``'s polygons at a polygon item's height, in the layer's order, with one pen and brush
    per (category, review look) style (a selected one is ``SelectedPolygons``', or has its own item). Each
    polygon is drawn on its own, as its item drew it: one path of a style's polygons, winding fill, left a
    hole where a clockwise and an anticlockwise one overlap and filled an overlap once, where two items
    darken it; and drawing a style's polygons together put a dog between two cats over the last cat."""

    def __init__(self, layer: BoxLayer) -> None:
        super().__init__()
        self.layer = layer
        self._paths: (
            tuple[list[tuple[int, str]], list[QPainterPath], np.ndarray, np.ndarray, np.ndarray] | None
        )
        self._paths = None
        self.keep_selected = (
            False  # many selected: they stay here (``follow_selection``), drawn by ``chosen``
        )
        self.chosen = SelectedPolygons(self)
        self.setZValue(Z_BY_KIND["polygon"])
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def changed(self) -> None:
        """The layer's polygons or the display settings changed: the styles are grouped again when drawn."""
        self._paths = None
        self.prepareGeometryChange()
        self.chosen.prepareGeometryChange()
        self.update()
        self.chosen.update()

    def boundingRect(self) -> QRectF:
        return self.layer.boundingRect()

    def style_paths(
        self,
    ) -> tuple[list[tuple[int, str]], list[QPainterPath], np.ndarray, np.ndarray, np.ndarray]:
        """The shown polygons in drawing order (the layer's, as their items were stacked: a dog between two
        cats under the last cat): (the (category id, review look) styles, the polygons, each one's style as
        an index into the styles, their boxes as x0 y0 x1 y1, their indices into ``arrays()``). Made once
        for the layer's set: a selection only picks from them (``paint_polygons``)."""
        if self._paths is None:
            styles: dict[tuple[int, str], int] = {}
            paths: list[QPainterPath] = []
            style_of: list[int] = []
            picked: list[int] = []
            for k, entry in enumerate(self.layer.boxes.values()):
                if isinstance(entry, LayerPolygon) and self.layer.shown(entry):
                    paths.append(entry.path)
                    style_of.append(styles.setdefault((entry.category_id, entry.look), len(styles)))
                    picked.append(k)
            where = np.array(picked, dtype=np.int64)
            xyxy = self.layer.arrays()[1][where] if picked else np.zeros((0, 4))
            self._paths = (list(styles), paths, np.array(style_of, dtype=np.int64), xyxy, where)
        return self._paths

    def tag_xs(self) -> tuple[np.ndarray, np.ndarray]:
        """``tag_xs`` of the layer: where each entry's tag starts above and below it (``SelectedTags``)."""
        return tag_xs(self.layer)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.paint_polygons(painter, option.exposedRect, selected=False)

    def paint_polygons(self, painter: QPainter, exposed: QRectF, selected: bool) -> None:
        """Draw the shown polygons, the selected ones (as a selected ``PolygonItem``) or the others."""
        if selected and not self.layer.selected:
            return
        styles, paths, style_of, xyxy, where = self.style_paths()
        m = 4.0 / (abs(painter.worldTransform().m11()) or 1.0)  # the cosmetic outline past the box (4 px)
        near = (xyxy[:, 0] - m <= exposed.right()) & (xyxy[:, 2] + m >= exposed.left())
        near &= (xyxy[:, 1] - m <= exposed.bottom()) & (xyxy[:, 3] + m >= exposed.top())
        if self.layer.selected:
            chosen = self.layer.selected_mask()[where]
            near &= chosen if selected else ~chosen
        drawn = np.flatnonzero(near)
        looks: list[tuple[QPen, QBrush] | None] = [None] * len(styles)
        draw = painter.drawPath
        current = -1
        for k, style in zip(drawn.tolist(), style_of[drawn].tolist(), strict=True):
            if style != current:
                current = style
                look = looks[style]
                if look is None:
                    cat_id, name = styles[style]
                    color = category_color(self.layer.category(cat_id))
                    brush = fill_brush(color, selected, name)
                    c = brush.color()
                    c.setAlphaF(c.alphaF() * self.layer.show_filter.fill_opacity)  # as ``_apply_look``
                    brush.setColor(c)
                    look = looks[style] = (outline_pen(color, selected, name), brush)
                painter.setPen(look[0])
                painter.setBrush(look[1])
            draw(paths[k])


class SelectedPolygons(QGraphicsItem):
    """The selected polygons of the layer (many: ``MANY_SELECTED``), at a selected ``PolygonItem``'s height
    and with its look. ``SelectedBoxes`` moves it along in a drag's preview."""

    def __init__(self, polygons: PolygonLayer) -> None:
        super().__init__()
        self.polygons = polygons
        self.setZValue(Z_BY_KIND["polygon"] + Z_SELECTED)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QRectF:
        return self.polygons.layer.boundingRect()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.polygons.paint_polygons(painter, option.exposedRect, selected=True)


def tag_xs(layer: BoxLayer) -> tuple[np.ndarray, np.ndarray]:
    """Per entry of ``layer.arrays()``: where its tag starts above it and below it (image pixels): a box's
    left edge, a polygon's top and bottom vertex (``PolygonItem.label_anchor``)."""
    arrays = layer.arrays()
    cached = getattr(layer, "_tag_xs", None)
    if cached is None or cached[0] is not arrays:
        n = len(layer.boxes)
        top = np.fromiter((b.top_x for b in layer.boxes.values()), dtype=np.float64, count=n)
        low = np.fromiter((b.low_x for b in layer.boxes.values()), dtype=np.float64, count=n)
        cached = layer._tag_xs = (arrays, top, low)  # type: ignore[attr-defined]
    return cached[1], cached[2]


def gets_item(view: CanvasView, ann_id: int) -> bool:
    """Whether polygon or mask ``ann_id`` has its own item while selected: unless many of its kind are
    (``follow_selection``)."""
    layer = view.box_layer
    if not view.document.is_selected(ann_id):
        return False
    if layer is None:
        return True
    ann = view.document.project.annotations.get(ann_id)
    if ann is not None and ann.kind == "mask":
        big = selected_in_layer(layer.boxes.get(ann_id), port_pixels(view))
        return not layer.masks.keep_selected and not big
    return not layer.polygons.keep_selected


def port_pixels(view: CanvasView) -> int:
    """The viewport's pixels: a view's area at 100 % (``selected_in_layer``)."""
    port = view.viewport().size()
    return port.width() * port.height()


def drawn_by_layer(view: CanvasView, ann: Annotation, item: object) -> bool:
    """Whether selected mask ``ann``'s item goes back to the layer, drawn selected from its reduced copy or
    a view window: it is large (``selected_in_layer``'s rule, by its stored box) and no tool is painting into
    it. Its item was made for a brush or eraser stroke (a ``live_mask.LiveMask`` of the stroke's area is now;
    an item made while it was small stays for a stroke that makes it large); kept until the mask was
    unselected, it held the whole
    box decoded, coloured and traced (a slide's 12,000 x 9,000 region: 0.64 GB resident after a stroke,
    0.17 GB put back) and redid all of it at each stroke, undo and redo. Also asked when a mask with its
    item changes (the canvas's ``_on_changed``): a small selected mask a wand click makes large goes back
    before its item decodes the new box."""
    tool = view.tool
    return (
        isinstance(item, MaskItem)
        and not item.too_big
        and large_box(ann.bbox[2], ann.bbox[3], port_pixels(view))
        and not (tool is not None and tool.busy())
    )


def follow_selection(view: CanvasView, selected: set[int]) -> None:
    """Give each selected polygon of the layer its item (vertex handles, drags: ``LazyItems``) - unless more
    than ``MANY_SELECTED`` are: then they stay in the layer, drawn selected - and put the item of an
    unselected polygon or box (or of any polygon, when many are selected) back in the layer, in its place:
    an item left over it after a click or a resize was drawn above every object of the layer (over those it
    used to be under, a later box's outline hidden under it), and a slide's cells clicked one by one each
    kept an item. A selected box keeps an item a tool made (a resize under way). Masks as polygons
    (``mask_layer``): a selected one has its item (the brush and eraser paint into it), unless many are or
    it is large (``selected_in_layer``: a stroke on it makes its item, put back after: ``drawn_by_layer``)."""
    layer = view.box_layer
    doc = view.document
    if layer is None or doc is None:
        return
    anns = doc.project.annotations
    polygons = [i for i in selected if (a := anns.get(i)) is not None and a.kind == "polygon"]
    many = layer.polygons.keep_selected = len(polygons) > MANY_SELECTED
    for ann_id in [] if many else [i for i in polygons if isinstance(layer.boxes.get(i), LayerPolygon)]:
        view.items_by_id.get(ann_id)
    masks = [i for i in selected if (a := anns.get(i)) is not None and a.kind == "mask"]
    many_masks = layer.masks.keep_selected = len(masks) > MANY_SELECTED
    port = port_pixels(view)
    for ann_id in [] if many_masks else [i for i in masks if i in layer.boxes]:
        if not selected_in_layer(layer.boxes[ann_id], port):  # a large one: drawn selected by the layer
            view.items_by_id.get(ann_id)  # a selected mask has its item: the selected look, brush edits
    back = []
    for ann_id, item in list(view.items_by_id.items()):
        ann = anns.get(ann_id)
        if (
            ann is None
            or ann.kind not in LAYER_KINDS
            or item.kind != ann.kind
            or ann.image_id != view.image_id
        ):
            continue
        kept = ann.kind == "box" or not (many_masks if ann.kind == "mask" else many)
        if ann_id in selected and kept and not (ann.kind == "mask" and drawn_by_layer(view, ann, item)):
            continue
        dict.pop(view.items_by_id, ann_id)
        if item.scene() is not None:  # type: ignore[attr-defined]
            item.scene().removeItem(item)  # type: ignore[attr-defined]
        back.append(ann)
    if back:
        layer.add_many(back)
        layer.reorder(doc.project.annotation_ids_of(view.image_id), [a.id for a in back])
        layer.set_selected(selected)  # a large mask back from a stroke: drawn selected
