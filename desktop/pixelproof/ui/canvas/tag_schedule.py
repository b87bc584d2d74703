"""When the canvas places its tags (``tag_layout``) and the cut tags' copies (``PinnedTags``): a part of
``CanvasView`` (as ``zoom_pan.ZoomAndPan``), which gives what it uses (``_tags_dirty``, ``hover``,
``pinned``)."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from pixelproof.ui.canvas import stacking, tag_layout


class TagSchedule:
    """Placing the tags once for a batch of changes (see the module's docstring)."""

    def tags_changed(self) -> None:
        """The objects, the selection or the zoom changed: the tags are placed again (``tag_layout``) at the
        next ``flush_tags`` - the end of the edit, or the next turn of the event loop (one for a batch)."""
        if not self._tags_dirty:
            self._tags_dirty = True
            QTimer.singleShot(0, self, self.flush_tags)  # not after the canvas is gone

    def flush_tags(self) -> None:
        """Place the tags now if anything changed (``tag_layout.flush``); the hover mark's tag goes where
        the object's own tag now is."""
        if tag_layout.flush(self) and self.hover is not None and self.hover.ann_id is not None:
            stacking.mark_hovered(self, self.hover.ann_id)
            self.pin_tags()

    def pin_tags(self) -> None:
        """Keep the cut tags of the objects in the window inside its edge (``PinnedTags``), as the tags,
        the pan, the zoom or the window's size are now."""
        if self.pinned is not None:
            self.pinned.refresh()
