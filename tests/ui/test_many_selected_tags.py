"""Select All on a crowd of objects names those it has room for, not every one (``tag_layout``): a slide's
cells selected all at once were each named, their tags covering the picture; a few selected
(``MANY_SELECTED`` or fewer) are each named whatever they cover, as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.polygon_layer import MANY_SELECTED
from tests.ui.conftest import make_project, open_main_window, settle
from tests.ui.test_workbench import key

COLS, ROWS = 20, 10
N = COLS * ROWS
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(params=["polygon", "box"])
def crowd(request, qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """200 objects 30 px wide (wide enough for their tags, ``tag_fits``) and 10 high, 12 px apart at 100 %:
    each tag is wider than the room between them."""
    path = make_project(tmp_path, n_images=1, size=(320, 640))
    project = load_project(path)
    for ann_id in range(1, N + 1):
        x, y = 10.0 + ((ann_id - 1) % COLS) * 12.0, 10.0 + ((ann_id - 1) // COLS) * 12.0
        seg = [[x + 15, y, x + 30, y + 5, x + 15, y + 10, x, y + 5]] if request.param == "polygon" else []
        project.add_annotation(Annotation(ann_id, 1, 1 + ann_id % 2, [x, y, 30.0, 10.0], seg, 150.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(1.0)
    win.canvas.centerOn(QPointF(130, 70))
    key(win, Qt.Key.Key_V)
    yield win
    win.document.undo_stack.setClean()


def named(win) -> tuple[list[int], list[tuple[float, float, float, float]]]:
    """The selected objects' tags drawn: ids (the layer's and the items') and the layer's tags' rectangles
    (x0, y0, x1, y1, screen pixels)."""
    settle()
    win.canvas.flush_tags()
    layer = win.canvas.box_layer
    ids, codes, x, y = layer.chosen_tags.spots(win.canvas.scale_xy)
    sizes = [layer.tags.tag_size(int(c)) for c in codes.tolist()]
    rects = [(a, b, a + w, b + h) for a, b, (w, h) in zip(x.tolist(), y.tolist(), sizes, strict=True)]
    items = [
        it.ann_id
        for it in win.canvas.scene().items()
        if getattr(it, "_label", None) is not None
        and it._label.isVisible()
        and it.ann_id in win.document.selection
    ]
    return ids.tolist() + items, rects


def test_select_all_on_a_crowd_names_those_with_room_and_a_few_selected_are_all_named(crowd) -> None:
    win = crowd
    few = list(range(1, 11))  # ten neighbours: their tags cover each other, each named all the same
    win.document.set_selection(few)
    ids, _ = named(win)
    assert sorted(ids) == few
    key(win, Qt.Key.Key_A, CTRL)
    assert len(win.document.selection) == N > MANY_SELECTED
    ids, rects = named(win)
    assert 0 < len(ids) < N  # some named, not every one
    for k, (a0, b0, a1, b1) in enumerate(rects):  # none of those named covers another's
        for c0, d0, c1, d1 in rects[k + 1 :]:
            assert a1 <= c0 or c1 <= a0 or b1 <= d0 or d1 <= b0
    key(win, Qt.Key.Key_Escape)
    win.document.set_selection(few)
    assert sorted(named(win)[0]) == few  # a few again: every one named
