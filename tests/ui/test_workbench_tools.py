"""The mask tools as a labeling team uses them (issue 19, items 2, 3 and 6): a brush or wand click away from
the selected mask starts a new object (Ctrl+click adds a separate part), Esc deselects in every tool, the
status bar names what a tool paints into; the toolbar's toggles look checked and say their state; the
wand's tolerance follows the display window on 16-bit images."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from tests.ui.test_mask_tools import (  # noqa: F401  (default_options: autouse fixture)
    default_options,
    key,
    open_images,
    pixels,
    set_view,
    stroke,
    vp_at,
    wand_click,
)

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def two_blocks(qtbot, tmp_path, no_prompts):
    """A red block (x 20-80) and a separate blue block (x 120-180) on a dark background."""
    img = np.full((160, 200, 3), 30, np.uint8)
    img[40:120, 20:80] = (200, 40, 40)
    img[40:120, 120:180] = (40, 40, 200)
    win = open_images(qtbot, tmp_path, [img])
    set_view(win, 3.0, (100, 80))
    yield win
    win.document.undo_stack.setClean()
    win.close()


def target_line(win) -> str:
    return win.readout.target_label.whole


def test_a_wand_click_on_another_object_after_a_brush_stroke_starts_a_new_object(qtbot, two_blocks) -> None:
    win, doc = two_blocks, two_blocks.document
    key(win, Qt.Key.Key_R)
    assert target_line(win).startswith("Brush: paints a new “cell” mask")
    stroke(win, [vp_at(win, 40, 80), vp_at(win, 60, 80)])
    (stroke_id,) = doc.selection  # the new mask stays selected...
    assert f"paints into #{stroke_id} cell" in target_line(win)  # ...and the status bar says so
    stroke_pixels = pixels(win, stroke_id).copy()
    key(win, Qt.Key.Key_F)
    assert f"Wand: adds to #{stroke_id} cell where it touches it" in target_line(win)
    wand_click(qtbot, win, vp_at(win, 150.5, 80.5))  # the blue block: does not touch the stroke
    (wand_id,) = doc.selection
    assert wand_id != stroke_id
    assert np.array_equal(pixels(win, stroke_id), stroke_pixels)  # the stroke's mask is untouched
    blue = np.zeros((160, 200), bool)
    blue[40:120, 120:180] = True
    assert np.array_equal(pixels(win, wand_id), blue)
    # a click whose region touches the selected mask grows it: the red block around the stroke
    doc.set_selection([stroke_id])
    wand_click(qtbot, win, vp_at(win, 30.5, 50.5))
    assert doc.selection == [stroke_id] and pixels(win, stroke_id)[40:120, 20:80].all()
    assert len(doc.project.annotations) == 2
    # Ctrl+click adds a separate part to the selected object
    doc.set_selection([wand_id])
    wand_click(qtbot, win, vp_at(win, 5.5, 5.5), CTRL)  # the dark background, around both blocks
    assert len(doc.project.annotations) == 2 and pixels(win, wand_id)[0, 0]


def test_brush_away_from_the_selected_mask_starts_a_new_one_ctrl_adds_a_part(two_blocks) -> None:
    win, doc = two_blocks, two_blocks.document
    key(win, Qt.Key.Key_R)
    stroke(win, [vp_at(win, 40, 80), vp_at(win, 50, 80)])
    (first,) = doc.selection
    stroke(win, [vp_at(win, 52, 80), vp_at(win, 60, 80)])  # starts on the first mask: continues it
    assert doc.selection == [first] and len(doc.project.annotations) == 1
    stroke(win, [vp_at(win, 150, 80), vp_at(win, 160, 80)])  # away from it: a new object
    (second,) = doc.selection
    assert second != first and len(doc.project.annotations) == 2
    stroke(win, [vp_at(win, 150, 30), vp_at(win, 160, 30)], CTRL)  # Ctrl: a separate part of the second
    assert doc.selection == [second] and len(doc.project.annotations) == 2
    assert pixels(win, second)[30, 155] and pixels(win, second)[80, 155]
    assert not pixels(win, first)[30, 155]


def test_esc_deselects_in_every_tool(two_blocks) -> None:
    win, doc = two_blocks, two_blocks.document
    key(win, Qt.Key.Key_R)
    stroke(win, [vp_at(win, 40, 80), vp_at(win, 50, 80)])
    (mask_id,) = doc.selection
    for tool_key in (Qt.Key.Key_R, Qt.Key.Key_E, Qt.Key.Key_F, Qt.Key.Key_B, Qt.Key.Key_P, Qt.Key.Key_V):
        doc.set_selection([mask_id])
        key(win, tool_key)
        assert doc.selection == [mask_id]  # choosing a tool keeps the selection (the eraser needs it)
        key(win, Qt.Key.Key_Escape)
        assert doc.selection == [], win.canvas.tool.name
        assert f"#{mask_id}" not in target_line(win)


def test_toolbar_toggles_look_checked_and_say_their_state(qtbot, two_blocks) -> None:
    from pixelproof.ui.tools.paint_options import OPTIONS

    win = two_blocks
    menu = win.masks_menu
    # the wand (its tool button): the tool options bar shows its three toggles
    qtbot.mouseClick(win.toolbar.widgetForAction(win.tool_actions["fill"]), Qt.MouseButton.LeftButton)
    cases = [
        (menu.act_preserve, "Preserve others: off", "Preserve others: on", lambda: OPTIONS.preserve_others),
        (menu.act_eight, "Wand: 4-connected", "Wand: 8-connected", lambda: OPTIONS.connectivity == 8),
        (menu.act_floating, "Wand: fixed range", "Wand: floating range", lambda: not OPTIONS.fixed_range),
    ]
    for act, off_text, on_text, is_on in cases:
        button = menu.options_bar.button_for(act)
        assert button.isVisible() and button.isCheckable() and not button.isChecked() and not is_on()
        assert button.text() == off_text
        off_look = button.grab().toImage()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert button.isChecked() and act.isChecked() and is_on()
        assert button.text() == on_text
        on_look = button.grab().toImage()
        # checked draws the highlight behind the text: the button's middle row differs in colour
        y = on_look.height() // 2
        highlight = win.palette().color(win.palette().ColorRole.Highlight)
        row = [on_look.pixelColor(x, y) for x in range(on_look.width())]
        assert sum(near(c, highlight) for c in row) > on_look.width() // 3, act.text()
        assert not any(near(off_look.pixelColor(x, y), highlight) for x in range(off_look.width()))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not button.isChecked() and not is_on() and button.text() == off_text


def near(c: QColor, d: QColor) -> bool:
    return abs(c.red() - d.red()) + abs(c.green() - d.green()) + abs(c.blue() - d.blue()) < 30


def test_wand_tolerance_follows_the_display_window_on_16_bit(qtbot, tmp_path, no_prompts) -> None:
    """A 16-bit horizontal ramp (20 units a column): the default tolerance (16 levels of the window) at a
    window 2550 wide accepts ±160 units, 8 columns each side; at a window 255 wide, 16 units: one column."""
    import cv2

    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import ImageRecord
    from pixelproof.ui.tools.paint_options import OPTIONS
    from tests.ui.test_workbench_details import open_window

    ramp = np.tile((10000 + 20 * np.arange(120)).astype(np.uint16), (80, 1))
    cv2.imwrite(str(tmp_path / "ramp.png"), ramp)
    project = new_project(["cell"])
    project.add_image(ImageRecord(1, "ramp.png", 120, 80))
    save_project(project, tmp_path / "p.json")
    assert OPTIONS.tolerance == 16
    win = open_window(qtbot, tmp_path / "p.json")
    set_view(win, 4.0, (60, 40))
    key(win, Qt.Key.Key_F)
    for (lo, hi), columns in (((10000, 12550), range(52, 69)), ((10000, 10255), range(60, 61))):
        win.canvas.set_window(lo, hi)
        win.document.set_selection([])
        wand_click(qtbot, win, vp_at(win, 60.5, 40.5))
        (ann_id,) = win.document.selection
        filled = np.flatnonzero(pixels(win, ann_id).any(axis=0))
        assert list(filled) == list(columns), (lo, hi)
    win.document.undo_stack.setClean()
    win.close()
