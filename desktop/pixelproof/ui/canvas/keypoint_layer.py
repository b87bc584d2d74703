"""The keypoints of the shown image's objects (``core.keypoints``: a YOLO pose dataset's, COCO
person_keypoints'), drawn as CVAT and X-AnyLabeling do: a dot per labelled point in the object's category
colour, filled when visible (v 2), hollow when labelled but occluded (v 1), none when not labelled (v 0)
but a faint thin cross for a selected object's (where the user set it so: Shift+V or a drag brings it
back), and the skeleton's lines between two labelled points. Dots and lines are screen-sized (the same at any
zoom, a dark rim so they read on any image), a selected object's a little larger; every dot above every
line (``_draw``: pass by pass over the objects in view, a zoom step on a crowd drawn in few calls). One
item for the image, as the box layer: a pose image of 30 people is 30 x 17 dots, not 510 items.

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
    __slots__ = ("bbox", "bounds", "category_id", "keypoints", "lines", "score")

    def __init__(self, ann: Annotation, keypoints: Keypoints) -> None:
        self.category_id = ann.category_id
        self.score = display_score(ann)
        self.keypoints = keypoints
        self.bbox = list(ann.bbox)  # the box its keypoints are drawn for (a dragged box maps them along)
        self.bounds = _bounds(keypoints.points)  # where its placed points are: painted, hit-tested
        self.lines = _lines(keypoints.edges, keypoints.points)  # image pixels: made once, drawn at any zoom


def _bounds(points: list[tuple[float, float, int]]) -> QRectF | None:
    """The rectangle (image pixels) of the placed points (labelled, or set not labelled where they were);
    None when none is."""
    xs = [x for x, y, v in points if v > 0 or x or y]
    ys = [y for x, y, v in points if v > 0 or x or y]
    return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)) if xs else None


def _lines(edges: list[tuple[int, int]], points: list[tuple[float, float, int]]) -> list[QLineF]:
    """The skeleton's lines between two labelled points (image pixels)."""
    return [QLineF(*points[a][:2], *points[b][:2]) for a, b in edges if points[a][2] > 0 and points[b][2] > 0]


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
            objects = []
            for ann_id, entry in shown:
                a = self._area(ann_id)
                if a is None or not seen.intersects(a):
                    continue
                if ann_id in self._boxes or (self._preview is not None and self._preview[0] == ann_id):
                    points = self._points(ann_id, entry)
                    lines = _lines(entry.keypoints.edges, points)
                else:
                    points, lines = entry.keypoints.points, entry.lines
                objects.append((lines, points, colors[entry.category_id], ann_id in self.selected))
            _draw(p, to_p, rect, objects)

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
    to_p: QTransform,
    rect: QRectF,
    objects: list[tuple[list[QLineF], list[tuple[float, float, int]], QColor, bool]],
) -> None:
    """``objects`` (skeleton lines and points in image pixels, which ``to_p`` maps to ``painter``'s
    untransformed coordinates; colour; selected) drawn in ``rect`` pass by pass, each pass one call per
    colour: the lines' dark rims, their colours, a selected object's not labelled points (v 0, placed) as a
    faint cross, then every dot, filled (visible) or hollow, above every line. Object by object, a zoom step
    on 500 people drew ~10,000 translucent antialiased lines each blended alone (8 times an opaque one's
    cost): the rims are drawn opaque into one image, laid on at the rim's alpha. Lines have flat ends (a round
    one would hide under the dot on each end, and costs twice) and cosmetic pens: screen-sized at any zoom."""
    device = painter.device()
    dpr = device.devicePixelRatioF() if device is not None else 1.0
    by_color: dict[int, tuple[QColor, list[QLineF]]] = {}
    for lines, _, color, _ in objects:
        if lines:
            by_color.setdefault(color.rgba(), (color, []))[1].extend(lines)
    if by_color:
        _rims(painter, to_p, rect, dpr, [line for _, ls in by_color.values() for line in ls])
        painter.save()
        painter.setWorldTransform(to_p)
        for color, lines in by_color.values():
            painter.setPen(_line_pen(color, LINE_WIDTH * dpr))
            painter.drawLines(lines)
        painter.restore()
    c = CROSS_PX
    for _, points, color, selected in objects:
        if selected:  # its points set not labelled: a faint thin cross, to bring back
            faint = QColor(color)
            faint.setAlpha(_FAINT_ALPHA)
            painter.setPen(QPen(faint, 1.5))
            for x, y, v in points:
                if v == 0 and (x or y):
                    at = to_p.map(QPointF(x, y))
                    painter.drawLine(at + QPointF(-c, -c), at + QPointF(c, c))
                    painter.drawLine(at + QPointF(-c, c), at + QPointF(c, -c))
    _dots(painter, to_p, dpr, objects)


