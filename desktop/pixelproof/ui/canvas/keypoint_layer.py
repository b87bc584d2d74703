"""The keypoints of the shown image's objects (``core.keypoints``: a YOLO pose dataset's, COCO
person_keypoints'), drawn as CVAT and X-AnyLabeling do: a dot per labelled point in the object's category
colour, filled when visible (v 2), hollow when labelled but occluded (v 1), none when not labelled (v 0)
but a faint thin cross for a selected object's (where the user set it so: Shift+V or a drag brings it
back), and the skeleton's lines between two labelled points. Dots and lines are screen-sized (the same at any
zoom, a dark rim so they read on any image), a selected object's a little larger. One item for the image,
as the box layer: a pose image of 30 people is 30 x 17 dots, not 510 items.

The select tool asks ``hit`` what point is under the pointer and ``preview``s a point being dragged; the
canvas tells the layer which objects were added, changed or removed, and the boxes of objects being moved
or resized (``preview_boxes``: their keypoints follow live, the others are not looked at again)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from pixelproof.core.keypoints import Keypoints, finite_numbers, keypoints_of
from pixelproof.core.model import Annotation, Category, ImageRecord
from pixelproof.ui.canvas.keypoint_cache import PanCache
from pixelproof.ui.canvas.looks import category_color, display_score
from pixelproof.ui.canvas.marks import Z_LABEL
from pixelproof.ui.canvas.show_filter import ShowFilter

Z_KEYPOINTS = Z_LABEL - 1.0  # above every fill and the hover mark, under tags and handles
DOT_RADIUS = 4.5  # screen pixels: a keypoint's dot (a selected object's 1 more)
LINE_WIDTH = 2.0  # screen pixels: a skeleton line, on a dark line 2 px wider
HIT_PX = 8.0  # screen pixels: how near a press takes a keypoint
_RIM = QColor(20, 20, 20, 200)
_HOLLOW = QColor(255, 255, 255, 210)  # an occluded point's inside: the skeleton's line does not cross it
CROSS_PX = 4.0  # screen pixels: half a not labelled point's cross (a selected object's)
_FAINT_ALPHA = 110  # its colour's alpha: there, but not a labelled point


class _Entry:
    __slots__ = ("bbox", "bounds", "category_id", "keypoints", "score")

    def __init__(self, ann: Annotation, keypoints: Keypoints) -> None:
        self.category_id = ann.category_id
        self.score = display_score(ann)
        self.keypoints = keypoints
        self.bbox = list(ann.bbox)  # the box its keypoints are drawn for (a dragged box maps them along)
        self.bounds = _bounds(keypoints.points)  # where its placed points are: painted, hit-tested


def _bounds(points: list[tuple[float, float, int]]) -> QRectF | None:
    """The rectangle (image pixels) of the placed points (labelled, or set not labelled where they were);
    None when none is."""
    xs = [x for x, y, v in points if v > 0 or x or y]
    ys = [y for x, y, v in points if v > 0 or x or y]
    return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)) if xs else None


def box_map(points: list[tuple[float, float, int]], old: list[float], new: list[float]) -> list:
    """``points`` carried from box ``old`` onto box ``new`` (x y w h), per axis, as a stored move or resize
    carries them (``core.keypoints``); points never placed (0 0) stay."""
    sx = new[2] / old[2] if old[2] > 0 else 1.0
    sy = new[3] / old[3] if old[3] > 0 else 1.0
    return [
        (new[0] + (x - old[0]) * sx, new[1] + (y - old[1]) * sy, v) if v > 0 or x or y else (x, y, v)
        for x, y, v in points
    ]


class KeypointLayer(QGraphicsItem):
    """The shown image's keypoints; ``categories`` looks a category up (its colour, names and skeleton)."""

    def __init__(
        self, image: ImageRecord, categories: Callable[[int], Category | None], show: ShowFilter
    ) -> None:
        super().__init__()
        self.setZValue(Z_KEYPOINTS)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)  # exposedRect
        self.image = image
        self.categories = categories
        self.show_filter = show
        self.entries: dict[int, _Entry] = {}
        self.selected: set[int] = set()
        self._preview: tuple[int, int, float, float] | None = None  # (object, point, x, y) being dragged
        self._boxes: dict[int, list[float]] = {}  # objects being moved or resized: their box as dragged
        self._scale = 1.0  # screen pixels per image pixel when last painted: a dot's reach in the image
        self._version = 0  # bumped by each change of what is drawn: the pan cache's key
        self._cache = PanCache()
        m = max(image.width, image.height, 1)  # dots at any zoom and points up to 1% outside the image
        self._rect = QRectF(-m, -m, image.width + 2 * m, image.height + 2 * m)

    # -- what is drawn -------------------------------------------------------------------------------
    def add_many(self, anns: Iterable[Annotation]) -> None:
        for ann in anns:
            self._put(ann)
        self.update()

    def update_object(self, ann: Annotation) -> None:
        """``ann`` added or changed: its keypoints as they are now (none: it leaves the layer)."""
        if self._put(ann) or ann.id in self.entries:
            self.update()

    def _put(self, ann: Annotation) -> bool:
        self._version += 1
        extra = ann.extra
        if not extra or ("keypoints" not in extra and "yolo" not in extra):  # most objects: 20,000 boxes
            return self.entries.pop(ann.id, None) is not None  # shown in one go, no lookup each
        found = keypoints_of(ann, self.image, self.categories(ann.category_id))
        if found is None:
            return self.entries.pop(ann.id, None) is not None
        self.entries[ann.id] = _Entry(ann, found)
        return True

    def remove(self, ann_ids: Iterable[int]) -> None:
        if any([self.entries.pop(i, None) is not None for i in ann_ids]):
            self._version += 1
            self.update()

    def set_selected(self, ids: set[int]) -> None:
        if ids & self.entries.keys() != self.selected:
            self.selected = ids & self.entries.keys()
            self._version += 1
            self.update()

    def preview(self, ann_id: int, index: int, x: float, y: float) -> None:
        """Draw point ``index`` of ``ann_id`` at (x, y) while it is dragged (nothing stored)."""
        ids = {ann_id} | ({self._preview[0]} if self._preview is not None else set())
        self._repaint(ids, lambda: setattr(self, "_preview", (ann_id, index, x, y)))

    def preview_boxes(self, boxes: dict[int, list[float]]) -> None:
        """Draw the keypoints of the objects in ``boxes`` (id: x y w h) carried by that box (a move or a
        resize under way; nothing stored). Only where those objects' points were and are is repainted."""
        boxes = {i: b for i, b in boxes.items() if i in self.entries}
        if boxes or self._boxes:
            self._repaint(boxes.keys() | self._boxes.keys(), lambda: setattr(self, "_boxes", boxes))

    def drop_preview(self) -> None:
        """Points and boxes as stored again (a drag ended or cancelled)."""
        if self._preview is not None or self._boxes:
            ids = self._boxes.keys() | ({self._preview[0]} if self._preview is not None else set())

            def drop() -> None:
                self._preview, self._boxes = None, {}

            self._repaint(ids, drop)

    def _repaint(self, ids: Iterable[int], change: Callable[[], None]) -> None:
        """``change`` the previews, repainting where ``ids``' points were and where they are now."""
        ids = [i for i in ids if i in self.entries]
        before = [self._area(i) for i in ids]
        change()
        self._version += 1
        for rect in before + [self._area(i) for i in ids]:
            if rect is not None:
                self.update(rect)

    def _area(self, ann_id: int) -> QRectF | None:
        """Where ``ann_id``'s points are drawn now (previews included), with their dots' reach; None: no
        point placed, nothing drawn."""
        entry = self.entries[ann_id]
        moved = ann_id in self._boxes or (self._preview is not None and self._preview[0] == ann_id)
        rect = _bounds(self._points(ann_id, entry)) if moved else entry.bounds
        m = (DOT_RADIUS + LINE_WIDTH + 4) / self._scale
        return None if rect is None else rect.adjusted(-m, -m, m, m)

    def _shown(self) -> list[tuple[int, _Entry]]:
        return [(i, e) for i, e in self.entries.items() if self.show_filter.shows(e.category_id, e.score, i)]

    def _points(self, ann_id: int, entry: _Entry) -> list[tuple[float, float, int]]:
        points = list(entry.keypoints.points)
        box = self._boxes.get(ann_id)
        if box is not None and finite_numbers(entry.bbox, 4) and finite_numbers(list(box), 4):
            points = box_map(points, entry.bbox, box)
        if self._preview is not None and self._preview[0] == ann_id:
            _, index, x, y = self._preview
            points[index] = (x, y, points[index][2])
        return points

    # -- the pointer ---------------------------------------------------------------------------------
    def hit(self, view_pos: QPoint | QPointF, to_view: QTransform) -> tuple[int, int] | None:
        """(object id, point index) of the labelled keypoint of a shown object nearest ``view_pos`` within
        ``HIT_PX`` screen pixels (a selected object's first: points of two people often touch; its not
        labelled ones with a position too, drawn faint), or None."""
        best: tuple[bool, float, int, int] | None = None
        scale = math.hypot(to_view.m11(), to_view.m12()) or 1.0
        at, _ = to_view.inverted()
        at = at.map(QPointF(view_pos))
        reach = HIT_PX / scale
        for ann_id, entry in self._shown():
            b = entry.bounds  # most objects are far from the pointer: a rectangle test passes them over
            if b is None or not b.adjusted(-reach, -reach, reach, reach).contains(at):
                continue
            pts = entry.keypoints.points
            picked = ann_id in self.selected
            shown = entry.keypoints.placed() if picked else entry.keypoints.shown()
            if not shown:
                continue
            xy = np.array([pts[i][:2] for i in shown], dtype=np.float64)
            sx = to_view.m11() * xy[:, 0] + to_view.m21() * xy[:, 1] + to_view.m31()
            sy = to_view.m12() * xy[:, 0] + to_view.m22() * xy[:, 1] + to_view.m32()
            d = np.hypot(sx - view_pos.x(), sy - view_pos.y())
            k = int(np.argmin(d))
            if d[k] > HIT_PX:
                continue
            key = (not picked, float(d[k]), ann_id, shown[k])
            if best is None or key < best:
                best = key
        return None if best is None else (best[2], best[3])

    # -- painting ------------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        shown = self._shown()
        if not shown:
            return
        to_view = painter.worldTransform()
        self._scale = math.hypot(to_view.m11(), to_view.m12()) or 1.0
        exposed = option.exposedRect if option is not None else self._rect
        colors = {e.category_id: QColor() for _, e in shown}
        for cat_id in colors:
            colors[cat_id] = category_color(self.categories(cat_id))
        key = (self._version, tuple(i for i, _ in shown), tuple((c, q.rgba()) for c, q in colors.items()))

        def draw(p: QPainter, to_p: QTransform, rect: QRectF) -> None:
            """The shown objects whose points reach into ``rect`` (``p``'s coordinates, which ``to_p`` maps
            the image to)."""
            seen = to_p.inverted()[0].mapRect(rect)
            for ann_id, entry in shown:
                a = self._area(ann_id)
                if a is None or not seen.intersects(a):
                    continue
                on_screen = [  # v -1: never placed (0 0), not drawn at all
                    (to_p.map(QPointF(x, y)), v if v > 0 or x or y else -1)
                    for x, y, v in self._points(ann_id, entry)
                ]
                _draw(p, entry.keypoints.edges, on_screen, colors[entry.category_id], ann_id in self.selected)

        painter.save()
        painter.resetTransform()  # screen pixels: the same dots at any zoom
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if not self._cache.paint(painter, to_view, to_view.mapRect(exposed), key, draw):
            draw(painter, to_view, to_view.mapRect(exposed))
        painter.restore()


