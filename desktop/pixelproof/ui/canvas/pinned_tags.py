"""Tags kept in the window. Zoomed in on an object whose top-left corner is out of the window, its tag
(above that corner, or under its bottom) was cut at the window's edge or out of sight: the object on screen
went unnamed (CVAT and LabelMe keep a visible object's name in view). The layout (``tag_layout``) is the same
at any pan by design (a pan moves no tag and reuses the tiles), so it stays; ``PinnedTags`` draws over it a
copy of each cut tag of an object in the window, moved just inside the window's edge. The copy covers all
that shows of the cut tag (the same tag shifted along, a tag being narrower than the window), and goes when
the object leaves the window. The overview in the window's corner (``Overview.covered``) is out of the
window for a tag: one it covers is kept beside it (left of it or above it, the nearer), and an object
wholly under it has no tag in sight."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.ui.canvas.marks import Z_HANDLE, Z_SELECTED_LABEL
from pixelproof.ui.canvas.tag_cuts import Cut, LayerCuts, kept

if TYPE_CHECKING:
    from pixelproof.ui.canvas.aspect import Scale
    from pixelproof.ui.canvas.marks import LabelItem
    from pixelproof.ui.canvas.view import CanvasView

Z_PINNED = (Z_SELECTED_LABEL + Z_HANDLE) / 2  # over the tags they copy, under the handles (grabs stay seen)


class PinnedTags(QGraphicsItem):
    """Copies of the cut tags of the objects in the window, inside its edge (module docstring): placed
    again by ``refresh`` after each layout, pan, zoom and resize, drawn in screen pixels."""

    def __init__(self, view: CanvasView) -> None:
        super().__init__()
        self.view = view
        self.zoom: Scale = (0.0, 0.0)  # the view's scale across and down they were placed at
        # (object id, x, y in screen pixels from the scene's origin as ``TagLayer`` places tags, pixmap)
        self.pinned: list[Cut] = []
        self._bounds = QRectF()
        self.setZValue(Z_PINNED)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # a click goes to the object under it
        self.cuts = LayerCuts()  # the box layer's cut tags, searched again only when they may have changed

    def boundingRect(self) -> QRectF:
        return self._bounds

    def refresh(self) -> None:
        """Find the cut tags again where the window now is (the old copies' area is repainted: a pan's
        scroll of the window moved them along with the picture)."""
        view = self.view
        zoom = view.scale_xy
        t = view.viewportTransform()
        dx, dy = round(t.dx()), round(t.dy())
        pinned = [(i, x - dx, y - dy, pm) for i, x, y, pm in cut_tags(view, dx, dy)]
        if pinned == self.pinned and zoom == self.zoom:
            return
        bounds = QRectF()
        for entry in pinned:
            bounds = bounds.united(_area(entry, zoom))
        if zoom == self.zoom and bounds == self._bounds:
            # only the copies that came or went are repainted: a click that changes one tag among a window
            # edge's many repainted the whole window (the copies' bounds) at every selection change
            old, new = set(map(_key, self.pinned)), set(map(_key, pinned))
            changed = [e for e in self.pinned if _key(e) not in new] + [
                e for e in pinned if _key(e) not in old
            ]
            self.pinned = pinned
            for entry in changed:
                self.update(_area(entry, zoom))
            return
        self.prepareGeometryChange()
        self.pinned, self.zoom = pinned, zoom
        self._bounds = bounds
        self.update()

    def rect_of(self, ann_id: int) -> QRectF | None:
        """Where ``ann_id``'s tag is kept in the window (viewport pixels), None if it is not cut."""
        t = self.view.viewportTransform()
        for i, x, y, pm in self.pinned:
            if i == ann_id:
                return QRectF(QPointF(x + round(t.dx()), y + round(t.dy())), pm.deviceIndependentSize())
        return None

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = painter.worldTransform()
        if (t.m11(), t.m22()) != self.zoom:  # another view of the scene, or a zoom not refreshed yet
            return
        dx, dy = round(t.dx()), round(t.dy())
        painter.save()
        painter.resetTransform()
        for _, x, y, pm in self.pinned:
            painter.drawPixmap(QPointF(x + dx, y + dy), pm)
        painter.restore()


def _key(entry: Cut) -> tuple[int, float, float, int]:
    """A copy as compared between refreshes: its object, place and pixmap (the tag's cached pixmap)."""
    i, x, y, pm = entry
    return i, x, y, pm.cacheKey()


def _area(entry: Cut, zoom: Scale) -> QRectF:
    """Where a copy is drawn, in the item's (scene) coordinates, with a pixel's margin around it."""
    _, x, y, pm = entry
    size = pm.deviceIndependentSize()
    zx, zy = zoom
    return QRectF((x - 1) / zx, (y - 1) / zy, (size.width() + 2) / zx, (size.height() + 2) / zy)


def cut_tags(view: CanvasView, dx: int, dy: int) -> list[Cut]:
    """(object id, x, y, pixmap): the tags shown now that are not wholly in the window (or are under the
    overview) while their object is in it (not wholly under the overview), moved inside and clear of the
    overview (viewport pixels; ``dx``, ``dy``: where the scene's origin is in the window, as the tags are
    drawn)."""
    layer = view.box_layer
    if layer is None:
        return []
    window = QRectF(view.viewport().rect())
    covered = view.overview.covered()
    corner = QRectF(covered) if covered is not None else QRectF()

    def in_sight(shape: QRectF) -> bool:
        """An object shows in the window, not only under the overview."""
        seen = shape.intersected(window)
        return not seen.isEmpty() and not corner.contains(seen)

    cuts = view.pinned.cuts if view.pinned is not None else LayerCuts()
    out = list(cuts.find(layer, view.scale_xy, dx, dy, window, corner))  # across and down (``aspect``)
    tags = layer.tags
    labels: list[tuple[int, LabelItem, QRectF]] = []
    for item in view.items_by_id.values():  # made items only
        label = item._label
        if label is not None and label.isVisible():
            labels.append((item.ann_id, label, item.sceneBoundingRect()))  # type: ignore[attr-defined]
    hover = view.hover
    if hover is not None and hover.ann_id is not None and hover.tag.isVisible():
        labels.append((hover.ann_id, hover.tag, hover.sceneBoundingRect()))  # named even where thinned out
    t = view.viewportTransform()
    for ann_id, label, shape in labels:
        if not in_sight(t.mapRect(shape)):
            continue
        at = t.map(label.scenePos())
        rect = label.rect().translated(round(at.x()), round(at.y()))
        if (spot := kept(rect, window, corner)) is not None:
            out.append((ann_id, *spot, tags.pixmap(label.text.text(), label.brush().color())))
    return out
