"""3D Slicer segmentations (.seg.nrrd) both ways, on files Slicer wrote (tests/data/slicer, from slicerio):
segment names and label values, the voxels each slice holds, overlapping layers, the same slices as a NIfTI
label map of the same volume, a round trip, and hostile headers refused with the file named."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import nibabel as nib
import nrrd
import numpy as np
import pytest

from pixelproof.core.masks import annotation_mask
from pixelproof.core.model import Project
from pixelproof.core.volumes import oriented_slice
from pixelproof.interop.nifti import read_nifti
from pixelproof.interop.slicer_seg import read_slicer_seg
from pixelproof.interop.slicer_seg_writer import write_slicer_seg

DATA = Path(__file__).resolve().parents[1] / "data" / "slicer"
SEG = DATA / "Segmentation.seg.nrrd"
OVERLAP = DATA / "SegmentationOverlapping.seg.nrrd"
# CTChest4.nrrd's geometry (slicerio's CT the segmentations were drawn on), turned from LPS to RAS
CT_AFFINE = np.array(
    [
        [3.04687595, 0, 0, -193.09599304],
        [0, 3.04687595, 0, -216.39599609],
        [0, 0, 10.0, -340.25],
        [0, 0, 0, 1],
    ]
)


def masks(project: Project) -> dict[tuple[str, str], np.ndarray]:
    """(slice name, category name) -> the union of its masks."""
    out: dict[tuple[str, str], np.ndarray] = {}
    for image in project.images.values():
        for ann in project.annotations_of(image.id):
            key = (image.file_name.rpartition("/")[2], project.categories[ann.category_id].name)
            m = annotation_mask(ann, image.height, image.width)
            out[key] = out[key] | m if key in out else m
    return out


def test_the_real_file_gives_its_segments_on_their_voxels() -> None:
    result = read_slicer_seg(SEG)
    p = result.project
    assert not result.problems and not result.skipped
    assert sorted((c.id, c.name) for c in p.categories.values())[:2] == [
        (1, "ribs"),
        (2, "cervical vertebral column"),
    ]
    assert len(p.images) == 34
    data, _ = nrrd.read(str(SEG))  # LPS directions -3.05, -3.05, +10: the voxels are RAS-ordered already
    got = masks(p)
    for k in (5, 17, 30):
        name = f"Segmentation.nrrd#z={k:03d}"
        for value, cat in ((5, "right lung"), (6, "left lung"), (1, "ribs")):
            want = oriented_slice(data == value, "z", k)
            assert np.array_equal(got.get((name, cat), np.zeros_like(want)), want), (k, cat)
    # the right lung lies on the patient's right: the left of an axial slice as radiologists read it
    lung = got[("Segmentation.nrrd#z=017", "right lung")]
    assert np.nonzero(lung)[1].mean() < lung.shape[1] / 2


def test_overlapping_layers_keep_their_overlap() -> None:
    got = masks(read_slicer_seg(OVERLAP).project)
    data, _ = nrrd.read(str(OVERLAP))  # (layer, x, y, z)
    both = 0
    for k in range(data.shape[3]):
        name = f"SegmentationOverlapping.nrrd#z={k:03d}"
        sphere = got.get((name, "overlapping sphere"))
        if sphere is None:
            continue
        assert np.array_equal(sphere, oriented_slice(data[1] == 1, "z", k))
        tissue = got.get((name, "tissue"), np.zeros_like(sphere))
        both += int((sphere & tissue).sum())
    assert both > 0  # the sphere lies over tissue: both kept where they overlap


def _ct_folder(tmp_path: Path, flip: bool) -> Path:
    """images/ with ct.nii.gz of the CT's geometry (stored flipped in x and z when ``flip``) and
    ct.seg.nrrd; returns the folder."""
    folder = tmp_path / "images"
    folder.mkdir()
    affine = CT_AFFINE.copy()
    image = np.zeros((128, 128, 34), np.int16)
    if flip:
        affine = affine @ np.array([[-1, 0, 0, 127], [0, 1, 0, 0], [0, 0, -1, 33], [0, 0, 0, 1.0]])
    nib.save(nib.Nifti1Image(image, affine), folder / "ct.nii.gz")
    shutil.copy(SEG, folder / "ct.seg.nrrd")
    return folder


@pytest.mark.parametrize("flip", [False, True])
def test_lands_on_the_same_slices_as_a_nifti_label_map(tmp_path: Path, flip: bool) -> None:
    """The seg.nrrd over ct.nii.gz and a NIfTI label map of the same voxels (stored as the image is) give
    the same masks on the same slices of ct.nii.gz."""
    folder = _ct_folder(tmp_path, flip)
    data, _ = nrrd.read(str(SEG))
    img = nib.load(folder / "ct.nii.gz")
    stored = data[::-1, :, ::-1] if flip else data
    labels = tmp_path / "labels"
    labels.mkdir()
    nib.save(nib.Nifti1Image(np.ascontiguousarray(stored), img.affine), labels / "ct.nii.gz")
    (labels / "classes.txt").write_text(
        "background\nribs\ncervical vertebral column\nthoracic vertebral column\nlumbar vertebral column\n"
        "right lung\nleft lung\ntissue\n"
    )
    seg = read_slicer_seg(folder / "ct.seg.nrrd", image_dir=folder)
    assert not seg.problems and not seg.skipped
    ref = read_nifti(labels / "ct.nii.gz", image_dir=folder)
    assert sorted(i.file_name for i in seg.project.images.values())[0].endswith("ct.nii.gz#z=000")
    a, b = masks(seg.project), masks(ref.project)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_round_trip_write_then_read(tmp_path: Path) -> None:
    folder = _ct_folder(tmp_path, flip=True)
    first = read_slicer_seg(folder / "ct.seg.nrrd", image_dir=folder)
    out = tmp_path / "out"
    first.project.root = str(tmp_path)
    assert write_slicer_seg(first.project, out) == []
    written = out / "ct.seg.nrrd"
    header = nrrd.read_header(str(written))
    assert header["space"] == "left-posterior-superior" and header["Segment4_Name"] == "right lung"
    again = read_slicer_seg(written, image_dir=folder)
    a, b = masks(first.project), masks(again.project)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _write(path: Path, data: np.ndarray, **extra: object) -> Path:
    header = {
        "space": "left-posterior-superior",
        "space directions": np.diag([-2.0, -2.0, 3.0]),
        "space origin": np.array([10.0, 20.0, -5.0]),
        "kinds": ["domain"] * 3,
        "encoding": "gzip",
        **extra,
    }
    nrrd.write(str(path), data, header)
    return path


def test_non_consecutive_values_and_shared_values_across_layers(tmp_path: Path) -> None:
    data = np.zeros((6, 5, 4), np.uint8)
    data[1:3, 1:3, 1] = 3
    data[4, 4, 2] = 10
    f = _write(
        tmp_path / "a.seg.nrrd", data, Segment0_Name="liver", Segment0_LabelValue="3", Segment1_Name="cyst"
    )
    p = _write_named(f, Segment1_LabelValue="10")
    cats = {c.id: c.name for c in read_slicer_seg(p).project.categories.values()}
    assert cats == {3: "liver", 10: "cyst"}
    layered = np.stack([data == 3, data == 10]).astype(np.uint8)  # both value 1, in layers 0 and 1
    g = _write(
        tmp_path / "b.seg.nrrd",
        layered,
        kinds=["list", "domain", "domain", "domain"],
        **{"space directions": np.vstack([[np.nan] * 3, np.diag([-2.0, -2.0, 3.0])])},
        Segment0_Name="liver",
        Segment0_LabelValue="1",
        Segment0_Layer="0",
        Segment1_Name="cyst",
        Segment1_LabelValue="1",
        Segment1_Layer="1",
    )
    got = masks(read_slicer_seg(g).project)
    assert {c for _, c in got} == {"liver", "cyst"}
    assert got[("b.nrrd#z=001", "liver")].sum() == 4


def _write_named(path: Path, **extra: str) -> Path:
    data, header = nrrd.read(str(path))
    header.update(extra)
    nrrd.write(str(path), data, header)
    return path


def test_a_grid_cropped_to_the_segments_lands_in_the_reference_grid(tmp_path: Path) -> None:
    data, header = nrrd.read(str(SEG))
    lung = (data == 5).astype(np.uint8)
    xs, ys, zs = (np.nonzero(lung)[i] for i in range(3))
    lo = (xs.min(), ys.min(), zs.min())
    crop = lung[lo[0] : xs.max() + 1, lo[1] : ys.max() + 1, lo[2] : zs.max() + 1]
    h = {k: v for k, v in header.items() if not k.startswith("Segment")} | {
        k: v for k, v in header.items() if k.startswith("Segmentation_")
    }
    h["space origin"] = header["space origin"] + header["space directions"].T @ np.array(lo, float)
    h["Segmentation_ReferenceImageExtentOffset"] = " ".join(str(int(v)) for v in lo)
    h |= {"Segment0_Name": "right lung", "Segment0_LabelValue": "1", "Segment0_Layer": "0"}
    cropped = tmp_path / "cropped.seg.nrrd"
    nrrd.write(str(cropped), crop, {k: v for k, v in h.items() if k not in ("sizes", "dimension", "type")})
    got = masks(read_slicer_seg(cropped).project)
    assert len({name for name, _ in got}) == len(set(zs))
    p = read_slicer_seg(cropped).project
    assert len(p.images) == 34  # the reference grid's slices, not the crop's
    for k in range(34):
        want = oriented_slice(lung == 1, "z", k)
        assert np.array_equal(got.get((f"cropped.nrrd#z={k:03d}", "right lung"), np.zeros_like(want)), want)


def test_raw_encoding_reads_as_gzip(tmp_path: Path) -> None:
    data = np.zeros((6, 5, 4), np.uint16)
    data[2:4, 1:4, 3] = 7
    a = masks(read_slicer_seg(_write(tmp_path / "g.seg.nrrd", data, Segment0_LabelValue="7")).project)
    b = masks(
        read_slicer_seg(
            _write(tmp_path / "r.seg.nrrd", data, Segment0_LabelValue="7", encoding="raw")
        ).project
    )
    assert [v.sum() for v in a.values()] == [v.sum() for v in b.values()] == [6]


def _hostile(tmp_path: Path, name: str, lines: list[str], body: bytes = b"") -> Path:
    f = tmp_path / name
    f.write_bytes(("NRRD0004\n" + "\n".join(lines) + "\n\n").encode() + body)
    return f


BASE = ["type: unsigned char", "dimension: 3", "space: left-posterior-superior", "encoding: raw"]


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        (["sizes: 100000 100000 100000", "space directions: (1,0,0) (0,1,0) (0,0,1)"], "over the limit"),
        (["sizes: 2 2 2", "space directions: (nan,0,0) (0,1,0) (0,0,1)"], "NaN"),
        (
            ["sizes: 2 2 2", "space directions: (1,0,0) (0,1,0) (0,0,1)", "data file: ../outside.raw"],
            "outside",
        ),
        (["sizes: 2 2 2", "space directions: (1,0,0) (0,1,0) (0,0,1)"], "ends early"),
    ],
)
def test_hostile_headers_are_skipped_naming_the_file(tmp_path: Path, lines: list[str], said: str) -> None:
    (tmp_path / "outside.raw").write_bytes(bytes(8))
    folder = tmp_path / "segs"
    folder.mkdir()
    f = _hostile(folder, "x.seg.nrrd", BASE + lines)
    result = read_slicer_seg(f)
    assert not result.project.images
    message = " ".join(result.problems)
    assert str(f) in message and said in message, message


@pytest.mark.parametrize("flip", [False, True])
def test_a_crop_over_a_reference_image_lands_on_the_uncropped_voxels(tmp_path: Path, flip: bool) -> None:
    """A crop at a non-zero offset (Slicer's ReferenceImageExtentOffset, origin at the crop's first voxel)
    over ct.nii.gz gives the same masks, slice by slice, as the uncropped file."""
    folder = _ct_folder(tmp_path, flip)
    data, header = nrrd.read(str(SEG))
    lung = (data == 5).astype(np.uint8)
    nz = np.nonzero(lung)
    lo = tuple(int(a.min()) for a in nz)
    assert all(v > 0 for v in lo)
    crop = lung[lo[0] : nz[0].max() + 1, lo[1] : nz[1].max() + 1, lo[2] : nz[2].max() + 1]
    keep = {k: v for k, v in header.items() if k.startswith("Segmentation_") or k.startswith("space")}
    keep |= {"kinds": header["kinds"], "encoding": "gzip"}
    keep |= {"Segment0_Name": "right lung", "Segment0_LabelValue": "1", "Segment0_Layer": "0"}
    nrrd.write(str(folder / "full.seg.nrrd"), lung, keep)
    keep["space origin"] = header["space origin"] + header["space directions"].T @ np.array(lo, float)
    keep["Segmentation_ReferenceImageExtentOffset"] = " ".join(map(str, lo))
    shutil.copy(folder / "ct.nii.gz", folder / "full.nii.gz")
    nrrd.write(str(folder / "ct.seg.nrrd"), crop, keep)
    cropped = read_slicer_seg(folder / "ct.seg.nrrd", image_dir=folder)
    full = read_slicer_seg(folder / "full.seg.nrrd", image_dir=folder)
    assert not cropped.problems and not cropped.skipped and not full.problems
    a = {(n.replace("ct.nii.gz", "X"), c): m for (n, c), m in masks(cropped.project).items()}
    b = {(n.replace("full.nii.gz", "X"), c): m for (n, c), m in masks(full.project).items()}
    assert len(b) == len(set(nz[2].tolist()))
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _keys(header: dict) -> set[str]:
    return {re.sub(r"^Segment\d+_", "Segment<N>_", k) for k in header}


def test_overlapping_segments_round_trip_in_layers_with_slicer_keys(tmp_path: Path) -> None:
    """Slicer's overlapping file over ct.nii.gz, written and read back: the sphere and the tissue under it
    both whole (two layers), the header with the keys Slicer writes."""
    folder = _ct_folder(tmp_path, flip=False)
    shutil.copy(OVERLAP, folder / "ct.seg.nrrd")
    first = read_slicer_seg(folder / "ct.seg.nrrd", image_dir=folder)
    first.project.root = str(tmp_path)
    out = tmp_path / "out"
    assert write_slicer_seg(first.project, out) == []
    written = out / "ct.seg.nrrd"
    header = nrrd.read_header(str(written))
    assert header["sizes"][0] == 2 and header["kinds"][0] == "list"
    assert _keys(header) == _keys(nrrd.read_header(str(OVERLAP)))
    a, b = masks(first.project), masks(read_slicer_seg(written, image_dir=folder).project)
    assert any(
        (m & a.get((n, "tissue"), 0 * m)).any() for (n, c), m in a.items() if c == "overlapping sphere"
    )
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_warnings_name_slicer_seg_not_nifti(tmp_path: Path) -> None:
    folder = _ct_folder(tmp_path, flip=False)
    project = read_slicer_seg(folder / "ct.seg.nrrd", image_dir=folder).project
    project.root = str(tmp_path)
    cat = next(c for c in project.categories.values() if c.name == "ribs")
    project.categories[cat.id] = dataclasses.replace(cat, app_extra={**cat.app_extra, "void": True})
    warnings = write_slicer_seg(project, tmp_path / "out")
    assert any("slicer-seg has no regions to ignore" in w for w in warnings), warnings
    assert not any("NIfTI has" in w for w in warnings)


def test_a_void_category_is_no_segment_and_takes_no_layer(tmp_path: Path) -> None:
    """A void category's regions are left out (as --to nifti): the sphere over the tissue, made void, is
    neither a segment nor a reason for a second (empty) layer."""
    folder = _ct_folder(tmp_path, flip=False)
    shutil.copy(OVERLAP, folder / "ct.seg.nrrd")
    project = read_slicer_seg(folder / "ct.seg.nrrd", image_dir=folder).project
    project.root = str(tmp_path)
    cat = next(c for c in project.categories.values() if c.name == "overlapping sphere")
    project.categories[cat.id] = dataclasses.replace(cat, app_extra={**cat.app_extra, "void": True})
    write_slicer_seg(project, tmp_path / "out")
    header = nrrd.read_header(str(tmp_path / "out" / "ct.seg.nrrd"))
    assert header["dimension"] == 3
    names = {v for k, v in header.items() if k.endswith("_Name")}
    assert "overlapping sphere" not in names and "tissue" in names


def test_a_layered_export_says_each_warning_once_with_the_whole_count(tmp_path: Path) -> None:
    """The NIfTI writer runs once per layer: its warnings (a void region, box-only objects in two layers, a
    plain image) are said once, naming slicer-seg, the boxes counted over all layers, the image once."""
    from pixelproof.core.model import Annotation, Category, ImageRecord

    folder = _ct_folder(tmp_path, flip=False)
    shutil.copy(OVERLAP, folder / "ct.seg.nrrd")
    project = read_slicer_seg(folder / "ct.seg.nrrd", image_dir=folder).project
    project.root = str(tmp_path)
    by_name = {c.name: c.id for c in project.categories.values()}
    void = project.add_category(Category(max(by_name.values()) + 1, "ignore", app_extra={"void": True}))
    image = next(iter(project.images.values()))
    next_id = max(project.annotations) + 1
    for n, cid in enumerate((by_name["tissue"], by_name["overlapping sphere"], void.id)):
        project.add_annotation(Annotation(next_id + n, image.id, cid, [5.0 + n, 5.0, 10.0, 10.0]))
    plain = project.add_image(ImageRecord(max(project.images) + 1, "photo.png", 20, 20))
    project.add_annotation(Annotation(next_id + 3, plain.id, by_name["tissue"], [1.0, 1.0, 5.0, 5.0]))
    warnings = write_slicer_seg(project, tmp_path / "out")
    assert nrrd.read_header(str(tmp_path / "out" / "ct.seg.nrrd"))["sizes"][0] == 2
    assert warnings == [
        "1 void region on 1 image left out (ignore: slicer-seg has no regions to ignore, so as a class they "
        "would be trained as objects)",
        "1 image not slices of a NIfTI volume or a DICOM series: left out (use dicom-seg or masks)",
        "2 box-only objects written as filled boxes",
    ]
