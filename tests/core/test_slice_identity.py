"""Slice records keep what their slice is (a DICOM file's SOPInstanceUID, a NIfTI volume's shape): a
series folder or volume that changed since the project was made is refused by name, never read as another
slice under the old name."""

from __future__ import annotations

import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.imageio import ImageReadError, read_image, read_project_image
from pixelproof.core.model import Project
from pixelproof.core.volume_cache import clear_cache


def write_slice(path: Path, position: float, value: int, instance: int, uid: str | None = None) -> str:
    """A 4x4 CT slice at z = ``position`` whose pixels are all ``value`` HU; returns its SOPInstanceUID."""
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.TransferSyntaxUID, meta.MediaStorageSOPClassUID = ExplicitVRLittleEndian, CTImageStorage
    meta.MediaStorageSOPInstanceUID = uid or generate_uid()
    ds = pydicom.Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
    ds.SeriesInstanceUID, ds.Modality, ds.InstanceNumber = "1.2.3.4", "CT", instance
    ds.StudyInstanceUID, ds.FrameOfReferenceUID, ds.SeriesNumber = "1.2.3", "1.2.3.5", 1
    ds.PatientID, ds.PatientName, ds.StudyID, ds.AccessionNumber = "p1", "Test^Patient", "1", "a1"
    ds.StudyDate, ds.StudyTime, ds.ReferringPhysicianName, ds.PatientBirthDate = "20240101", "1200", "", ""
    ds.PatientSex, ds.Manufacturer, ds.SliceThickness = "O", "test", 2
    ds.Rows = ds.Columns = 4
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleSlope, ds.RescaleIntercept = "1", "0"
    ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, position], [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [1, 1]
    ds.PixelData = np.full((4, 4), value, np.int16).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return str(ds.SOPInstanceUID)


def series_project(tmp_path: Path, n: int = 4) -> tuple[Project, list[str], Path]:
    """A project made from a series folder of ``n`` slices (slice k: z = 2k mm, pixels 100k HU)."""
    folder = tmp_path / "data" / "ct"
    uids = [write_slice(folder / f"im{k}.dcm", 2.0 * k, 100 * k, k + 1) for k in range(n)]
    return project_from_folder(tmp_path / "data", tmp_path / "p.json", ["organ"]), uids, folder


def by_name(project: Project, name: str):  # type: ignore[no-untyped-def]
    return next(im for im in project.images.values() if im.file_name == name)


@pytest.fixture(autouse=True)
def _fresh_volumes():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def test_series_slice_records_keep_their_files_sop_instance_uid(tmp_path: Path) -> None:
    project, uids, _ = series_project(tmp_path)
    names = sorted(im.file_name for im in project.images.values())
    assert names == [f"data/ct#z={k:03d}" for k in range(4)]
    for k, name in enumerate(names):
        assert by_name(project, name).extra["pixelproof"]["sop_instance_uid"] == uids[k]
        assert int(read_project_image(project, by_name(project, name))[0, 0]) == 100 * k


def test_a_series_that_lost_a_file_refuses_the_shifted_slices_and_says_where_each_went(
    tmp_path: Path,
) -> None:
    project, _, folder = series_project(tmp_path)
    (folder / "im1.dcm").unlink()  # slices 2 and 3 now sit at indexes 1 and 2
    assert int(read_project_image(project, by_name(project, "data/ct#z=000"))[0, 0]) == 0  # unchanged
    with pytest.raises(ImageReadError) as lost:
        read_project_image(project, by_name(project, "data/ct#z=001"))
    assert "data/ct#z=001" in str(lost.value) and "changed since the project was made" in str(lost.value)
    assert "no longer in the series" in str(lost.value)
    with pytest.raises(ImageReadError) as moved:
        read_project_image(project, by_name(project, "data/ct#z=002"))
    assert "data/ct#z=002" in str(moved.value) and "changed since the project was made" in str(moved.value)
    assert "now #z=001" in str(moved.value)
    with pytest.raises(ImageReadError) as beyond:  # index 3 no longer exists; its slice is at 2
        read_project_image(project, by_name(project, "data/ct#z=003"))
    assert "now #z=002" in str(beyond.value)


def test_a_slice_added_in_front_of_the_series_is_not_read_under_the_old_names(tmp_path: Path) -> None:
    project, _, folder = series_project(tmp_path, n=3)
    write_slice(folder / "extra.dcm", -2.0, 999, 0)  # sorts first: every old slice moves up one
    for k in range(3):
        with pytest.raises(ImageReadError, match=rf"now #z={k + 1:03d}"):
            read_project_image(project, by_name(project, f"data/ct#z={k:03d}"))


def test_records_without_an_identity_read_by_index_as_before(tmp_path: Path) -> None:
    project, _, folder = series_project(tmp_path)
    for image in project.images.values():
        del image.extra["pixelproof"]  # a project made by an earlier version
    (folder / "im1.dcm").unlink()
    assert int(read_project_image(project, by_name(project, "data/ct#z=001"))[0, 0]) == 200
    # a path read without a record (the CLI's own file names, `pixelproof FILE`) reads by index too
    assert int(read_image(tmp_path / "data/ct#z=002")[0, 0]) == 300


def test_a_replaced_multiframe_object_is_refused(tmp_path: Path) -> None:
    from tests.core.test_dicom import _ct

    _ct(tmp_path / "data" / "cine.dcm", frames=3)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json")
    image = by_name(project, "data/cine.dcm#z=001")
    uid = image.extra["pixelproof"]["sop_instance_uid"]
    assert uid == str(pydicom.dcmread(tmp_path / "data" / "cine.dcm").SOPInstanceUID)
    read_project_image(project, image)
    _ct(tmp_path / "data" / "cine.dcm", frames=3)  # another object (a new SOPInstanceUID) in its place
    with pytest.raises(ImageReadError, match=r"cine\.dcm#z=001: .*changed since the project was made"):
        read_project_image(project, image)


def test_a_nifti_volume_of_another_shape_is_refused_and_of_the_same_shape_read(tmp_path: Path) -> None:
    path = tmp_path / "data" / "ct.nii.gz"
    path.parent.mkdir()
    nib.save(nib.Nifti1Image(np.zeros((4, 5, 6), np.int16), np.eye(4)), path)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json")
    image = by_name(project, "data/ct.nii.gz#z=003")
    assert image.extra["pixelproof"]["volume_shape"] == [4, 5, 6]
    nib.save(nib.Nifti1Image(np.ones((4, 5, 6), np.int16), np.eye(4)), path)  # re-saved, same shape
    assert read_project_image(project, image).shape == (5, 4)
    nib.save(nib.Nifti1Image(np.zeros((4, 5, 7), np.int16), np.eye(4)), path)  # one slice more
    with pytest.raises(ImageReadError, match=r"ct\.nii\.gz#z=003: .*changed since the project was made"):
        read_project_image(project, image)


def test_identity_survives_save_and_load(tmp_path: Path) -> None:
    from pixelproof.core.coco import load_project, save_project

    project, _, folder = series_project(tmp_path)
    save_project(project, tmp_path / "p.json")
    loaded = load_project(tmp_path / "p.json")
    shutil.move(folder / "im0.dcm", tmp_path / "im0.dcm")
    with pytest.raises(ImageReadError, match="now #z=000"):
        read_project_image(loaded, by_name(loaded, "data/ct#z=001"))


def test_lint_report_shows_no_crop_of_another_slice(tmp_path: Path) -> None:
    """The HTML report's crops come from the record's slice: a shifted one gets no crop, not another's."""
    from pixelproof.core import masks
    from pixelproof.core.lint import lint_project
    from pixelproof.core.lint import report as lint_report
    from pixelproof.core.model import Annotation

    project, _, folder = series_project(tmp_path)
    for image in project.images.values():  # a speck: one problem (too small) on every slice
        m = np.zeros((4, 4), bool)
        m[1, 1] = True
        project.add_annotation(
            Annotation(project.next_annotation_id(), image.id, 1, masks.bbox(m), masks.encode(m), 1.0)
        )
    data = lint_report.to_dict(lint_project(project))
    assert len({p["image_id"] for p in data["problems"]}) == 4
    lint_report.write_html(data, tmp_path / "before.html", project)
    assert (tmp_path / "before.html").read_text(encoding="utf-8").count("data:image/jpeg;base64,") == 4
    (folder / "im1.dcm").unlink()  # slices 1, 2, 3: no crop (their files moved or left)
    lint_report.write_html(data, tmp_path / "after.html", project)
    assert (tmp_path / "after.html").read_text(encoding="utf-8").count("data:image/jpeg;base64,") == 1


def test_a_nifti_volume_moved_along_its_slices_is_refused_and_one_stored_flipped_is_read(
    tmp_path: Path,
) -> None:
    """Same shape, another geometry: a re-export cropped or shifted along z puts another slice at each
    index (its ``slice_position`` differs); one stored the other way round with its affine saying so is
    the same volume after the canonical reorientation, and reads the same slice."""
    path = tmp_path / "data" / "ct.nii.gz"
    path.parent.mkdir()
    values = np.zeros((4, 5, 6), np.int16)
    values[:, :, :] = np.arange(6, dtype=np.int16) * 10  # slice k holds 10 k
    nib.save(nib.Nifti1Image(values, np.diag([1.0, 1.0, 2.0, 1.0])), path)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json")
    image = by_name(project, "data/ct.nii.gz#z=003")
    flipped = np.diag([1.0, 1.0, -2.0, 1.0])
    flipped[2, 3] = 10.0  # voxel z = 0 at 10 mm, z = 5 at 0 mm: the same places as before
    nib.save(nib.Nifti1Image(values[:, :, ::-1].copy(), flipped), path)
    assert int(read_project_image(project, image)[0, 0]) == 30
    shifted = np.diag([1.0, 1.0, 2.0, 1.0])
    shifted[2, 3] = 4.0  # cropped by two slices below: index 3 is now the slice at 10 mm, not 6 mm
    nib.save(nib.Nifti1Image(values, shifted), path)
    with pytest.raises(ImageReadError, match=r"ct\.nii\.gz#z=003: .*changed since the project was made"):
        read_project_image(project, image)


def test_relocating_onto_another_series_with_the_same_file_names_is_refused(tmp_path: Path) -> None:
    """The series was moved away and a different scan with the same file names and slice count sits where
    relocate looks: its slices are other slices (their SOPInstanceUIDs differ), so none is relocated."""
    from pixelproof.core.image_folder import find_moved

    project, _, folder = series_project(tmp_path)
    shutil.rmtree(folder)
    for k in range(4):
        write_slice(tmp_path / "other" / "ct" / f"im{k}.dcm", 2.0 * k, 7, k + 1)
    clear_cache()
    names, problems = find_moved(project, tmp_path / "other")
    assert names == {}
    assert sorted(p.image_id for p in problems) == sorted(project.images)
    assert all(p.reason == "refused" and "SOPInstanceUID" in p.message for p in problems)
    project2, _, folder2 = series_project(tmp_path / "second")  # the same series moved is found
    shutil.move(folder2, tmp_path / "second" / "moved" / "ct")
    clear_cache()
    names, problems = find_moved(project2, tmp_path / "second" / "moved")
    assert problems == [] and len(names) == 4


def test_adding_files_to_a_series_the_project_has_does_not_shadow_its_slices(tmp_path: Path) -> None:
    """A project made over a two-file series; two files sorting before them are copied into its folder and
    added: the series is numbered anew, so the project's #z=000 is another file now. The new files must not
    be taken for the project's slices (counted as there) while the project's own files come back as new
    images under the same names: the series is named and nothing of it is added."""
    from pixelproof.core.image_folder import images_to_add

    folder = tmp_path / "data" / "ct"
    for k in (2, 3):
        write_slice(folder / f"im{k}.dcm", 2.0 * k, 100 * k, k + 1)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json", ["organ"])
    for k in (0, 1):
        write_slice(folder / f"im{k}.dcm", 2.0 * k, 100 * k, k + 1)
    clear_cache()
    messages: list[str] = []
    added = images_to_add(project, [folder], messages.append)
    assert added.images == [] and added.already == []
    assert any("data/ct#z=000" in m and "SOPInstanceUID" in m for m in messages), messages
