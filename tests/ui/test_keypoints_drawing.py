"""How ``canvas.keypoint_layer`` draws a dot: copied from a ready-made sprite (an antialiased ellipse stroked
anew for each of 8,500 dots made a repaint of 500 posed objects slow), it must land where the ellipse it
replaced was drawn, at any sub-pixel position and device pixel ratio, filled or hollow, selected or not; and
every object's lines and dots drawn pass by pass (a zoom step on 500 people blended ~10,000 translucent lines
one by one) must show what drawing them object by object showed, but for dots now above every line."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTransform, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.ui.canvas import keypoint_layer as kl
from pixelproof.ui.canvas.looks import category_color
from tests.ui.conftest import hover
from tests.ui.test_keypoints import COCO_ID, _near, _pixel, posed  # noqa: F401 (the posed fixture)
from tests.ui.test_workbench import LEFT, NOMOD, drag, key, view_point

COLOR = QColor("#20e020")


def _canvas(dpr: float) -> QImage:
    img = QImage(int(40 * dpr), int(40 * dpr), QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    img.fill(QColor(90, 60, 200))
    return img


def _draw(p: QPainter, edges: list, points: list[tuple[QPointF, int]], selected: bool = False) -> None:
    """One object (points where they land on ``p``) drawn as the layer draws it."""
    xyv = [(at.x(), at.y(), v) for at, v in points]
    kl._draw(p, QTransform(), QRectF(0, 0, 40, 40), [(kl._lines(edges, xyv), xyv, COLOR, selected)])


def _pixels(img: QImage) -> np.ndarray:
    arr = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes())
    return arr.reshape(img.height(), img.bytesPerLine() // 4, 4)[:, : img.width()].astype(int)


def _ellipse(painter: QPainter, at: QPointF, r: float, visible: bool, color: QColor = COLOR) -> None:
    """The dot as an ellipse drawn in place: what the sprite stands for."""
    if visible:
        painter.setPen(QPen(kl._RIM, 1.5))
        painter.setBrush(color)
        painter.drawEllipse(at, r, r)
    else:
        painter.setBrush(kl._HOLLOW)
        painter.setPen(QPen(kl._RIM, 4.5))
        painter.drawEllipse(at, r, r)
        painter.setPen(QPen(color, 2.5))
        painter.drawEllipse(at, r, r)


@pytest.mark.parametrize("dpr", [1.0, 2.0, 1.5])
@pytest.mark.parametrize("v", [2, 1])
@pytest.mark.parametrize("selected", [False, True])
def test_a_dot_lands_where_its_ellipse_was_drawn(qapp, dpr: float, v: int, selected: bool) -> None:
    for at in (QPointF(20, 20), QPointF(20.3, 19.55), QPointF(19.9, 20.7), QPointF(20.49, 20.51)):
        drawn, wanted = _canvas(dpr), _canvas(dpr)
        p = QPainter(drawn)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        _draw(p, [], [(at, v)], selected)
        p.end()
        p = QPainter(wanted)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        _ellipse(p, at, kl.DOT_RADIUS + (1.0 if selected else 0.0), v >= 2)
        p.end()
        diff = np.abs(_pixels(drawn) - _pixels(wanted))
        assert diff.max() <= 40, (at, diff.max())  # an edge pixel's coverage within 1/16 px: not a pixel off
        assert diff.sum() <= 0.05 * np.abs(_pixels(wanted) - _pixels(_canvas(dpr))).sum(), at


def test_a_repaint_makes_no_new_sprite(qapp) -> None:
    img = _canvas(1.0)
    points = [(QPointF(10 + i * 0.37, 12 + i * 0.61), 2 if i % 3 else 1) for i in range(30)]
    p = QPainter(img)
    _draw(p, [(0, 1), (1, 2)], points)
    made = len(kl._SPRITES)
    _draw(p, [(0, 1), (1, 2)], points)
    p.end()
    assert len(kl._SPRITES) == made


def test_a_line_between_two_dots_looks_as_with_round_ends(qapp) -> None:
    """Skeleton lines end flat (one call per pass and object, twice as fast as round ends): the dots on
    their ends hide where a round end would differ (a hollow dot's light inside shows a faint trace)."""
    for ends in (2, 1):
        a, b = QPointF(8.3, 9.6), QPointF(31.2, 27.9)
        drawn, wanted = _canvas(1.0), _canvas(1.0)
        p = QPainter(drawn)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        _draw(p, [(0, 1)], [(a, ends), (b, ends)])
        p.end()
        p = QPainter(wanted)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for pen in (QPen(kl._RIM, kl.LINE_WIDTH + 2), QPen(COLOR, kl.LINE_WIDTH)):
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)  # as the layer drew them
            p.setPen(pen)
            p.drawLine(a, b)
        for at in (a, b):
            _ellipse(p, at, kl.DOT_RADIUS, ends >= 2)
        p.end()
        assert np.abs(_pixels(drawn) - _pixels(wanted)).max() <= 24, ends


