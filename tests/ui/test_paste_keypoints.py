"""Ctrl+C / Ctrl+V of a posed object into another project, on the real window with real keys and clicks:
a category naming other keypoints leaves it out (the status bar says why, the others are pasted); one naming
none takes the copied names and skeleton in the paste's undo step; on a smaller image the points stay at
their pixels."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from tests.ui.conftest import open_main_window, wait_loaded
from tests.ui.test_workbench import click, key, set_zoom, view_point

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
PERSON = ["nose", "left_eye", "right_eye"]


def _saved(tmp_path: Path, name: str, project: Project, size: tuple[int, int], *anns: Annotation) -> Path:
    """``project`` with one image ``name``.png of ``size`` (h, w) holding ``anns``, saved."""
    h, w = size
    cv2.imwrite(str(tmp_path / f"{name}.png"), np.full((h, w, 3), 90, np.uint8))
    project.add_image(ImageRecord(1, f"{name}.png", w, h))
    for a in anns:
        project.add_annotation(a)
    save_project(project, tmp_path / f"{name}.json")
    return tmp_path / f"{name}.json"


@pytest.fixture
def copied(qtbot, tmp_path: Path, no_prompts):
    """The window after Ctrl+C of a posed person and a car (clicked) on a 320 x 240 image."""
    p = new_project(["person", "car"])
    p.categories[1].extra.update({"keypoints": list(PERSON), "skeleton": [[1, 2], [1, 3]]})
    coco = {"keypoints": [120, 30, 2, 165, 50, 2, 0, 0, 0], "num_keypoints": 2}
    person = Annotation(1, 1, 1, [110.0, 20.0, 60.0, 60.0], area=3600.0, extra=coco)
    car = Annotation(2, 1, 2, [200.0, 120.0, 40.0, 30.0], area=1200.0)
    win = open_main_window(qtbot, _saved(tmp_path, "source", p, (240, 320), person, car))
    set_zoom(win, 1.0)
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 140, 70))  # inside the person's box, away from its points
    click(win, view_point(win, 220, 135), SHIFT)
    assert sorted(win.document.selection) == [1, 2]
    key(win, Qt.Key.Key_C, CTRL)
    yield win
    win.document.undo_stack.setClean()
    win.close()


def _open(qtbot, win, path: Path) -> None:
    win.document.undo_stack.setClean()
    assert win.open_path(path)
    wait_loaded(qtbot, win)
    win.canvas.setFocus()


def test_a_person_naming_other_keypoints_is_left_out_and_the_car_pasted(qtbot, copied, tmp_path) -> None:
    other = new_project(["person", "car"])
    other.categories[1].extra["keypoints"] = ["nose", "tail"]
    _open(qtbot, copied, _saved(tmp_path, "dogs", other, (240, 320)))
    key(copied, Qt.Key.Key_V, CTRL)
    project = copied.document.project
    (car,) = project.annotations.values()
    assert car.category_id == 2 and car.bbox == [200.0, 120.0, 40.0, 30.0]
    assert project.categories[1].extra == {"keypoints": ["nose", "tail"]}
    assert copied.statusBar().currentMessage() == (
        "Pasted 1 object at the same place; 1 object left out: its 3 keypoints are named by the copied"
        " person, and here person names other keypoints (2: nose, tail)"
    )


def test_a_person_naming_none_takes_the_names_and_the_points_stay_on_a_smaller_image(
    qtbot, copied, tmp_path
) -> None:
    _open(qtbot, copied, _saved(tmp_path, "plain", new_project(["person", "car"]), (120, 160)))
    key(copied, Qt.Key.Key_V, CTRL)
    project = copied.document.project
    (person,) = project.annotations.values()  # the car lies outside this 160 x 120 image
    assert project.categories[1].extra == {"keypoints": PERSON, "skeleton": [[1, 2], [1, 3]]}
    assert person.bbox == [110.0, 20.0, 50.0, 60.0]  # cut at x = 160; its points not squeezed into it
    assert person.extra["keypoints"] == [120, 30, 2, 160.0, 50, 0, 0, 0, 0]
    assert "Pasted 1 object at the same place; 1 object left out" in copied.statusBar().currentMessage()
    key(copied, Qt.Key.Key_Z, CTRL)  # one step takes the object and the names back
    assert project.annotations == {} and project.categories[1].extra == {}
    assert copied.act_undo.text() == "&Undo"


def test_a_yolo_pose_object_into_a_pose_dataset_of_another_kpt_shape_is_refused_and_said(
    qtbot, tmp_path, no_prompts
) -> None:
    """Ctrl+C of a YOLO pose person (kpt_shape [3, 3]), Ctrl+V into a pose dataset of kpt_shape [17, 3]:
    nothing pasted, the status bar says why (before, it was pasted and a pose export wrote 17 points of
    which 14 were made up as absent)."""
    p = new_project(["person"])
    p.extra["yolo_pose"] = {"kpt_shape": [3, 3]}
    yolo = {
        "keypoints": [0.375, 0.125, 2, 0.5, 0.2, 2, 0, 0, 0],
        "kpt_shape": [3, 3],
        "box": [0.4, 0.2, 0.2, 0.2],
    }
    person = Annotation(1, 1, 1, [96.0, 24.0, 64.0, 48.0], area=3072.0, extra={"yolo": yolo})
    win = open_main_window(qtbot, _saved(tmp_path, "source", p, (240, 320), person))
    try:
        set_zoom(win, 1.0)
        key(win, Qt.Key.Key_V)
        click(win, view_point(win, 150, 60))  # inside the box, away from its points
        assert sorted(win.document.selection) == [1]
        key(win, Qt.Key.Key_C, CTRL)
        other = new_project(["person"])
        other.extra["yolo_pose"] = {"kpt_shape": [17, 3]}
        _open(qtbot, win, _saved(tmp_path, "coco8", other, (240, 320)))
        key(win, Qt.Key.Key_V, CTRL)
        assert win.document.project.annotations == {}
        assert win.statusBar().currentMessage() == (
            "Nothing pasted: 1 object left out: its 3 YOLO keypoints are of kpt_shape [3, 3], and this "
            "project's pose dataset is of kpt_shape [17, 3]"
        )
    finally:
        win.document.undo_stack.setClean()
        win.close()
