"""A selected mask the wand makes large (ui/canvas/mask_layer.py ``selected_in_layer``: its box over four
views at 100 %) goes back to the mask layer, drawn selected from its reduced copy or a window, as after a
brush stroke (``polygon_layer.drawn_by_layer``): its own item, made while it was small, was synced to the
whole new box - decoded, coloured and traced - and held until the mask was unselected."""

from __future__ import annotations

from PySide6.QtCore import Qt

from pixelproof.core import masks
from pixelproof.ui.canvas.mask_layer import selected_in_layer
from pixelproof.ui.canvas.polygon_layer import port_pixels
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.conftest import settle
from tests.ui.test_mask_reduced import entry, look_at, slide
from tests.ui.test_workbench import click, key, view_point

__all__ = ["slide"]  # the fixture

SEED = (2600, 1900)  # right of the large mask, above the line mask: the gradient only


def wand_click(win, x: float, y: float, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    """A wand click with real mouse events, its fill (run in a worker) waited for."""
    click(win, view_point(win, x, y), modifier)
    win.canvas.tool.settle()
    settle()


def test_a_selected_mask_the_wand_makes_large_is_drawn_by_the_layer_again(slide) -> None:
    slide.resize(640, 480)
    settle()
    look_at(slide, *SEED, 0.25)
    key(slide, Qt.Key.Key_F)
    assert slide.canvas.tool.name == "fill"
    OPTIONS.set(tolerance=0.0, fixed_range=True)  # the gradient's one level: a cell of about 13 x 10 px
    before = set(slide.document.project.annotations)
    wand_click(slide, *SEED)
    [new] = set(slide.document.project.annotations) - before
    assert slide.document.selection == [new]
    small = slide.document.project.annotations[new].segmentation
    assert slide.canvas.made_item(new) is not None  # a small selected mask: its own item
    OPTIONS.set(tolerance=80.0)
    wand_click(slide, *SEED)  # the region around it, into it: a box of about 1,600 x 1,250 px
    grown = slide.document.project.annotations[new]
    assert (
        grown.bbox[2] * grown.bbox[3] > 4 * port_pixels(slide.canvas)
        and masks.decode(grown.segmentation)[1300, 2000]
    )
    drawn_by_layer(slide, new)
    key(slide, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert slide.document.project.annotations[new].segmentation == small
    settle()
    assert slide.canvas.made_item(new) is not None  # small again: its item, as any small selected mask
    key(slide, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    drawn_by_layer(slide, new)


def drawn_by_layer(win, ann_id: int) -> None:  # type: ignore[no-untyped-def]
    """Selected ``ann_id`` is drawn selected by the layer, not by an item of its own holding its whole box."""
    settle()
    assert win.document.selection == [ann_id] and win.canvas.made_item(ann_id) is None
    assert ann_id in win.canvas.box_layer.selected
    assert selected_in_layer(entry(win, ann_id), port_pixels(win.canvas))
    _, _, w, h = win.document.project.annotations[ann_id].bbox
    assert entry(win, ann_id).decoded_bytes() < w * h / 2  # a view window at most
