"""``pixelproof new`` and ``add`` over a folder with a DICOM series folder ``ct/`` beside ``ct.seg.nrrd``
(as 3D Slicer saves a segmentation of a loaded series): the segmentation comes in as the series' masks,
the same masks ``convert --from slicer-seg`` reads, found by the same lookup (its name names the series
folder); no "no image volume" warning, no ``--image-dir`` needed. The segmentation is a real ``.seg.nrrd``
pynrrd writes (PixelProof's slicer-seg writer), the series real DICOM files pydicom writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import load_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Project
from pixelproof.interop.slicer_seg import read_slicer_seg
from pixelproof.interop.slicer_seg_writer import write_slicer_seg
from tests.interop.test_nifti_dicom_series import CORONAL, OBLIQUE, draw, series_project, write_series


def _scene(tmp_path: Path, folder: str = "study") -> tuple[Path, dict[str, np.ndarray]]:
    """``study/ct/`` (a DICOM series) and ``study/ct.seg.nrrd`` drawn on it; the drawn label maps by slice."""
    project, ct, drawn = series_project(tmp_path, OBLIQUE, second_class=True)
    assert write_slicer_seg(project, tmp_path / "seg") == []
    shutil.copy(tmp_path / "seg" / "ct.seg.nrrd", ct.parent / "ct.seg.nrrd")
    return ct.parent, drawn


def _label_maps(project: Project) -> dict[str, np.ndarray]:
    """Each slice's masks as one label map (value: the category's place in name order), by slice fragment."""
    order = {c.id: i + 1 for i, c in enumerate(sorted(project.categories.values(), key=lambda c: c.name))}
    out = {}
    for image in project.images.values():
        m = np.zeros((image.height, image.width), np.uint8)
        for ann in sorted(project.annotations_of(image.id), key=lambda a: order[a.category_id]):
            m[masks.annotation_mask(ann, image.height, image.width).astype(bool)] = order[ann.category_id]
        out[image.file_name.split("#")[1]] = m
    return out


def test_new_reads_a_segmentation_onto_the_dicom_series_beside_it_as_convert_does(
    tmp_path: Path, capsys
) -> None:
    study, drawn = _scene(tmp_path)
    out = tmp_path / "new.json"
    assert main(["new", str(study), "-o", str(out)]) == 0
    said = capsys.readouterr()
    assert "no image volume" not in said.err and "--image-dir" not in said.err
    assert f"{study / 'ct.seg.nrrd'}: 2 segments, 6 objects on the slices of ct\n" in said.out
    project = load_project(out)
    assert len(project.images) == 5 and len(project.annotations) == 6
    assert all(i.file_name.startswith("study/ct#z=") for i in project.images.values())
    converted = read_slicer_seg(study / "ct.seg.nrrd").project
    got, want = _label_maps(project), _label_maps(converted)
    assert got.keys() == want.keys() == {f"z={k:03d}" for k in range(5)}
    for k, m in got.items():
        np.testing.assert_array_equal(m, want[k])
        # the organ drawn on the series slice, pixel for pixel (category order: lesion 1, organ 2)
        np.testing.assert_array_equal(m > 0, drawn[f"study/ct#{k}"] > 0)
    assert all(project.image_status(i) == "done" for i in project.images)


def test_add_reads_the_segmentation_onto_the_series_the_project_has(tmp_path: Path, capsys) -> None:
    study, _ = _scene(tmp_path)
    seg = study / "ct.seg.nrrd"
    seg.rename(tmp_path / "kept.seg.nrrd")
    out = tmp_path / "p.json"
    assert main(["new", str(study), "-o", str(out)]) == 0
    assert not load_project(out).annotations
    (tmp_path / "kept.seg.nrrd").rename(seg)
    capsys.readouterr()
    assert main(["add", str(out), str(seg)]) == 0
    said = capsys.readouterr().err
    assert "no image volume" not in said and "--image-dir" not in said
    project = load_project(out)
    assert len(project.images) == 5 and len(project.annotations) == 6
    got, want = _label_maps(project), _label_maps(read_slicer_seg(seg).project)
    assert got.keys() == want.keys() and all(np.array_equal(got[k], want[k]) for k in got)
    assert main(["add", str(out), str(seg)]) == 0  # twice: its masks are not put there again
    assert len(load_project(out).annotations) == 6


def test_a_segmentation_named_after_no_series_or_volume_is_still_left_out_and_said(
    tmp_path: Path, capsys
) -> None:
    study, _ = _scene(tmp_path)
    (study / "ct.seg.nrrd").rename(study / "mr.seg.nrrd")
    out = tmp_path / "p.json"
    assert main(["new", str(study), "-o", str(out)]) == 0
    said = capsys.readouterr().err
    assert (
        f"{study / 'mr.seg.nrrd'}: a 3D Slicer segmentation with no image volume (NRRD or NIfTI) or DICOM "
        "series folder of its name in its folder to lie on" in said
    )
    assert not load_project(out).annotations


def test_each_series_of_a_folder_takes_the_segmentation_named_after_it(tmp_path: Path, capsys) -> None:
    """``ct_series2.seg.nrrd`` (as the slicer-seg writer names a folder's 2nd series) lands on series 2's
    slices, ``ct_series1.seg.nrrd`` on series 1's, each as convert reads it."""
    study = tmp_path / "study"
    write_series(study / "ct", OBLIQUE, uid="1.2.3.4", number=5)
    write_series(study / "ct", CORONAL, uid="1.2.3.9", number=7, prefix="B")
    drawn = project_from_folder(study, tmp_path / "p.json", ["organ", "lesion"], on_skip=lambda _m: None)
    drawn.path = tmp_path / "p.json"
    draw(drawn)
    assert write_slicer_seg(drawn, tmp_path / "seg") == []
    for name in ("ct_series1.seg.nrrd", "ct_series2.seg.nrrd"):
        shutil.copy(tmp_path / "seg" / name, study / name)
    out = tmp_path / "new.json"
    assert main(["new", str(study), "-o", str(out)]) == 0
    said = capsys.readouterr().out
    for k in (1, 2):
        assert f"ct_series{k}.seg.nrrd: 2 segments, 5 objects on the slices of ct#series={k}\n" in said
    project = load_project(out)
    got = _label_maps(project)
    for k in (1, 2):
        want = _label_maps(read_slicer_seg(study / f"ct_series{k}.seg.nrrd").project)
        assert want and all(np.array_equal(got[name], m) for name, m in want.items())
    drawn_maps = _label_maps(drawn)  # one class drawn (organ): where it lies, pixel for pixel
    assert drawn_maps.keys() == got.keys() and all(
        np.array_equal(got[n] > 0, m > 0) for n, m in drawn_maps.items()
    )
