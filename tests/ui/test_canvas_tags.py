"""A shape's category tag sits on the shape it names: a polygon's top vertex, a mask's top pixel (a box's
corner is on the box). At a bounding box's corner it floated off the shape, and a box and a polygon around
one object put their tags on top of each other (the demo's astronaut)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import category_color
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_box_layer import pixel

DIAMOND = [
    160.0,
    40.0,
    220.0,
    100.0,
    160.0,
    160.0,
    100.0,
    100.0,
]  # top vertex (160, 40); box corner (100, 40)


@pytest.fixture
def tagged(qtbot, tmp_path: Path, no_prompts):
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    project.add_annotation(
        Annotation(1, 1, 1, [100.0, 40.0, 120.0, 120.0], segmentation=[DIAMOND], area=7200.0)
    )
    yy, xx = np.mgrid[0:240, 0:320]
    ring = ((yy - 150) ** 2 + (xx - 260) ** 2 <= 40**2) & ((yy - 150) ** 2 + (xx - 260) ** 2 >= 20**2)
    rle = masks.encode(ring)
    project.add_annotation(
        Annotation(2, 1, 2, [220.0, 110.0, 81.0, 81.0], segmentation=rle, area=float(ring.sum()))
    )
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(QPointF(180, 110))
    yield win, ring
    win.document.undo_stack.setClean()


def tag_colour_at(win, x: float, y: float) -> bool:
    """Whether the pixel one screen pixel right of and above image point (x, y) has a tag's colour."""
    zoom = win.canvas.zoom
    return pixel(win, x + 1.5 / zoom, y - 1.5 / zoom)


def test_a_polygons_tag_sits_on_its_top_vertex_not_off_the_shape(tagged) -> None:
    win, _ = tagged
    cat = win.document.project.categories[1]
    colour = category_color(cat)
    expected = (colour.red(), colour.green(), colour.blue())
    assert tag_colour_at(win, 160, 40) == expected  # on the top vertex
    assert tag_colour_at(win, 100, 40) != expected  # not at the bounding box's corner, 60 px left of it


def test_a_masks_tag_sits_on_its_top_pixel(tagged) -> None:
    win, ring = tagged
    top = int(np.flatnonzero(ring.any(axis=1))[0])
    left = int(np.flatnonzero(ring[top])[0])
    dog = win.document.project.categories[2]
    colour = category_color(dog)
    expected = (colour.red(), colour.green(), colour.blue())
    win.canvas.centerOn(QPointF(260, 120))
    assert tag_colour_at(win, left, top) == expected
    assert tag_colour_at(win, 220, 110) != expected  # the box corner, off the ring
