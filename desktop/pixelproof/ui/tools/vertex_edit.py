"""A selected polygon's vertices, as the polygon tool (P) and the select / edit tool (V) edit them: the
handles drawn on them, what of the polygon is under the pointer (a vertex, an edge, its inside), and the
undoable edits of one vertex (delete it, its part; the right-click menu for both). One implementation, so a
LabelMe user who reshapes in V (LabelMe's edit mode) and one who does in P get the same thing."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QMenu

from pixelproof.core import masks
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.lint.shapes import polygon_degenerate, polygon_points
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import PolygonItem
from pixelproof.ui.canvas.tool_event import ToolEvent

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView
    from pixelproof.ui.tools.base import Tool

HIT_PX = 7  # screen pixels: how close counts as "on" a vertex or an edge
VERTEX_PX = 8.0
DRAG_PX = 3

Polygons = list[list[float]]
Hit = tuple[str, int, int, QPointF | None]


class VertexHandle(QGraphicsRectItem):
    """A square a fixed number of screen pixels wide on a polygon vertex."""

    def __init__(self, color: QColor, first: bool = False) -> None:
        s = VERTEX_PX + (2 if first else 0)
        super().__init__(-s / 2, -s / 2, s, s)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        pen = QPen(color.darker(170), 1)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(color if first else QColor(255, 255, 255))


def points_of(poly: list[float]) -> list[tuple[float, float]]:
    return [(poly[i], poly[i + 1]) for i in range(0, len(poly) - 1, 2)]


def flat(points: list[tuple[float, float]]) -> list[float]:
    return [round(float(v), 2) for p in points for v in p]


def with_polygons(ann: Annotation, polygons: Polygons, height: int, width: int) -> Annotation:
    """A clone of ``ann`` with new polygons (bbox and area recomputed as pycocotools would)."""
    out = clone(ann)
    out.set_geometry(
        polygons, masks.polygons_bbox(polygons), masks.segmentation_area(polygons, [], height, width)
    )
    return out


def degenerate(polygons: Polygons) -> str | None:
    """Why an outline would make a zero-area part (which lint calls invalid), None when every part is fine."""
    for poly in polygons:
        defect = polygon_degenerate(polygon_points(poly))
        if defect is not None:
            return f"a polygon needs 3 vertices not on one line ({defect})"
    return None


def _segment_distance(p: QPointF, a: QPointF, b: QPointF) -> tuple[float, float]:
    """Distance from ``p`` to segment ``ab`` and the position (0..1) of the closest point."""
    dx, dy = b.x() - a.x(), b.y() - a.y()
    d2 = dx * dx + dy * dy
    t = 0.0 if d2 == 0 else max(0.0, min(1.0, ((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / d2))
    cx, cy = a.x() + t * dx, a.y() + t * dy
    return math.hypot(p.x() - cx, p.y() - cy), t


def polygon_hit(canvas: CanvasView, ann: Annotation, e: ToolEvent) -> Hit | None:
    """What of polygon ``ann`` is under the pointer: ("vertex", part, index, None), ("edge", part,
    insert-at index, image point) or ("inside", -1, -1, None); within ``HIT_PX`` screen pixels. Inside the
    polygon a vertex or an edge is taken only nearer than the centre of its box (as a box's handles,
    ``hit_test.grabbable``): on a defect a few screen pixels wide every press was on a vertex, and a drag
    from its middle bent it instead of moving it."""

    def view(x: float, y: float) -> QPointF:
        return QPointF(canvas.mapFromScene(QPointF(x, y)))

    p = QPointF(e.view_pos)
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for poly in ann.segmentation:
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in points_of(poly)]))
        path.closeSubpath()
    inside = path.contains(e.pos)
    centre = view(*path.boundingRect().center().toTuple())
    reach = math.hypot(centre.x() - p.x(), centre.y() - p.y()) if inside else math.inf
    best: tuple[float, int, int] | None = None
    for pi, poly in enumerate(ann.segmentation):
        for vi, (x, y) in enumerate(points_of(poly)):
            v = view(x, y)
            d = math.hypot(v.x() - p.x(), v.y() - p.y())
            if d <= HIT_PX and d < reach and (best is None or d < best[0]):
                best = (d, pi, vi)
    if best is not None:
        return "vertex", best[1], best[2], None
    edge: tuple[float, int, int, float] | None = None
    for pi, poly in enumerate(ann.segmentation):
        pts = points_of(poly)
        for vi in range(len(pts)):
            a, b = pts[vi], pts[(vi + 1) % len(pts)]
            d, t = _segment_distance(p, view(*a), view(*b))
            if d <= HIT_PX and d < reach and (edge is None or d < edge[0]):
                edge = (d, pi, vi, t)
    if edge is not None:
        _, pi, vi, t = edge
        pts = points_of(ann.segmentation[pi])
        (ax, ay), (bx, by) = pts[vi], pts[(vi + 1) % len(pts)]
        return "edge", pi, vi + 1, QPointF(ax + t * (bx - ax), ay + t * (by - ay))
    return ("inside", -1, -1, None) if inside else None


class VertexHandles:
    """The handles on a polygon's vertices (rebuilt only when the polygon or its outline changed)."""

    def __init__(self, canvas: CanvasView) -> None:
        self.canvas = canvas
        self.items: list[VertexHandle] = []
        self._key: tuple | None = None

    def sync(self, ann: Annotation | None, polygons: Polygons) -> None:
        """Handles on ``polygons`` (``ann``'s outline, or the one being dragged), in its category's colour."""
        key = (ann.id if ann else None, str(polygons))
        if key == self._key:
            return
        self.clear()
        self._key = key
        color = QColor(255, 255, 255)
        doc = self.canvas.document
        if ann is not None and doc is not None:
            cat = doc.project.categories.get(ann.category_id)
            color = QColor(cat.color) if cat is not None and cat.color else color
        for poly in polygons:
            for x, y in points_of(poly):
                h = VertexHandle(color)
                h.setPos(x, y)
                self.canvas.add_overlay(h)
                self.items.append(h)

    def clear(self) -> None:
        for h in self.items:
            if shiboken6.isValid(h):  # a cleared scene deletes overlays too
                self.canvas.remove_overlay(h)
        self.items = []
        self._key = None


