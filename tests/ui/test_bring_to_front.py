"""Edit > Bring to Front (+) and Send to Back (-), by real keys and clicks (``ui.object_order``): where two
objects overlap, a click took the smaller, whichever was drawn on top, and nothing changed which was drawn
on top. Now the object in front is drawn over the other and is what a click there selects; + and - move the
selection to the front or the back as one named undo step, and an undo puts the stacking back. View > Hide
Other Objects (Ctrl+Shift+H) shows the selected objects alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import hover, make_project, row_ids
from tests.ui.test_workbench import click, key, view_point

LOW, HIGH = 1, 2  # two objects overlapping on (90..140, 90..140); HIGH is drawn later, on top
OVERLAP, LOW_ONLY, OFF = (115.0, 115.0), (60.0, 60.0), (310.0, 230.0)
CTRL, SHIFT, ALT = (
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.AltModifier,
)


@pytest.fixture(params=["box", "mask"])
def win(request, tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """LOW (40..140) and the bigger HIGH (90..200) overlap, neither inside the other; box 3 elsewhere."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    p = load_project(path)
    for ann_id, (x0, y0, x1, y1) in {LOW: (40, 40, 140, 140), HIGH: (90, 90, 200, 210)}.items():
        box = [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]
        if request.param == "box":
            p.add_annotation(Annotation(ann_id, 1, ann_id, box, area=box[2] * box[3]))
        else:
            m = np.zeros((240, 320), dtype=bool)
            m[y0:y1, x0:x1] = True
            p.add_annotation(Annotation(ann_id, 1, ann_id, masks.bbox(m), masks.encode(m), float(m.sum())))
    p.add_annotation(Annotation(3, 1, 1, [250.0, 20.0, 40.0, 40.0], area=1600.0))
    save_project(p, path)
    w = open_on(path)
    w.canvas.set_zoom(1.0)
    w.canvas.centerOn(QPointF(160, 120))
    key(w, Qt.Key.Key_V)
    hover(w, view_point(w, *OFF))
    return w


def pick(win, at: tuple[float, float]) -> list[int]:  # type: ignore[no-untyped-def]
    key(win, Qt.Key.Key_Escape)
    click(win, view_point(win, *at))
    return list(win.document.selection)


def rows(panel) -> list[int]:  # type: ignore[no-untyped-def]
    return row_ids(panel.list)


def test_plus_brings_the_selected_object_to_the_front_and_a_click_then_takes_it(win, qtbot) -> None:
    doc = win.document
    assert pick(win, OVERLAP) == [HIGH]  # drawn on top (it is the bigger: the smallest took LOW)
    assert pick(win, LOW_ONLY) == [LOW]
    key(win, Qt.Key.Key_Plus)
    assert doc.project.annotation_ids_of(1) == [HIGH, 3, LOW]
    panel = win.panels["annotationsDock"]
    qtbot.waitUntil(lambda: rows(panel) == [HIGH, 3, LOW], timeout=10000)  # its rows, back to front
    assert doc.undo_stack.undoText() == "Bring object to front" and doc.selection == [LOW]
    assert pick(win, OVERLAP) == [LOW]
    key(win, Qt.Key.Key_Z, CTRL)  # one undo step: HIGH on top again
    assert doc.project.annotation_ids_of(1) == [LOW, HIGH, 3]
    assert pick(win, OVERLAP) == [HIGH]
    key(win, Qt.Key.Key_Minus)  # HIGH, selected, sent to the back
    assert doc.undo_stack.undoText() == "Send object to back"
    assert doc.project.annotation_ids_of(1) == [HIGH, LOW, 3]
    assert pick(win, OVERLAP) == [LOW]
    key(win, Qt.Key.Key_Minus)  # LOW: behind HIGH
    key(win, Qt.Key.Key_Minus)  # already at the back: no step
    assert doc.undo_stack.count() == 2 and pick(win, OVERLAP) == [HIGH]


def test_the_canvas_draws_the_object_in_front_over_the_other(win) -> None:
    canvas = win.canvas
    at = view_point(win, *OVERLAP)
    assert pick(win, LOW_ONLY) == [LOW]
    key(win, Qt.Key.Key_Escape)
    before = canvas.viewport().grab().toImage().pixelColor(at)
    click(win, view_point(win, *LOW_ONLY))
    key(win, Qt.Key.Key_Plus)
    key(win, Qt.Key.Key_Escape)
    hover(win, view_point(win, *OFF))
    after = canvas.viewport().grab().toImage().pixelColor(at)
    assert after != before  # LOW's colour over HIGH's there now


def test_hide_others_keeps_the_selected_objects_alone_in_sight(win) -> None:
    assert pick(win, LOW_ONLY) == [LOW]
    key(win, Qt.Key.Key_H, CTRL | SHIFT)
    assert win.canvas.show_filter.objects == {HIGH, 3}
    assert pick(win, OVERLAP) == [LOW]  # HIGH is hidden: a click passes it over
    key(win, Qt.Key.Key_H, SHIFT | ALT)
    assert win.canvas.show_filter.objects == set()
