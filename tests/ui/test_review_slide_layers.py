"""The review view of a whole slide draws its layers: reference, candidate and difference were image-sized
arrays refused past the pixel limit, so the panes showed the slide and no object (a status message came
and went). Past the limit they come at one pixel per ``scale`` x ``scale`` block, over the whole image."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt

from pixelproof.core import limits
from pixelproof.core.coco import save_project
from pixelproof.core.qa_difference import DIFF_FN, layer_scale
from pixelproof.core.references import Reference
from pixelproof.ui.review import compute
from tests.core.test_review_layers_reduced import H, W, _pair
from tests.ui.test_review import enter_review, open_window


@pytest.fixture
def small_limit():
    limits.set_max_pixels(2_000)
    yield
    limits.set_max_pixels(None)


def test_review_layers_past_the_limit(small_limit: None) -> None:
    pair, ref, cand = _pair()
    layers = compute.overlays(pair, Reference(project=ref), cand, outline=False)
    s = layers.scale
    assert s > 1
    for layer in (layers.reference, layers.candidate, layers.difference):
        assert layer.shape == (-(-H // s), -(-W // s), 4)
    assert layers.reference[41 // s, 49 // s, 3] > 0  # the small cell is drawn on the reference side
    assert layers.candidate[41 // s, 49 // s, 3] == 0
    assert layers.difference[41 // s, 49 // s, 3] == 255
    assert DIFF_FN in layers.codes_present


def _tiny_project(folder: Path) -> Path:
    """The pair of ``_pair`` as a project on a 64 x 48 PNG, its reference beside it."""
    _, ref, cand = _pair()
    Image.fromarray(np.full((H, W, 3), 180, np.uint8)).save(folder / "slide.tif.png")
    for project in (ref, cand):
        project.images[1].file_name = "slide.tif.png"
    save_project(ref, folder / "reference.json")
    cand.reference = "reference.json"
    return save_project(cand, folder / "project.json")


def test_review_panes_draw_reduced_layers_over_the_whole_image(qtbot, tmp_path: Path, no_prompts) -> None:
    win = open_window(qtbot, _tiny_project(tmp_path))
    try:
        enter_review(qtbot, win)
        view = win.review.view
        limits.set_max_pixels(2_000)  # the 3,072-pixel image is now "a slide" (its pixels were read)
        box = view.header.outline_box
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
        assert view.outline
        qtbot.waitUntil(view.overlays_ready, timeout=10000)
        s = layer_scale(H, W)
        for pane in view.panes:
            rect = pane.overlay.boundingRect()
            assert (rect.width(), rect.height()) == (W, H)  # over the whole image
            assert (pane.overlay.image.width(), pane.overlay.image.height()) == (-(-W // s), -(-H // s))
        diff = view.diff_pane.overlay.image
        assert diff.pixelColor(49 // s, 41 // s).alpha() == 255  # the missed cell (a block: its own outline)
    finally:
        limits.set_max_pixels(None)
        win.document.undo_stack.setClean()
        win.close()
