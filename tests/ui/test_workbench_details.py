"""Smaller things a labeling team trips over (issue 19, items 7 and 9): the polygon being drawn stands out
over masks, the first object starts an image, Properties' area and review state."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from tests.ui.conftest import ListRow, hover, settle, wait_loaded
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_workbench import click, draw_box, key, set_zoom, view_point

CTRL = Qt.KeyboardModifier.ControlModifier


def grey_project(folder: Path, with_mask: bool = True) -> Path:
    """One light-grey 200x160 image, category "red" (#ff0000), a red mask over most of it."""
    folder.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / "grey.png"), np.full((160, 200, 3), 200, np.uint8))
    project = new_project(["red"])
    project.categories[1].color = "#ff0000"
    project.add_image(ImageRecord(1, "grey.png", 200, 160, {"pixel_spacing": [0.5, 0.25]}))
    if with_mask:
        m = np.zeros((160, 200), bool)
        m[10:150, 10:190] = True
        rle = masks.encode(m)
        project.add_annotation(Annotation(1, 1, 1, masks.bbox(m), rle, int(m.sum()), source="manual"))
    path = folder / "project.json"
    save_project(project, path)
    return path


def open_window(qtbot, path: Path):  # type: ignore[no-untyped-def]
    win = new_window(qtbot)
    assert win.open_path(path)
    wait_loaded(qtbot, win)
    return win


def luminance(c: QColor) -> float:
    return 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()


def test_polygon_being_drawn_has_a_contrasting_outline_over_a_mask(qtbot, tmp_path, no_prompts) -> None:
    win = open_window(qtbot, grey_project(tmp_path))
    set_zoom(win, 2.0, center=(100, 80))
    key(win, Qt.Key.Key_Escape)  # nothing selected: the click starts a new polygon
    key(win, Qt.Key.Key_P)
    click(win, view_point(win, 40, 80))
    click(win, view_point(win, 160, 80))
    hover(win, view_point(win, 160, 120))
    settle()
    shot = win.canvas.viewport().grab().toImage()
    mid = view_point(win, 100, 80)
    column = [luminance(shot.pixelColor(mid.x(), mid.y() + dy)) for dy in range(-6, 7)]
    assert min(column) < 60, column  # the dark halo: visible over light pixels
    assert max(column) > 235, column  # the white line: visible over the red mask
    below = luminance(shot.pixelColor(mid.x(), mid.y() + 30))  # the mask itself, away from the line
    assert 60 < below < 235
    key(win, Qt.Key.Key_Escape)
    assert len(win.document.project.annotations) == 1


def test_first_object_moves_the_image_to_in_progress_in_the_same_undo_step(window) -> None:
    doc = window.document
    panel = window.panels["imagesDock"]
    assert doc.project.image_status(1) == "todo"
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    assert doc.project.image_status(1) == "in_progress"
    assert panel.status.currentText() == "In progress"
    draw_box(window, 140, 30, 200, 90)
    assert doc.project.image_status(1) == "in_progress"
    key(window, Qt.Key.Key_Z, CTRL)
    key(window, Qt.Key.Key_Z, CTRL)
    assert doc.project.image_status(1) == "todo" and not doc.project.annotations  # one undo step each
    assert panel.status.currentText() == "To do"
    key(window, Qt.Key.Key_Y, CTRL)
    assert doc.project.image_status(1) == "in_progress"


def test_a_done_image_stays_done_and_model_proposals_start_nothing(window) -> None:
    from pixelproof.core.edits import AddAnnotations, SetImageStatus

    doc = window.document
    doc.push(SetImageStatus(1, "done"))
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    assert doc.project.image_status(1) == "done"
    proposal = Annotation(99, 2, 1, [10, 10, 20, 20], 400, source="model:yolo/x@1", review="pending")
    doc.push(AddAnnotations([proposal], "Pre-label"))
    assert doc.project.image_status(2) == "todo"


def test_properties_area_with_thousands_and_mm2_and_drawn_objects_not_pending(
    qtbot, tmp_path, no_prompts
) -> None:
    win = open_window(qtbot, grey_project(tmp_path))
    panel = win.panels["propertiesDock"]
    set_zoom(win, 2.0, center=(100, 80))
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 100, 80))  # the mask: 140 x 180 = 25,200 px
    qtbot.waitUntil(lambda: panel.area_label.text() != "", timeout=10000)
    assert panel.area_label.text() == "25,200 px (3,150 mm²)"  # 0.5 x 0.25 mm per pixel
    assert panel.review.currentData() is None and "not reviewed" in panel.review.currentText()
    assert "review: not reviewed" in ListRow(win.panels["annotationsDock"].list, 0).toolTip()
    panel.review.setFocus()
    QTest.keyClick(panel.review, Qt.Key.Key_Down)  # -> Pending: a choice, one undo step
    ann = win.document.project.annotations[1]
    assert ann.review == "pending"
    QTest.keyClick(panel.review, Qt.Key.Key_Up)
    assert win.document.project.annotations[1].review is None
    win.document.undo_stack.setClean()


def test_properties_of_a_slide_object_read_in_microns(qtbot, tmp_path, no_prompts) -> None:
    """At 0.25 µm a pixel (a 40x slide) the area said "(0.00 mm²)" and the box was in pixels alone; under
    1 mm they read in µm, as the Measure tool's lengths."""
    path = grey_project(tmp_path)
    data = json.loads(path.read_text())
    data["images"][0]["pixel_spacing"] = [0.00025, 0.00025]
    path.write_text(json.dumps(data))
    win = open_window(qtbot, path)
    panel = win.panels["propertiesDock"]
    set_zoom(win, 2.0, center=(100, 80))
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 100, 80))  # the mask: 180 x 140 = 25,200 px
    qtbot.waitUntil(lambda: panel.area_label.text() != "", timeout=10000)
    assert panel.area_label.text() == "25,200 px (1,575 µm²)"  # 25,200 x 0.0625 µm²
    assert panel.geometry_label.text() == "x 10.0, y 10.0, 180.0 × 140.0 px (45.0 × 35.0 µm)"
    win.document.undo_stack.setClean()


def test_area_text() -> None:
    from pixelproof.core.measure import pixel_area_text as area_text

    assert area_text(1702450, None) == "1,702,450 px"
    assert area_text(12.5, None) == "12.5 px"
    assert area_text(4000, (0.1, 0.1)) == "4,000 px (40.00 mm²)"
    assert area_text(40, (0.1, 0.1)) == "40 px (400,000 µm²)"  # under 1 mm²: µm², as QuPath's areas
    assert area_text(341, (0.00025, 0.00025)) == "341 px (21.3 µm²)"  # a nucleus at 40x


def test_model_dock_shows_its_whole_form_at_1600_and_1366(qtbot, window) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QScrollArea

    dock = window.docks["modelDock"]
    panel = window.panels["modelDock"]
    dock.show()
    dock.raise_()
    for width, height in ((1600, 1000), (1366, 740)):
        window.resize(width, height)
        QTest.qWait(0)
        area = dock.widget()
        assert isinstance(area, QScrollArea)
        seen = area.viewport().rect()
        for button in (panel.backends.options.browse, panel.backends.combo):
            assert button.isVisible()
            top_left = button.mapTo(area.viewport(), button.rect().topLeft())
            assert seen.contains(QRect(top_left, button.size())), (width, button, top_left, seen)
