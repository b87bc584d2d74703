"""A DICOM series whose files are several acquisitions / phases at the same positions (a dynamic or
multi-phase series under one SeriesInstanceUID) is read as one volume per acquisition, as 3D Slicer's
DICOM scalar volume plugin splits it; two files at one position that nothing tells apart are reported,
not stacked. Series written here with pydicom, with known answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_modality_lut

from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.imageio import ImageReadError, read_image, read_project_image
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.sources import scan_images
from pixelproof.core.volume_cache import clear_cache


@pytest.fixture(autouse=True)
def _fresh_volumes():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def write_slice(path: Path, position: float, value: int, instance: int, **attrs: object) -> Path:
    """A 4x4 MR slice at z = ``position`` of stored values ``value``..``value + 15`` (rescale 2x - 7, so
    the modality LUT matters); ``attrs`` set header elements (None removes one)."""
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

    meta = FileMetaDataset()
    meta.TransferSyntaxUID, meta.MediaStorageSOPClassUID = ExplicitVRLittleEndian, MRImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    ds = pydicom.Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = MRImageStorage, meta.MediaStorageSOPInstanceUID
    ds.SeriesInstanceUID, ds.SeriesNumber, ds.Modality = "1.2.3.4", 5, "MR"
    ds.InstanceNumber = instance
    ds.StudyInstanceUID, ds.FrameOfReferenceUID = "1.2.3", "1.2.3.5"  # what a DICOM SEG of it needs
    ds.PatientID, ds.PatientName, ds.StudyID, ds.AccessionNumber = "p1", "Test^Patient", "1", "a1"
    ds.StudyDate, ds.StudyTime, ds.ReferringPhysicianName, ds.PatientBirthDate = "20240101", "1200", "", ""
    ds.PatientSex, ds.Manufacturer, ds.SliceThickness = "O", "test", 2.5
    ds.Rows = ds.Columns = 4
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleSlope, ds.RescaleIntercept = "2", "-7"
    ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, position], [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [1, 1]
    ds.PixelData = (np.arange(16, dtype=np.int16).reshape(4, 4) + value).tobytes()
    for name, v in attrs.items():
        if v is None:
            delattr(ds, name)
        else:
            setattr(ds, name, v)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.preamble = (
        b"\0" * 128
    )  # written with its DICM prefix even when no SOPInstanceUID lets pydicom check it
    ds.save_as(path, enforce_file_format="SOPInstanceUID" in ds)
    return path


def expected_pixels(path: Path) -> np.ndarray:
    ds = pydicom.dcmread(path)
    return apply_modality_lut(ds.pixel_array, ds)


def dynamic_series(folder: Path, phases: int = 3, positions: int = 4, tag: str = "AcquisitionNumber") -> dict:
    """``phases`` x ``positions`` files, numbered by InstanceNumber time first (as scanners number a
    dynamic series: all positions of phase 1, then phase 2, ...), file names not in slice order;
    phase p (1-based) is told apart by ``tag`` = p. Returns {(p, k): path} for slice k of phase p."""
    files = {}
    for p in range(1, phases + 1):
        for k in range(positions):
            instance = (p - 1) * positions + k + 1
            extra = {tag: p} if tag != "AcquisitionNumber" else {}
            acquisition = p if tag == "AcquisitionNumber" else 1
            files[p, k] = write_slice(
                folder / f"IM{(instance * 7) % 97:04d}.dcm",  # names sort in neither order
                -10.0 + 2.5 * k,
                1000 * p + 100 * k,
                instance,
                AcquisitionNumber=acquisition,
                **extra,
            )
    return files


def test_a_dynamic_series_becomes_one_volume_per_acquisition(tmp_path: Path) -> None:
    files = dynamic_series(tmp_path / "dyn")
    notes: list[str] = []
    entries = scan_images(tmp_path, notes.append)
    names = [e.file_name(tmp_path) for e in entries]
    assert names == [f"dyn#phase={p}&z={k:03d}" for p in (1, 2, 3) for k in range(4)]
    for (p, k), f in files.items():
        np.testing.assert_array_equal(read_image(tmp_path / f"dyn#phase={p}&z={k:03d}"), expected_pixels(f))
    positions = [e.extra["slice_position"] for e in entries if e.fragment.startswith("#phase=2&")]
    assert positions == [-10.0, -7.5, -5.0, -2.5]  # one slice a position, 2.5 mm apart
    (note,) = notes
    assert "dyn" in note and "3 volumes" in note and "AcquisitionNumber" in note
    assert "#phase=2" in note and "AcquisitionNumber 2" in note


@pytest.mark.parametrize("tag", ["TemporalPositionIdentifier", "TriggerTime", "EchoNumbers"])
def test_phases_of_one_acquisition_are_told_apart_by_their_temporal_position(
    tmp_path: Path, tag: str
) -> None:
    files = dynamic_series(tmp_path / "dyn", phases=2, positions=3, tag=tag)
    notes: list[str] = []
    names = [e.file_name(tmp_path) for e in scan_images(tmp_path, notes.append)]
    assert names == [f"dyn#phase={p}&z={k:03d}" for p in (1, 2) for k in range(3)]
    np.testing.assert_array_equal(read_image(tmp_path / "dyn#phase=2&z=001"), expected_pixels(files[2, 1]))
    assert tag in notes[0]


def test_acquisition_numbers_of_a_stack_without_shared_positions_do_not_split_it(tmp_path: Path) -> None:
    """A step-and-shoot CT numbers each rotation's slices as their own acquisition: no two files share a
    position, so it stays one volume, named as before."""
    for k in range(4):
        write_slice(tmp_path / "ct" / f"{k}.dcm", 2.0 * k, 10 * k, k + 1, AcquisitionNumber=k // 2 + 1)
    notes: list[str] = []
    names = [e.file_name(tmp_path) for e in scan_images(tmp_path, notes.append)]
    assert names == [f"ct#z={k:03d}" for k in range(4)] and notes == []


def test_a_reacquired_slice_is_its_own_volume(tmp_path: Path) -> None:
    for k in range(3):
        write_slice(tmp_path / "ct" / f"a{k}.dcm", 2.0 * k, 10 * k, k + 1, AcquisitionNumber=1)
    again = write_slice(tmp_path / "ct" / "b1.dcm", 2.0, 555, 4, AcquisitionNumber=2)
    names = [e.file_name(tmp_path) for e in scan_images(tmp_path, lambda m: None)]
    assert names == ["ct#phase=1&z=000", "ct#phase=1&z=001", "ct#phase=1&z=002", "ct#phase=2&z=000"]
    np.testing.assert_array_equal(read_image(tmp_path / "ct#phase=2&z=000"), expected_pixels(again))


def test_two_files_at_one_position_that_nothing_tells_apart_are_reported_not_stacked(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    for k in range(3):
        write_slice(folder / f"a{k}.dcm", 2.0 * k, 10 * k, k + 1)
    write_slice(folder / "a1 copy.dcm", 2.0, 10, 2)  # a second file at z = 2 mm, alike in every tag
    shutil.copy(folder / "a2.dcm", folder / "a2 (1).dcm")  # and a copy of a2: the same SOPInstanceUID
    for k in range(2):  # a second series of the folder, numbered after the first
        write_slice(folder / f"b{k}.dcm", 2.0 * k, 7, k + 1, SeriesInstanceUID="1.2.3.9", SeriesNumber=6)
    skipped: list[str] = []
    names = [e.file_name(tmp_path) for e in scan_images(tmp_path, skipped.append)]
    assert names == ["mixed#series=2&z=000", "mixed#series=2&z=001"]  # series 2 keeps its number
    listing, problem = skipped
    assert "mixed#series=1: SeriesNumber 5 (5 files from a0.dcm, 0 to 4 mm), not stacked" in listing
    assert "a1 copy.dcm and a1.dcm at 2 mm; a2 (1).dcm and a2.dcm at 4 mm" in problem
    assert "same position" in problem and "the same SOPInstanceUID" in problem
    assert "not stacked" in problem
    with pytest.raises(ImageReadError, match="not stacked"):
        read_image(tmp_path / "mixed#series=1&phase=1&z=000")


def test_a_projects_interleaved_slices_stay_on_their_files(tmp_path: Path) -> None:
    """A project made before the split named the interleaved stack's slices ``dyn#z=NNN`` (sorted by
    position, then InstanceNumber, then file name), each keeping its file's SOPInstanceUID: every such
    record still reads the file it was made from, so no mask moves to another slice."""
    files = dynamic_series(tmp_path / "data" / "dyn")
    old_order = sorted(
        files.values(),
        key=lambda f: (
            float(pydicom.dcmread(f).ImagePositionPatient[2]),
            int(pydicom.dcmread(f).InstanceNumber),
            f.name,
        ),
    )
    project = Project(path=tmp_path / "p.json")
    for k, f in enumerate(old_order):
        uid = str(pydicom.dcmread(f).SOPInstanceUID)
        extra = {"pixelproof": {"sop_instance_uid": uid}, "slice_position": -10.0 + 2.5 * (k // 3)}
        project.add_image(ImageRecord(k + 1, f"data/dyn#z={k:03d}", 4, 4, extra=extra))
    project.add_image(ImageRecord(99, "data/dyn#z=005", 4, 4))  # older still: no identity
    for k, f in enumerate(old_order):
        np.testing.assert_array_equal(read_project_image(project, project.images[k + 1]), expected_pixels(f))
    np.testing.assert_array_equal(
        read_project_image(project, project.images[99]), expected_pixels(old_order[5])
    )
    # adding the folder to that project adds the per-phase volumes, and leaves the old records alone
    from pixelproof.core.image_folder import images_to_add

    added = images_to_add(project, [tmp_path / "data"], lambda m: None)
    assert sorted(im.file_name for im in added.images) == sorted(
        f"data/dyn#phase={p}&z={k:03d}" for p in (1, 2, 3) for k in range(4)
    )


def test_a_phase_record_is_refused_when_its_phase_moved(tmp_path: Path) -> None:
    files = dynamic_series(tmp_path / "data" / "dyn", phases=3, positions=2)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json", ["organ"])
    record = next(im for im in project.images.values() if im.file_name == "data/dyn#phase=2&z=001")
    np.testing.assert_array_equal(read_project_image(project, record), expected_pixels(files[2, 1]))
    for k in range(2):
        files[1, k].unlink()  # phase 1 gone: phase 2 is now the first
    clear_cache()
    with pytest.raises(ImageReadError, match=r"now #phase=1&z=001"):
        read_project_image(project, record)


# ------------------------------------------------------------------------------------------------
# files without a SOPInstanceUID: a slice record keeps the file's name and size instead


def no_uid_project(tmp_path: Path) -> tuple[Project, Path]:
    folder = tmp_path / "data" / "ct"
    for k in range(4):
        write_slice(folder / f"im{k}.dcm", 2.0 * k, 100 * k, k + 1, SOPInstanceUID=None)
    assert "SOPInstanceUID" not in pydicom.dcmread(folder / "im0.dcm")
    return project_from_folder(tmp_path / "data", tmp_path / "p.json", ["organ"]), folder


def test_slices_of_files_without_a_sop_instance_uid_keep_their_file_name_and_size(tmp_path: Path) -> None:
    project, folder = no_uid_project(tmp_path)
    for k, image in enumerate(sorted(project.images.values(), key=lambda im: im.file_name)):
        f = folder / f"im{k}.dcm"
        assert image.extra["pixelproof"] == {"dicom_file": [f.name, f.stat().st_size]}
        np.testing.assert_array_equal(read_project_image(project, image), expected_pixels(f))


def test_a_series_without_sop_instance_uids_that_lost_a_file_refuses_the_shifted_slices(
    tmp_path: Path,
) -> None:
    """Without an identity the records read by index: after im1.dcm went, data/ct#z=001 showed im2's
    pixels under im1's masks."""
    project, folder = no_uid_project(tmp_path)
    (folder / "im1.dcm").unlink()
    clear_cache()

    def image(name: str) -> ImageRecord:
        return next(im for im in project.images.values() if im.file_name == name)

    np.testing.assert_array_equal(
        read_project_image(project, image("data/ct#z=000")), expected_pixels(folder / "im0.dcm")
    )
    with pytest.raises(
        ImageReadError, match=r"im1\.dcm of [\d,]+ bytes \(it has no SOPInstanceUID\)\) is no longer"
    ):
        read_project_image(project, image("data/ct#z=001"))
    with pytest.raises(ImageReadError, match=r"is now #z=001 \(im2\.dcm\)"):
        read_project_image(project, image("data/ct#z=002"))


