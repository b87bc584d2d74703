"""A brush or eraser stroke on a large selected mask (one the layer draws: ``selected_in_layer``) is drawn
while the button is down by a ``LiveMask`` (ui/canvas/live_mask.py) holding only the area the stroke touched,
the layer leaving that area out, not by the mask's own item decoding its whole box. The committed mask, the
one undo step and the picture during the stroke are those of the whole-box item (``over_layer`` held false
is that reference)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.ui.canvas import live_mask
from pixelproof.ui.canvas.live_mask import LiveMask
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.conftest import settle
from tests.ui.test_mask_reduced import BIG, X0, X1, Y0, Y1, grab, look_at, screen, slide
from tests.ui.test_mask_selected_big import in_layer, overview
from tests.ui.test_workbench import click, key, view_point

__all__ = ["slide"]  # the fixture

BOX = (X1 - X0) * (Y1 - Y0)
WIDTH = 21
CTRL, NOMOD = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.NoModifier


def lives(win) -> list[LiveMask]:  # type: ignore[no-untyped-def]
    return [i for i in win.canvas.scene().items() if isinstance(i, LiveMask)]


def stroke(win, a, b, modifier=NOMOD, during=None):  # type: ignore[no-untyped-def]
    """Press at image point ``a``, move to ``b`` in 6 steps, ``during(win)`` with the button still down
    (its answer returned), release."""
    vp, left = win.canvas.viewport(), Qt.MouseButton.LeftButton
    start, end = view_point(win, *a), view_point(win, *b)
    assert vp.rect().contains(start) and vp.rect().contains(end)
    QTest.mousePress(vp, left, modifier, start)
    for i in range(1, 7):
        QTest.mouseMove(vp, start + (end - start) * (i / 6))
    seen = during(win) if during is not None else None
    QTest.mouseRelease(vp, left, modifier, end)
    return seen


def selected_at_100(win, x: float, y: float) -> None:  # type: ignore[no-untyped-def]
    overview(win)
    click(win, view_point(win, 700, 900))
    assert win.document.selection == [BIG]
    win.resize(1000, 700)  # room for the strokes at 100 %, the box still over four views
    look_at(win, x, y, 1.0)


# (tool key, start, end, modifier): Ctrl paints into the selected mask from outside it
CASES = {
    "near its left edge": (Qt.Key.Key_R, (410, 880), (600, 920), NOMOD),
    "out of its box (growing it)": (Qt.Key.Key_R, (450, 900), (330, 900), NOMOD),
    "across its box's top, from outside": (Qt.Key.Key_R, (1200, 220), (1260, 470), CTRL),
    "past its bottom-right corner": (Qt.Key.Key_R, (1900, 1400), (2080, 1560), CTRL),
    "the eraser across the hole": (Qt.Key.Key_E, (1050, 900), (1350, 930), NOMOD),
    "the eraser over its top edge": (Qt.Key.Key_E, (1150, 260), (1250, 420), NOMOD),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_stroke_commits_what_the_whole_box_item_committed(slide, monkeypatch, case) -> None:
    tool, a, b, modifier = CASES[case]
    x, y = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    selected_at_100(slide, x, y)
    key(slide, tool)
    OPTIONS.set(width=WIDTH)
    doc = slide.document
    before = masks.decode(doc.project.annotations[BIG].segmentation)
    held = stroke(slide, a, b, modifier, lambda w: [x.held()[0] for x in lives(w)])
    assert len(held) == 1  # drawn by its live item, not its own
    assert doc.undo_stack.count() == 1 and len(doc.project.annotations) == 2
    live = masks.decode(doc.project.annotations[BIG].segmentation)
    assert (live != before).any()
    in_layer(slide)
    assert not lives(slide) and not slide.canvas.box_layer.masks.live
    key(slide, Qt.Key.Key_Z, CTRL)  # one step undoes it
    assert (masks.decode(doc.project.annotations[BIG].segmentation) == before).all()
    doc.undo_stack.clear()
    monkeypatch.setattr(live_mask, "over_layer", lambda *_: False)  # the whole-box item, as before
    assert stroke(slide, a, b, modifier, lives) == []
    assert doc.undo_stack.count() == 1
    whole = masks.decode(doc.project.annotations[BIG].segmentation)
    assert np.array_equal(live, whole)


def test_the_live_item_holds_the_touched_area_not_the_box(slide) -> None:
    selected_at_100(slide, 1150, 900)
    key(slide, Qt.Key.Key_R)
    OPTIONS.set(width=WIDTH)

    def held(win):  # type: ignore[no-untyped-def]
        assert win.canvas.made_item(BIG) is None  # no item of its own, no whole box decoded
        (live,) = lives(win)
        return live.held()

    (x, y, w, h), nbytes = stroke(slide, (1000, 900), (1200, 900), during=held)
    touched = (1000 - WIDTH // 2, 900 - WIDTH // 2, 200 + WIDTH, WIDTH)
    assert x <= touched[0] and y <= touched[1]
    assert x + w >= touched[0] + touched[2] and y + h >= touched[1] + touched[3]
    # the touched area and the growth margin (256 px a side at most for so short a stroke)
    assert w <= touched[2] + 512 and h <= touched[3] + 512
    assert nbytes == 5 * w * h  # its mask and coloured pixels, nothing of the box's
    assert w * h < BOX / 4
    assert slide.document.undo_stack.count() == 1
    in_layer(slide)


def test_the_eraser_shows_its_stroke_as_the_whole_box_item_did(slide, monkeypatch) -> None:
    """The layer leaves the stroke's area out (``MaskLayer.live``): the erased pixels show the image, not
    the stored mask's fill under the live item."""
    selected_at_100(slide, 700, 900)
    key(slide, Qt.Key.Key_E)
    OPTIONS.set(width=WIDTH)
    doc = slide.document

    def picture(win):  # type: ignore[no-untyped-def]
        settle()
        return grab(win)

    live = stroke(slide, (550, 900), (850, 900), during=picture)
    key(slide, Qt.Key.Key_Z, CTRL)
    doc.undo_stack.clear()
    monkeypatch.setattr(live_mask, "over_layer", lambda *_: False)
    whole = stroke(slide, (550, 900), (850, 900), during=picture)
    (t, lf), (b, r) = screen(slide, 560, 893), screen(slide, 840, 907)  # inside the erased band
    assert np.abs(live[t:b, lf:r] - whole[t:b, lf:r]).max() <= 2
    (t2, lf2), (b2, r2) = screen(slide, 560, 866), screen(slide, 840, 880)  # the mask beside it, filled
    assert np.abs(live[t2:b2, lf2:r2] - whole[t2:b2, lf2:r2]).max() <= 2
    assert np.abs(live[t:b, lf:r] - live[t2:b2, lf2:r2]).max(axis=2).mean() > 5  # erased: not the fill


