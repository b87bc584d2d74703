"""A coronal reformat of a thick-slice CT (0.4 mm pixels, 20 mm slices: rows 50x as high as columns are
wide) was drawn at 32x, squashed to two thirds of its height with nothing said. It is drawn at its true
ratio now, as 3D Slicer draws it (a view transform: nothing is upsampled); a ratio past ``MAX_STRETCH`` (a
header's slip) is drawn capped and the zoom's tooltip says so, with the true ratio."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QPoint

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from tests.ui.conftest import tooltip_of
from tests.ui.test_physical_aspect import grab, picture

H, W = 20, 500  # 20 slices of a 500-column reformat


def make(folder: Path, spacing: list[float]) -> Path:
    img = np.full((H, W), 100, np.uint8)
    img[5:15, 100:400] = 255
    cv2.imwrite(str(folder / "coronal.png"), img)
    project = new_project(["organ"])
    project.add_image(ImageRecord(1, "coronal.png", W, H, {"pixel_spacing": spacing}))
    save_project(project, folder / "p.json")
    return folder / "p.json"


def test_a_thick_slab_reformat_is_drawn_at_its_true_ratio(open_on, tmp_path) -> None:
    """500 columns of 0.4 mm (200 mm) by 20 rows of 20 mm (400 mm): twice as high as wide on screen."""
    win = open_on(make(tmp_path, [20.0, 0.4]))
    left, top, right, bottom = picture(grab(win.canvas))
    assert abs((bottom - top) / (right - left) - 2.0) < 0.05, (left, top, right, bottom)
    assert "true ratio" not in win.readout.zoom_label.toolTip()  # drawn as it is: nothing to say


def test_a_ratio_past_the_cap_is_drawn_capped_and_the_zoom_tooltip_says_so(qtbot, open_on, tmp_path) -> None:
    """0.1 mm columns and 50 mm rows (500x, a header's slip more likely than a scan): drawn at 100x, and
    resting the pointer on the zoom says both ratios."""
    win = open_on(make(tmp_path, [50.0, 0.1]))
    left, top, right, bottom = picture(grab(win.canvas))
    assert abs((bottom - top) / (right - left) - H * 100 / W) < 0.05, (left, top, right, bottom)
    label = win.readout.zoom_label
    tip = tooltip_of(qtbot, label, QPoint(label.width() // 2, label.height() // 2), "true ratio")
    assert "Pixels drawn 100× taller, true ratio 500× (50 × 0.1 mm)" in tip
