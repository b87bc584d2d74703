"""The copies of the tags cut by the window's edge (``PinnedTags``) are searched for once a click: a click
among 20,000 boxes searched them three times (after the layout, and at the hover mark's change on the press
and on the release), ~4 ms each at 1:1. The search is kept (``tag_cuts.LayerCuts``) until something it reads
changes; these tests check it is kept no longer: after a pan, a zoom, a selection, a drag, an edit, an undo,
the copies are those a search from nothing finds, and drawn where they say."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas import pinned_tags, tag_cuts
from tests.ui.conftest import make_project, open_main_window, settle
from tests.ui.test_tags_in_window import wheel_zoom_in
from tests.ui.test_workbench import click, drag, key, view_point

CTRL = Qt.KeyboardModifier.ControlModifier


def box_of(col: int, row: int) -> list[float]:
    return [10.0 + 40 * col, 15.0 + 40 * row, 30.0, 22.0]


@pytest.fixture
def grid(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """48 boxes (8 x 6, cat and dog) on a 320x240 image, at 400 % on its middle: the window's edges cut
    many tags. Select tool."""
    path = make_project(tmp_path, n_images=1, size=(240, 320))
    project = load_project(path)
    for n in range(48):
        box = box_of(n % 8, n // 8)
        project.add_annotation(Annotation(n + 1, 1, 1 + n % 2, box, area=box[2] * box[3]))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    key(win, Qt.Key.Key_V)
    win.canvas.set_zoom(4.0)
    win.canvas.centerOn(QPointF(160, 120))
    yield win
    win.document.undo_stack.setClean()


@pytest.fixture
def searches(monkeypatch):  # type: ignore[no-untyped-def]
    """How many times the box layer's cut tags were searched (not taken from the last search)."""
    count = [0]
    search = tag_cuts.LayerCuts._search

    def counted(self, *args):  # type: ignore[no-untyped-def]
        count[0] += 1
        return search(self, *args)

    monkeypatch.setattr(tag_cuts.LayerCuts, "_search", counted)
    return count


def frame(win) -> None:  # type: ignore[no-untyped-def]
    settle()
    win.canvas.viewport().grab()  # a frame: the tags a zoom or a pan moved are placed before it
    settle()


def copies(win) -> list[tuple[int, float, float, int]]:  # type: ignore[no-untyped-def]
    """The copies drawn now (viewport pixels, the tag's pixmap)."""
    t = win.canvas.viewportTransform()
    dx, dy = round(t.dx()), round(t.dy())
    return [(i, x + dx, y + dy, pm.cacheKey()) for i, x, y, pm in win.canvas.pinned.pinned]


def searched_from_nothing(win) -> list[tuple[int, float, float, int]]:  # type: ignore[no-untyped-def]
    canvas = win.canvas
    kept, canvas.pinned.cuts = canvas.pinned.cuts, tag_cuts.LayerCuts()
    try:
        t = canvas.viewportTransform()
        found = pinned_tags.cut_tags(canvas, round(t.dx()), round(t.dy()))
    finally:
        canvas.pinned.cuts = kept
    return [(i, x, y, pm.cacheKey()) for i, x, y, pm in found]


def assert_copies_current(win) -> None:  # type: ignore[no-untyped-def]
    """The copies are those a search from nothing finds, and the last one (drawn over the others) shows its
    tag's colour where it says."""
    frame(win)
    now = copies(win)
    assert now, "no tag is cut by the window's edge here"
    assert now == searched_from_nothing(win)
    _, x, y, _ = now[-1]
    pm = win.canvas.pinned.pinned[-1][3]
    img = win.canvas.viewport().grab().toImage()
    r = img.devicePixelRatio()
    assert img.pixelColor(int((x + 1) * r), int((y + 1) * r)) == pm.toImage().pixelColor(1, 1), (x, y)


def test_a_click_searches_the_cut_tags_once_and_hovering_not_at_all(qtbot, grid, searches) -> None:
    win = grid
    frame(win)
    assert copies(win) == searched_from_nothing(win) != []
    for col, row in ((3, 2), (4, 3), (3, 3)):
        before = searches[0]
        x, y, w, h = box_of(col, row)
        click(win, view_point(win, x + w / 2, y + h / 2))
        frame(win)
        assert win.document.selection == [row * 8 + col + 1]
        assert searches[0] - before == 1  # the press, the layout and the release's hover shared one
        assert copies(win) == searched_from_nothing(win)
    before = searches[0]
    vp = win.canvas.viewport()
    for col, row in ((4, 2), (3, 2), (4, 3)):  # the hover mark moves from box to box: nothing it reads
        x, y, w, h = box_of(col, row)
        QTest.mouseMove(vp, view_point(win, x + w / 2, y + h / 2))
        frame(win)
        assert win.canvas.hover.ann_id == row * 8 + col + 1
    assert searches[0] == before


def test_the_copies_follow_a_pan_a_zoom_a_selection_a_drag_an_edit_and_its_undo(qtbot, grid) -> None:
    win = grid
    canvas, doc = win.canvas, win.document
    assert_copies_current(win)
    bar = canvas.horizontalScrollBar()
    bar.setValue(bar.value() + 37)  # a pan: the scene's origin moves in the window
    assert_copies_current(win)
    win.resize(win.width() - 90, win.height() - 70)  # the window's edges move
    assert_copies_current(win)
    wheel_zoom_in(canvas, QPointF(170, 110))  # a zoom at the pointer
    assert_copies_current(win)
    vp = canvas.viewport()

    def corner_out(i: int) -> bool:
        corner = view_point(win, *box_of((i - 1) % 8, (i - 1) // 8)[:2])
        return corner.x() < 0 or corner.y() < 0

    top = next(i for i, *_ in copies(win) if corner_out(i))  # its tag out of the window: it has a copy
    x, y, w, h = box_of((top - 1) % 8, (top - 1) // 8)
    body = view_point(win, x + w - 3, y + h - 3)  # the part of it in the window
    assert vp.rect().contains(body)
    click(win, body)
    assert doc.selection == [top]
    assert_copies_current(win)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, body)
    QTest.mouseMove(vp, body + QPoint(60, 0))
    QTest.mouseMove(vp, body + QPoint(120, 0))  # a drag's preview: the selected box's tag moves along
    assert_copies_current(win)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, body + QPoint(120, 0))
    moved = doc.project.annotations[top].bbox
    assert moved[0] > x + 10  # the edit
    assert_copies_current(win)
    key(win, Qt.Key.Key_Z, CTRL)
    assert doc.project.annotations[top].bbox == [x, y, w, h]
    assert_copies_current(win)
    drag(win, view_point(win, 300, 230), view_point(win, 300, 230))  # empty space: nothing selected
    key(win, Qt.Key.Key_Escape)
    assert_copies_current(win)
