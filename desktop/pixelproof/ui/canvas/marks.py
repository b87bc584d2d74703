"""Marks kept with an annotation item, a fixed number of screen pixels at any zoom: its category tag and a
box's resize handles. Top-level items, not children: a child is stacked with its parent, so a mask's tag
was drawn under the fill of a polygon or another mask above it. ``AnnotationItemMixin`` keeps them in its
scene, at their anchors, shown or hidden with it."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from pixelproof.core.names import shown_name

HANDLE_SIZE = 9.0  # screen pixels: a handle as drawn on a box at least 15 wide and high, and as hit on any
HANDLE_MIN = 5.0  # screen pixels: the smallest handle drawn (``hit_test.handle_sides``)
HANDLE_SHARE = 0.6  # of a box's shorter side on screen: its handles' side, between the two
# screen pixels a selected box's tag sits above its anchor: its handles on the top edge reach that far up
# (outline included), and covered the bottom of the name ('car' cut on a box narrower than its tag)
SELECTED_TAG_LIFT = math.ceil(HANDLE_SIZE / 2)
Z_LABEL = 20.0  # tags: above every fill (a selected object's is at 10 + its kind's)
Z_SELECTED_LABEL = Z_LABEL + 0.5  # a selected object's tag: above the others', so what was picked is named
Z_HANDLE = Z_LABEL + 1.0  # any box's resize handles (item or layer): above every tag, so the grab is seen
Z_HOVER = Z_LABEL - 1.5  # the object a click would pick: above every fill (a selected one's too), under tags
HOVER_WIDTH = 2.0  # screen pixels: the category-coloured line, a white halo 4 px wider (outside only)
TAG_MIN_WIDTH = 80.0  # screen pixels: an object this wide on screen shows its tag even if the tag is wider
TAG_MAX_WIDTH = 240  # screen pixels of the name on a tag at most: a longer one is elided
# the cursor over each resize handle (the select tool's hover)
HANDLE_CURSORS = {
    "tl": Qt.CursorShape.SizeFDiagCursor,
    "br": Qt.CursorShape.SizeFDiagCursor,
    "tr": Qt.CursorShape.SizeBDiagCursor,
    "bl": Qt.CursorShape.SizeBDiagCursor,
    "t": Qt.CursorShape.SizeVerCursor,
    "b": Qt.CursorShape.SizeVerCursor,
    "l": Qt.CursorShape.SizeHorCursor,
    "r": Qt.CursorShape.SizeHorCursor,
}


def tag_fits(object_width, tag_width):  # type: ignore[no-untyped-def]
    """Whether an object shows its tag (unselected, not hovered): it is on screen at least as wide as its
    tag naming its category (a prediction's score, a rejection's word reach past it), or
    ``TAG_MIN_WIDTH``. At fit zoom the tags of a crowd of small boxes covered the boxes and each other,
    names cut; a tag comes back as the zoom makes room for it. Screen pixels; numbers or numpy arrays (the
    box layer asks for a whole tile at once)."""
    return object_width >= np.minimum(tag_width, TAG_MIN_WIDTH)


def edge_shift(x, width, image_width, zoom):  # type: ignore[no-untyped-def]
    """How far left (screen pixels) a tag whose left end is at ``x`` (``width`` wide; screen pixels from
    the scene's origin) moves to end at the image's right edge at ``zoom``: a box at the right edge (fit
    zoom: the window's edge) showed 'object · rejec', cut. At most its width, so it stays beside its
    object; 0 for one inside. Numbers or numpy arrays (``tag_layout`` places the box layer's at once)."""
    if isinstance(x, (int, float)) and isinstance(width, (int, float)):  # an item's tag: no numpy per call
        return min(max(x + width - math.floor(image_width * zoom), 0.0), width)
    return np.clip(x + width - np.floor(image_width * zoom), 0.0, width)


class HandleItem(QGraphicsRectItem):
    """A resize handle, a fixed number of screen pixels wide whatever the zoom; top-level at ``Z_HANDLE``
    (above every tag), kept with its box by ``AnnotationItemMixin`` as a ``LabelItem`` is."""

    def __init__(self, owner: QGraphicsItem, name: str, color: QColor) -> None:
        s = HANDLE_SIZE
        super().__init__(-s / 2, -s / 2, s, s)  # top-level, kept with ``owner`` as a ``LabelItem``
        self.name = name
        self.owner = owner
        self.anchor = QPointF()  # its spot in the owner's coordinates
        self.setZValue(Z_HANDLE)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        pen = QPen(color.darker(160), 1)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(QColor(255, 255, 255))
        self.side = s  # as drawn (``set_side``); it is hit over its whole rectangle

    def set_side(self, side: float) -> None:
        """Draw it ``side`` screen pixels wide (``hit_test.handle_sides``: smaller on a small box)."""
        if side != self.side:
            self.side = side
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setPen(self.pen())
        painter.setBrush(self.brush())
        painter.drawRect(QRectF(-self.side / 2, -self.side / 2, self.side, self.side))


def fit_tag(name: str, metrics: QFontMetrics) -> str:
    """A category name as its tag shows it: one line (``limits.shown_name``: a line break as ``\\n``) of
    at most ``TAG_MAX_WIDTH`` px, elided. A name from a file may be 10,000 characters (a tag 118,602 px
    wide covered a strip of the canvas) or hold a line break (a second line spilled out of the tag)."""
    return metrics.elidedText(shown_name(name), Qt.TextElideMode.ElideRight, TAG_MAX_WIDTH)


_FITTED_MAX = 4096  # (font, text, name)s kept: a slide's 20,000 cells have a handful of tags
_fitted_tags: dict[tuple[str, str, str], tuple[str, float]] = {}


def _fitted(font: QFont, text: str, name: str) -> tuple[str, float]:
    """(``text`` as its tag shows it, the width ``tag_fits`` compares: ``name``'s tag) in ``font``. A
    slide's cells are tagged with a few category names: measuring and eliding the same name again for each
    of 20,000 polygons was a fifth of putting them on the canvas."""
    key = (font.key(), text, name)
    found = _fitted_tags.get(key)
    if found is None:
        if len(_fitted_tags) >= _FITTED_MAX:
            _fitted_tags.clear()
        metrics = QFontMetrics(font)
        found = fit_tag(text, metrics), metrics.horizontalAdvance(fit_tag(name, metrics)) + 8.0
        _fitted_tags[key] = found
    return found


class LabelItem(QGraphicsRectItem):
    """The category name on a coloured tag at an annotation's ``label_anchor``, in screen pixels.

    A top-level item at ``Z_LABEL`` (as the box layer's ``TagLayer``), not a child of its annotation: a
    child is stacked with its parent, so a mask's tag was drawn under the fill of a polygon or of another
    mask above it. Its ``owner`` keeps it in place, shown and in the scene (``AnnotationItemMixin``). It takes
    no clicks: ``hit_test`` finds annotations by parent, so a click on a tag picks the object under it."""

    def __init__(self, owner: QGraphicsItem) -> None:
        super().__init__()
        self.owner = owner
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setPen(Qt.PenStyle.NoPen)
        self.text = QGraphicsSimpleTextItem(self)
        self.text.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.text.setPos(4, 1)
        self._lift = 0.0
        self.below = False  # under its object (``tag_layout``: the spot above would cover another tag)
        self.crowded = False  # left out: both spots would cover another tag
        self.shift = 0.0  # screen pixels left of its anchor: it would run past the image (``edge_shift``)
        self.fit_width = 0.0  # the width ``tag_fits`` compares: its category name's tag (``set_text``)

    def set_text(self, text: str, color: QColor, name: str | None = None) -> None:
        """Show ``text`` (``fit_tag``) on ``color``; whether it fits its object is judged by the tag of
        ``name`` (its category name, without a prediction's score: a prediction narrower than `cat 0.91`
        showed no tag where a label as narrow showed `cat`), ``text`` if None."""
        shown, self.fit_width = _fitted(self.text.font(), text, text if name is None else name)
        self.text.setText(shown)
        self._layout()
        self.setBrush(color)
        light = color.lightnessF() > 0.6
        self.text.setBrush(QColor(0, 0, 0) if light else QColor(255, 255, 255))

    def width_for(self, text: str) -> float:
        """Screen pixels wide this tag would be showing ``text`` (``set_text``)."""
        metrics = QFontMetrics(self.text.font())
        return metrics.horizontalAdvance(fit_tag(text, metrics)) + 8.0

    def set_lift(self, lift: float) -> None:
        """Sit ``lift`` screen pixels above the anchor, or below the low one (``SELECTED_TAG_LIFT``: a
        selected box's, clear of its handles)."""
        if lift != self._lift:
            self._lift = lift
            self._layout()

    def set_place(self, side: int, crowded: bool) -> None:
        """Above its anchor (side 0) or below its low anchor (1, ``tag_layout.BELOW``), or left out
        (``crowded``): where ``tag_layout`` found room for it. Its owner puts it at the anchor."""
        self.crowded = crowded
        if (side == 1) != self.below:
            self.below = side == 1
            self._layout()

    def set_shift(self, shift: float) -> None:
        """Start ``shift`` screen pixels left of the anchor (``edge_shift``: ending at the image's edge)."""
        if shift != self.shift:
            self.shift = shift
            self._layout()

    def _layout(self) -> None:
        r = self.text.boundingRect()
        bottom = r.height() + 2 + self._lift if self.below else -self._lift  # clear of the handles
        self.setRect(-self.shift, bottom - r.height() - 2, r.width() + 8, r.height() + 2)
        self.text.setPos(4 - self.shift, bottom - r.height() - 1)


class HoverMark(QGraphicsItem):
    """The object a click at the cursor would pick (select tool), outlined thicker in its category colour
    with a white halo outside it (no fill; the inside looks as before), above every fill: in a crowd it
    shows beforehand which one a click takes. One item moved from object to object: a mouse move repaints
    the old and the new object's area only, never the whole box layer. Its margin follows the zoom
    (``set_zoom``): the lines are cosmetic."""

    def __init__(self) -> None:
        super().__init__()
        self.ann_id: int | None = None
        # the object's tag, above every other tag: shown even where the tags are thinned out (``tag_fits``)
        self.tag = LabelItem(self)
        self.tag.setZValue(Z_SELECTED_LABEL)
        self.tag.setVisible(False)
        self._path = QPainterPath()
        self._color = QColor()
        self._zoom = 1.0
        self.shown_tag: tuple[int | None, tuple | None] = (None, None)  # what ``show_on`` shows
        self.setZValue(Z_HOVER)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setVisible(False)

    def show_on(
        self,
        ann_id: int | None,
        path: QPainterPath,
        color: QColor,
        tag: tuple[str, QPointF, bool, float] | None = None,
    ) -> None:
        """Outline ``path`` (scene coordinates) of ``ann_id`` in ``color``, with its tag (name, anchor, below
        it, screen pixels left of the anchor: where ``tag_layout`` put the object's own tag) when tags are
        shown; None hides the mark."""
        self.shown_tag = (ann_id, None if tag is None else (tag[0], tag[1].x(), tag[1].y(), tag[2], tag[3]))
        if tag is not None and ann_id is not None:
            self.tag.set_text(tag[0], color)
            self.tag.set_place(1 if tag[2] else 0, False)
            self.tag.set_shift(tag[3])
            self.tag.setPos(tag[1])
        self.tag.setVisible(tag is not None and ann_id is not None)
        self.prepareGeometryChange()
        self.ann_id = ann_id
        self._path = QPainterPath(path) if ann_id is not None else QPainterPath()
        self._color = QColor(color)
        self.setVisible(ann_id is not None)
        self.update()

    @property
    def path(self) -> QPainterPath:
        """The outline it marks (empty when it marks nothing)."""
        return self._path

    def set_zoom(self, zoom: float) -> None:
        self.prepareGeometryChange()
        self._zoom = max(zoom, 1e-6)

    def boundingRect(self) -> QRectF:
        m = (HOVER_WIDTH + 6) / self._zoom
        return self._path.boundingRect().adjusted(-m, -m, m, m)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        halo = QPen(QColor(255, 255, 255), HOVER_WIDTH + 4)
        line = QPen(self._color.lighter(130), HOVER_WIDTH)
        for pen in (halo, line):
            pen.setCosmetic(True)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setBrush(Qt.BrushStyle.NoBrush)  # no fill: it would tint the objects inside this one
        # the halo only outside the outline: centred on it, its inner half covered a sliver (a thin polygon,
        # a small box at fit zoom) with white; the inside keeps the object's own look
        outside = QPainterPath()
        outside.setFillRule(Qt.FillRule.OddEvenFill)  # the margin around the object, its holes too
        outside.addRect(self.boundingRect())
        outside.addPath(self._path)
        painter.save()
        painter.setClipPath(outside, Qt.ClipOperation.IntersectClip)
        painter.setPen(halo)
        painter.drawPath(self._path)
        painter.restore()
        painter.setPen(line)
        painter.drawPath(self._path)