def replace_polygons(tool: Tool, ann_id: int, polygons: Polygons, text: str) -> None:
    """One undo step giving object ``ann_id`` these polygons."""
    doc = tool.document
    h, w = tool.canvas.image_size()
    doc.push(ReplaceAnnotations([with_polygons(doc.project.annotations[ann_id], polygons, h, w)], text))


def delete_vertex(tool: Tool, ann_id: int, part: int, index: int) -> bool:
    """Remove one vertex (a part with 3 vertices goes as a whole, unless it is the only one)."""
    ann = tool.document.project.annotations[ann_id]
    polygons = [list(p) for p in ann.segmentation]
    if len(polygons[part]) // 2 > 3:
        del polygons[part][2 * index : 2 * index + 2]
        text = "Delete vertex"
    elif len(polygons) > 1:
        del polygons[part]
        text = "Delete polygon part"
    else:
        tool.canvas.message.emit("A polygon needs 3 vertices; Del deletes the whole object")
        return False
    defect = degenerate(polygons)
    if defect is not None:
        tool.canvas.message.emit(f"Vertex not deleted: {defect}")
        return False
    replace_polygons(tool, ann_id, polygons, text)
    return True


def delete_part(tool: Tool, ann_id: int, part: int) -> None:
    ann = tool.document.project.annotations[ann_id]
    if len(ann.segmentation) > 1:
        kept = [p for i, p in enumerate(ann.segmentation) if i != part]
        replace_polygons(tool, ann_id, kept, "Delete polygon part")


def vertex_menu(tool: Tool, ann: Annotation, e: ToolEvent, after: Callable[[], None]) -> QMenu | None:
    """Right-click on a vertex of ``ann``: a menu to delete it (or its part), shown at the pointer; then
    ``after``. None (no menu) when the pointer is not on a vertex."""
    hit = polygon_hit(tool.canvas, ann, e)
    if hit is None or hit[0] != "vertex":
        return None
    _, part, index, _ = hit
    menu = QMenu(tool.canvas)
    menu.setObjectName("polygonVertexMenu")
    menu.addAction("Delete Vertex", lambda: (delete_vertex(tool, ann.id, part, index), after()))
    act = menu.addAction("Delete Polygon Part", lambda: (delete_part(tool, ann.id, part), after()))
    act.setEnabled(len(ann.segmentation) > 1)
    menu.popup(tool.canvas.viewport().mapToGlobal(e.view_pos))
    return menu


def preview_polygons(canvas: CanvasView, ann: Annotation, polygons: Polygons) -> None:
    """Draw object ``ann``'s item with ``polygons`` while a vertex is dragged (nothing stored)."""
    item = canvas.items_by_id.get(ann.id)
    if isinstance(item, PolygonItem):
        preview = clone(ann)
        preview.segmentation = polygons
        item.sync_shape(preview)
