"""Whole-slide and medical images in the real main window: a 100,000 x 100,000 pyramid opens lazily within
the memory bound and pans with real mouse drags; DICOM opens at its own window; MONOCHROME1 is inverted."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import imagecodecs
import pytest
from bench.large import write_pyramid
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.imageio import read_image, to_display8
from pixelproof.core.model import ImageRecord
from tests.ui.conftest import wait_loaded


def open_window(qtbot, project: Path):
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitActive(win)
    assert win.open_path(project)
    wait_loaded(qtbot, win)
    return win


def one_image_project(folder: Path, name: str, width: int, height: int) -> Path:
    project = new_project(["tissue"])
    project.add_image(ImageRecord(1, name, width, height))
    path = folder / "p.json"
    save_project(project, path)
    return path


def shown(win, x: float, y: float) -> tuple[int, int, int]:
    grab = win.canvas.viewport().grab().toImage()
    v = win.canvas.viewportTransform().map(QPointF(x, y))
    c = grab.pixelColor(math.floor(v.x()), math.floor(v.y()))
    return c.red(), c.green(), c.blue()


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="resident memory read from /proc")
def test_100k_slide_opens_lazily_and_pans_with_the_mouse(qtbot, tmp_path: Path, no_prompts) -> None:
    tiles = write_pyramid(tmp_path / "slide.tif", 100_000)
    decoded = [imagecodecs.jpeg8_decode(t) for t in tiles]
    win = open_window(qtbot, one_image_project(tmp_path, "slide.tif", 100_000, 100_000))
    canvas = win.canvas
    loaded = canvas.loaded
    assert loaded.lazy and (loaded.width, loaded.height) == (100_000, 100_000)
    from pixelproof.core.pyramid import open_pyramid

    stats = open_pyramid(tmp_path / "slide.tif").stats
    canvas.viewport().grab()
    assert stats.decoded < 60  # the overview and the tiles of the fit-zoom level, not 10 GB of pixels
    assert rss_bytes() < 1.5 * 2**30

    def expected(x: int, y: int) -> int:
        i = (y // 1024) * 98 + (x // 1024)  # 98 x 98 tiles of 1024 px at full resolution
        return int(decoded[i % 3][y % 1024, x % 1024])

    canvas.set_zoom(1.0)
    canvas.centerOn(QPointF(50_000.5, 50_000.5))
    qtbot.waitUntil(lambda: not canvas.image_item._refine_pending, timeout=5000)
    assert shown(win, 50_000.5, 50_000.5)[0] == expected(50_000, 50_000)
    # a real middle-button drag pans: the point under the cursor follows the mouse
    vp = canvas.viewport()
    start = QPoint(vp.width() // 2, vp.height() // 2)
    before = canvas.mapToScene(start)
    QTest.mousePress(vp, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 11):
        QTest.mouseMove(vp, start + QPoint(-30 * step, -20 * step))
    QTest.mouseRelease(
        vp, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, start + QPoint(-300, -200)
    )
    after = canvas.mapToScene(start)
    assert (after.x() - before.x(), after.y() - before.y()) == pytest.approx((300, 200), abs=1.5)
    for _ in range(20):  # the progressive paint fills in the newly exposed tiles
        canvas.viewport().grab()
        qtbot.wait(10)
        if not canvas.image_item._refine_pending:
            break
    x, y = int(after.x()), int(after.y())
    assert shown(win, x + 0.5, y + 0.5)[0] == expected(x, y)
    assert int(canvas.pixel_value(x, y)) == expected(x, y)  # the status bar's stored value
    assert rss_bytes() < 1.5 * 2**30
    win.close()


def pydicom_file(*parts: str) -> Path:
    from pydicom.data import get_testdata_file

    path = get_testdata_file(parts[0], download=False)
    if path is None:
        pytest.skip(f"{parts[0]} is not bundled with this pydicom wheel")
    return Path(path, *parts[1:])


def test_dicom_opens_at_its_window_and_monochrome1_is_inverted(qtbot, tmp_path: Path, no_prompts) -> None:
    shutil.copy(pydicom_file("MR_small.dcm"), tmp_path / "mr.dcm")
    win = open_window(qtbot, one_image_project(tmp_path, "mr.dcm", 64, 64))
    assert win.canvas.loaded.window == (-200.0, 1399.0)  # Window Center 600 / Width 1600 of the file
    win.close()
    cr = tmp_path / "cr"
    cr.mkdir()
    shutil.copy(pydicom_file("dicomdirtests", "77654033", "CR1", "6154"), cr / "cr.dcm")
    win = open_window(qtbot, one_image_project(cr, "cr.dcm", 16, 16))
    loaded = win.canvas.loaded
    assert loaded.invert
    win.canvas.fit()
    values = read_image(cr / "cr.dcm")
    straight = to_display8(values, loaded.window)
    for x, y in ((2, 3), (8, 8), (13, 10)):
        assert shown(win, x + 0.5, y + 0.5)[0] == 255 - int(straight[y, x])
    win.close()
