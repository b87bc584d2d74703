"""``canvas.items_by_id``: the canvas's annotation items, made on first use for the boxes, polygons and masks
the ``BoxLayer`` (``layers``, ``polygon_layer``, ``mask_layer``) still draws in bulk."""

from __future__ import annotations

from collections.abc import Callable

from pixelproof.ui.canvas.items import AnnotationItemMixin


class LazyItems(dict):
    """``canvas.items_by_id``: the annotation items made so far, plus the boxes still in the layer.

    ``in`` is true for both; ``[]`` and ``get`` make the item of a layer box on first use (``make``);
    iterating gives the items made so far only (the layer redraws its own boxes).
    """

    def __init__(self, make: Callable[[int], AnnotationItemMixin | None], pending: Callable[[int], bool]):
        super().__init__()
        self._make = make
        self._pending = pending

    def __contains__(self, ann_id: object) -> bool:
        return dict.__contains__(self, ann_id) or self._pending(ann_id)  # type: ignore[arg-type]

    def __getitem__(self, ann_id: int) -> AnnotationItemMixin:
        try:
            return dict.__getitem__(self, ann_id)
        except KeyError:
            item = self._make(ann_id) if self._pending(ann_id) else None
            if item is None:
                raise
            return item

    def get(self, ann_id: int, default=None):  # type: ignore[override]
        try:
            return self[ann_id]
        except KeyError:
            return default
