"""A brush stroke's release places the tags once and measures only the new mask's tag, not every mask's:
each release laid out all 300 masks' tags two or three times (most of a 40 ms release)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core import mask_edit, rle_codec
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.ui.canvas import tag_layout
from pixelproof.ui.tools.paint_options import OPTIONS, PaintOptions
from tests.ui.conftest import open_main_window, settle

LEFT, NOMOD = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


@pytest.fixture(autouse=True)
def five_px_brush():
    OPTIONS.set(width=5, preserve_others=False)
    yield
    OPTIONS.set(width=PaintOptions().width)


def _discs(folder: Path, n: int = 12) -> Path:
    """A 320x240 image with ``n`` disc masks in a grid (each tagged)."""
    cv2.imwrite(str(folder / "img.png"), np.full((240, 320, 3), 90, np.uint8))
    project = new_project(["cat", "dog"])
    project.add_image(ImageRecord(1, "img.png", 320, 240))
    for k in range(n):
        cx, cy = 40 + (k % 4) * 75, 40 + (k // 4) * 75
        yy, xx = np.mgrid[cy - 20 : cy + 21, cx - 20 : cx + 21]
        crop = (xx - cx) ** 2 + (yy - cy) ** 2 <= 20**2
        rle = rle_codec.region_rle((cx - 20, cy - 20, 41, 41), crop, 240, 320)
        seg, bbox, area = mask_edit.rle_geometry(rle)
        project.add_annotation(Annotation(k + 1, 1, 1 + k % 2, bbox, seg, area, source="manual"))
    path = folder / "project.json"
    save_project(project, path)
    return path


def test_a_stroke_release_lays_the_tags_out_once_measuring_only_the_new_mask(
    qtbot, tmp_path, monkeypatch, no_prompts
):
    win = open_main_window(qtbot, _discs(tmp_path))
    canvas = win.canvas
    win.choose_tool("brush")
    settle()
    assert all(ann_id in canvas.items_by_id for ann_id in range(1, 13))  # drawn: 12 discs (the mask layer's)
    layouts = []
    relayout = tag_layout.relayout
    monkeypatch.setattr(tag_layout, "relayout", lambda view: (layouts.append(1), relayout(view)))
    measured = canvas.tag_spots.measured
    vp = canvas.viewport()
    at = [canvas.mapFromScene(QPointF(x + 0.5, 150.5)) for x in range(60, 200, 10)]
    QTest.mousePress(vp, LEFT, NOMOD, at[0])
    for p in at[1:]:
        QTest.mouseMove(vp, p)
    QTest.mouseRelease(vp, LEFT, NOMOD, at[-1])
    settle()
    (new,) = set(win.document.project.annotations) - set(range(1, 13))
    assert win.document.selection == [new]
    assert canvas.items_by_id[new]._label is not None  # tagged: the layout placed it
    assert len(layouts) == 1  # the edit and the selection it sets: one layout
    assert canvas.tag_spots.measured - measured == 1  # the new mask's tag; the 12 others kept