def test_a_file_without_a_sop_instance_uid_replaced_by_another_of_its_name_is_refused(tmp_path: Path) -> None:
    project, folder = no_uid_project(tmp_path)
    write_slice(
        folder / "im2.dcm", 4.0, 7, 3, SOPInstanceUID=None, PixelSpacing=[0.5, 0.5], PatientID="other"
    )
    clear_cache()
    record = next(im for im in project.images.values() if im.file_name == "data/ct#z=002")
    with pytest.raises(ImageReadError, match="changed since the project was made"):
        read_project_image(project, record)


def test_a_multiframe_object_without_a_sop_instance_uid_replaced_by_another_is_refused(
    tmp_path: Path,
) -> None:
    frames = np.arange(32, dtype=np.int16).tobytes()
    cine = write_slice(
        tmp_path / "data" / "cine.dcm", 0, 0, 1, SOPInstanceUID=None, NumberOfFrames=2, PixelData=frames
    )
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json", ["organ"])
    record = next(im for im in project.images.values() if im.file_name == "data/cine.dcm#z=001")
    assert record.extra["pixelproof"] == {"dicom_file": ["cine.dcm", cine.stat().st_size]}
    np.testing.assert_array_equal(read_project_image(project, record), expected_pixels(cine)[1])
    write_slice(cine, 0, 0, 1, SOPInstanceUID=None, NumberOfFrames=3, PixelData=frames + frames[:32])
    clear_cache()
    with pytest.raises(ImageReadError, match="changed since the project was made"):
        read_project_image(project, record)


