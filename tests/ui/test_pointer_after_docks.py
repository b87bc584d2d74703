"""The pointer resting over the canvas while the canvas moves under it: a dock widened, or hidden from the
View menu, moves and resizes the canvas without a mouse move. ``pointer_at`` (where a brush's ring goes)
and the status bar's position kept the old spot, a pixel the pointer was no longer over."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.conftest import make_project, open_main_window


@pytest.fixture
def win(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    w = open_main_window(qtbot, make_project(tmp_path, n_images=1, size=(240, 320)))
    yield w
    w.document.undo_stack.setClean()


def under(canvas, at: QPoint) -> str:  # type: ignore[no-untyped-def]
    """The status bar's text for the image pixel at viewport point ``at``."""
    p = canvas.mapToScene(at)
    return f"x {int(p.x())}, y {int(p.y())}"


def widen_left_docks(win) -> None:  # type: ignore[no-untyped-def]
    dock = win.docks["imagesDock"]
    win.resizeDocks([dock], [dock.width() + 150], Qt.Orientation.Horizontal)


def hide_left_docks(win) -> None:  # type: ignore[no-untyped-def]
    for name in ("imagesDock", "categoriesDock"):
        win.docks[name].toggleViewAction().trigger()  # as View > Panels does


@pytest.mark.parametrize("change", [widen_left_docks, hide_left_docks])
def test_the_pointer_and_its_readout_follow_a_dock_change_without_a_mouse_move(qtbot, win, change) -> None:
    canvas = win.canvas
    vp = canvas.viewport()
    start = vp.rect().center()
    qtbot.mouseMove(vp, start + QPoint(9, 7))  # a move (one to where the last test left the mouse is none)
    qtbot.mouseMove(vp, start)
    qtbot.waitUntil(lambda: win.readout.pos_label.text() == under(canvas, start), timeout=10000)
    assert canvas.pointer_at == start
    mouse = vp.mapToGlobal(start)  # where the mouse is, and stays

    before = canvas.mapToGlobal(QPoint(0, 0)), canvas.size()
    change(win)
    qtbot.waitUntil(lambda: (canvas.mapToGlobal(QPoint(0, 0)), canvas.size()) != before, timeout=10000)
    now = vp.mapFromGlobal(mouse)
    assert now != start  # the canvas moved under the pointer
    qtbot.waitUntil(lambda: canvas.pointer_at == now, timeout=10000)
    qtbot.waitUntil(lambda: win.readout.pos_label.text() == under(canvas, now), timeout=10000)
    assert under(canvas, now) != under(canvas, start)
