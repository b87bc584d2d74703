"""Ctrl+= / Ctrl+- zoom about the selection when it is on screen (as image editors keep a selection in
view), else about the pointer resting over the canvas (as the wheel zooms at the cursor), else about the
window's centre: a selected defect near the image's corner no longer leaves the screen as one zooms in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import hover, make_project, open_main_window, settle

CTRL = Qt.KeyboardModifier.ControlModifier


def corner_project(tmp_path: Path) -> Path:
    """One 1600x1200 image with a 40 px box near its top-left corner."""
    path = make_project(tmp_path, n_images=1, size=(1200, 1600))
    project = load_project(path)
    project.add_annotation(Annotation(1, 1, 1, [60.0, 60.0, 40.0, 40.0], None, 1600.0))
    save_project(project, path)
    return path


def zoom_keys(win, key: Qt.Key, times: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        QTest.keyClick(win.canvas, key, CTRL)
        settle()


def test_zoom_in_keeps_a_selected_object_near_a_corner_on_screen(qtbot, tmp_path: Path, no_prompts) -> None:
    win = open_main_window(qtbot, corner_project(tmp_path))
    c = win.canvas
    QTest.keyClick(c, Qt.Key.Key_V)  # the select tool
    QTest.keyClick(c, Qt.Key.Key_0, CTRL)
    settle()
    centre = QPointF(80.0, 80.0)  # the box's centre
    QTest.mouseClick(
        c.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, c.mapFromScene(centre)
    )
    assert win.document.selection == [1]
    vp = c.viewport().rect()
    hover(win, QPoint(vp.right() - 20, vp.bottom() - 20))  # the pointer rests far from it: the selection wins
    before, fit_zoom = c.mapFromScene(centre), c.zoom
    zoom_keys(win, Qt.Key.Key_Equal, 6)
    assert c.zoom > 3 * fit_zoom
    at = c.mapFromScene(centre)
    assert vp.contains(at), f"the selected box's centre left the view: {at} not in {vp}"
    assert (at - before).manhattanLength() <= 3  # it stays where it was on screen
    zoom_keys(win, Qt.Key.Key_Minus, 2)  # and zooming out again about it
    assert (c.mapFromScene(centre) - before).manhattanLength() <= 3


def test_zoom_keys_without_a_selection_zoom_at_the_pointer_then_the_centre(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    """No selection: about the pointer over the canvas; once it has left, and with the selection scrolled
    off screen, about the window's centre."""
    win = open_main_window(qtbot, corner_project(tmp_path))
    c = win.canvas
    QTest.keyClick(c, Qt.Key.Key_0, CTRL)
    settle()
    assert not win.document.selection
    p = QPoint(120, 100)
    hover(win, p)
    under = c.mapToScene(p)
    zoom_keys(win, Qt.Key.Key_Equal, 4)
    assert (c.mapFromScene(under) - p).manhattanLength() <= 3  # the image point under the pointer stays
    QApplication.sendEvent(c.viewport(), QEvent(QEvent.Type.Leave))  # the pointer leaves the canvas
    win.document.set_selection([1])
    c.center_on(QPointF(1200.0, 900.0))  # the selected box far off screen
    vp = c.viewport().rect()
    middle = c.mapToScene(vp.center())
    zoom_keys(win, Qt.Key.Key_Equal, 2)
    assert (c.mapFromScene(middle) - vp.center()).manhattanLength() <= 3
