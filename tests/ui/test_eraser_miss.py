"""An eraser stroke that misses the selected mask erases nothing, as documented (the eraser erases from the
selected mask), and says so: a labeler coming from LabelMe who selected one coin and rubbed out part of
another saw nothing happen and no word why. Real mouse and key events on the canvas viewport."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from tests.ui.test_mask_tools import (  # noqa: F401  (default_options: autouse fixture, default settings)
    default_options,
    key,
    only_new,
    paint,
    pixels,
    set_view,
)


def test_an_eraser_stroke_off_the_selected_mask_says_nothing_was_erased_and_how_to_erase_there(
    window,
) -> None:
    set_view(window, 2.0)
    before = set(window.document.project.annotations)
    paint(window, Qt.Key.Key_R, [(60, 60), (100, 60)], 31)
    left = only_new(window, before)
    paint(window, Qt.Key.Key_R, [(220, 60), (260, 60)], 31)  # away from the left one: a new mask
    right = only_new(window, before | {left})
    assert window.document.selection == [right]
    left_pixels, right_pixels = pixels(window, left), pixels(window, right)
    steps = window.document.undo_stack.count()

    paint(window, Qt.Key.Key_E, [(50, 60), (110, 60)], 9)  # across the left mask; the right one selected
    assert np.array_equal(pixels(window, left), left_pixels)
    assert np.array_equal(pixels(window, right), right_pixels)
    assert window.document.undo_stack.count() == steps
    said = window.statusBar().currentMessage()
    assert said.startswith(f"Nothing erased: the stroke did not touch #{right} cat")
    assert "Esc" in said

    key(window, Qt.Key.Key_Escape)  # as the message says: unselect, then the stroke erases where it starts
    assert window.document.selection == []
    paint(window, Qt.Key.Key_E, [(50, 60), (110, 60)], 9)
    assert not np.array_equal(pixels(window, left), left_pixels)
    assert window.document.selection == [left]
    assert window.document.undo_stack.undoText() == "Erase"