_PHASES = 8  # a dot's sprite is made for each 1/8 pixel it may sit off the pixel grid, in x and y
_SPRITES: dict[tuple[int, float, bool, int, int, float], QImage] = {}


def _dot_sprite(color: QColor, r: float, visible: bool, fx: int, fy: int, dpr: float) -> QImage:
    """A dot (``visible``: filled on a dark rim; else a ring in ``color`` on a dark one, light inside) of
    radius ``r`` drawn once, its centre ``fx``/``fy`` eighths of a device pixel past the middle pixel corner
    (within 1/16 px of where it is): a repaint copies it, where an antialiased ellipse is stroked anew each
    time (10 times slower)."""
    key = (color.rgba(), r, visible, fx, fy, dpr)
    sprite = _SPRITES.get(key)
    if sprite is None:
        if len(_SPRITES) > 4096:  # many categories' colours: start again rather than grow
            _SPRITES.clear()
        half = math.ceil((r + 3.5) * dpr)  # the ring's dark pen reaches r + 2.25
        sprite = QImage(2 * half, 2 * half, QImage.Format.Format_ARGB32_Premultiplied)
        sprite.fill(0)
        p = QPainter(sprite)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.translate(half + fx / _PHASES, half + fy / _PHASES)
        p.scale(dpr, dpr)
        centre = QPointF(0, 0)
        if visible:
            p.setPen(QPen(_RIM, 1.5))
            p.setBrush(color)
            p.drawEllipse(centre, r, r)
        else:  # labelled, occluded: (no line through it)
            p.setBrush(_HOLLOW)
            p.setPen(QPen(_RIM, 4.5))
            p.drawEllipse(centre, r, r)
            p.setPen(QPen(color, 2.5))
            p.drawEllipse(centre, r, r)
        p.end()
        sprite.setDevicePixelRatio(dpr)
        _SPRITES[key] = sprite
    return sprite


