"""How ``canvas.keypoint_layer`` draws a dot: copied from a ready-made sprite (an antialiased ellipse stroked
anew for each of 8,500 dots made a repaint of 500 posed objects slow), it must land where the ellipse it
replaced was drawn, at any sub-pixel position and device pixel ratio, filled or hollow, selected or not."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtTest import QTest

from pixelproof.ui.canvas import keypoint_layer as kl
from pixelproof.ui.canvas.looks import category_color
from tests.ui.test_keypoints import _near, _pixel, posed  # noqa: F401 (the posed fixture)
from tests.ui.test_workbench import LEFT, NOMOD, drag, view_point

COLOR = QColor("#20e020")


def _canvas(dpr: float) -> QImage:
    img = QImage(int(40 * dpr), int(40 * dpr), QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    img.fill(QColor(90, 60, 200))
    return img


def _pixels(img: QImage) -> np.ndarray:
    arr = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes())
    return arr.reshape(img.height(), img.bytesPerLine() // 4, 4)[:, : img.width()].astype(int)


def _ellipse(painter: QPainter, at: QPointF, r: float, visible: bool) -> None:
    """The dot as an ellipse drawn in place: what the sprite stands for."""
    if visible:
        painter.setPen(QPen(kl._RIM, 1.5))
        painter.setBrush(COLOR)
        painter.drawEllipse(at, r, r)
    else:
        painter.setBrush(kl._HOLLOW)
        painter.setPen(QPen(kl._RIM, 4.5))
        painter.drawEllipse(at, r, r)
        painter.setPen(QPen(COLOR, 2.5))
        painter.drawEllipse(at, r, r)


@pytest.mark.parametrize("dpr", [1.0, 2.0, 1.5])
@pytest.mark.parametrize("v", [2, 1])
@pytest.mark.parametrize("selected", [False, True])
def test_a_dot_lands_where_its_ellipse_was_drawn(qapp, dpr: float, v: int, selected: bool) -> None:
    for at in (QPointF(20, 20), QPointF(20.3, 19.55), QPointF(19.9, 20.7), QPointF(20.49, 20.51)):
        drawn, wanted = _canvas(dpr), _canvas(dpr)
        p = QPainter(drawn)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        kl._draw(p, [], [(at, v)], COLOR, selected)
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
    kl._draw(p, [(0, 1), (1, 2)], points, COLOR, False)
    made = len(kl._SPRITES)
    kl._draw(p, [(0, 1), (1, 2)], points, COLOR, False)
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
        kl._draw(p, [(0, 1)], [(a, ends), (b, ends)], COLOR, False)
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
