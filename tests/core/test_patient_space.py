"""Patient coordinates of a displayed pixel and the orientation letters of a view's edges, checked against
nibabel (the file's own affine on the voxel the reader displays at that pixel) and against DICOM's formula
(PS3.3 C.7.6.2.1.1) on tags read back with pydicom; and a NIfTI's modality from its sidecar or
dataset.json."""

from __future__ import annotations

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest
from nibabel.affines import apply_affine

from pixelproof.core import volume_cache, volumes
from pixelproof.core.dicom_series import open_series
from pixelproof.core.nifti_modality import nifti_modality
from pixelproof.core.patient_space import direction_letters, position_text
from pixelproof.core.sources import image_meta, scan_images
from tests.core.test_dicom_acquisitions import write_slice

SHAPE = (7, 5, 4)


@pytest.fixture(autouse=True)
def _fresh_volumes():  # type: ignore[no-untyped-def]
    volume_cache.clear_cache()
    yield
    volume_cache.clear_cache()


def coded_volume(path: Path, affine: np.ndarray, shape: tuple[int, ...] = SHAPE) -> Path:
    """A NIfTI whose every voxel holds its own index (i * 10000 + j * 100 + k), so a displayed pixel says
    which stored voxel it shows."""
    i, j, k = np.indices(shape[:3])
    nib.save(nib.Nifti1Image((i * 10000 + j * 100 + k).astype(np.int32), affine), path)
    return path


def rotation(axis: int, degrees: float) -> np.ndarray:
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    a, b = [n for n in range(3) if n != axis]
    r = np.eye(3)
    r[a, a], r[a, b], r[b, a], r[b, b] = c, -s, s, c
    return r


AFFINES = {
    "RAS": np.diag([0.8, 0.9, 2.5, 1.0]),
    "LPS, shifted": np.array([[-0.7, 0, 0, 40], [0, -0.7, 0, -20], [0, 0, 3.0, -55], [0, 0, 0, 1]]),
    "PSR stored, oblique": np.vstack(
        [
            np.column_stack(
                [rotation(2, 20) @ np.array([[0, 0, 1.2], [-0.9, 0, 0], [0, 2.0, 0]]), [5, -6, 7]]
            ),
            [0, 0, 0, 1],
        ]
    ),
}


