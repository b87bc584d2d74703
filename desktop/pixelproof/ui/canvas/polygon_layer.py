"""Polygons drawn in bulk until someone touches them, as the box layer's boxes (``layers``).

A slide's imported cells are 20,000 polygons: an item each, with its tag, cost ~12x one bare path item a
cell to put on the canvas. So an untouched polygon is an entry of the ``BoxLayer`` (``LayerPolygon``: its
bounding box for hit-testing, tags - ``TagLayer``, ``tag_layout`` - and the rubber band, plus its outline),
and ``PolygonLayer`` draws every such polygon in the layer's order, one pen and brush per run of a
(category, review look) style, the runs grouped once and again only when the layer's set or the display
settings change. It sits at a polygon item's height:
under the boxes, as before. Anything that looks a polygon up (``LazyItems``) - selecting it, a drag, an
edit - turns it into its own ``PolygonItem`` with its vertex handles, as today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.core.geometry import end_point
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import Z_BY_KIND, polygon_path
from pixelproof.ui.canvas.layers import BoxLayer, _Box

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView
from pixelproof.ui.canvas.looks import category_color, fill_brush, outline_pen

LAYER_KINDS = ("box", "polygon")  # the kinds of annotation the layer draws until they get an item


class LayerPolygon(_Box):
    """A polygon of the layer: its box (``_Box``: its outline's bounds, not the stored bbox), its outline as
    its item draws it, and where its tag sits above and below (its top and bottom vertex, as
    ``PolygonItem``'s)."""

    __slots__ = ("path",)
    as_rect = False

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
    per (category, review look) style (a selected polygon has its own item: it is never drawn here). Each
    polygon is drawn on its own, as its item drew it: one path of a style's polygons, winding fill, left a
    hole where a clockwise and an anticlockwise one overlap and filled an overlap once, where two items
    darken it; and drawing a style's polygons together put a dog between two cats over the last cat."""

    def __init__(self, layer: BoxLayer) -> None:
        super().__init__()
        self.layer = layer
        self._paths: tuple[list[tuple[int, str]], list[QPainterPath], np.ndarray, np.ndarray] | None = None
        self.setZValue(Z_BY_KIND["polygon"])
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def changed(self) -> None:
        """The layer's polygons or the display settings changed: the styles are grouped again when drawn."""
        self._paths = None
        self.prepareGeometryChange()
        self.update()

    def boundingRect(self) -> QRectF:
        return self.layer.boundingRect()

    def style_paths(self) -> tuple[list[tuple[int, str]], list[QPainterPath], np.ndarray, np.ndarray]:
        """The shown polygons in drawing order (the layer's, as their items were stacked: a dog between two
        cats under the last cat): (the (category id, review look) styles, the polygons, each one's style as
        an index into the styles, their boxes as x0 y0 x1 y1)."""
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
            xyxy = self.layer.arrays()[1][np.array(picked, dtype=np.int64)] if picked else np.zeros((0, 4))
            self._paths = (list(styles), paths, np.array(style_of, dtype=np.int64), xyxy)
        return self._paths

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        styles, paths, style_of, xyxy = self.style_paths()
        exposed = option.exposedRect
        m = 4.0 / (abs(painter.worldTransform().m11()) or 1.0)  # the cosmetic outline past the box (4 px)
        near = (xyxy[:, 0] - m <= exposed.right()) & (xyxy[:, 2] + m >= exposed.left())
        near &= (xyxy[:, 1] - m <= exposed.bottom()) & (xyxy[:, 3] + m >= exposed.top())
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
                    brush = fill_brush(color, False, name)
                    c = brush.color()
                    c.setAlphaF(c.alphaF() * self.layer.show_filter.fill_opacity)  # as ``_apply_look``
                    brush.setColor(c)
                    look = looks[style] = (outline_pen(color, False, name), brush)
                painter.setPen(look[0])
                painter.setBrush(look[1])
            draw(paths[k])


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


def follow_selection(view: CanvasView, selected: set[int]) -> None:
    """Give each selected polygon of the layer its item (vertex handles, drags: ``LazyItems``), and put an
    unselected polygon's item back in the layer, in its place: a polygon item left over it after a click
    was drawn above every polygon of the layer (over those it used to be under), and a slide's cells
    clicked one by one each kept an item."""
    layer = view.box_layer
    doc = view.document
    if layer is None or doc is None:
        return
    for ann_id in [i for i in selected if isinstance(layer.boxes.get(i), LayerPolygon)]:
        view.items_by_id.get(ann_id)
    back = []
    for ann_id, item in list(view.items_by_id.items()):
        ann = doc.project.annotations.get(ann_id)
        if ann_id in selected or item.kind != "polygon" or ann is None or ann.kind != "polygon":
            continue
        dict.pop(view.items_by_id, ann_id)
        if item.scene() is not None:  # type: ignore[attr-defined]
            item.scene().removeItem(item)  # type: ignore[attr-defined]
        back.append(ann)
    if back:
        layer.add_many(back)
        layer.reorder(doc.project.annotation_ids_of(view.image_id), [a.id for a in back])
