"""Which of a project's images a file given on its own is (``pixelproof photo.jpg`` opens the picture's
folder, then shows that picture): the picture itself by another spelling too, a volume's first slice, the
very slice a DICOM series file gives, and none for a file the project does not have."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pixelproof.core.image_folder import images_of_file, project_from_folder
from pixelproof.core.imageio import is_picture
from tests.core.test_add_and_relocate_images import nifti, png


def test_a_picture_is_its_own_image_and_a_volume_its_slices(tmp_path: Path) -> None:
    for name in ("a.png", "b.png", "c.png"):
        png(tmp_path / name)
    nifti(tmp_path / "ct.nii.gz", depth=3)
    (tmp_path / "notes.txt").write_text("not a picture")
    project = project_from_folder(tmp_path, tmp_path / "project.json", ["cat"])
    names = {i.id: i.file_name for i in project.images.values()}
    assert [names[i] for i in images_of_file(project, tmp_path / "b.png")] == ["b.png"]
    slices = [names[i] for i in images_of_file(project, tmp_path / "ct.nii.gz")]
    assert slices == ["ct.nii.gz#z=000", "ct.nii.gz#z=001", "ct.nii.gz#z=002"]
    assert images_of_file(project, tmp_path / "notes.txt") == []
    png(tmp_path / "later.png")  # added to the folder after the project was made
    assert images_of_file(project, tmp_path / "later.png") == []


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_the_same_file_by_another_path_is_found(tmp_path: Path) -> None:
    png(tmp_path / "data" / "a.png")
    (tmp_path / "link").symlink_to(tmp_path / "data")
    project = project_from_folder(tmp_path / "data", tmp_path / "data" / "project.json", ["cat"])
    assert images_of_file(project, tmp_path / "link" / "a.png") == [1]


def test_a_dicom_series_file_is_its_slice(tmp_path: Path) -> None:
    pydicom = pytest.importorskip("pydicom")
    from tests.core.test_dicom import pydicom_file

    folder = tmp_path / "CT2"
    folder.mkdir()
    for f in sorted((pydicom_file("dicomdirtests") / "77654033" / "CT2").iterdir()):
        shutil.copy(f, folder / f"{f.name}.dcm")  # as a scanner's export names them: a picture to open
    by_z = sorted(folder.iterdir(), key=lambda f: float(pydicom.dcmread(f).ImagePositionPatient[2]))
    assert all(is_picture(f) for f in by_z)
    project = project_from_folder(folder, folder / "project.json", ["lesion"])
    assert len(project.images) == 4
    for k, f in enumerate(by_z):
        (image_id,) = images_of_file(project, f)
        assert project.images[image_id].file_name.endswith(f"#z={k:03d}")
