"""Shift+T (Edit > Fill Between Frames) on a posed track, on the real window with real keys and clicks: a
person drawn with COCO keypoints on frames 0 and 3, its box clicked, Shift+T - frames 1 and 2 get poses
whose points the canvas draws where CVAT interpolates them (an occluded point stays occluded, a point not
labelled on frame 0 stays not labelled); before, the filled frames held boxes without keypoints."""

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
from tests.ui.test_workbench import click, key, view_point

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
