"""A reader's label map named after no series (``ct_label.nii.gz``) chosen as the review view's reference:
``qa --image-dir`` puts it on the one DICOM series whose size and geometry it fits, but the app has no
command line, so it was read as a volume of its own and no image of the project matched it. The app knows
where its images are: the project's series folder is where the label map is looked for its series."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import save_project
from pixelproof.core.volume_cache import clear_cache
from pixelproof.interop.nifti_series_fit import series_home
from pixelproof.interop.nifti_writer import write_nifti
from tests.interop.test_nifti_dicom_series import DEPTH, OBLIQUE, series_project, write_series


@pytest.fixture(autouse=True)
def _fresh():  # type: ignore[no-untyped-def]
    clear_cache()  # volumes read by other tests of the same paths
    yield
    clear_cache()


def reader_label(tmp_path: Path) -> tuple[Path, Path]:
    """The project over study/ct (and an MR series of other geometry beside it), its labels written as a
    label map a reader named ``ct_label.nii.gz`` in a folder of its own."""
    project, _, _ = series_project(tmp_path, OBLIQUE)
    write_series(tmp_path / "study" / "mr", [1, 0, 0, 0, 0, -1], uid="1.2.3.9", number=6, prefix="MR")
    save_project(project, tmp_path / "p.json")
    write_nifti(project, tmp_path / "out")
    label = tmp_path / "reader" / "ct_label.nii.gz"
    label.parent.mkdir()
    (tmp_path / "out" / "ct.nii.gz").rename(label)
    (tmp_path / "out" / "classes.txt").rename(label.parent / "classes.txt")  # its class names
    return tmp_path / "p.json", label


def test_the_review_reference_label_map_is_matched_to_the_project_series(qtbot, open_on, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, label = reader_label(tmp_path)
    win = open_on(path)
    assert series_home(win.document.project) == tmp_path / "study" / "ct"  # the one series it holds
    win.review.set_reference(label)  # Review > Choose Reference…, as chosen
    view = win.review.view
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=20000)
    result = view.scored.result
    assert result.unmatched_candidate == [] and result.unmatched_reference == []
    assert len(result.pairs) == DEPTH and result.images_scored == DEPTH
    drawn = [row.comparison for row in result.per_image if row.comparison.tp]
    assert len(drawn) == DEPTH and all(c.fp == c.fn == 0 for c in drawn)  # each slice's mask, on its slice


def test_a_project_of_no_dicom_series_gives_no_folder(tmp_path) -> None:
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord

    project = new_project(["organ"])
    project.path = tmp_path / "p.json"
    (tmp_path / "case.nii.gz").write_bytes(b"")
    project.add_image(ImageRecord(1, "case.nii.gz#z=003", 4, 4))  # a NIfTI volume's slice: a file
    project.add_image(ImageRecord(2, "photo.png", 4, 4))
    assert series_home(project) is None
