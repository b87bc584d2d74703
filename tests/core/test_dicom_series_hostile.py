"""DICOM series split into phases, fed values no scanner writes: phase tags that are no numbers, NaN,
several values, thousands of phases, a phase of one file, and slice names spelled with other digits.
Series written with pydicom (``write_slice``); each phase must read its own files' pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.tag import Tag

from pixelproof.core.dicom_series import scan_folder
from pixelproof.core.dicom_series_notes import series_notes
from pixelproof.core.imageio import ImageReadError, read_image
from pixelproof.core.volumes import parse_slice_ref
from tests.core.test_dicom_acquisitions import _fresh_volumes, expected_pixels, write_slice  # noqa: F401


def raw_slice(path: Path, position: float, value: int, keyword: str, raw: bytes) -> Path:
    """A slice whose ``keyword`` holds the bytes ``raw`` as stored (pydicom would refuse to write them)."""
    write_slice(path, position, value, value)
    ds = pydicom.dcmread(path)
    tag = Tag(tag_for_keyword(keyword))
    raw += b" " * (len(raw) % 2)
    ds._dict[tag] = RawDataElement(tag, dictionary_VR(tag), len(raw), raw, 0, False, True)
    ds.save_as(path)
    return path


@pytest.mark.parametrize(
    ("keyword", "values", "labels"),
    [
        ("AcquisitionNumber", [b"1", b"x1"], ["AcquisitionNumber 1", "AcquisitionNumber x1"]),
        ("TriggerTime", [b"nan", b"10"], ["TriggerTime 10", "TriggerTime nan"]),
        ("EchoNumbers", [b"2\\1", b"1\\2"], ["EchoNumbers 1\\2", "EchoNumbers 2\\1"]),
    ],
)
@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom's 'Invalid value for VR IS'
def test_phase_tags_no_scanner_writes_still_split_each_file_onto_its_own_phase(
    tmp_path: Path, keyword: str, values: list[bytes], labels: list[str]
) -> None:
    files = {}
    for p, raw in enumerate(values):
        for z in range(2):
            files[(raw, z)] = raw_slice(tmp_path / "s" / f"f{p}{z}.dcm", float(z), 10 * p + z, keyword, raw)
    (group,) = scan_folder(tmp_path / "s").series
    assert [p.label for p in group.phases] == labels
    by_phase = [{files[(v, z)] for z in range(2)} for v in values]
    for j, phase in enumerate(group.phases, start=1):
        assert set(phase.files) in by_phase  # one value's two files, in slice order
        for z in range(2):
            got = read_image(Path(f"{tmp_path / 's'}#phase={j}&z={z:03d}"))
            assert np.array_equal(got, expected_pixels(phase.files[z]))


def test_a_phase_of_one_file_reads_it_and_refuses_a_second_slice(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    write_slice(folder / "a0.dcm", 0.0, 0, 1, AcquisitionNumber=1)
    write_slice(folder / "a1.dcm", 1.0, 10, 2, AcquisitionNumber=1)
    write_slice(folder / "b0.dcm", 0.0, 20, 3, AcquisitionNumber=2)
    (group,) = scan_folder(folder).series
    assert [len(p.files) for p in group.phases] == [2, 1]
    assert np.array_equal(read_image(Path(f"{folder}#phase=2&z=000")), expected_pixels(folder / "b0.dcm"))
    with pytest.raises(ImageReadError, match="out of range"):
        read_image(Path(f"{folder}#phase=2&z=001"))


def test_thousands_of_phases_are_listed_in_a_note_of_bounded_length(tmp_path: Path) -> None:
    """300 files at one position, each its own TriggerTime: 300 volumes of one slice. The note listed every
    one (100 KB for 2,000 phases) as one problem line."""
    folder = tmp_path / "s"
    for k in range(300):
        write_slice(folder / f"f{k:03d}.dcm", 0.0, k, k + 1, TriggerTime=str(k))
    scan = scan_folder(folder)
    (group,) = scan.series
    assert len(group.phases) == 300 and [p.label for p in group.phases[:3]] == [
        "TriggerTime 0",
        "TriggerTime 1",
        "TriggerTime 2",
    ]
    (note,) = series_notes(folder, scan).values()
    assert "300 volumes" in note and "s#phase=1&z=...: TriggerTime 0" in note and "and 290 more" in note
    assert len(note) < 2000
    assert np.array_equal(read_image(Path(f"{folder}#phase=300&z=000")), expected_pixels(folder / "f299.dcm"))


@pytest.mark.parametrize(
    "fragment", ["phase=\u0662&z=000", "z=\u0660\u0660\u0661", "series=\uff11&z=000", "c=\u0661&z=000"]
)
def test_slice_names_spelled_with_other_digits_name_no_slice(fragment: str) -> None:
    """int() reads Arabic-Indic and full-width digits: 'CT#phase=\u0662&z=000' was a second name of phase 2's
    first slice (two records of one slice), where every writer spells digits in ASCII."""
    assert parse_slice_ref(f"CT#{fragment}") is None
    ascii_fragment = "".join(str(int(c)) if c.isdigit() else c for c in fragment)
    assert parse_slice_ref(f"CT#{ascii_fragment}") is not None


def test_a_header_only_file_in_a_series_folder_is_skipped_naming_it_not_stacked_as_a_slice(
    tmp_path: Path,
) -> None:
    """A copy saved without its pixels (pydicom's stop_before_pixels, an anonymiser that strips them) at
    a position past the series was stacked as its last slice: a slice that could never be shown, its gap
    counted in the series' span."""
    from pixelproof.core.sources import scan_images

    folder = tmp_path / "ct"
    files = [write_slice(folder / f"{name}.dcm", 2.5 * z, 10 * z, z + 1) for z, name in enumerate("qxb")]
    header_only = write_slice(folder / "h.dcm", 20.0, 0, 9)
    ds = pydicom.dcmread(header_only)
    del ds.PixelData
    ds.save_as(header_only)
    skipped: list[str] = []
    entries = scan_images(folder, skipped.append)
    assert [e.file_name(tmp_path) for e in entries] == ["ct#z=000", "ct#z=001", "ct#z=002"]
    (group,) = scan_folder(folder).series
    assert group.files == files
    assert [m for m in skipped if "h.dcm" in m] == [
        f"{header_only}: the DICOM file holds no image (no Pixel Data); skipped"
    ]
    for z, f in enumerate(files):
        assert np.array_equal(read_image(Path(f"{folder}#z={z:03d}")), expected_pixels(f))


def test_a_series_without_positions_whose_instance_numbers_repeat_is_said_not_silently_name_ordered(
    tmp_path: Path,
) -> None:
    """Without ImagePositionPatient only InstanceNumber orders a series; two files of one number were
    stacked by file name with nothing said, a slice order nothing promises."""
    folder = tmp_path / "mr"
    for name, inst in [("b", 2), ("a", 2), ("c", 1)]:
        write_slice(folder / f"{name}.dcm", 0.0, inst, inst, ImagePositionPatient=None)
    scan = scan_folder(folder)
    assert [f.name for f in scan.series[0].files] == ["c.dcm", "a.dcm", "b.dcm"]
    (note,) = series_notes(folder, scan).values()
    assert note.startswith(
        f"{folder}: the DICOM series (SeriesNumber 5) has files without ImagePositionPatient"
    )
    assert "2 files share a number (InstanceNumber 2: a.dcm, b.dcm)" in note
    assert "check the slices" in note
    # numbered apart, the same files say nothing
    write_slice(folder / "b.dcm", 0.0, 3, 3, ImagePositionPatient=None)
    assert series_notes(folder, scan_folder(folder)) == {}


def test_a_file_cut_short_in_a_series_folder_is_skipped_saying_how_short(tmp_path: Path) -> None:
    """An interrupted copy keeps its header and part of its pixels: it was stacked as a slice whose read
    then failed calling its plain transfer syntax undecodable; the scan finds it from the element's length
    and the file's size, reading no pixels."""
    from pixelproof.core.sources import scan_images

    folder = tmp_path / "ct"
    files = [write_slice(folder / f"s{z}.dcm", 2.5 * z, 10 * z, z + 1) for z in range(3)]
    cut = write_slice(folder / "s3.dcm", 7.5, 30, 4)
    cut.write_bytes(cut.read_bytes()[:-10])  # 32 bytes of pixels, 22 there
    skipped: list[str] = []
    entries = scan_images(folder, skipped.append)
    assert [e.file_name(tmp_path) for e in entries] == ["ct#z=000", "ct#z=001", "ct#z=002"]
    assert skipped == [f"{cut}: the file is cut short: its Pixel Data takes 32 bytes, 22 are there; skipped"]
    assert scan_folder(folder).series[0].files == files


def test_a_pixel_data_shorter_than_its_header_declares_is_skipped_and_its_read_says_so(
    tmp_path: Path,
) -> None:
    """A whole file whose Pixel Data element holds fewer bytes than Rows x Columns x BitsAllocated need (a
    tool that cut the pixels, a header edited to another size) was stacked as a slice; its read then called
    its plain transfer syntax undecodable. The scan finds it from the header; a read names what is wrong."""
    from pixelproof.core.sources import scan_images

    folder = tmp_path / "ct"
    files = [write_slice(folder / f"s{z}.dcm", 2.5 * z, 10 * z, z + 1) for z in range(3)]
    short = write_slice(folder / "s3.dcm", 7.5, 30, 4, PixelData=b"\0" * 10)  # 4x4 16-bit: 32 bytes
    multi = write_slice(tmp_path / "mf.dcm", 0.0, 0, 1, NumberOfFrames=2)  # 2 frames need 64, 32 are there
    skipped: list[str] = []
    entries = scan_images(tmp_path, skipped.append)
    assert [e.file_name(tmp_path) for e in entries] == ["ct#z=000", "ct#z=001", "ct#z=002"]
    why = "the header does not fit the pixels; skipped"
    assert sorted(skipped) == [
        f"{short}: its Pixel Data holds 10 bytes, but the header's image (4 x 4 pixels, 16 bits allocated)"
        f" takes 32: {why}",
        f"{multi}: its Pixel Data holds 32 bytes, but the header's image (4 x 4 pixels x 2 frames, 16 bits"
        f" allocated) takes 64: {why}",
    ]
    assert scan_folder(folder).series[0].files == files
    with pytest.raises(ImageReadError, match=r"s3\.dcm: its Pixel Data holds 10 bytes, .* takes 32"):
        read_image(short)
