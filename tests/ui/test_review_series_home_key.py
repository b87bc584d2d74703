"""The review view reads its reference again only when what the read depends on changed
(``compute.read_key``). A NIfTI label map named after no series is read onto the series of the project's
series folder (``series_home``) it fits, but that folder, and the series in it, were not part of the key:
after the project moved to another series folder, or a series of the same geometry was added beside, a
refresh scored against the reference as first read, unlike a run from nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.qa import QAOptions
from pixelproof.core.volume_cache import clear_cache
from pixelproof.interop.nifti_writer import write_nifti
from pixelproof.ui.review import compute
from tests.interop.test_nifti_dicom_series import CORONAL, OBLIQUE, draw, write_series
from tests.ui.test_review_respelt import _Job


@pytest.fixture(autouse=True)
def _fresh():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def project_and_label(root: Path) -> tuple[Path, Path]:
    """A project over root/study/ct (oblique) and root/study/mr (coronal), and its labels as a reader's
    ``ct_label.nii.gz`` in a folder of its own."""
    study = root / "study"
    write_series(study / "ct", OBLIQUE)
    write_series(study / "mr", CORONAL, uid="1.2.3.9", number=6, prefix="MR")
    project = project_from_folder(study, root / "p.json", ["organ", "lesion"], on_skip=lambda m: None)
    project.path = root / "p.json"
    draw(project)
    save_project(project, root / "p.json")
    write_nifti(project, root / "out")
    label = root / "reader" / "ct_label.nii.gz"
    label.parent.mkdir()
    (root / "out" / "ct.nii.gz").rename(label)
    (root / "out" / "classes.txt").rename(label.parent / "classes.txt")
    return root / "p.json", label


def outcome(scored: compute.Scored) -> tuple:
    r = scored.result
    return sorted(r.unmatched_candidate), sorted(r.unmatched_reference), r.images_scored, r.problems


def test_a_project_moved_to_other_series_is_scored_against_the_label_map_read_again(tmp_path: Path) -> None:
    path, label = project_and_label(tmp_path / "a")
    other = tmp_path / "b" / "study"  # the same names, but its ct of another orientation: the map fits none
    write_series(other / "ct", CORONAL)
    write_series(other / "mr", CORONAL, uid="1.2.3.9", number=6, prefix="MR")
    candidate = load_project(path)
    first = compute.score(_Job(), label, candidate, QAOptions())
    assert first.result.unmatched_reference == [] and first.result.images_scored > 0  # read onto a/study/ct
    candidate.path = tmp_path / "b" / "p.json"  # saved beside the other study: its images are those now
    refreshed = compute.score(_Job(), label, candidate, QAOptions(), previous=first)
    fresh = compute.score(_Job(), label, candidate, QAOptions())
    assert fresh.result.unmatched_reference  # a volume of its own there
    assert outcome(refreshed) == outcome(fresh)  # before: scored against the map as read onto a/study/ct


def test_a_series_of_the_same_geometry_added_beside_reads_the_label_map_again(tmp_path: Path) -> None:
    path, label = project_and_label(tmp_path)
    candidate = load_project(path)
    first = compute.score(_Job(), label, candidate, QAOptions())
    assert first.result.unmatched_reference == []
    shutil.copytree(tmp_path / "study" / "ct", tmp_path / "study" / "venous")  # a second fit: none taken
    refreshed = compute.score(_Job(), label, candidate, QAOptions(), previous=first)
    assert any("2 series fit its size and geometry" in p for p in refreshed.result.problems)
    assert outcome(refreshed) == outcome(compute.score(_Job(), label, candidate, QAOptions()))
