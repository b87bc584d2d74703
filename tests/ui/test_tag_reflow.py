"""A layout of the tags redone from the one before (``tag_layout.place``): a click at 1:1 among 20,000
boxes placed every one of the ~7,000 tags around the window again (40 ms); now only those the change reaches.
The result must be the layout made from nothing: checked against an exhaustive placement (every tag tried
against every one placed, ``test_tag_pile.exhaustive``) over random changes of a random scene, against the
whole placement where piles leave tags out untried, and in the app after clicks at 1:1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas import tag_layout
from pixelproof.ui.canvas.tag_layout import BELOW, LEFT_OUT, place, place_tags
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_tag_pile import exhaustive, tags
from tests.ui.test_workbench import click, key


class Scene:
    """Tags of objects (their ids, anchors, heights, tag widths) tried by a fixed priority (larger first),
    some objects selected: their tags and handles fixed where they are."""

    def __init__(
        self, rng: np.random.Generator, n: int, extent: float, pile: bool = False, first_id: int = 1
    ) -> None:
        self.rng, self.extent, self.pile = rng, extent, pile
        self.next_id = first_id
        self.objects: dict[int, tuple[float, float, float, float, float]] = {}
        self.selected: set[int] = set()
        for _ in range(n):
            self.add()

    def add(self) -> None:
        at = self.rng.uniform(0, 40, 2) if self.pile and self.rng.random() < 0.5 else None
        x, y = at if at is not None else self.rng.uniform(0, self.extent, 2)
        h, w = self.rng.uniform(10, 80), self.rng.uniform(30, 90)
        self.objects[self.next_id] = (float(round(x)), float(round(y)), h, w, self.rng.random())
        self.next_id += 1

    def inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(slots, order, fixed, keys) as ``relayout`` gives them to ``place``."""
        keys = np.array(sorted(set(self.objects) - self.selected), dtype=np.int64)
        rows = np.array([self.objects[k] for k in keys.tolist()]).reshape(-1, 5)
        slots = tags(rows[:, :2], rows[:, 2], rows[:, 3])
        order = np.lexsort((keys, -rows[:, 4]))
        fixed = [np.array([[400.0, 300, 409, 309]])]
        for k in sorted(self.selected):
            x, y, _, w, _ = self.objects[k]
            fixed.append(np.array([[x, y - 21, x + w, y - 5], [x - 4, y - 4, x + 5, y + 5]]))
        perm = self.rng.permutation(len(keys))  # the candidates come in any order: only ``order`` counts
        return slots[perm], np.argsort(perm)[order], np.concatenate(fixed), keys[perm]

    def change(self) -> None:
        """A click (another object selected), a shift-click, an object drawn, deleted or moved."""
        ids = list(self.objects)
        what = self.rng.integers(5)
        if what == 0:
            self.selected = {int(self.rng.choice(ids))}
        elif what == 1:
            self.selected ^= {int(self.rng.choice(ids))}
        elif what == 2:
            self.add()
        elif what == 3:
            gone = int(self.rng.choice(ids))
            del self.objects[gone]
            self.selected.discard(gone)
        else:
            k = int(self.rng.choice(ids))
            x, y, h, w, p = self.objects[k]
            self.objects[k] = (x + float(self.rng.integers(-30, 30)), y, h, w, p)


@pytest.mark.parametrize(("seed", "first_id"), [(0, 1), (1, 1), (2, 2**63 - 2000), (3, -(2**63))])
def test_a_layout_redone_after_each_change_is_the_one_made_from_nothing(
    seed: int, first_id: int, monkeypatch
) -> None:
    """600 tags, crowded in places; 40 changes in a row, each layout made from the one before it: the
    exhaustive placement every time, and not by placing all again; object ids as large or small as a file
    may give them."""
    whole = []
    real = tag_layout._place
    # layouts of the crowd, not of the few selected objects' tags (placed first, among themselves)
    monkeypatch.setattr(tag_layout, "_place", lambda *a: (len(a[0]) > 10 and whole.append(1)) or real(*a))
    scene = Scene(np.random.default_rng(seed), 600, 900, first_id=first_id)
    last = place(*scene.inputs(), None)
    seen_below = seen_left_out = False
    for _ in range(40):
        scene.change()
        slots, order, fixed, keys = scene.inputs()
        last = place(slots, order, fixed, keys, last)
        assert (last.chosen == exhaustive(slots, order, fixed)).all()
        seen_below |= bool((last.chosen == BELOW).any())
        seen_left_out |= bool((last.chosen == LEFT_OUT).any())
    assert len(whole) == 1 and seen_below and seen_left_out  # the first layout only


