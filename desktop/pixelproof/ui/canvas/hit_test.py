"""What is under the mouse on the canvas: the resize handle whose spot is nearest, else the object in
front there (the selection first; one inside another's box before it: ``front_first``), and the objects a
rubber band touches - over the items and the box
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
from pixelproof.ui.canvas.items import Z_BY_KIND, AnnotationItemMixin
from pixelproof.ui.canvas.marks import HANDLE_MIN, HANDLE_SHARE, HANDLE_SIZE, HandleItem

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView


def annotation_at(view: CanvasView, view_pos: QPoint) -> tuple[int | None, str | None]:
    """(annotation id, handle name) of what is under ``view_pos``: handles of the selection first, then
    of the selected objects there the first ``stack_at`` gives, else the first of all it gives."""
    hits = view.items(view_pos)
    handle = handle_at(view, QPointF(view_pos), hits)
    if handle is not None:
        return handle
    stack = _stack(view, view_pos, hits)
    if not stack:
        return None, None
    selected = view.document.selection if view.document else []
    picked = set(selected)
    return next((i for i in stack if i in picked), stack[0]), None


def stack_at(view: CanvasView, view_pos: QPoint) -> list[int]:
    """Every shown object under ``view_pos``, in the order a click goes through them when clicked again
    (CVAT's and LabelMe's overlapping objects): the one in front first (``front_first``), except that an
    object whose box lies inside another's comes before it. The items' and the box layer's alike."""
    return _stack(view, view_pos, view.items(view_pos))


def click_pick(view: CanvasView, view_pos: QPoint) -> int | None:
    """The object a click (press and release, no drag) at ``view_pos`` selects, which the hover mark shows:
    ``annotation_at``'s, or, when that is the object alone selected and no handle of it is there, the next
    object under the pointer (``stack_at``: a click again goes through stacked objects; a drag still moves
    the selected one)."""
    ann_id, handle = annotation_at(view, view_pos)
    doc = view.document
    if ann_id is None or handle is not None or doc is None or doc.selection != [ann_id]:
        return ann_id
    stack = stack_at(view, view_pos)
    if len(stack) < 2 or ann_id not in stack:
        return ann_id
    return stack[(stack.index(ann_id) + 1) % len(stack)]


def _stack(view: CanvasView, view_pos: QPoint, hits: list[QGraphicsItem]) -> list[int]:
    found: dict[int, tuple[float, int, float]] = {}  # id -> where it is drawn (``front_first``)
    for n, it in enumerate(hits):  # topmost first
        while it is not None and not isinstance(it, AnnotationItemMixin):
            it = it.parentItem()
        if it is not None and it.ann_id not in found:
            found[it.ann_id] = (Z_BY_KIND.get(it.kind, 0.0), 1, -n)
    layer = view.box_layer
    if layer is not None:
        ids = layer.arrays()[0]
        entries = list(layer.boxes.values()) if len(layer.boxes) else []
        for k in layer.hits_at(view.mapToScene(view_pos)).tolist():  # drawing order: the last on top
            found.setdefault(int(ids[k]), (Z_BY_KIND[entries[k].kind], 0, k))
    anns = view.document.project.annotations if view.document is not None else {}
    return front_first({i: (anns[i].bbox, rank) for i, rank in found.items() if i in anns})


def front_first(found: dict[int, tuple[list[float], tuple[float, int, float]]]) -> list[int]:
    """Ids of overlapping objects in the order a click takes them: ``found`` maps each to its box (x, y, w,
    h) and where it is drawn (its kind's level, then its place in the stacking: higher is in front). The
    object in front first (Bring to Front / Send to Back choose it, as in CVAT and LabelMe), but an object
    whose box lies inside another's before that one, so a small box drawn under a big one is still one
    click away (it used to be the smallest first)."""
    ids = list(found)
    if len(ids) < 2:
        return ids
    b = np.array([found[i][0] for i in ids], dtype=float).reshape(-1, 4)
    x0, y0, x1, y1 = b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    inside = (x0[None] >= x0[:, None]) & (y0[None] >= y0[:, None]) & (x1[None] <= x1[:, None])
    inside &= y1[None] <= y1[:, None]  # [a, b]: b's box inside a's
    same = (b[None] == b[:, None]).all(axis=2)
    holds = (inside & ~same).sum(axis=1)  # how many boxes each one's box holds
    order = sorted(range(len(ids)), key=lambda k: (holds[k], tuple(-v for v in found[ids[k]][1])))
    return [ids[k] for k in order]


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
