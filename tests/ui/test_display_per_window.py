"""The Masks menu's display settings (Show Categories, fill opacity, Outline only) belong to their window's
canvas: two windows open side by side (two projects, or the main window and another) each keep their own. They
lived on the canvas item class, so hiding dog in one window hid every window's dogs while that window's menu
still said dog was shown, and its opacity slider faded the other window's fills. Real key and mouse events
on the real windows' menus and toolbars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.masks import encode
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_hidden_categories import set_shown, shown_in_menu
from tests.ui.test_workbench import draw_box, key, set_zoom

CAT, DOG = 1, 2
CAT_BOX, DOG_BOX, DOG_MASK = 1, 2, 3
# (x, y) inside each object, on the 320 x 240 image
INSIDE = {CAT_BOX: (50.0, 50.0), DOG_BOX: (200.0, 50.0), DOG_MASK: (120.0, 170.0)}


def labelled_project(folder: Path) -> Path:
    """One image with a cat box, a dog box and a dog mask."""
    path = make_project(folder, n_images=1)
    project = load_project(path)
    project.add_annotation(Annotation(CAT_BOX, 1, CAT, [20.0, 20.0, 60.0, 60.0], area=3600.0))
    project.add_annotation(Annotation(DOG_BOX, 1, DOG, [170.0, 20.0, 60.0, 60.0], area=3600.0))
    mask = np.zeros((240, 320), dtype=np.uint8)
    mask[140:200, 90:150] = 1
    project.add_annotation(
        Annotation(DOG_MASK, 1, DOG, [90.0, 140.0, 60.0, 60.0], encode(mask), float(mask.sum()))
    )
    save_project(project, path)
    return path


@pytest.fixture
def two_windows(qtbot, tmp_path: Path, no_prompts):
    wins = [open_main_window(qtbot, labelled_project(tmp_path / name)) for name in ("a", "b")]
    for win in wins:
        set_zoom(win, 1.0)
    yield wins
    for win in wins:
        win.document.undo_stack.setClean()
        win.close()


def activate(win) -> None:  # type: ignore[no-untyped-def]
    win.activateWindow()
    QTest.qWaitForWindowActive(win)


def selectable(win) -> set[int]:  # type: ignore[no-untyped-def]
    """What Select All (Ctrl+A, the window active) takes: the objects drawn."""
    activate(win)
    key(win, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    chosen = set(win.document.selection)
    key(win, Qt.Key.Key_Escape)
    return chosen


def colours(win) -> dict[int, np.ndarray]:  # type: ignore[no-untyped-def]
    """The canvas's pixel (RGB) inside each object, as drawn on screen."""
    canvas = win.canvas
    img = canvas.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    out = {}
    for ann_id, (x, y) in INSIDE.items():
        p = canvas.mapFromScene(QPointF(x, y))
        c = img.pixelColor(p.x(), p.y())
        out[ann_id] = np.array([c.red(), c.green(), c.blue()], dtype=int)
    return out


def same(a: dict[int, np.ndarray], b: dict[int, np.ndarray]) -> bool:
    return all(np.abs(a[k] - b[k]).max() <= 1 for k in a)


def test_hiding_a_category_in_one_window_hides_nothing_in_another(two_windows) -> None:
    a, b = two_windows
    everything = {CAT_BOX, DOG_BOX, DOG_MASK}
    assert selectable(a) == selectable(b) == everything
    activate(a)
    set_shown(a, "dog", False)
    assert selectable(a) == {CAT_BOX}
    assert selectable(b) == everything  # b's dogs are still drawn
    assert shown_in_menu(b) == {"cat": True, "dog": True}
    assert b.canvas.items_by_id[DOG_MASK].isVisible() and not a.canvas.items_by_id[DOG_MASK].isVisible()
    activate(b)
    set_shown(b, "cat", False)  # b hides cat: a keeps its cats, and its dogs hidden
    assert selectable(b) == {DOG_BOX, DOG_MASK}
    assert selectable(a) == {CAT_BOX}
    assert shown_in_menu(a) == {"cat": True, "dog": False}


