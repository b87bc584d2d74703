"""What the tools do and say for an annotator working object after object (a walkthrough on the demo
project): real clicks, strokes and keys on the real main window."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from tests.ui.test_mask_tools import (
    SHIFT,
    click,
    default_options,
    key,
    only_new,
    pixels,
    stroke,
    vp_at,
    wand_click,
    wand_window,
)

__all__ = ["default_options", "wand_window"]  # fixtures: the tool settings restored, the wand's image


def test_the_wands_shift_click_with_no_mask_selected_subtracts_from_the_mask_under_it(
    qtbot, wand_window
) -> None:
    """As the eraser does (it said 'Select the mask to subtract from' and did nothing): with no mask
    selected, Shift+click subtracts the region from the mask a click of V would pick there, and selects
    it; the other masks keep their pixels; on no mask it still says to select one and changes nothing."""
    from pixelproof.ui.tools.paint_options import OPTIONS

    win = wand_window
    doc = win.document
    hole = np.zeros((160, 200), bool)
    hole[50:70, 70:100] = True  # the dark window inside the red block
    key(win, Qt.Key.Key_F)
    before = set(doc.project.annotations)
    wand_click(qtbot, win, vp_at(win, 40.5, 30.5))
    block = only_new(win, before)
    wand_click(qtbot, win, vp_at(win, 80.5, 60.5))  # the window added: the whole block
    key(win, Qt.Key.Key_Escape)
    OPTIONS.set(width=41)
    key(win, Qt.Key.Key_R)
    before = set(doc.project.annotations)
    stroke(win, [vp_at(win, 85.5, 60.5), vp_at(win, 86.5, 60.5)])  # a disc over the window
    disc = only_new(win, before)
    key(win, Qt.Key.Key_Escape)
    block_px, disc_px = pixels(win, block), pixels(win, disc)
    assert (disc_px & hole).sum() == hole.sum() and disc_px.sum() < block_px.sum()
    # the select tool's pick there: the smaller disc, over the block
    key(win, Qt.Key.Key_V)
    click(win, vp_at(win, 80.5, 60.5))
    assert doc.selection == [disc]
    key(win, Qt.Key.Key_Escape)
    key(win, Qt.Key.Key_F)
    steps = doc.undo_stack.count()
    wand_click(qtbot, win, vp_at(win, 80.5, 60.5), SHIFT)
    assert doc.selection == [disc] and doc.undo_stack.count() == steps + 1
    assert doc.undo_stack.undoText() == "Wand subtract"
    assert np.array_equal(pixels(win, disc), disc_px & ~hole)
    assert np.array_equal(pixels(win, block), block_px)
    # on no mask, nothing selected: the message, no step
    key(win, Qt.Key.Key_Escape)
    wand_click(qtbot, win, vp_at(win, 5.5, 5.5), SHIFT)
    assert doc.undo_stack.count() == steps + 1 and doc.selection == []
    assert "Select the mask" in win.statusBar().currentMessage()


def test_the_empty_annotations_hint_follows_the_active_tool_and_its_key(qtbot, window) -> None:
    """It said 'Press B and drag to draw a box' whatever tool was active: with the polygon, brush, wand or
    assist tool chosen it now says how that tool starts an object, with its name and key in force."""
    from pixelproof.ui.shortcuts import REGISTRY

    hint = window.panels["annotationsDock"].empty
    qtbot.waitUntil(hint.isVisible, timeout=10000)
    assert "Press B and drag to draw a box" in hint.text()  # the select tool draws nothing
    said = {}
    for k, name in [
        (Qt.Key.Key_P, "polygon"),
        (Qt.Key.Key_R, "brush"),
        (Qt.Key.Key_F, "fill"),
        (Qt.Key.Key_I, "assist"),
        (Qt.Key.Key_B, "box"),
    ]:
        key(window, k)
        assert window.canvas.tool.name == name
        text = said[name] = hint.text()
        assert text.startswith("No annotations on this image yet.")
        assert REGISTRY.get(f"tool.{name}").label in text
        assert QKeySequence(k).toString() in text
    assert len(set(said.values())) == len(said)  # a hint of its own for each
    assert "drag" in said["brush"] and "click" in said["fill"] and "Enter" in said["polygon"]
    assert "Press B" not in said["polygon"]
    key(window, Qt.Key.Key_P)
    try:
        REGISTRY.set_keys("tool.polygon", ["Shift+P"])
        assert "Shift+P" in hint.text()
    finally:
        REGISTRY.set_keys("tool.polygon", None)
    # an object drawn: the list, no hint; undone: the hint of the tool in hand
    key(window, Qt.Key.Key_B)
    before = set(window.document.project.annotations)
    stroke(window, [vp_at(window, 40, 40), vp_at(window, 80, 70), vp_at(window, 120, 90)])
    only_new(window, before)
    qtbot.waitUntil(lambda: not hint.isVisible(), timeout=10000)
    key(window, Qt.Key.Key_R)
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(hint.isVisible, timeout=10000)
    assert hint.text() == said["brush"]


def test_the_brush_ring_shows_at_the_pointer_as_soon_as_r_or_e_is_pressed(qtbot, window) -> None:
    """The ring showed only after the mouse first moved after R or E: the size was unseen where the
    pointer already was. Chosen by key with the pointer over the canvas, the tool shows it there at once;
    chosen with the pointer elsewhere (it left the canvas), no ring until it comes back."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtWidgets import QApplication

    from pixelproof.ui.tools.brush import BrushRing
    from pixelproof.ui.tools.paint_options import OPTIONS
    from tests.ui.conftest import hover
    from tests.ui.test_mask_tools import set_view

    set_view(window, 2.0)
    OPTIONS.set(width=15)

    def rings() -> list[BrushRing]:
        return [i for i in window.canvas.scene().items() if isinstance(i, BrushRing) and i.isVisible()]

    hover(window, vp_at(window, 100.5, 80.5))  # the select tool in hand
    assert window.canvas.tool.name == "select" and not rings()
    for k, name in [(Qt.Key.Key_R, "brush"), (Qt.Key.Key_E, "eraser")]:
        key(window, k)
        assert window.canvas.tool.name == name
        (ring,) = rings()
        outline = ring.mapToScene(ring.path().boundingRect()).boundingRect()
        assert outline.center() == QPointF(100.5, 80.5) and outline.width() == 15
    key(window, Qt.Key.Key_V)
    assert not rings()
    QApplication.sendEvent(window.canvas.viewport(), QEvent(QEvent.Type.Leave))
    key(window, Qt.Key.Key_R)
    assert not rings()
    hover(window, vp_at(window, 60.5, 40.5))
    (ring,) = rings()
    assert ring.mapToScene(ring.path().boundingRect()).boundingRect().center() == QPointF(60.5, 40.5)


