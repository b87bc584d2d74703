"""Boxes drawn in bulk until someone touches them, and their category tags from cached tiles.

Switching to an image with thousands of boxes must not build thousands of QGraphicsItems (issue 20: item
creation was most of the first paint), and a full repaint must not pay one Python call per tag. So a box
starts in the ``BoxLayer``: one item that keeps every untouched box in arrays and draws them with one
``drawRects`` per (category, review look) style. The canvas turns a box into its own ``BoxItem`` - drag
previews, its own tag - the moment anything looks it up (``lazy_items.LazyItems``), e.g. when a tool drags it.

Selecting does not: a selected layer box stays in the layer and the ``SelectedBoxes`` item draws it above
the others with the selected look, the ``SelectedTags`` item its tag above the others' (as a selected
``LabelItem``), the ``SelectedHandles`` item its 8 resize handles above every tag (as ``HandleItem``),
which ``handle_at`` hit-tests (select all of 5,000 boxes made 5,000 items and 40,000 handles, ~2 s). Those
three are in ``selected_boxes``.

Tags of the layer's boxes are drawn by the ``TagLayer`` (``tag_tiles``) from cached screen-sized tiles.

Untouched polygons are entries of the layer too (``polygon_layer``: a ``LayerPolygon`` is a box with its
outline), drawn by its ``PolygonLayer`` part under the boxes; a selected polygon has its own item, unless
many are: ``SelectedPolygons`` draws those (no resize handles: ``handle_at``, ``SelectedHandles`` skip them).
Untouched masks too (``mask_layer``: a ``LayerMask`` decodes its pixels when first drawn or hit-tested), drawn
by its ``MaskLayer`` part under the polygons; a selected mask has its own item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import compress

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPainterPath, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.core.geometry import HANDLES
from pixelproof.core.model import Annotation, Category
from pixelproof.core.object_lock import is_locked
from pixelproof.ui.canvas.hit_test import grabbable, handle_spots
from pixelproof.ui.canvas.items import Z_BY_KIND
from pixelproof.ui.canvas.looks import (
    category_color,
    display_score,
    fill_brush,
    outline_pen,
    review_look,
    tag_suffix,
    tag_text,
)
from pixelproof.ui.canvas.marks import HANDLE_SIZE, SELECTED_TAG_LIFT
from pixelproof.ui.canvas.selected_boxes import SelectedBoxes, SelectedHandles, SelectedTags
from pixelproof.ui.canvas.show_filter import ShowFilter
from pixelproof.ui.canvas.tag_tiles import TagLayer

HIT_MARGIN = 1.0  # image pixels around a box that still hit it (its outline)


class _Box:
    __slots__ = (
        "ann_id",
        "category_id",
        "h",
        "locked",
        "look",
        "low_x",
        "score",
        "tag",
        "top_x",
        "w",
        "x",
        "y",
    )
    as_rect = True  # drawn by ``paint_boxes`` (a ``LayerPolygon`` by ``PolygonLayer``)
    kind = "box"  # the kind of annotation: its height among the others (``Z_BY_KIND``)

    def __init__(self, ann: Annotation) -> None:
        self.x, self.y, self.w, self.h = (float(v) for v in ann.bbox)
        self.ann_id = ann.id  # (View > Hide Selected Objects hides it alone)
        self.category_id = ann.category_id
        self.score = display_score(ann)
        self.look = review_look(ann)  # drawn as a label, a pending prediction or a rejected object
        self.tag = tag_suffix(ann)  # what its tag says after the name: formatted once, not at each repaint
        self.top_x = self.low_x = self.x  # where its tag starts above and below it
        self.locked = is_locked(ann)  # selected, it shows no resize handles (``selected_mask``)

    def outline(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(QRectF(self.x, self.y, self.w, self.h))
        return path

    def outline_at(self, zoom: float) -> QPainterPath:
        """Its outline as drawn at ``zoom`` (the hover mark): a mask's may be traced on fewer pixels."""
        return self.outline()

    def hits(self, point: QPointF, margin: float) -> bool:
        return True  # its box is its shape

    def touches(self, rect: QRectF) -> bool:
        return True


