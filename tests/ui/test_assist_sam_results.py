"""Assist tool with the tiny SAM (../shared/models/sam-tiny): what Enter adds as an X-AnyLabeling user
expects it. Result: Polygon in the tool options bar (kept in the settings) adds the mask traced as Masks >
Mask -> polygon does and says what the polygon loses; with Preserve others on, the amber preview is the
trimmed mask Enter adds (cut in the model worker); two quick clicks read by Qt as a double-click are two
points. Real clicks and keys on the canvas viewport."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QGraphicsPixmapItem, QGraphicsPolygonItem
from scipy.ndimage import binary_fill_holes

from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from pixelproof.ui.settings import settings
from pixelproof.ui.tools import assist_shapes
from pixelproof.ui.tools.kept_options import KEYS, saved_options
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui import test_assist_sam as base
from tests.ui.test_assist_sam import LEFT, NOMOD, at, click, preview_mask, prompt_case, reference, wait_answer
from tests.ui.test_model_panel import key

sam_win, refs, tiny = base.sam_win, base.refs, base.tiny  # fixtures, found by name
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def default_options():  # type: ignore[no-untyped-def]
    """``OPTIONS`` is app-wide: each test starts and ends with the defaults it changes."""
    OPTIONS.set(assist_output="mask", preserve_others=False)
    yield
    OPTIONS.set(assist_output="mask", preserve_others=False)


def test_result_polygon_adds_the_traced_mask_in_one_step_and_says_what_it_loses(qtbot, sam_win, refs) -> None:
    win, doc = sam_win, sam_win.document
    win.canvas.setFocus()
    key(win, Qt.Key.Key_I)
    tool = win.canvas.tool
    assert tool.name == "assist"
    box = win.findChild(QComboBox, "assistOutput")
    assert box.isVisible() and box.currentText() == "Mask"  # the default: today's mask
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Down)
    assert box.currentText() == "Polygon" and OPTIONS.assist_output == "polygon"
    assert settings().value(KEYS["assist_output"]) == "polygon"  # kept for the next session
    assert saved_options()["assist_output"] == "polygon"
    messages: list[str] = []
    win.canvas.message.connect(messages.append)
    win.canvas.setFocus()
    prompt_case(qtbot, win, refs, "astronaut/box")
    wait_answer(qtbot, tool)
    steps = doc.undo_stack.count()
    key(win, Qt.Key.Key_Return)
    (ann,) = doc.project.annotations.values()
    assert doc.undo_stack.count() == steps + 1 and ann.kind == "polygon"
    assert ann.review == "accepted" and ann.source.startswith("model:sam-onnx/")
    want = reference(refs, "astronaut/box")
    got = ann.mask(512, 512)
    filled = binary_fill_holes(want)
    assert not (want & ~got).any() and np.array_equal(got, filled)  # no pixel lost; the holes filled
    assert ann.area == pytest.approx(float(filled.sum()), rel=0.01)
    said = messages[-1]
    assert said.startswith("Assist: added as a polygon, which cannot hold the mask exactly: annotation")
    assert "holes would be filled" in said and f"{int((filled & ~want).sum()):,} pixels added" in said
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step takes it all back
    assert not doc.project.annotations
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Up)
    assert OPTIONS.assist_output == "mask" and settings().value(KEYS["assist_output"]) == "mask"


def test_preserve_others_preview_is_the_trimmed_mask_cut_in_the_worker(
    qtbot, sam_win, refs, monkeypatch
) -> None:
    """The amber preview showed SAM's whole mask while Enter added it cut off the other objects: the cut
    is made in the model worker with the preview, and Enter adds exactly the preview."""
    win, doc = sam_win, sam_win.document
    win.choose_tool("assist")
    tool = win.canvas.tool
    prompt_case(qtbot, win, refs, "astronaut/box")
    wait_answer(qtbot, tool)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Return)
    (first,) = doc.project.annotations.values()
    taken = first.mask(512, 512)
    pos = reference(refs, "astronaut/pos")
    assert (pos & taken).any() and (pos & ~taken).any()
    cut_in: list[threading.Thread] = []
    real_cut = assist_shapes.preserving_others
    monkeypatch.setattr(
        assist_shapes,
        "preserving_others",
        lambda *a: (cut_in.append(threading.current_thread()), real_cut(*a))[1],
    )
    prompt_case(qtbot, win, refs, "astronaut/pos")
    wait_answer(qtbot, tool)
    whole = preview_mask(tool, 512, 512)  # SAM's mask, Preserve others off
    assert base.iou(whole, pos) >= 0.99 and (whole & taken).any()
    key(win, Qt.Key.Key_P, SHIFT)  # on while prompting (Masks > Preserve Other Annotations)
    assert OPTIONS.preserve_others
    wait_answer(qtbot, tool)
    shown = preview_mask(tool, 512, 512)
    assert np.array_equal(shown, whole & ~taken)  # the preview is the trimmed mask
    assert cut_in and threading.main_thread() not in cut_in  # cut in the worker: the UI stays responsive
    key(win, Qt.Key.Key_P, SHIFT)  # off: the preview follows, the whole mask again
    assert not OPTIONS.preserve_others
    wait_answer(qtbot, tool)
    assert np.array_equal(preview_mask(tool, 512, 512), whole)
    key(win, Qt.Key.Key_P, SHIFT)
    wait_answer(qtbot, tool)
    assert np.array_equal(preview_mask(tool, 512, 512), shown)
    key(win, Qt.Key.Key_Escape)  # a new prompt with Preserve others on: trimmed from its first answer
    prompt_case(qtbot, win, refs, "astronaut/pos")
    wait_answer(qtbot, tool)
    assert np.array_equal(preview_mask(tool, 512, 512), shown)
    cut_in.clear()
    key(win, Qt.Key.Key_Return)
    assert not cut_in  # nothing changed since the preview: Enter does not cut again
    second = max(doc.project.annotations.values(), key=lambda a: a.id)
    assert np.array_equal(second.mask(512, 512), shown)


def test_a_quick_second_click_read_as_a_double_click_is_a_point(qtbot, sam_win, refs) -> None:
    """Qt turns a second press within the double-click interval and a few px of the first into a
    double-click event (press, release, double-click, release): the second point was lost."""
    win = sam_win
    win.choose_tool("assist")
    tool = win.canvas.tool
    vp = win.canvas.viewport()
    (x, y), *_ = refs["astronaut/pos"]["prompt"]["points"]
    first, second = at(win, x + 0.5, y + 0.5), at(win, x + 3.5, y + 0.5)
    QTest.mouseClick(vp, LEFT, NOMOD, first)
    QTest.mouseDClick(vp, LEFT, NOMOD, second)  # the second press, as Qt delivers it
    QTest.mouseRelease(vp, LEFT, NOMOD, second)
    assert tool.labels == [1, 1] and len(tool.points) == 2
    assert tool.points[1][0] - tool.points[0][0] == pytest.approx(3, abs=1)
    wait_answer(qtbot, tool)
    assert tool.preview_ready()
    click(win, x + 0.5, y + 0.5)  # and the clicks after it count too
    assert len(tool.points) == 3


def test_an_object_added_after_the_preview_is_left_out_at_enter(qtbot, sam_win, refs) -> None:
    """The preview was cut off the objects as they were; an object added since (another window's edit, a
    pre-label landing) makes Enter cut again in the worker and add that, as the brush would."""
    win, doc = sam_win, sam_win.document
    win.choose_tool("assist")
    tool = win.canvas.tool
    win.canvas.setFocus()
    key(win, Qt.Key.Key_P, SHIFT)
    prompt_case(qtbot, win, refs, "astronaut/pos")
    wait_answer(qtbot, tool)
    whole = preview_mask(tool, 512, 512)  # no other object yet
    _, xs = np.nonzero(whole)
    left = [0.0, 0.0, float(np.median(xs)), 512.0]  # a box over the left half of it
    other = Annotation(
        doc.project.next_annotation_id(1), 1, doc.project.category_by_name("thing").id, left, None, 0.0
    )
    doc.push(AddAnnotations([other]))
    key(win, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(doc.project.annotations) == 2, timeout=30000)
    added = max(doc.project.annotations.values(), key=lambda a: a.id)
    boxed = other.mask(512, 512)
    assert (whole & boxed).any() and np.array_equal(added.mask(512, 512), whole & ~boxed)


def preview_items(tool) -> list:  # type: ignore[no-untyped-def]
    """The answer's items the assist tool shows (its prompt's dots and box left out)."""
    return [i for i in tool._overlays if isinstance(i, (QGraphicsPolygonItem, QGraphicsPixmapItem))]


def test_result_polygon_previews_the_polygon_enter_adds_not_the_mask(qtbot, sam_win, refs) -> None:
    """With Result: Polygon the preview still showed SAM's mask, the user seeing pixels where a polygon
    with its holes filled would be added: the preview is the traced polygon (traced in the worker), the
    mask again when Mask is chosen while prompting, and Enter adds exactly the polygon shown."""
    win, doc = sam_win, sam_win.document
    win.canvas.setFocus()
    key(win, Qt.Key.Key_I)
    tool = win.canvas.tool
    box = win.findChild(QComboBox, "assistOutput")
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Down)
    assert OPTIONS.assist_output == "polygon"
    win.canvas.setFocus()
    prompt_case(qtbot, win, refs, "astronaut/box")
    wait_answer(qtbot, tool)
    shown = preview_items(tool)
    assert shown and all(isinstance(i, QGraphicsPolygonItem) for i in shown)
    (shape,) = tool.shapes
    corners = [[c for p in i.polygon() for c in (p.x(), p.y())] for i in shown]
    assert corners == shape.outline
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Up)  # Mask while prompting: the mask again
    wait_answer(qtbot, tool)
    assert [type(i) for i in preview_items(tool)] == [QGraphicsPixmapItem]
    QTest.keyClick(box, Qt.Key.Key_Down)
    wait_answer(qtbot, tool)
    again = preview_items(tool)
    assert again and all(isinstance(i, QGraphicsPolygonItem) for i in again)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Return)
    (ann,) = doc.project.annotations.values()
    assert ann.kind == "polygon" and ann.segmentation == corners
