"""QA over slices of volumes: pairing by slice names (nnU-Net image/label names included), per-volume 3D
rows in mm from the records' spacing and positions, and their place in the reports."""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from pixelproof.core import masks, report
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.qa_objects import pair_images


def volume_project(
    names: list[str], volume: np.ndarray | None, positions: list[float] | None, spacing=(0.5, 0.5)
) -> Project:
    """One image per slice name; one ``tumour`` RLE per non-empty slice of ``volume``."""
    project = Project()
    project.add_category(Category(1, "tumour"))
    for k, name in enumerate(names):
        extra = {"pixel_spacing": list(spacing)} if spacing else {}
        if positions is not None:
            extra["slice_position"] = positions[k]
        image = project.add_image(ImageRecord(k + 1, name, 24, 20, extra))
        if volume is not None and volume[k].any():
            m = volume[k]
            project.add_annotation(
                Annotation(k + 1, image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
            )
    return project


def box_volume(z0: int, z1: int) -> np.ndarray:
    vol = np.zeros((10, 20, 24), bool)
    vol[z0:z1, 5:15, 6:18] = True
    return vol


def test_slices_of_a_volume_are_scored_in_3d_in_mm() -> None:
    names = [f"case.nii.gz#z={k:03d}" for k in range(10)]
    positions = [40.0 - 2.5 * k for k in range(10)]  # decreasing, 2.5 mm apart
    ref = volume_project(names, box_volume(2, 6), positions)
    cand = volume_project(names, box_volume(4, 8), positions)
    result = run_qa(ref, cand, QAOptions(nsd_tau=1.0))
    assert len(result.pairs) == 10 and len(result.per_image) == 10
    (row,) = result.per_volume
    assert row.volume == "case.nii.gz" and row.slices == 10 and row.comparison.unit == "mm"
    assert row.value("dice") == pytest.approx(2 * 2 / 8)
    assert row.value("hd") == pytest.approx(5.0)  # two slices of 2.5 mm
    assert row.spacing == pytest.approx((2.5, 0.5, 0.5))
    assert math.isnan(row.value("boundary_iou")) and row.reason("boundary_iou") == "not computed in 3D"
    data = report.to_dict(result)
    vol = data["per_volume"][0]
    assert vol["hd"] == pytest.approx(5.0) and vol["unit"] == "mm" and "boundary_iou" not in vol
    assert data["per_volume_class"][0]["dice"] == pytest.approx(0.5)
    json.dumps(data, allow_nan=False)


def test_missing_positions_fall_back_to_voxels_and_say_so() -> None:
    names = [f"ct#z={k:03d}" for k in range(10)]
    ref = volume_project(names, box_volume(2, 6), None)
    cand = volume_project(names, box_volume(4, 8), None)
    result = run_qa(ref, cand)
    (row,) = result.per_volume
    assert row.comparison.unit == "voxel" and row.value("hd") == pytest.approx(2.0)
    assert any("ct: slice positions missing" in p and "voxel" in p for p in result.problems)


def test_a_volume_without_spacing_says_voxel_wherever_its_unit_is_written(tmp_path: Path) -> None:
    """A volume scored without spacing had unit 'px' in its rows, while the conventions and problems said
    its distances were in voxels: one word now, 'voxel', in the rows, the means, the conventions, the HTML
    cells and the printed summary. A mean over volumes in mm and in voxels is one per unit."""
    names = [f"ct#z={k:03d}" for k in range(10)] + [f"mr#z={k:03d}" for k in range(10)]
    ref = volume_project(names, np.concatenate([box_volume(2, 6)] * 2), None)
    cand = volume_project(names, np.concatenate([box_volume(4, 8)] * 2), None)
    for p in (ref, cand):  # mr has a spacing and positions, ct neither
        for im in p.images.values():
            if im.file_name.startswith("mr"):
                im.extra.update(pixel_spacing=[0.5, 0.5], slice_position=2.0 * int(im.file_name[-3:]))
    data = report.to_dict(run_qa(ref, cand))
    units = {r["volume"]: r["unit"] for r in data["per_volume"]}
    assert units == {"ct": "voxel", "mr": "mm"}
    (means,) = data["per_volume_class"]
    assert means["unit"] == "mixed" and set(means["by_unit"]) == {"mm", "voxel"}
    assert means["hd"] is None and means["hd_reason"] == "mixed units (mm and voxel): see by_unit"
    assert means["by_unit"]["voxel"]["hd"] == pytest.approx(2.0)
    assert "in voxel units (unit 'voxel')" in data["conventions"]["volumes"]
    assert " px" not in data["conventions"]["volumes"]
    out = tmp_path / "r.html"
    report.write_html(data, out)
    page = out.read_text()
    assert "2.0000 voxel" in page and "n/a (mm and voxel: see the rows by unit)" in page


def test_unpaired_slices_are_reported() -> None:
    names = [f"v.nii#z={k:03d}" for k in range(10)]
    positions = [float(k) for k in range(10)]
    ref = volume_project(names, box_volume(2, 6), positions)
    cand = volume_project(names, box_volume(2, 6), positions)
    cand.remove_image(6)  # slice 5 only in the reference
    result = run_qa(ref, cand)
    assert result.unmatched_reference == ["v.nii#z=005"]
    assert any("1 slice" in p for p in result.problems)
    assert result.per_volume[0].value("dice") == pytest.approx(1.0)


def test_label_slices_pair_with_image_slices_by_volume_stem() -> None:
    ref = volume_project([f"labelsTr/BRATS_001.nii.gz#z={k:03d}" for k in range(3)], None, None)
    ref.add_image(ImageRecord(99, "labelsTr/BRATS_002.nii.gz#z=000", 24, 20))
    cand = volume_project([f"imagesTr/BRATS_001_0000.nii.gz#z={k:03d}" for k in range(3)], None, None)
    cand.add_image(ImageRecord(99, "imagesTr/BRATS_002.nii.gz#z=000", 24, 20))
    pairs, un_ref, un_cand = pair_images(ref, cand)
    got = {p.ref.file_name: p.cand.file_name for p in pairs}
    assert got["labelsTr/BRATS_001.nii.gz#z=002"] == "imagesTr/BRATS_001_0000.nii.gz#z=002"
    assert got["labelsTr/BRATS_002.nii.gz#z=000"] == "imagesTr/BRATS_002.nii.gz#z=000"
    assert un_ref == [] and un_cand == []


def test_slice_of_one_volume_never_pairs_with_another_slice() -> None:
    ref = volume_project(["a.nii.gz#z=001"], None, None)
    cand = volume_project(["b/a.nii.gz#z=002"], None, None)
    pairs, un_ref, un_cand = pair_images(ref, cand)
    assert pairs == [] and un_ref == ["a.nii.gz#z=001"] and un_cand == ["b/a.nii.gz#z=002"]


def test_html_report_has_the_volume_table(tmp_path: Path) -> None:
    names = [f"case.nii.gz#z={k:03d}" for k in range(10)]
    positions = [2.0 * k for k in range(10)]
    result = run_qa(
        volume_project(names, box_volume(2, 6), positions), volume_project(names, box_volume(3, 6), positions)
    )
    out = tmp_path / "r.html"
    report.write_html(report.to_dict(result), out)
    text = out.read_text()
    assert "Per volume (3D)" in text and "case.nii.gz" in text


def test_a_gantry_tilted_series_is_scored_where_its_voxels_are(tmp_path: Path) -> None:
    """A CT series with a gantry tilt: each slice is shifted within its plane against the one before
    (here 1.79 mm down the rows per 2.01 mm slice). The slices were stacked straight, so a candidate one
    slice off its reference had HD 2.01 mm (HD95 2.01, ASSD 1.16) where its voxels lie 2.69 mm apart (HD95
    2.58, ASSD 1.21). Checked against distances
    between voxel centres in patient coordinates computed from each file's own ImagePositionPatient,
    ImageOrientationPatient and PixelSpacing."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid
    from scipy import ndimage
    from scipy.spatial import cKDTree

    from pixelproof.core.image_folder import project_from_folder

    tilt = math.radians(20)
    row_dir, col_dir = np.array([1.0, 0, 0]), np.array([0, math.cos(tilt), math.sin(tilt)])
    spacing = (0.8, 0.5)  # between rows, between columns
    depth, rows, cols = 8, 20, 24
    folder = tmp_path / "CT"
    folder.mkdir()
    origins = [np.array([0.0, k * 1.0, k * 2.5]) for k in range(depth)]
    for k, origin in enumerate(origins):
        meta = FileMetaDataset()
        meta.TransferSyntaxUID, meta.MediaStorageSOPClassUID = ExplicitVRLittleEndian, CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.SeriesInstanceUID, ds.Modality, ds.InstanceNumber = "1.2.3", "CT", depth - k
        ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, cols, 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.ImageOrientationPatient = [*row_dir, *col_dir]
        ds.ImagePositionPatient = [float(v) for v in origin]
        ds.PixelSpacing = list(spacing)
        ds.PixelData = np.zeros((rows, cols), np.uint16).tobytes()
        ds.save_as(folder / f"s{k}.dcm", enforce_file_format=True)

    def world(k: int, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        return origins[k] + np.outer(r * spacing[0], col_dir) + np.outer(c * spacing[1], row_dir)

    ref_vol = np.zeros((depth, rows, cols), bool)
    ref_vol[2:5, 6:14, 5:18] = True
    cand_vol = np.roll(ref_vol, 1, axis=0)
    projects = []
    for vol in (ref_vol, cand_vol):
        project = project_from_folder(folder, tmp_path / "p.json", ["organ"], on_skip=lambda m: None)
        for image in project.images.values():
            k = int(image.file_name.rsplit("=", 1)[1])
            shift = (origins[k] - origins[0]) @ col_dir  # 1.79 mm a slice, down the rows
            assert image.extra["slice_offset"] == pytest.approx([shift, 0.0], abs=1e-5)
            if vol[k].any():
                m = vol[k]
                project.add_annotation(
                    Annotation(image.id, image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
                )
        projects.append(project)
    (row,) = run_qa(*projects, QAOptions()).per_volume

    def boundary_points(vol: np.ndarray) -> np.ndarray:
        edge = vol & ~ndimage.binary_erosion(vol, ndimage.generate_binary_structure(3, 1), border_value=0)
        idx = np.argwhere(edge)
        return np.concatenate(
            [world(k, idx[idx[:, 0] == k, 1], idx[idx[:, 0] == k, 2]) for k in range(depth)]
        )

    a, b = boundary_points(ref_vol), boundary_points(cand_vol)
    d_ab, d_ba = cKDTree(b).query(a)[0], cKDTree(a).query(b)[0]
    assert row.comparison.unit == "mm"
    assert row.value("hd") == pytest.approx(max(d_ab.max(), d_ba.max()))  # 2.69 mm, not 2.01
    assert row.value("hd95") == pytest.approx(max(np.percentile(d_ab, 95), np.percentile(d_ba, 95)))
    assert row.value("assd") == pytest.approx(np.concatenate([d_ab, d_ba]).mean())
    assert row.value("nsd") == pytest.approx(
        ((d_ab <= 2).sum() + (d_ba <= 2).sum()) / (a.size / 3 + b.size / 3)
    )


def test_a_volume_takes_the_references_slice_positions_as_it_takes_its_pixel_spacing() -> None:
    """The reference is the ground truth QA scores against, its pixel spacing too (``pair_spacing``); the
    slice positions (the spacing along z) were the candidate's first, so a candidate whose header put the
    slices 5 mm apart where the reference says 2.5 mm had every distance along z doubled."""
    names = [f"case.nii.gz#z={k:03d}" for k in range(10)]
    ref = volume_project(names, box_volume(2, 6), [40.0 - 2.5 * k for k in range(10)])
    cand = volume_project(names, box_volume(4, 8), [40.0 - 5.0 * k for k in range(10)])
    (row,) = run_qa(ref, cand, QAOptions(nsd_tau=1.0)).per_volume
    assert row.spacing == pytest.approx((2.5, 0.5, 0.5))
    assert row.value("hd") == pytest.approx(5.0)  # two slices of the reference's 2.5 mm


def _with_geometry(
    project: Project, positions: list[float], offsets: list[list[float]] | None = None
) -> Project:
    """``project`` with its images' slice positions (and slice offsets) replaced, in image order."""
    for k, image in enumerate(sorted(project.images.values(), key=lambda im: im.id)):
        image.extra["slice_position"] = positions[k]
        if offsets is not None:
            image.extra["slice_offset"] = offsets[k]
    return project


def _volume_lines(problems: list[str], key: str) -> list[str]:
    return [p for p in problems if p.startswith(key)]


def test_a_volume_the_candidate_spaces_otherwise_along_z_is_said_with_both_spacings() -> None:
    """QA takes the reference's slice positions, silently: a candidate header putting the slices 5 mm apart
    where the reference says 2.5 mm went unsaid, while two pixel spacings for one image are said. A line per
    two z spacings now, naming the volumes; float32 rounding and another origin (the same spacing, every
    distance the same) are no difference."""
    ref_steps = {"a.nii.gz": 2.5, "b.nii.gz": 2.5, "c.nii.gz": 1.25, "d.nii.gz": 0.7, "e.nii.gz": 3.0}
    cand_positions = {
        "a.nii.gz": [40.0 - 5.0 * k for k in range(10)],
        "b.nii.gz": [40.0 - 5.0 * k for k in range(10)],
        "c.nii.gz": [40.0 - 3.0 * k for k in range(10)],
        "d.nii.gz": [float(np.float32(812.3 - 0.7 * k)) for k in range(10)],  # a float32 header
        "e.nii.gz": [-500.0 - 3.0 * k for k in range(10)],  # another origin, same spacing
        "f.nii.gz": [0.0, 2.5, 5.0, 10.0, 12.5, 15.0, 17.5, 20.0, 22.5, 25.0],  # one gap of 5 mm
    }
    ref_start = {"a.nii.gz": 40.0, "b.nii.gz": 40.0, "c.nii.gz": 40.0, "d.nii.gz": 812.3, "e.nii.gz": 40.0}
    names, ref_pos, cand_pos = [], [], []
    for volume, cand in cand_positions.items():
        step, start = ref_steps.get(volume, -2.5), ref_start.get(volume, 0.0)
        names += [f"{volume}#z={k:03d}" for k in range(10)]
        ref_pos += [start - step * k for k in range(10)]
        cand_pos += cand
    boxes = np.concatenate([box_volume(2, 6)] * len(cand_positions))
    ref = volume_project(names, boxes, ref_pos)
    cand = volume_project(names, np.concatenate([box_volume(4, 8)] * len(cand_positions)), cand_pos)
    result = run_qa(ref, cand, QAOptions(nsd_tau=1.0))
    assert _volume_lines(result.problems, "slice_position") == [
        "slice_position (spacing along z) differs: reference 2.5 mm, candidate 5 mm on 2 volumes "
        "(a.nii.gz, b.nii.gz); distances use the reference's",
        "slice_position (spacing along z) differs: reference 1.25 mm, candidate 3 mm on 1 volume (c.nii.gz); "
        "distances use the reference's",
        "slice_position (spacing along z) differs: reference 2.5 mm, candidate 2.5–5 mm on 1 volume "
        "(f.nii.gz); distances use the reference's",
    ]
    assert not _volume_lines(result.problems, "pixel_spacing") and not _volume_lines(
        result.problems, "slice_offset"
    )
    # the distances are the reference's: as if the candidate had the reference's own positions
    alike = run_qa(ref, _with_geometry(cand, ref_pos), QAOptions(nsd_tau=1.0))
    assert not _volume_lines(alike.problems, "slice_position")
    hd = {r.volume: r.value("hd") for r in result.per_volume}
    assert hd == pytest.approx({r.volume: r.value("hd") for r in alike.per_volume})


def test_a_sheared_volume_the_candidate_shifts_otherwise_per_slice_is_said_with_both_shifts() -> None:
    """A sheared stack's slices are shifted by their slice_offset, the reference's: a candidate header
    shifting them 2 mm a slice where the reference says 1 mm went unsaid. Said now, as two z spacings are;
    a float32 header or offsets all moved by one amount (the same shear) are no difference."""
    vols = ["ct", "mr", "pet"]
    names = [f"{v}#z={k:03d}" for v in vols for k in range(10)]
    positions = [2.5 * k for _ in vols for k in range(10)]
    ref_offsets = [[1.0 * k, 0.0] for _ in vols for k in range(10)]
    cand_offsets = (
        [[2.0 * k, 0.0] for k in range(10)]
        + [[float(np.float32(1.0 * k + 0.1)), 0.0] for k in range(10)]  # mr: float32, the same shear
        + [[1.0 * k + 7.0, 3.0] for k in range(10)]  # pet: every slice moved by one amount
    )
    ref = _with_geometry(
        volume_project(names, np.concatenate([box_volume(2, 6)] * 3), None), positions, ref_offsets
    )
    ref_mr = ref_offsets[10:20]
    for k, image in enumerate(sorted(ref.images.values(), key=lambda im: im.id)[10:20]):
        image.extra["slice_offset"] = [ref_mr[k][0] + 0.1, 0.0]
    cand = _with_geometry(
        volume_project(names, np.concatenate([box_volume(4, 8)] * 3), None), positions, cand_offsets
    )
    result = run_qa(ref, cand, QAOptions(nsd_tau=1.0))
    assert _volume_lines(result.problems, "slice_offset") == [
        "slice_offset (shift per slice) differs: reference [1, 0] mm, candidate [2, 0] mm on 1 volume (ct); "
        "distances use the reference's"
    ]
    assert not _volume_lines(result.problems, "slice_position")
    ref_geometry = [im.extra["slice_offset"] for im in sorted(ref.images.values(), key=lambda im: im.id)]
    alike = run_qa(ref, _with_geometry(cand, positions, ref_geometry), QAOptions(nsd_tau=1.0))
    assert not _volume_lines(alike.problems, "slice_offset")
    hd = {r.volume: r.value("hd") for r in result.per_volume}
    assert hd == pytest.approx({r.volume: r.value("hd") for r in alike.per_volume})


def test_slice_geometry_only_the_candidate_gives_is_used_and_said() -> None:
    """An old reference may predate slice_offset (or have no slice_position): QA takes the candidate's then,
    as the best there is, but said nothing, while it says two values of one key. A line per key now,
    naming the volumes; a volume both sides (or neither) give it is not in it, nor is a single slice."""
    vols = ["ct", "mr", "us"]
    names = [f"{v}#z={k:03d}" for v in vols for k in range(10)]
    positions = [2.5 * k for _ in vols for k in range(10)]
    offsets = [[1.0 * k, 0.0] for _ in vols for k in range(10)]
    boxes = np.concatenate([box_volume(2, 6)] * 3)
    cand = _with_geometry(
        volume_project(names, np.concatenate([box_volume(4, 8)] * 3), None), positions, offsets
    )
    ref = _with_geometry(volume_project(names, boxes, None), positions, offsets)
    for image in ref.images.values():
        if image.file_name.startswith("ct#"):
            del image.extra["slice_offset"]  # predates slice_offset
        if image.file_name.startswith("mr#"):
            del image.extra["slice_position"]  # an older export without positions
    result = run_qa(ref, cand, QAOptions(nsd_tau=1.0))
    assert _volume_lines(result.problems, "slice_") == [
        "slice_position (spacing along z) only in the candidate on 1 volume (mr); "
        "distances use the candidate's",
        "slice_offset (shift per slice) only in the candidate on 1 volume (ct); "
        "distances use the candidate's",
    ]
    # the distances are the candidate's: as if the reference had the candidate's own geometry
    alike = run_qa(_with_geometry(ref, positions, offsets), cand, QAOptions(nsd_tau=1.0))
    assert not _volume_lines(alike.problems, "slice_")
    hd = {r.volume: r.value("hd") for r in result.per_volume}
    assert hd == pytest.approx({r.volume: r.value("hd") for r in alike.per_volume})


def test_first_differences_name_the_first_slice_where_the_readers_differ() -> None:
    """A volume row of the review view goes to the slice to look at first: the first (by index) where the
    class differs, found among slices listed out of order; a volume without a difference starts at its
    first slice."""
    from pixelproof.core.qa_volumes import first_differences

    order = [5, 0, 9, 3, 1, 7, 2, 8, 4, 6]  # the project lists the slices out of order
    names = [f"case.nii.gz#z={k:03d}" for k in order]
    ref = volume_project(names, box_volume(3, 6)[order], None)
    cand = volume_project(names, box_volume(4, 8)[order], None)
    same = volume_project(names, box_volume(3, 6)[order], None)
    ids = {im.file_name: im.id for im in cand.images.values()}
    assert first_differences(run_qa(ref, cand)) == {
        ("case.nii.gz", "tumour"): (ids["case.nii.gz#z=003"], True)
    }
    assert first_differences(run_qa(ref, same)) == {
        ("case.nii.gz", "tumour"): (ids["case.nii.gz#z=000"], False)
    }


def _drawn_project(drawn: dict[tuple[str, str], np.ndarray]) -> Project:
    """Two 10-slice volumes (ct, mr) and a photo, with classes tumour, cyst and cat; ``drawn`` maps
    (volume or "photo", class) to what this side drew there."""
    project = Project()
    cats = {
        name: project.add_category(Category(k + 1, name)).id
        for k, name in enumerate(("tumour", "cyst", "cat"))
    }
    names = [f"{v}.nii.gz#z={k:03d}" for v in ("ct", "mr") for k in range(10)] + ["photo.png"]
    n = 0
    for i, name in enumerate(names):
        extra = {"pixel_spacing": [0.5, 0.5], "slice_position": 2.0 * (i % 10)} if "#" in name else {}
        image = project.add_image(ImageRecord(i + 1, name, 24, 20, extra))
        for (where, cat), vol in drawn.items():
            m = vol[i % 10] if name.startswith(where + ".nii.gz") else vol[0] if where == name[:-4] else None
            if m is not None and m.any():
                n += 1
                project.add_annotation(
                    Annotation(n, image.id, cats[cat], masks.bbox(m), masks.encode(m), float(m.sum()))
                )
    return project


@pytest.mark.parametrize("both_empty_as_one", [False, True])
def test_a_class_neither_side_drew_in_a_volume_is_in_the_json_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], both_empty_as_one: bool
) -> None:
    """Every class of the project had a row per volume in the HTML page's and the printed summary's
    per-volume tables, a CT's `cat` (drawn on a photo only) among them as n/a rows before the classes
    drawn there. The JSON keeps them (its documented per_volume rows, with reason `both empty`, and the
    means counting them in n_both_empty); the tables list only the classes some side drew in that volume
    (`drawn_rows`, as the review view)."""
    from pixelproof.commands.qa import _print_summary
    from pixelproof.core.qa_volumes import drawn_classes, drawn_rows

    ref = _drawn_project(
        {
            ("ct", "tumour"): box_volume(2, 6),
            ("mr", "cyst"): box_volume(1, 3),
            ("photo", "cat"): box_volume(0, 1),
        }
    )
    cand = _drawn_project({("ct", "tumour"): box_volume(3, 6), ("photo", "cat"): box_volume(0, 1)})
    result = run_qa(ref, cand, QAOptions(both_empty_as_one=both_empty_as_one))
    data = report.to_dict(result)
    rows = {(r["volume"], r["category"]): r for r in data["per_volume"]}
    assert len(rows) == 6  # every volume x class, as documented
    drawn = {("ct.nii.gz", "tumour"), ("mr.nii.gz", "cyst")}
    for key, r in rows.items():
        assert (r["status"] == "both empty") == (key not in drawn)
        if key not in drawn:
            assert r["dice"] == 1.0 if both_empty_as_one else r["dice_reason"] == "both empty"
    assert {(r.volume, r.category) for r in drawn_rows(result.per_volume)} == drawn
    means = {c["category"]: c for c in data["per_volume_class"]}
    assert set(means) == {"tumour", "cyst", "cat"} and means["cat"]["n_both_empty"] == 2
    assert [c["category"] for c in drawn_classes(data["per_volume_class"])] == ["cyst", "tumour"]

    out = tmp_path / "r.html"
    report.write_html(data, out)
    section = out.read_text().split("<h2>Per volume (3D)</h2>")[1].split("<h2")[0]
    cells = [re.sub("<[^>]+>", " ", row).split()[:2] for row in section.split("<tr><td>")[1:]]
    names = [c[0] for c in cells]
    assert names == ["cyst", "tumour", "ct.nii.gz", "mr.nii.gz"]  # class means, then volume rows
    assert [c[1] for c in cells[2:]] == ["tumour", "cyst"]

    _print_summary(data)
    lines = capsys.readouterr().out.split("per volume (3D")[1].splitlines()[2:]
    table = itertools.takewhile(lambda line: ":" not in line, lines)  # up to the next block's heading
    assert [line.split()[0] for line in table] == ["cyst", "tumour"]


def test_a_volume_no_side_drew_in_says_nothing_of_its_geometry() -> None:
    """A volume neither reader labelled (a scout, a legacy cine whose frames share one position) put
    `cine: slice positions missing or not monotonic; 3D distances in voxel units` in the report's problems
    and the review's banner, about figures that are all n/a. Said only where a side drew something."""
    names = [f"cine#z={k:03d}" for k in range(10)] + [f"ct#z={k:03d}" for k in range(10)]
    drawn = np.concatenate([np.zeros((10, 20, 24), bool), box_volume(2, 6)])
    ref = volume_project(names, drawn, None)
    cand = volume_project(names, drawn, None)
    problems = run_qa(ref, cand).problems
    assert [p for p in problems if "slice positions missing" in p] == [
        "ct: slice positions missing or not monotonic; 3D distances in voxel units"
    ]
