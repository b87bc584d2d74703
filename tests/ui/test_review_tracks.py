"""The review view's tracking figures: a video project scored against a reference with tracks shows the
run's overall MOTA, IDF1 and ID switches under the per-class summary ("Tracks (2 sequences): MOTA 0.375 ·
IDF1 ..."), the figures ``core.qa_tracks`` computes (the same as ``pixelproof qa``), and its tooltip says
what each figure is and each sequence's; a project without tracks shows no such line."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pixelproof.core.coco import save_project
from pixelproof.core.model import Project
from pixelproof.core.qa import run_qa
from tests.core.test_qa_tracks_report import CANDIDATE, REFERENCE, video
from tests.ui.conftest import tip_text, tooltip_of
from tests.ui.test_review import enter_review, open_window


def saved(tmp_path: Path, ref: Project, cand: Project) -> Path:
    """The two projects beside their frames (grey 640x480 PNGs), the candidate naming its reference."""
    for image in cand.images.values():
        (tmp_path / image.file_name).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(tmp_path / image.file_name), np.full((480, 640), 128, np.uint8))
    save_project(ref, tmp_path / "reference.json")
    cand.reference = "reference.json"
    return save_project(cand, tmp_path / "project.json")


def test_review_shows_the_runs_tracking_figures(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    want = run_qa(video(REFERENCE), video(CANDIDATE)).tracks  # what the core computes, as qa prints it
    assert want is not None
    o, street = want["overall"], want["per_sequence"][0]
    win = open_window(qtbot, saved(tmp_path, video(REFERENCE), video(CANDIDATE)))
    try:
        enter_review(qtbot, win)
        line = win.review.view.images.track_figures
        assert line.isVisible()
        assert (
            line.text() == f"Tracks (2 sequences): MOTA {o['mota']:.3f} · IDF1 {o['idf1']:.3f} · 1 ID switch"
        )
        assert (
            line.text() == "Tracks (2 sequences): MOTA 0.375 · IDF1 0.556 · 1 ID switch"
        )  # 1 - (1 + 3 + 1) / 8; 2 x 5 / 18
        tip = tip_text(tooltip_of(qtbot, line, line.rect().center(), "MOTP"))
        assert f"MOTP {o['motp']:.3f} · IDP {o['idp']:.3f} · IDR {o['idr']:.3f}" in tip
        assert f"FP {o['num_false_positives']} · FN {o['num_misses']}" in tip
        assert f"street: MOTA {street['mota']:.3f} · IDF1 {street['idf1']:.3f} · 1 ID switch" in tip
        assert "yard: MOTA n/a" in tip  # nothing on a track in the reference's yard
        assert "MOTA: 1 - (misses + extras + ID switches) / reference objects" in tip
        assert "ID switch: a reference track paired with another candidate track" in tip
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_no_tracks_no_line(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    ref, cand = video(REFERENCE), video(CANDIDATE)
    for ann in cand.annotations.values():
        ann.extra.pop("track_id")  # the reference's tracks alone: no figures (the banner says why)
    win = open_window(qtbot, saved(tmp_path, ref, cand))
    try:
        enter_review(qtbot, win)
        view = win.review.view
        assert view.scored.result.tracks is None
        assert not view.images.track_figures.isVisible() and view.images.classes.isVisible()
    finally:
        win.document.undo_stack.setClean()
        win.close()
