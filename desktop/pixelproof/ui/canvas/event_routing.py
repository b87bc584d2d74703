"""How the canvas routes its viewport's mouse, wheel and key events: the navigation every tool gets for free
(Space+drag or middle drag = pan, right drag = window / level or the objects' menu, the wheel = zoom or
scroll as ``wheel_mode`` says) is the view's, the rest goes to the active tool as ``ToolEvent``s in scene
(image-pixel) coordinates. A part of ``CanvasView`` (as ``zoom_pan.ZoomAndPan``), which gives what it uses
(``tool``, ``image_id``, ``image_item``, ``window_drag``, ``_pan_from``, ``_space_down``, ``pointer_at``,
``_pointer_global``, ``hover_at``, ``_tags_dirty``, ``pan_by``, ``set_hovered``, ``flush_tags``,
``image_rect``, ``cursorMoved``, ``toolChanged``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent

from pixelproof.ui.canvas.tool_event import ToolEvent, scene_at
from pixelproof.ui.wheel_mode import wheel_navigates


class EventRouting:
    """The canvas's input: navigation kept by the view, the rest to the tool (see the module's docstring)."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.tool is not None and self.tool.wheel(event):  # e.g. Shift+wheel = brush size
            event.accept()
            return
        if wheel_navigates(self, event):  # zoom at the cursor, or scroll as LabelMe (Preferences)
            event.accept()

    def _tool_event(self, event: QMouseEvent) -> ToolEvent:
        at = event.position()
        return ToolEvent(scene_at(self, at), at.toPoint(), event.button(), event.modifiers())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        btn = event.button()
        if btn == Qt.MouseButton.MiddleButton or (btn == Qt.MouseButton.LeftButton and self._space_down):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        tool_menu = btn == Qt.MouseButton.RightButton and self.tool is not None and self.image_id != -1
        if tool_menu and self.tool.context_menu(self._tool_event(event)):  # e.g. delete a polygon vertex
            return
        if btn == Qt.MouseButton.RightButton and self.image_item is not None:
            self.window_drag.start(event.position().toPoint(), self.image_item.image)
            return
        if btn == Qt.MouseButton.LeftButton and self.tool is not None and self.image_id != -1:
            self.tool.press(self._tool_event(event))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        p = self.pointer_at = event.position().toPoint()
        self._pointer_global = event.globalPosition()
        if self._pan_from is not None:
            d = p - self._pan_from
            self._pan_from = p
            if self.hover_at is not None:
                self.hover_at = p  # marked where the pointer is at the end of the pan (``scrollContentsBy``)
            self.pan_by(d.x(), d.y())
            return
        if self.window_drag.move(p):  # right drag: right/left widens/narrows, up/down moves the level
            return
        self._pointer_moved(p, event.button(), event.modifiers(), event.position())

    def _pointer_moved(
        self, p: QPoint, button: Qt.MouseButton, modifiers: Qt.KeyboardModifier, at: QPointF | None = None
    ) -> None:
        """The pointer is at ``p`` over the viewport (``at`` exactly, when known): the status bar's readout
        and the tool follow."""
        scene = scene_at(self, QPointF(p) if at is None else at)
        inside = self.image_rect().contains(scene)
        self.cursorMoved.emit(scene if inside else None)
        if self.tool is not None and self.image_id != -1:
            self.tool.move(ToolEvent(scene, p, button, modifiers))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        btn = event.button()
        if self._pan_from is not None and btn in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            self._restore_cursor()
            return
        if btn == Qt.MouseButton.RightButton and self.window_drag.stop(event.position().toPoint()):
            return
        if btn == Qt.MouseButton.LeftButton and self.tool is not None and self.image_id != -1:
            self.tool.release(self._tool_event(event))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.tool is not None and self.image_id != -1:
            self.tool.double_click(self._tool_event(event))

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:  # the cursor left the image area (maybe not the view)
            self.pointer_at = None
            self.set_hovered(None)
            if self.tool is not None:
                self.tool.pointer_left()
        elif event.type() == QEvent.Type.Paint and self._tags_dirty:
            self.flush_tags()  # the tags a zoom or pan moved, placed once per frame (a wheel burst) before it
        return super().viewportEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.cursorMoved.emit(None)
        self.set_hovered(None)
        super().leaveEvent(event)

    def event(self, event: QEvent) -> bool:
        # a tool may claim a key that is also a window shortcut (Backspace while drawing a polygon)
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and self.tool is not None
            and self.tool.wants_key(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Shift+Space skips a keypoint while the select tool places them (``ui.keypoint_placing``)
        skip = event.modifiers() == Qt.KeyboardModifier.ShiftModifier and getattr(self.tool, "placing", None)
        if event.key() == Qt.Key.Key_Space and not skip:
            if not event.isAutoRepeat():
                self._space_down = True
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if self.tool is not None and self.image_id != -1 and self.tool.key_press(event):
            return
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            return  # arrows belong to tools; QGraphicsView would scroll
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self._pan_from = None
            self._restore_cursor()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:
        self._space_down = False
        super().focusOutEvent(event)

    def set_tool(self, tool) -> None:
        if self.tool is not None:
            self.tool.deactivate()
        self.tool = tool
        if tool is not None:
            tool.activate()
        self._restore_cursor()
        self.toolChanged.emit()

    def _restore_cursor(self) -> None:
        if self._space_down:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        elif self.tool is not None:
            self.viewport().setCursor(self.tool.cursor)
        else:
            self.viewport().unsetCursor()
