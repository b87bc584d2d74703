"""The status bar's channel values on a 16-channel immunofluorescence panel at 1366 x 768: the text of 16
names and values is wider than the status bar, and was cut at a pixel ("Marker07_CD22 29" of 2917) while
it squeezed the tool's hint out. Now whole entries are shown (the shown channels first) and the rest are
counted; every value shown is the file's value at the cursor."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import tifffile
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import hover, open_main_window
from tests.ui.test_large_images import one_image_project

NAMES = [f"Marker{i:02d}_CD{i * 3 + 1}" for i in range(16)]


def panel(tmp_path: Path) -> np.ndarray:
    planes = np.random.default_rng(1).integers(1000, 4000, (16, 128, 160)).astype(np.uint16)
    meta = {"axes": "CYX", "Channel": {"Name": NAMES}}
    tifffile.imwrite(tmp_path / "panel.ome.tif", planes, photometric="minisblack", metadata=meta)
    return planes


def read_out(qtbot, win, x: int, y: int) -> str:  # type: ignore[no-untyped-def]
    label = win.readout.value_label
    label.clear()
    hover(win, win.canvas.mapFromScene(QPointF(x + 0.5, y + 0.5)))
    qtbot.waitUntil(lambda: label.text() != "", timeout=10000)
    return label.text()


def entries(text: str) -> dict[str, int]:
    return {name: int(v) for name, v in re.findall(r"(Marker\d\d_CD\d+) (\d+)", text)}


def test_sixteen_channel_values_are_shown_whole_and_the_rest_counted(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    planes = panel(tmp_path)
    win = open_main_window(qtbot, one_image_project(tmp_path, "panel.ome.tif", 160, 128))
    try:
        win.resize(1366, 768)
        qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
        text = read_out(qtbot, win, 40, 30)
        label = win.readout.value_label
        shown = entries(text)
        assert 2 <= len(shown) < 16
        assert shown == {NAMES[i]: int(planes[i, 30, 40]) for i in range(len(shown))}  # whole, in order
        assert text.endswith(f"+{16 - len(shown)} more (16-bit)")
        qtbot.waitUntil(
            lambda: label.fontMetrics().horizontalAdvance(text) <= label.width(), timeout=10000
        )  # all of it
        assert label.toolTip().startswith(" ".join(f"{n} {planes[i, 30, 40]}" for i, n in enumerate(NAMES)))

        win.canvas.setFocus()
        QTest.keyClick(win.canvas, Qt.Key.Key_B)  # the box tool's hint keeps its room beside the values
        read_out(qtbot, win, 40, 30)
        hint = win.readout.target_label
        assert hint.whole
        qtbot.waitUntil(
            lambda: hint.fontMetrics().horizontalAdvance(hint.whole) <= hint.width(), timeout=10000
        )
        assert hint.text() == hint.whole  # not cut: the values left it its room

        for i in range(16):  # a pathologist looking at two markers: their values, whatever the width
            win.channels_menu.set_shown(i, i in (9, 14))
        text = read_out(qtbot, win, 70, 90)
        assert list(entries(text).items())[:2] == [
            (NAMES[9], int(planes[9, 90, 70])),
            (NAMES[14], int(planes[14, 90, 70])),
        ]
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_three_channels_read_as_before(qtbot, tmp_path: Path, no_prompts) -> None:
    planes = np.zeros((3, 20, 30), np.uint16)
    planes[:, 5, 7] = [200, 1000, 400]
    meta = {"axes": "CYX", "Channel": {"Name": ["DAPI", "FITC", "TRITC"]}}
    tifffile.imwrite(tmp_path / "c.ome.tif", planes, photometric="minisblack", metadata=meta)
    win = open_main_window(qtbot, one_image_project(tmp_path, "c.ome.tif", 30, 20))
    try:
        win.resize(1366, 768)
        win.channels_menu.set_shown(1, False)  # a hidden channel's value is still read when there is room
        assert read_out(qtbot, win, 7, 5) == "DAPI 200 FITC 1000 TRITC 400 (16-bit)"
    finally:
        win.document.undo_stack.setClean()
        win.close()
