"""Polygon tool (P): draw polygons and edit the selected one.

Drawing: click adds a vertex, Backspace (or Ctrl+Z) removes the last one, Enter, a double-click or a click
on the first vertex closes (3 vertices not on one line at least), Esc cancels. Ctrl+click to start adds
the new outline as another part of the selected polygon annotation.

Editing the selected polygon annotation (the one just drawn is selected): drag a vertex; click an edge to
insert a vertex there (and drag it); Shift+click a vertex, or right-click it for a menu, to delete it; drag
inside to move the whole polygon (a click inside starts a new polygon there, as a click anywhere else);
Alt+click deletes a vertex too (CVAT's). A vertex clicked (or dragged) within 4 screen pixels of the
image's edge goes on the edge, as one clicked outside does. Leaving the image mid-outline closes it there
(``leave_image``). Every part of a multi-part annotation is kept; each gesture is one undo step.
"""

from __future__ import annotations

import math

import shiboken6
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QMenu

from pixelproof.core import masks
from pixelproof.core.edits import AddAnnotations, ReplaceAnnotations
from pixelproof.core.geometry import clamp_delta, translated
from pixelproof.core.model import Annotation
from pixelproof.core.object_lock import is_locked
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.tool_event import ToolEvent
from pixelproof.ui.tools.base import Tool
from pixelproof.ui.tools.vertex_edit import (
    DELETE_MODIFIERS,
    DRAG_PX,
    HIT_PX,
    Hit,
    Polygons,
    VertexHandle,
    VertexHandles,
    crossing_note,
    degenerate,
    delete_vertex,
    flat,
    polygon_hit,
    preview_polygons,
    replace_polygons,
    vertex_menu,
    with_polygons,
)

EDGE_SNAP_PX = 4  # screen pixels: a vertex clicked this near the image's edge goes on it


class ContrastPath(QGraphicsPathItem):
    """The outline being drawn: the category's colour in dashes down the middle of a wider white line over
    a still wider dark halo, so it stands out over any picture and over masks of its own colour."""

    def __init__(self, color: QColor) -> None:
        super().__init__()
        halo = QPen(QColor(0, 0, 0, 210), 6)  # the widest pen: the item's bounding rect counts it
        light = QPen(QColor(255, 255, 255), 4)
        dashes = QPen(color, 2, Qt.PenStyle.DashLine)
        self.pens = [halo, light, dashes]
        for pen in self.pens:
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        self.setPen(halo)

    def set_color(self, color: QColor) -> None:
        self.pens[2].setColor(color)
        self.update()

    def paint(self, painter, option, widget=None) -> None:  # type: ignore[no-untyped-def]
        for pen in self.pens:
            painter.setPen(pen)
            painter.drawPath(self.path())


