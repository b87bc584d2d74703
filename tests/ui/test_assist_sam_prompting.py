"""Assist tool with the tiny SAM (../shared/models/sam-tiny) as an annotator used to click-to-mask in
X-AnyLabeling / CVAT expects it: Shift/Alt+click is a negative point, Backspace / Ctrl+Z take back the last
point (not an object), the encoder's run is seen, the embedding is reused when coming back to a picture, a
model that did not load is named at a click, and Preserve others holds for the result. Real clicks, keys."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui import test_assist_sam as base
from tests.ui.test_assist_sam import (
    LEFT,
    at,
    click,
    go,
    iou,
    preview_mask,
    prompt_case,
    reference,
    wait_answer,
)
from tests.ui.test_model_panel import choose, close_window, key, open_window

sam_win, refs, tiny = base.sam_win, base.refs, base.tiny  # fixtures, found by name
SHIFT, ALT = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier


def assist(win):  # type: ignore[no-untyped-def]
    win.choose_tool("assist")
    return win.canvas.tool


def test_backspace_and_ctrl_z_take_back_the_last_point_not_an_object(qtbot, sam_win, refs) -> None:
    """Mid-prompt, Backspace deleted the selected object (the one just added) and Ctrl+Z dropped every
    point: both take back the last point, the preview follows from the cached embedding."""
    win, doc = sam_win, sam_win.document
    backend = win.panels["modelDock"].session.backend
    tool = assist(win)
    prompt_case(qtbot, win, refs, "astronaut/box")
    wait_answer(qtbot, tool)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Return)
    (added,) = doc.project.annotations.values()
    assert doc.selection == {added.id} or added.id in doc.selection
    steps = doc.undo_stack.count()
    for undo in (
        (Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
    ):
        prompt_case(qtbot, win, refs, "astronaut/pos_neg")
        wait_answer(qtbot, tool)
        key(win, *undo)
        assert list(doc.project.annotations) == [added.id] and doc.undo_stack.count() == steps
        assert tool.labels == [1] and tool.box is None
        wait_answer(qtbot, tool)
        assert iou(preview_mask(tool, 512, 512), reference(refs, "astronaut/pos")) >= 0.99
        key(win, *undo)  # the last point: nothing left, as Esc
        assert not tool.has_prompt() and not tool._overlays
    assert backend.embeddings_computed == 1
    key(win, Qt.Key.Key_Backspace)  # no prompt: Backspace deletes the selection as in every tool
    assert not doc.project.annotations


@pytest.mark.parametrize("modifier", [SHIFT, ALT])
def test_shift_or_alt_click_is_a_negative_point(qtbot, sam_win, refs, modifier) -> None:
    win = sam_win
    tool = assist(win)
    (pos, neg), _ = refs["astronaut/pos_neg"]["prompt"]["points"], None
    click(win, pos[0] + 0.5, pos[1] + 0.5)
    QTest.mouseClick(win.canvas.viewport(), LEFT, modifier, at(win, neg[0] + 0.5, neg[1] + 0.5))
    assert tool.labels == [1, 0]
    wait_answer(qtbot, tool)
    assert iou(preview_mask(tool, 512, 512), reference(refs, "astronaut/pos_neg")) >= 0.99


def test_the_encoder_run_is_seen_and_the_window_stays_usable(qtbot, sam_win, refs, monkeypatch) -> None:
    """While SAM's encoder reads a picture the canvas shows a busy cursor and the tool line says so; a
    click meanwhile is kept and answered after it."""
    from pixelproof.ui.tools import assist as assist_module

    gate = threading.Event()
    real = assist_module.prepare_shown
    monkeypatch.setattr(assist_module, "prepare_shown", lambda *a: (gate.wait(30), real(*a)))
    win = sam_win
    try:
        tool = assist(win)
        vp = win.canvas.viewport()
        assert vp.cursor().shape() == Qt.CursorShape.BusyCursor
        assert "reading the picture" in tool.target_text()
        prompt_case(qtbot, win, refs, "astronaut/pos")
        assert tool.has_prompt()
    finally:
        gate.set()
    wait_answer(qtbot, tool)
    qtbot.waitUntil(lambda: not tool._warming, timeout=30000)
    assert vp.cursor().shape() == Qt.CursorShape.CrossCursor and "reading" not in tool.target_text()
    assert iou(preview_mask(tool, 512, 512), reference(refs, "astronaut/pos")) >= 0.99


def test_back_and_forth_between_pictures_reuses_their_embeddings(qtbot, sam_win, refs) -> None:
    win = sam_win
    backend = win.panels["modelDock"].session.backend
    tool = assist(win)
    for image_id, case in ((1, "astronaut/pos"), (2, "coffee/pos"), (1, "astronaut/pos"), (2, "coffee/box")):
        if win.document.current_image_id != image_id:
            go(qtbot, win, image_id)
        prompt_case(qtbot, win, refs, case)
        wait_answer(qtbot, tool)
        h, w = win.canvas.image_size()
        assert iou(preview_mask(tool, h, w), reference(refs, case)) >= 0.99
    assert backend.embeddings_computed == 2


def test_a_model_that_did_not_load_is_named_at_a_click(qtbot, tmp_path: Path, tiny: Path, no_prompts) -> None:
    """A click said "choose an interactive backend" with sam-onnx chosen: it says what is wrong with it."""
    (tmp_path / "images").mkdir()
    shutil.copy(tiny / "coffee.png", tmp_path / "images" / "coffee.png")
    project = new_project(["thing"])
    project.add_image(ImageRecord(1, "images/coffee.png", 600, 400))
    save_project(project, tmp_path / "project.json")
    win = open_window(qtbot, tmp_path / "project.json")
    try:
        panel = choose(qtbot, win, "sam-onnx")
        tool = assist(win)
        messages: list[str] = []
        win.canvas.message.connect(messages.append)
        click(win, 100, 100)
        assert "sam-onnx is not ready: no model file chosen" in messages[-1], messages
        bad = tmp_path / "vit_b_encoder.onnx"
        bad.write_text("not a model")
        panel.backends.set_model_path(bad)
        qtbot.waitUntil(lambda: panel.session.is_idle() and not panel.session.loading, timeout=30000)
        click(win, 100, 100)
        said = messages[-1]
        assert said.startswith("Assist: sam-onnx did not load: vit_b_encoder.onnx: not an ONNX model"), said
        assert str(tmp_path) not in said and not tool.has_prompt()
        assert tool.missing() == "sam-onnx did not load (the Model panel says why)"
        panel.backends.set_model_path(tiny / "tiny_sam_encoder.onnx")
        qtbot.waitUntil(lambda: panel.session.is_idle() and panel.session.backend is not None, timeout=30000)
        assert tool.missing() == ""
    finally:
        close_window(win)


def test_preserve_others_keeps_the_result_off_other_objects(qtbot, sam_win, refs) -> None:
    win, doc = sam_win, sam_win.document
    box, pos = reference(refs, "astronaut/box"), reference(refs, "astronaut/pos")
    assert (box & pos).any() and (pos & ~box).any()  # the two masks overlap, neither holds the other
    tool = assist(win)
    prompt_case(qtbot, win, refs, "astronaut/box")
    wait_answer(qtbot, tool)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Return)
    try:
        key(win, Qt.Key.Key_P, SHIFT)  # Masks > Preserve Other Annotations
        assert OPTIONS.preserve_others
        prompt_case(qtbot, win, refs, "astronaut/pos")
        wait_answer(qtbot, tool)
        key(win, Qt.Key.Key_Return)
    finally:
        OPTIONS.set(preserve_others=False)
    first, second = sorted(doc.project.annotations.values(), key=lambda a: a.id)
    assert iou(first.mask(512, 512), box) >= 0.99
    got = second.mask(512, 512)
    assert not (got & first.mask(512, 512)).any()
    assert iou(got, pos & ~first.mask(512, 512)) >= 0.99
    assert second.area == float(np.count_nonzero(got))
