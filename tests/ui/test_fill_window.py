"""View > Fill Window (Ctrl+9): a line scan's narrow side across the window. Fitted whole, an 8:1 scan is a
strip a few percent high where a 3 px defect is no screen pixel; filled, its height fills the window from its
left end, and the defect is drawn. Checked from the viewport's pixels, not the transform alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tifffile
from PySide6.QtCore import QPointF, Qt
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
