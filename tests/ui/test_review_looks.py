"""How the canvas shows review states: pending model predictions (dashed, their score in the tag, hidden by
the Show slider below its cut), accepted objects (labels) and rejected ones (a reviewer said they are
wrong: their own look and tag, never taken for pending, never hidden by the slider). The slider's cut
belongs to its window's canvas: another window keeps its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_workbench import key

MODEL = "model:yolo-onnx/yolo11n.onnx@1"
DIAMOND = [[420.0, 300.0, 520.0, 360.0, 420.0, 420.0, 320.0, 360.0]]
PENDING_BOX, PENDING_POLYGON, ACCEPTED, REJECTED, MANUAL = 1, 2, 3, 4, 5


def reviewed_project(folder: Path, rejected: bool = True) -> Path:
    """One image: a pending box and a pending polygon scoring 0.30, a model box accepted, a model box scoring
    0.30 a reviewer rejected (unless not ``rejected``), a box drawn by hand."""
    path = make_project(folder, n_images=1, size=(480, 640))
    project = load_project(path)
    model = {"source": MODEL, "score": 0.3}
    project.add_annotation(
        Annotation(PENDING_BOX, 1, 1, [40.0, 60.0, 200.0, 120.0], review="pending", **model)
    )
    project.add_annotation(
        Annotation(
            PENDING_POLYGON, 1, 2, [320.0, 300.0, 200.0, 120.0], DIAMOND, 12000.0, review="pending", **model
        )
    )
    project.add_annotation(
        Annotation(ACCEPTED, 1, 1, [340.0, 60.0, 200.0, 120.0], review="accepted", **model)
    )
    if rejected:
        project.add_annotation(
            Annotation(REJECTED, 1, 2, [40.0, 300.0, 200.0, 120.0], review="rejected", **model)
        )
    project.add_annotation(Annotation(MANUAL, 1, 1, [560.0, 200.0, 60.0, 60.0], source="manual"))
    save_project(project, path)
    return path


def open_with_model_panel(qtbot, path: Path):  # type: ignore[no-untyped-def]
    win = open_main_window(qtbot, path)
    win.docks["modelDock"].show()
    win.docks["modelDock"].raise_()
    return win


@pytest.fixture
def two_windows(qtbot, tmp_path: Path, no_prompts):
    wins = [open_with_model_panel(qtbot, reviewed_project(tmp_path / name, False)) for name in ("a", "b")]
    yield wins
    for win in wins:
        win.document.undo_stack.setClean()
        win.close()


def slider_of(win):  # type: ignore[no-untyped-def]
    return win.panels["modelDock"].review.score_slider


def raise_slider(win, pages: int) -> None:
    """PageUp on the Show slider (a page is 0.10), focused as a click on it would."""
    slider = slider_of(win)
    win.activateWindow()
    QTest.qWaitForWindowActive(win)
    slider.setFocus()
    for _ in range(abs(pages)):
        QTest.keyClick(slider, Qt.Key.Key_PageUp if pages > 0 else Qt.Key.Key_PageDown)


def selectable(win) -> set[int]:
    """What Select All (Ctrl+A on the canvas, its window active) takes: the objects drawn, as a click or a
    band may pick."""
    win.activateWindow()
    QTest.qWaitForWindowActive(win)
    key(win, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    chosen = set(win.document.selection)
    key(win, Qt.Key.Key_Escape)
    return chosen


def test_the_show_slider_of_one_window_hides_nothing_in_another(qtbot, two_windows) -> None:
    """The cut lived on the item class: the slider moved in one window hid the other window's predictions
    too (its own slider still at 0.00), and a box of the layer and an item alike."""
    a, b = two_windows
    everything = {PENDING_BOX, PENDING_POLYGON, ACCEPTED, MANUAL}
    assert selectable(a) == selectable(b) == everything
    raise_slider(a, 5)
    assert slider_of(a).value() == 50 and slider_of(b).value() == 0
    assert selectable(b) == everything
    assert selectable(a) == everything - {PENDING_BOX, PENDING_POLYGON}
    assert b.canvas.items_by_id[PENDING_POLYGON].isVisible()
    b.document.set_current_image(1)  # the other window redraws (an edit, another image): still its own cut
    b.canvas.refresh_display()
    assert selectable(b) == everything
    raise_slider(b, 2)  # 0.20: below the predictions' 0.30, the first window keeps hiding them
    assert selectable(a) == everything - {PENDING_BOX, PENDING_POLYGON}
    assert selectable(b) == everything
    raise_slider(a, -5)
    assert selectable(a) == everything
