"""A drag's preview on the canvas: the dragged objects drawn moved (or a box resized), their keypoints
with them, before the edit is pushed, and drawn as stored again when it is cancelled (a mixin of
``CanvasView``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView


class DragPreviews:
    """``CanvasView``'s drag previews (``self`` is the view)."""

    def preview_move(self: CanvasView, ids: Iterable[int], dx: float, dy: float) -> None:
        """Show ``ids`` moved by (dx, dy) in a drag (the layer's selected boxes move as one, no items)."""
        for item in filter(None, map(self.made_item, ids)):
            item.setPos(dx, dy)
        if self.box_layer is not None:
            self.box_layer.chosen.setPos(dx, dy)
        if self.keypoints is not None and self.document is not None:  # their keypoints follow, live
            anns = filter(None, map(self.document.project.annotations.get, ids))
            self.keypoints.preview_boxes({a.id: [a.bbox[0] + dx, a.bbox[1] + dy, *a.bbox[2:]] for a in anns})
        self.pin_tags()  # a dragged object's tag kept in the window moves along

    def preview_box(self: CanvasView, ann_id: int, box: list[float]) -> None:
        """Show box ``ann_id`` resized to ``box`` (x y w h) in a drag, its keypoints mapped along."""
        item = self.made_item(ann_id)
        if item is not None and hasattr(item, "preview_box"):
            item.preview_box(box)
        if self.keypoints is not None:
            self.keypoints.preview_boxes({ann_id: box})

    def drop_previews(self: CanvasView, ids: Iterable[int]) -> None:
        """Show ``ids`` as stored again (a drag cancelled or that moved nothing)."""
        doc = self.document
        for ann_id in ids:
            item = self.made_item(ann_id)
            ann = doc.project.annotations.get(ann_id) if doc is not None else None
            if item is not None and ann is not None:
                item.sync(ann, self._category(ann), self.show_labels)
        if self.box_layer is not None:
            self.box_layer.chosen.setPos(0, 0)
        if self.keypoints is not None:
            self.keypoints.drop_preview()
        self.pin_tags()
