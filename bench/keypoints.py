"""Keypoints on a crowded pose image: the select tool's hit test on each pointer move, and a frame of a
box dragged with its keypoints following it, on one 4000x3000 image of 500 COCO person_keypoints objects
(17 points each, the COCO person skeleton) at 0.3 zoom, three of them selected.

``python -m bench keypoints [--objects N] [--runs N]``

(a) ``KeypointLayer.hit`` at a point among the objects, beside the same distance test run on every shown
    object (``every_object_hit``: each object's points mapped to the screen, as the hit test did before
    it passed objects far from the pointer over with a rectangle test).
(b) a drag frame: ``preview_boxes`` for the dragged object and ``paint`` of the region it exposes, beside
    a ``paint`` of the whole layer (what each pointer move of a drag would repaint with a full update).
(c) a zoom step (0.3 to 0.315): ``paint`` of the 1366x768 view, beside the same points and lines drawn one
    by one (``drawn_one_by_one``: each line with round caps, each dot an ellipse, as the layer drew them
    before it drew its dots from ready-made sprites and every object's lines pass by pass, one call per
    colour, their translucent rims drawn opaque into one image laid on at the rim's alpha).
(d) a pan step (20 px at 0.3, the view repainted whole as QGraphicsView does): ``paint`` of the view after
    one before the pan, beside the zoom step (the layer drawn again, as before it kept the last painting).
Median of ``--runs`` runs each, alternating. Lines (c) and (d) back README's two keypoint figures (under
"Canvas speed", after the masks of a whole slide).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable


def _layer(n: int):  # type: ignore[no-untyped-def]
    from pixelproof.core.keypoints import COCO_PERSON_SKELETON
    from pixelproof.core.model import Annotation, Category, ImageRecord
    from pixelproof.ui.canvas.keypoint_layer import KeypointLayer
    from pixelproof.ui.canvas.show_filter import ShowFilter

    rec = ImageRecord(1, "a.png", 4000, 3000)
    cat = Category(1, "person")
    cat.extra.update({"keypoints": [f"k{i}" for i in range(17)], "skeleton": COCO_PERSON_SKELETON})
    rnd = random.Random(0)
    anns = []
    for i in range(n):
        x, y = rnd.uniform(0, 3800), rnd.uniform(0, 2800)
        kp: list[float] = []
        for _ in range(17):
            kp += [
                round(x + rnd.uniform(0, 200), 2),
                round(y + rnd.uniform(0, 200), 2),
                rnd.choice([0, 1, 2, 2]),
            ]
        extra = {"keypoints": kp, "num_keypoints": 17}
        anns.append(Annotation(i + 1, 1, 1, [x, y, 200.0, 200.0], area=4e4, extra=extra))
    layer = KeypointLayer(rec, {1: cat}.get, ShowFilter())
    layer.add_many(anns)
    layer.set_selected({1, 2, 3})
    return layer, anns


def every_object_hit(layer, view_pos, to_view):  # type: ignore[no-untyped-def]
    """The reference: the distance test on every shown object's labelled points, none passed over."""
    import numpy as np

    best = None
    for ann_id, entry in layer._shown():
        pts, shown = entry.keypoints.points, entry.keypoints.shown()
        if not shown:
            continue
        xy = np.array([pts[i][:2] for i in shown], dtype=np.float64)
        sx = to_view.m11() * xy[:, 0] + to_view.m21() * xy[:, 1] + to_view.m31()
        sy = to_view.m12() * xy[:, 0] + to_view.m22() * xy[:, 1] + to_view.m32()
        d = np.hypot(sx - view_pos.x(), sy - view_pos.y())
        k = int(np.argmin(d))
        if d[k] <= 8 and (best is None or d[k] < best[0]):
            best = (float(d[k]), ann_id, shown[k])
    return best


