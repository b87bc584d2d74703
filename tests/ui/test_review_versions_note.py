"""The review view's banner says when the candidate is a merged project whose overlap images still hold
the annotators' versions side by side, as ``pixelproof qa`` does: it scores what the team agreed (the
consensus objects), so an image without a consensus yet is left out, and the banner names it. In the app the
line names the menu item that scores every version, Review > Score Every Annotator's Version, not the
command line's ``--versions all`` (which ``pixelproof qa`` keeps: tests/core/test_qa_versions_note.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pixelproof.core.coco import save_project
from tests.core.test_qa_near_misses import SHAPE
from tests.core.test_qa_versions_note import versions_project
from tests.ui.test_review import enter_review, open_window


def test_the_banner_says_the_versions_without_a_consensus_are_left_out(
    qtbot, tmp_path: Path, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    cv2.imwrite(str(tmp_path / "a.png"), np.full(SHAPE, 128, np.uint8))
    _, cand = versions_project(tmp_path)
    cand.reference = "reference.json"
    path = save_project(cand, tmp_path / "merged.json")
    win = open_window(qtbot, path)
    try:
        enter_review(qtbot, win, image=False)  # Ctrl+Tab on the canvas; no image scored to show
        lines = win.review.view.header.banner.shown_text().splitlines()
        assert (  # the review scores what the team agreed (qa_team): no consensus yet, the image is left out
            f"{path}: 1 image (a.png) holds several annotators' versions side by side and no consensus yet: "
            "not scored (pixelproof consensus on it gives what the team agreed; Review > Score Every "
            "Annotator's Version scores every version)"
        ) in lines
        assert not any("--versions" in line for line in lines), lines  # no flag the app has no box for
    finally:
        win.document.undo_stack.setClean()
        win.close()
