"""The review view against a semantic reference (NIfTI label volumes): no object is matched one to one, so
the Objects table is empty; its title said "0 objects" over a slice where the candidate drew two, which
reads as if the candidate had drawn nothing. Driven with real keys in the real main window."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from pixelproof import cli
from pixelproof.core.coco import load_project, save_project
from tests.ui.test_review import enter_review, open_window


def nifti_task(tmp_path: Path, ct: np.ndarray, labels: np.ndarray, classes: str) -> Path:
    """A Decathlon-style task (imagesTr/ct.nii.gz, labelsTr/ct.nii.gz with ``classes``, 0.9 x 0.7 x 2.5 mm)
    converted to a candidate project whose reference is the label folder; the project's path."""
    data = tmp_path / "Task"
    for sub in ("imagesTr", "labelsTr"):
        (data / sub).mkdir(parents=True)
    affine = np.diag([0.9, 0.7, 2.5, 1.0])
    nib.save(nib.Nifti1Image(ct, affine), data / "imagesTr" / "ct.nii.gz")
    nib.save(nib.Nifti1Image(labels, affine), data / "labelsTr" / "ct.nii.gz")
    (data / "labelsTr" / "classes.txt").write_text(classes)
    cand = tmp_path / "cand.json"
    assert cli.main(["convert", str(data), str(cand), "--from", "nifti", "--to", "coco"]) == 0
    project = load_project(cand)
    project.reference = str(data / "labelsTr")
    save_project(project, cand)
    return cand


@pytest.fixture
def label_volumes(tmp_path: Path) -> Path:
    """imagesTr/ct.nii.gz with labelsTr/ct.nii.gz (liver 1, spine 2 on every slice) and the candidate
    project made from them, the label folder its reference."""
    labels = np.zeros((16, 12, 3), np.uint8)
    labels[2:8, 2:8] = 1
    labels[10:14, 4:9] = 2
    return nifti_task(tmp_path, np.zeros((16, 12, 3), np.int16), labels, "background\nliver\nspine\n")


def test_the_objects_title_says_a_semantic_reference_matches_no_object(
    qtbot, label_volumes, no_prompts
) -> None:
    win = open_window(qtbot, label_volumes)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        assert not view.scored.result.instance_scored
        drawn = len(list(win.document.project.annotations_of(view.image_id)))
        assert drawn == 2
        title = view.object_title.text()
        assert "0 objects" not in title
        assert "2 candidate objects" in title and "semantic" in title
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_slice_scored_perfect_reads_its_hd95_as_0_mm_not_0_um(qtbot, label_volumes, no_prompts) -> None:
    """A CT slice both readers drew alike has HD95 0: it read "0.0 µm" (the unit of a slide's cells)."""
    win = open_window(qtbot, label_volumes)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        proxy = view.images.image_proxy
        col = view.images.image_model.column_of("hd95")
        shown = {proxy.index(r, col).data() for r in range(proxy.rowCount())}
        assert shown == {"0.00 mm"}
    finally:
        win.document.undo_stack.setClean()
        win.close()