class PolygonTool(Tool):
    name = "polygon"
    icon = "tool-polygon"
    tooltip = (
        "Draw polygons: click vertices, Enter or click the first vertex to close, Backspace undoes a vertex; "
        "drag vertices or the shape, click an edge to add a vertex, Shift+click to delete one"
    )
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        self._points: list[tuple[float, float]] = []
        self._add_part_to: int | None = None
        self._preview: QGraphicsPathItem | None = None
        self._first_handle: VertexHandle | None = None
        self._cursor: tuple[float, float] | None = None
        self._handles = VertexHandles(canvas)
        # editing gesture: mode "vertex" | "move", the annotation, working polygons, part/vertex index
        self._mode: str | None = None
        self._edit_id: int | None = None
        self._work: Polygons = []
        self._part = self._vertex = -1
        self._press: ToolEvent | None = None
        self._moved = False
        self._inserted = False
        self.last_menu: QMenu | None = None  # the vertex menu shown last (tests trigger its actions)

    # -- helpers ---------------------------------------------------------------------------------
    def _size(self) -> tuple[int, int]:
        return self.canvas.image_size()

    def _clamp(self, p: QPointF) -> tuple[float, float]:
        h, w = self._size()
        return round(min(max(p.x(), 0.0), w), 2), round(min(max(p.y(), 0.0), h), 2)

    def _vertex_at(self, p: QPointF) -> tuple[float, float]:
        """Where a click (or a vertex drag) at ``p`` puts a vertex: on the image, and on its edge when
        within ``EDGE_SNAP_PX`` screen pixels of it, so the outline of an object the frame cuts reaches the
        frame exactly (a click outside lands on the edge already). Measured on the screen, as the zoom and
        any rotation or aspect show the image."""
        x, y = self._clamp(p)
        h, w = self._size()
        t = self.canvas.transform()
        at = t.map(QPointF(x, y))

        def near(edge: QPointF) -> bool:
            d = t.map(edge) - at
            return math.hypot(d.x(), d.y()) <= EDGE_SNAP_PX

        x = 0.0 if near(QPointF(0, y)) else float(w) if near(QPointF(w, y)) else x
        y = 0.0 if near(QPointF(x, 0)) else float(h) if near(QPointF(x, h)) else y
        return x, y

    def busy(self) -> bool:
        return bool(self._points) or self._mode is not None

    def target_text(self) -> str:
        if self._points:
            n = len(self._points)
            what = "part" if self._add_part_to is not None else f"{self.category_name()} polygon"
            return (
                f"Polygon: {what}, {n} {'vertex' if n == 1 else 'vertices'}: Enter or a click on the first "
                "vertex closes, Backspace drops the last, Esc cancels"
            )
        new = f"Polygon: click to draw a new {self.category_name()} polygon"
        ann = self._selected_polygon()
        return new if ann is None else f"{new}; Ctrl+click adds a part to {self.describe(ann)}"

    def _selected_polygon(self) -> Annotation | None:
        doc = self.document
        if doc is None:
            return None
        sel = [a for a in doc.selected_annotations() if a.image_id == self.canvas.image_id]
        # a locked one is not edited (no vertex handles, no part added): a click draws a new polygon
        return sel[0] if len(sel) == 1 and sel[0].kind == "polygon" and not is_locked(sel[0]) else None

    def _color(self) -> QColor:
        doc = self.document
        cat = doc.project.categories.get(doc.current_category_id) if doc is not None else None
        return category_color(cat)

    def _remove(self, item: QGraphicsItem | None) -> None:
        if item is not None and shiboken6.isValid(item):  # a cleared scene deletes overlays too
            self.canvas.remove_overlay(item)

    def _view(self, x: float, y: float) -> QPointF:
        return QPointF(self.canvas.mapFromScene(QPointF(x, y)))

    # -- vertex handles of the selected polygon ----------------------------------------------------
    def _sync_handles(self, polygons: Polygons | None = None) -> None:
        ann = self._selected_polygon()
        if polygons is None:
            polygons = ann.segmentation if ann is not None and not self._points else []
        self._handles.sync(ann, polygons)

    def _clear_handles(self) -> None:
        self._handles.clear()

    def _hit(self, ann: Annotation, e: ToolEvent) -> Hit | None:
        return polygon_hit(self.canvas, ann, e)

    # -- drawing ---------------------------------------------------------------------------------
    def _update_preview(self) -> None:
        if not self._points:
            return
        if self._preview is None:
            self._preview = ContrastPath(self._color())
            self.canvas.add_overlay(self._preview)
            self._first_handle = VertexHandle(self._color(), first=True)
            self.canvas.add_overlay(self._first_handle)
        path = QPainterPath(QPointF(*self._points[0]))
        for pt in self._points[1:]:
            path.lineTo(QPointF(*pt))
        if self._cursor is not None:
            path.lineTo(QPointF(*self._cursor))
        self._preview.setPath(path)
        self._first_handle.setPos(*self._points[0])

    def _near_first(self, e: ToolEvent) -> bool:
        fx, fy = self._points[0]
        v = self._view(fx, fy)
        return math.hypot(v.x() - e.view_pos.x(), v.y() - e.view_pos.y()) <= HIT_PX

    def _close(self) -> None:
        """Store the outline; one with fewer than 3 distinct vertices or all on one line (zero area, an
        object lint calls invalid) is refused with the reason and stays to be finished."""
        defect = degenerate([flat(self._points)])
        if defect is not None:
            self.canvas.message.emit(f"Not closed: {defect}; add a vertex, or Esc")
            return
        points = self._points
        target = self._add_part_to
        self._stop_drawing()
        doc = self.document
        if doc is None:
            return
        h, w = self._size()
        poly = flat(points)
        if target is not None and target in doc.project.annotations:
            ann = doc.project.annotations[target]
            doc.push(
                ReplaceAnnotations([with_polygons(ann, [*ann.segmentation, poly], h, w)], "Add polygon part")
            )
            if (note := crossing_note([poly], "the new part")) is not None:
                self.canvas.message.emit(f"{self.describe(ann)}: {note}")
            return
        ann_id = doc.project.next_annotation_id()  # before a class is added for it: refused, nothing added
        category_id = self.ensure_category()
        if category_id is None:
            return
        ann = Annotation(
            id=ann_id,
            image_id=self.canvas.image_id,
            category_id=category_id,
            bbox=masks.polygons_bbox([poly]),
            segmentation=[poly],
            area=masks.segmentation_area([poly], [], h, w),
            source="manual",
        )
        ann.touch()
        self.push(AddAnnotations([ann], "Draw polygon"))
        self._sync_handles()
        note = crossing_note([poly])
        if note is not None and ann_id in doc.project.annotations:
            self.canvas.message.emit(f"{self.describe(ann)}: {note}")

    def category_chosen(self) -> bool:
        """A category chosen while a new polygon is drawn is the polygon's: its outline takes its colour."""
        if not self._points or self._add_part_to is not None:
            return False
        color = self._color()
        if self._preview is not None:
            self._preview.set_color(color)
        if self._first_handle is not None:
            self._first_handle.setBrush(color)
        return True

    def _stop_drawing(self) -> None:
        for item in (self._preview, self._first_handle):
            self._remove(item)
        self._preview = None
        self._first_handle = None
        drawing = bool(self._points)
        self._points = []
        self._cursor = None
        self._add_part_to = None
        if drawing:
            self.canvas.hintChanged.emit()

    # -- editing ---------------------------------------------------------------------------------
    def _show_work(self) -> None:
        ann = self.document.project.annotations.get(self._edit_id)
        if ann is not None:
            preview_polygons(self.canvas, ann, self._work)
        self._sync_handles(self._work)

    def _commit(self, polygons: Polygons, text: str) -> None:
        replace_polygons(self, self._edit_id, polygons, text)

    # -- events ------------------------------------------------------------------------------------
    def press(self, e: ToolEvent) -> None:
        doc = self.document
        if doc is None:
            return
        if self._points:
            point = self._vertex_at(e.pos)
            if self._near_first(e) and len(self._points) > 1:
                self._close()
            elif point != self._points[-1]:  # a second click on the last vertex (a double-click) adds none
                self._points.append(point)
                self._update_preview()
                self.canvas.hintChanged.emit()
            return
        ann = self._selected_polygon()
        hit = self._hit(ann, e) if ann is not None else None
        ctrl = bool(e.modifiers & Qt.KeyboardModifier.ControlModifier)
        if hit is not None and not ctrl:
            kind, part, index, point = hit
            if kind == "vertex" and e.modifiers & (Qt.KeyboardModifier.ShiftModifier | DELETE_MODIFIERS):
                delete_vertex(self, ann.id, part, index)
                self._sync_handles()
                return
            self._edit_id, self._press, self._moved = ann.id, e, False
            self._work = [list(p) for p in ann.segmentation]
            if kind == "vertex":
                self._mode, self._part, self._vertex, self._inserted = "vertex", part, index, False
            elif kind == "edge":
                x, y = self._clamp(point)
                self._work[part][2 * index : 2 * index] = [x, y]
                self._mode, self._part, self._vertex, self._inserted = "vertex", part, index, True
                self._show_work()
            else:
                self._mode = "move"
            return
        self._start(e, ann.id if (ctrl and ann is not None) else None)

    def _start(self, e: ToolEvent, add_part_to: int | None) -> None:
        """A new outline from ``e``'s point (another part of ``add_part_to`` when given)."""
        self._add_part_to = add_part_to
        self._clear_handles()
        self._points = [self._vertex_at(e.pos)]
        self._cursor = None
        self._update_preview()
        self.canvas.hintChanged.emit()  # the status bar says the drawing's keys

    def move(self, e: ToolEvent) -> None:
        if self._points:
            # on the first vertex the line snaps to it and the vertex is marked: a click there closes
            hot = len(self._points) > 2 and self._near_first(e)
            self._cursor = self._points[0] if hot else self._vertex_at(e.pos)
            self._update_preview()
            if self._first_handle is not None:
                self._first_handle.set_hot(hot)
            return
        if self._mode is None:
            self._sync_handles()
            return
        d = e.view_pos - self._press.view_pos
        if not self._moved and max(abs(d.x()), abs(d.y())) < DRAG_PX:
            return
        self._moved = True
        ann = self.document.project.annotations[self._edit_id]
        if self._mode == "vertex":
            x, y = self._vertex_at(e.pos)
            self._work[self._part][2 * self._vertex : 2 * self._vertex + 2] = [x, y]
        else:
            h, w = self._size()
            dx, dy = self._move_delta(ann, e)
            self._work = translated(ann, dx, dy, w, h).segmentation
        self._show_work()

    def _current(self) -> Annotation:
        return self.document.project.annotations[self._edit_id]

    def _move_delta(self, ann: Annotation, e: ToolEvent) -> tuple[float, float]:
        """Whole-pixel move, kept on the image (as the select tool moves)."""
        d = e.pos - self._press.pos
        h, w = self._size()
        return clamp_delta(ann.bbox, round(d.x()), round(d.y()), w, h)

    def release(self, e: ToolEvent) -> None:
        mode, self._mode = self._mode, None
        if mode is None or self.document is None:
            return
        defect = degenerate(self._work) if mode == "vertex" else None
        if defect is not None:
            self.canvas.message.emit(f"Vertex not moved: {defect}")
            self._reset_item()
        elif mode == "vertex" and (self._moved or self._inserted):
            self._commit(self._work, "Insert vertex" if self._inserted else "Move vertex")
            if not self._moved:  # a click on the edge, maybe meant as the next object's first vertex
                self.canvas.message.emit(
                    f"Vertex added to {self.describe(self._current())} (Ctrl+Z takes it back): a click on "
                    "the selected polygon's edge adds one; Esc first to start a new polygon there"
                )
        elif (
            mode == "move"
            and self._moved
            and self._work != self.document.project.annotations[self._edit_id].segmentation
        ):
            self._commit(self._work, "Move polygon")
        else:
            self._reset_item()
        press = self._press
        self._edit_id = None
        self._press = None
        self._sync_handles()
        if mode == "move" and not self._moved:  # a click inside: the next object's first vertex
            self._start(press, None)

    def double_click(self, e: ToolEvent) -> None:
        if self._points:
            self._close()

    def context_menu(self, e: ToolEvent) -> bool:
        """Right-click on a vertex of the selected polygon: a menu to delete it (or its part)."""
        ann = self._selected_polygon()
        if ann is None or self._points:
            return False
        menu = vertex_menu(self, ann, e, self._sync_handles)
        if menu is None:
            return False
        self.last_menu = menu
        return True

    def _reset_item(self) -> None:
        doc = self.document
        item = self.canvas.items_by_id.get(self._edit_id) if self._edit_id is not None else None
        ann = doc.project.annotations.get(self._edit_id) if self._edit_id is not None else None
        if item is not None and ann is not None:
            item.sync(ann, doc.project.categories.get(ann.category_id), self.canvas.show_labels)

    def wants_key(self, event: QKeyEvent) -> bool:
        """Backspace while drawing removes a vertex instead of deleting the selection."""
        return bool(self._points) and event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)

    def _drop_last_vertex(self) -> None:
        self._points.pop()
        if self._points:
            self._update_preview()
            self.canvas.hintChanged.emit()
        else:
            self._stop_drawing()

    def undo_gesture(self) -> bool:
        """Ctrl+Z while drawing removes the last vertex, as Backspace does."""
        if self._points:
            self._drop_last_vertex()
            return True
        return super().undo_gesture()

    def key_press(self, event: QKeyEvent) -> bool:
        k = event.key()
        if self._points:
            if k in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
                self._drop_last_vertex()
                return True
            if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._close()
                return True
            if k == Qt.Key.Key_Escape:
                self._stop_drawing()
                self._sync_handles()
                return True
        return super().key_press(event)

    def activate(self) -> None:
        self._sync_handles()

    def follow(self) -> None:
        """The selected polygon's handles follow a pick in a panel or an undo at once, not the next move."""
        if not self.busy():
            self._sync_handles()

    def leave_image(self) -> None:
        """Another image is shown while an outline is drawn: it is closed on its own image (one undo step),
        as Enter would, and said; one too short to close is dropped, and said - never lost silently."""
        self._finish_outline("before leaving it (Ctrl+Z there takes it back)", "on {where}")

    def _finish_outline(self, then: str, where_text: str) -> None:
        if not self._points or self.document is None:
            return
        rec = self.document.project.images.get(self.canvas.image_id)
        where = where_text.format(where=rec.file_name if rec is not None else "its image")
        defect = degenerate([flat(self._points)])
        if defect is not None:
            n = len(self._points)
            vertices = f"{n} {'vertex' if n == 1 else 'vertices'}"
            self.canvas.message.emit(
                " ".join(filter(None, ["Polygon of", vertices, where, f"dropped: {defect}"]))
            )
            return
        before = set(self.document.project.annotations)
        self._close()
        added = [a for i, a in self.document.project.annotations.items() if i not in before]
        what = self.describe(added[0]) if added else "The polygon being drawn"
        self.canvas.message.emit(" ".join(filter(None, [what, "closed", where, then])))

    def finish_pending(self, why: str) -> None:
        """Ctrl+S, Ctrl+W or quitting mid-outline: it is closed first, so the save holds it and closing
        asks about it, instead of saving without it and closing without a word."""
        self._finish_outline(f"{why} (Ctrl+Z takes it back)", "")

    def deactivate(self) -> None:
        """Another tool chosen mid-outline (B, R, V...): the outline is closed first, as on leaving the
        image."""
        self._finish_outline("on choosing another tool (Ctrl+Z takes it back)", "")
        super().deactivate()
        self._clear_handles()

    def cancel(self) -> None:
        self._stop_drawing()
        if self._mode is not None:
            self._reset_item()
        self._mode = None
        self._edit_id = None
        self._press = None
        self._clear_handles()  # the image may change: handles are rebuilt on the next move
