"""The Images filter's problem terms with real keys: ``problems>0`` typed before a run says to find
problems, lists the images with one after F6, follows X, a fix and their undo; D / A walk only those images;
the Problems list's context menu "Filter Images to These" puts its term into the Images filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, settle
from tests.ui.test_images_bulk_status import choose_from_context_menu
from tests.ui.test_images_filter import _shown, _type
from tests.ui.test_problems_panel import click_row, find, rows

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
WITH_PROBLEMS = ["img0.png", "img2.png", "img4.png"]  # images 1, 3, 5


def box(aid: int, image: int, bbox: list[float], cid: int = 1) -> Annotation:
    return Annotation(aid, image, cid, [float(v) for v in bbox], None, bbox[2] * bbox[3])


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """(Overrides conftest's.) Five images: 1 a cat and its duplicate; 2 a cat; 3 a 1-px cat (tiny);
    4 a dog; 5 a dog half outside (out of bounds)."""
    path = make_project(tmp_path, n_images=5)
    p = load_project(path)
    for ann in (
        box(1, 1, [40, 40, 80, 60]),
        box(2, 1, [40.5, 40, 80, 60]),
        box(3, 2, [100, 100, 60, 50]),
        box(4, 3, [200, 100, 1, 1]),
        box(5, 4, [10, 10, 60, 50], cid=2),
        box(6, 5, [280, 150, 80, 50], cid=2),
    ):
        p.add_annotation(ann)
    save_project(p, path)
    return path


@pytest.fixture
def win(problems_window):  # type: ignore[no-untyped-def]
    return problems_window


def _key(win, k, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(win, k, modifier)


def test_problems_term_before_and_after_a_run_and_d_walks_only_those_images(qtbot, win) -> None:
    images, doc = win.panels["imagesDock"], win.document
    _type(images, "problems>0")
    note = images.filter_note.text()
    assert "problem finder has not run" in note and "Find Problems (F6)" in note

    find(qtbot, win)  # F6, the filter box still holding the keys
    qtbot.waitUntil(lambda: _shown(images) == WITH_PROBLEMS, timeout=10000)
    assert images.filter_note.text() == "3 of 5 images"

    QTest.mouseClick(images.filter, Qt.MouseButton.LeftButton)
    doc.set_current_image(2)  # an image without a problem: Enter shows the first listed
    QTest.keyClick(images.filter, Qt.Key.Key_Return)
    assert doc.current_image_id == 1 and win.canvas.hasFocus()
    seen = [doc.current_image_id]
    for _ in range(3):
        _key(win, Qt.Key.Key_D)
        seen.append(doc.current_image_id)
    assert seen == [1, 3, 5, 5]
    assert "Last image the Images filter shows (3 of 5)" in win.statusBar().currentMessage()
    _key(win, Qt.Key.Key_A)
    assert doc.current_image_id == 3

    # a term on a kind, as lint names it or as the panel spells it
    _type(images, 'problem:"out of bounds"')
    assert _shown(images) == ["img4.png"]
    _type(images, "problem:tiny")
    assert _shown(images) == ["img2.png"]
    _type(images, "problem:tiyn")
    assert "no problem kind “tiyn”" in images.filter_note.text()


def test_the_list_follows_not_a_problem_a_fix_and_the_lowest_score(qtbot, win) -> None:
    images = win.panels["imagesDock"]
    panel = find(qtbot, win)
    _type(images, "problems>0")
    assert _shown(images) == WITH_PROBLEMS

    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "tiny"))
    win.canvas.setFocus()
    _key(win, Qt.Key.Key_X)  # not a problem: image 3 has no other
    qtbot.waitUntil(lambda: _shown(images) == ["img0.png", "img4.png"], timeout=10000)
    _key(win, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: _shown(images) == WITH_PROBLEMS, timeout=10000)

    click_row(qtbot, panel, next(r for r, (k, _) in enumerate(rows(panel)) if k == "out_of_bounds"))
    win.canvas.setFocus()
    _key(win, Qt.Key.Key_F, SHIFT)  # the clip fix: image 5 has no problem left
    qtbot.waitUntil(lambda: _shown(images) == ["img0.png", "img2.png"], timeout=10000)

    panel.min_score.setFocus()
    QTest.keyClick(panel.min_score, Qt.Key.Key_A, CTRL)
    QTest.keyClicks(panel.min_score, "0.95")  # only the duplicate (0.99) scores so high
    qtbot.waitUntil(lambda: _shown(images) == ["img0.png"], timeout=10000)


def _menu_item(qtbot, table):  # type: ignore[no-untyped-def]
    """The context menu's item opened on ``table`` (enabled?, text), the menu closed with Esc."""
    found: list[tuple[bool, str]] = []

    def look() -> None:
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(20, look)
            return
        found.extend((a.isEnabled(), a.text()) for a in menu.actions())
        QTest.keyClick(menu, Qt.Key.Key_Escape)

    QTimer.singleShot(0, look)
    pos = table.viewport().rect().center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, table.viewport().mapToGlobal(pos))
    QApplication.sendEvent(table.viewport(), event)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=10000)
    return found


def _back_to(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """The window active again after a menu, as a desktop makes it (the offscreen platform leaves the
    closed menu active: a window shortcut then goes nowhere)."""
    win.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=10000)


def test_filter_images_to_these_from_the_problems_list(qtbot, win, tmp_path: Path) -> None:
    images, doc = win.panels["imagesDock"], win.document
    panel = win.panels["problemsDock"]
    panel.show_dock()
    settle()
    assert _menu_item(qtbot, panel.table) == [(False, "Filter Images to These: problems>0")]  # no run yet

    _back_to(qtbot, win)
    find(qtbot, win)
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findData("tiny"))
    texts = choose_from_context_menu(qtbot, panel.table, 0, "Filter Images to These")
    assert texts == ["Filter Images to These: problem:tiny"]
    assert images.filter.text() == "problem:tiny" and _shown(images) == ["img2.png"]
    assert doc.current_image_id == 3 and win.focusWidget() is win.canvas  # the keys back: D walks the list
    _back_to(qtbot, win)
    _key(win, Qt.Key.Key_D)
    assert doc.current_image_id == 3
    assert "Last image the Images filter shows (1 of 5)" in win.statusBar().currentMessage()

    panel.kind_filter.setCurrentIndex(0)  # all kinds
    choose_from_context_menu(qtbot, panel.table, 0, "Filter Images to These")
    assert images.filter.text() == "problems>0" and _shown(images) == WITH_PROBLEMS

    # another project: the last run was of the one before
    other = make_project(tmp_path / "other", n_images=2)
    assert win.open_path(other)
    qtbot.waitUntil(lambda: "problem finder has not run" in images.filter_note.text(), timeout=10000)


def test_a_misspelt_problem_kind_is_named_in_the_app_not_sent_to_the_command_line(qtbot, win) -> None:
    """``problem:tiyn`` typed after F6: the note names the kind meant, ``tiny``, where it pointed to
    ``lint --kinds``, a command a labeler at the app has no terminal for."""
    images = win.panels["imagesDock"]
    _type(images, "problems>0")
    find(qtbot, win)
    qtbot.waitUntil(lambda: _shown(images) == WITH_PROBLEMS, timeout=10000)
    _type(images, "problem:tiyn")
    note = images.filter_note.text()
    assert "no problem kind “tiyn”; kinds: tiny" in note
    assert "lint" not in note and "--" not in note
