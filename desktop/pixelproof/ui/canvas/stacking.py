"""Where the canvas draws an object among the others: an undone deletion back under the neighbours it was
under, and the hover mark on the object a click would pick, asked again when that changes under a still
pointer. The view's ``_restack`` and ``set_hovered``; an image's objects restacked (Bring to Front)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainterPath

from pixelproof.ui.canvas import hit_test
from pixelproof.ui.canvas.items import AnnotationItemMixin
from pixelproof.ui.canvas.looks import category_color, tag_text
from pixelproof.ui.canvas.marks import edge_shift
from pixelproof.ui.canvas.tag_layout import BELOW

if TYPE_CHECKING:
    from pixelproof.ui.canvas.marks import HoverMark
    from pixelproof.ui.canvas.view import CanvasView


def restack(view: CanvasView, added: list[int]) -> None:
    """Stack the objects one edit added (``added``, in signal order) where the image's order puts them:
    added ones are drawn last, above all, and an undone deletion puts objects back between others (under
    the ones they were under). Nothing to do for objects added at the end (drawn, pasted)."""
    doc = view.document
    if not added or doc is None:
        return
    order = [a.id for a in doc.project.annotations_of(view.image_id)]
    if order[len(order) - len(added) :] == added:
        return
    _stack(view, order, added)


def follow_order(view: CanvasView) -> None:
    """Draw the shown image's objects in their new order, the stacking (Bring to Front / Send to Back), and
    mark again what a click at the resting pointer takes now."""
    if view.document is not None:
        order = view.document.project.annotation_ids_of(view.image_id)
        _stack(view, order, order)
        rehover(view)


def _stack(view: CanvasView, order: list[int], added: list[int]) -> None:
    """Stack ``added`` (ids of ``order``, the image's order) where ``order`` puts them: each one just under
    the next one of its kind, the layer's boxes in ``order``."""
    if view.box_layer is not None:
        view.box_layer.reorder(order, added)
    moved = set(added)
    above: dict[str, AnnotationItemMixin] = {}  # per kind (one z): the next made item in the order
    for ann_id in reversed(order):
        item = view.made_item(ann_id)
        if item is None:
            continue
        nxt = above.get(item.kind)
        if nxt is not None and ann_id in moved:
            item.stackBefore(nxt)  # type: ignore[attr-defined]
            if item._label is not None and nxt._label is not None:
                item._label.stackBefore(nxt._label)
        above[item.kind] = item


def mark_hovered(view: CanvasView, ann_id: int | None) -> None:
    """Put the view's ``HoverMark`` on ``ann_id`` (its outline, and its tag when tags are shown and it is not
    selected), or take it off. Only the old and the new object's area is repainted.

    A selected object has its own tag, lifted over its handles: the mark's, at the anchor, drew the name a
    second time lower, under the handles - unless many are selected and its tag was left out (no room)."""
    mark = view.hover
    if mark is None:
        return
    layer = view.box_layer
    if ann_id is not None and layer is not None and ann_id in layer.boxes:
        box = layer.boxes[ann_id]
        path = box.outline_at(max(view.scale_xy))  # a box's rectangle, a polygon's or mask's outline
        cat = layer.category(box.category_id)
        own = ann_id in layer.selected and ann_id not in layer.tags.chosen_out  # thinned out: not drawn
        named = view.show_labels and cat is not None and not own
        below = layer.tags.side_of(ann_id) == BELOW  # where its own tag is (``tag_layout``)
        at = QPointF(box.low_x, box.y + box.h) if below else QPointF(box.top_x, box.y)
        text = tag_text(cat.name, box.tag) if named and cat else ""
        z = view.scale_xy[0]  # across: clear of the image's right edge, as its own tag (``edge_shift``)
        shift = float(edge_shift(round(at.x() * z), round(mark.tag.width_for(text)), view.image_size()[1], z))
        tag = (text, at, below, shift) if named and cat else None  # as its own tag reads
        if not _shows(mark, ann_id, tag) or mark.path != path:  # a mask's outline at another zoom
            mark.show_on(ann_id, path, category_color(cat), tag)
        return
    item = view.made_item(ann_id) if ann_id is not None else None
    if item is None or view.document is None:
        if mark.ann_id is not None:
            mark.show_on(None, QPainterPath(), QColor())
        return
    label = item._label
    tag = (
        (label.text.text(), label.pos(), label.below, label.shift)
        if label is not None and (not item.is_selected_look or label.crowded)
        else None
    )
    if not _shows(mark, ann_id, tag):
        cat = view.document.project.categories.get(item.category_id)
        mark.show_on(ann_id, item.outline_path(), category_color(cat), tag)


def _shows(mark: HoverMark, ann_id: int, tag: tuple[str, QPointF, bool, float] | None) -> bool:
    """Whether ``mark`` shows ``ann_id`` with ``tag`` already (a zoom may have moved the tag below)."""
    return mark.shown_tag == (
        ann_id,
        None if tag is None else (tag[0], tag[1].x(), tag[1].y(), tag[2], tag[3]),
    )


def rehover(view: CanvasView) -> None:
    """Mark again what a click where the pointer rests (``view.hover_at``, the select tool's last mouse
    move) would pick, after the objects or the selection changed under it: Escape dropping the selected
    object the mark followed, an undo putting a smaller one back there, a class hidden, a zoom, pan or the
    next image moving the picture under it. The mark stayed on what the last move found (or went) until the
    next move, and a click took another object."""
    if view.hover_at is not None and view.hover is not None and view.document is not None:
        mark_hovered(view, hit_test.click_pick(view, view.hover_at))
