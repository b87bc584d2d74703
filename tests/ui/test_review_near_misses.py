"""The near-miss warning in the review banner: qa's line tells the CLI to run with ``--iou-threshold``, which
the review view has no setting for, so the banner says the threshold that would pair them alone."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pixelproof.core.coco import save_project
from tests.core.test_qa_near_misses import SHAPE, _pits
from tests.ui.test_review import enter_review, open_window


def test_the_banner_says_the_threshold_without_a_command(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    ref, cand = _pits()  # two 3x3 pits drawn 5x5: IoU 0.36, under the default 0.5
    cv2.imwrite(str(tmp_path / "a.png"), np.full(SHAPE, 128, np.uint8))
    save_project(ref, tmp_path / "reference.json")
    cand.reference = "reference.json"
    win = open_window(qtbot, save_project(cand, tmp_path / "project.json"))
    try:
        enter_review(qtbot, win)
        view = win.review.view
        notes = [p for p in view.scored.result.problems if "below the IoU threshold 0.5" in p]
        assert len(notes) == 1
        assert notes[0].startswith("2 missed objects overlap an extra one of their class")
        assert notes[0].endswith(": an IoU threshold of 0.35 would pair up to 2 of them"), notes[0]
        assert "--iou-threshold" not in notes[0] and "pixelproof qa" not in notes[0]
        assert notes[0] in view.header.banner.shown_text().splitlines()  # as the user sees it
    finally:
        win.document.undo_stack.setClean()
        win.close()
