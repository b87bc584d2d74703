"""The items' part of a tag layout (``tag_layout.relayout``), each item's spots kept until it changes.

A brush stroke's release placed the tags two or three times over, and each time measured every item's tag
again (its anchors mapped to the scene, ``edge_shift``, its outline's size, its handles): at 300 masks that
was most of the release. An item counts its changes (``AnnotationItemMixin.tag_stamp``: moved, reshaped,
retagged, shown or hidden, selected or not); what it gives the layout is measured again only when that
count, the zoom, the image's width or View > Labels on Selected Objects Only changed, so a layout after an
edit measures the edited object, not all of them. The layout itself is the same as measuring all again."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from PySide6.QtGui import QTransform

from pixelproof.ui.canvas.marks import SELECTED_TAG_LIFT, edge_shift, tag_fits

if TYPE_CHECKING:
    from pixelproof.ui.canvas.aspect import Scale
    from pixelproof.ui.canvas.items import AnnotationItemMixin


class Spots(NamedTuple):
    """One item's tag as the layout sees it, screen pixels: above its object (ax, ay: bottom-left) and
    below it (lx, ly: top-left), already clear of the image's right edge by ``shifts``."""

    ax: float
    ay: float
    lx: float
    ly: float
    w: float
    h: float
    shifts: tuple[float, float]  # ``edge_shift`` above and below
    selected: bool
    lift: float  # a selected item's tag over its handles
    area: float  # its outline's bounding box, scene pixels (the order: larger first)
    fits: bool  # wide enough on screen for its tag (``tag_fits``)
    handles: np.ndarray | None  # (m, 4) its shown handles (a selected item), else None


class ItemSpots:
    """Each item's ``Spots``, kept while its ``tag_stamp`` and the layout's scale stay (module docstring).
    ``measured`` counts the items measured again (a layout of an unchanged canvas measures none)."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._kept: dict[int, tuple[AnnotationItemMixin, int, Spots]] = {}
        self.measured = 0

    def of(self, item: AnnotationItemMixin, scale: Scale, image_w: int, unselected: bool) -> Spots:
        """``item``'s spots at ``scale`` (its tag must exist: ``item._label``)."""
        key = (scale, image_w, unselected)
        if key != self._key:
            self._key, self._kept = key, {}
        kept = self._kept.get(item.ann_id)
        if kept is not None and kept[0] is item and kept[1] == item.tag_stamp:
            return kept[2]
        spots = _measure(item, scale, image_w)
        self._kept[item.ann_id] = (item, item.tag_stamp, spots)
        self.measured += 1
        return spots

    def forget(self, live: set[int]) -> None:
        """Drop the spots of items no longer drawn (removed, or back in the box layer)."""
        for ann_id in [i for i in self._kept if i not in live]:
            del self._kept[ann_id]


def _measure(item: AnnotationItemMixin, scale: Scale, image_w: int) -> Spots:
    from pixelproof.ui.canvas.hit_test import handle_sides, handle_spots, shown_handles
    from pixelproof.ui.canvas.tag_layout import handle_rects

    zoom, zoom_y = scale
    label = item._label
    assert label is not None
    w, h = label.rect().width(), label.rect().height()
    a = item.mapToScene(item._label_at)  # type: ignore[attr-defined]
    ax, ay = a.x() * zoom, a.y() * zoom_y
    low = item.mapToScene(item._label_low_at)  # type: ignore[attr-defined]
    lx, ly = low.x() * zoom, low.y() * zoom_y
    shifts = float(edge_shift(ax, w, image_w, zoom)), float(edge_shift(lx, w, image_w, zoom))
    bounds = item.boundingRect()  # type: ignore[attr-defined]  # ``refit_marks``' width
    shape = item.outline_path().boundingRect()  # as the layer's box: no outline's width
    fits = bool(tag_fits(bounds.width() * zoom, label.fit_width))
    selected = item.is_selected_look
    lift, handles = 0.0, None
    if selected:
        lift = SELECTED_TAG_LIFT if item.handles() else 0.0
        if any(hd.isVisible() for hd in item.handles()):
            r = item.mapRectToScene(item.rect())  # type: ignore[attr-defined]
            spots = handle_spots(
                np.array([[r.left(), r.top(), r.right(), r.bottom()]]), QTransform.fromScale(*scale)
            )
            handles = handle_rects(spots, shown_handles(spots), handle_sides(spots))
    return Spots(
        ax - shifts[0],
        ay,
        lx - shifts[1],
        ly,
        w,
        h,
        shifts,
        selected,
        lift,
        shape.width() * shape.height(),
        fits,
        handles,
    )
