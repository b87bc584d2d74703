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
from tests.ui.conftest import open_main_window, settle


def paint_all_tiles(qtbot, canvas) -> None:  # type: ignore[no-untyped-def]
    """Paint the canvas until a paint finds every tile in view decoded. A lazy pyramid decodes for at most
    PAINT_BUDGET_S per paint (at least one tile) and asks for another paint (``_refine_pending``) for the
    rest; that flag read after a wait is no witness, as the refine timer clears it before the paint it asks
    for has run, and a loaded machine decodes fewer tiles per paint: so count paints, not milliseconds."""
    for _ in range(500):
        canvas.viewport().grab()  # a paint: decodes at least one missing tile
        if not canvas.image_item._refine_pending:  # that paint found nothing missing
            settle()  # what the paints queued (a tile's "cannot be decoded" on the status bar)
            return
        qtbot.wait(1)  # the refine timer fires (its update is for the next grab to do)
    raise AssertionError("tiles still missing after 500 paints")


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


FRESH_APP = 400 * 2**20  # a freshly started app's resident memory is below this (Python, Qt, numpy)


def within_app_bound(baseline: int) -> bool:
    """The app stays under 1.5 GB: what this test added, plus a fresh app's memory (after many tests the
    process holds more than a fresh app would, which is not the slide's doing)."""
    return rss_bytes() - baseline + min(baseline, FRESH_APP) < 1.5 * 2**30


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="resident memory read from /proc")
def test_100k_slide_opens_lazily_and_pans_with_the_mouse(qtbot, tmp_path: Path, no_prompts) -> None:
    baseline = rss_bytes()
    tiles = write_pyramid(tmp_path / "slide.tif", 100_000)
    decoded = [imagecodecs.jpeg8_decode(t) for t in tiles]
    win = open_main_window(qtbot, one_image_project(tmp_path, "slide.tif", 100_000, 100_000))
    canvas = win.canvas
    loaded = canvas.loaded
    assert loaded.lazy and (loaded.width, loaded.height) == (100_000, 100_000)
    from pixelproof.core.pyramid import open_pyramid

    stats = open_pyramid(tmp_path / "slide.tif").stats
    canvas.viewport().grab()
    assert stats.decoded < 60  # the overview and the tiles of the fit-zoom level, not 10 GB of pixels
    assert within_app_bound(baseline)

    def expected(x: int, y: int) -> int:
        i = (y // 1024) * 98 + (x // 1024)  # 98 x 98 tiles of 1024 px at full resolution
        return int(decoded[i % 3][y % 1024, x % 1024])

    canvas.set_zoom(1.0)
    canvas.centerOn(QPointF(50_000.5, 50_000.5))
    paint_all_tiles(qtbot, canvas)
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
    paint_all_tiles(qtbot, canvas)  # the progressive paint fills in the newly exposed tiles
    x, y = int(after.x()), int(after.y())
    assert shown(win, x + 0.5, y + 0.5)[0] == expected(x, y)
    assert int(canvas.pixel_value(x, y)) == expected(x, y)  # the status bar's stored value
    assert within_app_bound(baseline)
    win.close()


def pydicom_file(*parts: str) -> Path:
    from pydicom.data import get_testdata_file

    path = get_testdata_file(parts[0], download=False)
    if path is None:
        pytest.skip(f"{parts[0]} is not bundled with this pydicom wheel")
    return Path(path, *parts[1:])


def test_dicom_opens_at_its_window_and_monochrome1_is_inverted(qtbot, tmp_path: Path, no_prompts) -> None:
    shutil.copy(pydicom_file("MR_small.dcm"), tmp_path / "mr.dcm")
    win = open_main_window(qtbot, one_image_project(tmp_path, "mr.dcm", 64, 64))
    assert win.canvas.loaded.window == (-200.0, 1399.0)  # Window Center 600 / Width 1600 of the file
    win.close()
    cr = tmp_path / "cr"
    cr.mkdir()
    shutil.copy(pydicom_file("dicomdirtests", "77654033", "CR1", "6154"), cr / "cr.dcm")
    win = open_main_window(qtbot, one_image_project(cr, "cr.dcm", 16, 16))
    loaded = win.canvas.loaded
    assert loaded.invert
    win.canvas.fit()
    values = read_image(cr / "cr.dcm")
    straight = to_display8(values, loaded.window)
    for x, y in ((2, 3), (8, 8), (13, 10)):
        assert shown(win, x + 0.5, y + 0.5)[0] == 255 - int(straight[y, x])
    win.close()


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="resident memory read from /proc")
def test_brush_eraser_wand_and_polygon_on_a_100k_slide(qtbot, tmp_path: Path, no_prompts) -> None:
    """Real drags and clicks on a 10**10-pixel slide: the masks are edited as tiles and stored as RLE
    (pycocotools could not count their runs), the pixels are the ones the tools define, and the app
    stays within the memory bound."""
    import numpy as np
    from pycocotools import mask as mask_utils

    from pixelproof.core import masks, paint
    from pixelproof.core.pyramid import open_pyramid
    from pixelproof.core.sparse_mask import decode_at, origin_of
    from pixelproof.ui.tools.paint_options import OPTIONS
    from tests.core.test_mask_edit import reference_stroke

    baseline = rss_bytes()

    write_pyramid(tmp_path / "slide.tif", 100_000)
    win = open_main_window(qtbot, one_image_project(tmp_path, "slide.tif", 100_000, 100_000))
    canvas, doc = win.canvas, win.document
    canvas.set_zoom(1.0)
    canvas.centerOn(QPointF(60_000.5, 80_000.5))
    vp = canvas.viewport()

    def at(x: float, y: float) -> QPoint:
        return canvas.mapFromScene(QPointF(x, y))

    def under(p: QPoint) -> tuple[int, int]:
        s = canvas.mapToScene(p)
        return math.floor(s.x()), math.floor(s.y())

    def drag(points: list[QPoint]) -> None:
        QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
        for p in points[1:]:
            QTest.mouseMove(vp, p)
        QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])

    OPTIONS.set(width=13, preserve_others=True)
    QTest.keyClick(canvas, Qt.Key.Key_R)
    assert canvas.tool.name == "brush"
    brush = [at(59_900.5 + dx, 79_950.5 + dy) for dx, dy in ((0, 0), (80, 30), (170, 20), (230, 90))]
    drag(brush)
    (ann_id,) = doc.project.annotations
    QTest.keyClick(canvas, Qt.Key.Key_E)
    assert canvas.tool.name == "eraser"
    eraser = [at(59_980.5, 79_960.5), at(59_990.5, 79_990.5)]
    OPTIONS.set(width=9)
    drag(eraser)
    # the same strokes drawn by OpenCV on a small canvas placed at (59_800, 79_800)
    ox, oy = 59_800, 79_800
    expected = reference_stroke((500, 500), [(x - ox, y - oy) for x, y in map(under, brush)], 13)
    expected &= ~reference_stroke((500, 500), [(x - ox, y - oy) for x, y in map(under, eraser)], 9)
    ann = doc.project.annotations[ann_id]
    x, y, w, h = (int(v) for v in masks.bbox(expected))
    assert ann.bbox == [float(x + ox), float(y + oy), float(w), float(h)]
    assert ann.area == float(expected.sum())
    # stored cropped to its box at rle_origin (no RLE of 10**10 pixels can exist)
    assert ann.segmentation["size"] == [h, w] and origin_of(ann) == [x + ox, y + oy]
    assert np.array_equal(masks.decode(ann.segmentation), expected[y : y + h, x : x + w])

    # the wand grows the similar-grey square of the tile under the click, read around it only
    OPTIONS.set(tolerance=12)
    QTest.keyClick(canvas, Qt.Key.Key_F)
    assert canvas.tool.name == "fill"
    seed = at(60_100.5, 80_100.5)
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, seed)
    qtbot.waitUntil(
        lambda: not canvas.tool.is_busy() and doc.project.annotations[ann_id] is not ann, timeout=20_000
    )
    rect, region = paint.wand_region(open_pyramid(tmp_path / "slide.tif").levels[0], under(seed), 12)
    grown = doc.project.annotations[ann_id]
    added = decode_at(grown.segmentation, origin_of(grown), rect) & region
    assert added.sum() == region.sum() > 100 * 100  # the 256-px square of the checkerboard
    assert rect[2] <= 4096 and rect[3] <= 4096

    # a polygon: four clicks and Enter; area as pycocotools rasterizes it on a small image
    QTest.keyClick(canvas, Qt.Key.Key_P)
    before = set(doc.project.annotations)
    corners = [(60_150, 79_900), (60_260, 79_910), (60_240, 80_020), (60_160, 80_000)]
    for cx, cy in corners:
        QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(cx, cy))
    QTest.keyClick(canvas, Qt.Key.Key_Return)
    (poly_id,) = set(doc.project.annotations) - before
    poly = doc.project.annotations[poly_id]
    small = [[v - (ox if i % 2 == 0 else oy) for i, v in enumerate(p)] for p in poly.segmentation]
    assert poly.area == float(mask_utils.area(mask_utils.merge(mask_utils.frPyObjects(small, 500, 500))))
    assert within_app_bound(baseline)
    win.close()


