"""DICOM SEG of a multi-frame (enhanced) source: one SEG whose frames reference the source's frames by
ReferencedFrameNumber, checked with highdicom's own reader, and imported back onto ``file.dcm#z=NNN``.

The sources are built here: an Enhanced MR Image with per-frame functional groups (frames stored out of
position order, so a SEG frame placed by position instead of by frame number lands on another frame), and
an Enhanced CT converted by highdicom's legacy converter from pydicom's CT series (MIT licence)."""

from __future__ import annotations

from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Project
from pixelproof.core.volume_cache import clear_cache
from pixelproof.interop.dicom_seg import read_dicom_seg, write_dicom_seg
from tests.interop.test_dicom_seg import add

ENHANCED_MR = "1.2.840.10008.5.1.4.1.1.4.1"


@pytest.fixture(autouse=True)
def _fresh_volumes():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def enhanced_mr(path: Path, zs: list[float], rows: int = 12, columns: int = 10) -> Dataset:
    """An Enhanced MR Image of ``len(zs)`` frames, frame k at z = ``zs[k]`` mm (per-frame Plane Position,
    shared Pixel Measures and Plane Orientation), pixel values counting up through the frames."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = ENHANCED_MR, generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = ENHANCED_MR, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.FrameOfReferenceUID = generate_uid()
    ds.PatientID, ds.PatientName, ds.PatientBirthDate, ds.PatientSex = "P1", "Test^Patient", "", "O"
    ds.AccessionNumber, ds.StudyID, ds.StudyDate, ds.StudyTime = "", "1", "20240101", "120000"
    ds.ContentDate, ds.ContentTime = "20240101", "120000"
    ds.Modality, ds.SeriesNumber, ds.InstanceNumber = "MR", 1, 1
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "NONE"]
    ds.Rows, ds.Columns, ds.NumberOfFrames = rows, columns, len(zs)
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    measures, orientation, shared = Dataset(), Dataset(), Dataset()
    measures.PixelSpacing, measures.SliceThickness = [0.5, 0.5], 2.0
    orientation.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    shared.PixelMeasuresSequence, shared.PlaneOrientationSequence = [measures], [orientation]
    ds.SharedFunctionalGroupsSequence = [shared]
    frames = []
    for k, z in enumerate(zs):
        position, content, item = Dataset(), Dataset(), Dataset()
        position.ImagePositionPatient = [0.0, 0.0, float(z)]
        content.StackID, content.InStackPositionNumber = "1", k + 1
        item.PlanePositionSequence, item.FrameContentSequence = [position], [content]
        frames.append(item)
    ds.PerFrameFunctionalGroupsSequence = frames
    ds.PixelData = (np.arange(rows * columns * len(zs)) % 4000).astype(np.uint16).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return ds


def enhanced_ct_from_pydicom_series(path: Path, order: list[int]) -> Dataset:
    """pydicom's 4-slice CT series converted by highdicom into a Legacy Converted Enhanced CT (frames in
    position order), then its frames stored in ``order`` (frame k is the converter's frame order[k])."""
    from pydicom.data import get_testdata_file

    src = get_testdata_file("dicomdirtests", download=False)
    if src is None:
        pytest.skip("pydicom's dicomdirtests are not bundled")
    series = [pydicom.dcmread(f) for f in sorted((Path(src) / "77654033" / "CT2").iterdir())]
    ct = hd.legacy.LegacyConvertedEnhancedCTImage(
        series,
        series_instance_uid=generate_uid(),
        series_number=2,
        sop_instance_uid=generate_uid(),
        instance_number=1,
    )
    ct.PerFrameFunctionalGroupsSequence = [ct.PerFrameFunctionalGroupsSequence[i] for i in order]
    ct.PixelData = np.ascontiguousarray(ct.pixel_array[order]).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    ct.save_as(path)
    return pydicom.dcmread(path)


def frame_positions(ds: Dataset) -> list[float]:
    return [
        float(f.PlanePositionSequence[0].ImagePositionPatient[2]) for f in ds.PerFrameFunctionalGroupsSequence
    ]


def label_frames(project: Project, which: dict[int, list[int]]) -> dict[str, dict[int, np.ndarray]]:
    """Masks on ``#z=k`` for the categories ``which[k]``, each mask a different shape (a box that grows
    with k and the category), so a mask on another frame or of another category shows."""
    drawn: dict[str, dict[int, np.ndarray]] = {}
    for image in project.images.values():
        k = int(image.file_name.rsplit("=", 1)[1])
        for cat in which.get(k, []):
            m = np.zeros((image.height, image.width), bool)
            m[1 + k : 4 + k + cat, 2 * cat : 3 + 2 * cat + k] = True
            add(project, image.id, cat, m)
            drawn.setdefault(image.file_name, {})[cat] = m
    return drawn


def referenced(seg: hd.seg.Segmentation) -> list[tuple[str, int, int]]:
    """(source UID, source frame number, segment number) of each SEG frame."""
    out = []
    for frame in seg.PerFrameFunctionalGroupsSequence:
        (source,) = frame.DerivationImageSequence[0].SourceImageSequence
        segment = int(frame.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        out.append((str(source.ReferencedSOPInstanceUID), int(source.ReferencedFrameNumber), segment))
    return out


@pytest.fixture
def mr_project(tmp_path: Path):
    """An Enhanced MR of 4 frames stored at z = 4, 0, 6, 2 mm, its project (``mr/scan.dcm#z=000..003``),
    liver on frames 0, 1, 2 and lesion on frame 2."""
    ds = enhanced_mr(tmp_path / "mr" / "scan.dcm", [4.0, 0.0, 6.0, 2.0])
    project = project_from_folder(tmp_path / "mr", tmp_path / "p.json", ["liver", "lesion"], on_skip=print)
    project.path = tmp_path / "p.json"
    assert sorted(im.file_name for im in project.images.values()) == [
        f"mr/scan.dcm#z={k:03d}" for k in range(4)
    ]
    drawn = label_frames(project, {0: [1], 1: [1], 2: [1, 2]})
    return project, ds, drawn


def test_a_multi_frame_source_gives_one_seg_whose_frames_name_the_source_frames(mr_project, tmp_path) -> None:
    project, source, drawn = mr_project
    assert write_dicom_seg(project, tmp_path / "seg") == []
    (seg_file,) = (tmp_path / "seg").iterdir()
    assert seg_file.name == "scan_seg.dcm"
    seg = hd.seg.segread(seg_file)
    uid = str(source.SOPInstanceUID)
    # every record of the source is a frame of each segment, empty ones too (a frame looked at, nothing found)
    assert sorted(referenced(seg)) == [(uid, n, s) for n in range(1, 5) for s in (1, 2)]
    # each SEG frame lies where its referenced source frame lies (frames are stored out of position order)
    z = frame_positions(source)
    for frame, (_, number, _) in zip(seg.PerFrameFunctionalGroupsSequence, referenced(seg), strict=True):
        assert float(frame.PlanePositionSequence[0].ImagePositionPatient[2]) == z[number - 1]
    pixels = seg.get_pixels_by_source_frame(uid, [1, 2, 3, 4], segment_numbers=[1, 2])
    for k in range(4):
        for cat in (1, 2):
            want = drawn.get(f"mr/scan.dcm#z={k:03d}", {}).get(cat, np.zeros((12, 10), bool))
            np.testing.assert_array_equal(pixels[k, :, :, cat - 1], want)
    assert seg.PatientID == source.PatientID and seg.StudyInstanceUID == source.StudyInstanceUID


def test_a_seg_of_a_multi_frame_source_imports_onto_its_frames(mr_project, tmp_path) -> None:
    project, _, drawn = mr_project
    write_dicom_seg(project, tmp_path / "mr" / "seg")
    result = read_dicom_seg(tmp_path / "mr" / "seg")
    assert result.problems == []
    back = result.project
    assert sorted(im.file_name for im in back.images.values()) == [f"../scan.dcm#z={k:03d}" for k in range(4)]
    got: dict[str, dict[str, np.ndarray]] = {}
    for image in back.images.values():
        assert (
            image.extra["pixelproof"]["sop_instance_uid"]
            == project.images[1].extra["pixelproof"]["sop_instance_uid"]
        )
        for ann in back.annotations_of(image.id):
            name = "mr/" + image.file_name.removeprefix("../")
            got.setdefault(name, {})[back.categories[ann.category_id].name] = ann.mask(
                image.height, image.width
            )
    want = {name: {project.categories[c].name: m for c, m in cats.items()} for name, cats in drawn.items()}
    assert got.keys() == want.keys()
    for name in want:
        assert got[name].keys() == want[name].keys()
        for cat in want[name]:
            np.testing.assert_array_equal(got[name][cat], want[name][cat])
    # the slice positions the import records are the ones `new` recorded for the same frames
    made = {im.file_name: im.extra.get("slice_position") for im in project.images.values()}
    assert {"mr/" + im.file_name[3:]: im.extra.get("slice_position") for im in back.images.values()} == made


def test_an_enhanced_ct_from_highdicoms_converter_round_trips(tmp_path: Path) -> None:
    """The source made by another implementation (highdicom's legacy converter), frames stored 2, 0, 3, 1
    of their position order."""
    ds = enhanced_ct_from_pydicom_series(tmp_path / "ct" / "enh.dcm", [2, 0, 3, 1])
    project = project_from_folder(tmp_path / "ct", tmp_path / "p.json", ["organ"], on_skip=print)
    project.path = tmp_path / "p.json"
    drawn = label_frames(project, {0: [1], 1: [1], 3: [1]})
    assert write_dicom_seg(project, tmp_path / "ct" / "seg") == []
    seg = hd.seg.segread(tmp_path / "ct" / "seg" / "enh_seg.dcm")
    uid = str(ds.SOPInstanceUID)
    pixels = seg.get_pixels_by_source_frame(uid, [1, 2, 3, 4], segment_numbers=[1])
    for k in range(4):
        want = drawn.get(f"ct/enh.dcm#z={k:03d}", {}).get(1, np.zeros((16, 16), bool))
        np.testing.assert_array_equal(pixels[k, :, :, 0], want)
    back = read_dicom_seg(tmp_path / "ct" / "seg").project
    masks = {
        "ct/" + im.file_name.removeprefix("../"): [a.mask(16, 16) for a in back.annotations_of(im.id)]
        for im in back.images.values()
    }
    assert len(masks) == 4
    for name, ms in masks.items():
        assert len(ms) == (1 if name in drawn else 0)
        if ms:
            np.testing.assert_array_equal(ms[0], drawn[name][1])


def test_frames_without_a_record_are_not_written_as_empty(mr_project, tmp_path: Path) -> None:
    """A project that lists only some frames says nothing about the others: the SEG must not claim them
    empty (it holds the frames with masks)."""
    project, source, _ = mr_project
    for image in list(project.images.values()):
        if image.file_name.endswith("#z=003"):
            project.remove_image(image.id)
    assert write_dicom_seg(project, tmp_path / "seg") == []
    seg = hd.seg.segread(tmp_path / "seg" / "scan_seg.dcm")
    uid = str(source.SOPInstanceUID)
    assert sorted(referenced(seg)) == [(uid, 1, 1), (uid, 2, 1), (uid, 3, 1), (uid, 3, 2)]


def test_a_changed_multi_frame_file_is_left_out_by_name(mr_project, tmp_path: Path) -> None:
    """The file at the record's name is another object now (its SOPInstanceUID differs): no SEG may
    reference it for labels drawn on the old one."""
    project, _, _ = mr_project
    enhanced_mr(tmp_path / "mr" / "scan.dcm", [4.0, 0.0, 6.0, 2.0])
    warnings = write_dicom_seg(project, tmp_path / "seg")
    assert sum("changed since the project was made" in w for w in warnings) == 4
    assert not list((tmp_path / "seg").glob("*.dcm"))


def test_frames_at_one_position_are_named_in_the_warning(tmp_path: Path) -> None:
    """A cine (every frame at one position): highdicom places a SEG's frames by position and refuses
    frames that share one. The warning says so and names the file; nothing is written."""
    enhanced_mr(tmp_path / "cine" / "cine.dcm", [0.0, 0.0, 0.0])
    project = project_from_folder(tmp_path / "cine", tmp_path / "p.json", ["wall"], on_skip=print)
    label_frames(project, {1: [1]})
    (warning,) = write_dicom_seg(project, tmp_path / "seg")
    assert "cine.dcm" in warning and "share a position" in warning
    assert not list((tmp_path / "seg").glob("*.dcm"))


def test_a_multi_frame_object_without_per_frame_positions_is_named_in_the_warning(tmp_path: Path) -> None:
    """A CT Image with NumberOfFrames (no functional groups): no per-frame positions to place SEG frames."""
    from tests.core.test_dicom import _ct

    _ct(tmp_path / "mf" / "scan.dcm", rows=16, columns=16, frames=3, FrameOfReferenceUID="1.2.3.4")
    project = project_from_folder(tmp_path / "mf", tmp_path / "p.json", ["lesion"], on_skip=print)
    label_frames(project, {0: [1]})
    (warning,) = write_dicom_seg(project, tmp_path / "seg")
    assert "scan.dcm" in warning and "per-frame" in warning
    assert "not DICOM" not in warning


def test_cli_convert_to_seg_and_qa_against_it_pair_frame_by_frame(tmp_path: Path) -> None:
    """`convert --from coco --to dicom-seg` of a project over an Enhanced MR, then `qa SEG candidate`: each
    of the candidate's frames is scored against the SEG frame of the same source frame (one candidate
    frame changed: only it scores below 1)."""
    import json

    from pixelproof.cli import main
    from pixelproof.core.coco import load_project, save_project

    enhanced_mr(tmp_path / "study" / "scan.dcm", [4.0, 0.0, 6.0, 2.0])
    assert (
        main(["new", str(tmp_path / "study"), "-o", str(tmp_path / "ref.json"), "--categories", "liver"]) == 0
    )
    reference = load_project(tmp_path / "ref.json")
    label_frames(reference, {0: [1], 1: [1], 2: [1], 3: [1]})
    save_project(reference, tmp_path / "ref.json")
    seg = tmp_path / "study" / "seg"
    assert main(["convert", str(tmp_path / "ref.json"), str(seg), "--from", "coco", "--to", "dicom-seg"]) == 0
    candidate = load_project(tmp_path / "ref.json")
    (changed,) = [im for im in candidate.images.values() if im.file_name.endswith("#z=002")]
    for ann in candidate.annotations_of(changed.id):
        candidate.remove_annotation(ann.id)
    m = np.zeros((12, 10), bool)
    m[3:9, 2:6] = True  # the mask of frame 2 in label_frames is [3:7, 2:7]
    add(candidate, changed.id, 1, m)
    save_project(candidate, tmp_path / "cand.json")
    report = tmp_path / "qa.json"
    assert main(["qa", str(seg / "scan_seg.dcm"), str(tmp_path / "cand.json"), "--json", str(report)]) == 0
    rows = json.loads(report.read_text())["per_image"]
    dice = {r["file_name"].rsplit("#", 1)[1]: r["dice"] for r in rows}
    assert dice["z=000"] == dice["z=001"] == dice["z=003"] == 1.0
    assert 0 < dice["z=002"] < 1


def test_a_seg_naming_frames_the_source_does_not_have_is_skipped_by_name(mr_project, tmp_path) -> None:
    """The multi-frame file was rewritten with 2 frames under the same SOPInstanceUID: the SEG's frames 3
    and 4 lie nowhere, and its frames 1 and 2 may be other frames now. The SEG is skipped, naming it and
    the source, nothing imported."""
    project, _, _ = mr_project
    write_dicom_seg(project, tmp_path / "mr" / "seg")
    source = tmp_path / "mr" / "scan.dcm"
    ds = pydicom.dcmread(source)
    ds.NumberOfFrames = 2
    ds.PerFrameFunctionalGroupsSequence = ds.PerFrameFunctionalGroupsSequence[:2]
    ds.PixelData = ds.PixelData[: 2 * 12 * 10 * 2]
    ds.save_as(source)
    result = read_dicom_seg(tmp_path / "mr" / "seg")
    (problem,) = result.problems
    assert "scan_seg.dcm" in problem and "frame 4 of" in problem and "scan.dcm, which has 2 frames" in problem
    assert not result.project.annotations


def test_frames_without_a_position_are_named_in_the_warning(tmp_path: Path) -> None:
    """Per-frame groups without a Plane Position: highdicom has nowhere to place the SEG's frames (the
    frames' unknown positions, NaN, must not read as frames sharing one)."""
    enhanced_mr(tmp_path / "mr" / "scan.dcm", [1.0, 2.0])
    ds = pydicom.dcmread(tmp_path / "mr" / "scan.dcm")
    for frame in ds.PerFrameFunctionalGroupsSequence:
        del frame.PlanePositionSequence
    ds.save_as(tmp_path / "mr" / "scan.dcm")
    project = project_from_folder(tmp_path / "mr", tmp_path / "p.json", ["organ"], on_skip=print)
    label_frames(project, {0: [1]})
    (warning,) = write_dicom_seg(project, tmp_path / "seg")
    assert "scan.dcm" in warning and "have no position" in warning and "share" not in warning


def test_a_frame_the_object_does_not_have_is_told_apart_and_the_others_written(mr_project, tmp_path) -> None:
    """A record of frame 9 of the 4-frame object is counted as a slice its source lacks (not as an image
    that is no DICOM), and the SEG of the other frames is written."""
    from pixelproof.core.model import ImageRecord

    project, _, _ = mr_project
    first = next(iter(project.images.values()))
    extra = ImageRecord(project.next_image_id(), "mr/scan.dcm#z=009", first.width, first.height)
    project.add_image(extra)
    label_frames(project, {9: [1]})
    warnings = write_dicom_seg(project, tmp_path / "seg")
    assert warnings == [
        "1 slice record naming a slice their DICOM series folder does not have, a frame their multi-frame "
        "DICOM object does not have, or a folder that is no readable series: left out"
    ]
    seg = hd.seg.segread(tmp_path / "seg" / "scan_seg.dcm")
    assert {n for _, n, _ in referenced(seg)} == {1, 2, 3, 4}
