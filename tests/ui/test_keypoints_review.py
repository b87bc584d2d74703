"""The review view's panes draw the keypoints of the objects they show (``ReviewPane.set_keypoints``, the
canvas's ``KeypointLayer``): the reference pane the reference's, the candidate pane the project's, and the
candidate preview (no reference chosen) the project's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF

from pixelproof.core.demo import install_demo
from tests.ui.test_review import opened


def _pose(file: Path, dx: float) -> None:
    """Each object of a COCO file given a visible keypoint at its box's centre (moved ``dx`` px)."""
    data = json.loads(file.read_text())
    for a in data["annotations"]:
        x, y, w, h = a["bbox"]
        a["keypoints"], a["num_keypoints"] = [round(x + w / 2 + dx, 2), round(y + h / 2, 2), 2], 1
    file.write_text(json.dumps(data))


@pytest.fixture
def posed_review(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    path = install_demo(tmp_path / "demo")
    _pose(path, 0.0)
    _pose(path.parent / "reference.json", 3.0)
    yield from opened(qtbot, path, review=True)


def _drawn(pane, x: float, y: float) -> bool:
    """Whether the pane's keypoint layer changes the pixel at image point (x, y)."""
    at = pane.mapFromScene(QPointF(x, y))
    with_points = pane.viewport().grab().toImage().pixelColor(at)
    pane.keypoints.setVisible(False)
    without = pane.viewport().grab().toImage().pixelColor(at)
    pane.keypoints.setVisible(True)
    return with_points != without


def test_review_panes_draw_each_sides_keypoints(qtbot, posed_review) -> None:
    view = posed_review.review.view
    pair = view.scored.pairs[view.image_id]
    ref = view.scored.reference.project
    cand = posed_review.document.project
    ref_anns, cand_anns = ref.annotations_of(pair.ref.id), cand.annotations_of(pair.cand.id)
    assert ref_anns and cand_anns
    assert set(view.ref_pane.keypoints.entries) == {a.id for a in ref_anns}
    assert set(view.cand_pane.keypoints.entries) == {a.id for a in cand_anns}
    assert view.diff_pane.keypoints is None  # pixels compared: no side's points
    a = ref_anns[0]
    point = a.extra["keypoints"]
    view.linked.centre_on(a.bbox)
    assert _drawn(view.ref_pane, point[0], point[1])
    b = cand_anns[0]
    view.linked.centre_on(b.bbox)
    assert _drawn(view.cand_pane, b.extra["keypoints"][0], b.extra["keypoints"][1])


def test_the_candidate_preview_draws_its_keypoints(qtbot, tmp_path: Path, no_prompts) -> None:
    """No reference chosen: the candidate pane alone, with its objects' keypoints."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from pixelproof.core.edits import SetReference
    from pixelproof.ui.canvas.image_item import ImageItem
    from tests.ui.conftest import wait_loaded

    path = install_demo(tmp_path / "demo")
    _pose(path, 0.0)
    gen = opened(qtbot, path)
    win = next(gen)
    wait_loaded(qtbot, win)
    win.document.push(SetReference(None))
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    pane = win.review.view.cand_pane
    qtbot.waitUntil(
        lambda: isinstance(pane.image_item, ImageItem) and pane.keypoints is not None, timeout=10000
    )
    anns = win.document.project.annotations_of(win.review.view.image_id)
    assert set(pane.keypoints.entries) == {a.id for a in anns}
    x, y = anns[0].extra["keypoints"][:2]
    assert _drawn(pane, x, y)
    next(gen, None)
