"""Masks zoomed out are drawn from a reduced copy (ui/canvas/mask_layer.py ``reduction_level``,
core/mask_reduce.py): a large mask at 10 % looks as its full-resolution drawing does without its pixels
being decoded, a 1 px line stays visible at 5 %, and a brush edit shows when zoomed out again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainterPath

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas import mask_layer
from pixelproof.ui.canvas.mask_layer import LayerMask
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.conftest import hover, make_project, settle
from tests.ui.test_workbench import click, drag, key, view_point

H, W = 2400, 3200
BIG, LINE = 1, 2
X0, Y0, X1, Y1 = 400, 300, 2000, 1500  # the big mask's box


def _big() -> np.ndarray:
    m = np.zeros((H, W), dtype=bool)
    yy, xx = np.ogrid[Y0:Y1, X0:X1]
    cx, cy, rx, ry = (X0 + X1) / 2, (Y0 + Y1) / 2, (X1 - X0) / 2, (Y1 - Y0) / 2
    m[Y0:Y1, X0:X1] = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1
    m[800:1000, 1100:1300] = False  # a hole
    return m


@pytest.fixture
def slide(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """The main window on a 3200 x 2400 image with a large mask (an ellipse with a hole) and a mask that is
    a 1 px line of 2000 px across the image's bottom part; the select tool."""
    path = make_project(tmp_path, n_images=1, size=(H, W))
    p = load_project(path)
    line = np.zeros((H, W), dtype=bool)
    line[2000, 600:2600] = True
    for ann_id, cat, m in ((BIG, 1, _big()), (LINE, 2, line)):
        p.add_annotation(Annotation(ann_id, 1, cat, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    win = open_on(path)
    key(win, Qt.Key.Key_V)
    return win


def look_at(win, x: float, y: float, zoom: float) -> None:  # type: ignore[no-untyped-def]
    win.canvas.set_zoom(zoom)
    win.canvas.centerOn(QPointF(x, y))
    settle()


def grab(win) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The viewport's pixels, (h, w, 3) int."""
    img = win.canvas.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    a = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    return a[:, : img.width() * 3].reshape(img.height(), img.width(), 3).astype(int)


def screen(win, x: float, y: float) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    p = view_point(win, x, y)
    return p.y(), p.x()


def vertices(path: QPainterPath) -> set[tuple[float, float]]:
    return {(e.x, e.y) for e in map(path.elementAt, range(path.elementCount()))}


def entry(win, ann_id: int) -> LayerMask:  # type: ignore[no-untyped-def]
    e = win.canvas.box_layer.boxes[ann_id]
    assert isinstance(e, LayerMask)
    return e


def test_a_large_mask_zoomed_out_looks_as_drawn_from_its_pixels_without_decoding_them(
    slide, monkeypatch: pytest.MonkeyPatch
) -> None:
    look_at(slide, 1200, 900, 0.1)
    assert mask_layer.reduction_level(slide.canvas.zoom) == 8
    big = entry(slide, BIG)
    big.drop_decoded()  # what the fit zoom's paint made
    reduced = grab(slide)
    assert big.decoded_bytes() < (X1 - X0) * (Y1 - Y0) / 16  # its reduced copy, not its 1.9 M pixels
    monkeypatch.setattr(mask_layer, "reduction_level", lambda zoom: 1)  # as drawn before: from its pixels
    slide.canvas.box_layer.masks.update()
    settle()
    full = grab(slide)
    assert big.decoded_bytes() >= (X1 - X0) * (Y1 - Y0)
    (t, lf), (b, r) = screen(slide, X0 - 20, Y0 - 20), screen(slide, X1 + 20, Y1 + 20)
    a, f = reduced[t:b, lf:r], full[t:b, lf:r]
    inside = np.abs(a - grab_bare(slide)[t:b, lf:r]).max(axis=2) > 10
    assert inside.mean() > 0.5  # the mask is drawn
    off = np.abs(a - f).max(axis=2) > 24
    assert off.mean() < 0.03, off.mean()  # the same picture but for its edge's pixels
    hole = screen(slide, 1200, 900)
    assert np.abs(reduced[hole] - full[hole]).max() <= 2  # the hole shows the image, as before


def grab_bare(win) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The viewport with the masks hidden: the image alone."""
    layer = win.canvas.box_layer.masks
    layer.setVisible(False)
    settle()
    try:
        return grab(win)
    finally:
        layer.setVisible(True)
        settle()


def test_a_one_pixel_line_mask_stays_visible_at_5_percent(slide) -> None:
    look_at(slide, 1600, 1200, 0.05)
    assert mask_layer.reduction_level(slide.canvas.zoom) == 16
    shown, bare = grab(slide), grab_bare(slide)
    row, left = screen(slide, 600, 2000)
    _, right = screen(slide, 2600, 2000)
    band = np.abs(shown[row - 2 : row + 3, left:right] - bare[row - 2 : row + 3, left:right]).max(axis=2)
    assert (band.max(axis=0) > 30).mean() > 0.9  # drawn along all its length


def test_a_brush_edit_shows_when_zoomed_out_again(slide) -> None:
    look_at(slide, 1200, 900, 0.1)
    spot = screen(slide, 2150, 900)  # right of the mask: the image
    before = grab(slide)
    assert entry(slide, BIG).reduced(8) is not None  # its reduced copy made and kept
    old = entry(slide, BIG)
    look_at(slide, 2000, 900, 1.0)
    click(slide, view_point(slide, 1950, 900))  # select it
    assert slide.document.selection == [BIG]
    key(slide, Qt.Key.Key_R)
    OPTIONS.set(width=41)
    drag(slide, view_point(slide, 1960, 900), view_point(slide, 2200, 900))  # grow it to the right
    assert masks.decode(slide.document.project.annotations[BIG].segmentation)[900, 2150]
    key(slide, Qt.Key.Key_V)
    key(slide, Qt.Key.Key_Escape)  # unselected: back in the layer
    assert slide.document.selection == []
    look_at(slide, 1200, 900, 0.1)
    after = grab(slide)
    assert entry(slide, BIG) is not old
    assert np.abs(after[spot] - before[spot]).max() > 10  # the painted stroke shows zoomed out
    assert entry(slide, BIG).decoded_bytes() < (X1 - X0) * (Y1 - Y0) / 16


@pytest.mark.parametrize("zoom", [2.0, 3.5])
def test_a_mask_much_larger_than_the_view_is_drawn_from_a_window_as_from_its_pixels(
    slide, monkeypatch: pytest.MonkeyPatch, zoom: float
) -> None:
    """Closer than 50 %, a box over ``WINDOW_VIEWS`` views is decoded around the view only; what shows is
    what its whole pixels drew, at the window's cut too (panned to the hole's edge and to the box's)."""
    big = entry(slide, BIG)
    views = []
    for x, y in ((1200, 800), (1300, 900), (1950, 1350)):
        look_at(slide, x, y, zoom)
        big.drop_decoded()
        windowed = grab(slide)
        assert 0 < big.decoded_bytes() < (X1 - X0) * (Y1 - Y0) / 3  # the part in view and a margin
        views.append(windowed)
    monkeypatch.setattr(mask_layer, "WINDOW_VIEWS", 1e9)  # as drawn before: from its whole pixels
    for (x, y), windowed in zip(((1200, 800), (1300, 900), (1950, 1350)), views, strict=True):
        look_at(slide, x, y, zoom)
        slide.canvas.box_layer.masks.update()
        settle()
        whole = grab(slide)
        assert big.decoded_bytes() >= (X1 - X0) * (Y1 - Y0)
        assert np.abs(windowed - whole).max() <= 2


def test_zoomed_out_a_mask_larger_than_the_view_is_coloured_and_traced_around_the_view_only(
    slide, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 45 % (cells of 2 px), a reduced box over ``WINDOW_VIEWS`` views is coloured and traced in a
    window of cells around the view: the same picture as its whole reduced copy drawn."""
    slide.resize(640, 480)
    settle()
    monkeypatch.setattr(mask_layer, "WINDOW_VIEWS", 1)
    look_at(slide, 1800, 1300, 0.45)
    port = slide.canvas.viewport().size()
    view = port.width() * port.height() / 0.45**2
    assert view < (X1 - X0) * (Y1 - Y0)  # the box is over a view
    assert mask_layer.reduction_level(slide.canvas.zoom) == 2
    layer = slide.canvas.box_layer.masks
    windowed = grab(slide)
    whole_cells = (X1 - X0) * (Y1 - Y0) // 4
    assert 0 < layer.image_bytes < 4 * whole_cells / 2  # a window's colours, not the whole copy's
    monkeypatch.setattr(mask_layer, "WINDOW_VIEWS", 1e9)
    layer.update()
    settle()
    whole = grab(slide)
    assert layer.image_bytes >= 4 * whole_cells
    assert np.abs(windowed - whole).max() <= 2


def test_the_pointer_over_a_large_mask_zoomed_out_marks_its_reduced_outline_without_decoding_it(
    slide,
) -> None:
    """The hover mark zoomed out is the outline the layer draws (traced on the reduced copy); zoomed in
    again it is the full-resolution one: the pointer over a tumour region decoded and traced it whole."""
    look_at(slide, 1200, 900, 0.1)
    big = entry(slide, BIG)
    big.drop_decoded()
    hover(slide, view_point(slide, 700, 900))
    assert slide.canvas.hover.ann_id == BIG
    assert big.decoded_bytes() < (X1 - X0) * (Y1 - Y0) / 16
    coarse = slide.canvas.hover.path
    assert coarse.boundingRect().contains(QRectF(X0, Y0, X1 - X0, Y1 - Y0))
    hover(slide, view_point(slide, 1200, 900))  # over the hole: nothing
    assert slide.canvas.hover.ann_id is None
    look_at(slide, 1000, 900, 1.0)
    hover(slide, view_point(slide, 900, 900))
    assert slide.canvas.hover.ann_id == BIG
    fine, rough = vertices(slide.canvas.hover.path), vertices(coarse)
    assert (1100, 800) in fine and (1100, 800) not in rough  # the hole's own corner at 100 %, not a cell's
