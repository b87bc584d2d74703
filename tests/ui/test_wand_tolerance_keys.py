"""With the magic wand in hand, [ / ] and Shift+wheel step its tolerance (the toolbar's box and the status
bar say the new value, the next click fills with it) and leave the brush width alone: they stepped the
width, unseen while the wand is in hand, and the tolerance took the mouse. Real key and wheel events."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core import masks, paint
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.test_brush_width import shift_wheel
from tests.ui.test_mask_tools import click, pixel_under, set_view, vp_at


@pytest.fixture
def options():  # type: ignore[no-untyped-def]
    """The shared tool options at known values, put back after the test."""
    kept = (OPTIONS.width, OPTIONS.tolerance, OPTIONS.connectivity, OPTIONS.fixed_range)
    OPTIONS.set(width=17, tolerance=16.0, connectivity=4, fixed_range=True)
    yield OPTIONS
    OPTIONS.set(width=kept[0], tolerance=kept[1], connectivity=kept[2], fixed_range=kept[3])


def test_brackets_step_the_wand_tolerance_and_the_next_click_uses_it(qtbot, window, options) -> None:
    bar, c = window.masks_menu.options_bar, window.canvas
    set_view(window, 1.0)
    QTest.keyClick(c, Qt.Key.Key_F)
    assert c.tool.name == "fill" and bar.tolerance_box.isVisible()
    QTest.keyClick(c, Qt.Key.Key_BracketRight)
    QTest.keyClick(c, Qt.Key.Key_BracketRight)
    assert OPTIONS.tolerance == 24 and bar.tolerance_box.value() == 24  # 16 -> 20 -> 24
    assert "Wand tolerance: 24" in window.statusBar().currentMessage()
    assert OPTIONS.width == 17 and bar.width_box.value() == 17  # the brush's width as it was
    before = set(window.document.project.annotations)
    at = vp_at(window, 160.5, 120.5)
    seed = pixel_under(window, at)  # the pixel the wand gets
    click(window, at)
    qtbot.waitUntil(lambda: set(window.document.project.annotations) != before, timeout=10000)
    (new,) = set(window.document.project.annotations) - before
    filled = masks.decode(window.document.project.annotations[new].segmentation)
    shown = window.document.project.images[c.image_id].file_name
    image = cv2.imread(str(window.document.path.parent / shown))
    assert image is not None
    want = {t: paint.wand_region(image, seed, t) for t in (16, 24)}
    rect, region = want[24]
    assert int(filled.sum()) == int(region.sum()) != int(want[16][1].sum())
    assert np.array_equal(filled[rect[1] : rect[1] + rect[3], rect[0] : rect[0] + rect[2]], region)
    QTest.keyClick(c, Qt.Key.Key_BracketLeft)
    assert OPTIONS.tolerance == 20 and bar.tolerance_box.value() == 20 and OPTIONS.width == 17


def test_shift_wheel_steps_the_wand_tolerance_not_the_zoom(window, options) -> None:
    bar, c = window.masks_menu.options_bar, window.canvas
    set_view(window, 1.0)
    QTest.keyClick(c, Qt.Key.Key_F)
    zoom = c.zoom
    shift_wheel(window, vp_at(window, 50, 50), -1)
    shift_wheel(window, vp_at(window, 50, 50), -1)
    assert OPTIONS.tolerance == 12 and bar.tolerance_box.value() == 12 and c.zoom == zoom
    assert "Wand tolerance: 12" in window.statusBar().currentMessage()
    assert OPTIONS.width == 17
    QTest.keyClick(c, Qt.Key.Key_R)  # the brush again: [ / ] are its width's
    QTest.keyClick(c, Qt.Key.Key_BracketRight)
    assert OPTIONS.width == 18 and bar.width_box.value() == 18 and OPTIONS.tolerance == 12
    assert "Brush width: 18 px" in window.statusBar().currentMessage()
