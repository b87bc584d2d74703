"""Canvas drawing and navigation: tiles and pyramid levels show the right pixels, zoom keeps the point under
the cursor, pixels stay sharp when zoomed in, and the theme follows the system or the user's choice."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.ui.canvas.image_item import TILE
from pixelproof.ui.workers import build_pyramid
from tests.ui.conftest import render_at, wait_loaded


@pytest.fixture
def big_window(qtbot, tmp_path: Path, no_prompts):
    """A 1500x1100 image (several tiles, three pyramid levels) whose pixel values encode x and y."""
    h, w = 1100, 1500
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.dstack([xx % 256, yy % 256, (xx // 256) * 16 + (yy // 256)]).astype(np.uint8)
    cv2.imwrite(str(tmp_path / "big.png"), img[:, :, ::-1])
    project = new_project(["a"])
    project.add_image(ImageRecord(1, "big.png", w, h))
    save_project(project, tmp_path / "big.json")
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    assert win.open_path(tmp_path / "big.json")
    wait_loaded(qtbot, win)
    yield win, img
    win.close()


def shown_pixel(win, x: float, y: float) -> tuple[int, int, int]:
    c = win.canvas
    grab = c.viewport().grab().toImage()
    v = c.viewportTransform().map(QPointF(x, y))  # the screen pixel whose square holds the point
    color = grab.pixelColor(math.floor(v.x()), math.floor(v.y()))
    return color.red(), color.green(), color.blue()


def test_pyramid_halves_down_to_512() -> None:
    levels = build_pyramid(np.zeros((3000, 4000, 3), np.uint8))
    assert [lv.shape[:2] for lv in levels] == [(3000, 4000), (1500, 2000), (750, 1000), (375, 500)]
    assert build_pyramid(np.zeros((300, 200), np.uint16))[0].dtype == np.uint16


def test_tiles_show_the_right_pixels_at_100_percent_and_across_tile_edges(big_window) -> None:
    win, img = big_window
    c = win.canvas
    for x, y in [(TILE - 1, 300), (TILE, 300), (TILE + 1, TILE), (1400, 1050), (3, 3)]:
        c.set_zoom(1.0)
        c.centerOn(QPointF(x + 0.5, y + 0.5))
        assert shown_pixel(win, x + 0.5, y + 0.5) == tuple(int(v) for v in img[y, x])


def test_zoomed_in_pixels_are_sharp_blocks(big_window) -> None:
    win, img = big_window
    c = win.canvas
    c.set_zoom(8.0)
    c.centerOn(QPointF(600, 600))
    # every screen pixel inside image pixel (600, 600) has exactly its value: no smoothing
    want = tuple(int(v) for v in img[600, 600])
    for fx, fy in [(0.05, 0.05), (0.5, 0.5), (0.93, 0.93), (0.05, 0.93)]:
        assert shown_pixel(win, 600 + fx, 600 + fy) == want


def test_zoomed_out_uses_a_pyramid_level(big_window) -> None:
    win, _img = big_window
    c = win.canvas
    c.set_zoom(0.3)
    assert c.image_item.level_for_scale(0.3) == 1
    assert c.image_item.level_for_scale(0.2) == 2
    assert c.image_item.level_for_scale(1.0) == 0
    c.viewport().grab()  # draws without error from level 1


def test_zoomed_out_on_a_hidpi_screen_draws_the_level_the_device_pixels_need(big_window) -> None:
    """At 50 % on a 200 % screen each device pixel shows one image pixel: the full-resolution level, not
    the half-size one blown up 2x (a blurry photo at Fit on a HiDPI laptop)."""
    win, img = big_window
    c = win.canvas
    c.set_zoom(0.5)
    c.centerOn(QPointF(600, 600))
    shot = render_at(win, 2.0)
    t = c.viewportTransform()
    row = []
    for x in range(600, 610):
        v = t.map(QPointF(x + 0.5, 600.5))
        row.append(shot.pixelColor(math.floor(2 * v.x()), math.floor(2 * v.y())).red())
    assert row == [int(img[600, x, 0]) for x in range(600, 610)]


def test_wheel_zooms_around_the_cursor(big_window) -> None:
    win, _img = big_window
    c = win.canvas
    c.set_zoom(1.0)
    c.centerOn(QPointF(700, 500))
    at = QPoint(300, 200)
    before = c.mapToScene(at)
    event = QWheelEvent(
        QPointF(at),
        QPointF(c.viewport().mapToGlobal(at)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(c.viewport(), event)
    assert c.zoom == pytest.approx(1.25)
    after = c.mapToScene(at)
    assert abs(after.x() - before.x()) < 1.0 and abs(after.y() - before.y()) < 1.0


def test_space_drag_pans(big_window, qtbot) -> None:
    from PySide6.QtTest import QTest

    win, _img = big_window
    c = win.canvas
    c.set_zoom(1.0)
    c.centerOn(QPointF(700, 500))
    start = QPoint(400, 300)
    before = c.mapToScene(start)
    QTest.keyPress(c, Qt.Key.Key_Space)
    QTest.mousePress(c.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(c.viewport(), start + QPoint(-50, -40))
    QTest.mouseRelease(
        c.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(-50, -40)
    )
    QTest.keyRelease(c, Qt.Key.Key_Space)
    after = c.mapToScene(start)
    assert after.x() == pytest.approx(before.x() + 50, abs=1) and after.y() == pytest.approx(
        before.y() + 40, abs=1
    )
    assert win.document.project.annotations == {}  # panning drew nothing


def test_theme_light_dark_and_system(big_window) -> None:
    from PySide6.QtGui import QPalette

    from pixelproof.ui.settings import settings
    from pixelproof.ui.theme import theme

    win, _img = big_window
    win.theme_actions["dark"].trigger()
    assert theme().dark and QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert settings().value("theme") == "dark"
    win.theme_actions["light"].trigger()
    assert not theme().dark and QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 200
    win.theme_actions["system"].trigger()
    assert theme().mode == "system" and theme().dark == theme().system_is_dark()


def test_toolbar_icons_are_drawn_at_the_toolbars_size(big_window) -> None:
    """Each main-toolbar icon has a pixmap of exactly the toolbar's icon size in device pixels: Qt shrinks
    the next larger one otherwise (soft edges at 100 %, 150 % and 200 %)."""
    from PySide6.QtWidgets import QToolBar

    win, _img = big_window
    tb = win.findChild(QToolBar, "mainToolbar")
    ratio = max(1.0, win.devicePixelRatioF())
    want = int(tb.iconSize().width() * ratio)
    with_icons = [a for a in tb.actions() if not a.icon().isNull()]
    assert len(with_icons) > 10
    for action in with_icons:
        assert any(s.width() == want for s in action.icon().availableSizes()), action.text()
