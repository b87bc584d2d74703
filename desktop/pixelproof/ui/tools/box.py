"""Box tool: press, drag, release draws a box of the current category; or click one corner and click the
opposite one, as CVAT and LabelMe draw a box (the box follows the pointer between the clicks). Esc cancels
either; a press near the first corner starts a drag from there instead. While the
drag lasts the status bar's tool line reads the box's width × height in image pixels (and in mm or µm with
a pixel spacing), as LabelMe and CVAT users look for while drawing. Guide lines across the image follow the
pointer while the tool is in hand (``canvas.guide_lines``; Shift+B turns them off)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from pixelproof.core.edits import AddAnnotations
from pixelproof.core.geometry import normalized_box, snap_box
from pixelproof.core.measure import size_text
from pixelproof.core.model import Annotation, Category
from pixelproof.ui.canvas.guide_lines import GUIDES, GuideLines
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.canvas.tool_event import ToolEvent
from pixelproof.ui.keypoint_placing import placeable
from pixelproof.ui.shortcuts import REGISTRY
from pixelproof.ui.tools.base import Tool

MIN_DRAG_SCREEN_PX = 4  # screen pixels, whatever the zoom: a slip at low zoom is no box either
SHORT_DRAG = "Box: click the opposite corner, or drag (Esc cancels)"  # a click starts a box, as in CVAT


class BoxTool(Tool):
    name = "box"
    icon = "tool-box"
    tooltip = "Draw boxes: drag from corner to corner, or click both corners; Esc cancels"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        self._start: QPointF | None = None
        self._start_view = None
        self._preview: QGraphicsRectItem | None = None
        self._category: tuple[Category, bool] | None = (
            None  # the box's, and whether it is added at the release
        )
        self._size: tuple[float, float] | None = None  # the dragged box's width and height, read live
        self._anchored = False  # a click set the first corner: the next click away from it sets the other
        self._guides = GuideLines(canvas)

    def press(self, e: ToolEvent) -> None:
        doc = self.document
        if doc is None:
            return
        if self._anchored and self._start is not None:
            if not self._short(e):  # the second click: the opposite corner
                self._finish(e)
                return
            self.cancel()  # pressed on the first corner again: a drag from there
        category = self.category_to_draw()  # a new one (the project has none) is added with the box
        if category is None:
            return
        self._category = (category, self.adds(category))
        self._start = e.pos
        self._start_view = e.view_pos
        self._preview = QGraphicsRectItem()
        color = category_color(category)
        pen = QPen(color, 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._preview.setPen(pen)
        fill = QColor(color)
        fill.setAlpha(50)
        self._preview.setBrush(fill)
        self.canvas.add_overlay(self._preview)
        self.move(e)

    def _box(self, e: ToolEvent) -> list[float]:
        h, w = self.canvas.image_size()
        box = normalized_box(self._start.x(), self._start.y(), e.pos.x(), e.pos.y())
        return snap_box(box, w, h)

    def _show_guides(self, pos: QPointF) -> None:
        """The guide lines through ``pos``: over the image, or anywhere while a box is dragged (then on the
        image's edge, where the box's corner stops); none off the image between drags, or when turned off."""
        rect = self.canvas.image_rect()
        if (
            GUIDES.on
            and self.canvas.image_item is not None
            and (self._start is not None or rect.contains(pos))
        ):
            self._guides.show_at(pos, rect)
        else:
            self._guides.hide()

    def _guides_at_pointer(self) -> None:
        """The lines where the pointer rests (B pressed over the canvas, Esc): shown before it moves."""
        at = self.canvas.pointer_at
        if at is not None:
            self._show_guides(self.canvas.mapToScene(at))

    def refresh_guides(self) -> None:
        """Guide lines turned on or off (View > Box Guide Lines): shown or hidden where the pointer rests."""
        if self.canvas.pointer_at is None:
            self._guides.hide()
        else:
            self._guides_at_pointer()

    def activate(self) -> None:
        self._guides_at_pointer()

    def key_press(self, event: QKeyEvent) -> bool:
        used = super().key_press(event)
        if event.key() == Qt.Key.Key_Escape:
            self._guides_at_pointer()
        return used

    def pointer_left(self) -> None:
        if self._start is None:  # a drag goes on outside the canvas: the lines stay on the image's edge
            self._guides.hide()

    def move(self, e: ToolEvent) -> None:
        self._show_guides(e.pos)
        if self._start is None or self._preview is None:
            return
        x, y, w, h = self._box(e)
        self._preview.setRect(QRectF(x, y, w, h))
        self._size = (w, h)
        self.canvas.hintChanged.emit()  # the status bar's line reads the size as it changes

    def double_click(self, e: ToolEvent) -> None:
        """Qt delivers a quick second press as a double-click: the second corner's click, or a new press."""
        self.press(e)

    def _short(self, e: ToolEvent) -> bool:
        """``e`` is a click or a slip from the first corner, not a box: under a few screen pixels away or
        under one image pixel wide or high."""
        drag = e.view_pos - self._start_view
        box = self._box(e)
        return max(abs(drag.x()), abs(drag.y())) < MIN_DRAG_SCREEN_PX or box[2] < 1 or box[3] < 1

    def release(self, e: ToolEvent) -> None:
        if self._start is None or self._anchored:
            return
        if self._short(e):  # a click, not a box: the first corner, said; the box follows the pointer
            self._anchored = True
            self.canvas.message.emit(SHORT_DRAG)
            return
        self._finish(e)

    def _finish(self, e: ToolEvent) -> None:
        """The box from the first corner to ``e`` is added (one undo step)."""
        box = self._box(e)
        category = self._category
        self.cancel()
        self._show_guides(e.pos)
        if box[2] < 1 or box[3] < 1:  # both corners on the image's edge, beyond it: no box
            return
        doc = self.document
        if doc is None:
            return
        ann_id = doc.project.next_annotation_id()  # before a class is added for it: refused, nothing added
        if doc.current_category_id in doc.project.categories:
            category_id = doc.current_category_id  # a digit key pressed during the drag counts
        else:
            category_id = None if category is None else self.add_drawn_category(*category)
        if category_id is None:
            return
        ann = Annotation(
            id=ann_id,
            image_id=self.canvas.image_id,
            category_id=category_id,
            bbox=box,
            area=box[2] * box[3],
            source="manual",
        )
        ann.touch()
        self.push(AddAnnotations([ann], "Draw box"))
        names = placeable(doc, ann) if ann.id in doc.project.annotations else None
        if names:  # offered, not started: the next drag still draws a box (a boxes-only pass over a pose set)
            key = REGISTRY.text("edit.place_keypoints") or "Edit > Place Keypoints on Object"
            self.canvas.message.emit(
                f"#{ann.id} {doc.project.categories[category_id].name}: {key} places its "
                f"{len(names)} keypoints, one click each ({names[0]} first)"
            )

    def cancel(self) -> None:
        self._guides.hide()  # before an image change clears the scene; the next move shows them again
        if self._preview is not None:
            self.canvas.remove_overlay(self._preview)
        self._preview = None
        self._start = None
        self._anchored = False
        self._category = None
        if self._size is not None:
            self._size = None
            self.canvas.hintChanged.emit()  # the line says what a drag does again

    def busy(self) -> bool:
        return self._start is not None

    def target_text(self) -> str:
        if self._size is not None:
            then = "click the opposite corner; " if self._anchored else ""
            size = size_text(*self._size, self.spacing())
            return f"Box: {size} new {self.category_name()} box; {then}Esc cancels"
        return f"Box: drag to draw a new {self.category_name()} box"
