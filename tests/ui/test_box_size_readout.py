"""A LabelMe or CVAT user reads a box's size while drawing or resizing it; PixelProof showed it only in the
Properties panel after the release. The status bar's tool line now reads width × height live, in image
pixels and in mm with a pixel spacing, and a message on the bar gives way to it mid-gesture. Real mouse and
key events on the real window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.geometry import handle_spot
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_measure_tool import spaced_project
from tests.ui.test_workbench import key, view_point

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


def line(win) -> str:  # type: ignore[no-untyped-def]
    return win.readout.target_label.whole


def test_a_box_being_drawn_reads_its_size_in_px_and_mm(qtbot, tmp_path: Path, no_prompts) -> None:
    win = open_main_window(qtbot, spaced_project(tmp_path))  # pixel_spacing 0.5 mm a row, 0.25 a column
    try:
        win.canvas.set_zoom(2.0)
        win.canvas.centerOn(QPointF(100, 80))
        key(win, Qt.Key.Key_B)
        win.shell.status("Opened a project", 60000)  # a message covers the tool's line
        vp = win.canvas.viewport()
        QTest.mousePress(vp, LEFT, NOMOD, view_point(win, 40, 30))
        QTest.mouseMove(vp, view_point(win, 90, 50))
        QTest.mouseMove(vp, view_point(win, 140, 70))
        assert line(win).startswith("Box: 100.0 × 40.0 px (25.00 × 20.00 mm) new “lesion” box")
        assert win.statusBar().currentMessage() == ""  # the live size is not hidden under the message
        assert win.readout.target_label.isVisible()
        assert not win.document.project.annotations  # read before the release, not after
        win.shell.status("“lesion” was hidden: shown again to draw with it", 60000)  # said mid-gesture
        QTest.mouseMove(vp, view_point(win, 141, 70))
        assert win.statusBar().currentMessage().endswith("to draw with it")  # stays: the gesture's own
        QTest.mouseRelease(vp, LEFT, NOMOD, view_point(win, 140, 70))
        assert len(win.document.project.annotations) == 1
        assert line(win).startswith("Box: drag to draw")  # the size was the drag's
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_box_being_resized_reads_its_size(qtbot, tmp_path: Path, no_prompts) -> None:
    path = make_project(tmp_path, n_images=1)  # no pixel spacing: pixels only
    project = load_project(path)
    project.add_annotation(Annotation(1, 1, 1, [50.0, 40.0, 60.0, 30.0], area=1800.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    try:
        win.canvas.set_zoom(2.0)
        win.canvas.centerOn(QPointF(100, 80))
        key(win, Qt.Key.Key_V)
        vp = win.canvas.viewport()
        QTest.mouseClick(vp, LEFT, NOMOD, view_point(win, 80, 55))
        assert win.document.selection == [1]
        corner = view_point(win, *handle_spot([50.0, 40.0, 60.0, 30.0], "br"))
        QTest.mousePress(vp, LEFT, NOMOD, corner)
        QTest.mouseMove(vp, view_point(win, 115, 75))
        QTest.mouseMove(vp, view_point(win, 130, 90))
        assert line(win) == "Select: resizing to 80.0 × 50.0 px; Esc cancels"
        QTest.mouseRelease(vp, LEFT, NOMOD, view_point(win, 130, 90))
        assert win.document.project.annotations[1].bbox == [50.0, 40.0, 80.0, 50.0]
        assert "resizing" not in line(win)
    finally:
        win.document.undo_stack.setClean()
        win.close()
