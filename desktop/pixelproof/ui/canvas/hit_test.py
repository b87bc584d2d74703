"""What is under the mouse on the canvas: the resize handle whose spot is nearest, else the smallest
object there (the selection first), and the objects a rubber band touches - over the items and the box
layer alike, so the select tool asks one place whatever draws an object."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtWidgets import QGraphicsItem

from pixelproof.ui.canvas.items import AnnotationItemMixin, HandleItem

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView


def annotation_at(view: CanvasView, view_pos: QPoint) -> tuple[int | None, str | None]:
    """(annotation id, handle name) of what is under ``view_pos``: handles of the selection first,
    then the smallest annotation there (so a box inside a bigger one can be picked)."""
    hits = view.items(view_pos)
    handle = handle_at(view, QPointF(view_pos), hits)
    if handle is not None:
        return handle
    found: list[AnnotationItemMixin] = []
    for it in hits:
        while it is not None and not isinstance(it, AnnotationItemMixin):
            it = it.parentItem()
        if it is not None and it not in found:
            found.append(it)
    candidates = [(i.ann_id, _area(i)) for i in found]
    if view.box_layer is not None:
        candidates += view.box_layer.boxes_at(view.mapToScene(view_pos))
    if not candidates:
        return None, None
    sel = set(view.document.selection) if view.document else set()
    candidates.sort(key=lambda c: (c[0] not in sel, c[1]))
    return candidates[0][0], None


def handle_at(view: CanvasView, at: QPointF, hits: list[QGraphicsItem]) -> tuple[int, str] | None:
    """(id, name) of the resize handle under ``at`` (view pixels) whose spot is nearest it, of the items'
    (``HandleItem`` in ``hits``, topmost first: it wins a tie) and the layer's selected boxes'."""
    to_view = view.viewportTransform()
    best: tuple[float, int, str] | None = None
    for it in hits:
        if isinstance(it, HandleItem):
            spot = to_view.map(it.scenePos())
            off = math.hypot(spot.x() - at.x(), spot.y() - at.y())
            if best is None or off < best[0]:
                best = (off, it.owner.ann_id, it.name)  # type: ignore[attr-defined]
    layer = view.box_layer.handle_at(at, to_view) if view.box_layer is not None else None
    if layer is not None and (best is None or layer[2] < best[0]):
        best = (layer[2], layer[0], layer[1])
    return None if best is None else (best[1], best[2])


def annotations_in(view: CanvasView, rect: QRectF) -> list[int]:
    """Annotations touching a scene rectangle (rubber-band selection)."""
    out = []
    for it in view.scene().items(rect, Qt.ItemSelectionMode.IntersectsItemShape):
        if isinstance(it, AnnotationItemMixin) and it.ann_id not in out:
            out.append(it.ann_id)
    if view.box_layer is not None:
        out += view.box_layer.boxes_in(rect)
    return out


def _area(item: AnnotationItemMixin) -> float:
    r = item.boundingRect()  # type: ignore[attr-defined]
    return r.width() * r.height()
