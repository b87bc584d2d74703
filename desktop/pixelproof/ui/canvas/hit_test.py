"""What is under the mouse on the canvas: the resize handle whose spot is nearest, else the smallest
object there (the selection first), and the objects a rubber band touches - over the items and the box
layer alike, so the select tool asks one place whatever draws an object.

Handles are a fixed 9 screen pixels, so at 10 % they cover a box of a few pixels. Inside a box a press takes
a handle only nearer its spot than the box's centre (``grabbable``): the middle of a box small on screen
moves it, its edges still resize it, and a handle is grabbed whole from outside; a box tens of pixels wide
is not affected. On a box under 3 handles wide (high) on screen only the corners are drawn and taken
(``shown_handles``): its 8 handles hid a box of 12 x 18 pixels whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QGraphicsItem

from pixelproof.core.geometry import HANDLES
from pixelproof.ui.canvas.items import AnnotationItemMixin
from pixelproof.ui.canvas.marks import HANDLE_MIN, HANDLE_SHARE, HANDLE_SIZE, HandleItem

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
    for it in hits:  # a tag (``LabelItem``, top-level) has no annotation parent: it picks nothing
        while it is not None and not isinstance(it, AnnotationItemMixin):
            it = it.parentItem()
        if it is not None and it not in found:
            found.append(it)
    candidates = [(i.ann_id, _area(i)) for i in found]
    selected = view.document.selection if view.document else []
    if view.box_layer is not None:  # the layer's own pick by the same rule: one candidate of its boxes
        box = view.box_layer.box_at(view.mapToScene(view_pos), selected)
        candidates += [box] if box is not None else []
    if not candidates:
        return None, None
    picked = set(selected)
    return min(candidates, key=lambda c: (c[0] not in picked, c[1]))[0], None  # the first (topmost) of equals


def stack_at(view: CanvasView, view_pos: QPoint) -> list[int]:
    """Every shown object under ``view_pos``, in the order a click goes through them when clicked again
    (CVAT's and LabelMe's overlapping objects): smallest first, of equals the topmost drawn. The items'
    and the box layer's alike."""
    found: list[tuple[float, int]] = []
    for it in view.items(view_pos):  # topmost first: a stable sort keeps it first of equals
        while it is not None and not isinstance(it, AnnotationItemMixin):
            it = it.parentItem()
        if it is not None and it.ann_id not in {i for _, i in found}:
            found.append((_area(it), it.ann_id))
    layer = view.box_layer
    if layer is not None:
        ids, b, _, _ = layer.arrays()
        for k in layer.hits_at(view.mapToScene(view_pos))[::-1].tolist():  # topmost (drawn last) first
            found.append((float((b[k, 2] - b[k, 0]) * (b[k, 3] - b[k, 1])), int(ids[k])))
    return [i for _, i in sorted(found, key=lambda f: f[0])]


def handle_at(view: CanvasView, at: QPointF, hits: list[QGraphicsItem]) -> tuple[int, str] | None:
    """(id, name) of the resize handle under ``at`` (view pixels) whose spot is nearest it, of the items'
    (``HandleItem`` in ``hits``, topmost first: it wins a tie) and the layer's selected boxes'."""
    to_view = view.viewportTransform()
    best: tuple[float, int, str] | None = None
    for it in hits:
        if isinstance(it, HandleItem):
            r = it.owner.mapRectToScene(it.owner.rect())  # type: ignore[attr-defined]
            spots = handle_spots(np.array([[r.left(), r.top(), r.right(), r.bottom()]]), to_view)
            k = HANDLES.index(it.name)
            if not grabbable(spots, at)[0, k]:
                continue
            off = float(np.hypot(*(spots[0, k] - (at.x(), at.y()))))
            if best is None or off < best[0]:
                best = (off, it.owner.ann_id, it.name)  # type: ignore[attr-defined]
    layer = view.box_layer.handle_at(at, to_view) if view.box_layer is not None else None
    if layer is not None and (best is None or layer[2] < best[0]):
        best = (layer[2], layer[0], layer[1])
    return None if best is None else (best[1], best[2])


