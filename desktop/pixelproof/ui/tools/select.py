"""Select / edit tool: click selects (Shift- or Ctrl-click toggles), dragging on empty space draws a
rubber band, dragging a selected object moves the whole selection, dragging a handle resizes a box; arrow
keys nudge by 1 px (Shift: 10 px), Esc clears the selection. Each finished gesture is one undoable command.
A selection holding a locked object (``core.object_lock``) is not dragged: it stays, and the status bar says
which object is locked; a locked box shows no handles."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPen
from PySide6.QtWidgets import QGraphicsRectItem

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
from pixelproof.core.object_lock import LockedError, locked_among
from pixelproof.ui.canvas.items import BoxItem
from pixelproof.ui.canvas.marks import HANDLE_CURSORS
from pixelproof.ui.canvas.polygon_layer import MANY_SELECTED
from pixelproof.ui.canvas.tool_event import ToolEvent
from pixelproof.ui.tools.base import NUDGE_KEYS, Tool

DRAG_THRESHOLD_PX = 3
# either toggles an object in or out of the selection and makes a band add to it: Shift here from the start,
# Ctrl as in LabelMe, CVAT and file managers (no other use of Ctrl+click in this tool)
TOGGLE_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier


class SelectTool(Tool):
    name = "select"
    icon = "tool-select"
    tooltip = "Select, move and resize: click, Shift- or Ctrl-click, drag a band; arrows nudge"
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        self._mode: str | None = None  # "move" | "resize" | "band" | "pending-move" | "held" (locked)
        self._press: ToolEvent | None = None
        self._handle: str | None = None
        self._target: int | None = None
        self._band: QGraphicsRectItem | None = None
        self._band_base: list[int] = []

    def target_text(self) -> str:
        """With more than ``MANY_SELECTED`` polygons selected, that they show no vertex handles and how to get
        them back: Select All on a page of polygons took every one's handles away unsaid."""
        doc = self.document
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
        self._press = e
        self.canvas.set_hovered(None)  # a drag would leave it behind; the release marks what is there
        ann_id, handle = self.canvas.annotation_at(e.view_pos)
        toggle = bool(e.modifiers & TOGGLE_MODIFIERS)
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
                item.preview_box(self._resized_box(e))
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
        elif mode == "held":  # a drag of a selection holding a locked object: nothing moved, it is said why
            ann = doc.project.annotations.get(self._target)
            if ann is not None:
                doc.editRefused.emit(LockedError(ann, "move"))
        elif mode == "pending-move":
            # a plain click on an object of a multiple selection selects just that object
            ann_id, _ = self.canvas.annotation_at(e.view_pos)
            if ann_id is not None and len(doc.selection) > 1:
                doc.set_selection([ann_id])
        self.cancel()
        self._hover(e)

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
        ann_id, handle = self.canvas.annotation_at(e.view_pos)
        self.canvas.viewport().setCursor(HANDLE_CURSORS.get(handle, self.cursor))
        self.canvas.set_hovered(ann_id, e.view_pos)

    def deactivate(self) -> None:
        super().deactivate()
        self.canvas.set_hovered(None)  # the drawing tools pick nothing

    def _reset_items(self) -> None:
        doc = self.document
        if doc is None:
            return
        self.canvas.drop_previews([*doc.selection, *([self._target] if self._target is not None else [])])

    def busy(self) -> bool:
        """A drag is under way (moving, resizing, a rubber band): Ctrl+Z takes back that drag only."""
        return self._mode in ("move", "resize", "band")

    def cancel(self) -> None:
        if self._mode in ("move", "resize"):
            self._reset_items()
        if self._band is not None:
            self.canvas.remove_overlay(self._band)
        self._band = None
        self._mode = None
        self._press = None
        self._target = None
        self._handle = None

    # -- keys ------------------------------------------------------------------------------------
    def key_press(self, event: QKeyEvent) -> bool:
        doc = self.document
        key = event.key()
        if key == Qt.Key.Key_Escape:
            if self._mode is not None:
                self.cancel()
            else:
                doc.set_selection([])
            return True
        if key in NUDGE_KEYS:
            if self._mode is None:
                self.nudge(event)
            return True
        return False
