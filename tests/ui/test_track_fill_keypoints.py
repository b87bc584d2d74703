"""Shift+T (Tracks > Fill Between Frames) on a posed track, on the real window with real keys and clicks: a
person drawn with COCO keypoints on frames 0 and 3, its box clicked, Shift+T - frames 1 and 2 get poses
whose points the canvas draws where CVAT interpolates them (an occluded point stays occluded, a point not
labelled on frame 0 stays not labelled); before, the filled frames held boxes without keypoints. A point
dragged, or the box moved, on a key frame then moves the filled frames' points (the refill after a key's
edit)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from tests.ui.conftest import settle, wait_loaded
from tests.ui.test_slice_fill import show_in_select
from tests.ui.test_workbench import click, drag, key, set_zoom, view_point

SHIFT = Qt.KeyboardModifier.ShiftModifier
K0 = [16.0, 16.0, 2, 20.0, 24.0, 1, 30.0, 30.0, 0]
K3 = [28.0, 4.0, 2, 35.0, 33.0, 2, 40.0, 10.0, 2]


@pytest.fixture
def posed(tmp_path: Path, open_on):  # type: ignore[no-untyped-def]
    """Frames frame_000000..3.png of 48x48; track 7's person (nose, hand, foot) on frame 0 (#1) and 3 (#2)."""
    data = tmp_path / "data"
    data.mkdir()
    for f in range(4):
        cv2.imwrite(str(data / f"frame_{f:06d}.png"), np.zeros((48, 48), np.uint8))
    project = project_from_folder(data, tmp_path / "p.json", ["person"])
    project.categories[1].extra.update({"keypoints": ["nose", "hand", "foot"], "skeleton": [[1, 2]]})
    ids = {im.file_name: im.id for im in project.images.values()}
    frame = [ids[f"data/frame_{f:06d}.png"] for f in range(4)]
    for ann_id, (f, box, points) in enumerate(
        ((0, [16.0, 16.0, 16.0, 16.0], K0), (3, [28.0, 4.0, 16.0, 30.0], K3)), 1
    ):
        extra = {"track_id": 7, "keypoints": points, "num_keypoints": 2 if f == 0 else 3}
        project.add_annotation(Annotation(ann_id, frame[f], 1, box, area=box[2] * box[3], extra=extra))
    save_project(project, tmp_path / "p.json")
    return open_on(tmp_path / "p.json"), frame


def test_shift_t_fills_the_frames_between_with_interpolated_keypoints(qtbot, posed) -> None:
    win, frame = posed
    doc = win.document
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 26.5, 26.5))  # inside the box, away from its points
    assert [a.id for a in doc.selected_annotations()] == [1]
    key(win, Qt.Key.Key_T, SHIFT)
    settle()
    said = win.statusBar().currentMessage()
    assert said.startswith("Filled 2 frames of track 7 between 2 drawn frames"), said
    # by hand, frame 1 is 1/3 of the way: nose (16 + 12/3, 16 - 12/3), hand (20 + 5, 24 + 3) still
    # occluded, foot not labelled where it was on frame 0
    want = {
        frame[1]: [(20.0, 12.0, 2), (25.0, 27.0, 1), (30.0, 30.0, 0)],
        frame[2]: [(24.0, 8.0, 2), (30.0, 30.0, 1), (30.0, 30.0, 0)],
    }
    for image_id in (frame[1], frame[2]):
        key(win, Qt.Key.Key_D)  # the next frame, as a user walks the video
        wait_loaded(qtbot, win)
        assert doc.current_image_id == image_id
        entries = win.canvas.keypoints.entries
        (ann,) = doc.project.annotations_of(image_id)
        assert list(entries) == [ann.id]
        assert entries[ann.id].keypoints.points == [pytest.approx(p) for p in want[image_id]]
        assert entries[ann.id].keypoints.names == ["nose", "hand", "foot"]


def _points(doc, image_id: int) -> list[tuple[float, float, int]]:  # type: ignore[no-untyped-def]
    (ann,) = doc.project.annotations_of(image_id)
    values = ann.extra["keypoints"]
    return [(values[i], values[i + 1], values[i + 2]) for i in range(0, len(values), 3)]


