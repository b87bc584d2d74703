"""A tracker's results (no classes: all ``object``) reviewed against a multi-class reference: the banner
leads with one line saying what that means and the tracking figures to read, the per-class warnings it
sums up behind its tooltip (hovered, every one is there), not four lines of Dice 0 above the one figure
that means something."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_qa_classless_lead import classless, two_classes
from tests.ui.conftest import tip_text, tooltip_of
from tests.ui.test_review import enter_review, open_window
from tests.ui.test_review_tracks import saved


def test_banner_leads_with_what_a_classless_candidate_means(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    win = open_window(qtbot, saved(tmp_path, two_classes(), classless()))
    try:
        enter_review(qtbot, win)
        view = win.review.view
        result = view.scored.result
        banner = view.header.banner
        lines = banner.shown_text().splitlines()
        assert lines[0] == result.lead and "MOTA 0.375 · IDF1 0.556" in lines[0]
        assert len(lines) == 2 and lines[1].startswith("… and 3 more warnings, the per-class ones")
        assert not any(p in lines for p in result.lead_covers)  # before: all three, above the rest
        tip = tip_text(tooltip_of(qtbot, banner.label, banner.label.rect().center(), "is not in the"))
        assert all(p in tip for p in result.lead_covers)
        assert view.images.track_figures.isVisible()
    finally:
        win.document.undo_stack.setClean()
        win.close()