def test_the_assist_tool_says_its_gestures_and_where_to_choose_a_model(qtbot, window) -> None:
    """The assist tool (I) left the status bar's tool line empty, where every other tool says what its
    clicks and keys do: it now says what a click, a right click and a drag do with the chosen model, and
    with no interactive model chosen, where to choose one; it follows the Model panel's choice."""
    line = window.readout.target_label
    key(window, Qt.Key.Key_I)
    assert window.canvas.tool.name == "assist"
    idle = line.whole
    assert idle.startswith("Assist") and "Model panel" in idle and "interactive" in idle
    panel = window.panels["modelDock"]
    qtbot.waitUntil(lambda: panel.backends.combo.findData("grabcut") >= 0, timeout=10000)
    panel.backends.choose_backend("grabcut")
    ready = "Assist (grabcut): drag"  # loaded, and its picture read (the busy line comes first)
    qtbot.waitUntil(lambda: line.whole.startswith(ready), timeout=15000)
    text = line.whole
    for word in ("click", "right click", "drag", "box", "Enter", "Esc"):
        assert word in text, word
    assert "Model panel" not in text
    key(window, Qt.Key.Key_V)
    assert not line.whole.startswith("Assist")
    key(window, Qt.Key.Key_I)
    assert line.whole == text


def test_the_assist_hint_says_what_is_missing_as_the_status_line_does(qtbot, tmp_path, no_prompts) -> None:
    """With I and no interactive model, the Annotations hint promised 'drag a box around an object (or click
    it); Enter adds the model's outline' while the status bar said there was no model to do it: the hint
    now says what the status line says is missing, in at most three lines of the 1366x768 dock, and the
    gestures once a model is ready."""
    from pixelproof.core.demo import install_demo
    from tests.ui.conftest import open_main_window, wait_loaded
    from tests.ui.test_model_panel import close_window

    win = open_main_window(qtbot, install_demo(tmp_path / "demo"))
    try:
        win.resize(1366, 768)
        qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
        doc = win.document
        (empty,) = [i for i, im in doc.project.images.items() if not doc.project.annotations_of(i)][:1]
        doc.set_current_image(empty)
        wait_loaded(qtbot, win)
        hint, line = win.panels["annotationsDock"].empty, win.readout.target_label
        key(win, Qt.Key.Key_I)
        assert win.canvas.tool.name == "assist"
        qtbot.waitUntil(hint.isVisible, timeout=10000)
        status = line.whole
        assert status.startswith("Assist: ") and "Model panel" in status
        text = hint.text()
        assert "Enter adds" not in text and "drag" not in text, text
        assert status.removeprefix("Assist: ") in text, (status, text)
        lines = hint.heightForWidth(hint.width()) / hint.fontMetrics().lineSpacing()
        assert lines < 3.5, (lines, hint.width(), text)
        panel = win.panels["modelDock"]
        qtbot.waitUntil(lambda: panel.backends.combo.findData("grabcut") >= 0, timeout=10000)
        panel.backends.choose_backend("grabcut")
        qtbot.waitUntil(lambda: line.whole.startswith("Assist (grabcut)"), timeout=15000)
        assert "Enter adds" in hint.text() and "Model panel" not in hint.text()
    finally:
        close_window(win)
