"""Where the copy of a cut tag goes (``PinnedTags``), and the box layer's cut tags found with arrays and kept
until what they are made from changes. A click among 20,000 boxes searched them three times (once after the
tags were placed again, then at the hover mark's change on the press and on the release), each time in
Python per tag near the window's edge: about 4 ms a search at 1:1. Now the hover's changes reuse the search
(``LayerCuts.find``: nothing it reads changed) and the one search left tests the tags with arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPixmap

if TYPE_CHECKING:
    from pixelproof.ui.canvas.aspect import Scale
    from pixelproof.ui.canvas.layers import BoxLayer

Cut = tuple[int, float, float, QPixmap]  # object id, where its copy goes (viewport pixels), the tag


def clear_of(tag: QRectF, corner: QRectF, window: QRectF, drawn: QRectF) -> tuple[float, float]:
    """The top-left corner of ``tag`` (inside ``window``) moved clear of ``corner``, the overview in the
    window's bottom-right corner: left of it or above it, where the window has room. ``drawn``: where the
    tag itself is drawn; showing only beside the overview (or only above it), the copy goes that way and so
    covers what shows of it; else the shorter way."""
    x, y = tag.x(), tag.y()
    if not tag.intersects(corner):
        return x, y
    left, up = corner.left() - tag.width(), corner.top() - tag.height()
    ways = {"left": (x - left, (left, y))} if left >= window.left() else {}
    if up >= window.top():
        ways["up"] = (y - up, (x, up))
    beside, above = drawn.top() >= corner.top(), drawn.left() >= corner.left()
    way = "left" if beside and not above else "up" if above and not beside else ""
    if way in ways:
        return ways[way][1]
    return min(ways.values())[1] if ways else (x, y)


def kept(rect: QRectF, window: QRectF, corner: QRectF) -> tuple[float, float] | None:
    """Where the copy of the tag drawn at ``rect`` goes (inside ``window``, clear of ``corner``), None when
    the tag shows whole: ``kept_all`` of one tag (an item's, not the layer's)."""
    one = [np.array([v], np.float64) for v in (rect.x(), rect.y(), rect.width(), rect.height())]
    need, cx, cy = kept_all(*one, window, corner)
    return (float(cx[0]), float(cy[0])) if need[0] else None


def _meets(x: np.ndarray, y: np.ndarray, w: np.ndarray, h: np.ndarray, rect: QRectF) -> np.ndarray:
    """Which rectangles (``x``, ``y``, ``w``, ``h``) ``QRectF.intersects`` ``rect``: overlapping by more
    than an edge, neither empty."""
    if rect.width() == 0 or rect.height() == 0:
        return np.zeros(len(x), dtype=bool)
    return (
        (w != 0)
        & (h != 0)
        & (x < rect.right())
        & (x + w > rect.left())
        & (y < rect.bottom())
        & (y + h > rect.top())
    )


def kept_all(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, h: np.ndarray, window: QRectF, corner: QRectF
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``kept`` of each tag (top-left ``x``, ``y``, size ``w``, ``h``) at once: (which need a copy, and
    where each copy goes): moved the least to lie inside the window (at its left/top edge where wider or
    higher than it), then clear of ``corner``; only a copy that would lie over ``corner`` is moved in Python
    (a few)."""
    inside = (w != 0) & (h != 0) & (x >= window.left()) & (x + w <= window.right())
    inside &= (y >= window.top()) & (y + h <= window.bottom())
    need = ~(inside & ~_meets(x, y, w, h, corner))
    x, y, w, h = x[need], y[need], w[need], h[need]
    cx = np.where(
        w <= window.width(), np.minimum(np.maximum(x, window.left()), window.right() - w), window.left()
    )
    cy = np.where(
        h <= window.height(), np.minimum(np.maximum(y, window.top()), window.bottom() - h), window.top()
    )
    for k in np.flatnonzero(_meets(cx, cy, w, h, corner)).tolist():
        tag = QRectF(float(cx[k]), float(cy[k]), float(w[k]), float(h[k]))
        cx[k], cy[k] = clear_of(
            tag, corner, window, QRectF(float(x[k]), float(y[k]), float(w[k]), float(h[k]))
        )
    return need, cx, cy


