"""DICOM SEG objects of a multi-frame source edited to break the import: frame numbers that name no frame,
several frames or one frame twice, and a frame count the file does not hold. Each SEG is skipped with a
message naming it and the SEG frame at fault; the SEG the export wrote imports as before."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.dataelem import RawDataElement
from pydicom.tag import Tag

from pixelproof.interop.dicom_seg import read_dicom_seg, write_dicom_seg
from tests.interop.test_dicom_seg_multiframe import _fresh_volumes, mr_project  # noqa: F401 (fixtures)

REFERENCED_FRAME_NUMBER = Tag(0x0008, 0x1160)


@pytest.fixture
def seg_file(mr_project, tmp_path: Path) -> Path:  # noqa: F811
    """The SEG ``write_dicom_seg`` makes of the 4-frame MR (8 frames: 2 segments x 4 source frames)."""
    project, _, _ = mr_project
    assert write_dicom_seg(project, tmp_path / "written") == []
    (seg,) = (tmp_path / "written").iterdir()
    return seg


def edited(seg_file: Path, tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the SEG beside the source (``mr/bad/seg.dcm``) with ``edit(dataset)`` applied."""
    ds = pydicom.dcmread(seg_file)
    edit(ds)
    out = tmp_path / "mr" / "bad" / "seg.dcm"
    out.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(out)
    return out


def set_frame_number(k: int, raw: bytes):  # type: ignore[no-untyped-def]
    """Write SEG frame k's ReferencedFrameNumber as the raw IS text ``raw`` (pydicom validates none of it)."""

    def edit(ds: pydicom.Dataset) -> None:
        source = ds.PerFrameFunctionalGroupsSequence[k].DerivationImageSequence[0].SourceImageSequence[0]
        value = raw + b" " * (len(raw) % 2)
        source._dict[REFERENCED_FRAME_NUMBER] = RawDataElement(
            REFERENCED_FRAME_NUMBER, "IS", len(value), value, 0, False, True
        )

    return edit


def only_problem(seg: Path) -> str:
    result = read_dicom_seg(seg.parent)
    assert not result.project.annotations
    (problem,) = result.problems
    assert str(seg) in problem
    return problem


def test_the_written_seg_imports(seg_file: Path, tmp_path: Path) -> None:
    result = read_dicom_seg(edited(seg_file, tmp_path, lambda ds: None).parent)
    assert result.problems == [] and len(result.project.annotations) == 4


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"0", "frame 0"),
        (b"-1", "frame -1"),
        (b"99", "frame 99"),
        (b"x", "'x'"),
        (b"2.5", "'2.5'"),
        (b"1\\2", "several"),
    ],
)
def test_a_frame_number_naming_no_single_frame_of_the_source_skips_the_seg_by_name(
    seg_file: Path, tmp_path: Path, raw: bytes, said: str
) -> None:
    """Multi-valued, it reached highdicom's frame index ('Error binding parameter 3: type MultiValue is
    not supported'); as text, ``int()`` ('invalid literal ... x'), neither naming the SEG frame."""
    problem = only_problem(edited(seg_file, tmp_path, set_frame_number(2, raw)))
    assert said in problem and "SEG frame 3" in problem, problem


def test_a_source_frame_held_twice_by_one_segment_skips_the_seg_naming_both_frames(
    seg_file: Path, tmp_path: Path
) -> None:
    """Frames 1 and 3 of the SEG are both segment 1 of the same source frame once frame 3 names frame 3's
    neighbour: highdicom said 'The chosen dimensions do not uniquely identify frames'."""
    ds = pydicom.dcmread(seg_file)
    groups = ds.PerFrameFunctionalGroupsSequence
    number = lambda g: int(g.DerivationImageSequence[0].SourceImageSequence[0].ReferencedFrameNumber)  # noqa: E731
    segment = lambda g: int(g.SegmentIdentificationSequence[0].ReferencedSegmentNumber)  # noqa: E731
    a = next(i for i, g in enumerate(groups) if segment(g) == 1)
    b = next(i for i, g in enumerate(groups) if segment(g) == 1 and i != a)
    problem = only_problem(edited(seg_file, tmp_path, set_frame_number(b, str(number(groups[a])).encode())))
    assert f"SEG frames {a + 1} and {b + 1}" in problem and "segment 1" in problem, problem


@pytest.mark.parametrize("declared", [10**6, 0])
def test_a_frame_count_the_seg_does_not_hold_skips_it_before_highdicom_indexes_it(
    seg_file: Path, tmp_path: Path, declared: int
) -> None:
    """highdicom builds lists of NumberOfFrames entries: 2**31 - 1 took all memory (24 GB, killed)."""

    def edit(ds: pydicom.Dataset) -> None:
        ds.NumberOfFrames = declared

    problem = only_problem(edited(seg_file, tmp_path, edit))
    assert f"NumberOfFrames {declared:,}" in problem and "8 per-frame" in problem, problem
