"""A multichannel fluorescence image (OME-TIFF CYX, plain or a tiled pyramid) on the real canvas: drawn as
the composite of its coloured channels; Image > Channels, clicked with the mouse, hides and shows one;
the status bar names each channel's raw value under the cursor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from tests.ui.conftest import hover, open_main_window
from tests.ui.test_large_images import one_image_project, shown
from tests.ui.test_slide_tiles import settle

BLUE, GREEN, RED = 0x0000FFFF, 0x00FF00FF, -16776961
META = {"axes": "CYX", "Channel": {"Name": ["DAPI", "FITC", "TRITC"], "Color": [BLUE, GREEN, RED]}}


def cells() -> np.ndarray:
    """3 x 256 x 384 uint16: the right half of every channel at 1000 (each channel's range is 0..1000),
    and a 40 x 40 block of (DAPI 200, FITC 1000, TRITC 400): composite (102, 255, 51)."""
    planes = np.zeros((3, 256, 384), np.uint16)
    planes[:, :, 192:] = 1000
    planes[:, 100:140, 240:280] = np.array([200, 1000, 400], np.uint16)[:, None, None]
    return planes


def write(path: Path, pyramid: bool) -> None:
    planes = cells()
    if not pyramid:
        tifffile.imwrite(path, planes, photometric="minisblack", metadata=META)
        return
    with tifffile.TiffWriter(path) as tw:
        kw = {"tile": (64, 64), "photometric": "minisblack", "compression": "zlib"}
        tw.write(planes, subifds=2, metadata=META, **kw)
        for k in (1, 2):
            tw.write(planes[:, :: 2**k, :: 2**k], subfiletype=1, **kw)


def open_menu(qtbot, menu: QMenu, parent: QMenu | None, win) -> None:  # type: ignore[no-untyped-def]
    """Open ``menu`` with a click: on its menu-bar entry, or on its entry in ``parent``."""
    if parent is None:
        bar = win.menuBar()
        QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(menu.menuAction()).center())
    else:
        QTest.mouseClick(
            parent, Qt.MouseButton.LeftButton, pos=parent.actionGeometry(menu.menuAction()).center()
        )
    qtbot.waitUntil(menu.isVisible, timeout=10000)


def click_channel(qtbot, win, name: str) -> None:  # type: ignore[no-untyped-def]
    """Image > Channels > ``name``, with the mouse, as the user does."""
    image_menu = next(m for m in win.menus if m.title() == "&Image")
    channels = win.channels_menu.menu
    open_menu(qtbot, image_menu, None, win)
    open_menu(qtbot, channels, image_menu, win)
    act = next(a for a in channels.actions() if a.text() == name)
    QTest.mouseClick(channels, Qt.MouseButton.LeftButton, pos=channels.actionGeometry(act).center())
    qtbot.waitUntil(lambda: not image_menu.isVisible() and not channels.isVisible(), timeout=10000)


@pytest.mark.parametrize("pyramid", [False, True], ids=["plain", "pyramid"])
def test_hiding_a_channel_in_the_menu_drops_it_from_the_canvas(
    qtbot, tmp_path: Path, no_prompts, pyramid: bool
) -> None:
    write(tmp_path / "cells.ome.tif", pyramid)
    win = open_main_window(qtbot, one_image_project(tmp_path, "cells.ome.tif", 384, 256))
    canvas = win.canvas
    assert canvas.loaded.channels is not None and canvas.loaded.lazy is pyramid
    canvas.set_zoom(1.0)
    canvas.centerOn(QPointF(260, 120))
    settle(qtbot, canvas)
    assert shown(win, 260.5, 120.5) == (102, 255, 51)  # TRITC red 0.4, FITC green 1, DAPI blue 0.2
    assert shown(win, 300.5, 20.5) == (255, 255, 255)
    assert shown(win, 20.5, 20.5) == (0, 0, 0)

    click_channel(qtbot, win, "FITC")
    settle(qtbot, canvas)
    assert shown(win, 260.5, 120.5) == (102, 0, 51)
    assert shown(win, 300.5, 20.5) == (255, 0, 255)
    assert win.channels_menu.menu.actions()[1].isChecked() is False

    click_channel(qtbot, win, "FITC")  # shown again
    settle(qtbot, canvas)
    assert shown(win, 260.5, 120.5) == (102, 255, 51)

    # each channel's raw value under the cursor, by name
    hover(win, canvas.mapFromScene(QPointF(250.5, 110.5)))  # inside the block, whatever the rounding
    qtbot.waitUntil(lambda: win.readout.pos_label.text().startswith("x 25"), timeout=10000)
    assert win.readout.value_label.text() == "DAPI 200 FITC 1000 TRITC 400 (16-bit)"
    win.close()


def test_the_channels_menu_of_an_image_without_channels_says_so(qtbot, tmp_path: Path, no_prompts) -> None:
    tifffile.imwrite(tmp_path / "grey.tif", np.full((64, 64), 90, np.uint8))
    win = open_main_window(qtbot, one_image_project(tmp_path, "grey.tif", 64, 64))
    image_menu = next(m for m in win.menus if m.title() == "&Image")
    open_menu(qtbot, image_menu, None, win)
    open_menu(qtbot, win.channels_menu.menu, image_menu, win)
    texts = [(a.text(), a.isEnabled()) for a in win.channels_menu.menu.actions()]
    assert texts == [("Not a multichannel image", False)]
    image_menu.close()
    win.close()


def test_the_assist_tool_segments_a_channel_image_from_its_composite(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A cell bright in FITC only: grabcut, given a box around it, finds it in the composite (all channels,
    as pre-labeling reads it), not only in DAPI (the first plane) nor 'shown in tiles'."""
    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import ImageRecord
    from tests.ui.test_model_panel import assist_drag, choose, close_window, open_window

    h, w, (cx, cy, r) = 240, 320, (150, 110, 45)
    rng = np.random.default_rng(1)
    planes = rng.integers(0, 300, (2, h, w), dtype=np.uint16)
    yy, xx = np.mgrid[0:h, 0:w]
    disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= r**2
    planes[1][disc] = 3000 + rng.integers(0, 200, int(disc.sum()), dtype=np.uint16)
    tifffile.imwrite(tmp_path / "cell.tif", planes, photometric="minisblack", metadata={"axes": "CYX"})
    project = new_project(["cell"])
    project.add_image(ImageRecord(1, "cell.tif", w, h))
    save_project(project, tmp_path / "project.json")
    win = open_window(qtbot, tmp_path / "project.json")
    try:
        choose(qtbot, win, "grabcut")
        win.choose_tool("assist")
        tool = win.canvas.tool
        assist_drag(win, (cx - r - 12, cy - r - 12, cx + r + 12, cy + r + 12))
        qtbot.waitUntil(lambda: tool.preview_ready() or bool(tool.error), timeout=15000)
        assert not tool.error
        QTest.keyClick(win.canvas.viewport(), Qt.Key.Key_Return)
        ann = next(iter(win.document.project.annotations.values()))
        m = ann.mask(h, w)
        assert (m & disc).sum() / (m | disc).sum() >= 0.9
    finally:
        close_window(win)