def test_in_outline_only_mode_the_whole_mask_is_filled_during_a_stroke_not_a_rectangle(
    slide, monkeypatch
) -> None:
    """Outline only (Shift+O): the stroke's ``LiveMask`` fills its area at ``LIVE_OPACITY``, so the layer
    fills the rest of the mask so too, as the whole-box item did: only a rectangle of the mask was filled,
    cut by straight seams, the outline ending at its edges."""
    selected_at_100(slide, 700, 900)
    key(slide, Qt.Key.Key_O, Qt.KeyboardModifier.ShiftModifier)
    assert slide.canvas.show_filter.fill_opacity == 0
    key(slide, Qt.Key.Key_E)
    OPTIONS.set(width=WIDTH)

    def picture(win):  # type: ignore[no-untyped-def]
        settle()
        return grab(win)

    before = picture(slide)
    live = stroke(slide, (550, 1080), (850, 1080), during=picture)
    key(slide, Qt.Key.Key_Z, CTRL)
    slide.document.undo_stack.clear()
    monkeypatch.setattr(live_mask, "over_layer", lambda *_: False)
    whole = stroke(slide, (550, 1080), (850, 1080), during=picture)
    # inside the mask, past the live area's growth margin (256 px) above the stroke
    (t, lf), (b, r) = screen(slide, 560, 740), screen(slide, 840, 780)
    assert b - t > 30 and t > 0
    assert np.abs(live[t:b, lf:r] - whole[t:b, lf:r]).max() <= 2
    assert np.abs(live[t:b, lf:r] - before[t:b, lf:r]).max(axis=2).mean() > 5  # filled, not bare


@pytest.mark.parametrize("zoom", [1.0, 0.25])
def test_during_a_stroke_the_outline_is_hidden_as_the_whole_box_item_hid_it(slide, monkeypatch, zoom) -> None:
    """While the button is down the mask has no outline, as its whole-box item painted live: the layer's
    outline used to end at the ``LiveMask``'s area's straight edges, cut where the stroke went."""
    selected_at_100(slide, 600, 900)
    look_at(slide, 600, 900, zoom)
    key(slide, Qt.Key.Key_R)
    OPTIONS.set(width=WIDTH)

    def picture(win):  # type: ignore[no-untyped-def]
        settle()
        return grab(win)

    a, b = (420, 880), (700, 920)
    live = stroke(slide, a, b, during=picture)
    key(slide, Qt.Key.Key_Z, CTRL)
    slide.document.undo_stack.clear()
    monkeypatch.setattr(live_mask, "over_layer", lambda *_: False)
    whole = stroke(slide, a, b, during=picture)
    differ = np.abs(live - whole).max(axis=2) > 8
    if zoom == 1.0:
        assert not differ.any()
    else:  # the layer's reduced copy (a cell set when any of its pixels is) differs along the mask's edge
        rx, ry = (X1 - X0) / 2 * zoom, (Y1 - Y0) / 2 * zoom
        perimeter = math.pi * (3 * (rx + ry) - math.sqrt((3 * rx + ry) * (rx + 3 * ry)))
        assert differ.sum() < perimeter  # its outline drawn outside the live area: 4649 pixels
