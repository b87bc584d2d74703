"""The review view's banner says when the candidate is a merged project whose overlap images still hold
the annotators' versions side by side, as ``pixelproof qa`` does: every version is scored, so the extra
objects on those images are the copies, not mistakes of one annotator."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pixelproof.core.coco import save_project
from tests.core.test_qa_near_misses import SHAPE
from tests.core.test_qa_versions_note import versions_project
from tests.ui.test_review import enter_review, open_window


def test_the_banner_says_every_version_is_scored(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    cv2.imwrite(str(tmp_path / "a.png"), np.full(SHAPE, 128, np.uint8))
    _, cand = versions_project(tmp_path)
    cand.reference = "reference.json"
    path = save_project(cand, tmp_path / "merged.json")
    win = open_window(qtbot, path)
    try:
        enter_review(qtbot, win)  # Ctrl+Tab on the canvas
        lines = win.review.view.header.banner.shown_text().splitlines()
        assert (
            f"{path}: 1 image holds several annotators' versions side by side (a merged project before its "
            "consensus is accepted); every version there is scored"
        ) in lines
    finally:
        win.document.undo_stack.setClean()
        win.close()
