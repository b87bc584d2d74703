"""Slides with broken or hostile parts in the real main window: the canvas shows what the file holds, a
tile that cannot be read is drawn from the overview and named, and nothing raises in a paint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tifffile
from PySide6.QtCore import QPointF
from PySide6.QtTest import QTest

from tests.core.test_pyramid import HALF_SPLIT, write_svs
from tests.ui.conftest import open_main_window
from tests.ui.test_large_images import one_image_project, paint_all_tiles, shown


def settle(qtbot, canvas) -> None:
    paint_all_tiles(qtbot, canvas)


def test_a_corrupt_tile_is_drawn_from_the_overview_and_named_in_the_status_bar(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    img = np.zeros((512, 768), np.uint8)
    img[:, 256:] = 120
    img[:, 320:384] = 220  # the corrupt tile's column: the overview (level 2) still has it
    path = tmp_path / "slide.tif"
    with tifffile.TiffWriter(path) as tw:
        tw.write(img, tile=(64, 64), compression="zlib", subifds=2)
        for k in (1, 2):
            tw.write(img[:: 2**k, :: 2**k], tile=(64, 64), compression="zlib", subfiletype=1)
    with tifffile.TiffFile(path) as tif:
        offset, count = int(tif.pages.first.dataoffsets[5]), int(tif.pages.first.databytecounts[5])
    raw = bytearray(path.read_bytes())
    raw[offset : offset + count] = b"\x13" * count  # tile (5, 0): x 320..383, y 0..63
    path.write_bytes(bytes(raw))

    win = open_main_window(qtbot, one_image_project(tmp_path, "slide.tif", 768, 512))
    canvas = win.canvas
    canvas.set_zoom(2.0)
    canvas.centerOn(QPointF(350, 60))
    settle(qtbot, canvas)  # pytest-qt fails the test on an exception raised in paint()
    assert "slide.tif: tile (5, 0) of level 0 cannot be decoded" in win.statusBar().currentMessage()
    assert shown(win, 350.5, 30.5)[0] == 220  # from the overview
    assert shown(win, 300.5, 30.5)[0] == 120 and shown(win, 350.5, 100.5)[0] == 220  # read tiles
    canvas.centerOn(QPointF(340, 70))  # panning repaints without trying the tile again
    settle(qtbot, canvas)
    assert shown(win, 341.5, 20.5)[0] == 220
    # the status bar's value readout under the cursor: none over the broken tile, the value elsewhere
    vp = canvas.viewport()
    QTest.mouseMove(vp, canvas.mapFromScene(QPointF(300.5, 20.5)))
    qtbot.waitUntil(lambda: win.readout.pos_label.text().startswith("x 300, y 20"), timeout=10000)
    qtbot.waitUntil(lambda: win.readout.value_label.text() == "value 120", timeout=10000)
    QTest.mouseMove(vp, canvas.mapFromScene(QPointF(350.5, 20.5)))
    qtbot.waitUntil(lambda: win.readout.pos_label.text().startswith("x 350, y 20"), timeout=10000)
    assert win.readout.value_label.text() == ""
    win.close()


def test_a_page_larger_than_the_slide_is_not_drawn_as_a_level(qtbot, tmp_path: Path, no_prompts) -> None:
    write_svs(tmp_path / "slide.svs", HALF_SPLIT, [np.full((600, 1000), 50, np.uint8)])
    win = open_main_window(qtbot, one_image_project(tmp_path, "slide.svs", 500, 300))
    canvas = win.canvas
    for zoom in (1.0, 0.6):
        canvas.set_zoom(zoom)
        canvas.centerOn(QPointF(250, 150))
        settle(qtbot, canvas)
        assert (shown(win, 100.5, 100.5)[0], shown(win, 400.5, 100.5)[0]) == (0, 200)
    win.close()


def test_a_slide_declaring_a_million_pixels_a_side_without_its_tiles_opens_and_says_so(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A 10**6 x 10**6 pyramid whose tile tables list a handful of tiles (a 2 MB file): it opens on its
    coarsest level, and zooming in to 100 % draws the overview where tiles are missing, naming one."""
    import zlib

    import tifffile

    from tests.ui.test_large_images import rss_bytes

    path = tmp_path / "million.tif"
    levels = 11
    with tifffile.TiffWriter(path, bigtiff=True) as tw:
        for k in range(levels):
            kw = {"subifds": levels - 1} if k == 0 else {"subfiletype": 1}
            tw.write(
                np.full((2048 >> k, 2048 >> k), 90, np.uint8), tile=(1024, 1024), compression="zlib", **kw
            )
    full = zlib.compress(np.full((1024, 1024), 90, np.uint8).tobytes())  # the coarsest level's one tile
    end = path.stat().st_size
    with path.open("ab") as f:
        f.write(full)
    with tifffile.TiffFile(path, mode="r+b") as tif:
        for k, level in enumerate(tif.series[0].levels):
            level.keyframe.tags["ImageWidth"].overwrite(10**6 >> k)
            level.keyframe.tags["ImageLength"].overwrite(10**6 >> k)
        level.keyframe.tags["TileOffsets"].overwrite([end])
        level.keyframe.tags["TileByteCounts"].overwrite([len(full)])
    before = rss_bytes()
    win = open_main_window(qtbot, one_image_project(tmp_path, "million.tif", 10**6, 10**6))
    canvas = win.canvas
    assert canvas.loaded.lazy and canvas.loaded.overview.shape == (976, 976)
    canvas.set_zoom(1.0)
    canvas.centerOn(QPointF(500_000.5, 500_000.5))
    settle(qtbot, canvas)
    assert "million.tif: tile (488, 488) of level 0 is not in the file's tile table" in (
        win.statusBar().currentMessage()
    )
    assert shown(win, 500_000.5, 500_000.5)[0] == 90  # the overview's pixel
    assert rss_bytes() - before < 300 << 20
    win.close()
