"""View > Fill Window (Ctrl+9): a line scan's narrow side across the window. Fitted whole, an 8:1 scan is a
strip a few percent high where a 3 px defect is no screen pixel; filled, its height fills the window from its
left end, and the defect is drawn. Checked from the viewport's pixels, not the transform alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tifffile
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.ui.canvas.zoom_pan import FIT_MARGIN
from tests.ui.conftest import settle

CTRL = Qt.KeyboardModifier.ControlModifier


def scan_project(folder: Path, h: int, w: int) -> Path:
    """A 16-bit scan of h x w, dark (20000) with a 3x3 bright pit (60000) 40 px from its left end."""
    img = np.full((h, w), 20000, np.uint16)
    img[h // 2 - 1 : h // 2 + 2, 40:43] = 60000
    tifffile.imwrite(folder / "scan.tif", img)
    project = new_project(["pit"])
    project.add_image(ImageRecord(1, "scan.tif", w, h))
    save_project(project, folder / "project.json")
    return folder / "project.json"


def test_fill_window_shows_a_line_scan_at_its_height(tmp_path: Path, open_on) -> None:
    win = open_on(scan_project(tmp_path, 512, 8192))
    c = win.canvas
    vp = c.viewport().rect()
    fitted = c.zoom
    assert fitted < 0.15  # whole: 8192 px across about 1000
    QTest.keyClick(c, Qt.Key.Key_9, CTRL)
    settle()
    assert c.zoom > 5 * fitted
    top_left, bottom_left = c.mapFromScene(QPointF(0, 0)), c.mapFromScene(QPointF(0, 512))
    assert top_left.x() == FIT_MARGIN  # its left end at the window's left edge
    assert top_left.y() >= 0 and bottom_left.y() <= vp.height()  # its whole height in sight
    assert bottom_left.y() - top_left.y() >= vp.height() - 2 * FIT_MARGIN - 2  # and across the window
    shot = c.viewport().grab().toImage()
    pit = c.mapFromScene(QPointF(41.5, 256.5))
    assert shot.pixelColor(pit).value() > 200  # the pit drawn bright
    assert shot.pixelColor(pit.x(), pit.y() + 20).value() < 200  # on a darker scan
    QTest.keyClick(c, Qt.Key.Key_0, CTRL)  # Fit Image: the whole scan again
    settle()
    assert c.zoom == fitted


def test_fill_window_on_a_tall_scan_starts_at_its_top(tmp_path: Path, open_on) -> None:
    win = open_on(scan_project(tmp_path, 6000, 300))
    c = win.canvas
    win.act_fill.trigger()
    settle()
    vp = c.viewport().rect()
    top_left, top_right = c.mapFromScene(QPointF(0, 0)), c.mapFromScene(QPointF(300, 0))
    assert top_left.y() == FIT_MARGIN
    assert top_left.x() >= 0 and top_right.x() <= vp.width()
    assert top_right.x() - top_left.x() >= vp.width() - 2 * FIT_MARGIN - 2
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    assert win.act_fill in view.actions()


def scans_project(folder: Path, sizes: list[tuple[int, int]]) -> Path:
    """Scans of these (h, w), dark with a bright pit each, one image each, in file order."""
    project = new_project(["pit"])
    for i, (h, w) in enumerate(sizes, 1):
        img = np.full((h, w), 20000, np.uint16)
        img[h // 2 - 1 : h // 2 + 2, 40:43] = 60000
        tifffile.imwrite(folder / f"scan{i}.tif", img)
        project.add_image(ImageRecord(i, f"scan{i}.tif", w, h))
    save_project(project, folder / "project.json")
    return folder / "project.json"


def filled(c) -> bool:  # type: ignore[no-untyped-def]
    """The shown (wide) image's height across the window, its left end at the left edge."""
    h = c.image_size()[0]
    vp = c.viewport().rect()
    top_left, bottom_left = c.mapFromScene(QPointF(0, 0)), c.mapFromScene(QPointF(0, h))
    return top_left.x() == FIT_MARGIN and bottom_left.y() - top_left.y() >= vp.height() - 2 * FIT_MARGIN - 2


def drag_along(c) -> None:  # type: ignore[no-untyped-def]
    """A real middle-button drag 300 px to the left: the strip pans toward its right end."""
    vp, mid = c.viewport(), Qt.MouseButton.MiddleButton
    start = QPoint(vp.width() // 2, vp.height() // 2)
    QTest.mousePress(vp, mid, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 11):
        QTest.mouseMove(vp, start + QPoint(-30 * step, 0))
    QTest.mouseRelease(vp, mid, Qt.KeyboardModifier.NoModifier, start + QPoint(-300, 0))
    settle()


def next_image(win, qtbot, k=Qt.Key.Key_D) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(win.canvas, k)
    qtbot.waitUntil(lambda: win.canvas.image_item is not None and not win.canvas.is_loading, timeout=20000)
    settle()


def test_fill_window_stays_the_mode_across_d_and_a_until_a_zoom_by_hand(
    tmp_path: Path, open_on, qtbot
) -> None:
    """As Fit: chosen once, each next image opens filled (at its own height, from its own left end), even
    after a pan along the strip; a zoom by hand ends it, and the next image is fitted again."""
    win = open_on(scans_project(tmp_path, [(512, 8192), (400, 6000), (512, 8192)]))
    c = win.canvas
    QTest.keyClick(c, Qt.Key.Key_9, CTRL)
    settle()
    assert filled(c)
    drag_along(c)  # a middle-button pan along the strip
    assert not filled(c)
    next_image(win, qtbot)
    assert win.document.current_image_id == 2
    assert filled(c)  # its own height (another zoom than the first's), from its left end
    next_image(win, qtbot, Qt.Key.Key_A)
    assert filled(c)
    win.resize(1000, 700)  # a resize fills the window again, as it fits a fitted image again
    settle()
    assert filled(c)
    QTest.keyClick(c, Qt.Key.Key_Equal, CTRL)  # a zoom by hand: the mode ends
    settle()
    assert not filled(c)
    next_image(win, qtbot)
    assert not filled(c) and c.zoom < 0.15  # fitted whole again
    QTest.keyClick(c, Qt.Key.Key_0, CTRL)
    settle()
    next_image(win, qtbot)
    shown = c.zoom
    QTest.keyClick(c, Qt.Key.Key_0, CTRL)
    settle()
    assert c.zoom == shown  # Fit stays Fit too


def test_fill_window_with_keep_zoom_fills_each_image_until_zoomed_by_hand(
    tmp_path: Path, open_on, qtbot
) -> None:
    """Keep Zoom (Ctrl+K) keeps a zoom set by hand; a Fill Window chosen since fills the next image."""
    win = open_on(scans_project(tmp_path, [(512, 8192), (400, 6000), (512, 8192)]))
    c = win.canvas
    QTest.keyClick(c, Qt.Key.Key_K, CTRL)
    assert win.act_keep_zoom.isChecked()
    QTest.keyClick(c, Qt.Key.Key_9, CTRL)
    settle()
    next_image(win, qtbot)
    assert filled(c)
    QTest.keyClick(c, Qt.Key.Key_Equal, CTRL)
    settle()
    zoom = c.zoom
    next_image(win, qtbot)
    assert c.zoom == zoom and not filled(c)  # the zoom by hand kept