class LayerCuts:
    """The box layer's cut tags, searched again only when what they are made from changed (the module's
    docstring): the layer's boxes, the tags' layout, the selection and where its tags went, the pan, zoom,
    window, overview, a drag's preview. The layer's arrays and layout are replaced, never changed in place,
    so they are compared by identity (as ``polygon_layer.tag_xs`` keeps its own)."""

    def __init__(self) -> None:
        self._inputs: tuple[tuple[object, ...], tuple[object, ...]] | None = None
        self._found: list[Cut] = []
        self.searches = 0  # tests read it: a click searches once

    def find(
        self, layer: BoxLayer, zoom: Scale, dx: int, dy: int, window: QRectF, corner: QRectF
    ) -> list[Cut]:
        """(object id, x, y, tag) of the layer's tags not wholly in ``window`` (or over ``corner``) whose
        box is in it (not wholly under ``corner``), moved inside and clear of ``corner`` (viewport pixels;
        ``dx``, ``dy``: where the scene's origin is in the window)."""
        tags = layer.tags
        arrays = layer.arrays()
        held = (layer, arrays, tags.placed(zoom), layer.selected_mask(), tags.chosen_below, tags.chosen_out)
        values = (
            tags.enabled,
            tags.image_width,
            tags._dpr,  # another screen's scale: its tags made again (``TagLayer.paint``)
            zoom,
            dx,
            dy,
            QRectF(window),
            QRectF(corner),
            QPointF(layer.chosen_tags.pos()),  # a drag's preview moves the selected ones' tags along
        )
        if self._inputs is not None:
            old_held, old_values = self._inputs
            if values == old_values and all(a is b for a, b in zip(held, old_held, strict=True)):
                return self._found
        self._inputs, self._found = (held, values), self._search(layer, arrays, zoom, dx, dy, window, corner)
        self.searches += 1
        return self._found

    def _search(
        self,
        layer: BoxLayer,
        arrays: tuple[np.ndarray, ...],
        zoom: Scale,
        dx: int,
        dy: int,
        window: QRectF,
        corner: QRectF,
    ) -> list[Cut]:
        tags = layer.tags
        if not (tags.enabled and layer.boxes):
            return []
        ids, xyxy, shown, _ = arrays
        screen = np.round(xyxy * np.array([*zoom, *zoom])) + np.array([dx, dy, dx, dy])
        seen = shown & (screen[:, 0] < window.right()) & (screen[:, 2] > window.left())
        seen &= (screen[:, 1] < window.bottom()) & (screen[:, 3] > window.top())
        if not corner.isEmpty():  # not wholly under the overview
            seen &= (screen[:, 0] < corner.left()) | (screen[:, 1] < corner.top())
        seen_ids = ids[seen]
        p_ids, p_x, p_y, p_codes = tags.placed(zoom)
        s_ids, s_codes, s_x, s_y = layer.chosen_tags.spots(zoom) if layer.selected else (np.zeros(0),) * 4
        moved = layer.chosen_tags.pos()  # a drag's preview moves them along
        s_x, s_y = s_x + round(moved.x() * zoom[0]), s_y + round(moved.y() * zoom[1])
        out: list[Cut] = []
        for t_ids, t_codes, t_x, t_y in ((p_ids, p_codes, p_x, p_y), (s_ids, s_codes, s_x, s_y)):
            check = np.flatnonzero(np.isin(t_ids, seen_ids))
            if not len(check):
                continue
            codes = t_codes[check].astype(np.int64)
            kinds, which = np.unique(codes, return_inverse=True)
            pms = [tags.tag_of(int(c)) for c in kinds.tolist()]
            sizes = np.array(
                [(s.width(), s.height()) for s in (pm.deviceIndependentSize() for pm in pms)], np.float64
            ).reshape(-1, 2)[which.reshape(-1)]
            x = t_x[check].astype(np.float64) + dx
            y = t_y[check].astype(np.float64) + dy
            need, cx, cy = kept_all(x, y, sizes[:, 0], sizes[:, 1], window, corner)
            kind = which.reshape(-1)[need].tolist()
            ids_needing = t_ids[check][need].tolist()
            out.extend(
                (int(i), px, py, pms[c])
                for i, px, py, c in zip(ids_needing, cx.tolist(), cy.tolist(), kind, strict=True)
            )
        return out
