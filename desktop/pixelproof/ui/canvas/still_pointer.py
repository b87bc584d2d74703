"""The canvas moving under a pointer that rests on it: a dock widened or hidden (View menu, a shortcut), the
window resized, moves or resizes the canvas without a mouse move, so Qt sends the canvas no move. Its
``pointer_at`` (where a brush's ring goes), the status bar's position and the hover mark stayed on the old
spot, an image pixel the pointer was no longer over. ``StillPointer`` watches the canvas and its ancestors'
geometry and has the canvas take the pointer's place again, as a mouse move there would; so it does when
another image (the next slice) is shown under the pointer."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView

MOVES = (QEvent.Type.Move, QEvent.Type.Resize)


class StillPointer(QObject):
    """Takes the pointer's place on the view again once after the view or an ancestor moved or resized
    while the pointer rests over the view (``pointer_at``)."""

    def __init__(self, view: CanvasView) -> None:
        super().__init__(view)
        self.view = view
        self._watched: list[QWidget] = []
        self._due = False
        view.installEventFilter(self)
        self._watch()
        view.imageShown.connect(lambda _id: QTimer.singleShot(0, self, self._read_again))

    def _read_again(self) -> None:
        """Another image came under the resting pointer (PgDn / PgUp, the wheel stepping slices, D / A):
        its pixel there is read as a mouse move would read it, as 3D Slicer's data probe follows the slice
        (the status bar's position and HU stayed blank until the mouse moved)."""
        view = self.view
        if view.pointer_at is not None and view._pan_from is None and not view.window_drag.active:
            view._pointer_moved(view.pointer_at, Qt.MouseButton.NoButton, QApplication.keyboardModifiers())

    def _watch(self) -> None:
        """Watch the view's ancestors up to its window (again after the view is put elsewhere)."""
        for w in self._watched:
            with contextlib.suppress(RuntimeError):  # gone before the view
                w.removeEventFilter(self)
        self._watched = []
        w = self.view.parentWidget()
        while w is not None:
            w.installEventFilter(self)
            self._watched.append(w)
            if w.isWindow():
                break
            w = w.parentWidget()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ParentChange and watched is self.view:
            self._watch()
        elif kind in MOVES and self.view.pointer_at is not None and not self._due:
            self._due = True  # once for the moves and resizes of one layout
            QTimer.singleShot(0, self, self._follow)
        return False

    def _follow(self) -> None:
        """Where the pointer is over the viewport now, as a mouse move there would say (off it: as if it
        left); nothing while a pan or a window/level drag holds it."""
        self._due = False
        view = self.view
        if view.pointer_at is None or view._pan_from is not None or view.window_drag.active:
            return
        p = view.viewport().mapFromGlobal(view._pointer_global.toPoint())
        if p == view.pointer_at:
            return
        if not view.viewport().rect().contains(p):
            view.pointer_at = None
            view.cursorMoved.emit(None)
            view.set_hovered(None)
            return
        view.pointer_at = p
        view._pointer_moved(p, Qt.MouseButton.NoButton, QApplication.keyboardModifiers())