def test_an_edit_that_shows_a_hidden_category_again_shows_it_only_in_its_window(two_windows) -> None:
    """b draws a dog while dog is hidden in both: b shows dog again (an edit never makes what it makes
    vanish); a, where nothing was drawn, keeps dog hidden."""
    a, b = two_windows
    for win in (a, b):
        activate(win)
        set_shown(win, "dog", False)
    activate(b)
    key(b, Qt.Key.Key_2)  # the current category: dog
    new = draw_box(b, 250.0, 150.0, 300.0, 200.0)
    assert shown_in_menu(b) == {"cat": True, "dog": True} and b.canvas.items_by_id[new].isVisible()
    assert shown_in_menu(a) == {"cat": True, "dog": False}
    assert selectable(a) == {CAT_BOX}


def test_the_opacity_slider_and_outline_only_of_one_window_leave_another_as_it_was(two_windows) -> None:
    a, b = two_windows
    full_a, full_b = colours(a), colours(b)
    activate(a)
    slider = a.masks_menu.opacity_slider
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_Home)  # a's fills off
    assert slider.value() == 0
    bare_a = colours(a)
    assert all(np.abs(bare_a[k] - full_a[k]).max() > 10 for k in INSIDE)  # a's box and mask fills gone
    assert same(colours(b), full_b)  # b's fills as they were
    assert b.masks_menu.opacity_slider.value() == 100
    QTest.keyClick(slider, Qt.Key.Key_End)
    assert same(colours(a), full_a)
    activate(b)
    box = b.masks_menu.outline_box
    assert box.isVisible()
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())  # b: Outline only
    assert b.masks_menu.act_outline_only.isChecked() and not a.masks_menu.act_outline_only.isChecked()
    assert same(colours(b), bare_a)  # b outlines only, as a with no fill (the same picture)
    assert same(colours(a), full_a)


def test_the_opacity_and_outline_only_come_back_in_the_next_window(qtbot, tmp_path: Path, no_prompts) -> None:
    """The Masks menu's fill opacity and Outline only were the window's for the session only: closed and
    opened again, the window showed full fills whatever they said. They are saved with the window's view
    settings when it closes and restored in the next window; what is hidden is not (a category hidden at
    the last session's end would hide objects unseen: it stays per project, this session)."""
    path = labelled_project(tmp_path / "a")
    win = open_main_window(qtbot, path)
    slider = win.masks_menu.opacity_slider
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_End)
    for _ in range(3):
        QTest.keyClick(slider, Qt.Key.Key_PageDown)
    opacity = slider.value()
    assert 0 < opacity < 100
    box = win.masks_menu.outline_box
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert win.masks_menu.act_outline_only.isChecked()
    set_shown(win, "dog", False)
    win.close()

    win = open_main_window(qtbot, path)
    menu = win.masks_menu
    assert menu.opacity_slider.value() == opacity and menu.act_outline_only.isChecked()
    assert menu.outline_box.isChecked() and win.canvas.show_filter.fill_opacity == 0.0  # outlines only
    assert shown_in_menu(win) == {"cat": True, "dog": True}
    box = menu.outline_box
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())  # fills again, at the opacity
    assert win.canvas.show_filter.fill_opacity == pytest.approx(opacity / 100)
    win.close()

    win = open_main_window(qtbot, path)
    assert not win.masks_menu.act_outline_only.isChecked()
    assert win.masks_menu.opacity_slider.value() == opacity
    assert win.canvas.show_filter.fill_opacity == pytest.approx(opacity / 100)
    win.close()


# "²": a digit to str.isdigit, refused by int()
@pytest.mark.parametrize("raw", ["", "abc", "-5", "250", "1e9", "[1]", "nan", "²", "5²"])
def test_a_damaged_saved_opacity_opens_with_full_fills(qtbot, tmp_path: Path, no_prompts, raw: str) -> None:
    """A hand-edited or damaged settings file: the window opens (no crash) with the default full fills,
    not with 0 (which would hide them) nor a value off the slider."""
    from pixelproof.ui.settings import settings

    settings().setValue("view/fill_opacity", raw)
    settings().setValue("view/outline_only", raw)
    win = open_main_window(qtbot, labelled_project(tmp_path / "a"))
    assert win.masks_menu.opacity_slider.value() == 100 and not win.masks_menu.act_outline_only.isChecked()
    assert win.canvas.show_filter.fill_opacity == 1.0
    win.close()
