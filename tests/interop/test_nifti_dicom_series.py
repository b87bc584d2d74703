"""NIfTI label maps over DICOM series, both ways, checked against SimpleITK (ITK/GDCM's own series sorting
and LPS->RAS NIfTI writer, as 3D Slicer and MONAI read a series): the label map written for a series has
the affine and voxel order SimpleITK gives that series, a label map SimpleITK writes over the series reads
back onto the right slices, and project -> nifti -> project gives the same masks pixel for pixel. Series
are written here with pydicom: oblique, non-square, their file names and InstanceNumbers in another order
than their positions, so a transposed or reversed voxel order cannot pass."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation, Project
from pixelproof.core.volume_cache import clear_cache
from pixelproof.interop.nifti import read_nifti
from pixelproof.interop.nifti_writer import write_nifti

sitk = pytest.importorskip("SimpleITK")

ROWS, COLS, DEPTH = 6, 9, 5
A30, A20 = np.radians(30), np.radians(20)
OBLIQUE = [np.cos(A30), np.sin(A30), 0, -np.sin(A30) * np.cos(A20), np.cos(A30) * np.cos(A20), -np.sin(A20)]
CORONAL = [1, 0, 0, 0, 0, -1]  # its normal points to -y: positions ascend as y falls


@pytest.fixture(autouse=True)
def _fresh_volumes():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def write_series(
    folder: Path,
    iop: list[float],
    uid: str = "1.2.3.4",
    number: int = 5,
    prefix: str = "IM",
    mm: tuple[float, ...] = (0, 2.5, 5, 7.5, 10),
) -> None:
    """DEPTH slices of ROWS x COLS, 0.7 x 0.9 mm pixels, at ``mm`` along the normal; files named and
    numbered against their position order."""
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    normal = np.cross(iop[:3], iop[3:])
    for k, order in enumerate([3, 0, 4, 1, 2]):  # file k lies at position ``order``
        meta = FileMetaDataset()
        meta.TransferSyntaxUID, meta.MediaStorageSOPClassUID = ExplicitVRLittleEndian, CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        ds = pydicom.Dataset()
        ds.file_meta, ds.preamble = meta, b"\0" * 128
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.SeriesInstanceUID, ds.SeriesNumber, ds.Modality, ds.InstanceNumber = uid, number, "CT", 10 - order
        ds.StudyInstanceUID, ds.FrameOfReferenceUID = "1.2.3", "1.2.3.5"
        ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = ROWS, COLS, 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = "1", "0"
        ds.ImageOrientationPatient = [round(v, 8) for v in iop]
        ds.ImagePositionPatient = [round(v, 6) for v in np.array([-40.0, 25.0, 60.0]) + mm[order] * normal]
        ds.PixelSpacing, ds.SliceThickness = [0.7, 0.9], 2.5
        ds.PixelData = (np.arange(ROWS * COLS, dtype=np.int16).reshape(ROWS, COLS) * (order + 1)).tobytes()
        folder.mkdir(parents=True, exist_ok=True)
        ds.save_as(folder / f"{prefix}{k:04d}", enforce_file_format=True)


def draw(project: Project, second_class: bool = False) -> dict[str, np.ndarray]:
    """A mask on each slice, unlike on every other slice and in no symmetry (a flip or transpose shows);
    with ``second_class`` a class-2 object on slice 1 overlapping the first."""
    drawn = {}
    for image in project.images.values():
        k = int(image.file_name.rsplit("=", 1)[1])
        m = np.zeros((image.height, image.width), bool)
        m[1 : 2 + k % 4, k:7] = True
        m[0, 0] = k % 2 == 0
        ann = Annotation(project.next_annotation_id(), image.id, 1, masks.bbox(m), masks.encode(m), m.sum())
        project.add_annotation(ann)
        drawn[image.file_name] = m.astype(np.uint8)
        if second_class and k == 1:
            m2 = np.zeros_like(m)
            m2[2:5, 5:9] = True
            project.add_annotation(
                Annotation(
                    project.next_annotation_id(), image.id, 2, masks.bbox(m2), masks.encode(m2), m2.sum()
                )
            )
            drawn[image.file_name][m2] = 2
    return drawn


def series_project(tmp_path: Path, iop: list[float], second_class: bool = False):
    study = tmp_path / "study"
    write_series(study / "ct", iop)
    project = project_from_folder(study, tmp_path / "p.json", ["organ", "lesion"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    return project, study / "ct", draw(project, second_class)


def simpleitk_reference(folder: Path, tmp_path: Path) -> tuple[np.ndarray, list[str]]:
    """The RAS affine SimpleITK's own NIfTI writer gives the series it reads, and the SOPInstanceUID of each
    of its slices in its (GDCM's) order."""
    reader = sitk.ImageSeriesReader()
    files = reader.GetGDCMSeriesFileNames(str(folder))
    reader.SetFileNames(files)
    sitk.WriteImage(reader.Execute(), str(tmp_path / "sitk_image.nii.gz"))
    uids = [str(pydicom.dcmread(f).SOPInstanceUID) for f in files]
    return nib.load(tmp_path / "sitk_image.nii.gz").affine, uids


def masks_by_name(project: Project) -> dict[str, np.ndarray]:
    """Each slice's class ids (name after the last '/': the reader names slices from its own folder)."""
    out = {}
    for image in project.images.values():
        ids = np.zeros((image.height, image.width), np.uint8)
        for ann in project.annotations_of(image.id):
            ids[ann.mask(image.height, image.width)] = (
                int(project.categories[ann.category_id].name == "lesion") + 1
            )
        out[image.file_name.rsplit("/", 1)[-1]] = ids
    return out


@pytest.mark.parametrize("iop", [OBLIQUE, CORONAL], ids=["oblique", "coronal"])
def test_a_series_label_map_has_the_geometry_and_voxel_order_simpleitk_reads(tmp_path: Path, iop) -> None:
    # convert --to nifti over DICOM series wrote nothing: a label map needed a NIfTI source
    project, folder, drawn = series_project(tmp_path, iop)
    warnings = write_nifti(project, tmp_path / "out")
    assert warnings == []
    written = nib.load(tmp_path / "out" / "ct.nii.gz")
    affine, uids = simpleitk_reference(folder, tmp_path)
    np.testing.assert_allclose(written.affine, affine, atol=1e-4)
    assert written.shape == (COLS, ROWS, DEPTH) and written.get_data_dtype() == np.uint8
    assert int(written.header["sform_code"]) == 1 and int(written.header["qform_code"]) == 1
    data = np.asanyarray(written.dataobj)
    by_uid = {im.extra["pixelproof"]["sop_instance_uid"]: im.file_name for im in project.images.values()}
    for k, uid in enumerate(uids):  # SimpleITK's slice k is the file our slice of that file was drawn on
        np.testing.assert_array_equal(data[:, :, k].T, drawn[by_uid[uid]])
    assert (tmp_path / "out" / "classes.txt").read_text().splitlines() == ["background", "organ", "lesion"]


@pytest.mark.parametrize("iop", [OBLIQUE, CORONAL], ids=["oblique", "coronal"])
def test_project_to_nifti_and_back_gives_the_same_masks(tmp_path: Path, iop) -> None:
    project, folder, drawn = series_project(tmp_path, iop, second_class=True)
    warnings = write_nifti(project, tmp_path / "out")
    # slice 1: the organ's rows 1-2, columns 1-6 under the lesion's rows 2-4, columns 5-8: 2 voxels
    assert warnings == ["2 voxels where objects overlap: each keeps the later object's class"]
    result = read_nifti(tmp_path / "out", image_dir=folder.parent)
    assert result.problems == []
    back = result.project
    assert sorted(im.file_name for im in back.images.values()) == [f"../study/ct#z={k:03d}" for k in range(5)]
    got = masks_by_name(back)
    for name, ids in drawn.items():
        np.testing.assert_array_equal(got[name.rsplit("/", 1)[-1]], ids)

    def uids(p: Project) -> dict[str, str]:
        return {
            im.file_name.rsplit("/", 1)[-1]: im.extra["pixelproof"]["sop_instance_uid"]
            for im in p.images.values()
        }

    assert uids(back) == uids(project)  # each slice keeps which file it is


def test_a_label_map_simpleitk_writes_over_the_series_reads_onto_its_slices(tmp_path: Path) -> None:
    """Independent writer: labels drawn into SimpleITK's own image of the series (its voxel order, its
    header) land on the slices of the files they were drawn on."""
    study = tmp_path / "study"
    write_series(study / "ct", OBLIQUE)
    reader = sitk.ImageSeriesReader()
    files = reader.GetGDCMSeriesFileNames(str(study / "ct"))
    reader.SetFileNames(files)
    image = reader.Execute()
    array = np.zeros((DEPTH, ROWS, COLS), np.uint8)  # SimpleITK's arrays are (slice, row, column)
    for k in range(DEPTH):
        array[k, k : k + 2, 2 * k : 2 * k + 3] = 1 + k % 2
    labels = sitk.GetImageFromArray(array)
    labels.CopyInformation(image)
    (tmp_path / "labels").mkdir()
    sitk.WriteImage(labels, str(tmp_path / "labels" / "ct.nii.gz"))
    result = read_nifti(tmp_path / "labels", image_dir=study)
    assert result.problems == []
    uid_of = {str(pydicom.dcmread(f).SOPInstanceUID): k for k, f in enumerate(files)}
    for record in result.project.images.values():
        k = uid_of[record.extra["pixelproof"]["sop_instance_uid"]]
        ids = np.zeros((ROWS, COLS), np.uint8)
        for ann in result.project.annotations_of(record.id):
            ids[ann.mask(ROWS, COLS)] = result.project.categories[ann.category_id].id
        np.testing.assert_array_equal(ids, array[k])


def test_a_label_map_turned_to_ras_lands_on_the_same_voxels(tmp_path: Path) -> None:
    """MONAI's Orientationd stores labels RAS over an LPS series: the same voxels in space, other axes."""
    project, folder, drawn = series_project(tmp_path, CORONAL)
    write_nifti(project, tmp_path / "out")
    canonical = nib.as_closest_canonical(nib.load(tmp_path / "out" / "ct.nii.gz"))
    assert nib.aff2axcodes(canonical.affine) == ("R", "A", "S")
    nib.save(canonical, tmp_path / "out" / "ct.nii.gz")
    result = read_nifti(tmp_path / "out", image_dir=folder.parent)
    assert result.problems == []
    got = masks_by_name(result.project)
    assert all(np.array_equal(got[n.rsplit("/", 1)[-1]], ids) for n, ids in drawn.items())


def test_a_flipped_or_resized_label_map_is_not_put_on_the_series(tmp_path: Path) -> None:
    project, folder, _ = series_project(tmp_path, OBLIQUE)
    write_nifti(project, tmp_path / "out")
    good = nib.load(tmp_path / "out" / "ct.nii.gz")
    data = np.asanyarray(good.dataobj)
    flipped = good.affine.copy()
    flipped[:3, 0] *= -1  # the columns run the other way from the same corner: mirrored in the patient
    (tmp_path / "flip").mkdir()
    nib.save(nib.Nifti1Image(data, flipped), tmp_path / "flip" / "ct.nii.gz")
    result = read_nifti(tmp_path / "flip", image_dir=folder.parent)
    (problem,) = result.problems
    assert str(tmp_path / "flip" / "ct.nii.gz") in problem and str(folder) in problem
    assert (
        "columns run the other way (flipped)" in problem and "mm from where the series' geometry" in problem
    )
    assert not result.project.images
    (tmp_path / "short").mkdir()
    nib.save(nib.Nifti1Image(data[:, :, :4], good.affine), tmp_path / "short" / "ct.nii.gz")
    result = read_nifti(tmp_path / "short", image_dir=folder.parent)
    (problem,) = result.problems
    assert str(tmp_path / "short" / "ct.nii.gz") in problem
    assert "the labels are 9 x 6 x 4 voxels" in problem and "the series 9 x 6 x 5" in problem
    assert not result.project.images


def test_a_label_map_placed_light_years_off_is_said_in_a_short_distance(tmp_path: Path) -> None:
    """An affine 3e38 mm off (a broken float32 header) printed a 40-digit distance; as a NIfTI image's
    labels do, it is said in three figures, more than 1 km."""
    project, folder, _ = series_project(tmp_path, OBLIQUE)
    write_nifti(project, tmp_path / "out")
    good = nib.load(tmp_path / "out" / "ct.nii.gz")
    far = good.affine.copy()
    far[:3, 3] = 3e38
    (tmp_path / "far").mkdir()
    nib.save(nib.Nifti1Image(np.asanyarray(good.dataobj), far), tmp_path / "far" / "ct.nii.gz")
    result = read_nifti(tmp_path / "far", image_dir=folder.parent)
    (problem,) = result.problems
    assert "more than 1 km from where the series' geometry" in problem, problem
    assert not re.search(r"\d{10}", problem), problem
    assert not result.project.images


def test_series_of_one_folder_get_a_label_map_each_and_read_back_by_name(tmp_path: Path) -> None:
    study = tmp_path / "study"
    write_series(study / "ct", OBLIQUE, uid="1.2.3.4", number=5)
    write_series(study / "ct", CORONAL, uid="1.2.3.9", number=6, prefix="MR")
    project = project_from_folder(study, tmp_path / "p.json", ["organ"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    drawn = draw(project)
    assert write_nifti(project, tmp_path / "out") == []
    assert sorted(f.name for f in (tmp_path / "out").iterdir()) == [
        "classes.txt",
        "ct_series1.nii.gz",
        "ct_series2.nii.gz",
    ]
    result = read_nifti(tmp_path / "out", image_dir=study)
    assert result.problems == []
    got = masks_by_name(result.project)
    assert sorted(got) == sorted(n.rsplit("/", 1)[-1] for n in drawn)
    assert all(np.array_equal(got[n.rsplit("/", 1)[-1]], ids) for n, ids in drawn.items())


def test_class_ids_past_255_are_written_as_uint16(tmp_path: Path) -> None:
    project, _, _ = series_project(tmp_path, OBLIQUE)
    cat = project.categories[1]
    cat.id = 300
    project.categories = {300: cat, 2: project.categories[2]}
    for ann in project.annotations.values():
        ann.category_id = 300
    write_nifti(project, tmp_path / "out")
    written = nib.load(tmp_path / "out" / "ct.nii.gz")
    assert written.get_data_dtype() == np.uint16 and set(np.unique(np.asanyarray(written.dataobj))) == {
        0,
        300,
    }


def test_convert_to_nifti_over_a_series_project_writes_its_label_map(tmp_path: Path, capsys) -> None:
    project, _, _ = series_project(tmp_path, OBLIQUE)
    save_project(project, tmp_path / "p.json")
    out = tmp_path / "labels"
    assert main(["convert", str(tmp_path / "p.json"), str(out), "--from", "coco", "--to", "nifti"]) == 0
    assert (out / "ct.nii.gz").is_file() and load_project(tmp_path / "p.json").images


def test_unevenly_spaced_slices_are_said_and_read_back_onto_their_files(tmp_path: Path) -> None:
    """An affine has one slice step: the mean (as SimpleITK and dcm2niix take one), and the warning says
    which slice that puts how far from its file; the voxels stay the files in order."""
    study = tmp_path / "study"
    write_series(study / "ct", OBLIQUE, mm=(0, 2.5, 5, 8.5, 10))  # slice 3 lies 1 mm past the even step
    project = project_from_folder(study, tmp_path / "p.json", ["organ"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    drawn = draw(project)
    (warning,) = write_nifti(project, tmp_path / "out")
    assert str(study / "ct") in warning and "unevenly spaced" in warning
    assert "2.500 mm a slice" in warning and "slice 3 (IM0000) 1.00 mm" in warning
    step = nib.load(tmp_path / "out" / "ct.nii.gz").affine[:3, 2]
    assert np.linalg.norm(step) == pytest.approx(2.5)
    result = read_nifti(tmp_path / "out", image_dir=study)
    assert result.problems == []
    got = masks_by_name(result.project)
    assert all(np.array_equal(got[n.rsplit("/", 1)[-1]], ids) for n, ids in drawn.items())


def test_a_series_without_geometry_gets_a_voxel_size_affine_and_is_checked_by_size(tmp_path: Path) -> None:
    study = tmp_path / "study"
    write_series(study / "ct", OBLIQUE)
    for f in (study / "ct").iterdir():  # stacked by InstanceNumber, placed nowhere
        ds = pydicom.dcmread(f)
        del ds.ImagePositionPatient, ds.ImageOrientationPatient
        ds.save_as(f)
    project = project_from_folder(study, tmp_path / "p.json", ["organ"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    drawn = draw(project)
    (warning,) = write_nifti(project, tmp_path / "out")
    assert str(study / "ct") in warning and "no patient geometry" in warning
    np.testing.assert_allclose(nib.load(tmp_path / "out" / "ct.nii.gz").affine, np.diag([-0.9, -0.7, 1, 1]))
    result = read_nifti(tmp_path / "out", image_dir=study)
    (problem,) = result.problems
    assert str(tmp_path / "out" / "ct.nii.gz") in problem and "only its size was checked" in problem
    got = masks_by_name(result.project)
    assert all(np.array_equal(got[n.rsplit("/", 1)[-1]], ids) for n, ids in drawn.items())


@pytest.mark.parametrize("named", [False, True], ids=["alone", "image-dir"])
def test_a_label_file_inside_its_series_folder_reads_onto_the_series(tmp_path: Path, named: bool) -> None:
    """``ct/labels.nii.gz`` beside the series' files (named so by no rule): the folder it lies in is the
    series, with or without ``--image-dir`` naming that folder (which used to skip it as an image)."""
    project, folder, drawn = series_project(tmp_path, OBLIQUE)
    write_nifti(project, tmp_path / "out")
    (tmp_path / "out" / "ct.nii.gz").rename(folder / "labels.nii.gz")
    result = read_nifti(folder / "labels.nii.gz", image_dir=folder if named else None)
    assert result.problems == []
    got = masks_by_name(result.project)
    assert sorted(got) == [f"ct#z={k:03d}" for k in range(DEPTH)]
    assert all(np.array_equal(got[n.rsplit("/", 1)[-1]], ids) for n, ids in drawn.items())


@pytest.mark.parametrize("reader", ["original", "final"])
def test_two_readers_label_maps_beside_the_series_read_onto_the_series_not_onto_each_other(
    tmp_path: Path, reader: str
) -> None:
    """MONAI Label keeps ``labels/original/ct.nii.gz`` and ``labels/final/ct.nii.gz`` beside the series
    ``ct/``: with the study as the images folder, one reader's label map was taken for the image of the
    other's (the first ``ct.nii.gz`` found under it), so the project was made over a label volume with no
    word said, its slices the other reader's labels shown as a CT."""
    project, _, drawn = series_project(tmp_path, OBLIQUE)
    study = tmp_path / "study"
    write_nifti(project, study / "labels" / "original")
    write_nifti(project, study / "labels" / "final")
    result = read_nifti(study / "labels" / reader, image_dir=study)
    names = sorted(im.file_name for im in result.project.images.values())
    assert all(".nii" not in n for n in names), names[:2]
    assert result.problems == []
    got = masks_by_name(result.project)
    assert all(np.array_equal(got[n.rsplit("/", 1)[-1]], ids) for n, ids in drawn.items())


def test_a_label_map_named_after_no_series_reads_onto_the_one_series_it_fits(tmp_path: Path) -> None:
    """A reader's ``ct_label.nii.gz`` names no series folder: it was read as a volume of its own, nothing
    said, and QA against the project found no image of its name. Under ``--image-dir`` the one series whose
    size and geometry it fits takes it (an MR series of other geometry beside it fits not), saying so."""
    project, _, drawn = series_project(tmp_path, OBLIQUE)
    study = tmp_path / "study"
    write_series(study / "mr", CORONAL, uid="1.2.3.9", number=6, prefix="MR")
    write_nifti(project, tmp_path / "out")
    (tmp_path / "out" / "ct.nii.gz").rename(tmp_path / "out" / "ct_label.nii.gz")
    result = read_nifti(tmp_path / "out" / "ct_label.nii.gz", image_dir=study)
    (note,) = result.problems
    assert "ct_label.nii.gz: no DICOM series is named after it; read onto" in note
    assert f"{study / 'ct'}, the one series under {study} whose size and geometry it fits" in note
    got = masks_by_name(result.project)
    assert sorted(got) == [f"ct#z={k:03d}" for k in range(DEPTH)]
    assert all(np.array_equal(got[n.rsplit("/", 1)[-1]], ids) for n, ids in drawn.items())


def test_a_label_map_two_series_fit_is_put_on_neither_and_both_are_named(tmp_path: Path) -> None:
    """Two series of one geometry (the arterial and venous phase exported apart, T1 and T2 of one
    scan): a pick would score the wrong one; it stays a volume of its own and the message names both, as it
    says when none fits."""
    project, _, _ = series_project(tmp_path, OBLIQUE)
    study = tmp_path / "study"
    write_series(study / "venous", OBLIQUE, uid="1.2.3.9", number=6, prefix="V")
    write_nifti(project, tmp_path / "out")
    label = tmp_path / "out" / "reader2.nii.gz"
    (tmp_path / "out" / "ct.nii.gz").rename(label)
    result = read_nifti(label, image_dir=study)
    (note,) = result.problems
    assert f"2 series fit its size and geometry ({study / 'ct'}, {study / 'venous'})" in note
    assert "read as a volume of its own" in note
    assert all(im.file_name.startswith("reader2.nii.gz#z=") for im in result.project.images.values())
    shutil.rmtree(study / "venous")
    shutil.rmtree(study / "ct")
    write_series(study / "ct", CORONAL)  # the same size, placed otherwise
    (note,) = read_nifti(label, image_dir=study).problems
    assert "none of the 1 series under" in note and "fits its size and geometry" in note
