"""A new project over a folder as 3D Slicer saves a scene: ``ct.seg.nrrd`` comes in as the masks of
``ct.nrrd`` (or ``ct.nhdr``, ``ct.nii.gz``), pixel for pixel the segmentation's labelmap; Slicer's default
names find the volume of their grid; a segmentation on another grid, or with no volume beside it, is left
out and said (naming both grids, or the command that imports it); the folder is never written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2
import nibabel as nib
import nrrd
import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from pixelproof.core.model import Project
from pixelproof.core.volume_cache import clear_cache
from pixelproof.core.volumes import oriented_slice
from pixelproof.interop.slicer_seg_folder import project_with_segmentations
from tests.interop.test_slicer_seg import CT_AFFINE, OVERLAP, SEG, masks
from tests.interop.test_slicer_seg_nrrd import _ct_nrrd

NAMES = ["ribs", "cervical vertebral column", "thoracic vertebral column", "lumbar vertebral column"]


def _ct(path: Path) -> None:
    """The CT the segmentation was drawn on (CTChest4's grid), as ``path`` names it: NRRD, NHDR or NIfTI."""
    if path.name.endswith(".nii.gz"):
        nib.save(nib.Nifti1Image(np.zeros((128, 128, 34), np.int16), CT_AFFINE), path)
    else:
        _ct_nrrd(path)  # pynrrd writes a detached header (.nhdr + its data file) by the name


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def _new(folder: Path, categories: tuple[str, ...] = ()) -> tuple[Project, list[str], list[str]]:
    skipped: list[str] = []
    read: list[str] = []
    project = project_with_segmentations(
        folder, folder.parent / "p.json", categories, on_skip=skipped.append, on_read=read.append
    )
    return project, skipped, read


def _labelmap_masks(seg: Path, stem: str, layer: int | None = None) -> dict[tuple[str, int], np.ndarray]:
    """(slice name, label value) -> the voxels of that value on slice k, from the file itself (its voxels are
    RAS-ordered: LPS directions -x, -y, +z)."""
    data, _ = nrrd.read(str(seg))
    if layer is not None:
        data = data[layer]
    out = {}
    for k in range(data.shape[2]):
        for value in np.unique(data[:, :, k]):
            if value:
                out[(f"{stem}#z={k:03d}", int(value))] = oriented_slice(data == value, "z", k)
    return out


@pytest.mark.parametrize("name", ["ct.nrrd", "ct.nhdr", "ct.nii.gz"])
def test_the_segmentation_comes_in_as_its_volumes_masks(tmp_path: Path, name: str) -> None:
    clear_cache()
    folder = tmp_path / "scene"
    folder.mkdir()
    _ct(folder / name)
    shutil.copy(SEG, folder / "ct.seg.nrrd")
    before = _files(folder)
    project, skipped, read = _new(folder, ("object",))
    # nothing written in the user's folder; (an .nhdr's data file is said as no image, as before)
    assert not [m for m in skipped if "seg.nrrd" in m] and _files(folder) == before
    assert read == [
        f"{folder / 'ct.seg.nrrd'}: 7 segments, {len(project.annotations)} objects on the slices of {name}"
    ]
    assert len(project.images) == 34 and all(name in i.file_name for i in project.images.values())
    names = [c.name for c in project.categories.values()]
    assert names[:5] == ["object", *NAMES]  # the project's own first, the segments after in label order
    value_of = {c.name: n for n, c in enumerate(list(project.categories.values())[1:], start=1)}
    got = {(f, value_of[c]): m for (f, c), m in masks(project).items()}
    want = _labelmap_masks(SEG, name)
    assert got.keys() == want.keys() and len(got) > 100
    assert all(np.array_equal(got[k], want[k]) for k in want)
    done = {project.image_status(i) for i in project.images}
    assert done == {"done"}  # a segmentation covers its volume: every slice labelled, empty ones too


def test_slicers_default_names_all_come_in_on_the_volume_of_their_grid(tmp_path: Path) -> None:
    """A scene with two segmentation nodes: ``Segmentation.seg.nrrd`` and ``Segmentation_1.seg.nrrd`` both
    on ``CTChest.nrrd`` (another volume of another grid beside it); a segment name both hold is one
    category, each file's objects kept (the overlap file's sphere over the other's tissue)."""
    clear_cache()
    _ct_nrrd(tmp_path / "CTChest.nrrd")
    head = {"space": "right-anterior-superior", "space directions": np.eye(3), "space origin": np.zeros(3)}
    nrrd.write(str(tmp_path / "MRHead.nrrd"), np.zeros((4, 4, 4), np.int16), head)
    shutil.copy(SEG, tmp_path / "Segmentation.seg.nrrd")
    shutil.copy(OVERLAP, tmp_path / "Segmentation_1.seg.nrrd")
    project, skipped, read = _new(tmp_path)
    assert skipped == [] and len(read) == 2
    assert "Segmentation.seg.nrrd: 7 segments" in read[0] and read[0].endswith("CTChest.nrrd")
    assert "Segmentation_1.seg.nrrd: 8 segments" in read[1] and read[1].endswith("CTChest.nrrd")
    names = [c.name for c in project.categories.values()]
    assert len(names) == len(set(names)) == 8 and names[-1] == "overlapping sphere"
    sphere = {f: m for (f, c), m in masks(project).items() if c == "overlapping sphere"}
    want = {f: m for (f, v), m in _labelmap_masks(OVERLAP, "CTChest.nrrd", layer=1).items() if v == 1}
    assert sphere.keys() == want.keys() and all(np.array_equal(sphere[f], want[f]) for f in want)
    ribs = [a for a in project.annotations.values() if project.categories[a.category_id].name == "ribs"]
    files = {a.image_id for a in ribs}
    assert len(ribs) > len(files)  # both files' ribs, as objects of their own on the same slices


def test_a_segmentation_on_another_grid_is_left_out_naming_both(tmp_path: Path) -> None:
    clear_cache()
    nrrd.write(
        str(tmp_path / "ct.nrrd"),
        np.zeros((4, 5, 6), np.int16),
        {"space": "left-posterior-superior", "space directions": np.eye(3) * 2, "space origin": np.zeros(3)},
    )
    shutil.copy(SEG, tmp_path / "ct.seg.nrrd")
    before = _files(tmp_path)
    project, skipped, read = _new(tmp_path)
    assert read == [] and not project.annotations and len(project.images) == 6 and _files(tmp_path) == before
    assert skipped == [
        f"{tmp_path / 'ct.seg.nrrd'}: not on its volume's voxel grid: the segmentation is 128x128x34 voxels "
        "of 3.04688x3.04688x10 mm at (-193.1, -216.4, -340.2); ct.nrrd is 4x5x6 voxels of 2x2x2 mm at "
        "(-6.0, -8.0, 0.0); left out"
    ]


def test_slicers_default_name_with_no_volume_of_its_grid_or_two_is_left_out(tmp_path: Path) -> None:
    """``Segmentation.seg.nrrd`` beside a volume of another grid: left out naming both grids; beside two
    volumes of its grid (neither its name): left out, naming them, never put on either at random."""
    clear_cache()
    head = {"space": "right-anterior-superior", "space directions": np.eye(3), "space origin": np.zeros(3)}
    nrrd.write(str(tmp_path / "MRHead.nrrd"), np.zeros((4, 4, 4), np.int16), head)
    shutil.copy(SEG, tmp_path / "Segmentation.seg.nrrd")
    project, skipped, read = _new(tmp_path)
    seg = tmp_path / "Segmentation.seg.nrrd"
    assert read == [] and not project.annotations
    assert skipped == [
        f"{seg}: no volume in its folder bears its name or has its grid: the segmentation is 128x128x34 "
        "voxels of 3.04688x3.04688x10 mm at (-193.1, -216.4, -340.2); MRHead.nrrd is 4x4x4 voxels of 1x1x1 "
        "mm at (0.0, 0.0, 0.0); left out"
    ]
    os.remove(tmp_path / "MRHead.nrrd")
    _ct_nrrd(tmp_path / "a.nrrd")
    _ct_nrrd(tmp_path / "b.nrrd")
    project, skipped, read = _new(tmp_path)
    assert read == [] and not project.annotations and len(project.images) == 68
    assert len(skipped) == 1 and skipped[0].startswith(
        f"{seg}: 2 volumes in its folder lie on its voxel grid (a.nrrd, b.nrrd); left out"
    )


def test_a_lone_segmentation_is_no_slices_and_names_the_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No volume beside it: not slices named after the segmentation (the app shows no image for them);
    the command said works."""
    clear_cache()
    labels, images = tmp_path / "labels", tmp_path / "images"
    labels.mkdir(), images.mkdir()
    shutil.copy(SEG, labels / "ct.seg.nrrd")
    _ct_nrrd(images / "ct.nrrd")
    cv2.imwrite(str(labels / "photo.png"), np.zeros((8, 8), np.uint8))  # a folder with an image, no volume
    out = tmp_path / "p.json"
    assert main(["new", str(labels), "-o", str(out)]) == 0
    said = capsys.readouterr().err
    assert [i.file_name for i in load_project(out).images.values()] == ["labels/photo.png"]
    seg = labels / "ct.seg.nrrd"
    command = f"pixelproof convert {seg} OUT.json --from slicer-seg --to coco --image-dir VOLUME_FOLDER"
    assert (
        f"pixelproof: warning: {seg}: a 3D Slicer segmentation with no image volume (NRRD or NIfTI) or DICOM "
        f"series folder of its name in its folder to lie on; not made into slices (they would show no "
        f"image); to import it onto its volume: "
        f"{command}\n"
    ) in said
    args = command.replace("OUT.json", str(tmp_path / "q.json")).replace("VOLUME_FOLDER", str(images))
    assert main(args.split()[1:]) == 0  # the hint works
    assert len(load_project(tmp_path / "q.json").annotations) > 100


def test_new_says_what_came_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clear_cache()
    _ct_nrrd(tmp_path / "ct.nrrd")
    shutil.copy(SEG, tmp_path / "ct.seg.nrrd")
    out = tmp_path / "out" / "p.json"
    assert main(["new", str(tmp_path), "-o", str(out), "--categories", "tumour"]) == 0
    said = capsys.readouterr()
    project = load_project(out)
    n = len(project.annotations)
    assert said.out.splitlines() == [
        f"{tmp_path / 'ct.seg.nrrd'}: 7 segments, {n} objects on the slices of ct.nrrd",
        f"{out}: 34 images, 8 categories, {n} objects",
    ]
    assert "ct.seg.nrrd" not in said.err
