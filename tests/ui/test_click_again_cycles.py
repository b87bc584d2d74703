"""An annotator of overlapping instances (cells, people in a crowd) clicks where three objects lie one on
another: the first click takes the smallest, as before, but a click again on it kept it, and the ones under
it could be reached only by hiding it (Shift+H). A click again on the object alone selected now takes the
next one under the pointer, round to the first, as CVAT and LabelMe users expect; a quick second click (a
double-click to Qt) counts too, a drag still moves the selected one, and a click where only one object lies
keeps it. Real mouse events on the real window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_workbench import LEFT, NOMOD, click, drag, view_point


@pytest.fixture
def stacked(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """A big mask 1, a polygon 2 on it and a small box 3 on both (all over (100, 100)); box 4 alone."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    m = np.zeros((240, 320), np.uint8)
    m[40:200, 40:280] = 1
    project.add_annotation(Annotation(1, 1, 1, [40.0, 40.0, 240.0, 160.0], masks.encode(m), float(m.sum())))
    poly = [70.0, 70.0, 150.0, 70.0, 150.0, 150.0, 70.0, 150.0]
    project.add_annotation(Annotation(2, 1, 2, [70.0, 70.0, 80.0, 80.0], [poly], 6400.0))
    project.add_annotation(Annotation(3, 1, 1, [90.0, 90.0, 20.0, 20.0], None, 400.0))
    project.add_annotation(Annotation(4, 1, 2, [250.0, 205.0, 30.0, 30.0], None, 900.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(160, 120)
    yield win
    win.document.undo_stack.setClean()
    win.close()


def test_a_click_again_takes_the_next_object_under_the_pointer(stacked) -> None:
    win = stacked
    doc = win.document
    messages: list[str] = []
    win.canvas.message.connect(messages.append)
    at = view_point(win, 100, 100)
    click(win, at)
    assert doc.selection == [3]  # the smallest, as before
    click(win, at)
    assert doc.selection == [2] and messages[-1] == "Object 2 of 3 here (click again for the next)"
    click(win, at)
    assert doc.selection == [1]
    click(win, at)
    assert doc.selection == [3]  # round to the first
    QTest.mouseDClick(win.canvas.viewport(), LEFT, NOMOD, at)  # a quick second click, as Qt delivers it
    QTest.mouseRelease(win.canvas.viewport(), LEFT, NOMOD, at)
    assert doc.selection == [2]
    drag(win, at, view_point(win, 110, 100))  # a drag moves the one selected, under the box, and no cycling
    assert doc.selection == [2] and doc.project.annotations[2].bbox == [80.0, 70.0, 80.0, 80.0]
    assert doc.project.annotations[3].bbox == [90.0, 90.0, 20.0, 20.0]
    alone = view_point(win, 265, 220)
    click(win, alone)
    click(win, alone)
    assert doc.selection == [4]  # nothing under it: kept
    click(win, view_point(win, 100, 100), Qt.KeyboardModifier.ShiftModifier)  # Shift+click still adds
    assert sorted(doc.selection) == [3, 4]