def test_a_folder_of_series_sharing_a_series_number_says_which_series_k_is_which(tmp_path: Path) -> None:
    """An arterial and a venous series exported to one folder, both SeriesNumber 5, no SeriesDescription:
    they were named ct#series=1 and ct#series=2 with nothing said, K being no tag of theirs. ``new`` now says
    which K holds which files, over which span."""
    folder = tmp_path / "ct"
    for k in range(3):
        write_slice(folder / f"art{k}.dcm", 2.0 * k, 10 * k, k + 1, SeriesInstanceUID="1.2.3.7")
    for k in range(4):
        write_slice(folder / f"ven{k}.dcm", 2.0 * k - 1, 10 * k, k + 1, SeriesInstanceUID="1.2.3.8")
    skipped: list[str] = []
    names = [e.file_name(tmp_path) for e in scan_images(tmp_path, skipped.append)]
    assert names[0] == "ct#series=1&z=000" and names[-1] == "ct#series=2&z=003"
    (note,) = skipped
    assert "ct: 2 DICOM series, one volume each" in note
    assert "ct#series=1: SeriesNumber 5 (3 files from art0.dcm, 0 to 4 mm)" in note
    assert "ct#series=2: SeriesNumber 5 (4 files from ven0.dcm, -1 to 5 mm)" in note
    assert np.array_equal(
        read_image(f"{folder}#series=2&z=003"),
        apply_modality_lut(
            pydicom.dcmread(folder / "ven3.dcm").pixel_array, pydicom.dcmread(folder / "ven3.dcm")
        ),
    )