def test_keypoints_follow_a_pan_and_an_edit_after_it(posed) -> None:  # noqa: F811
    """A pan copies the layer's last painting (``keypoint_cache``) moved along and draws the strip it
    uncovers; a point dragged after it is drawn where it went, not where the copy had it."""
    win, c = posed, posed.canvas
    green = category_color(win.document.project.categories[1])
    rgb = (green.red(), green.green(), green.blue())
    c.set_zoom(6.0)
    c.centerOn(QPointF(110, 70))
    assert _near(_pixel(win, 100, 60), rgb)  # the nose, painted whole once
    nose = view_point(win, 100, 60)
    start = QPoint(300, 250)
    QTest.keyPress(c, Qt.Key.Key_Space)  # pan: the image goes 50 px left and 40 down
    QTest.mousePress(c.viewport(), LEFT, NOMOD, start)
    QTest.mouseMove(c.viewport(), start + QPoint(-50, 40))
    QTest.mouseRelease(c.viewport(), LEFT, NOMOD, start + QPoint(-50, 40))
    QTest.keyRelease(c, Qt.Key.Key_Space)
    assert view_point(win, 100, 60) == nose + QPoint(-50, 40)
    img = c.viewport().grab().toImage()
    at = lambda p: (img.pixelColor(p).red(), img.pixelColor(p).green(), img.pixelColor(p).blue())  # noqa: E731
    assert _near(at(nose + QPoint(-50, 40)), rgb)  # the nose moved with the image
    assert not _near(at(nose), rgb)  # not left where it was
    assert _near(_pixel(win, 120, 75), rgb)  # the line nose - left eye, halfway
    drag(win, view_point(win, 100, 60), view_point(win, 106, 52))  # the nose moved: an edit after the pan
    assert _near(_pixel(win, 106, 52), rgb)
    assert not _near(_pixel(win, 100, 60), rgb)


