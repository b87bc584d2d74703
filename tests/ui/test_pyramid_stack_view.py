"""A plane of a pyramidal z-stack in the real main window: shown as a whole-slide image is, from the
reduced level that fits the zoom, tile by tile, even when the plane is over the pixel limit."""

from __future__ import annotations

from pathlib import Path

import tifffile
from PySide6.QtCore import QPointF

from pixelproof.core import limits, pyramid, sources
from tests.core.test_pyramid_stack import SIDE, planes, write_channel_stack, write_pyramidal_stack
from tests.ui.conftest import open_main_window
from tests.ui.test_large_images import one_image_project


def level_tiles(pyr: pyramid.Pyramid, level: int) -> set[tuple[int, int]]:
    return {key[3:] for key in list(pyramid._TILES) if key[0] == pyr._serial and key[1] == level}


def test_a_plane_of_a_pyramidal_stack_is_shown_from_its_reduced_level(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    stack = tmp_path / "cells.ome.tif"
    write_pyramidal_stack(stack, planes())
    limits.set_max_pixels(2_000_000)  # the plane (16.8 M pixels) could not be decoded whole
    try:
        win = open_main_window(qtbot, one_image_project(tmp_path, "cells.ome.tif#z=001", SIDE, SIDE))
        canvas = win.canvas
        loaded = canvas.loaded
        assert loaded is not None and loaded.lazy and (loaded.width, loaded.height) == (SIDE, SIDE)
        pyr = pyramid.open_pyramid(stack, plane=1)
        assert loaded.levels[0].pyramid is pyr
        canvas.fit()
        canvas.viewport().grab()
        qtbot.waitUntil(lambda: not canvas.image_item._refine_pending, timeout=20000)
        canvas.viewport().grab()
        assert level_tiles(pyr, 2) and not level_tiles(pyr, 0) and not level_tiles(pyr, 1)  # 1024 px level
        with tifffile.TiffFile(stack) as tif:
            full = tif.series[0].levels[0].asarray()[1]
        canvas.set_zoom(1.0)
        canvas.centerOn(QPointF(3000.5, 1200.5))
        qtbot.waitUntil(lambda: not canvas.image_item._refine_pending, timeout=20000)
        canvas.viewport().grab()
        assert level_tiles(pyr, 0) and len(level_tiles(pyr, 0)) < 64  # the tiles in view, not the plane
        assert int(canvas.pixel_value(3000, 1200)) == int(full[1200, 3000])
        win.close()
    finally:
        limits.set_max_pixels(None)


def test_a_plane_of_a_pyramidal_stack_with_channels_is_shown_from_its_reduced_level(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """A plane of channels (ZCYX, a page a channel) was decoded whole, so over the pixel limit it did not
    open; it is shown as a multichannel slide is: the composite of its channels' reduced level at fit."""
    stack = tmp_path / "cells.ome.tif"
    zcyx = write_channel_stack(stack)
    limits.set_max_pixels(1_000_000)  # the 2048 x 2048 plane of 2 channels could not be decoded whole
    try:
        win = open_main_window(qtbot, one_image_project(tmp_path, "cells.ome.tif#z=002", 2048, 2048))
        canvas = win.canvas
        loaded = canvas.loaded
        assert loaded is not None and loaded.lazy and loaded.channels is not None
        assert [c.name for c in loaded.channels.channels] == ["DAPI", "FITC"]
        pyr = sources.slice_pyramid(f"{stack}#z=002")
        assert pyr is not None and pyr.channels is not None
        canvas.fit()
        canvas.viewport().grab()
        qtbot.waitUntil(lambda: not canvas.image_item._refine_pending, timeout=20000)
        canvas.viewport().grab()
        first = pyr.planes[0].planes[0].pyramid  # the plane's channels are tiles of this one pyramid
        assert level_tiles(first, 2) and not level_tiles(first, 0)
        assert list(canvas.pixel_value(1500, 700)) == list(zcyx[2, :, 700, 1500])
        win.close()
    finally:
        limits.set_max_pixels(None)
