"""Select / edit tool: click selects (Shift- or Ctrl-click toggles), dragging on empty space draws a rubber
band, dragging a selected object moves the whole selection, dragging a handle resizes a box (the status bar
reading its sides live); arrow keys nudge by 1 px (Shift: 10 px), Esc clears the selection. A click again on
the object alone selected takes the next one under the pointer, round to the first (stacked objects, as in
CVAT and LabelMe). Each finished gesture is one undoable command. One selected polygon shows its vertex
handles, as in LabelMe's edit mode and CVAT: drag a vertex to move it, drag from its edge to pull a new
vertex out there, right-click a vertex to delete it (``vertex_edit``, as the polygon tool); a click on them
only selects, as before. A keypoint (``canvas.keypoint_layer``) is dragged to move it, one undo step
(``core.keypoints.with_keypoint``: written back where it was read); a press on it selects its object.
A selection holding a locked object (``core.object_lock``) is not dragged: it stays,
and the status bar says which object is locked; a locked box shows no handles."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QMenu

from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import (
    clamp_delta,
    handle_spot,
    resize_box,
    snap_box,
    translated,
    union_bbox,
    with_box,
)
from pixelproof.core.keypoints import keypoints_of, with_keypoint
from pixelproof.core.measure import size_text
from pixelproof.core.model import Annotation
from pixelproof.core.object_lock import LockedError, is_locked, locked_among
from pixelproof.ui.canvas.hit_test import click_pick, stack_at
from pixelproof.ui.canvas.items import BoxItem
from pixelproof.ui.canvas.marks import HANDLE_CURSORS
from pixelproof.ui.canvas.polygon_layer import MANY_SELECTED
from pixelproof.ui.canvas.tool_event import ToolEvent
from pixelproof.ui.tools.base import NUDGE_KEYS, Tool
from pixelproof.ui.tools.vertex_edit import (
    DELETE_MODIFIERS,
    Polygons,
    VertexHandles,
    degenerate,
    delete_vertex,
    polygon_hit,
    preview_polygons,
    replace_polygons,
    vertex_menu,
)

if TYPE_CHECKING:
    from pixelproof.ui.keypoint_placing import Placing

DRAG_THRESHOLD_PX = 3
# either toggles an object in or out of the selection and makes a band add to it: Shift here from the start,
# Ctrl as in LabelMe, CVAT and file managers (no other use of Ctrl+click in this tool)
TOGGLE_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier
# over the selected polygon's vertex (drag moves it) and edge (drag pulls a new vertex out)
VERTEX_CURSORS = {"vertex": Qt.CursorShape.SizeAllCursor, "edge": Qt.CursorShape.CrossCursor}


class SelectTool(Tool):
    name = "select"
    icon = "tool-select"
    tooltip = (
        "Select, move and resize: click, Shift- or Ctrl-click, drag a band; arrows nudge; "
        "on a selected polygon drag a vertex, drag an edge to add one, right-click a vertex to delete it; "
        "drag a keypoint to move it, Shift+V over it for its visibility"
    )
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        # "move" | "resize" | "band" | "pending-move" | "held" (locked) | "vertex" | "edge" (a press on the
        # selected polygon's vertex or edge: a drag moves the vertex, or pulls a new one out of the edge)
        self._mode: str | None = None
        self._press: ToolEvent | None = None
        self._handle: str | None = None
        self._target: int | None = None
        self._band: QGraphicsRectItem | None = None
        self._band_base: list[int] = []
        self._again: int | None = None  # the object alone selected before a press on it: a click cycles
        self._vertices = VertexHandles(canvas)
        self._work: Polygons = []  # the polygon's outline as a vertex drag leaves it
        self._vertex: tuple[int, int] = (-1, -1)  # (part, index) of the vertex dragged or inserted
        self._edge_point: tuple[float, float] | None = None  # where a drag from the edge inserts one
        self._dragging = False  # the vertex gesture went past the drag threshold
        self.last_menu: QMenu | None = None  # the vertex menu shown last (tests trigger its actions)
        self._size: tuple[float, float] | None = None  # a box being resized: its sides, read live
        self._keypoint = -1  # the index of the keypoint dragged (mode "keypoint"; ``_target`` its object)
        self._point_hovered: tuple[int, int] | None = None  # (object, keypoint) under the pointer
        self.placing: Placing | None = None  # Edit > Place Keypoints on Object under way: presses place them

    def target_text(self) -> str:
        """One polygon selected: how its vertices are edited here (LabelMe users look in V). With more
        than ``MANY_SELECTED`` polygons selected, that they show no vertex handles and how to get them back:
        Select All on a page of polygons took every one's handles away unsaid."""
        doc = self.document
        if self.placing is not None:
            return self.placing.text()
        if self._size is not None:  # as the box tool reads a box being drawn
            return f"Select: resizing to {size_text(*self._size, self.spacing())}; Esc cancels"
        if self._point_hovered is not None and (said := self._point_text(*self._point_hovered)):
            return said
        if (ann := self._edited_polygon()) is not None:
            return (
                f"Select: {self.describe(ann)}: drag a vertex to move it, drag its edge to add one, "
                "right-click a vertex to delete it"
            )
        if doc is None or len(doc.selection) <= MANY_SELECTED:
            return ""
        anns = doc.project.annotations
        n = sum(1 for i in doc.selection if (a := anns.get(i)) is not None and a.kind == "polygon")
        if n <= MANY_SELECTED:
            return ""
        return (
            f"Select: {n} polygons selected, shown without vertex handles (more than {MANY_SELECTED}); "
            f"select {MANY_SELECTED} or fewer to drag their vertices"
        )

    # -- mouse -----------------------------------------------------------------------------------
    def press(self, e: ToolEvent) -> None:
        doc = self.document
        if doc is None:
            return
        if self.placing is not None:
            if e.button == Qt.MouseButton.LeftButton:
                self._place(lambda p: p.place(*self._clamped(e.pos.x(), e.pos.y())))
            return
        self._press = e
        self.canvas.set_hovered(None)  # a drag would leave it behind; the release marks what is there
        ann_id, handle = self.canvas.annotation_at(e.view_pos)
        toggle = bool(e.modifiers & TOGGLE_MODIFIERS)
        if not toggle and (self._press_keypoint(e) or self._press_vertex(e)):
            return
        if handle is not None and ann_id is not None and not toggle:
            self._mode, self._handle, self._target = "resize", handle, ann_id
            return
        if ann_id is not None:
            sel = doc.selection
            if toggle:
                doc.set_selection([i for i in sel if i != ann_id] if ann_id in sel else [*sel, ann_id])
                self._mode = None
                return
            if ann_id not in sel:
                doc.set_selection([ann_id])
            self._again = ann_id if sel == [ann_id] else None
            self._mode = "pending-move"
            return
        self._band_base = doc.selection if toggle else []
        if not toggle:
            doc.set_selection([])
        self._mode = "band"

    def move(self, e: ToolEvent) -> None:
        if self._press is None or self._mode is None:
            self._hover(e)
            return
        d = e.view_pos - self._press.view_pos
        far = max(abs(d.x()), abs(d.y())) >= DRAG_THRESHOLD_PX
        if self._mode in ("vertex", "edge"):
            self._drag_vertex(e, far)
            return
        if self._mode == "keypoint":
            if far or self._dragging:
                self._dragging = True
                self.canvas.keypoints.preview(
                    self._target, self._keypoint, *self._clamped(e.pos.x(), e.pos.y())
                )
            return
        if self._mode == "pending-move" and far:
            locked = locked_among(self.document.project, self.document.selection)
            self._mode = "move" if not locked else "held"
            self._target = locked[0] if locked else None
        if self._mode == "move":
            dx, dy = self._move_delta(e)
            self.canvas.preview_move(self.document.selection, dx, dy)
        elif self._mode == "resize":
            item = self.canvas.items_by_id.get(self._target)
            if isinstance(item, BoxItem):
                box = self._resized_box(e)
                self.canvas.preview_box(self._target, box)
                self._size = (box[2], box[3])
                self.canvas.hintChanged.emit()  # the status bar's line reads the size as it changes
        elif self._mode == "band" and far:
            rect = QRectF(self._press.pos, e.pos).normalized()
            if self._band is None:
                self._band = QGraphicsRectItem()
                pen = QPen(QColor(80, 160, 255), 1, Qt.PenStyle.DashLine)
                pen.setCosmetic(True)
                self._band.setPen(pen)
                self._band.setBrush(QColor(80, 160, 255, 40))
                self.canvas.add_overlay(self._band)
            self._band.setRect(rect)
            ids = self.canvas.annotations_in(rect)
            self.document.set_selection([*self._band_base, *ids])

    def release(self, e: ToolEvent) -> None:
        doc = self.document
        mode, self._mode = self._mode, None
        if doc is None or self._press is None:
            return
        if mode == "move":
            dx, dy = self._move_delta(e)
            moving = doc.selected_annotations()  # none when Delete took them during the drag
            if moving and (dx or dy):
                h, w = self.canvas.image_size()
                doc.push(ReplaceAnnotations([translated(a, dx, dy, w, h) for a in moving], "Move"))
            else:
                self._reset_items()  # also the layer's selected boxes' preview offset
        elif mode == "resize":
            ann = doc.project.annotations.get(self._target)  # None when Delete took it during the drag
            box = self._resized_box(e) if ann is not None else None
            if ann is not None and box != ann.bbox and box[2] >= 1 and box[3] >= 1:
                edit = ReplaceAnnotations([with_box(ann, box)], "Resize box")
                # the selection stays as it was (after undo and redo too), not the resized box alone
                edit.focus = edit.revert_focus = doc.selection
                doc.push(edit)
            else:
                self._reset_items()
        elif mode in ("vertex", "edge"):
            self._release_vertex(mode)
        elif mode == "keypoint":
            self._release_keypoint(e)
        elif mode == "held":  # a drag of a selection holding a locked object: nothing moved, it is said why
            ann = doc.project.annotations.get(self._target)
            if ann is not None:
                doc.editRefused.emit(LockedError(ann, "move"))
        elif mode == "pending-move":
            # a plain click on an object of a multiple selection selects just that object
            ann_id, _ = self.canvas.annotation_at(e.view_pos)
            if ann_id is not None and len(doc.selection) > 1:
                doc.set_selection([ann_id])
            elif self._again is not None and doc.selection == [self._again]:
                self._select_next_under(e, self._again)
        self.cancel()
        self._hover(e)

    def double_click(self, e: ToolEvent) -> None:
        """Qt delivers a quick second click's press as a double-click: a press like any other, so clicking
        again through stacked objects is not slowed to the double-click interval."""
        self.press(e)

    def _select_next_under(self, e: ToolEvent, current: int) -> None:
        """A click again on the object alone selected takes the next one under the pointer (CVAT's and
        LabelMe's stacked objects: a cell under another, a person behind one), round to the first;
        the status bar says which of how many."""
        stack = stack_at(self.canvas, e.view_pos)
        nxt = click_pick(self.canvas, e.view_pos)
        if nxt is None or nxt == current or nxt not in stack:
            return
        k = stack.index(nxt)
        self.document.set_selection([nxt])
        self.canvas.message.emit(f"Object {k + 1} of {len(stack)} here (click again for the next)")

    def _move_delta(self, e: ToolEvent) -> tuple[float, float]:
        """Whole-pixel move, limited so the selection stays on the image."""
        d = e.pos - self._press.pos
        h, w = self.canvas.image_size()
        return clamp_delta(union_bbox(self.document.selected_annotations()), round(d.x()), round(d.y()), w, h)

    def _resized_box(self, e: ToolEvent) -> list[float]:
        """The box with the grabbed handle moved as far as the mouse since the press: a handle is grabbed
        anywhere in its 9 screen pixels, so the edge does not jump to the cursor (30 image px at 10 %)."""
        ann = self.document.project.annotations[self._target]
        h, w = self.canvas.image_size()
        x, y = handle_spot(ann.bbox, self._handle)
        d = e.pos - self._press.pos
        return snap_box(resize_box(ann.bbox, self._handle, x + d.x(), y + d.y()), w, h)

    def _hover(self, e: ToolEvent) -> None:
        """Show what a press here would take: a handle's cursor, and the object outlined (the same
        ``annotation_at`` as the press, so the mark never names another object than the click picks)."""
        _, handle = self.canvas.annotation_at(e.view_pos)
        ann_id = click_pick(self.canvas, e.view_pos)  # a click again takes the next (a drag moves this one)
        cursor = HANDLE_CURSORS.get(handle, self.cursor)
        polygon = self._edited_polygon()
        hit = polygon_hit(self.canvas, polygon, e) if polygon is not None else None
        if hit is not None and hit[0] in VERTEX_CURSORS and not e.modifiers & TOGGLE_MODIFIERS:
            cursor = VERTEX_CURSORS[hit[0]]
        point = self.keypoint_at(e.view_pos)
        if point is not None and not e.modifiers & TOGGLE_MODIFIERS:
            cursor = VERTEX_CURSORS["vertex"]
        if point != self._point_hovered:  # the status bar names it (``target_text``)
            self._point_hovered = point
            self.canvas.hintChanged.emit()
        self.canvas.viewport().setCursor(cursor)
        self.canvas.set_hovered(ann_id, e.view_pos)

    def deactivate(self) -> None:
        self.stop_placing()
        super().deactivate()
        self._vertices.clear()
        self.canvas.set_hovered(None)  # the drawing tools pick nothing

    def activate(self) -> None:
        self.follow()

    def _reset_items(self) -> None:
        doc = self.document
        if doc is None:
            return
        self.canvas.drop_previews([*doc.selection, *([self._target] if self._target is not None else [])])

    def busy(self) -> bool:
        """A drag is under way (moving, resizing, a rubber band): Ctrl+Z takes back that drag only."""
        return self._mode in ("move", "resize", "band") or (
            self._mode in ("vertex", "edge", "keypoint") and self._dragging
        )

    def cancel(self) -> None:
        if self._mode in ("move", "resize") or (self._mode in ("vertex", "edge") and self._dragging):
            self._reset_items()
        if self._band is not None:
            self.canvas.remove_overlay(self._band)
        self._band = None
        if self.canvas.keypoints is not None:
            self.canvas.keypoints.drop_preview()
        self._mode = None
        self._press = None
        self._target = None
        self._handle = None
        self._dragging = False
        self._edge_point = None
        if self._size is not None:
            self._size = None
            self.canvas.hintChanged.emit()
        self.follow()  # the handles of the outline as stored (a vertex drag cancelled)

    # -- the selected polygon's vertices ------------------------------------------------------------
    def _edited_polygon(self) -> Annotation | None:
        """The polygon whose vertices show handles: the one object selected, if it is an unlocked polygon of
        the shown image (a locked one cannot change shape; several selected move together)."""
        doc = self.document
        if doc is None or len(doc.selection) != 1:
            return None
        ann = doc.project.annotations.get(doc.selection[0])
        if ann is None or ann.kind != "polygon" or ann.image_id != self.canvas.image_id or is_locked(ann):
            return None
        return ann

    def follow(self) -> None:
        """Handles on the selected polygon's vertices as stored (the selection or the polygon changed)."""
        if self._mode in ("vertex", "edge") and self._dragging:
            return
        ann = self._edited_polygon()
        self._vertices.sync(ann, ann.segmentation if ann is not None else [])

    def _press_vertex(self, e: ToolEvent) -> bool:
        """A press on a vertex or an edge of the selected polygon: the start of a vertex gesture."""
        ann = self._edited_polygon()
        hit = polygon_hit(self.canvas, ann, e) if ann is not None else None
        if hit is None or hit[0] not in ("vertex", "edge"):
            return False
        kind, part, index, point = hit
        if kind == "vertex" and e.modifiers & DELETE_MODIFIERS:  # Alt+click deletes it, as in CVAT
            delete_vertex(self, ann.id, part, index)
            self.follow()
            return True
        self._mode, self._target, self._vertex, self._dragging = kind, ann.id, (part, index), False
        self._work = [list(p) for p in ann.segmentation]
        self._edge_point = (point.x(), point.y()) if point is not None else None
        return True

    def _clamped(self, x: float, y: float) -> list[float]:
        h, w = self.canvas.image_size()
        return [round(min(max(x, 0.0), w), 2), round(min(max(y, 0.0), h), 2)]

    def _drag_vertex(self, e: ToolEvent, far: bool) -> None:
        """The dragged vertex follows the pointer (from the drag threshold on; a drag from the edge first
        inserts the vertex where the press was)."""
        if not self._dragging and not far:
            return
        part, index = self._vertex
        if not self._dragging and self._mode == "edge" and self._edge_point is not None:
            self._work[part][2 * index : 2 * index] = self._clamped(*self._edge_point)
        self._dragging = True
        self._work[part][2 * index : 2 * index + 2] = self._clamped(e.pos.x(), e.pos.y())
        ann = self.document.project.annotations.get(self._target)
        if ann is not None:
            preview_polygons(self.canvas, ann, self._work)
            self._vertices.sync(ann, self._work)

    def _release_vertex(self, mode: str) -> None:
        """The vertex dragged stored (one undo step); one that would flatten a part is refused, saying so.
        A click without a drag changes nothing (it selected the polygon, as it did)."""
        ann = self.document.project.annotations.get(self._target)
        if not self._dragging or ann is None:
            return
        defect = degenerate(self._work)
        if defect is not None:
            self.canvas.message.emit(f"Vertex not moved: {defect}")
            self._reset_items()
            return
        if self._work != ann.segmentation:
            replace_polygons(self, ann.id, self._work, "Insert vertex" if mode == "edge" else "Move vertex")

    # -- keypoints ---------------------------------------------------------------------------------
    def keypoint_at(self, view_pos: QPoint | None) -> tuple[int, int] | None:
        """(object id, keypoint index) of the labelled keypoint at ``view_pos``, or None."""
        layer = self.canvas.keypoints
        if layer is None or view_pos is None:
            return None
        return layer.hit(view_pos, self.canvas.viewportTransform())

    def _press_keypoint(self, e: ToolEvent) -> bool:
        """A press on a keypoint: its object selected, and a drag from here moves the point."""
        hit = self.keypoint_at(e.view_pos)
        if hit is None:
            return False
        self._target, self._keypoint = hit
        if self.document.selection != [self._target]:
            self.document.set_selection([self._target])
        self._mode, self._dragging = "keypoint", False
        return True

    def _release_keypoint(self, e: ToolEvent) -> None:
        """The dragged keypoint stored where it was dropped (on the image): one undo step; a not labelled
        one placed so is visible."""
        doc = self.document
        ann = doc.project.annotations.get(self._target)
        rec = doc.project.images.get(self.canvas.image_id)
        if not self._dragging or ann is None or rec is None:
            return
        x, y = self._clamped(e.pos.x(), e.pos.y())
        found = keypoints_of(ann, rec, doc.project.categories.get(ann.category_id))
        unlabelled = found is not None and found.points[self._keypoint][2] == 0  # placed: visible again
        moved = with_keypoint(ann, rec, self._keypoint, x, y, visibility=2 if unlabelled else None)
        doc.push(ReplaceAnnotations([moved], "Move keypoint"))

    def _point_text(self, ann_id: int, index: int) -> str:
        """``Select: #3 person: left_wrist (occluded): drag to move it, Shift+V: visibility``."""
        doc = self.document
        ann = doc.project.annotations.get(ann_id) if doc is not None else None
        rec = doc.project.images.get(self.canvas.image_id) if doc is not None else None
        found = keypoints_of(ann, rec, doc.project.categories.get(ann.category_id)) if ann and rec else None
        if found is None or index >= len(found.points):
            return ""
        name = found.names[index] if found.names else f"keypoint {index + 1}"
        seen = ("not labelled", "occluded", "visible")[found.points[index][2]]
        return f"Select: {self.describe(ann)}: {name} ({seen}): drag to move it, Shift+V: visibility"

    def cycle_visibility(self) -> bool:
        """Shift+V: the keypoint under the pointer visible -> occluded -> not labelled -> visible, one undo
        step, its object selected (a not labelled point is drawn, a faint cross, for the selected object
        only: there to bring back); False when no keypoint is there."""
        doc = self.document
        hit = self.keypoint_at(self.canvas.pointer_at)
        rec = doc.project.images.get(self.canvas.image_id)
        if hit is None or rec is None or self._mode is not None:
            return False
        ann = doc.project.annotations[hit[0]]
        found = keypoints_of(ann, rec, doc.project.categories.get(ann.category_id))
        v = (found.points[hit[1]][2] - 1) % 3 if found is not None else 0
        try:
            edit = ReplaceAnnotations([with_keypoint(ann, rec, hit[1], visibility=v)], "Keypoint visibility")
        except ValueError as e:
            self.canvas.message.emit(f"{self.describe(ann)}: {e}")
            return True
        if doc.selection != [ann.id]:
            doc.set_selection([ann.id])
        doc.push(edit)
        name = found.names[hit[1]] if found is not None and found.names else f"keypoint {hit[1] + 1}"
        said = {
            2: "visible",
            1: "labelled, occluded",
            0: "not labelled (a faint cross while selected; Shift+V makes it visible)",
        }
        self.canvas.message.emit(f"{self.describe(ann)}: {name} {said[v]}")
        return True

    def start_placing(self, placing: Placing) -> None:
        """Edit > Place Keypoints on Object: presses place ``placing``'s points until the last, or Esc."""
        self.stop_placing()
        self.cancel()
        self.placing = placing
        self.canvas.message.emit(placing.text())
        self.canvas.hintChanged.emit()

    def _place(self, step: Callable[[Placing], bool]) -> None:
        """One point placed or skipped; the placing ends with its last one (stored, one undo step)."""
        placing = self.placing
        if placing is not None and placing.image_id != self.canvas.image_id:
            self.placing = None  # another image shown meanwhile: nothing to place on
        elif placing is not None and step(placing):
            self.placing = None
        self.canvas.hintChanged.emit()

    def stop_placing(self) -> None:
        """Esc, another tool: the points placed so far stored (the rest not labelled)."""
        placing, self.placing = self.placing, None
        if placing is not None and placing.image_id == self.canvas.image_id:
            placing.finish()
            self.canvas.hintChanged.emit()

    def context_menu(self, e: ToolEvent) -> bool:
        """Right-click on a vertex of the selected polygon: a menu to delete it (or its part), as the
        polygon tool's; elsewhere the canvas's right drag (window / level)."""
        ann = self._edited_polygon()
        if ann is None or self._mode is not None:
            return False
        menu = vertex_menu(self, ann, e, self.follow)
        if menu is None:
            return False
        self.last_menu = menu
        return True

    # -- keys ------------------------------------------------------------------------------------
    def key_press(self, event: QKeyEvent) -> bool:
        doc = self.document
        key = event.key()
        if self.placing is not None and key == Qt.Key.Key_Space:
            self._place(lambda p: p.skip())  # Shift+Space: the canvas hands it on while placing
            return True
        if self.placing is not None and key == Qt.Key.Key_Escape:
            self.stop_placing()
            return True
        if key == Qt.Key.Key_Escape:
            if self._mode is not None:
                self.cancel()
            else:
                doc.set_selection([])
            return True
        if key == Qt.Key.Key_V and event.modifiers() == Qt.KeyboardModifier.ShiftModifier:
            return self.cycle_visibility()
        if key in NUDGE_KEYS:
            if self._mode is None:
                self.nudge(event)
            return True
        return False