def _one_by_one(p: QPainter, layer: kl.KeypointLayer, to_view: QTransform) -> None:
    """The layer's objects drawn as it drew them before it drew pass by pass (the reference look): each
    object's translucent rims line by line, its lines, its faint crosses, its dots as ellipses."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for ann_id, entry in layer._shown():
        color = category_color(layer.categories(entry.category_id))
        pts = [
            (to_view.map(QPointF(x, y)), v if v > 0 or x or y else -1) for x, y, v in entry.keypoints.points
        ]
        for pen in (QPen(kl._RIM, kl.LINE_WIDTH + 2), QPen(color, kl.LINE_WIDTH)):
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            p.setPen(pen)
            for a, b in entry.keypoints.edges:
                if pts[a][1] > 0 and pts[b][1] > 0:
                    p.drawLine(pts[a][0], pts[b][0])
        selected = ann_id in layer.selected
        faint = QColor(color)
        faint.setAlpha(kl._FAINT_ALPHA)
        p.setPen(QPen(faint, 1.5))
        c = kl.CROSS_PX
        for at, v in pts:
            if selected and v == 0:
                p.drawLine(at + QPointF(-c, -c), at + QPointF(c, c))
                p.drawLine(at + QPointF(-c, c), at + QPointF(c, -c))
        for at, v in pts:
            if v > 0:
                _ellipse(p, at, kl.DOT_RADIUS + (1.0 if selected else 0.0), v >= 2, color)


def _argb(img: QImage) -> QImage:
    return img.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


def _shows_as_one_by_one(win) -> None:  # type: ignore[no-untyped-def]
    """The canvas shows its keypoints as ``_one_by_one`` draws them over the same view without them."""
    c = win.canvas
    drawn = _argb(c.viewport().grab().toImage())
    c.keypoints.setVisible(False)
    bare = _argb(c.viewport().grab().toImage())
    c.keypoints.setVisible(True)
    wanted = QImage(bare)
    p = QPainter(wanted)
    _one_by_one(p, c.keypoints, c.keypoints.deviceTransform(c.viewportTransform()))
    p.end()
    ink = np.abs(_pixels(wanted) - _pixels(bare)).sum()
    assert ink > 0  # there is something to compare
    diff = np.abs(_pixels(drawn) - _pixels(wanted))
    assert diff.max() <= 48, diff.max()  # an edge pixel's coverage, not a pixel off or another colour
    assert diff.sum() <= 0.05 * ink, (diff.sum(), ink)


def _wheel(win, notches: int) -> None:  # type: ignore[no-untyped-def]
    c = win.canvas
    at = QPoint(c.viewport().width() // 2, c.viewport().height() // 2)
    event = QWheelEvent(
        QPointF(at),
        QPointF(c.viewport().mapToGlobal(at)),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(c.viewport(), event)


def test_a_zoom_step_shows_the_keypoints_as_drawn_one_object_at_a_time(posed) -> None:  # noqa: F811
    """The layer draws all objects pass by pass (rims, lines, crosses, dots: a zoom step on 500 people
    several times faster); on a posed scene a zoom step shows what drawing each object's lines and dots one
    by one showed: filled and hollow dots, the skeleton's line, colours, and once the object is selected with
    a point set not labelled, its larger dots and the faint cross."""
    win, c = posed, posed.canvas
    _wheel(win, 1)
    assert c.zoom == pytest.approx(2.5)
    _shows_as_one_by_one(win)
    hover(win, view_point(win, 140, 90))  # the occluded left eye: not labelled, its object selected
    key(win, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    assert win.document.project.annotations[COCO_ID].extra["keypoints"][3:6] == [140, 90, 0]
    assert c.keypoints.selected == {COCO_ID}
    _wheel(win, -1)
    assert c.zoom == pytest.approx(2.0)
    _shows_as_one_by_one(win)


def test_a_dot_is_drawn_over_another_objects_line(qapp) -> None:
    """Every object's lines first, then every dot: a skeleton line of one person crossing another's point
    passes under its dot (drawn object by object, the later one's line hid it)."""
    red = QColor("#e02020")
    dot = [(20.0, 20.0, 2)]
    across = [(5.0, 20.0, 2), (35.0, 20.0, 2)]
    line = (kl._lines([(0, 1)], across), across, red, False)
    both, alone = _canvas(1.0), _canvas(1.0)
    for img, objects in ((both, [([], dot, COLOR, False), line]), (alone, [line])):
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        kl._draw(p, QTransform(), QRectF(0, 0, 40, 40), objects)
        p.end()
    assert both.pixelColor(20, 20) == COLOR  # the dot's middle
    assert both.pixelColor(10, 20) == alone.pixelColor(10, 20) != _canvas(1.0).pixelColor(10, 20)  # the line


@pytest.mark.parametrize("dpr", [1.0, 2.0, 1.5])
def test_a_line_has_its_width_at_any_device_pixel_ratio(qapp, dpr: float) -> None:
    """Lines are drawn under the image's transform with cosmetic pens, whose width the device pixel ratio
    does not scale: at 2x a line is as wide as when it was drawn in screen pixels, not half as wide."""
    a, b = (6.3, 31.6), (33.2, 9.9)
    to_p = QTransform(0.5, 0, 0, 0.5, 3.0, 5.0)  # image pixels to the painter's
    points = [(2 * (x - 3.0), 2 * (y - 5.0), 2) for x, y in (a, b)]  # image pixels, ``to_p`` maps onto a, b
    drawn, wanted = _canvas(dpr), _canvas(dpr)
    p = QPainter(drawn)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    kl._rims(p, to_p, QRectF(0, 0, 40, 40), dpr, kl._lines([(0, 1)], points))
    p.setWorldTransform(to_p)
    p.setPen(kl._line_pen(COLOR, kl.LINE_WIDTH * dpr))
    p.drawLines(kl._lines([(0, 1)], points))
    p.end()
    p = QPainter(wanted)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for pen in (QPen(kl._RIM, kl.LINE_WIDTH + 2), QPen(COLOR, kl.LINE_WIDTH)):
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)  # in screen pixels, as the layer drew them
        p.setPen(pen)
        p.drawLine(QPointF(*a), QPointF(*b))
    p.end()
    diff = np.abs(_pixels(drawn) - _pixels(wanted))
    assert diff.max() <= 8, diff.max()
