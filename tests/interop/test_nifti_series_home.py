"""The review view's reference read with the project's series folder (``series_home``) as ``--image-dir``:
a reader's label map lying beside the series folders (study/ct_label.nii.gz next to study/ct and study/mr)
is read onto the one series it fits, not left out as "a label folder that also holds the images"."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.volume_cache import clear_cache
from pixelproof.interop.nifti_series_fit import series_home
from pixelproof.interop.nifti_writer import write_nifti
from pixelproof.interop.references import load_reference
from tests.interop.test_nifti_dicom_series import CORONAL, DEPTH, OBLIQUE, draw, write_series


@pytest.fixture(autouse=True)
def _fresh():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def test_a_label_map_beside_the_project_series_reads_onto_the_one_it_fits(tmp_path: Path) -> None:
    study = tmp_path / "study"
    write_series(study / "ct", OBLIQUE)
    write_series(study / "mr", CORONAL, uid="1.2.3.9", number=6, prefix="MR")
    project = project_from_folder(study, tmp_path / "p.json", ["organ", "lesion"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    draw(project)
    assert series_home(project) == study  # the folder its two series share
    write_nifti(project, tmp_path / "out")
    label = study / "ct_label.nii.gz"
    (tmp_path / "out" / "ct.nii.gz").rename(label)
    (tmp_path / "out" / "classes.txt").rename(study / "classes.txt")
    ref = load_reference(label, project, series_home=series_home(project))
    names = sorted(im.file_name for im in ref.project.images.values())
    assert names == [f"ct#z={k:03d}" for k in range(DEPTH)]  # on the series, by the name the project has
    assert any("read onto" in p and "the one series under" in p for p in ref.problems), ref.problems
    alone = load_reference(label, project)  # no folder: a volume of its own, as before
    assert all(im.file_name.startswith("ct_label.nii.gz#") for im in alone.project.images.values())
