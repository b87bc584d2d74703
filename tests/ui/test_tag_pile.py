"""Tags of a pile: thousands of objects stacked on one spot (a retail shelf photo, an aerial crowd) each
tried a spot for its tag at every zoom step (20,000 objects: 0.1 s a step). A few dozen tags fit there at
most; past ``MAX_TRIES`` tags whose spots fall in the same cells, the rest are left out without trying.
Checked against an exhaustive placement (every tag tried against every one placed), and in the app."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.tag_layout import BELOW, LEFT_OUT, MAX_TRIES, place_tags
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_selection_cost import on_screen
from tests.ui.test_workbench import click, key, view_point


def exhaustive(slots: np.ndarray, order: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Each tag in ``order`` takes its first slot overlapping no fixed rectangle and no tag placed before."""
    taken = [tuple(r) for r in fixed.tolist()]
    chosen = np.full(len(slots), LEFT_OUT)
    for i in order.tolist():
        for s, (x0, y0, x1, y1) in enumerate(slots[i].tolist()):
            if all(not (x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1) for b in taken):
                taken.append((x0, y0, x1, y1))
                chosen[i] = s
                break
    return chosen


def tags(anchors: np.ndarray, heights: np.ndarray, w: np.ndarray, h: float = 16.0) -> np.ndarray:
    """(n, 2, 4): each object's tag above its top-left corner ``anchors`` and below its bottom."""
    x, y = anchors[:, 0], anchors[:, 1]
    above = np.stack([x, y - h, x + w, y], axis=1)
    below = np.stack([x, y + heights, x + w, y + heights + h], axis=1)
    return np.stack([above, below], axis=1)


@pytest.mark.parametrize("seed", range(4))
def test_scattered_tags_are_placed_as_by_trying_every_one(seed: int) -> None:
    """No pile: every tag is tried, the placement is the exhaustive one (tags crowded in places, some
    overlapping the fixed rectangles of a selection)."""
    rng = np.random.default_rng(seed)
    n = 600
    slots = tags(rng.uniform(0, 900, (n, 2)), rng.uniform(10, 80, n), rng.uniform(30, 90, n))
    order = rng.permutation(n)
    fixed = np.array([[100.0, 100, 180, 116], [400, 300, 409, 309]])
    chosen = place_tags(slots, order, fixed)
    assert (chosen == exhaustive(slots, order, fixed)).all()
    assert (chosen == BELOW).any() and (chosen == LEFT_OUT).any()


@pytest.mark.parametrize("spread", [0.0, 6.0, 40.0])
def test_a_pile_leaves_out_what_does_not_fit_as_trying_every_one_does(spread: float) -> None:
    """5,000 objects on one spot (to ``spread`` pixels), of a few heights: the tags shown are the ones the
    exhaustive placement shows, the rest left out, none over another."""
    rng = np.random.default_rng(1)
    n = 5000
    slots = tags(200 + rng.uniform(0, spread, (n, 2)), rng.choice([40.0, 70.0], n), np.full(n, 60.0))
    order = np.argsort(-rng.uniform(size=n), kind="stable")
    chosen = place_tags(slots, order, np.zeros((0, 4)))
    assert (chosen == exhaustive(slots, order, np.zeros((0, 4)))).all()
    shown = chosen != LEFT_OUT
    assert 2 <= shown.sum() < MAX_TRIES


@pytest.fixture
def pile(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """600 boxes stacked on one spot of a 320x240 image (each a little bigger than the last), zoomed in."""
    path = make_project(tmp_path, n_images=1)
    project = load_project(path)
    rng = np.random.default_rng(0)
    for k in range(600):
        x, y = 100 + rng.uniform(0, 4), 80 + rng.uniform(0, 4)
        w, h = 40 + k * 0.05, 30 + k * 0.05
        project.add_annotation(Annotation(k + 1, 1, 1 + k % 2, [x, y, w, h], area=w * h))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(3.0)
    win.canvas.centerOn(QPointF(130, 100))
    key(win, Qt.Key.Key_V)
    yield win
    win.document.undo_stack.setClean()


def test_a_pile_in_the_app_shows_a_few_tags_none_over_another(pile) -> None:
    """A few tags show around the pile, none over another; the others are left out (the pointer on an
    object shows its name); a click picks the object in front there and names it, and what is on screen is
    what a full repaint shows."""
    win = pile
    layer = win.canvas.box_layer
    z = win.canvas.zoom
    shown = []
    ids, codes = layer.arrays()[0].tolist(), layer.tag_codes().tolist()
    code_of = dict(zip(ids, codes, strict=True))
    for ann_id, box in layer.boxes.items():
        side = layer.tags.side_of(ann_id)
        if side != LEFT_OUT:
            w, h = layer.tags.tag_size(code_of[ann_id])
            x, y = box.x * z, (box.y + box.h) * z if side == BELOW else box.y * z - h
            shown.append((x, y, x + w, y + h))
    assert 2 <= len(shown) < MAX_TRIES
    for a, r in enumerate(shown):
        for s in shown[a + 1 :]:
            assert not (r[0] < s[2] - 1 and s[0] < r[2] - 1 and r[1] < s[3] - 1 and s[1] < r[3] - 1), (r, s)
    click(win, view_point(win, 110, 90))
    (picked,) = win.document.selection  # the one in front of those whose box holds no other's there
    boxes = {a.id: a.bbox for a in win.document.project.annotations_of(1)}
    here = [i for i, (x, y, w, h) in boxes.items() if x <= 110 <= x + w and y <= 90 <= y + h]

    def holds(i: int) -> bool:
        x, y, w, h = boxes[i]
        return any(
            j != i and boxes[j] != boxes[i] and x <= bx and y <= by and bx + bw <= x + w and by + bh <= y + h
            for j in here
            for bx, by, bw, bh in [boxes[j]]
        )

    assert picked == max(i for i in here if not holds(i))  # drawn in id order: the highest is in front
    shown_now, fresh = on_screen(win)
    assert shown_now == fresh


def test_past_max_tries_in_the_same_cells_a_tag_is_left_out_untried() -> None:
    """The bound itself: ``MAX_TRIES`` wide tags on one spot find no room beside a selected object's tag;
    a narrow one after them, which would fit, is left out untried. One spot over, it is tried and shown."""
    n = MAX_TRIES + 1
    widths = np.r_[np.full(MAX_TRIES, 80.0), 20.0]
    slots = tags(np.full((n, 2), 100.0), np.full(n, 30.0), widths)
    fixed = np.array([[125.0, 70, 300, 150]])  # covers both spots but for 25 pixels on the left
    order = np.arange(n)
    assert exhaustive(slots, order, fixed)[-1] == 0  # the narrow one fits above
    assert place_tags(slots, order, fixed)[-1] == LEFT_OUT
    slots[-1] = tags(np.array([[40.0, 100.0]]), np.array([30.0]), np.array([20.0]))[0]
    assert place_tags(slots, order, fixed)[-1] == 0