def drawn_one_by_one(layer, painter, exposed) -> None:  # type: ignore[no-untyped-def]
    """The reference: the layer's objects in ``exposed`` drawn as it drew them before, call by call."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor, QPainter, QPen

    from pixelproof.ui.canvas import keypoint_layer as kl
    from pixelproof.ui.canvas.looks import category_color

    to_view = painter.worldTransform()
    painter.save()
    painter.resetTransform()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for ann_id, entry in layer._shown():
        area = layer._area(ann_id)
        if area is None or not exposed.intersects(area):
            continue
        color = category_color(layer.categories(entry.category_id))
        pts = [
            (to_view.map(QPointF(x, y)), v if v > 0 or x or y else -1) for x, y, v in entry.keypoints.points
        ]
        lines = [(pts[a][0], pts[b][0]) for a, b in entry.keypoints.edges if pts[a][1] > 0 and pts[b][1] > 0]
        for pen in (QPen(kl._RIM, kl.LINE_WIDTH + 2), QPen(color, kl.LINE_WIDTH)):
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            for p, q in lines:
                painter.drawLine(p, q)
        r = kl.DOT_RADIUS + (1.0 if ann_id in layer.selected else 0.0)
        for p, v in pts:
            if v >= 2:
                painter.setPen(QPen(kl._RIM, 1.5))
                painter.setBrush(color)
                painter.drawEllipse(p, r, r)
            elif v == 1:
                painter.setBrush(QColor(kl._HOLLOW))
                painter.setPen(QPen(kl._RIM, 4.5))
                painter.drawEllipse(p, r, r)
                painter.setPen(QPen(color, 2.5))
                painter.drawEllipse(p, r, r)
    painter.restore()


def _none(_: int) -> None:
    pass


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench keypoints", description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=500)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)

    from PySide6.QtCore import QPoint, QRectF
    from PySide6.QtGui import QImage, QPainter, QTransform
    from PySide6.QtWidgets import QApplication, QStyleOptionGraphicsItem

    app = QApplication.instance() or QApplication([])  # noqa: F841 (painting needs one)
    layer, anns = _layer(args.objects)
    to_view = QTransform().scale(0.3, 0.3)
    image = QImage(1366, 768, QImage.Format.Format_ARGB32_Premultiplied)
    first = anns[0]

    def paint(rect: QRectF, t: QTransform = to_view) -> None:
        painter = QPainter(image)
        painter.setWorldTransform(t)
        option = QStyleOptionGraphicsItem()
        option.exposedRect = rect
        layer.paint(painter, option)
        painter.end()

    def view(t: QTransform) -> None:  # the view's whole area repainted
        paint(t.inverted()[0].mapRect(QRectF(image.rect())), t)

    zoomed = QTransform().scale(0.315, 0.315)

    def one_by_one(_: int) -> None:
        painter = QPainter(image)
        painter.setWorldTransform(zoomed)
        drawn_one_by_one(layer, painter, zoomed.inverted()[0].mapRect(QRectF(image.rect())))
        painter.end()

    def drag_frame(step: int) -> None:
        x, y, w, h = first.bbox
        layer.preview_boxes({first.id: [x + step % 7, y + 1, w, h]})
        paint(QRectF(x - 40, y - 40, w + 80, h + 80))

    def panned(i: int) -> QTransform:
        return QTransform(0.3, 0, 0, 0.3, -20.0 * i, 0)

    at = QPoint(600, 400)
    cases: dict[str, tuple[Callable[[int], object], Callable[[int], object]]] = {  # (untimed set-up, run)
        "hit": (_none, lambda i: layer.hit(at, to_view)),
        "every_object_hit": (_none, lambda i: every_object_hit(layer, at, to_view)),
        "drag_frame": (_none, drag_frame),
        "whole_layer": (_none, lambda i: paint(QRectF(0, 0, 4000, 3000))),
        "zoom_step": (lambda i: view(to_view), lambda i: view(zoomed)),
        "one_by_one": (_none, one_by_one),
        "pan_step": (lambda i: view(panned(i)), lambda i: view(panned(i + 1))),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for i in range(args.runs):
        for name, (setup, run) in cases.items():
            setup(i)
            start = time.perf_counter()
            run(i)
            times[name].append(time.perf_counter() - start)
    ms = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    print(f"{args.objects} posed objects (17 points each), 0.3 zoom, median of {args.runs} runs:")
    print(
        f"hit test per pointer move: {ms['hit']:.2f} ms (every object tested:"
        f" {ms['every_object_hit']:.2f} ms, {ms['hit'] / ms['every_object_hit']:.3f}x)"
    )
    print(
        f"drag frame, a box and its keypoints: {ms['drag_frame']:.1f} ms (the whole layer repainted:"
        f" {ms['whole_layer']:.1f} ms, {ms['drag_frame'] / ms['whole_layer']:.3f}x)"
    )
    print(
        f"zoom step, the view repainted: {ms['zoom_step']:.1f} ms (each line and dot drawn one by one:"
        f" {ms['one_by_one']:.1f} ms, {ms['zoom_step'] / ms['one_by_one']:.3f}x)"
    )
    print(
        f"pan step, the view repainted: {ms['pan_step']:.1f} ms (a zoom step: {ms['zoom_step']:.1f} ms,"
        f" {ms['pan_step'] / ms['zoom_step']:.3f}x)"
    )
    return 0