def _entry(ann: Annotation, image_size: tuple[int, int]) -> _Box:
    """The layer's entry for ``ann``: a box, a polygon (``polygon_layer``) or a mask (``mask_layer``)."""
    if ann.kind == "polygon":
        from pixelproof.ui.canvas.polygon_layer import LayerPolygon  # (imports this module)

        return LayerPolygon(ann)
    if ann.kind == "mask":
        from pixelproof.ui.canvas.mask_layer import layer_masks  # (imports this module)

        return layer_masks([ann], image_size)[0]
    return _Box(ann)


class BoxLayer(QGraphicsItem):
    """Every box annotation of the image that has no item of its own, drawn in one pass per style."""

    def __init__(self, categories: Callable[[int], Category | None], show: ShowFilter) -> None:
        super().__init__()
        self.category = categories
        self.show_filter = show  # its canvas's: what the display hides
        self.image_size = (0, 0)  # (height, width): a mask's pixels are decoded for it (``mask_layer``)
        self.boxes: dict[int, _Box] = {}  # insertion order = drawing order
        self.selected: set[int] = set()  # those of ``boxes`` selected: ``chosen`` draws them
        self._styles: list[tuple[int, str, np.ndarray, list[QRectF], np.ndarray]] | None = None
        self._groups: list[tuple[int, str, list[QRectF], np.ndarray]] | None = None
        self._chosen_groups: list[tuple[int, str, list[QRectF], np.ndarray]] | None = None
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._tag_codes = np.zeros(0, dtype=np.int64)  # per box of ``arrays()``: its tag's code
        self._resizable = np.zeros(0, dtype=bool)  # per box of ``arrays()``: a rectangle, not locked
        self._tag_keys: list[tuple[int, str]] = []  # ``_tags_of``'s keys by code
        self._tags_of: dict[tuple[int, str], int] = {}  # (category, ``tag_suffix``) -> code, kept all along
        self._selected_mask: np.ndarray | None = None
        self._bounds = QRectF()
        self.tags = TagLayer(self)
        self.chosen = SelectedBoxes(self)
        self.chosen_tags = SelectedTags(self)
        self.handles = SelectedHandles(self)
        from pixelproof.ui.canvas.polygon_layer import PolygonLayer  # (imports this module)

        self.polygons = PolygonLayer(self)
        from pixelproof.ui.canvas.mask_layer import MaskLayer  # (imports this module)

        self.masks = MaskLayer(self)
        self.setZValue(Z_BY_KIND["box"])
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def parts(self) -> tuple[QGraphicsItem, ...]:
        """The items the canvas adds to its scene: the layer, its tags, its selected boxes, their tags and
        handles."""
        p = self.polygons
        m = self.masks
        return self, m, m.chosen, p, p.chosen, self.tags, self.chosen, self.chosen_tags, self.handles

    def _redraw_chosen(self) -> None:
        for part in self.parts():  # the polygons' too: it leaves the selected to ``polygons.chosen``
            part.update()

    # -- content ---------------------------------------------------------------------------------
    def add(self, ann: Annotation) -> None:
        box = _entry(ann, self.image_size)
        self.boxes[ann.id] = box
        self._changed([box])

    def add_many(self, anns: Iterable[Annotation]) -> list[str]:
        """Add ``anns``; returns why any of its masks is not shown (over the pixel limit: ``mask_layer``)."""
        from pixelproof.ui.canvas.mask_layer import layer_masks  # (imports this module)

        anns = list(anns)
        masks = iter(layer_masks([a for a in anns if a.kind == "mask"], self.image_size))  # all at once
        new = {a.id: next(masks) if a.kind == "mask" else _entry(a, self.image_size) for a in anns}
        self.boxes.update(new)
        self._changed(list(new.values()))
        return [why for e in new.values() if (why := getattr(e, "too_big", ""))]

    def reorder(self, order: list[int], moved: Iterable[int]) -> None:
        """Draw the boxes in ``order`` (ids of others skipped; boxes it does not name stay last): ``moved``
        came back between others (an undone deletion). Only the tags' tiles those cross are redrawn."""
        boxes = self.boxes
        placed = {i: boxes[i] for i in order if i in boxes}
        placed.update(boxes)  # any the order does not name keep their place after the others
        if list(placed) == list(boxes):
            return
        boxes.clear()
        boxes.update(placed)
        self._changed([boxes[i] for i in moved if i in boxes])

    def update_box(self, ann: Annotation) -> None:
        old = self.boxes.get(ann.id)
        box = _entry(ann, self.image_size)
        self.boxes[ann.id] = box
        self._changed([box] if old is None else [old, box])

    def remove(self, ann_id: int) -> bool:
        box = self.boxes.pop(ann_id, None)
        if box is not None:
            self.selected.discard(ann_id)
            self._changed([box])
        return box is not None

    def remove_many(self, ann_ids: Iterable[int]) -> None:
        """``remove`` each of ``ann_ids``, the layer redrawn once (an undone paste of 20,000 boxes)."""
        gone = [box for i in ann_ids if (box := self.boxes.pop(i, None)) is not None]
        if gone:
            self.selected.difference_update(b.ann_id for b in gone)
            self._changed(gone)

    def set_selected(self, ids: set[int]) -> None:
        """Draw those of ``ids`` in the layer as selected (the others as not). Only the boxes whose selection
        changed are redrawn, with their handles and tags (a click on one of 20,000 boxes redrew all)."""
        chosen = {i for i in ids if i in self.boxes}
        if chosen != self.selected:
            flipped = chosen ^ self.selected
            self.selected = chosen
            self._groups = self._chosen_groups = self._selected_mask = None
            few = len(flipped) <= 64
            self.tags.invalidate([self.boxes[i] for i in flipped] if few else None, redraw=not few)
            if few:
                for area in self._marked_areas(flipped):
                    for part in self.parts():
                        part.update(area)
            else:
                self.update()
                self._redraw_chosen()

    def _marked_areas(self, ids: Iterable[int]) -> list[QRectF]:
        """Where the boxes ``ids`` are drawn with their marks (scene): the box, its outline, its handles and
        its tag (lifted over the handles), which keep their screen size at the view's zoom."""
        views = self.scene().views() if self.scene() is not None else []
        t = views[0].transform() if views else QTransform()
        zx, zy = t.m11(), t.m22()  # across and down: pixels need not be square (``aspect``)
        reach_x, reach_y = (HANDLE_SIZE + 2) / zx, (HANDLE_SIZE + 2) / zy
        areas = []
        self.arrays()  # the tag codes of the boxes as they are now
        for i in ids:
            b = self.boxes[i]
            code = self._tags_of.get((b.category_id, b.tag))
            w, h = self.tags.tag_size(code) if code is not None else (0, 0)
            up = max(reach_y, (SELECTED_TAG_LIFT + h + 2) / zy)
            right = max(b.w, (w + 2) / zx)
            areas.append(  # the tag may be under the box (``tag_layout``): as far below as above
                QRectF(b.x - reach_x, b.y - up, right + 2 * reach_x, b.h + 2 * up)
            )
        return areas

    def restyle(self) -> None:
        """Categories or display filters changed: recolour, re-filter, re-render the tags."""
        self._styles = self._groups = self._chosen_groups = self._arrays = self._selected_mask = None
        self.tags.invalidate()
        self.update()
        self.polygons.changed()
        self.masks.changed()
        self._redraw_chosen()

    def _changed(self, boxes: list[_Box]) -> None:
        self._styles = self._groups = self._chosen_groups = self._arrays = self._selected_mask = None
        self.prepareGeometryChange()
        self.chosen.prepareGeometryChange()
        self.handles.prepareGeometryChange()
        self.chosen.setPos(0, 0)  # as ``sync`` drops an item's drag preview (its tags and handles follow)
        self._bounds = QRectF()
        self.tags.invalidate(boxes)
        self.update()
        self.polygons.changed()
        self.masks.changed()
        self._redraw_chosen()

    # -- filters and geometry --------------------------------------------------------------------
    def shown(self, box: _Box) -> bool:
        return self.show_filter.shows(box.category_id, box.score, box.ann_id)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ids, boxes as x0 y0 x1 y1, shown, category ids) of the layer, in drawing order."""
        if self._arrays is None:
            n = len(self.boxes)
            ids = np.fromiter(self.boxes.keys(), dtype=np.int64, count=n)
            xywh = np.array([(b.x, b.y, b.w, b.h) for b in self.boxes.values()], dtype=np.float64)
            xywh = xywh.reshape(n, 4)
            xyxy = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
            shown = np.fromiter(map(self.shown, self.boxes.values()), dtype=bool, count=n)
            cats = np.fromiter((b.category_id for b in self.boxes.values()), dtype=np.int64, count=n)
            self._arrays = (ids, xyxy, shown, cats)
            # boxes a selection gives resize handles (not polygons nor locked boxes): made with the arrays,
            # not at each selection change (a click among 20,000 boxes walked them all in Python)
            self._resizable = np.fromiter(
                (b.as_rect and not b.locked for b in self.boxes.values()), dtype=bool, count=n
            )
            codes = self._tags_of
            self._tag_codes = np.fromiter(
                (codes.setdefault((b.category_id, b.tag), len(codes)) for b in self.boxes.values()),
                dtype=np.int64,
                count=n,
            )
        return self._arrays

    def tag_codes(self) -> np.ndarray:
        """Per box of ``arrays()``: the code of its tag, one per (category, score shown): a box whose tag
        would read the same shares it (a category's boxes drawn by hand all do); the ``TagLayer`` caches
        and places tags by it, so a tag whose score changes or goes (accepted) is another tag."""
        self.arrays()
        return self._tag_codes

    def tag_key(self, code: int) -> tuple[int, str]:
        """(category id, ``tag_suffix``) of tag ``code``: codes are never reused, so one placed before an
        edit still names its tag."""
        if len(self._tag_keys) != len(self._tags_of):
            self._tag_keys = list(self._tags_of)
        return self._tag_keys[code]

    def tag_text(self, code: int) -> str:
        """What tag ``code`` says (``tag_text``: the category's name as it is now, then the score)."""
        cat_id, score = self.tag_key(code)
        cat = self.category(cat_id)
        return tag_text(cat.name if cat is not None else "", score)

    def hits_at(self, point: QPointF, margin: float = HIT_MARGIN) -> np.ndarray:
        """Indices (in ``arrays``, drawing order) of the shown boxes under ``point`` (scene coordinates): a
        polygon only inside its outline (``LayerPolygon``), not all over its box."""
        _, b, shown, _ = self.arrays()
        x, y = point.x(), point.y()
        hit = shown & (b[:, 0] - margin <= x) & (x <= b[:, 2] + margin)
        hit &= (b[:, 1] - margin <= y) & (y <= b[:, 3] + margin)
        idx = np.flatnonzero(hit)
        entries = list(self.boxes.values()) if len(idx) else []
        return idx[[entries[k].hits(point, margin) for k in idx.tolist()]] if len(idx) else idx

    def boxes_in(self, rect: QRectF) -> list[int]:
        """Ids of the shown boxes touching ``rect`` (scene coordinates)."""
        ids, b, shown, _ = self.arrays()
        hit = shown & (b[:, 0] <= rect.right()) & (b[:, 2] >= rect.left())
        hit &= (b[:, 1] <= rect.bottom()) & (b[:, 3] >= rect.top())
        entries = list(self.boxes.values())
        return [int(ids[k]) for k in np.flatnonzero(hit).tolist() if entries[k].touches(rect)]

    def boundingRect(self) -> QRectF:
        if self._bounds.isNull() and self.boxes:
            _, b, _, _ = self.arrays()
            x0, y0 = b[:, :2].min(axis=0)
            x1, y1 = b[:, 2:].max(axis=0)
            m = 8.0 / 0.01  # the cosmetic outline's width at the smallest zoom, in image pixels
            self._bounds = QRectF(x0 - m, y0 - m, x1 - x0 + 2 * m, y1 - y0 + 2 * m)
        return self._bounds

    # -- drawing ---------------------------------------------------------------------------------
    def style_groups(self, selected: bool) -> list[tuple[int, str, list[QRectF], np.ndarray]]:
        """Shown boxes, the selected ones or the others, grouped by (category, review look): their QRectFs
        and, for clipping, their xyxy. The groups of every shown box are made once (``_all_styles``); a
        selection change only picks from them."""
        groups = self._chosen_groups if selected else self._groups
        if groups is None:
            mask = self.selected_mask()
            groups = []
            for cat_id, look, idx, rects, xyxy in self._all_styles():
                if not self.selected:
                    picked = (rects, xyxy) if not selected else ([], xyxy[:0])
                else:
                    keep = mask[idx] if selected else ~mask[idx]
                    picked = (list(compress(rects, keep.tolist())), xyxy[keep])
                if picked[0]:
                    groups.append((cat_id, look, *picked))
            if selected:
                self._chosen_groups = groups
            else:
                self._groups = groups
        return groups

    def _all_styles(self) -> list[tuple[int, str, np.ndarray, list[QRectF], np.ndarray]]:
        """Every shown box grouped by (category, review look): indices into ``arrays()``, QRectFs, xyxy."""
        if self._styles is None:
            by_style: dict[tuple[int, bool], list[int]] = {}
            for k, box in enumerate(self.boxes.values()):
                if box.as_rect and self.shown(box):
                    by_style.setdefault((box.category_id, box.look), []).append(k)
            xyxy = self.arrays()[1]
            boxes = list(self.boxes.values()) if by_style else []
            self._styles = []
            for (cat_id, look), k in by_style.items():
                rects = [QRectF(boxes[j].x, boxes[j].y, boxes[j].w, boxes[j].h) for j in k]
                idx = np.array(k, dtype=np.int64)
                self._styles.append((cat_id, look, idx, rects, xyxy[idx]))
        return self._styles

    def selected_mask(self, handled: bool = False) -> np.ndarray:
        """Which of ``arrays()``' boxes are selected (``handled``: with resize handles, not polygons nor
        locked boxes)."""
        if self._selected_mask is None:
            ids = self.arrays()[0]
            if not self.selected:
                self._selected_mask = self._handled = np.zeros(len(ids), dtype=bool)
            else:
                chosen = np.fromiter(self.selected, dtype=np.int64, count=len(self.selected))
                self._selected_mask = np.isin(ids, chosen)
                self._handled = self._selected_mask & self._resizable
        return self._handled if handled else self._selected_mask

    def handle_at(self, view_pos: QPointF, to_view: QTransform) -> tuple[int, str, float] | None:
        """(id, handle name, distance from its spot in view pixels) of the selected shown box's resize handle
        under ``view_pos`` (view pixels; ``to_view`` maps the scene there). Of several, the one whose spot is
        nearest: the corner aimed at, not an edge handle of a box a few pixels wide (at 10 %) nor a
        neighbour's handle within reach; the layer's last box, then the last handle, among equally near."""
        if not self.selected:
            return None
        ids, xyxy, shown, _ = self.arrays()
        pick = np.flatnonzero(shown & self.selected_mask(handled=True))
        if not len(pick):
            return None
        spots = handle_spots(xyxy[pick], to_view)  # (n, 8, 2)
        reach = HANDLE_SIZE / 2 + 0.5
        hit = np.abs(spots[..., 0] - view_pos.x()) <= reach
        hit &= np.abs(spots[..., 1] - view_pos.y()) <= reach
        hit &= grabbable(spots, view_pos)  # the middle of a box a few pixels wide moves it
        rows, cols = np.nonzero(hit)
        if not len(rows):
            return None
        off = np.hypot(spots[rows, cols, 0] - view_pos.x(), spots[rows, cols, 1] - view_pos.y())
        best = np.lexsort((cols, rows, -off))[-1]
        return int(ids[pick[rows[best]]]), HANDLES[int(cols[best])], float(off[best])

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.paint_boxes(painter, option.exposedRect, selected=False)

    def paint_boxes(self, painter: QPainter, exposed: QRectF, selected: bool) -> None:
        """Draw the shown boxes (the selected ones or the others) in their style."""
        bounds = self.boundingRect()
        small = exposed.width() * exposed.height() < 0.25 * bounds.width() * bounds.height()
        for cat_id, look, rects, xyxy in self.style_groups(selected):
            color = category_color(self.category(cat_id))
            pen = outline_pen(color, selected, look)
            brush = fill_brush(color, selected, look)
            c = brush.color()
            c.setAlphaF(c.alphaF() * self.show_filter.fill_opacity)
            brush.setColor(c)
            painter.setPen(pen)
            painter.setBrush(brush)
            if small:  # a brush stroke's dirty rectangle: only the boxes crossing it
                m = 4.0
                near = (xyxy[:, 0] - m <= exposed.right()) & (xyxy[:, 2] + m >= exposed.left())
                near &= (xyxy[:, 1] - m <= exposed.bottom()) & (xyxy[:, 3] + m >= exposed.top())
                chosen = [rects[k] for k in np.flatnonzero(near).tolist()]
                if chosen:
                    painter.drawRects(chosen)
            elif rects:
                painter.drawRects(rects)