@pytest.mark.parametrize("seed", range(3))
def test_a_layout_redone_over_piles_is_the_whole_placement(seed: int) -> None:
    """Half the objects in a pile (more than ``MAX_TRIES`` tags on one spot, the rest left out untried): a
    change moves tags into and out of the ones tried; the redone layout is ``place_tags``' every time."""
    scene = Scene(np.random.default_rng(100 + seed), 400, 600, pile=True)
    last = place(*scene.inputs(), None)
    for _ in range(40):
        scene.change()
        slots, order, fixed, keys = scene.inputs()
        last = place(slots, order, fixed, keys, last)
        assert (last.chosen == place_tags(slots, order, fixed)).all()


def test_a_zoom_places_all_again(monkeypatch) -> None:
    """Every slot moved (another zoom): the tags are placed from nothing, the same result."""
    scene = Scene(np.random.default_rng(7), 300, 700)
    slots, order, fixed, keys = scene.inputs()
    last = place(slots, order, fixed, keys, None)
    whole = []
    real = tag_layout._place
    # layouts of the crowd, not of the few selected objects' tags (placed first, among themselves)
    monkeypatch.setattr(tag_layout, "_place", lambda *a: (len(a[0]) > 10 and whole.append(1)) or real(*a))
    zoomed = place(slots * 1.2, order, fixed * 1.2, keys, last)
    assert whole == [1] and (zoomed.chosen == exhaustive(slots * 1.2, order, fixed * 1.2)).all()


@pytest.fixture
def crowd(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """2,500 boxes of random sizes and a few polygons crowded on a 1600x1200 image, the select tool on."""
    path = make_project(tmp_path, n_images=1, size=(1200, 1600))
    project = load_project(path)
    rng = np.random.default_rng(5)
    for k in range(1, 2501):
        w, h = (float(v) for v in rng.uniform(15, 160, 2).round())
        x, y = float(round(rng.uniform(0, 1600 - w))), float(round(rng.uniform(0, 1200 - h)))
        if k % 100:
            project.add_annotation(Annotation(k, 1, 1 + k % 2, [x, y, w, h], area=w * h))
        else:
            seg = [[x, y + h, x + w / 2, y, x + w, y + h]]
            project.add_annotation(Annotation(k, 1, 1 + k % 2, [x, y, w, h], seg, area=w * h / 2))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    key(win, Qt.Key.Key_V)
    yield win
    win.document.undo_stack.setClean()


def test_clicks_at_full_size_lay_the_tags_out_as_from_nothing(crowd, monkeypatch) -> None:
    """At 1:1, a click on one box, on another, a Shift-click, a click on empty ground: each time the tags
    shown where a layout from nothing puts them, and no layout of all the tags made after the first."""
    win = crowd
    canvas = win.canvas
    canvas.set_zoom(1.0)
    canvas.centerOn(QPointF(800, 600))
    canvas.flush_tags()
    layer = canvas.box_layer
    whole = []
    real = tag_layout._place
    # layouts of the crowd, not of the few selected objects' tags (placed first, among themselves)
    monkeypatch.setattr(tag_layout, "_place", lambda *a: (len(a[0]) > 10 and whole.append(1)) or real(*a))
    vp = canvas.viewport().rect()
    spots = [
        vp.center() + QPointF(dx, dy).toPoint() for dx, dy in ((0, 0), (90, 40), (-150, -60), (200, -120))
    ]
    picked = [canvas.annotation_at(p)[0] for p in spots]
    assert None not in picked and len(set(picked)) == 4
    for n, at in enumerate(spots):
        click(win, at, Qt.KeyboardModifier.ShiftModifier if n == 2 else Qt.KeyboardModifier.NoModifier)
        canvas.flush_tags()
        assert picked[n] in win.document.selection
        redone = (dict(layer.tags._sides), layer.tags._placed[canvas.scale_xy])
        canvas.tag_placement = None  # from nothing
        tag_layout.relayout(canvas)
        assert dict(layer.tags._sides) == redone[0]
        assert all(
            (a == b).all() for a, b in zip(layer.tags._placed[canvas.scale_xy], redone[1], strict=True)
        )
    assert len(whole) == 4  # the layouts from nothing of the test, none of the clicks'
    assert any(side == BELOW for side in redone[0].values())


def test_a_layout_redone_from_one_without_a_tag_placed() -> None:
    """Every tag left out (each slot under a fixed rectangle), then one freed: nothing taken to list."""
    slots = tags(np.array([[100.0, 100], [300, 100]]), np.array([40.0, 40]), np.array([50.0, 50]))
    cover = np.array([[0.0, 0, 1000, 1000]])
    keys, order = np.array([5, 9]), np.array([0, 1])
    last = place(slots, order, cover, keys, None)
    assert (last.chosen == LEFT_OUT).all()
    freed = place(slots, order, np.array([[0.0, 0, 200, 1000]]), keys, last)
    assert freed.chosen.tolist() == [LEFT_OUT, 0]
    assert place(slots[:0], order[:0], cover, keys[:0], freed).chosen.tolist() == []
