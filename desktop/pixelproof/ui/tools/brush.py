"""Brush (R) and eraser (E): paint a round brush into the selected mask annotation, or into a new mask of the
current category; the eraser removes from the selected mask.

While the button is down the mask is a dense bool array (``core.paint.Stroke``); each mouse move
paints the segment from the previous position (continuous at any speed) and the canvas item redraws just
that rectangle. On release the stroke becomes one ``PaintMask`` edit holding only the changed
rectangle. The brush size is a width in pixels (``core.paint``: an odd width is centred on the pixel under
the pointer, an even one on the nearest pixel corner); a ring under the cursor outlines the pixels a click
paints; ``[`` / ``]`` and Shift+wheel step the width. Alt+drag with the brush erases, as QuPath's brush
does, without a switch to the eraser and back.
"""

from __future__ import annotations

import math

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from pixelproof.core import annotation_pixels, paint
from pixelproof.core.edits import new_mask_annotation
from pixelproof.core.model import Annotation, Category
from pixelproof.core.object_lock import is_locked
from pixelproof.core.sparse_mask import origin_of
from pixelproof.ui.canvas import live_mask
from pixelproof.ui.canvas.items import MaskItem, make_item
from pixelproof.ui.canvas.live_mask import LiveMask
from pixelproof.ui.canvas.polygon_layer import follow_selection
from pixelproof.ui.canvas.tool_event import ToolEvent
from pixelproof.ui.shortcuts import REGISTRY
from pixelproof.ui.tools.base import Tool
from pixelproof.ui.tools.paint_options import OPTIONS


def outline_path(width: int) -> QPainterPath:
    """The footprint's outline along pixel edges (``paint.footprint_outline``), around the centre point."""
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(x, y) for x, y in paint.footprint_outline(width)]))
    path.closeSubpath()
    return path


class BrushRing(QGraphicsPathItem):
    """The brush outline: a dark ring with a light ring inside, visible on any image at any zoom. It runs
    along the edges of the pixels a click paints (a 2 px brush: the 2x2 square around the nearest corner),
    so what it encloses is what the brush paints."""

    def __init__(self) -> None:
        super().__init__()
        dark = QPen(QColor(0, 0, 0, 200), 3)
        dark.setCosmetic(True)
        self.setPen(dark)
        self.inner = QGraphicsPathItem(self)
        light = QPen(QColor(255, 255, 255, 230), 1)
        light.setCosmetic(True)
        self.inner.setPen(light)
        self.width = 0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def place(self, centre: tuple[int, int], width: int) -> None:
        """At ``centre`` (``paint.brush_centre``: the pixel's top-left corner, or the corner itself)."""
        if width != self.width:
            self.width = width
            path = outline_path(width)
            self.setPath(path)
            self.inner.setPath(path)
        if self.pos() != QPointF(*centre):
            self.setPos(*centre)


def pixel_of(e: ToolEvent) -> tuple[int, int]:
    """The image pixel under the cursor (scene units are pixels, origin at the top-left corner)."""
    return math.floor(e.pos.x()), math.floor(e.pos.y())


def centre_of(e: ToolEvent, width: int) -> tuple[int, int]:
    """Where the brush is centred with the pointer at ``e`` (scene units are pixels, origin at the top-left
    corner): the pixel under it, or the pixel corner nearest it for an even width."""
    return paint.brush_centre(e.pos.x(), e.pos.y(), width)


