"""Alt+drag with the brush erases, as QuPath's brush does: an annotator who painted over the edge takes it
back without switching to the eraser (E) and back (R). Real mouse events on the canvas viewport; the known
answer is OpenCV's own line (``reference_stroke``)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from tests.core.test_mask_edit import reference_stroke
from tests.ui.test_mask_tools import (  # noqa: F401  (default_options: autouse fixture, default settings)
    default_options,
    key,
    only_new,
    paint,
    pixels,
    set_view,
)

ALT = Qt.KeyboardModifier.AltModifier
SHAPE = (240, 320)  # the ``window`` fixture's images


def test_alt_drag_with_the_brush_erases_its_line_in_one_undo_step(window) -> None:
    set_view(window, 2.0)
    before = set(window.document.project.annotations)
    painted = paint(window, Qt.Key.Key_R, [(60, 60), (200, 60), (200, 160), (60, 160), (60, 60)], 51)
    ann_id = only_new(window, before)
    blob = reference_stroke(SHAPE, painted, 51)
    assert np.array_equal(pixels(window, ann_id), blob)
    stack = window.document.undo_stack
    steps = stack.count()

    erased = paint(window, Qt.Key.Key_R, [(40, 110), (110, 100), (150, 140)], 9, ALT)
    assert window.canvas.tool.name == "brush"  # no switch of tool
    assert set(window.document.project.annotations) == before | {ann_id}  # no new mask
    assert np.array_equal(pixels(window, ann_id), blob & ~reference_stroke(SHAPE, erased, 9))
    assert stack.count() == steps + 1 and stack.undoText() == "Erase"
    stack.undo()
    assert np.array_equal(pixels(window, ann_id), blob)

    # the next plain drag paints again
    stack.redo()
    again = paint(window, Qt.Key.Key_R, [(40, 110), (110, 100)], 9)
    assert pixels(window, ann_id)[again[0][1], again[0][0]]


def test_alt_drag_with_nothing_selected_erases_from_the_mask_it_starts_on(window) -> None:
    set_view(window, 2.0)
    before = set(window.document.project.annotations)
    painted = paint(window, Qt.Key.Key_R, [(60, 60), (200, 60)], 41)
    ann_id = only_new(window, before)
    blob = reference_stroke(SHAPE, painted, 41)
    key(window, Qt.Key.Key_Escape)  # nothing selected
    assert not window.document.selection

    erased = paint(window, Qt.Key.Key_R, [(130, 60), (130, 30)], 7, ALT)
    assert list(window.document.selection) == [ann_id]  # selected, as the eraser does
    assert np.array_equal(pixels(window, ann_id), blob & ~reference_stroke(SHAPE, erased, 7))

    # Alt+drag on empty canvas, nothing selected: nothing erased, nothing made
    key(window, Qt.Key.Key_Escape)
    steps = window.document.undo_stack.count()
    paint(window, Qt.Key.Key_R, [(150, 200), (250, 210)], 7, ALT)
    assert set(window.document.project.annotations) == before | {ann_id}
    assert window.document.undo_stack.count() == steps
