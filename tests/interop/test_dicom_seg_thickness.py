"""A DICOM SEG over sources without SliceThickness (0018,0050): highdicom needs one for sources in patient
space and the export wrote nothing ("left out 6 images"). The SEG now gets the sources' spacing between
slices (SpacingBetweenSlices when they give it, else measured along the normal between their positions,
else the pixel spacing of a lone slice), said in one warning per source, and highdicom's own reader takes
it back with each mask on its own slice."""

from __future__ import annotations

from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest

from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Project
from pixelproof.interop.dicom_seg import write_dicom_seg
from tests.interop.test_dicom_seg import add
from tests.interop.test_dicom_seg_multiframe import enhanced_mr, label_frames
from tests.interop.test_rtstruct import OBLIQUE, write_series

SAID = "no SliceThickness (0018,0050); {} mm, {}, written as the SEG's"


def labelled(tmp_path: Path, folder: Path, slices: dict[int, int]) -> tuple[Project, dict[str, np.ndarray]]:
    """A project over ``folder``'s parent with a mask on ``#z=k`` for each k of ``slices`` (a box starting
    at row ``slices[k]``, so a mask on another slice shows); returns the masks by source UID."""
    project = project_from_folder(folder.parent, tmp_path / "p.json", ["GTV"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    by_uid = {}
    files = sorted(folder.iterdir())
    for k, row in slices.items():
        image = project.image_by_file_name(f"{folder.parent.name}/{folder.name}#z={k:03d}")
        m = np.zeros((image.height, image.width), bool)
        m[row : row + 3, 2:9] = True
        add(project, image.id, 1, m)
        by_uid[str(pydicom.dcmread(files[k]).SOPInstanceUID)] = m
    return project, by_uid


def read_back(out: Path, masks: dict[str, np.ndarray]) -> hd.seg.Segmentation:
    """The one SEG under ``out``, read by highdicom's reader (which refuses pixel measures without a
    SliceThickness), each source's frame checked against its mask."""
    (seg_file,) = sorted(out.glob("*.dcm"))
    seg = hd.seg.segread(seg_file)
    uids = list(masks)
    pixels = seg.get_pixels_by_source_instance(uids, segment_numbers=[1], combine_segments=False)
    for k, uid in enumerate(uids):
        np.testing.assert_array_equal(pixels[k, :, :, 0], masks[uid])
    return seg


def thickness(seg: hd.seg.Segmentation) -> float:
    return float(seg.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].SliceThickness)


@pytest.mark.parametrize("empty", [False, True], ids=["absent", "empty"])
def test_a_series_without_slice_thickness_gets_the_spacing_between_its_slices(
    tmp_path: Path, empty: bool
) -> None:
    """An oblique series: the spacing is measured along the plane's normal (2.5 mm), not in z. An empty
    SliceThickness (Type 2: an anonymiser's) wrote a SEG without one, which highdicom's reader refuses."""
    ct = tmp_path / "study" / "CT"
    write_series(ct, iop=OBLIQUE, origin=(10, -4, 30), spacing=(0.8, 0.7), zs=[0, 2.5, 5, 7.5])
    if empty:
        for f in ct.iterdir():
            ds = pydicom.dcmread(f)
            ds.SliceThickness = None
            ds.save_as(f)
    project, masks = labelled(tmp_path, ct, {1: 3, 3: 8})
    warnings = write_dicom_seg(project, tmp_path / "seg")
    assert warnings == [f"{ct}: " + SAID.format("2.5", "the spacing between its slices")]
    assert thickness(read_back(tmp_path / "seg", masks)) == pytest.approx(2.5)


def test_the_spacing_of_a_series_of_which_some_slices_are_in_the_project_is_one_slices_step(
    tmp_path: Path,
) -> None:
    """Slices 0 and 2 alone in the project lie 5 mm apart: two steps of the series, a 2.5 mm thickness."""
    ct = tmp_path / "study" / "CT"
    write_series(ct, iop=OBLIQUE, origin=(0, 0, 0), spacing=(0.8, 0.7), zs=[0, 2.5, 5, 7.5])
    project, masks = labelled(tmp_path, ct, {0: 2, 2: 6})
    for name in ("study/CT#z=001", "study/CT#z=003"):
        project.remove_image(project.image_by_file_name(name).id)
    (warning,) = write_dicom_seg(project, tmp_path / "seg")
    assert warning.endswith(SAID.format("2.5", "the spacing between its slices"))
    assert thickness(read_back(tmp_path / "seg", masks)) == pytest.approx(2.5)


def test_spacing_between_slices_is_taken_when_the_sources_give_it(tmp_path: Path) -> None:
    ct = tmp_path / "study" / "MR"
    write_series(ct, iop=OBLIQUE, origin=(0, 0, 0), spacing=(0.8, 0.7), zs=[0, 4, 8])
    for f in ct.iterdir():
        ds = pydicom.dcmread(f)
        ds.SpacingBetweenSlices = "3.5"  # a gap between 3.5 mm slices would put them 4 mm apart, not this
        ds.save_as(f)
    project, masks = labelled(tmp_path, ct, {0: 1, 2: 5})
    (warning,) = write_dicom_seg(project, tmp_path / "seg")
    assert warning == f"{ct}: " + SAID.format("3.5", "its SpacingBetweenSlices (0018,0088)")
    assert thickness(read_back(tmp_path / "seg", masks)) == pytest.approx(3.5)


def test_a_lone_slice_gets_the_mean_of_its_pixel_spacing(tmp_path: Path) -> None:
    ct = tmp_path / "one" / "CT"
    (ds,) = write_series(ct, iop=OBLIQUE, origin=(0, 0, 0), spacing=(0.8, 0.7), zs=[12])
    project = project_from_folder(ct, tmp_path / "p.json", ["GTV"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    (image,) = project.images.values()
    m = np.zeros((16, 16), bool)
    m[4:9, 5:11] = True
    add(project, image.id, 1, m)
    (warning,) = write_dicom_seg(project, tmp_path / "seg")
    assert warning.endswith(
        SAID.format("0.75", "the mean of its PixelSpacing, having no two slices to measure between")
    )
    assert thickness(read_back(tmp_path / "seg", {str(ds.SOPInstanceUID): m})) == pytest.approx(0.75)


def test_a_multi_frame_object_without_slice_thickness_gets_the_spacing_between_its_frames(
    tmp_path: Path,
) -> None:
    """highdicom copies a multi-frame object's shared pixel measures as they are: its SEG had no
    SliceThickness, and highdicom's reader refused it."""
    path = tmp_path / "d" / "mr.dcm"
    ds = enhanced_mr(path, [6.0, 0.0, 3.0])  # frames stored out of position order: 3 mm apart
    del ds.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].SliceThickness
    ds.save_as(path, enforce_file_format=True)
    project = project_from_folder(path.parent, tmp_path / "p.json", ["a"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    drawn = label_frames(project, {0: [1], 2: [1]})
    (warning,) = write_dicom_seg(project, tmp_path / "seg")
    assert warning == f"{path}: " + SAID.format("3", "the spacing between its frames")
    (seg_file,) = sorted((tmp_path / "seg").glob("*.dcm"))
    seg = hd.seg.segread(seg_file)
    assert thickness(seg) == pytest.approx(3.0)
    pixels = seg.get_pixels_by_source_frame(
        str(ds.SOPInstanceUID), [1, 3], segment_numbers=[1], combine_segments=False
    )
    np.testing.assert_array_equal(pixels[0, :, :, 0], drawn["d/mr.dcm#z=000"][1])
    np.testing.assert_array_equal(pixels[1, :, :, 0], drawn["d/mr.dcm#z=002"][1])
