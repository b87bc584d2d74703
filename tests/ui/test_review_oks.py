"""The review view's Objects table shows each pair's OKS when the image has objects with keypoints on both
sides, and hides the column on an image without any (as it hides the ids and Dice when short of room)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.demo import install_demo
from pixelproof.ui.review.object_table import OKS
from pixelproof.ui.review.tables import format_value
from tests.ui.test_review import enter_review, image_ids, open_window, wait_image


def _with_keypoints(path: Path, image_id: int, shift: float) -> None:
    """Give every object of ``image_id`` three COCO keypoints: its box's two top corners and centre."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for a in data["annotations"]:
        if a["image_id"] == image_id:
            x, y, w, h = a["bbox"]
            a["keypoints"] = [x + shift, y, 2, x + w, y + shift, 2, x + w / 2, y + h / 2, 1]
            a["num_keypoints"] = 3
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def keypoint_demo(tmp_path: Path) -> Path:
    project = install_demo(tmp_path / "demo")
    first = json.loads(project.read_text(encoding="utf-8"))["images"][0]["id"]
    _with_keypoints(project.parent / "reference.json", first, 0.0)
    _with_keypoints(project, first, 3.0)
    return project


def test_objects_table_shows_oks_by_need(qtbot, keypoint_demo: Path, no_prompts) -> None:
    win = open_window(qtbot, keypoint_demo)
    enter_review(qtbot, win)
    view = win.review.view
    first = json.loads(keypoint_demo.read_text(encoding="utf-8"))["images"][0]["id"]
    view.select_image(first)
    wait_image(qtbot, view)
    model, table = view.object_model, view.object_table
    pairs = [n for n, r in enumerate(model.rows) if r.oks is not None]
    assert pairs and model.headerData(OKS, Qt.Orientation.Horizontal) == "OKS"
    qtbot.waitUntil(lambda: not table.isColumnHidden(OKS))
    for n in pairs:
        assert model.index(n, OKS).data() == format_value("oks", model.rows[n].oks)
        assert 0.5 < model.rows[n].oks < 1  # a few pixels off on coin-sized objects
    missed = next((n for n, r in enumerate(model.rows) if r.oks is None), None)
    if missed is not None:
        assert model.index(missed, OKS).data() == "n/a"
    # the next image (D; A from the last row) has no keypoints: the column goes; back: it is there again
    ids = image_ids(view)
    at = ids.index(first)
    step, back = (Qt.Key.Key_D, Qt.Key.Key_A) if at + 1 < len(ids) else (Qt.Key.Key_A, Qt.Key.Key_D)
    QTest.keyClick(table, step)
    assert view.image_id == ids[at + 1 if step == Qt.Key.Key_D else at - 1]
    wait_image(qtbot, view)
    qtbot.waitUntil(lambda: table.isColumnHidden(OKS))
    QTest.keyClick(table, back)
    assert view.image_id == first
    qtbot.waitUntil(lambda: not table.isColumnHidden(OKS))
    win.document.undo_stack.setClean()
    win.close()
