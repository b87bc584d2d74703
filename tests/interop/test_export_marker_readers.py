"""The ``.pixelproof-export`` marker every folder export leaves (``core.export_mark``) changes nothing for
the formats' readers: each export read back with and without it gives the same project, problems and
detection. (Outside tools pass over it too: Ultralytics and VOC tools read their lists and folders,
Cityscapes scripts glob ``gtFine/*/*/*_gtFine_*``, none lists a folder's dotfiles.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import dumps_project
from pixelproof.core.export_mark import MARKER
from pixelproof.core.model import Project
from pixelproof.interop.formats import FORMATS, detect_formats
from tests.interop.test_dicom_seg import ct_project  # noqa: F401  (a fixture)
from tests.interop.test_nifti import brats  # noqa: F401  (a fixture)

VOLUMES = {"nifti", "slicer-seg", "dicom-seg", "rtstruct"}  # of scans: their own tests below
FOLDER_FORMATS = [
    f.name
    for f in FORMATS.values()
    if f.can_write and f.can_read and not f.output_is_file and f.name not in VOLUMES
]


def _read(name: str, out: Path, **options: object) -> tuple[str, list[str], list[str], list[str]]:
    fmt = FORMATS[name]
    problems: list[str] = []
    result = fmt.read(out, on_problem=lambda p: problems.append(str(p)), **options)
    detected = [f.name for f in detect_formats(out)]
    skipped = [str(s) for s in getattr(result, "skipped", [])]
    return (
        dumps_project(result.project).decode(),
        problems + [str(p) for p in result.problems],
        skipped,
        detected,
    )


def _same_with_and_without(name: str, out: Path, **read: object) -> None:
    assert (out / MARKER).is_file()
    marked = _read(name, out, **read)
    assert name in marked[3]  # still recognised as what it is
    (out / MARKER).unlink()
    assert marked == _read(name, out, **read)


@pytest.mark.parametrize("name", FOLDER_FORMATS)
def test_every_folder_export_reads_the_same_with_its_marker(
    name: str, sample_project: Project, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    FORMATS[name].write(sample_project, out)
    _same_with_and_without(name, out)


def test_label_volume_exports_read_the_same_with_their_marker(brats: Path, tmp_path: Path) -> None:  # noqa: F811
    project = FORMATS["nifti"].read(brats).project
    out = tmp_path / "out"
    assert FORMATS["nifti"].write(project, out) == []
    # before: a folder of label volumes was no longer detected as NIfTI with the marker (any dotfile in it)
    _same_with_and_without("nifti", out, image_dir=brats / "imagesTr")


def test_slicer_segmentations_read_the_same_with_their_marker(brats: Path, tmp_path: Path) -> None:  # noqa: F811
    project = FORMATS["nifti"].read(brats).project
    out = tmp_path / "out"
    FORMATS["slicer-seg"].write(project, out)
    assert sorted(p.name for p in out.iterdir() if p.name != MARKER)  # a .seg.nrrd a volume at least
    _same_with_and_without("slicer-seg", out, image_dir=brats / "imagesTr")


def test_a_seg_beside_its_series_is_marked_one_in_the_series_folder_is_not(
    ct_project,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    """A DICOM SEG written into the study (``study/seg``) is marked and reads the same; one written into
    the series folder itself (the project's images) is not: the marker would hide the scan from a scan of
    the study."""
    project, study, _drawn = ct_project
    assert FORMATS["dicom-seg"].write(project, study / "seg") == []
    _same_with_and_without("dicom-seg", study / "seg")
    FORMATS["dicom-seg"].write(project, study / "CT2")
    assert not (study / "CT2" / MARKER).exists()


def test_an_rt_structure_set_beside_its_series_reads_the_same_with_its_marker(
    ct_project,  # noqa: F811 (the fixture)
) -> None:
    project, study, _drawn = ct_project
    assert FORMATS["rtstruct"].write(project, study / "rt") == []
    _same_with_and_without("rtstruct", study / "rt")