class BrushTool(Tool):
    name = "brush"
    icon = "tool-brush"
    tooltip = (
        "Paint a mask: drag; Alt+drag: erase; Shift+click: a straight line from the last stroke's end; [ ] or"
        " Shift+wheel change the size; paints the selected mask or a new one"
    )
    cursor = Qt.CursorShape.CrossCursor
    sized = True  # [ / ], Shift+wheel: the width
    erase = False

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        self._ring: BrushRing | None = None
        self._last_pos: tuple[float, float] | None = None  # the pointer in the image (None: not over it)
        self._last_centre: tuple[int, int] | None = None  # the brush's centre there (``centre_of``)
        self._stroke: paint.Stroke | None = None
        self._ann: Annotation | None = None  # target of the stroke in progress
        self._is_new = False
        self._erasing = False  # the stroke in progress erases (the eraser, or Alt held at the brush's press)
        self._category: Category | None = None  # a new mask's
        self._adds_category = False  # ``_category`` is not in the project yet (it had none)
        self._item: MaskItem | None = None
        self._temp_item: MaskItem | None = None
        # the dense mask of the last edited annotation, reused while its RLE is unchanged
        self._session: tuple[int, int, dict, np.ndarray] | None = None
        self._others: tuple[tuple, annotation_pixels.OthersMask] | None = None
        # where the last stroke ended: (image id, the mask it painted, its last dab's centre) - Shift+click
        # goes on from there in a straight line
        self._line_end: tuple[int, int, tuple[int, int]] | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def activate(self) -> None:
        OPTIONS.listen(self._place_ring)
        at = self.canvas.pointer_at  # chosen by key over the canvas: the ring shows there before a move
        if at is not None and self.canvas.image_id != -1:
            no_button = ToolEvent(
                self.canvas.mapToScene(at), at, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
            )
            self._last_pos = (no_button.pos.x(), no_button.pos.y())
            self._place_ring()

    def deactivate(self) -> None:
        self.cancel()
        OPTIONS.unlisten(self._place_ring)
        self._drop_ring()
        self._session = None  # dense masks are for editing only
        self._others = None

    # -- ring --------------------------------------------------------------------------------------
    def _drop_ring(self) -> None:
        if self._ring is not None and shiboken6.isValid(self._ring):
            self.canvas.remove_overlay(self._ring)
        self._ring = None
        self._last_pos = self._last_centre = None

    def pointer_left(self) -> None:
        """Off the canvas the ring goes, as Photoshop's and QuPath's brush cursor: left at the window's edge
        it marked a spot the pointer had left. A stroke in progress keeps it (the drag comes back)."""
        if self._stroke is None:
            self._drop_ring()

    def _width(self) -> int:
        """The stroke's width while one is painted (a size key pressed meanwhile acts on the next), else the
        chosen one."""
        return self._stroke.width if self._stroke is not None else OPTIONS.width

    def _place_ring(self) -> None:
        """The ring where the brush is centred, at its width (also after the width changed)."""
        if self._last_pos is None:
            return
        width = self._width()
        self._last_centre = paint.brush_centre(*self._last_pos, width)
        if self._ring is None or not shiboken6.isValid(self._ring) or self._ring.scene() is None:
            self._ring = BrushRing()
            self.canvas.add_overlay(self._ring)
            self._ring.setZValue(200)
        self._ring.place(self._last_centre, width)

    # -- target ------------------------------------------------------------------------------------
    def erases(self, e: ToolEvent) -> bool:
        """Whether a stroke pressed with ``e`` erases: the eraser's always; the brush's with Alt held
        (QuPath's brush erases with Alt; CVAT and Photoshop need another tool), so a slip over the edge is
        taken back without E and R."""
        return self.erase or bool(e.modifiers & Qt.KeyboardModifier.AltModifier)

    def _target(self, e: ToolEvent) -> tuple[Annotation | None, bool]:
        """Erasing: the selected mask, else (none selected) the mask the stroke starts on, selected. The
        brush: the selected mask when the first dab touches it or Ctrl is held (a separate part), else a
        new mask of the current category."""
        doc = self.document
        selected = self.selected_mask()
        if self.erases(e):
            if selected is None:
                selected = self.mask_under(e)
                if selected is None:
                    self.canvas.message.emit("Select the mask to erase from, or start on one")
                else:
                    doc.set_selection([selected.id])
            return selected, False
        if selected is not None:
            add_part = bool(e.modifiers & Qt.KeyboardModifier.ControlModifier)
            c = centre_of(e, OPTIONS.width)
            rect, dab = paint.segment_footprint(c, c, width=OPTIONS.width)
            if add_part or paint.touches(selected.segmentation, rect, dab, origin_of(selected)):
                return selected, False
        self._category = self.category_to_draw()  # added once the stroke paints a pixel
        if self._category is None:
            return None, False
        self._adds_category = self.adds(self._category)
        return new_mask_annotation(doc.project, self.canvas.image_id, self._category.id), True

    def target_text(self) -> str:
        mask = self.selected_mask()
        if self.erase:
            return (
                f"Eraser: erases from {self.describe(mask)}"
                if mask
                else "Eraser: erases from the mask it starts on"
            )
        new = f"a new {self.category_name()} mask"
        if mask is None:
            return f"Brush: paints {new} (Alt: erases)"
        into = f"Brush: paints into {self.describe(mask)} (Ctrl: a separate part; Alt: erases)"
        return f"{into}; away from it: {new}"

    def _dense(self, ann: Annotation, is_new: bool) -> np.ndarray:
        h, w = self.canvas.image_size()
        s = self._session
        if (
            not is_new
            and s is not None
            and s[0] == self.canvas.image_id
            and s[1] == ann.id
            and s[2] == ann.segmentation
            and s[3].shape == (h, w)
        ):
            return s[3]
        self._session = None
        return annotation_pixels.editable_mask(None if is_new else ann, h, w)

    def _others_mask(self, ann: Annotation) -> annotation_pixels.OthersMask | None:
        """Preserve others: the other annotations' union, decoded lazily per dab (a dense union of
        hundreds of masks on a big image would block the first press for ~0.2 s)."""
        if self._erasing or not OPTIONS.preserve_others:
            return None
        others = [a for a in self.document.project.annotations_of(self.canvas.image_id) if a.id != ann.id]
        key = tuple((a.id, a.kind, tuple(a.bbox), a.area) for a in others)
        if self._others is None or self._others[0] != key:
            h, w = self.canvas.image_size()
            self._others = (key, annotation_pixels.OthersMask(others, h, w))
        return self._others[1]

    # -- mouse -------------------------------------------------------------------------------------
    def _line_start(self, e: ToolEvent) -> tuple[Annotation, tuple[int, int]] | None:
        """Shift+press: the mask the last stroke on this image painted (or erased) and where it ended, so
        the stroke starts there and a crack is two clicks, as Photoshop and GIMP draw a straight line.
        None without Shift, Ctrl held (a separate part), or when that mask is gone."""
        mods = e.modifiers
        end = self._line_end
        if not mods & Qt.KeyboardModifier.ShiftModifier or mods & Qt.KeyboardModifier.ControlModifier:
            return None
        if end is None or end[0] != self.canvas.image_id:
            return None
        ann = self.document.project.annotations.get(end[1])
        if ann is None or ann.kind != "mask" or ann.image_id != end[0]:
            return None
        return ann, end[2]

    def press(self, e: ToolEvent) -> None:
        if self.document is None or self._stroke is not None:
            return
        line = self._line_start(e)
        if line is not None:
            ann, is_new = line[0], False
            if self.selected_mask() is not ann:
                self.document.set_selection([ann.id])
        else:
            ann, is_new = self._target(e)
        if ann is None:
            return
        erase = self.erases(e)
        if not is_new and is_locked(ann):  # refused by the edit anyway: not a stroke painted for nothing
            key = REGISTRY.text("edit.lock") or "Edit > Lock"
            what = "erase from" if erase else "paint"
            self.canvas.message.emit(f"{self.describe(ann)} is locked: unlock it ({key}) to {what} it")
            return
        self._erasing = erase
        mask = self._dense(ann, is_new)
        self._stroke = paint.Stroke(mask, width=OPTIONS.width, erase=erase, others=self._others_mask(ann))
        self._ann, self._is_new = ann, is_new
        self._item = self._live_item(ann, is_new)
        if line is not None:
            self._paint_to(line[1])
        self._paint_to(centre_of(e, self._stroke.width))

    def _live_item(self, ann: Annotation, is_new: bool) -> MaskItem:
        """What the stroke paints into while the button is down: the mask's item; for a large one the layer
        draws, a ``LiveMask`` holding the stroke's area only (its own item decoded its whole box); for a new
        mask, one made for the stroke."""
        cat = self._category if is_new else self.document.project.categories.get(ann.category_id)
        made: MaskItem
        if not is_new and live_mask.over_layer(self.canvas, ann):
            made = LiveMask(self.canvas, ann, cat)
        else:
            item = None if is_new else self.canvas.items_by_id.get(ann.id)
            if isinstance(item, MaskItem):
                return item
            made = make_item(ann, cat, self.canvas.image_size(), False, self.canvas.show_filter)  # type: ignore[assignment]
        self.canvas.add_overlay(made)
        self._temp_item = made
        return made

    def _paint_to(self, p: tuple[int, int]) -> None:
        rect = self._stroke.move_to(*p)
        if rect is not None:
            self._item.paint_live(self._stroke.mask, rect)

    def move(self, e: ToolEvent) -> None:
        self._last_pos = (e.pos.x(), e.pos.y())
        p = centre_of(e, self._width())
        if p != self._last_centre:
            self._place_ring()
            if self._stroke is not None:
                self._paint_to(p)

    def double_click(self, e: ToolEvent) -> None:
        """Qt delivers a quick second dab's press as a double-click: it is a press like any other."""
        self.press(e)

    def _overtaken(self) -> bool:
        """Whether an edit made while the button was down (Delete, a Masks command, a pre-label landing)
        changed the target's pixels or took it away: the stroke was painted on the mask as it was."""
        if self._is_new:  # nothing to take away (its id is reserved again at the release)
            return False
        now = self.document.project.annotations.get(self._ann.id)
        return now is None or now.segmentation != self._ann.segmentation

    def release(self, e: ToolEvent) -> None:
        stroke = self._stroke
        if stroke is None:
            return
        if self._overtaken():
            self.cancel()
            self.canvas.message.emit("The mask changed during the stroke: paint again")
            return
        p = centre_of(e, stroke.width)
        if not stroke.points or stroke.points[-1] != p:
            self._paint_to(p)
        patch = stroke.finish()
        ann, is_new, mask = self._ann, self._is_new, stroke.mask
        self._end_stroke()
        self._place_ring()  # at the width chosen during the stroke, if one was
        if patch is None:
            if not is_new:  # a click on pixels already painted: the next Shift+click goes on from it
                self._line_end = (self.canvas.image_id, ann.id, p)
            if stroke.erase and not is_new:  # off the selected mask (on another coin): not a silent no-op
                self.canvas.message.emit(
                    f"Nothing erased: the stroke did not touch {self.describe(ann)}, the selected mask; "
                    "Esc unselects it, then a stroke erases from the mask it starts on"
                )
            self._resync()
            return
        doc = self.document
        if is_new:  # its id was reserved at the press; an object added meanwhile may have taken it
            category_id = self.add_drawn_category(self._category, self._adds_category)
            if category_id is None:
                return
            ann = new_mask_annotation(doc.project, self.canvas.image_id, category_id)
        text = "Erase" if stroke.erase else "Brush stroke"
        self.push_paint(ann, patch, text, is_new=is_new)
        now = doc.project.annotations.get(ann.id)  # None: the stroke erased every pixel, the object went
        self._session = None if now is None else (self.canvas.image_id, ann.id, now.segmentation, mask)
        self._line_end = None if now is None else (self.canvas.image_id, ann.id, p)

    def _end_stroke(self) -> None:
        """The stroke's items let go of. A large selected mask is drawn by the layer again, all of it (its
        ``LiveMask`` gone; an item made for the stroke goes back to the layer:
        ``polygon_layer.drawn_by_layer``) before the edit is pushed: its whole box is not decoded for the
        edit, its undo or its redo."""
        own = self._temp_item is None and self._item is not None
        if isinstance(self._temp_item, LiveMask):
            self._temp_item.let_go()
        if self._temp_item is not None:
            self.canvas.remove_overlay(self._temp_item)  # type: ignore[arg-type]
        self._temp_item = None
        self._item = None
        self._stroke = None
        self._ann = None
        if own and self.document is not None:
            follow_selection(self.canvas, set(self.document.selection))

    def _resync(self) -> None:
        """Show the annotation as stored again (after a cancelled or empty stroke)."""
        doc = self.document
        for ann_id, item in self.canvas.items_by_id.items():
            ann = doc.project.annotations.get(ann_id)
            if isinstance(item, MaskItem) and ann is not None and item.is_live:
                item.sync(ann, doc.project.categories.get(ann.category_id), self.canvas.show_labels)

    def busy(self) -> bool:
        return self._stroke is not None

    def cancel(self) -> None:
        self._drop_ring()  # the canvas may be about to clear its scene (other image)
        stroke = self._stroke
        if stroke is not None:
            patch = stroke.finish()
            if patch is not None:
                patch.revert(stroke.mask)  # the dense mask matches the annotation again
            self._end_stroke()
            self._resync()


class EraserTool(BrushTool):
    name = "eraser"
    icon = "tool-eraser"
    tooltip = (
        "Erase from the selected mask (none selected: the one the drag starts on); Shift+click: a straight"
        " line from the last stroke's end; [ ] or Shift+wheel size"
    )
    erase = True