def test_a_keypoint_dragged_on_a_key_frame_moves_the_filled_frames_points(qtbot, posed) -> None:
    """After Shift+T, frame 3's hand dragged from (35, 33) to (38, 30): the filled frames 1 and 2 follow it
    in the drag's undo step (the refill after a key's edit), as a box track's fills follow a moved box;
    their other points stay where they were interpolated."""
    win, frame = posed
    doc = win.document
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 26.5, 26.5))
    key(win, Qt.Key.Key_T, SHIFT)
    settle()
    show_in_select(qtbot, win, frame[3])
    drag(win, view_point(win, 35, 33), view_point(win, 38, 30))
    settle()
    assert _points(doc, frame[3])[1] == (pytest.approx(38.0, abs=0.2), pytest.approx(30.0, abs=0.2), 2)
    # hand (20, 24) occluded on frame 0 -> (38, 30): 1/3 and 2/3 of the way, still occluded
    assert _points(doc, frame[1])[1] == (pytest.approx(26.0, abs=0.1), pytest.approx(26.0, abs=0.1), 1)
    assert _points(doc, frame[2])[1] == (pytest.approx(32.0, abs=0.1), pytest.approx(28.0, abs=0.1), 1)
    assert _points(doc, frame[1])[0] == (pytest.approx(20.0), pytest.approx(12.0), 2)  # the nose as filled
    assert "next to the key follow it" in win.statusBar().currentMessage()
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo takes the drag and refill back
    settle()
    assert _points(doc, frame[1])[1] == (pytest.approx(25.0), pytest.approx(27.0), 1)
    assert _points(doc, frame[3])[1] == (35.0, 33.0, 2)


def test_a_posed_key_boxes_drag_moves_the_filled_frames_points(qtbot, posed) -> None:
    """Frame 0's box dragged 2 px right carries its points (nose 16 -> 18): frame 1's nose, 1/3 of the way
    to frame 3's, follows it (21.33, not 20)."""
    win, frame = posed
    doc = win.document
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 26.5, 26.5))
    key(win, Qt.Key.Key_T, SHIFT)
    settle()
    drag(win, view_point(win, 26.5, 26.5), view_point(win, 28.5, 26.5))
    settle()
    assert _points(doc, frame[0])[0] == (pytest.approx(18.0, abs=0.2), pytest.approx(16.0, abs=0.2), 2)
    assert _points(doc, frame[1])[0] == (pytest.approx(21.33, abs=0.1), pytest.approx(12.0, abs=0.1), 2)


def test_shift_t_on_a_one_point_cvat_pose_already_filled_pushes_no_undo_step(
    qtbot, tmp_path: Path, open_on
) -> None:
    """A CVAT skeleton track whose pose is one point (the tip; its base track never begun), keyed on frames
    0 and 4, CVAT's interpolation on 1-3: the pose clicked on frame 0 and Shift+T finds the filled frames
    up to date - the status bar says so and the undo stack does not grow. Before, Shift+T replaced the 3
    by themselves (their never placed base read 0 0 0, filled 0.0 0.0 0): a Ctrl+Z that did nothing."""
    from pixelproof.interop.cvat import read_cvat
    from tests.interop.test_cvat_skeleton_point_attributes import _task

    xml = _task(tmp_path / "cvat")
    text = xml.read_text()
    at = text.index('<track id="1" label="base"')
    xml.write_text(text[:at] + text[text.index("</track>", at) + len("</track>") :])
    project = read_cvat(xml.parent).project
    project.path = xml.parent / "video.json"  # beside annotations.xml: the file names are relative to it
    save_project(project, project.path)
    win = open_on(project.path)
    doc = win.document
    wait_loaded(qtbot, win)
    set_zoom(win, 8.0, (4, 2))
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 0, 1))  # the tip on frame 0
    (pose,) = doc.selected_annotations()
    assert pose.extra["keypoints"] == [0.0, 1.0, 2, 0, 0, 0]
    steps = doc.undo_stack.count()
    key(win, Qt.Key.Key_T, SHIFT)
    settle()
    said = win.statusBar().currentMessage()
    assert said.startswith("Fill Between Frames: nothing filled: the 3 frames filled earlier"), said
    assert doc.undo_stack.count() == steps
