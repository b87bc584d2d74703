"""NIfTI label volumes both ways on a BraTS-style imagesTr/labelsTr dataset built here: slices named after
the image volume, class names from dataset.json, and an export that lands on the source's voxels."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from pixelproof.core.imageio import read_image
from pixelproof.core.volumes import oriented_slice
from pixelproof.interop.nifti import read_nifti
from pixelproof.interop.nifti_writer import write_nifti
from pixelproof.interop.references import load_reference

# stored LPS-like (x and y flipped against RAS) with anisotropic voxels, as scanners often write
AFFINE = np.array([[-0.9, 0, 0, 100.0], [0, -0.9, 0, 120.0], [0, 0, 2.5, -40.0], [0, 0, 0, 1]])


def brats_case(root: Path, case: str, channels: int = 4, nnunet: bool = False) -> np.ndarray:
    """imagesTr/<case>.nii.gz (4 MR channels) and labelsTr/<case>.nii.gz (0 background, 1, 2, 4)."""
    rng = np.random.default_rng(len(case))
    shape = (30, 26, 12)
    z, y, x = np.meshgrid(np.arange(shape[2]), np.arange(shape[1]), np.arange(shape[0]), indexing="ij")
    labels = np.zeros(shape, np.uint8)
    tumour = ((x.T - 14) ** 2 + (y.T - 12) ** 2 + ((z.T - 6) * 2.5) ** 2) <= 40
    core = ((x.T - 15) ** 2 + (y.T - 12) ** 2 + ((z.T - 6) * 2.5) ** 2) <= 12
    labels[tumour] = 2
    labels[core] = 4
    labels[3:6, 3:5, 2:4] = 1
    (root / "imagesTr").mkdir(parents=True, exist_ok=True)
    (root / "labelsTr").mkdir(parents=True, exist_ok=True)
    image = rng.normal(500, 50, (*shape, channels)).astype(np.int16)
    if nnunet:
        for c in range(channels):
            nib.save(nib.Nifti1Image(image[..., c], AFFINE), root / "imagesTr" / f"{case}_{c:04d}.nii.gz")
    else:
        nib.save(nib.Nifti1Image(image, AFFINE), root / "imagesTr" / f"{case}.nii.gz")
    nib.save(nib.Nifti1Image(labels, AFFINE), root / "labelsTr" / f"{case}.nii.gz")
    return labels


@pytest.fixture
def brats(tmp_path: Path) -> Path:
    root = tmp_path / "Task01_BrainTumour"
    brats_case(root, "BRATS_001")
    brats_case(root, "BRATS_002")
    labels = {"0": "background", "1": "necrosis", "2": "edema", "4": "enhancing tumour"}
    (root / "dataset.json").write_text(json.dumps({"name": "BRATS", "labels": labels}))
    return root


def canonical_labels(path: Path) -> np.ndarray:
    return np.asanyarray(nib.as_closest_canonical(nib.load(path)).dataobj)


def test_import_names_slices_after_the_image_volume(brats: Path) -> None:
    result = read_nifti(brats)
    project = result.project
    assert result.problems == []
    names = sorted(im.file_name for im in project.images.values())
    assert names[0] == "imagesTr/BRATS_001.nii.gz#z=000" and len(names) == 2 * 12
    cats = {c.id: c.name for c in project.categories.values()}
    assert cats == {1: "necrosis", 2: "edema", 4: "enhancing tumour"}
    canonical = canonical_labels(brats / "labelsTr" / "BRATS_001.nii.gz")
    image = next(im for im in project.images.values() if im.file_name == "imagesTr/BRATS_001.nii.gz#z=006")
    assert image.extra["pixel_spacing"] == [0.9, 0.9]
    for ann in project.annotations_of(image.id):
        expected = oriented_slice(canonical, "z", 6) == ann.category_id
        np.testing.assert_array_equal(ann.mask(image.height, image.width), expected)
    # the slice images read back from the image volume (channel 0 of the 4D MR)
    project.path = brats / "p.json"
    assert read_image(project.image_path(image)).shape == (image.height, image.width)


def test_labels_tr_named_alone_takes_its_names_from_the_dataset_json_beside_it(
    brats: Path, monkeypatch
) -> None:
    """``pixelproof qa labelsTr/ candidate.json`` (README's example) read the classes as "class 1" ... and
    scored Dice 0 against the candidate the whole dataset's import named from dataset.json."""
    whole = read_nifti(brats).project
    expected = {1: "necrosis", 2: "edema", 4: "enhancing tumour"}
    for named in (brats / "labelsTr", brats / "labelsTr" / "BRATS_001.nii.gz"):
        result = read_nifti(named)
        assert {c.id: c.name for c in result.project.categories.values()} == expected, named
    monkeypatch.chdir(brats / "labelsTr")  # ``qa . candidate.json`` in it: the parent of "." is "."
    assert {c.id: c.name for c in read_nifti(".").project.categories.values()} == expected
    reference = load_reference(brats / "labelsTr", whole)
    assert {c.name for c in reference.project.categories.values()} == set(expected.values())


def test_export_lands_on_the_source_voxels(brats: Path, tmp_path: Path) -> None:
    project = read_nifti(brats).project
    out = tmp_path / "out"
    warnings = write_nifti(project, out)
    assert warnings == []
    for case in ("BRATS_001", "BRATS_002"):
        written = nib.load(out / f"{case}.nii.gz")
        source = nib.load(brats / "labelsTr" / f"{case}.nii.gz")
        np.testing.assert_allclose(written.affine, source.affine)
        np.testing.assert_array_equal(np.asanyarray(written.dataobj), np.asanyarray(source.dataobj))
        assert written.get_data_dtype() == np.uint8
    lines = (out / "classes.txt").read_text().splitlines()
    assert lines == ["background", "necrosis", "edema", "", "enhancing tumour"]
    again = read_nifti(out, image_dir=brats / "imagesTr")
    names = sorted(c.name for c in again.project.categories.values())
    assert names == ["edema", "enhancing tumour", "necrosis"]


def test_a_category_name_with_a_line_break_is_one_line_of_classes_txt(brats: Path, tmp_path: Path) -> None:
    """classes.txt is line n = class id n: a name with a line break written as it is shifted every later
    class (edema came back as 'tumour', enhancing tumour as a blank)."""
    project = read_nifti(brats).project
    project.categories[1].name = "necrotic\ntumour"
    write_nifti(project, tmp_path / "out")
    lines = (tmp_path / "out" / "classes.txt").read_text().splitlines()
    assert lines == ["background", "necrotic tumour", "edema", "", "enhancing tumour"]
    again = read_nifti(tmp_path / "out", image_dir=brats / "imagesTr")
    names = sorted(c.name for c in again.project.categories.values())
    assert names == ["edema", "enhancing tumour", "necrotic tumour"]


def test_drawn_masks_export_into_the_volume(brats: Path, tmp_path: Path) -> None:
    """A mask edited on one slice (a new object) changes only that slice's voxels in the export."""
    from pixelproof.core import masks
    from pixelproof.core.model import Annotation

    project = read_nifti(brats).project
    image = next(im for im in project.images.values() if im.file_name == "imagesTr/BRATS_002.nii.gz#z=010")
    drawn = np.zeros((image.height, image.width), bool)
    drawn[1:4, 20:25] = True
    project.add_annotation(
        Annotation(project.next_annotation_id(), image.id, 1, masks.bbox(drawn), masks.encode(drawn), 15.0)
    )
    write_nifti(project, tmp_path / "out")
    before = canonical_labels(brats / "labelsTr" / "BRATS_002.nii.gz")
    after = canonical_labels(tmp_path / "out" / "BRATS_002.nii.gz")
    changed = np.argwhere(before != after)
    assert len(changed) == 15 and set(changed[:, 2]) == {10}
    assert (oriented_slice(after, "z", 10)[drawn] == 1).all()


def test_nnunet_layout_and_label_file_alone(tmp_path: Path) -> None:
    root = tmp_path / "Dataset001"
    brats_case(root, "case7", channels=2, nnunet=True)
    (root / "labelsTr" / "classes.txt").write_text("background\nnecrosis\nedema\n\nenhancing\n")
    project = read_nifti(root).project
    assert {im.file_name.split("#")[0] for im in project.images.values()} == {"imagesTr/case7_0000.nii.gz"}
    assert sorted(c.name for c in project.categories.values()) == ["edema", "enhancing", "necrosis"]
    alone = read_nifti(root / "labelsTr" / "case7.nii.gz").project
    assert next(iter(alone.images.values())).file_name == "case7.nii.gz#z=000"


def test_bad_label_volumes_are_reported_and_skipped(tmp_path: Path) -> None:
    root = tmp_path / "labels"
    root.mkdir()
    nib.save(nib.Nifti1Image(np.full((4, 4, 2), 1.5, np.float32), np.eye(4)), root / "frac.nii.gz")
    nib.save(nib.Nifti1Image(np.full((4, 4, 2), -3, np.int16), np.eye(4)), root / "neg.nii.gz")
    (root / "junk.nii").write_bytes(b"junk" * 100)
    nib.save(nib.Nifti1Image(np.ones((4, 4, 2), np.uint8), np.eye(4)), root / "ok.nii.gz")
    rgb = np.ones((4, 4, 2), dtype=[("R", "u1"), ("G", "u1"), ("B", "u1")])  # numpy's min() raised on it
    nib.save(nib.Nifti1Image(rgb, np.eye(4)), root / "rgb.nii.gz")
    nib.save(nib.Nifti1Image(np.full((4, 4, 2), 1 + 2j, np.complex64), np.eye(4)), root / "complex.nii.gz")
    result = read_nifti(root)
    assert len(result.problems) == 5 and result.skipped["volumes"] == 5
    assert any(
        p.startswith(f"{root / 'rgb.nii.gz'}: NIfTI voxels of type RGB are not read") for p in result.problems
    )
    assert any(
        p.startswith(f"{root / 'complex.nii.gz'}: NIfTI voxels of type complex64") for p in result.problems
    )
    assert any("frac.nii.gz" in p and "whole numbers" in p for p in result.problems)
    assert any("neg.nii.gz" in p and "0..65535" in p for p in result.problems)
    assert [im.file_name for im in result.project.images.values()] == ["ok.nii.gz#z=000", "ok.nii.gz#z=001"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no NIfTI"):
        read_nifti(tmp_path / "empty")


@pytest.mark.skipif(sys.platform != "linux", reason="file names as bytes: Linux")
def test_a_label_file_whose_name_is_not_utf8_is_skipped_alone(tmp_path: Path) -> None:
    """``caf\\xe9.nii.gz`` (Latin-1 on a UTF-8 disk): Builder's LimitError ended the whole import."""
    root = tmp_path / "labels"
    root.mkdir()
    nib.save(nib.Nifti1Image(np.ones((4, 4, 2), np.uint8), np.eye(4)), root / "ok.nii.gz")
    nib.save(nib.Nifti1Image(np.ones((4, 4, 2), np.uint8), np.eye(4)), root / "tmp.nii.gz")
    os.rename(root / "tmp.nii.gz", os.fsencode(root) + b"/caf\xe9.nii.gz")
    result = read_nifti(root)
    assert result.problems == [
        "caf\\xe9.nii.gz#z=000: file name is not UTF-8 text (character 4): rename the file; skipped"
    ]
    assert result.skipped["volumes"] == 1
    assert [im.file_name for im in result.project.images.values()] == ["ok.nii.gz#z=000", "ok.nii.gz#z=001"]


def test_dataset_json_nested_too_deeply_is_reported(tmp_path: Path) -> None:
    """json.loads raised RecursionError out of the reader on 100,000 nested lists."""
    root = tmp_path / "labels"
    root.mkdir()
    nib.save(nib.Nifti1Image(np.ones((4, 4, 2), np.uint8), np.eye(4)), root / "ok.nii.gz")
    (root / "dataset.json").write_text('{"labels": {"1": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    result = read_nifti(root)
    assert result.problems == [
        f"{root / 'dataset.json'}: cannot read the labels: maximum recursion depth exceeded while decoding a "
        "JSON array from a unicode string"
    ]
    assert [c.name for c in result.project.categories.values()] == ["class 1"]


def test_a_dataset_json_name_that_is_not_utf8_is_reported_once(tmp_path: Path) -> None:
    """``"\\ud800"`` (an unpaired surrogate escape) made Builder refuse the category: every volume holding
    that class was lost, each with a message not naming dataset.json."""
    root = tmp_path / "labels"
    root.mkdir()
    for name in ("a", "b"):
        nib.save(nib.Nifti1Image(np.ones((4, 4, 2), np.uint8), np.eye(4)), root / f"{name}.nii.gz")
    (root / "dataset.json").write_text('{"labels": {"0": "background", "1": "\\ud800"}}')
    result = read_nifti(root)
    assert result.problems == [
        f"{root / 'dataset.json'}: the name of class 1 is not UTF-8 text (character 1 of '\\ud800'); "
        "it is named 'class 1'"
    ]
    assert len(result.project.images) == 4 and len(result.project.annotations) == 4
    assert [c.name for c in result.project.categories.values()] == ["class 1"]


@pytest.mark.parametrize("shape", [(10, 8), (10, 8, 1), (7, 10, 8)])
def test_an_l_drawn_where_the_image_shows_it_exports_onto_its_voxels(tmp_path: Path, shape) -> None:
    """Known answer on a permuted, flipped affine: an L of bright voxels is labelled where the app shows
    it, and the exported label volume (read by nibabel) holds the L on the same voxels, with the image's
    affine and shape (a 2D image's labels came back 3D, 10 x 8 x 1)."""
    from pixelproof.core import masks
    from pixelproof.core.image_folder import project_from_folder
    from pixelproof.core.model import Annotation

    affine = np.array([[0, -0.5, 0, 3], [0.7, 0, 0, -2], [0, 0, 1.5, 4], [0, 0, 0, 1.0]])
    data = np.zeros(shape, np.int16)
    data[2:7, 2, ...] = 100
    data[6, 2:6, ...] = 100
    if len(shape) == 3 and shape[2] > 1:
        data[..., :3] = data[..., 4:7] = 0  # the L on slice 3 only
    (tmp_path / "img").mkdir()
    nib.save(nib.Nifti1Image(data, affine), tmp_path / "img" / "v.nii")
    project = project_from_folder(tmp_path / "img", tmp_path / "p.json", ["L"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    for image in project.images.values():
        m = read_image(project.image_path(image)) == 100
        if m.any():
            a = Annotation(project.next_annotation_id(), image.id, 1, masks.bbox(m), masks.encode(m), 1.0)
            project.add_annotation(a)
    assert write_nifti(project, tmp_path / "out") == []
    labels = nib.load(tmp_path / "out" / "v.nii.gz")
    np.testing.assert_allclose(labels.affine, nib.load(tmp_path / "img" / "v.nii").affine)
    assert labels.shape == shape
    np.testing.assert_array_equal(np.asanyarray(labels.dataobj) == 1, data == 100)
