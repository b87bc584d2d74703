"""The Window / Level dialog (Ctrl+L) with real key events: opening it leaves the window as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDoubleSpinBox

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from tests.core.test_dicom import _ct
from tests.ui.conftest import open_main_window, wait_loaded


def test_opening_the_dialog_keeps_a_window_reaching_below_an_unsigned_images_range(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """An unsigned 16-bit MR whose file window (center 300, width 800) starts at -100: the dialog's boxes
    only took 0..65535, so merely opening it clamped the low end to 0 and changed the picture (and a
    window below 0 could not be typed). Return in a box pressed the Auto button, which replaced the value
    just typed with the percentiles."""
    _ct(
        tmp_path / "data" / "mr.dcm",
        Modality="MR",
        PixelRepresentation=0,
        RescaleSlope=None,
        RescaleIntercept=None,
        WindowCenter="300",
        WindowWidth="800",
    )
    save_project(project_from_folder(tmp_path / "data", tmp_path / "p.json"), tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    wait_loaded(qtbot, win)
    assert win.canvas.loaded.raw.dtype.kind == "u"
    assert win.canvas.loaded.window == (-100.0, 699.0)  # DICOM's linear function: c - 0.5 -/+ (w - 1) / 2
    seen: dict[str, object] = {}

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        low, high = dialog.findChildren(QDoubleSpinBox)
        seen.update(boxes=(low.value(), high.value()), window=win.canvas.loaded.window)
        low.selectAll()
        qtbot.keyClicks(low, "-300")
        qtbot.keyClick(low, Qt.Key.Key_Return)  # the box takes it (keyboard tracking is off) and closes
        seen["typed"] = win.canvas.loaded.window
        if dialog.isVisible():
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    QTimer.singleShot(0, look)
    win.canvas.setFocus()
    qtbot.keyClick(win.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "typed" in seen, timeout=10000)
    assert seen["boxes"] == (-100.0, 699.0)
    assert seen["window"] == (-100.0, 699.0)
    assert seen["typed"] == pytest.approx((-300.0, 699.0))
    win.close()


def test_the_assist_tool_gives_a_model_a_monochrome1_picture_inverted_as_the_view_shows_it(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """The view shows MONOCHROME1 inverted; the window the assist tool gave its model was the view's, so
    an RGB model (SAM) saw the negative of the picture the user clicked on."""
    import numpy as np

    from pixelproof.inference.rgb8_input import as_rgb8
    from pixelproof.interop.image_placing import _new_pixels

    path = _ct(
        tmp_path / "data" / "cr.dcm",
        PhotometricInterpretation="MONOCHROME1",
        PixelRepresentation=0,
        RescaleSlope=None,
        RescaleIntercept=None,
        WindowCenter="32",
        WindowWidth="40",
    )
    save_project(project_from_folder(tmp_path / "data", tmp_path / "p.json"), tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    wait_loaded(qtbot, win)
    win.canvas.setFocus()
    qtbot.keyClick(win.canvas, Qt.Key.Key_I)  # the assist tool
    assert win.canvas.tool.name == "assist"
    picture = as_rgb8(win.canvas.loaded.raw, win.canvas.tool._window())[..., 0]
    np.testing.assert_array_equal(picture, _new_pixels(path, "copy", True))  # as shown and exported
    win.close()


def test_a_right_drag_across_the_canvas_sweeps_a_16_bit_line_scans_values(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A line scan at ~30,000 with defects at 15,000 and 50,000 opens with a window ~1,000 wide: a right
    drag across the canvas widened it to ~6,000 (a width per 200 px), so reaching the defects took ten
    drags. It sweeps the values now, as 3D Slicer's does; Ctrl+Shift+L gives the opening window back."""
    import numpy as np
    import tifffile
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from pixelproof.core.window_level import width_level

    img = (30_000 + np.random.default_rng(0).normal(0, 200, (256, 2048))).astype(np.uint16)
    img[100, 200], img[200, 1500] = 50_000, 15_000
    (tmp_path / "data").mkdir()
    tifffile.imwrite(tmp_path / "data" / "scan.tif", img)
    save_project(project_from_folder(tmp_path / "data", tmp_path / "p.json"), tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    try:
        opened = win.canvas.loaded.window
        assert width_level(*opened)[0] < 2_000
        vp = win.canvas.viewport()
        right = Qt.MouseButton.RightButton
        start = vp.rect().center() - QPoint(250, 0)
        QTest.mousePress(vp, right, Qt.KeyboardModifier.NoModifier, start)
        QTest.mouseMove(vp, start + QPoint(500, 0))
        QTest.mouseRelease(vp, right, Qt.KeyboardModifier.NoModifier, start + QPoint(500, 0))
        lo, hi = win.canvas.loaded.window
        assert hi - lo >= 50_000 - 15_000  # 500 px right: as wide as the values
        width, level = width_level(lo, hi)
        qtbot.waitUntil(lambda: win.readout.window_label.text() == f"W {width:g}  L {level:g}", timeout=10000)
        QTest.mousePress(vp, right, Qt.KeyboardModifier.NoModifier, start)
        QTest.mouseMove(vp, start - QPoint(0, 100))
        QTest.mouseRelease(vp, right, Qt.KeyboardModifier.NoModifier, start - QPoint(0, 100))
        assert width_level(*win.canvas.loaded.window)[1] == pytest.approx(
            level + width / 2, abs=1
        )  # up: higher
        win.canvas.setFocus()
        qtbot.keyClick(
            win.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
        assert win.canvas.loaded.window == opened
    finally:
        win.close()
