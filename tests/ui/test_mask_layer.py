"""Masks drawn in bulk (ui/canvas/mask_layer.py): an image with thousands of masks (a slide's prelabel) opens
without an item per mask, yet each shows in its class colour, is marked under the pointer, taken by a click
(in stacking order), erased with the eraser and restored by Ctrl+Z, and hidden with its class."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core import masks, rle_codec
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas import mask_layer
from pixelproof.ui.canvas.items import MaskItem
from pixelproof.ui.canvas.mask_layer import LayerMask
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.conftest import hover, make_project, selected_ids, settle
from tests.ui.test_workbench import click, drag, key, view_point

H, W = 600, 1000
PITCH, R = 12, 4  # discs of radius 4 every 12 px over x < 780: 65 x 49 = 3,185 masks
LOW, HIGH = 90001, 90002  # two squares overlapping on (860..900, 140..180), HIGH later: in front
CTRL = Qt.KeyboardModifier.ControlModifier


def _disc() -> np.ndarray:
    yy, xx = np.mgrid[0 : 2 * R + 1, 0 : 2 * R + 1]
    return (yy - R) ** 2 + (xx - R) ** 2 <= R * R


@pytest.fixture
def cells(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """The main window on an image of 3,185 small masks (whole-image RLEs, as prelabel stores them), class
    1 and 2 alternating, and LOW and HIGH overlapping beside them; the select tool, zoomed to 2."""
    path = make_project(tmp_path, n_images=1, size=(H, W))
    p = load_project(path)
    crops = [
        ((x, y, 2 * R + 1, 2 * R + 1), _disc())
        for y in range(10, H - 10, PITCH)
        for x in range(10, 780, PITCH)
    ]
    for k, (rle, bbox, area) in enumerate(rle_codec.crops_rle(crops, H, W), start=1):
        p.add_annotation(Annotation(k, 1, 1 + k % 2, list(bbox), rle, float(area)))
    for ann_id, (x0, y0, x1, y1) in {LOW: (820, 100, 900, 180), HIGH: (860, 140, 960, 240)}.items():
        m = np.zeros((H, W), dtype=bool)
        m[y0:y1, x0:x1] = True
        p.add_annotation(Annotation(ann_id, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    win = open_on(path)
    key(win, Qt.Key.Key_V)
    return win


def centre(win, ann_id: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    x, y, w, h = win.document.project.annotations[ann_id].bbox
    return x + w / 2, y + h / 2


def look_at(win, x: float, y: float, zoom: float = 2.0) -> None:  # type: ignore[no-untyped-def]
    win.canvas.set_zoom(zoom)
    win.canvas.centerOn(QPointF(x, y))
    settle()


def pixel(win, x: float, y: float) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    grab = win.canvas.viewport().grab().toImage()
    v = win.canvas.viewportTransform().map(QPointF(x, y))
    c = grab.pixelColor(math.floor(v.x()), math.floor(v.y()))
    return c.red(), c.green(), c.blue()


def bare(win, x: float, y: float) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """The image's own colour at (x, y) (``make_project``'s gradient, written as BGR): what the canvas
    shows where no object is drawn."""
    return 0, int(y) * 255 // H, int(x) * 255 // W


def mask_items(win) -> list[MaskItem]:  # type: ignore[no-untyped-def]
    return [it for it in win.canvas.scene().items() if isinstance(it, MaskItem)]


def test_thousands_of_masks_open_without_an_item_each_and_show_in_their_colour(cells) -> None:
    canvas = cells.canvas
    n = len(cells.document.project.annotations)
    assert n > 3000 and len(canvas.box_layer.boxes) == n
    assert mask_items(cells) == [] and list(dict.keys(canvas.items_by_id)) == []
    x, y = centre(cells, 500)
    look_at(cells, x, y)
    assert np.abs(np.subtract(pixel(cells, x, y), bare(cells, x, y))).max() > 10  # its translucent fill
    hover(cells, view_point(cells, x, y))
    assert canvas.hover.ann_id == 500  # the mark on what a click takes
    assert mask_items(cells) == []  # still no item: nothing touched it yet


def test_a_click_selects_a_mask_among_thousands_and_the_panels_show_it(cells, qtbot) -> None:
    x, y = centre(cells, 1234)
    look_at(cells, x, y)
    click(cells, view_point(cells, x + 0.5, y + 0.5))
    assert cells.document.selection == [1234]
    props = cells.panels["propertiesDock"]
    qtbot.waitUntil(lambda: props.heading.text() == "Object #1234", timeout=10000)
    panel = cells.panels["annotationsDock"]
    qtbot.waitUntil(
        lambda: selected_ids(panel.list) == [1234],
        timeout=10000,
    )
    item = cells.canvas.items_by_id[1234]
    assert isinstance(item, MaskItem) and item.is_selected_look  # its own item while selected
    key(cells, Qt.Key.Key_Escape)
    assert mask_items(cells) == []  # back in the layer once unselected
    click(cells, view_point(cells, x - PITCH / 2, y))  # between two discs: nothing
    assert cells.document.selection == []


def test_the_eraser_edits_a_bulk_drawn_mask_and_ctrl_z_restores_it(cells) -> None:
    doc = cells.document
    x, y = centre(cells, 777)
    look_at(cells, x, y, zoom=8.0)
    before = dict(doc.project.annotations[777].segmentation)
    key(cells, Qt.Key.Key_E)
    assert cells.canvas.tool.name == "eraser"
    OPTIONS.set(width=3)
    drag(cells, view_point(cells, x - R + 0.5, y), view_point(cells, x + R + 1, y))  # from its left pixel
    after = masks.decode(doc.project.annotations[777].segmentation)
    was = masks.decode(before)
    assert after.sum() < was.sum() and not after[int(y), int(x)] and was[int(y), int(x)]
    assert doc.undo_stack.undoText() == "Erase"
    assert np.abs(np.subtract(pixel(cells, x, y), bare(cells, x, y))).max() <= 2  # the image shows there
    key(cells, Qt.Key.Key_Escape)
    key(cells, Qt.Key.Key_Z, CTRL)
    assert doc.project.annotations[777].segmentation == before
    settle()
    assert np.abs(np.subtract(pixel(cells, x, y), bare(cells, x, y))).max() > 10  # drawn whole again


def test_hiding_a_class_hides_its_masks_and_their_clicks(cells) -> None:
    anns = cells.document.project.annotations
    cat1, cat2 = 600, 601  # neighbours, class 1 + k % 2
    assert anns[cat1].category_id == 1 and anns[cat2].category_id == 2
    x2, y2 = centre(cells, cat2)
    x1, y1 = centre(cells, cat1)
    look_at(cells, x2, y2)
    assert np.abs(np.subtract(pixel(cells, x2, y2), bare(cells, x2, y2))).max() > 10
    cells.masks_menu.set_category_visible(2, False)
    try:
        assert np.abs(np.subtract(pixel(cells, x2, y2), bare(cells, x2, y2))).max() <= 2
        assert np.abs(np.subtract(pixel(cells, x1, y1), bare(cells, x1, y1))).max() > 10  # class 1 stays
        click(cells, view_point(cells, x2, y2))
        assert cells.document.selection == []
    finally:
        cells.masks_menu.set_category_visible(2, True)
    click(cells, view_point(cells, x2, y2))
    assert cells.document.selection == [cat2]


def test_a_click_takes_the_mask_in_front_and_again_the_one_under_it(cells) -> None:
    look_at(cells, 880, 160)
    overlap = view_point(cells, 880.5, 160.5)
    click(cells, overlap)
    assert cells.document.selection == [HIGH]  # drawn later: in front
    click(cells, overlap)
    assert cells.document.selection == [LOW]  # clicked again: the one under it
    key(cells, Qt.Key.Key_Plus)  # LOW to the front
    key(cells, Qt.Key.Key_Escape)
    click(cells, overlap)
    assert cells.document.selection == [LOW]


def test_select_all_keeps_the_masks_in_the_layer_drawn_selected(cells) -> None:
    """Select All on thousands of masks makes no item each (as many polygons): the layer draws them with the
    selected look (a denser fill), and a click then takes one alone, which gets its item."""
    x, y = centre(cells, 321)
    look_at(cells, x, y, zoom=4.0)
    hover(cells, view_point(cells, 990, 590))  # the pointer away: no hover mark over the mask
    unselected = pixel(cells, x, y)
    key(cells, Qt.Key.Key_A, CTRL)
    assert len(cells.document.selection) == len(cells.document.project.annotations)
    assert mask_items(cells) == []
    settle()
    selected = pixel(cells, x, y)
    assert np.abs(np.subtract(selected, unselected)).max() > 10  # drawn selected
    key(cells, Qt.Key.Key_Escape)
    settle()
    assert np.abs(np.subtract(pixel(cells, x, y), unselected)).max() <= 2
    click(cells, view_point(cells, x, y))
    assert cells.document.selection == [321] and [it.ann_id for it in mask_items(cells)] == [321]


def test_a_pending_mask_drawn_as_a_dot_is_a_whole_dot(tmp_path: Path, open_on) -> None:
    """A model's pending 5x5 masks at 1/2 zoom (boxes of 2.5 screen px: drawn as dots): each dot covers its
    box and the outline's width round it. Its dashed pen, open at the box's top-left corner, left a notch of
    the bare image in every dot (at a slide's fit zoom, a grey speck on each), and its inside was bare."""
    path = make_project(tmp_path, n_images=1, size=(H, W))
    p = load_project(path)
    crops = [
        ((x, y, 5, 5), np.ones((5, 5), bool)) for y in range(20, H - 20, 40) for x in range(20, W - 20, 40)
    ]
    for k, (rle, bbox, area) in enumerate(rle_codec.crops_rle(crops, H, W), start=1):
        p.add_annotation(
            Annotation(k, 1, 1, list(bbox), rle, float(area), source="model:t", review="pending")
        )
    save_project(p, path)
    win = open_on(path)
    x, y, w, h = win.document.project.annotations[100].bbox
    look_at(win, x + 0.5, y + 0.5, 0.5)
    t = win.canvas.viewportTransform()
    top_left, bottom_right = t.map(QPointF(x, y)), t.map(QPointF(x + w, y + h))
    grab = win.canvas.viewport().grab().toImage()
    left, top = math.floor(top_left.x()) - 1, math.floor(top_left.y()) - 1
    right, bottom = math.ceil(bottom_right.x()), math.ceil(bottom_right.y())
    assert right - left >= 3 and bottom - top >= 3  # a dot, not the mask's pixels (DETAIL: 4 px)
    for row in range(top, bottom + 1):
        outside = grab.pixelColor(left - 2, row).getRgb()[:3]  # the bare image beside the dot
        for col in range(left, right + 1):
            seen = grab.pixelColor(col, row).getRgb()[:3]
            assert np.abs(np.subtract(seen, outside)).max() > 10, (col - left, row - top)


def held(win) -> int:  # type: ignore[no-untyped-def]
    """Bytes of decoded pixels and outlines the canvas's layer masks hold, counted mask by mask."""
    return sum(e.decoded_bytes() for e in win.canvas.box_layer.boxes.values() if isinstance(e, LayerMask))


def test_panning_over_thousands_of_masks_keeps_decoded_pixels_under_the_cap(cells, monkeypatch) -> None:
    """Each part of the image shown decodes its masks; past the cap the least recently drawn are let go,
    and one let go and shown again draws the same."""
    x, y = centre(cells, 500)
    look_at(cells, x, y)  # (550, 94): a view of ~575 discs, ~450 KB decoded
    assert held(cells) > 2_000_000  # all 3,185 decoded (at the fit zoom before), nothing let go
    cap = 1_000_000  # two views' discs, not the image's
    monkeypatch.setattr(mask_layer, "DECODED_BYTES", cap)
    cells.canvas.viewport().update()
    settle()
    assert held(cells) <= cap
    before = cells.canvas.viewport().grab().toImage()
    entry = cells.canvas.box_layer.boxes[500]
    assert entry.decoded_bytes() > 0
    for px, py in [(150, 150), (650, 480), (150, 450)]:  # three views apart from the first
        look_at(cells, px, py)
        assert held(cells) <= cap
    assert entry.decoded_bytes() == 0  # let go
    look_at(cells, x, y)
    cells.canvas.viewport().update()
    settle()
    assert entry.decoded_bytes() > 0 and held(cells) <= cap
    assert cells.canvas.viewport().grab().toImage() == before


def test_coloured_images_of_many_large_masks_stay_under_their_byte_cap(
    tmp_path: Path, open_on, monkeypatch
) -> None:
    """Masks each covering most of the image, all in view: each is coloured (4 bytes a pixel) to be drawn,
    and the coloured images were kept by count only (4,096 of them): 400 masks over a 1000 x 600 image
    held 850 MB. They are kept up to ``IMAGE_BYTES`` now, the least recently drawn let go, and the view
    draws the same after."""
    monkeypatch.setattr(mask_layer, "IMAGE_BYTES", 8 * 2**20)  # ~3 of these masks' images
    path = make_project(tmp_path, n_images=1, size=(H, W))
    p = load_project(path)
    for k in range(1, 41):
        m = np.zeros((H, W), dtype=bool)
        m[k : H - k, 2 * k : W - 3 * k] = True
        p.add_annotation(Annotation(k, 1, 1 + k % 2, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    win = open_on(path)
    look_at(win, W / 2, H / 2, 0.5)
    layer = win.canvas.box_layer.masks
    held = sum(v[3].nbytes for v in layer._images.values())
    assert 0 < held <= 8 * 2**20 and held == layer.image_bytes
    before = win.canvas.viewport().grab().toImage()
    win.canvas.viewport().update()
    settle()
    assert win.canvas.viewport().grab().toImage() == before  # coloured again, the same
    assert sum(v[3].nbytes for v in layer._images.values()) == layer.image_bytes <= 8 * 2**20
