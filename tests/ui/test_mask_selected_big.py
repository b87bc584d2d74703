"""A selected large mask stays in the mask layer (ui/canvas/mask_layer.py ``selected_in_layer``), drawn with
the selected look from its reduced copy or a window, not its own item decoding its whole box; a rubber band
reads it from its runs (``LayerMask.touches``). Delete, undo, a drag, a class change and a brush stroke on it
work as on a small one; after a stroke (its item made for the stroke only), its undo and its redo it is
drawn by the layer again."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from pixelproof.core import masks
from pixelproof.ui.canvas.mask_layer import selected_in_layer
from pixelproof.ui.canvas.polygon_layer import port_pixels
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.conftest import settle
from tests.ui.test_canvas_object_menu import action, right_click, shown_menu
from tests.ui.test_mask_reduced import BIG, X0, X1, Y0, Y1, entry, grab, look_at, screen, slide
from tests.ui.test_workbench import click, drag, key, view_point

__all__ = ["slide"]  # the fixture

SMALL = (X1 - X0) * (Y1 - Y0) / 16  # a reduced copy's bytes at most: not the box's 1.9 M pixels


def overview(win) -> None:  # type: ignore[no-untyped-def]
    """A small window (the box is over four views at 100 %) showing the whole image, nothing decoded."""
    win.resize(640, 480)
    settle()
    look_at(win, 1600, 1200, 0.1)
    entry(win, BIG).drop_decoded()
    assert selected_in_layer(entry(win, BIG), port_pixels(win.canvas))


def test_a_large_mask_clicked_at_the_overview_shows_selected_without_decoding_its_box(slide) -> None:
    overview(slide)
    before = grab(slide)
    click(slide, view_point(slide, 700, 900))
    settle()
    assert slide.document.selection == [BIG]
    assert slide.canvas.made_item(BIG) is None  # no item of its own
    big = entry(slide, BIG)
    assert big.decoded_bytes() < SMALL
    after = grab(slide)
    (t, lf), (b, r) = screen(slide, X0, Y0), screen(slide, X1, Y1)
    assert (np.abs(after[t:b, lf:r] - before[t:b, lf:r]).max(axis=2) > 20).mean() > 0.02  # the selected look
    key(slide, Qt.Key.Key_Delete)
    assert BIG not in slide.document.project.annotations
    settle()
    assert np.abs(grab(slide)[t:b, lf:r] - before[t:b, lf:r]).max(axis=2).mean() > 5  # gone from the picture
    key(slide, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert BIG in slide.document.project.annotations
    assert slide.document.selection == [BIG]  # back selected, as it was deleted
    assert slide.canvas.made_item(BIG) is None and entry(slide, BIG).decoded_bytes() < SMALL
    assert np.abs(grab(slide) - after).max() <= 2


def test_a_selected_large_mask_is_dragged_and_recategorised_from_the_layer(slide) -> None:
    overview(slide)
    click(slide, view_point(slide, 700, 900))
    drag(slide, view_point(slide, 700, 900), view_point(slide, 800, 900))
    ann = slide.document.project.annotations[BIG]
    assert masks.bbox(masks.decode(ann.segmentation))[0] == X0 + 100
    right_click(slide, view_point(slide, 800, 900))
    menu = shown_menu(slide)
    dog = next(x for x in action(menu, "Set Category").menu().actions() if "dog" in x.text())
    dog.trigger()
    menu.close()
    assert slide.document.project.annotations[BIG].category_id == 2
    settle()
    assert slide.canvas.made_item(BIG) is None and entry(slide, BIG).decoded_bytes() < SMALL


def test_a_rubber_band_over_a_large_mask_selects_it_from_its_runs(slide) -> None:
    overview(slide)
    drag(slide, view_point(slide, 100, 100), view_point(slide, X0 + 40, Y0 + 40))  # its box's corner only
    assert slide.document.selection == []
    drag(slide, view_point(slide, 100, 100), view_point(slide, 900, 900))  # over its pixels
    assert slide.document.selection == [BIG]
    assert slide.canvas.made_item(BIG) is None and entry(slide, BIG).decoded_bytes() < SMALL


def test_a_brush_stroke_on_a_selected_large_mask_paints_into_it(slide) -> None:
    overview(slide)
    click(slide, view_point(slide, 700, 900))
    assert slide.document.selection == [BIG] and slide.canvas.made_item(BIG) is None
    look_at(slide, 2000, 900, 1.0)
    key(slide, Qt.Key.Key_R)
    OPTIONS.set(width=41)
    drag(slide, view_point(slide, 1960, 900), view_point(slide, 2200, 900))  # grow it to the right
    ann = slide.document.project.annotations[BIG]
    assert masks.decode(ann.segmentation)[900, 2150]
    assert len(slide.document.project.annotations) == 2  # painted into it, no new mask
    in_layer(slide)  # its item was for the stroke only


def in_layer(win) -> None:  # type: ignore[no-untyped-def]
    """The large mask is drawn selected by the layer, not by an item of its own holding its whole box."""
    settle()
    assert win.document.selection == [BIG] and win.canvas.made_item(BIG) is None
    assert BIG in win.canvas.box_layer.selected and selected_in_layer(
        entry(win, BIG), port_pixels(win.canvas)
    )
    assert entry(win, BIG).decoded_bytes() < (X1 - X0) * (Y1 - Y0) / 2  # a view window at most


def test_after_a_stroke_undo_and_redo_a_large_mask_is_drawn_by_the_layer_again(slide) -> None:
    overview(slide)
    click(slide, view_point(slide, 700, 900))
    slide.resize(1000, 700)  # room for the strokes at 100 %, the box still over four views
    look_at(slide, 1150, 850, 1.0)
    before = masks.decode(slide.document.project.annotations[BIG].segmentation)
    key(slide, Qt.Key.Key_R)
    OPTIONS.set(width=21)
    drag(slide, view_point(slide, 1050, 900), view_point(slide, 1250, 900))  # from it into the hole
    assert len(slide.document.project.annotations) == 2  # painted into it, no new mask
    now = masks.decode(slide.document.project.annotations[BIG].segmentation)
    assert now[890:911, 1050:1251].all() and not before[900, 1100:1251].any()
    assert (now != before).sum() == (now[880:921, 1030:1271] != before[880:921, 1030:1271]).sum()
    in_layer(slide)
    shown = grab(slide)
    (t, lf), (b, r) = screen(slide, 1160, 895), screen(slide, 1240, 905)
    key(slide, Qt.Key.Key_E)
    drag(slide, view_point(slide, 1050, 760), view_point(slide, 1250, 760))  # the eraser, above the hole
    erased = masks.decode(slide.document.project.annotations[BIG].segmentation)
    assert before[760, 1050:1251].all() and not erased[750:771, 1050:1251].any()
    assert (erased[880:921] == now[880:921]).all()
    in_layer(slide)
    key(slide, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (masks.decode(slide.document.project.annotations[BIG].segmentation) == now).all()
    in_layer(slide)
    key(slide, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (masks.decode(slide.document.project.annotations[BIG].segmentation) == before).all()
    in_layer(slide)
    assert np.abs(grab(slide)[t:b, lf:r] - shown[t:b, lf:r]).max(axis=2).mean() > 5  # the hole again
    key(slide, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert (masks.decode(slide.document.project.annotations[BIG].segmentation) == now).all()
    in_layer(slide)
    same = np.abs(grab(slide)[t:b, lf:r] - shown[t:b, lf:r]).max(axis=2) <= 2
    assert same.mean() > 0.95  # painted again, as the layer drew it after the stroke
