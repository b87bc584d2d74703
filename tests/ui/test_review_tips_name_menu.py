"""The review view's tooltips that cut a long list short said where the rest is as a terminal command
(``pixelproof qa --json lists all``, ``pixelproof qa --tracks-csv has all``): an app user has no terminal
to type it in. They name the app's menu item, Review > Export Report, and the file type its dialog offers."""

from __future__ import annotations

from pathlib import Path

from pixelproof.ui.review import compute, export_report, track_figures
from tests.core.test_qa_classless_lead import classless, two_classes
from tests.core.test_qa_tracks_report import CANDIDATE, REFERENCE, video
from tests.ui.conftest import tip_text, tooltip_of
from tests.ui.test_review import enter_review, open_window
from tests.ui.test_review_tracks import saved


def test_the_tracks_tip_names_export_report_for_every_sequence(
    qtbot, tmp_path: Path, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(track_figures, "SEQUENCES_IN_TIP", 1)  # the fixture's 2 sequences: one left out
    win = open_window(qtbot, saved(tmp_path, video(REFERENCE), video(CANDIDATE)))
    try:
        enter_review(qtbot, win)
        line = win.review.view.images.track_figures
        tip = tip_text(tooltip_of(qtbot, line, line.rect().center(), "MOTP"))
        assert "… and 1 more: Review > Export Report lists all (CSV of tracks)" in tip, tip
        assert "--" not in tip and "pixelproof qa" not in tip, tip
        assert "CSV of tracks (*.csv)" in export_report.FILTERS.values()  # the type its dialog offers
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_banner_tip_names_export_report_for_every_warning(
    qtbot, tmp_path: Path, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(compute, "TIP_NAMED", 1)  # the run's several warnings: all but one left out
    win = open_window(qtbot, saved(tmp_path, two_classes(), classless()))
    try:
        enter_review(qtbot, win)
        banner = win.review.view.header.banner
        tip = tip_text(tooltip_of(qtbot, banner.label, banner.label.rect().center(), "more"))
        assert "more: Review > Export Report lists all (JSON, the full result)" in tip, tip
        assert "--" not in tip and "pixelproof qa" not in tip, tip
        assert "JSON, the full result (*.json)" in export_report.FILTERS.values()
    finally:
        win.document.undo_stack.setClean()
        win.close()
