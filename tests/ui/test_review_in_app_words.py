"""The review banner says a reference's advice in the app's words: a tracker's results file chosen with
Review > Choose Reference Dataset Folder… whose sequence is nowhere beside it told the app's user to "name the
ground truth's folder with --image-dir", a flag of ``pixelproof qa`` the view has no field for; it names the
Import dialog's Images folder and Review > Choose Reference Project instead (``compute.IN_APP_WORDS``)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog

from pixelproof.ui.review.compute import in_app_words
from tests.ui.test_review_reference_folders import project, window  # noqa: F401  (fixtures)


def test_a_tracker_reference_without_its_sequence_is_said_in_the_app_s_words(
    qtbot,
    window,  # noqa: F811
    project,  # noqa: F811
    monkeypatch,
) -> None:
    results = project.parent.parent / "tracker_results"
    results.mkdir()
    (results / "MOT17-02.txt").write_text("1,1,10,10,20,20,1,-1,-1,-1\n")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(results)))
    window.review.act_choose_folder.trigger()
    view = window.review.view
    banner = view.header.banner
    qtbot.waitUntil(lambda: view.job is None and "Cannot read the reference" in banner.text(), timeout=20000)
    assert "MOT17-02.txt" in banner.text()
    assert "in the Images folder of File > Import" in banner.text(), banner.text()
    assert "Review > Choose Reference Project" in banner.text()
    assert "--" not in banner.text()


@pytest.mark.parametrize(
    "line",
    [
        "x.dcm: 2 source images not found under /d (name the folder of its source series with --image-dir)",
        "s.seg.nrrd: no image volume found for it: its slices are named after s.nrrd beside it "
        "(s.nrrd#z=000, ...), which the app shows once that volume is there (put it there, or point the "
        "project at its folder: pixelproof relocate); or name the images' folder (--image-dir)",
        "p.json: 2 images are honeypots of the split: not scored (agreement --manifest scores the annotators "
        "on them)",
        "a.png: could not be scored: the candidate has 10,001 objects on this image (an output not cut by a "
        "score? see --score-threshold)",
        "/d/x.json: not recognised as any readable format (coco, labelme); name one with --ref-format",
        "/d/gt: read as Cityscapes (gtFine); it also looks like an Open Images dataset (V6/V7 CSV): name the "
        "format to read with --ref-format",
        "data.json: 2 of 2 task images not found - choose the folder holding them as Images folder "
        "(--image-dir; searched with its subfolders, by file name). Looked in /d or its images/.",
        "tasks.json: task 3, annotation 7: another version; PixelProof keeps one, the most recent (9); to "
        "keep every annotator's, side by side: --annotator-versions each",
    ],
)
def test_every_advice_the_banner_can_show_is_in_the_app_s_words(line: str) -> None:
    """The other readers' and QA's advice the banner shows, word for word as ``dicom_seg``, ``slicer_seg``,
    ``qa_team``, ``qa_objects``, ``interop.references`` and Label Studio's reader write it: no flag is left
    (the app's way, else the command line's)."""
    said = in_app_words(line)
    assert "--" not in said, said