def _draw(
    painter: QPainter,
    edges: list[tuple[int, int]],
    points: list[tuple[QPointF, int]],
    color: QColor,
    selected: bool,
) -> None:
    """One object's skeleton lines (dark under coloured, each pass one call) then its dots: filled
    (visible) or hollow; a selected object's not labelled points (v 0; -1 never placed, not drawn) a faint
    cross. Lines have flat ends: a round one would hide under the dot drawn on each end, and costs twice."""
    lines = [QLineF(points[a][0], points[b][0]) for a, b in edges if points[a][1] > 0 and points[b][1] > 0]
    if lines:
        for pen in (QPen(_RIM, LINE_WIDTH + 2), QPen(color, LINE_WIDTH)):
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(pen)
            painter.drawLines(lines)
    r = DOT_RADIUS + (1.0 if selected else 0.0)
    if selected:  # its points set not labelled: a faint thin cross, to bring back
        faint = QColor(color)
        faint.setAlpha(_FAINT_ALPHA)
        painter.setPen(QPen(faint, 1.5))
        c = CROSS_PX
        for p, v in points:
            if v == 0:
                painter.drawLine(p + QPointF(-c, -c), p + QPointF(c, c))
                painter.drawLine(p + QPointF(-c, c), p + QPointF(c, -c))
    device = painter.device()
    dpr = device.devicePixelRatioF() if device is not None else 1.0
    for p, v in points:
        if v <= 0:
            continue
        x, y = p.x() * dpr, p.y() * dpr  # device pixels: the sprite lands on the pixel grid
        ix, iy = math.floor(x), math.floor(y)
        fx, fy = round((x - ix) * _PHASES), round((y - iy) * _PHASES)
        ix, fx = (ix + 1, 0) if fx == _PHASES else (ix, fx)
        iy, fy = (iy + 1, 0) if fy == _PHASES else (iy, fy)
        sprite = _dot_sprite(color, r, v >= 2, fx, fy, dpr)
        half = sprite.width() // 2
        painter.drawImage(QPointF((ix - half) / dpr, (iy - half) / dpr), sprite)