def handle_spots(xyxy: np.ndarray, to_view: QTransform) -> np.ndarray:
    """The 8 handle centres (``HANDLES`` order) of each box, mapped by ``to_view`` (scale and shift)."""
    x0, y0, x1, y1 = xyxy[:, 0], xyxy[:, 1], xyxy[:, 2], xyxy[:, 3]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    spot = {"tl": (x0, y0), "t": (cx, y0), "tr": (x1, y0), "r": (x1, cy)}
    spot |= {"br": (x1, y1), "b": (cx, y1), "bl": (x0, y1), "l": (x0, cy)}
    xs = np.stack([spot[h][0] for h in HANDLES], axis=1)
    ys = np.stack([spot[h][1] for h in HANDLES], axis=1)
    t = to_view
    vx = t.m11() * xs + t.m21() * ys + t.m31()
    vy = t.m12() * xs + t.m22() * ys + t.m32()
    return np.stack([vx, vy], axis=-1)


EDGE_HANDLE_ROOM = 3 * HANDLE_SIZE  # screen pixels: a shorter side shows no handle in its middle


def shown_handles(spots: np.ndarray) -> np.ndarray:
    """(n, 8): which handles of n boxes (``handle_spots``, view pixels) are drawn and can be taken - the
    corners always, the top and bottom ones on a box at least ``EDGE_HANDLE_ROOM`` wide on screen, the left
    and right ones on one as high: 8 handles covered a box of 12 x 18 pixels whole (at fit zoom), and a
    corner still resizes it. The one rule: the layer's and the items' handles are drawn and hit by it."""
    tl, tr, bl = (HANDLES.index(h) for h in ("tl", "tr", "bl"))
    wide = np.abs(spots[:, tr, 0] - spots[:, tl, 0]) >= EDGE_HANDLE_ROOM
    high = np.abs(spots[:, bl, 1] - spots[:, tl, 1]) >= EDGE_HANDLE_ROOM
    shown = np.ones(spots.shape[:2], dtype=bool)
    for k, name in enumerate(HANDLES):
        if name in ("t", "b"):
            shown[:, k] = wide
        elif name in ("l", "r"):
            shown[:, k] = high
    return shown


def handle_sides(spots: np.ndarray) -> np.ndarray:
    """(n,): the side in screen pixels of the handles drawn on each of n boxes (``handle_spots``): a share
    of the box's shorter side on screen (``HANDLE_SHARE``), odd (centred on the spot), from ``HANDLE_MIN``
    to ``HANDLE_SIZE``. Four 9-pixel corner handles covered a box of 10 x 14 pixels but for a strip across
    its middle. Drawn only: where a press takes a handle does not change (``grabbable``, ``HANDLE_SIZE``)."""
    if not len(spots):
        return np.zeros(0)
    tl, tr, bl = (HANDLES.index(h) for h in ("tl", "tr", "bl"))
    short = np.minimum(np.abs(spots[:, tr, 0] - spots[:, tl, 0]), np.abs(spots[:, bl, 1] - spots[:, tl, 1]))
    side = np.clip(np.floor(short * HANDLE_SHARE), HANDLE_MIN, HANDLE_SIZE)
    return side - (side % 2 == 0)


def grabbable(spots: np.ndarray, at: QPointF) -> np.ndarray:
    """(n, 8): which handles of n boxes (``handle_spots``, view pixels) a press at ``at`` may take - of those
    drawn (``shown_handles``), any from outside a box, from inside only those whose spot is nearer than the
    box's centre (a tie moves): the handles of a box a few screen pixels wide cover it, and its middle must
    still move it."""
    x, y = at.x(), at.y()
    x0, x1 = spots[..., 0].min(axis=1), spots[..., 0].max(axis=1)
    y0, y1 = spots[..., 1].min(axis=1), spots[..., 1].max(axis=1)
    inside = (x0 < x) & (x < x1) & (y0 < y) & (y < y1)  # a box of zero width has no inside
    to_centre = np.hypot((x0 + x1) / 2 - x, (y0 + y1) / 2 - y)
    to_spot = np.hypot(spots[..., 0] - x, spots[..., 1] - y)
    return (~inside[:, None] | (to_spot < to_centre[:, None])) & shown_handles(spots)


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
