"""Slicer segmentations onto NRRD image volumes, as Slicer saves them: ``ct.seg.nrrd`` onto ``ct.nrrd`` (the
same masks as onto the same CT written as NIfTI), Slicer's default ``Segmentation.seg.nrrd`` onto the one
volume of its grid, slices named after the volume Slicer saves beside it when none is found, and the
slicer-seg / nifti writers on an NRRD volume's voxels (read back onto the same slices)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nibabel as nib
import nrrd
import numpy as np
import pytest

from pixelproof.core.volume_cache import clear_cache
from pixelproof.interop.nifti import write_nifti
from pixelproof.interop.slicer_seg import read_slicer_seg
from pixelproof.interop.slicer_seg_writer import write_slicer_seg
from tests.interop.test_slicer_seg import CT_AFFINE, SEG, masks


def _ct_nrrd(path: Path, flip: bool = False) -> None:
    """CTChest4.nrrd's geometry (slicerio's CT the segmentation was drawn on) as Slicer writes it: LPS;
    with ``flip`` stored flipped in x and z (the same voxels in space, another voxel order)."""
    affine = CT_AFFINE.copy()
    if flip:
        affine = affine @ np.array([[-1, 0, 0, 127], [0, 1, 0, 0], [0, 0, -1, 33], [0, 0, 0, 1.0]])
    lps = np.array([-1.0, -1.0, 1.0])
    data = np.arange(128 * 128 * 34, dtype=np.int32).reshape(128, 128, 34).astype(np.int16)
    header = {
        "space": "left-posterior-superior",
        "space directions": (affine[:3, :3] * lps[:, None]).T,
        "space origin": affine[:3, 3] * lps,
        "kinds": ["domain"] * 3,
        "encoding": "gzip",
    }
    nrrd.write(str(path), data, header)


@pytest.mark.parametrize("flip", [False, True])
def test_a_segmentation_lands_on_its_nrrd_volume_as_on_the_same_nifti(tmp_path: Path, flip: bool) -> None:
    clear_cache()
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    _ct_nrrd(a / "ct.nrrd", flip)
    shutil.copy(SEG, a / "ct.seg.nrrd")
    affine = (
        CT_AFFINE @ np.array([[-1, 0, 0, 127], [0, 1, 0, 0], [0, 0, -1, 33], [0, 0, 0, 1.0]])
        if flip
        else CT_AFFINE
    )
    nib.save(nib.Nifti1Image(np.zeros((128, 128, 34), np.int16), affine), b / "ct.nii.gz")
    shutil.copy(SEG, b / "ct.seg.nrrd")
    on_nrrd = read_slicer_seg(a / "ct.seg.nrrd")  # found beside it
    on_nifti = read_slicer_seg(b / "ct.seg.nrrd", image_dir=b)
    assert not on_nrrd.problems and not on_nrrd.skipped and not on_nrrd.notes
    names = sorted(i.file_name for i in on_nrrd.project.images.values())
    assert names[0] == "ct.nrrd#z=000" and len(names) == 34
    got = {(n.replace("ct.nrrd", "ct"), c): m for (n, c), m in masks(on_nrrd.project).items()}
    want = {(n.replace("ct.nii.gz", "ct"), c): m for (n, c), m in masks(on_nifti.project).items()}
    assert got.keys() == want.keys() and all(np.array_equal(got[k], want[k]) for k in got)
    extras = {i.file_name: i.extra for i in on_nrrd.project.images.values()}
    assert {"pixel_spacing", "slice_position"} <= set(extras["ct.nrrd#z=010"])


def test_slicers_default_names_find_the_volume_of_their_grid(tmp_path: Path) -> None:
    """Slicer saves ``Segmentation.seg.nrrd`` beside ``CTChest.nrrd``: no stem in common, one volume of its
    grid (another volume of another grid beside it is not taken)."""
    clear_cache()
    _ct_nrrd(tmp_path / "CTChest.nrrd")
    nrrd.write(str(tmp_path / "MRHead.nrrd"), np.zeros((4, 4, 4), np.int16), {"space": "RAS"})
    shutil.copy(SEG, tmp_path / "Segmentation.seg.nrrd")
    result = read_slicer_seg(tmp_path / "Segmentation.seg.nrrd")
    assert not result.problems and not result.skipped
    assert [n for n in result.notes if "CTChest.nrrd" in n and "voxel grid" in n]
    assert sorted(i.file_name for i in result.project.images.values())[0] == "CTChest.nrrd#z=000"


def test_without_an_image_the_slices_are_the_volumes_slicer_saves_beside_it(tmp_path: Path, capsys) -> None:
    """Labels first, volume later: the slices are named ``ct.nrrd#z=...`` (said), so ``ct.nrrd`` added
    there later is already there with the masks on its slices, and a project pointed at the volume's
    folder (relocate) shows them; it named them ``ct.seg.nrrd#z=...``, slices no volume ever gives."""
    from pixelproof.cli import main
    from pixelproof.core.coco import load_project

    clear_cache()
    (tmp_path / "seg").mkdir()
    shutil.copy(SEG, tmp_path / "seg" / "ct.seg.nrrd")
    out = tmp_path / "seg" / "p.json"
    assert (
        main(
            [
                "convert",
                str(tmp_path / "seg" / "ct.seg.nrrd"),
                str(out),
                "--from",
                "slicer-seg",
                "--to",
                "coco",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "its slices are named after ct.nrrd beside it" in err and "--image-dir" in err
    labelled = masks(load_project(out))
    assert len(labelled) > 34 and {n for n, _ in labelled} <= {f"ct.nrrd#z={k:03d}" for k in range(34)}
    _ct_nrrd(tmp_path / "seg" / "ct.nrrd")  # the volume Slicer saved, put beside it later
    assert main(["add", str(out), str(tmp_path / "seg" / "ct.nrrd")]) == 0
    assert "0 added, 34 already there" in capsys.readouterr().out
    project = load_project(out)
    assert len(project.images) == 34 and masks(project).keys() == labelled.keys()
    (tmp_path / "ct").mkdir()
    (tmp_path / "seg" / "ct.nrrd").rename(tmp_path / "ct" / "ct.nrrd")  # the volume kept elsewhere
    assert main(["relocate", str(out), "--to", str(tmp_path / "ct")]) == 0
    assert sorted(i.file_name for i in load_project(out).images.values())[0] == "../ct/ct.nrrd#z=000"


@pytest.mark.parametrize("flip", [False, True])
def test_writers_put_labels_on_the_nrrd_volumes_voxels(tmp_path: Path, flip: bool) -> None:
    """nifti: labels in the NRRD's voxel order under its RAS affine; slicer-seg: read back onto ct.nrrd,
    the same masks on the same slices."""
    clear_cache()
    folder = tmp_path / "images"
    folder.mkdir()
    _ct_nrrd(folder / "ct.nrrd", flip)
    shutil.copy(SEG, folder / "ct.seg.nrrd")
    first = read_slicer_seg(folder / "ct.seg.nrrd")
    first.project.root = str(folder)
    assert write_nifti(first.project, tmp_path / "nifti") == []
    labels = nib.load(tmp_path / "nifti" / "ct.nii.gz")
    seg, _ = nrrd.read(str(SEG))  # RAS-ordered voxels (LPS directions -x, -y, +z)
    stored = seg[::-1, :, ::-1] if flip else seg
    assert np.array_equal(np.asarray(labels.dataobj), stored)
    ct = nrrd.read_header(str(folder / "ct.nrrd"))
    lps = np.array([-1.0, -1.0, 1.0])
    assert np.allclose(labels.affine[:3, :3], (ct["space directions"] * lps).T, atol=1e-4)
    assert np.allclose(labels.affine[:3, 3], ct["space origin"] * lps, atol=1e-3)
    assert write_slicer_seg(first.project, tmp_path / "seg") == []
    again = read_slicer_seg(tmp_path / "seg" / "ct.seg.nrrd", image_dir=folder)
    a, b = masks(first.project), masks(again.project)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("fmt", ["dicom-seg", "rtstruct"])
def test_a_dicom_export_of_an_nrrd_volume_names_slicer_seg(tmp_path: Path, fmt: str) -> None:
    """A Slicer user's NRRD volume has no DICOM to reference: the refusal names the writer that keeps its
    voxels and segments for Slicer (it named nifti only)."""
    from pixelproof.core import masks as mask_codec
    from pixelproof.core.image_folder import project_from_folder
    from pixelproof.core.model import Annotation
    from pixelproof.interop.formats import FORMATS

    clear_cache()
    (tmp_path / "images").mkdir()
    _ct_nrrd(tmp_path / "images" / "ct.nrrd")
    project = project_from_folder(tmp_path / "images", tmp_path / "p.json", ["GTV"])
    image = project.image_by_file_name("images/ct.nrrd#z=010")
    m = np.zeros((image.height, image.width), bool)
    m[40:60, 50:70] = True
    project.add_annotation(Annotation(1, image.id, 1, mask_codec.bbox(m), mask_codec.encode(m), 400.0))
    project.set_image_status(image.id, "done")
    with pytest.raises(ValueError, match=r"the project.s one image is not DICOM") as e:
        FORMATS[fmt].write(project, tmp_path / "out")
    assert "export nifti or slicer-seg for NIfTI and NRRD volumes, or masks" in str(e.value)
