"""A reader's label volumes as 3D Slicer and MONAI Label write them, reviewed and written back: categories
in the order of their label values (label 1 is key 1 and the first colour in every reader's project, as a
segment number is in Slicer), an export warning only where objects of different classes overlap, and a
label volume whose affine is not its image's said with how far apart its voxels lie in mm."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.category_colors import default_color
from pixelproof.core.model import Annotation
from pixelproof.core.wording import plural
from pixelproof.interop.dicom_seg import read_dicom_seg, write_dicom_seg
from pixelproof.interop.nifti import read_nifti
from pixelproof.interop.nifti_writer import write_nifti
from tests.interop.test_dicom_seg import add, ct_project  # noqa: F401 (the fixture)

# as ITK / Slicer write a CT: LPS storage (x and y columns negative in RAS), 0.7 x 0.7 x 2.5 mm
AFFINE = np.array([[-0.7, 0, 0, 33.6], [0, -0.7, 0, 28.0], [0, 0, 2.5, -100.0], [0, 0, 0, 1]])


def ct_case(root: Path, label_affine: np.ndarray = AFFINE) -> np.ndarray:
    """images/ct.nii.gz (int16, scl_inter -1024) and labels/ct.nii.gz: spine (2) on every slice, liver (1)
    only from slice 2 on, so the first slice read holds label 2 alone."""
    shape = (24, 20, 6)
    i, j, k = np.meshgrid(*(np.arange(n) for n in shape), indexing="ij")
    labels = np.zeros(shape, np.uint8)
    labels[((i - 8) ** 2 + (j - 8) ** 2 < 16) & (k >= 2)] = 1
    labels[(i - 16) ** 2 + (j - 14) ** 2 < 9] = 2
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    image = nib.Nifti1Image(labels.astype(np.int16) * 100 + 1000, AFFINE)
    image.header.set_slope_inter(1.0, -1024.0)
    nib.save(image, root / "images" / "ct.nii.gz")
    nib.save(nib.Nifti1Image(labels, label_affine), root / "labels" / "ct.nii.gz")
    (root / "labels" / "classes.txt").write_text("background\nliver\nspine\n")
    return labels


def test_nifti_categories_follow_the_label_values(tmp_path: Path) -> None:
    ct_case(tmp_path)
    project = read_nifti(tmp_path / "labels", image_dir=tmp_path / "images").project
    assert [(c.id, c.name) for c in project.categories.values()] == [(1, "liver"), (2, "spine")]
    assert [c.color for c in project.categories.values()] == [default_color(1), default_color(2)]


def test_seg_categories_follow_the_segment_numbers(ct_project, tmp_path: Path) -> None:  # noqa: F811
    project, study, _ = ct_project
    first = next(im for im in project.images.values() if im.file_name.endswith("#z=000"))
    for ann in list(project.annotations_of(first.id)):  # slice 0: the lesion (segment 2) alone
        project.remove_annotation(ann.id)
    lesion = np.zeros((16, 16), bool)
    lesion[4:6, 4:6] = True
    add(project, first.id, 2, lesion)
    write_dicom_seg(project, study / "seg")
    imported = read_dicom_seg(study / "seg").project
    assert [(c.id, c.name) for c in imported.categories.values()] == [(1, "liver"), (2, "lesion")]
    assert [c.color for c in imported.categories.values()] == [default_color(1), default_color(2)]


def test_overlap_warning_counts_only_voxels_whose_class_it_decides(tmp_path: Path) -> None:
    labels = ct_case(tmp_path)
    project = read_nifti(tmp_path / "labels", image_dir=tmp_path / "images").project
    image = next(im for im in project.images.values() if im.file_name.endswith("#z=003"))
    liver, spine = (next(a for a in project.annotations_of(image.id) if a.category_id == c) for c in (1, 2))
    stroke = np.zeros((image.height, image.width), bool)  # a second liver object over the liver and spine
    stroke[4:18, 4:20] = True
    project.add_annotation(
        Annotation(project.next_annotation_id(), image.id, 1, masks.bbox(stroke), masks.encode(stroke), 0.0)
    )
    warnings = write_nifti(project, tmp_path / "out")
    h, w = image.height, image.width
    decided = stroke & spine.mask(h, w)  # over the liver the class is the same: nothing is decided there
    assert decided.any() and (stroke & liver.mask(h, w)).any()
    assert warnings == [
        f"{plural(int(decided.sum()), 'voxel', thousands=True)} where objects overlap: each keeps "
        "the later object's class"
    ]
    written = np.asanyarray(nib.load(tmp_path / "out" / "ct.nii.gz").dataobj)
    changed = np.argwhere(written != labels)
    assert set(changed[:, 2]) == {3}


def test_an_affine_off_the_image_says_how_far_in_mm(tmp_path: Path) -> None:
    shifted = AFFINE.copy()
    shifted[:3, 3] += [3.0, 4.0, 0.0]  # 5 mm in plane
    shifted[2, 2] = 2.0  # and 2 mm slices, not 2.5: the last slices lie further off still
    ct_case(tmp_path, shifted)
    result = read_nifti(tmp_path / "labels", image_dir=tmp_path / "images")
    corners = np.array([[i, j, k, 1] for i in (0, 23) for j in (0, 19) for k in (0, 5)]).T
    far = np.linalg.norm((AFFINE @ corners - shifted @ corners)[:3], axis=0).max()  # nibabel's own affines
    (problem,) = result.problems
    assert problem.startswith(f"{tmp_path / 'labels' / 'ct.nii.gz'}: its affine differs from ")
    assert str(tmp_path / "images" / "ct.nii.gz") in problem
    assert f"up to {far:.1f} mm" in problem and "by voxel index" in problem
    assert len(result.project.images) == 6  # read all the same, as drawn on the voxels


def test_labels_stored_in_another_orientation_are_placed_by_position(tmp_path: Path) -> None:
    """MONAI's Orientationd(axcodes="RAS") writes the labels in RAS storage over an LPS image: the same
    voxels in space, no warning, and each label on its image voxel (nibabel's resample_from_to says where)."""
    from nibabel.processing import resample_from_to

    labels = ct_case(tmp_path)
    ras = nib.as_closest_canonical(nib.load(tmp_path / "labels" / "ct.nii.gz"))
    nib.save(nib.Nifti1Image(np.asanyarray(ras.dataobj), ras.affine), tmp_path / "labels" / "ct.nii.gz")
    result = read_nifti(tmp_path / "labels", image_dir=tmp_path / "images")
    assert result.problems == []
    write_nifti(result.project, tmp_path / "out")
    image = nib.load(tmp_path / "images" / "ct.nii.gz")
    expected = np.asanyarray(resample_from_to(ras, image, order=0).dataobj)
    written = nib.load(tmp_path / "out" / "ct.nii.gz")
    np.testing.assert_array_equal(np.asanyarray(written.dataobj), expected)
    np.testing.assert_array_equal(expected, labels)
    np.testing.assert_allclose(written.affine, image.affine)


def test_seg_segment_codes_survive_import_and_export(ct_project, tmp_path: Path) -> None:  # noqa: F811
    """A SEG from 3D Slicer says what each segment is (SNOMED CT Organ / Liver): read, saved as a project,
    and written again it says so still (it said Tissue for every segment); a category renamed since gets
    the generic code, as its old code would name the wrong thing."""
    import pydicom
    from pydicom.dataset import Dataset

    from pixelproof.core.coco import load_project, save_project

    project, study, _ = ct_project
    write_dicom_seg(project, study / "seg")
    (seg_file,) = (study / "seg").iterdir()
    ds = pydicom.dcmread(seg_file)
    for item, (value, meaning) in zip(
        ds.SegmentSequence, [("10200004", "Liver"), ("52988006", "Lesion")], strict=True
    ):
        code = Dataset()
        code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, "SCT", meaning
        item.SegmentedPropertyTypeCodeSequence = [code]
        organ = Dataset()
        organ.CodeValue, organ.CodingSchemeDesignator, organ.CodeMeaning = (
            "123037004",
            "SCT",
            "Anatomical Structure",
        )
        item.SegmentedPropertyCategoryCodeSequence = [organ]
    ds.save_as(seg_file)
    imported = read_dicom_seg(study / "seg").project
    imported.path = study / "seg" / "again.json"  # beside the SEG: its image names are relative to it
    save_project(imported, imported.path)
    again = load_project(imported.path)
    next(c for c in again.categories.values() if c.name == "lesion").name = "cyst"
    assert write_dicom_seg(again, tmp_path / "out") == []
    (out_file,) = (tmp_path / "out").iterdir()
    written = pydicom.dcmread(out_file)
    types = [
        (
            s.SegmentLabel,
            s.SegmentedPropertyTypeCodeSequence[0].CodeValue,
            s.SegmentedPropertyTypeCodeSequence[0].CodeMeaning,
        )
        for s in written.SegmentSequence
    ]
    assert types == [("liver", "10200004", "Liver"), ("cyst", "85756007", "Tissue")]
    assert written.SegmentSequence[0].SegmentedPropertyCategoryCodeSequence[0].CodeValue == "123037004"


def test_segment_codes_from_a_hand_edited_project_fall_back_to_tissue() -> None:
    """Codes that a SEG cannot hold (a value over 1,024 characters, numbers, a missing meaning) would
    make highdicom refuse the whole SEG: that code is written as Tissue instead, the good one kept. A value
    of 17 characters is a long code value (LongCodeValue), kept."""
    import highdicom as hd

    from pixelproof.core.model import Category
    from pixelproof.interop.seg_codes import KEY, coded_concepts

    good = ["123037004", "SCT", "Anatomical Structure"]
    for bad in (
        ["1" * 1025, "SCT", "Liver"],
        [10200004, "SCT", "Liver"],
        ["10200004", "SCT", ""],
        "Liver",
        None,
    ):
        cat = Category(1, "liver", app_extra={KEY: {"label": "liver", "category": good, "type": bad}})
        assert [c.value for c in coded_concepts(hd, cat)[0]] == ["123037004", "85756007"]
    cat = Category(1, "liver", app_extra={KEY: {"label": "liver", "category": good, "type": good}})
    assert [c.meaning for c in coded_concepts(hd, cat)[0]] == ["Anatomical Structure"] * 2
    long = ["1" * 17, "SCT", "Liver"]
    cat = Category(1, "liver", app_extra={KEY: {"label": "liver", "category": good, "type": long}})
    (_, kind), warning = coded_concepts(hd, cat)
    assert warning is None and kind.LongCodeValue == "1" * 17 and "CodeValue" not in kind


def test_an_affine_kilometres_off_says_the_distance_readably(tmp_path: Path) -> None:
    """A label header a float32 1e30 off its image's printed "1000000015047466219876688855040.0 mm": past
    a kilometre the distance is written in three figures and said to be more than 1 km."""
    shifted = AFFINE.copy()
    shifted[:3, 3] += [1e30, 0.0, 0.0]
    ct_case(tmp_path, shifted)
    result = read_nifti(tmp_path / "labels", image_dir=tmp_path / "images")
    stored = nib.load(tmp_path / "labels" / "ct.nii.gz").affine  # as nibabel reads it back (float32 sform)
    corners = np.array([[i, j, k, 1] for i in (0, 23) for j in (0, 19) for k in (0, 5)]).T
    far = np.linalg.norm((AFFINE @ corners - stored @ corners)[:3], axis=0).max()
    (problem,) = result.problems
    said = problem.split("lies up to ")[1].split(" apart")[0]
    assert len(said) < 40 and "more than 1 km" in said, said
    assert float(said.split(" mm")[0]) == pytest.approx(far, rel=5e-3)
    assert "by voxel index" in problem and len(result.project.images) == 6


def test_values_scattered_over_a_slice_skip_the_volume_naming_the_slice(tmp_path: Path) -> None:
    """A slice whose label values each lie at two far-apart voxels (boxes covering the slice more than
    256 times: no label map) skips its volume with a message naming the file and slice; no slice of that
    volume is left in the project (the two slices read before it were taken out), the other volume is read."""
    size = 64
    scattered = np.zeros((size, size, 4), np.uint16)  # x, y, z; slices 0 and 1 hold one square, as drawn
    scattered[10:20, 10:20, :2] = 1
    value = 0
    for y in range(16):  # each value at a voxel of the top quarter and at its mirror in the bottom one
        for x in range(size):
            value += 1
            scattered[x, y, 2] = scattered[size - 1 - x, size - 1 - y, 2] = value
    boxes = 0
    for v in range(1, value + 1):  # the values' boxes, counted here apart from the reader's own count
        xs, ys = np.nonzero(scattered[:, :, 2] == v)
        boxes += (np.ptp(xs) + 1) * (np.ptp(ys) + 1)
    assert boxes > 256 * size * size
    labels = tmp_path / "labels"
    labels.mkdir()
    nib.save(nib.Nifti1Image(scattered, np.eye(4)), labels / "scattered.nii.gz")
    good = np.zeros((size, size, 3), np.uint8)
    good[5:9, 5:9, 1] = 2
    nib.save(nib.Nifti1Image(good, np.eye(4)), labels / "good.nii.gz")
    result = read_nifti(labels)
    (problem,) = [p for p in map(str, result.problems) if "scattered" in p]
    assert problem.startswith(f"{labels / 'scattered.nii.gz'}: slice 2: "), problem
    assert "not a label map" in problem
    names = [im.file_name for im in result.project.images.values()]
    assert not [n for n in names if "scattered" in n], names
    assert len([n for n in names if n.startswith("good.nii.gz#")]) == 3, names
    assert not [a for a in result.project.annotations.values() if a.image_id not in result.project.images]