def _line_pen(color: QColor, width: float) -> QPen:
    """A skeleton line's pen: ``width`` device pixels whatever the painter's transform (a cosmetic pen's
    width is not scaled by the device pixel ratio: the caller does)."""
    pen = QPen(color, width)
    pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def _rims(painter: QPainter, to_p: QTransform, rect: QRectF, dpr: float, lines: list[QLineF]) -> None:
    """The lines' dark rims, opaque in an image over ``rect`` (whole device pixels, so it lands on the grid
    unresampled) and within the device and its clip (an exposed rectangle may reach far past them at a high
    zoom), laid on at the rim's alpha."""
    device = painter.device()
    if isinstance(device, QImage):  # its width is in device pixels, a widget's in its own
        rect = rect.intersected(QRectF(QPointF(0, 0), device.deviceIndependentSize()))
    elif device is not None:
        rect = rect.intersected(QRectF(0, 0, device.width(), device.height()))
    if painter.hasClipping():
        rect = rect.intersected(painter.clipBoundingRect())
    x0, y0 = math.floor(rect.left() * dpr), math.floor(rect.top() * dpr)
    w, h = math.ceil(rect.right() * dpr) - x0, math.ceil(rect.bottom() * dpr) - y0
    if w <= 0 or h <= 0:
        return
    layer = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    layer.fill(0)
    layer.setDevicePixelRatio(dpr)
    q = QPainter(layer)
    q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    q.setWorldTransform(to_p * QTransform.fromTranslate(-x0 / dpr, -y0 / dpr))
    q.setPen(_line_pen(QColor(_RIM.rgb()), (LINE_WIDTH + 2) * dpr))
    q.drawLines(lines)
    q.end()
    painter.save()
    painter.setOpacity(_RIM.alphaF())
    painter.drawImage(QPointF(x0 / dpr, y0 / dpr), layer)
    painter.restore()


def _dots(
    painter: QPainter,
    to_p: QTransform,
    dpr: float,
    objects: list[tuple[list[QLineF], list[tuple[float, float, int]], QColor, bool]],
) -> None:
    """The objects' labelled points, each a sprite copied onto the device pixel grid (placed all at once:
    a repaint of 8,500 dots spent more time working out where than copying)."""
    looks: dict[tuple[int, bool], int] = {}  # (colour, selected): one sprite set each
    look_of = [looks.setdefault((color.rgba(), selected), len(looks)) for _, _, color, selected in objects]
    at = [(x, y, v, look_of[k]) for k, (_, points, _, _) in enumerate(objects) for x, y, v in points if v > 0]
    if not at:
        return
    first = {look: k for k, look in reversed(list(enumerate(look_of)))}  # a look's first object
    a = np.array(at, dtype=np.float64)
    x = (to_p.m11() * a[:, 0] + to_p.m21() * a[:, 1] + to_p.m31()) * dpr  # device pixels
    y = (to_p.m12() * a[:, 0] + to_p.m22() * a[:, 1] + to_p.m32()) * dpr
    ix, iy = np.floor(x), np.floor(y)
    fx, fy = np.round((x - ix) * _PHASES), np.round((y - iy) * _PHASES)  # as Python's round: half to even
    ix, fx = np.where(fx == _PHASES, ix + 1, ix), np.where(fx == _PHASES, 0, fx)
    iy, fy = np.where(fy == _PHASES, iy + 1, iy), np.where(fy == _PHASES, 0, fy)
    grid = np.stack([ix, iy, fx, fy], axis=1).astype(int).tolist()
    sprites: dict[tuple[int, bool, int, int], tuple[QImage, int]] = {}
    for (px, py, sx, sy), (_, _, v, look) in zip(grid, at, strict=True):
        key = (look, v >= 2, sx, sy)
        found = sprites.get(key)
        if found is None:
            _, _, color, selected = objects[first[look]]
            sprite = _dot_sprite(color, DOT_RADIUS + (1.0 if selected else 0.0), v >= 2, sx, sy, dpr)
            found = sprites[key] = (sprite, sprite.width() // 2)
        painter.drawImage(QPointF((px - found[1]) / dpr, (py - found[1]) / dpr), found[0])
