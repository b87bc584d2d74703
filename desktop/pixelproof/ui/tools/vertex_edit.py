"""A selected polygon's vertices, as the polygon tool (P) and the select / edit tool (V) edit them: the
handles drawn on them, what of the polygon is under the pointer (a vertex, an edge, its inside), and the
undoable edits of one vertex (delete it, its part; the right-click menu for both). One implementation, so a
LabelMe user who reshapes in V (LabelMe's edit mode) and one who does in P get the same thing."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QMenu

from pixelproof.core import masks
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.lint.shapes import polygon_degenerate, polygon_points, self_intersects
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
        self.hot = False

    def set_hot(self, hot: bool) -> None:
        """Marked as what a click closes on (the first vertex with the pointer on it), as LabelMe and CVAT
        enlarge it: half as large again, in a white outline."""
        if hot == self.hot:
            return
        self.hot = hot
        self.setScale(1.6 if hot else 1.0)
        pen = QPen(QColor(255, 255, 255) if hot else self.brush().color().darker(170), 2 if hot else 1)
        pen.setCosmetic(True)
        self.setPen(pen)


DELETE_MODIFIERS = Qt.KeyboardModifier.AltModifier  # Alt+click on a vertex deletes it, as in CVAT


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


def crossing_note(polygons: Polygons, what: str = "") -> str | None:
    """What to say of an outline that crosses itself, None when no part does. Such a polygon is kept (COCO
    allows it, and LabelMe and CVAT store it), but pycocotools fills it by the even-odd rule - an area the
    outline goes round twice, as a star's middle, is left out - and the problem finder calls it invalid.
    ``what`` names the outline ("the new part"; default: "its outline", or the part crossing)."""
    parts = [i for i, poly in enumerate(polygons) if self_intersects(polygon_points(poly))]
    if not parts:
        return None
    which = what or (f"part {parts[0] + 1}" if len(polygons) > 1 else "its outline")
    return (
        f"{which} crosses itself: kept as drawn, but COCO's pycocotools leaves out what the outline goes "
        "round twice and the problem finder names it (invalid polygon); Ctrl+Z takes it back"
    )


def _on_screen(canvas: CanvasView, poly: list[float]) -> np.ndarray:
    """(n, 2): the vertices of flat ``poly`` in viewport pixels, all at once (a polygon of 2,000 vertices
    mapped one by one cost 35 ms a mouse move; the select tool asks on every move for its cursor)."""
    t = canvas.viewportTransform()
    pts = np.asarray(poly[: len(poly) // 2 * 2], dtype=np.float64).reshape(-1, 2)
    x, y = pts[:, 0], pts[:, 1]
    return np.stack([t.m11() * x + t.m21() * y + t.m31(), t.m12() * x + t.m22() * y + t.m32()], axis=1)


def _nearest(d: np.ndarray, within: float) -> int | None:
    """The index of the smallest of ``d`` if it is under ``within`` and ``HIT_PX`` or less, else None."""
    if not len(d):
        return None
    i = int(np.argmin(d))
    return i if d[i] <= HIT_PX and d[i] < within else None


def _outline(canvas: CanvasView, ann: Annotation) -> QPainterPath:
    """``ann``'s outline as its item draws it (made once per edit, not per mouse move), else built."""
    item = canvas.made_item(ann.id)
    if isinstance(item, PolygonItem) and item.pos().isNull():  # not moved by a drag's preview
        return item.path()
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for poly in ann.segmentation:
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in points_of(poly)]))
        path.closeSubpath()
    return path


def polygon_hit(canvas: CanvasView, ann: Annotation, e: ToolEvent) -> Hit | None:
    """What of polygon ``ann`` is under the pointer: ("vertex", part, index, None), ("edge", part,
    insert-at index, image point) or ("inside", -1, -1, None); within ``HIT_PX`` screen pixels. Inside the
    polygon a vertex or an edge is taken only nearer than the centre of its box (as a box's handles,
    ``hit_test.grabbable``): on a defect a few screen pixels wide every press was on a vertex, and a drag
    from its middle bent it instead of moving it."""
    p = np.array([e.view_pos.x(), e.view_pos.y()], dtype=np.float64)
    path = _outline(canvas, ann)
    inside = path.contains(e.pos)
    centre = canvas.mapFromScene(path.boundingRect().center())
    reach = float(np.hypot(centre.x() - p[0], centre.y() - p[1])) if inside else math.inf
    parts = [_on_screen(canvas, poly) for poly in ann.segmentation]
    best: tuple[float, int, int] | None = None
    for pi, v in enumerate(parts):
        vi = _nearest(np.hypot(v[:, 0] - p[0], v[:, 1] - p[1]), reach)
        if vi is not None and (best is None or np.hypot(*(v[vi] - p)) < best[0]):
            best = (float(np.hypot(*(v[vi] - p))), pi, vi)
    if best is not None:
        return "vertex", best[1], best[2], None
    edge: tuple[float, int, int, float] | None = None
    for pi, a in enumerate(parts):
        if not len(a):
            continue
        ab = np.roll(a, -1, axis=0) - a
        d2 = (ab**2).sum(axis=1)
        t = np.clip(((p - a) * ab).sum(axis=1) / np.where(d2 == 0, 1.0, d2), 0.0, 1.0)
        t[d2 == 0] = 0.0
        d = np.hypot(*(a + t[:, None] * ab - p).T)
        vi = _nearest(d, reach)
        if vi is not None and (edge is None or d[vi] < edge[0]):
            edge = (float(d[vi]), pi, vi, float(t[vi]))
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
        if key == self._key and all(shiboken6.isValid(h) and h.scene() is not None for h in self.items):
            return  # (an image shown again clears the scene, handles and all: they are made again)
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
    note = crossing_note(polygons)
    if note is not None and ann_id in doc.project.annotations:
        tool.canvas.message.emit(f"{tool.describe(doc.project.annotations[ann_id])}: {note}")


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
