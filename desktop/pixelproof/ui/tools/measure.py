"""Measure tool (the ruler of 3D Slicer and QuPath): drag from one point to another to read the distance,
beside the line and in the status bar, in pixels and - when the image has a pixel spacing - in mm (µm
under 1 mm). A measurement is not an annotation: nothing is saved and no undo step is made. It stays until
Esc, the next drag, another tool or another image; Shift keeps it horizontal, vertical or at 45°."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsRectItem, QGraphicsSimpleTextItem

from pixelproof.core.measure import Distance, constrain, distance, format_length, inside
from pixelproof.ui.canvas.tool_event import ToolEvent
from pixelproof.ui.tools.base import Tool

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView

MIN_DRAG_SCREEN_PX = 4  # a click (or a slip) clears the measurement rather than measuring ~0
LINE_COLOR = QColor("#ffd400")  # seen on grey CT/MR and on pink H&E alike
LABEL_OFFSET = 10  # screen pixels from the line's end to its label


class MeasureTool(Tool):
    name = "measure"
    icon = "tool-measure"
    tooltip = "Measure a distance: drag from point to point (Shift: horizontal, vertical or 45°); Esc clears"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas: CanvasView) -> None:
        super().__init__(canvas)
        self._start: QPointF | None = None
        self._start_view = None
        self._dragging = False
        self._line: QGraphicsLineItem | None = None
        self._label: QGraphicsRectItem | None = None
        self._text: QGraphicsSimpleTextItem | None = None
        self.measured: Distance | None = None  # what the line shows (also while dragging)

    def press(self, e: ToolEvent) -> None:
        self.cancel()  # another drag replaces the last measurement
        h, w = self.canvas.image_size()
        self._start = QPointF(min(max(e.pos.x(), 0.0), w), min(max(e.pos.y(), 0.0), h))
        self._start_view = e.view_pos
        self._dragging = True
        pen = QPen(LINE_COLOR, 2)
        pen.setCosmetic(True)
        self._line = QGraphicsLineItem()
        self._line.setPen(pen)
        self.canvas.add_overlay(self._line)
        self._label = QGraphicsRectItem()  # a dark plate at screen size whatever the zoom
        self._label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._label.setBrush(QBrush(QColor(0, 0, 0, 170)))
        self._label.setPen(QPen(Qt.PenStyle.NoPen))
        self._text = QGraphicsSimpleTextItem(self._label)
        self._text.setBrush(QBrush(LINE_COLOR))
        self.canvas.add_overlay(self._label)
        self.move(e)

    def move(self, e: ToolEvent) -> None:
        if not self._dragging or self._line is None:
            return
        start = self._start
        h, w = self.canvas.image_size()
        dx, dy = e.pos.x() - start.x(), e.pos.y() - start.y()
        if e.modifiers & Qt.KeyboardModifier.ShiftModifier:
            dx, dy = constrain(dx, dy)
        dx, dy = inside(start.x(), start.y(), dx, dy, w, h)
        end = QPointF(start.x() + dx, start.y() + dy)
        self._line.setLine(QLineF(start, end))
        self.measured = distance(start.x(), start.y(), end.x(), end.y(), self.spacing())
        self._text.setText(format_length(self.measured))
        pad = 3
        r = self._text.boundingRect()
        pw, ph = r.width() + 2 * pad, r.height() + 2 * pad
        # the plate sits beside the end, on the side away from the start, so it never covers the line
        ox = LABEL_OFFSET if dx >= 0 else -LABEL_OFFSET - pw
        oy = LABEL_OFFSET if dy >= 0 else -LABEL_OFFSET - ph
        self._label.setPos(end)
        self._label.setRect(ox, oy, pw, ph)
        self._text.setPos(ox + pad, oy + pad)
        self.canvas.hintChanged.emit()

    def release(self, e: ToolEvent) -> None:
        if not self._dragging:
            return
        self.move(e)
        self._dragging = False
        drag = e.view_pos - self._start_view
        if max(abs(drag.x()), abs(drag.y())) < MIN_DRAG_SCREEN_PX:
            self.cancel()  # a click: clears what was measured

    def cancel(self) -> None:
        """Esc, another image, another tool, undo / redo: the measurement goes (it is no annotation)."""
        had = self.measured is not None
        for item in (self._line, self._label):
            if item is not None:
                self.canvas.remove_overlay(item)
        self._line = self._label = self._text = None
        self._start = None
        self._dragging = False
        self.measured = None
        if had:
            self.canvas.hintChanged.emit()

    def busy(self) -> bool:
        return self._dragging

    def key_press(self, event: QKeyEvent) -> bool:
        """Esc clears the measurement first; with none, it clears the selection as in every tool."""
        if event.key() == Qt.Key.Key_Escape and self.measured is not None:
            self.cancel()
            return True
        return super().key_press(event)

    def target_text(self) -> str:
        if self.measured is not None:
            d = self.measured
            return f"Measure: {format_length(d)} · Δx {abs(d.dx):.1f}, Δy {abs(d.dy):.1f} px"
        unit = "mm and px" if self.spacing() is not None else "px (no pixel spacing)"
        return f"Measure: drag from point to point for a distance in {unit}; Shift: 0°/45°/90°"
