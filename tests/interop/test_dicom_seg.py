"""DICOM SEG both ways on pydicom's CT series: the written object is read back by highdicom (independent
of our reader), keeps the source's Patient/Study identifiers, and imports onto the same slice names."""

from __future__ import annotations

import sys
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest

from pixelproof.core import masks
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from pixelproof.interop.dicom_seg import read_dicom_seg, write_dicom_seg


def add(project, image_id: int, category_id: int, m: np.ndarray) -> None:
    ann = Annotation(
        project.next_annotation_id(), image_id, category_id, masks.bbox(m), masks.encode(m), float(m.sum())
    )
    project.add_annotation(ann)


@pytest.fixture
def ct_project(tmp_path: Path, ct_study: Path):
    study = ct_study
    project = project_from_folder(study, tmp_path / "p.json", ["liver", "lesion"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    drawn = {}
    for image in project.images.values():
        k = int(image.file_name.rsplit("=", 1)[1])
        m = np.zeros((16, 16), bool)
        m[2 + k : 10, 3:12] = True
        add(project, image.id, 1, m)
        drawn[image.file_name] = {1: m}
        if k == 2:
            lesion = np.zeros((16, 16), bool)
            lesion[5:7, 5:8] = True
            add(project, image.id, 2, lesion)
            drawn[image.file_name][2] = lesion
    return project, study, drawn


def test_seg_is_valid_for_highdicom_and_keeps_the_patient_identifiers(ct_project, tmp_path: Path) -> None:
    project, study, drawn = ct_project
    warnings = write_dicom_seg(project, tmp_path / "seg")
    assert warnings == []
    (seg_file,) = sorted((tmp_path / "seg").iterdir())
    seg = hd.seg.segread(seg_file)
    source = pydicom.dcmread(next((study / "CT2").iterdir()))
    assert seg.PatientID == source.PatientID and seg.StudyInstanceUID == source.StudyInstanceUID
    assert [seg.get_segment_description(n).segment_label for n in seg.segment_numbers] == ["liver", "lesion"]
    series = sorted((study / "CT2").iterdir(), key=lambda f: pydicom.dcmread(f).ImagePositionPatient[2])
    uids = [str(pydicom.dcmread(f).SOPInstanceUID) for f in series]
    pixels = seg.get_pixels_by_source_instance(uids, segment_numbers=[1, 2], combine_segments=False)
    for k in range(4):
        np.testing.assert_array_equal(pixels[k, :, :, 0], drawn[f"study/CT2#z={k:03d}"][1])
    np.testing.assert_array_equal(pixels[2, :, :, 1], drawn["study/CT2#z=002"][2])
    assert not pixels[0, :, :, 1].any()


def test_seg_imports_onto_the_slice_names_of_its_sources(ct_project, tmp_path: Path) -> None:
    project, study, drawn = ct_project
    write_dicom_seg(project, study / "seg")
    result = read_dicom_seg(study / "seg")
    assert result.problems == []
    imported = result.project
    names = sorted(im.file_name.removeprefix("../") for im in imported.images.values())
    assert names == [f"CT2#z={k:03d}" for k in range(4)]
    for image in imported.images.values():
        name = "study/" + image.file_name.removeprefix("../")
        for ann in imported.annotations_of(image.id):
            cat = imported.categories[ann.category_id].name
            want = drawn[name][1 if cat == "liver" else 2]
            np.testing.assert_array_equal(ann.mask(image.height, image.width), want)
        assert image.extra["pixel_spacing"] == [0.488281, 0.488281]


def test_not_a_seg_and_missing_sources_are_reported(ct_project, tmp_path: Path) -> None:
    project, study, _ = ct_project
    write_dicom_seg(project, tmp_path / "elsewhere")
    result = read_dicom_seg(tmp_path / "elsewhere", image_dir=tmp_path / "nothing_here")
    assert any("4 source images not found" in p for p in result.problems)
    assert not result.project.images
    with pytest.raises(ValueError, match="no DICOM Segmentation"):
        read_dicom_seg(study / "CT2")


def test_sources_without_slice_thickness_get_the_usual_spacing_between_their_slices(
    ct_project, tmp_path: Path
) -> None:
    """A SEG needs the sources' SliceThickness (highdicom copies it into its pixel measures): without it
    nothing was written. pydicom's CT2 lies at z = -99.48, 103.02, 104.27, 105.52: the median step, 1.25 mm
    (its own SliceThickness), is written, not the 68 mm mean the 202.5 mm gap would make."""
    project, study, drawn = ct_project
    for f in (study / "CT2").iterdir():
        ds = pydicom.dcmread(f)
        del ds.SliceThickness
        ds.save_as(f)
    (warning,) = write_dicom_seg(project, tmp_path / "seg")
    assert warning == (
        f"{study / 'CT2'}: no SliceThickness (0018,0050); 1.25 mm, the spacing between its slices, "
        "written as the SEG's"
    )
    (seg_file,) = sorted((tmp_path / "seg").iterdir())
    seg = hd.seg.segread(seg_file)
    assert float(seg.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].SliceThickness) == 1.25
    series = sorted((study / "CT2").iterdir(), key=lambda f: pydicom.dcmread(f).ImagePositionPatient[2])
    uids = [str(pydicom.dcmread(f).SOPInstanceUID) for f in series]
    pixels = seg.get_pixels_by_source_instance(uids, segment_numbers=[1], combine_segments=False)
    for k in range(4):
        np.testing.assert_array_equal(pixels[k, :, :, 0], drawn[f"study/CT2#z={k:03d}"][1])


def test_a_broken_highdicom_is_named_with_its_cause(ct_project, tmp_path: Path, monkeypatch) -> None:
    """highdicom present but failing to import (the bundle once lacked a module it imports) must not read
    as 'not installed': the message carries the import error."""
    project, _, _ = ct_project
    monkeypatch.setitem(sys.modules, "highdicom", None)  # makes ``import highdicom`` raise ImportError
    with pytest.raises(ValueError, match=r"DICOM SEG needs highdicom \(import of highdicom halted"):
        write_dicom_seg(project, tmp_path / "seg")


def test_a_seg_over_a_secondary_capture_reads_back(tmp_path: Path) -> None:
    """highdicom writes a secondary capture's SEG with pixel measures but no SliceThickness (a type 1C
    attribute a single picture does not need), then its own reader refused that file: "Sequence does not
    have the required attributes for a Pixel Measures Sequence". Our SEG read back onto the picture."""
    import shutil

    from pydicom.data import get_testdata_file

    data = tmp_path / "sc"
    data.mkdir()
    shutil.copy(get_testdata_file("SC_rgb_jpeg_gdcm.dcm", download=False), data / "sc.dcm")
    project = project_from_folder(data, tmp_path / "p.json", ["spot"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    (image,) = project.images.values()
    m = np.zeros((image.height, image.width), bool)
    m[10:30, 20:45] = True
    add(project, image.id, 1, m)
    assert write_dicom_seg(project, data / "seg") == []
    result = read_dicom_seg(data / "seg")
    assert result.problems == []
    (ann,) = result.project.annotations.values()
    (back,) = result.project.images.values()
    np.testing.assert_array_equal(ann.mask(back.height, back.width), m)


def test_imported_slices_keep_the_identity_of_the_source_the_seg_names(ct_project, tmp_path: Path) -> None:
    """The SEG names each frame's source by SOPInstanceUID: the imported slice record keeps it (as `new`
    writes it), so a series that changes later is refused by name instead of read by index."""
    from pixelproof.core.volumes import expected_identity

    project, study, _ = ct_project
    write_dicom_seg(project, study / "seg")
    made = {im.file_name[6:]: expected_identity(im.extra) for im in project.images.values()}  # "study/"
    imported = read_dicom_seg(study / "seg").project
    got = {im.file_name.removeprefix("../"): expected_identity(im.extra) for im in imported.images.values()}
    assert got == made and all(v.get("sop_instance_uid") for v in got.values())


def test_a_seg_is_written_over_sources_that_lack_type2_patient_and_study_attributes(
    ct_project, tmp_path: Path
) -> None:
    """De-identified series often drop PatientBirthDate, AccessionNumber, StudyID ... outright (Type 2:
    required, may be empty); highdicom read them off the source and no SEG was written. The SEG gets them
    empty, and keeps those the source has."""
    project, study, drawn = ct_project
    dropped = ("PatientBirthDate", "PatientSex", "AccessionNumber", "StudyID", "StudyDate", "StudyTime")
    for f in (study / "CT2").iterdir():
        ds = pydicom.dcmread(f)
        for keyword in dropped:
            if keyword in ds:
                delattr(ds, keyword)
        ds.save_as(f)
    warnings = write_dicom_seg(project, tmp_path / "seg")
    assert warnings == []
    (seg_file,) = sorted((tmp_path / "seg").iterdir())
    seg = hd.seg.segread(seg_file)
    source = pydicom.dcmread(next((study / "CT2").iterdir()))
    assert seg.PatientID == source.PatientID and seg.PatientName == source.PatientName
    assert all(keyword in seg and not seg[keyword].value for keyword in dropped)
    series = sorted((study / "CT2").iterdir(), key=lambda f: pydicom.dcmread(f).ImagePositionPatient[2])
    uids = [str(pydicom.dcmread(f).SOPInstanceUID) for f in series]
    pixels = seg.get_pixels_by_source_instance(uids, segment_numbers=[1], combine_segments=False)
    for k in range(4):
        np.testing.assert_array_equal(pixels[k, :, :, 0], drawn[f"study/CT2#z={k:03d}"][1])


def test_a_seg_read_from_inside_its_folder_finds_its_sources_in_the_parent(
    ct_project, tmp_path: Path, monkeypatch
) -> None:
    """``cd study/seg; pixelproof convert ct_seg.dcm ...``: the parent of ``.`` was ``.``, so the series
    beside the SEG's folder was never searched and the message said ``not found under ., .``."""
    project, study, _ = ct_project
    write_dicom_seg(project, study / "seg")
    (seg_file,) = (study / "seg").iterdir()
    monkeypatch.chdir(study / "seg")
    result = read_dicom_seg(seg_file.name)
    assert result.problems == [] and len(result.project.images) == 4
    monkeypatch.chdir(tmp_path)
    lost = read_dicom_seg(Path("study/seg") / seg_file.name, image_dir="study/seg")
    assert lost.problems == [
        f"{Path('study/seg') / seg_file.name}: 4 source images not found under study/seg"
    ]
    alone = tmp_path / "a" / "alone"
    alone.mkdir(parents=True)
    (alone / seg_file.name).write_bytes(seg_file.read_bytes())
    monkeypatch.chdir(alone)
    assert read_dicom_seg(seg_file.name).problems == [
        f"{seg_file.name}: 4 source images not found under {tmp_path / 'a'} "
        "(name the folder of its source series with --image-dir)"
    ]


def test_qa_finds_the_sources_of_a_seg_saved_apart_in_the_candidates_series(
    ct_project, tmp_path: Path
) -> None:
    """A SEG 3D Slicer exported to a folder of its own is scored against the candidate whose series it
    segments (the review view has no --image-dir to name them)."""
    from pixelproof.interop.references import load_reference

    project, _, drawn = ct_project
    write_dicom_seg(project, tmp_path / "slicer" / "exports")
    (seg_file,) = (tmp_path / "slicer" / "exports").iterdir()
    reference = load_reference(seg_file, project)
    assert reference.problems == []
    names = {im.file_name.rsplit("/", 1)[-1] for im in reference.project.images.values()}
    assert names == {f"CT2#z={k:03d}" for k in range(4)}
    ref = reference.project
    for image in ref.images.values():
        mask = next(a for a in ref.annotations_of(image.id) if ref.categories[a.category_id].name == "liver")
        np.testing.assert_array_equal(
            mask.mask(image.height, image.width), drawn["study/" + image.file_name.rsplit("/", 1)[-1]][1]
        )