def test_plain_image_over_the_limit_shows_its_cost_and_opens_downsampled(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A PNG over the pixel limit is not decoded: the placeholder and a dialog give its size and memory, and
    "Open downsampled" shows it at 1/2 in full-resolution coordinates (status-bar values included)."""
    import numpy as np
    from PIL import Image
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from pixelproof.core import limits

    y, x = np.mgrid[:900, :1200]
    full = ((x // 3 + y // 2) % 256).astype(np.uint8)
    Image.fromarray(full).save(tmp_path / "scan.png")
    asked: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, answer)
            return
        asked.append(box.text())
        button = next(b for b in box.buttons() if b.text().startswith("Open downsampled"))
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    win = open_main_window(qtbot)
    limits.set_max_pixels(300_000)  # 1200 x 900 = 1.08 M pixels: over; 1/2 = 600 x 450 fits
    try:
        QTimer.singleShot(50, answer)
        assert win.open_path(one_image_project(tmp_path, "scan.png", 1200, 900))
        qtbot.waitUntil(lambda: win.canvas.image_item is not None, timeout=20_000)
    finally:
        limits.set_max_pixels(None)
    assert asked and "1,200 x 900" in asked[0] and "MB" in asked[0] and "600 x 450" in asked[0]
    loaded = win.canvas.loaded
    assert loaded.reduced == 2 and (loaded.width, loaded.height) == (1200, 900)
    small = np.asarray(loaded.levels[1])
    assert small.shape == (450, 600)
    for px, py in ((0, 0), (701, 433), (1199, 899)):
        assert int(win.canvas.pixel_value(px, py)) == int(small[py // 2, px // 2])
    assert abs(int(small[200, 300]) - int(full[400:402, 600:602].mean())) <= 1  # an area average of the file
    win.close()


def test_a_mask_over_the_pixel_limit_is_not_shown_and_the_status_bar_says_why(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A mask from the first column to the last of a big picture (a crafted file, or a slide's mask
    stored whole) used to be decoded on the GUI thread: the window froze and filled the memory. Now its
    item holds no pixels and the status bar names the object and the limit; the rest of the image works."""
    from pixelproof.core import limits
    from pixelproof.core.model import Annotation

    h, w = 1500, 2000
    project = new_project(["tissue"])
    project.add_image(ImageRecord(1, "missing.png", w, h))
    rle = {"size": [h, w], "counts": [5, 3, h * w - 12, 4]}  # pixels in the first and the last column
    project.add_annotation(Annotation(5, 1, 1, [0.0, 0.0, float(w), float(h)], rle, area=7.0))
    path = tmp_path / "p.json"
    save_project(project, path)
    win = open_main_window(qtbot)
    said: list[str] = []
    win.canvas.message.connect(said.append)
    limits.set_max_pixels(1_000_000)  # the mask's box: 2000 x 1495 = 2.99 M pixels
    try:
        assert win.open_path(path)
        qtbot.waitUntil(lambda: 5 in win.canvas.items_by_id, timeout=20_000)
        item = win.canvas.items_by_id[5]  # (drawn in bulk until looked up: ``mask_layer``)
    finally:
        limits.set_max_pixels(None)
    assert "annotation 5: mask box of 2000 x 1495" in item.too_big
    assert any(s.startswith("not shown: annotation 5: mask box") for s in said)
    rect = item.boundingRect()  # no pixels: the pen's margin only
    assert rect.width() <= 2 and rect.height() <= 2
    # Masks > Fill holes on it (selected in the list): nothing done, the status bar says why
    doc = win.document
    doc.set_selection([5])
    limits.set_max_pixels(1_000_000)
    try:
        win.masks_menu.act_fill_holes.trigger()
    finally:
        limits.set_max_pixels(None)
    assert "annotation 5: mask box of" in win.statusBar().currentMessage()
    assert doc.undo_stack.count() == 0 and doc.project.annotations[5].segmentation == rle
    win.close()


def test_a_slide_whose_coarsest_level_is_over_the_limit_fails_to_open_saying_so(tmp_path: Path) -> None:
    """The overview (the coarsest level, kept whole) is a region like any other: a two-level slide whose
    second level is over ``--max-pixels`` fails with the limit named instead of allocating it."""
    import numpy as np
    import tifffile

    from pixelproof.core import limits
    from pixelproof.core.imageio import ImageReadError
    from pixelproof.ui.workers import load_image

    path = tmp_path / "two_levels.tif"
    img = np.full((600, 800), 90, np.uint8)
    with tifffile.TiffWriter(path) as tw:
        tw.write(img, tile=(64, 64), compression="zlib", subifds=1)
        tw.write(img[::2, ::2], tile=(64, 64), compression="zlib", subfiletype=1)
    limits.set_max_pixels(100_000)  # level 1: 400 x 300 = 120,000 pixels
    try:
        with pytest.raises(
            ImageReadError, match=r"two_levels.tif: level 1 region of 400 x 300 .* over the limit"
        ):
            load_image(path)
    finally:
        limits.set_max_pixels(None)
    assert load_image(path).overview.shape == (300, 400)


def test_a_slide_opened_with_a_mask_over_the_limit_says_so_after_opened(qtbot, tmp_path: Path) -> None:
    """A pathologist's tumour region brushed over 6 x 4.5 mm of a slide (24,000 x 18,000 px, over the
    2**28 pixels decoded at once) is not drawn: only its tag shows, over bare tissue. The reason was said
    as the slide showed, then at once replaced on the status bar by "Opened p.json": the window said
    nothing about the region it did not draw. "Opened" now says it too, as a warning."""
    from pixelproof.core import limits
    from pixelproof.core.model import Annotation

    side = 4096
    write_pyramid(tmp_path / "slide.tif", side=side)
    project = new_project(["tumour"])
    project.add_image(ImageRecord(1, "slide.tif", side, side))
    rle = {"size": [side, side], "counts": [5, 3, side * side - 12, 4]}  # the first and last columns
    project.add_annotation(Annotation(5, 1, 1, [0.0, 0.0, float(side), float(side)], rle, area=7.0))
    path = tmp_path / "p.json"
    save_project(project, path)
    win = open_main_window(qtbot)
    limits.set_max_pixels(4_000_000)  # the slide is a pyramid (never refused); the mask's box 16.7 M px
    try:
        assert win.open_path(path)
        settle()
        said = win.statusBar().currentMessage()
    finally:
        limits.set_max_pixels(None)
    assert said.startswith(f"Opened {path}; 1 mask not shown: annotation 5: mask box of 4096 x 4091"), said
    assert win.shell.messages.messages[-1].kind == "warning"
    win.close()