@pytest.mark.parametrize("name", list(AFFINES))
@pytest.mark.parametrize("axis", ["x", "y", "z"])
def test_a_nifti_pixel_lies_where_nibabel_puts_its_voxel(tmp_path: Path, name: str, axis: str) -> None:
    affine = AFFINES[name]
    path = coded_volume(tmp_path / "v.nii.gz", affine)
    volume = volumes.open_nifti(path, axis)
    for index in (0, volume.depth - 1):
        pixels = volume.slice(index)
        where = image_meta(f"{path}#{axis}={index:03d}").patient
        assert where is not None
        for row, col in [
            (0, 0),
            (0, volume.width - 1),
            (volume.height - 1, 0),
            (volume.height - 1, volume.width - 1),
            (1, 2),
        ]:
            code = int(pixels[min(row, volume.height - 1), min(col, volume.width - 1)])
            voxel = (code // 10000, code // 100 % 100, code % 100)
            r, c = min(row, volume.height - 1), min(col, volume.width - 1)
            np.testing.assert_allclose(where.position(c, r), apply_affine(affine, voxel), atol=1e-4)


def test_axial_slices_read_r_on_the_left_and_a_at_the_top_whatever_the_storage(tmp_path: Path) -> None:
    for name, affine in AFFINES.items():
        path = coded_volume(tmp_path / f"{len(name)}.nii.gz", affine)
        letters = image_meta(f"{path}#z=001").patient.edge_letters()
        if name != "PSR stored, oblique":
            assert letters == {"left": "R", "right": "L", "top": "A", "bottom": "P"}
        else:  # turned 20 degrees about S: the sides are oblique, R and A still lead where they should
            assert letters["left"][0] == "R" and letters["top"][0] == "A" and len(letters["left"]) == 2
    assert image_meta(f"{path}#x=001").patient.edge_letters()["top"][0] == "S"


def test_a_nifti_that_places_nothing_has_no_patient_position(tmp_path: Path) -> None:
    header = nib.Nifti1Header()  # an Analyze-like header: voxel sizes, no qform or sform
    header.set_data_shape(SHAPE)
    header.set_zooms((0.8, 0.8, 2.5))
    nib.save(nib.Nifti1Image(np.zeros(SHAPE, np.int16), None, header=header), tmp_path / "bare.nii")
    assert nib.load(tmp_path / "bare.nii").header["sform_code"] == 0
    meta = image_meta(f"{tmp_path / 'bare.nii'}#z=001")
    assert meta.patient is None and meta.pixel_spacing == pytest.approx((0.8, 0.8))  # in-slice mm stay


def dicom_formula(ds: pydicom.Dataset, col: int, row: int) -> np.ndarray:
    """PS3.3 C.7.6.2.1.1: P = S + col * dcol * X + row * drow * Y (LPS), then as RAS."""
    ipp = np.array([float(v) for v in ds.ImagePositionPatient])
    iop = np.array([float(v) for v in ds.ImageOrientationPatient])
    drow, dcol = (float(v) for v in ds.PixelSpacing)
    lps = ipp + col * dcol * iop[:3] + row * drow * iop[3:]
    return lps * np.array([-1, -1, 1])


ORIENTATIONS = {  # ImageOrientationPatient, position step per slice (LPS), expected edge letters
    "axial": ([1, 0, 0, 0, 1, 0], [0, 0, 2.5], {"left": "R", "right": "L", "top": "A", "bottom": "P"}),
    "sagittal": ([0, 1, 0, 0, 0, -1], [3.0, 0, 0], {"left": "A", "right": "P", "top": "S", "bottom": "I"}),
    "coronal": ([1, 0, 0, 0, 0, -1], [0, 2.0, 0], {"left": "R", "right": "L", "top": "S", "bottom": "I"}),
    "oblique": (
        list(np.round(rotation(2, 30)[:, 0], 6)) + list(np.round(rotation(2, 30)[:, 1], 6)),
        [0, 0, 2.0],
        {"left": "RA", "right": "LP", "top": "AL", "bottom": "PR"},  # rows turned 30 degrees towards P
    ),
}


def dicom_series(folder: Path, orientation: str) -> list[Path]:
    iop, step, _ = ORIENTATIONS[orientation]
    files = []
    for k in range(3):
        ipp = (np.array([-12.5, 30.0, 41.0]) + k * np.array(step)).tolist()
        files.append(
            write_slice(
                folder / f"im{k}.dcm",
                0.0,
                100 * k,
                3 - k,
                ImagePositionPatient=ipp,
                ImageOrientationPatient=iop,
                PixelSpacing=[0.6, 0.75],
            )
        )
    return files


@pytest.mark.parametrize("orientation", list(ORIENTATIONS))
def test_a_dicom_pixel_lies_where_its_tags_put_it(tmp_path: Path, orientation: str) -> None:
    files = dicom_series(tmp_path / "s", orientation)
    entries = scan_images(tmp_path / "s", lambda _m: None)
    assert len(entries) == 3
    volume = open_series(tmp_path / "s")
    for index in range(volume.depth):
        ds = pydicom.dcmread(volume.files[index])
        where = image_meta(f"{tmp_path / 's'}#z={index:03d}").patient
        for col, row in [(0, 0), (3, 0), (0, 3), (2, 1)]:
            np.testing.assert_allclose(where.position(col, row), dicom_formula(ds, col, row), atol=1e-6)
        assert where.edge_letters() == ORIENTATIONS[orientation][2]
    single = image_meta(files[1]).patient  # a file read alone is placed the same way
    np.testing.assert_allclose(single.position(1, 2), dicom_formula(pydicom.dcmread(files[1]), 1, 2))


def test_a_dicom_without_orientation_has_no_patient_position(tmp_path: Path) -> None:
    path = write_slice(tmp_path / "a.dcm", 0.0, 0, 1, ImageOrientationPatient=None)
    meta = image_meta(path)
    assert meta.patient is None and meta.pixel_spacing == (1.0, 1.0)


def test_the_geometry_is_not_written_into_the_project_records(tmp_path: Path) -> None:
    dicom_series(tmp_path / "s", "sagittal")
    coded_volume(tmp_path / "v.nii.gz", AFFINES["RAS"])
    for entry in scan_images(tmp_path, lambda _m: None):
        assert set(entry.extra) <= {"pixel_spacing", "slice_position", "slice_offset", "pixelproof"}


def test_position_text_names_each_side() -> None:
    assert position_text([12.34, -40.06, 55.0]) == "R 12.3  P 40.1  S 55.0 mm"
    assert position_text([-0.04, 0.0, -7.25]) == "R 0.0  A 0.0  I 7.2 mm"  # no "L 0.0" for a rounded -0.04
    assert direction_letters([0, 0, 0]) == "" and direction_letters([-1, 0.1, 0]) == "L"


def test_a_nifti_ct_is_named_by_its_dcm2niix_sidecar_or_its_datasets_json(tmp_path: Path) -> None:
    coded_volume(tmp_path / "ct.nii.gz", AFFINES["RAS"])
    assert nifti_modality(tmp_path / "ct.nii.gz") == ""
    (tmp_path / "ct.json").write_text(json.dumps({"Modality": "CT", "ConversionSoftware": "dcm2niix"}))
    assert image_meta(f"{tmp_path / 'ct.nii.gz'}#z=001").modality == "CT"
    (tmp_path / "ct.json").write_text('{"Modality": ')  # broken: unknown, no error
    assert nifti_modality(tmp_path / "ct.nii.gz") == ""
    msd = tmp_path / "Task03_Liver"
    for folder in ("imagesTr", "labelsTr"):
        (msd / folder).mkdir(parents=True)
        coded_volume(msd / folder / "liver_0.nii.gz", AFFINES["RAS"])
    (msd / "dataset.json").write_text(json.dumps({"modality": {"0": "CT"}, "labels": {"0": "bg"}}))
    assert image_meta(f"{msd / 'imagesTr' / 'liver_0.nii.gz'}#z=000").modality == "CT"
    assert nifti_modality(msd / "labelsTr" / "liver_0.nii.gz") == ""  # labels are no CT values
    v2 = tmp_path / "Dataset001" / "imagesTr"
    v2.mkdir(parents=True)
    (v2.parent / "dataset.json").write_text(json.dumps({"channel_names": {"0": "CT", "1": "PET"}}))
    assert (
        nifti_modality(v2 / "case_0000.nii.gz") == "CT" and nifti_modality(v2 / "case_0001.nii.gz") == "PET"
    )
    assert nifti_modality(v2 / "case.nii.gz", channel=1) == "PET"  # a 4D volume's channel


@pytest.mark.parametrize("iop", [[0, 0, 0, 0, 0, 0], [1, 0, 0, 1, 0, 0]])
def test_a_dicom_whose_orientation_places_nothing_has_no_patient_position(tmp_path: Path, iop: list) -> None:
    meta = image_meta(write_slice(tmp_path / "a.dcm", 0.0, 0, 1, ImageOrientationPatient=iop))
    assert meta.patient is None and meta.pixel_spacing == (1.0, 1.0)


def test_a_nifti_axis_without_direction_places_no_slice_across_it(tmp_path: Path) -> None:
    i, j, k = np.indices(SHAPE)
    img = nib.Nifti1Image((i * 10000 + j * 100 + k).astype(np.int32), None)
    img.header.set_sform(np.diag([0.8, 0.9, 0.0, 1.0]), code=2)  # z has no direction (srow z = 0)
    nib.save(img, path := tmp_path / "flat.nii.gz")
    assert image_meta(f"{path}#x=001").patient is None  # a sagittal slice spans z
