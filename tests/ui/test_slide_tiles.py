"""Slides with broken or hostile parts in the real main window: the canvas shows what the file holds, a
tile that cannot be read is drawn from the overview and named, and nothing raises in a paint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF

from tests.core.test_pyramid import HALF_SPLIT, write_svs
from tests.ui.conftest import open_main_window
from tests.ui.test_large_images import one_image_project, shown


def settle(qtbot, canvas) -> None:
    for _ in range(20):
        canvas.viewport().grab()
        qtbot.wait(5)
        if not canvas.image_item._refine_pending:
            break


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
