"""RTSTRUCT export on pydicom's CT series: written, then read back by our own reader onto the same slices
(polygons to 0.01 px, masks with holes IoU >= 0.99), by pydicom (SOP class, references, patient/study
copied) and by rt-utils (an independent reader: ROI names and masks); no DICOM image means nothing
written and a message saying why."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from pixelproof.core import masks
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.formats import FORMATS
from pixelproof.interop.rtstruct import RTSTRUCT_SOP_CLASS, read_rtstruct

POLYGON = [2.25, 3.5, 12.0, 2.0, 13.5, 11.75, 4.0, 13.0]  # vertices off the pixel grid, in COCO pixels


def _mask(k: int) -> np.ndarray:
    m = np.zeros((16, 16), bool)
    m[2 + k : 12, 3:13] = True
    m[6:9, 6:9] = False  # a hole
    m[7, 7] = True  # an island in the hole
    return m


@pytest.fixture
def ct_labels(tmp_path: Path, ct_study: Path):
    """The CT series with a mask (a hole, an island in it) per slice, a polygon on two and a box on one."""
    project = project_from_folder(study := ct_study, tmp_path / "p.json", ["liver"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    lesion = project.add_category(Category(project.next_category_id(), "lesion", color="#10ff80"))
    project.categories[1].color = "#ff0000"
    for image in project.images.values():
        k = int(image.file_name.rsplit("=", 1)[1])
        m = _mask(k)
        add = project.add_annotation
        add(
            Annotation(
                project.next_annotation_id(), image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum())
            )
        )
        if k in (1, 2):
            bbox = masks.polygons_bbox([POLYGON])
            add(Annotation(project.next_annotation_id(), image.id, lesion.id, bbox, [list(POLYGON)], 100.0))
        if k == 3:
            add(
                Annotation(
                    project.next_annotation_id(), image.id, lesion.id, [1.0, 2.0, 5.0, 4.0], None, 20.0
                )
            )
    return project, study


def _by_name(project: Project) -> dict[str, dict[str, list[Annotation]]]:
    out: dict[str, dict[str, list[Annotation]]] = {}
    for a in project.annotations.values():
        name = project.images[a.image_id].file_name.removeprefix("../")
        out.setdefault(name, {}).setdefault(project.categories[a.category_id].name, []).append(a)
    return out


def test_written_structure_set_reads_back_onto_the_same_slices(ct_labels, tmp_path: Path) -> None:
    project, study = ct_labels
    warnings = FORMATS["rtstruct"].write(project, study / "rt")
    assert warnings == ["1 box written as corner contours (4 points each)"]
    assert (warnings.images, warnings.objects) == (4, 7)
    (rt,) = sorted((study / "rt").glob("*.dcm"))
    assert rt.name == "CT2_rtstruct.dcm"
    result = read_rtstruct(rt)
    assert result.problems == [] and not result.skipped
    back = _by_name(result.project)
    assert sorted(back) == [f"CT2#z={k:03d}" for k in range(4)]
    cats = {c.name: c for c in result.project.categories.values()}
    assert cats["liver"].color == "#ff0000" and cats["lesion"].color == "#10ff80"
    for k in range(4):
        got = back[f"CT2#z={k:03d}"]
        assert len(got["liver"]) == 2  # the outline with its hole, and the island inside the hole
        mask = np.zeros((16, 16), bool)
        for a in got["liver"]:
            mask |= a.mask(16, 16)
        assert masks.iou(mask, _mask(k)) >= 0.99
        if k in (1, 2):
            (lesion,) = got["lesion"]
            np.testing.assert_allclose(lesion.segmentation[0], POLYGON, atol=0.01)
        if k == 3:
            (box,) = got["lesion"]
            np.testing.assert_allclose(box.segmentation[0], [1, 2, 6, 2, 6, 6, 1, 6], atol=0.01)


def test_pydicom_reads_the_rt_structure_set_iod(ct_labels) -> None:
    project, study = ct_labels
    FORMATS["rtstruct"].write(project, study / "rt")
    ds = pydicom.dcmread(study / "rt" / "CT2_rtstruct.dcm")
    assert ds.SOPClassUID == RTSTRUCT_SOP_CLASS == ds.file_meta.MediaStorageSOPClassUID
    assert ds.Modality == "RTSTRUCT" and ds.SOPInstanceUID == ds.file_meta.MediaStorageSOPInstanceUID
    source = [pydicom.dcmread(f) for f in sorted((study / "CT2").iterdir())]
    first = source[0]
    for keyword in ("PatientName", "PatientID", "StudyInstanceUID", "StudyDate", "StudyID"):
        assert ds[keyword].value == first.get(keyword, ""), keyword
    assert ds.SeriesInstanceUID not in {s.SeriesInstanceUID for s in source}
    (frame,) = ds.ReferencedFrameOfReferenceSequence
    assert frame.FrameOfReferenceUID == first.FrameOfReferenceUID
    (series,) = frame.RTReferencedStudySequence[0].RTReferencedSeriesSequence
    assert series.SeriesInstanceUID == first.SeriesInstanceUID
    uids = {str(s.SOPInstanceUID) for s in source}
    assert {str(i.ReferencedSOPInstanceUID) for i in series.ContourImageSequence} == uids
    assert [r.ROIName for r in ds.StructureSetROISequence] == ["liver", "lesion"]
    assert [int(r.ROINumber) for r in ds.StructureSetROISequence] == [1, 2]
    assert [list(c.ROIDisplayColor) for c in ds.ROIContourSequence] == [[255, 0, 0], [16, 255, 128]]
    assert [int(o.ReferencedROINumber) for o in ds.RTROIObservationsSequence] == [1, 2]
    for rc in ds.ROIContourSequence:
        for c in rc.ContourSequence:
            assert c.ContourGeometricType == "CLOSED_PLANAR"
            assert len(c.ContourData) == 3 * int(c.NumberOfContourPoints)
            assert str(c.ContourImageSequence[0].ReferencedSOPInstanceUID) in uids
    # each contour lies in its slice's plane: its z is the slice's ImagePositionPatient z (axial series)
    z_of = {str(s.SOPInstanceUID): float(s.ImagePositionPatient[2]) for s in source}
    c = ds.ROIContourSequence[0].ContourSequence[0]
    zs = np.asarray(c.ContourData, float).reshape(-1, 3)[:, 2]
    np.testing.assert_allclose(zs, z_of[str(c.ContourImageSequence[0].ReferencedSOPInstanceUID)])


def test_rt_utils_reads_the_written_file(ct_labels) -> None:
    """rt-utils (an independent reader) checks every reference against the series and fills each ROI. It
    rounds each contour point to a pixel centre and fills every contour (no holes, cv2.fillPoly), so its
    liver is our outline, holes filled, grown by at most one pixel where an edge rounds outward."""
    rt_utils = pytest.importorskip("rt_utils", reason="rt-utils is not installed")
    ndimage = pytest.importorskip("scipy.ndimage")
    project, study = ct_labels
    FORMATS["rtstruct"].write(project, study / "rt")
    rt = rt_utils.RTStructBuilder.create_from(str(study / "CT2"), str(study / "rt" / "CT2_rtstruct.dcm"))
    assert rt.get_roi_names() == ["liver", "lesion"]
    theirs = rt.get_roi_mask_by_name("liver")  # rows, columns, slices by position, as ``new`` orders them
    assert theirs.shape == (16, 16, 4)
    for k in range(4):
        outline = masks.fill_holes(_mask(k))
        assert (theirs[:, :, k] >= outline).all(), k
        assert (ndimage.binary_dilation(outline, np.ones((3, 3), bool)) >= theirs[:, :, k]).all(), k


def test_no_dicom_image_writes_nothing_and_says_why(sample_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "rt"
    with pytest.raises(ValueError, match=r"none of the \d+ images are DICOM .*no RT Structure Set to write"):
        FORMATS["rtstruct"].write(sample_project, out)
    assert not out.exists()


def test_plain_images_beside_a_series_are_left_out_and_counted(ct_labels, tmp_path: Path) -> None:
    project, study = ct_labels
    png = study / "photo.png"
    import imageio.v3 as iio

    iio.imwrite(png, np.zeros((8, 8), np.uint8))
    image = project.add_image(ImageRecord(project.next_image_id(), "study/photo.png", 8, 8))
    project.add_annotation(
        Annotation(project.next_annotation_id(), image.id, 1, [1.0, 1.0, 2.0, 2.0], None, 4.0)
    )
    warnings = FORMATS["rtstruct"].write(project, tmp_path / "rt")
    assert any(w.startswith("1 image not DICOM: left out") for w in warnings)
    assert warnings.images == 4 and len(list((tmp_path / "rt").glob("*.dcm"))) == 1
    assert warnings.left == "1 image (1 not DICOM)"


def _series_project(tmp_path: Path, **geometry) -> tuple[Project, Path]:
    from tests.interop.test_rtstruct import write_series

    write_series(tmp_path / "study" / "CT", **geometry)
    project = project_from_folder(tmp_path / "study", tmp_path / "p.json", ["organ"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    return project, tmp_path / "study"


@pytest.mark.parametrize("orientation", ["axial", "oblique"])
def test_oblique_slices_with_non_square_pixels_read_back(tmp_path: Path, orientation: str) -> None:
    """Rows and columns of different spacing on tilted slices: a swapped axis or spacing would move every
    vertex; each contour's points also lie at the patient mm of PS3.3 C.7.6.2.1.1 written out by hand."""
    from tests.interop.test_rtstruct import AXIAL, OBLIQUE, lps

    iop = AXIAL if orientation == "axial" else OBLIQUE
    project, study = _series_project(
        tmp_path, iop=iop, origin=(-20.0, 10.0, 5.0), spacing=(0.7, 1.3), zs=(0, 2.5, 5), size=(12, 20)
    )
    ring = [1.5, 2.25, 17.0, 1.0, 18.5, 10.75, 3.0, 11.5]
    for image in project.images.values():
        project.add_annotation(
            Annotation(project.next_annotation_id(), image.id, 1, [1, 1, 17, 10], [ring], 9.0)
        )
    assert FORMATS["rtstruct"].write(project, study / "rt") == []
    back = read_rtstruct(study / "rt")
    assert back.problems == [] and len(back.project.annotations) == 3
    for a in back.project.annotations.values():
        np.testing.assert_allclose(a.segmentation[0], ring, atol=0.01)
    ds = pydicom.dcmread(study / "rt" / "CT_rtstruct.dcm")
    slices = {str(s.SOPInstanceUID): s for s in map(pydicom.dcmread, sorted((study / "CT").iterdir()))}
    for c in ds.ROIContourSequence[0].ContourSequence:
        s = slices[str(c.ContourImageSequence[0].ReferencedSOPInstanceUID)]
        want = [lps(s, x - 0.5, y - 0.5) for x, y in np.reshape(ring, (-1, 2))]
        np.testing.assert_allclose(np.asarray(c.ContourData, float).reshape(-1, 3), want, atol=1e-6)


def test_nested_objects_and_names_a_roi_cannot_hold_are_said(tmp_path: Path) -> None:
    """An object inside another of its category on one slice reads back as its hole (even-odd): counted;
    a backslash in a category name would split the ROIName in two values: written as a space, said."""
    from tests.interop.test_rtstruct import AXIAL

    project, study = _series_project(tmp_path, iop=AXIAL, origin=(0, 0, 0), spacing=(1, 1), zs=(0, 1))
    project.categories[1].name = "left\\right"
    image = next(iter(project.images.values()))
    for box in ([1.0, 1.0, 12.0, 12.0], [4.0, 4.0, 3.0, 3.0]):
        project.add_annotation(Annotation(project.next_annotation_id(), image.id, 1, box, None, 9.0))
    warnings = FORMATS["rtstruct"].write(project, study / "rt")
    assert warnings[0].startswith("category 'left\\\\right': written as ROI name 'left right'")
    assert "1 outline inside another object of its category on its slice" in warnings[-1]
    assert "2 boxes written as corner contours (4 points each)" in warnings[-2]
    assert warnings.images == 2  # the series: its slice without objects is referenced too, as in a SEG


def test_copies_of_an_outline_no_copy_holds_cost_a_bounded_number_of_tests_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1,000 objects, each a copy of a square starting at a corner ray casting finds outside every copy:
    each would be tested against all 999 others (10**6 tests, 17 s; 10,000 copies half an hour). The
    file's ``limits.MAX_NESTING_TESTS`` are spent, then the rest said not checked; the file is written."""
    from pixelproof.core import limits
    from pixelproof.interop import rtstruct_writer
    from tests.interop.test_rtstruct import AXIAL

    project, study = _series_project(tmp_path, iop=AXIAL, origin=(0, 0, 0), spacing=(1, 1), zs=(0, 1))
    image = next(iter(project.images.values()))
    square = [[10.0, 10.0, 2.0, 10.0, 2.0, 2.0, 10.0, 2.0]]
    for _ in range(1000):
        project.add_annotation(
            Annotation(project.next_annotation_id(), image.id, 1, [2.0, 2.0, 8.0, 8.0], square, 64.0)
        )
    made = []
    kept = rtstruct_writer.ring_contains
    monkeypatch.setattr(rtstruct_writer, "ring_contains", lambda r, p: made.append(1) or kept(r, p))
    warnings = FORMATS["rtstruct"].write(project, study / "rt")
    assert len(made) <= limits.MAX_NESTING_TESTS
    assert any(w.startswith("1,000 contours not checked for lying inside another object") for w in warnings)
    back = pydicom.dcmread(study / "rt" / "CT_rtstruct.dcm")
    assert len(back.ROIContourSequence[0].ContourSequence) == 1000


def test_a_series_without_frame_of_reference_is_said_and_not_written(tmp_path: Path) -> None:
    from tests.interop.test_rtstruct import AXIAL

    project, study = _series_project(tmp_path, iop=AXIAL, origin=(0, 0, 0), spacing=(1, 1), zs=(0, 1))
    for f in (study / "CT").iterdir():
        ds = pydicom.dcmread(f)
        del ds.FrameOfReferenceUID
        ds.save_as(f)
    image = next(iter(project.images.values()))
    project.add_annotation(
        Annotation(project.next_annotation_id(), image.id, 1, [1.0, 1.0, 5.0, 5.0], None, 25.0)
    )
    warnings = FORMATS["rtstruct"].write(project, study / "rt")
    assert any("cannot make an RT Structure Set" in w and "FrameOfReferenceUID" in w for w in warnings)
    assert list((study / "rt").glob("*.dcm")) == [] and warnings.images == 0


def test_a_multi_frame_object_s_frames_are_referenced_by_number(tmp_path: Path) -> None:
    """An Enhanced MR of three frames stored out of position order: each contour names the object and its
    frame (ReferencedFrameNumber, 1-based), and reads back onto the same frame record."""
    from tests.interop.test_dicom_seg_multiframe import enhanced_mr

    enhanced_mr(tmp_path / "MR" / "mr.dcm", [4.0, 0.0, 2.0])
    project = project_from_folder(tmp_path / "MR", tmp_path / "p.json", ["organ"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    ring = [2.0, 3.0, 8.0, 3.0, 8.0, 9.0, 2.0, 9.0]
    (image,) = [i for i in project.images.values() if i.file_name.endswith("mr.dcm#z=001")]
    project.add_annotation(Annotation(project.next_annotation_id(), image.id, 1, [2, 3, 6, 6], [ring], 36.0))
    assert FORMATS["rtstruct"].write(project, tmp_path / "MR" / "rt") == []
    ds = pydicom.dcmread(tmp_path / "MR" / "rt" / "mr_rtstruct.dcm")
    (c,) = ds.ROIContourSequence[0].ContourSequence
    assert int(c.ContourImageSequence[0].ReferencedFrameNumber) == 2
    back = read_rtstruct(tmp_path / "MR" / "rt")
    assert back.problems == []
    (a,) = back.project.annotations.values()
    assert back.project.images[a.image_id].file_name == "../mr.dcm#z=001"
    np.testing.assert_allclose(a.segmentation[0], ring, atol=0.01)


def test_the_fast_writer_writes_the_contours_of_the_first(tmp_path: Path) -> None:
    """Contour text in one ``%`` and the nesting check over overlapping extents only: the same ContourData
    bytes, contour by contour, and the same warnings (nested outlines counted alike) as the writer that
    formatted each value and tested every pair (``bench.rtstruct_export.first_writer``), on random
    lesions (some overlapping, some nested) beside organ masks with a hole."""
    from bench.rtstruct_export import first_writer, make

    project = make(tmp_path, 3, 150, seed=7)
    image = next(iter(project.images.values()))
    lesion = max(project.categories)
    for cx, cy in ((100 + 1 / 3, 100.0), (300.0, 200 + 2 / 7)):  # one inside another; every digit
        for r in (8.0, 3.0):
            ring = [cx - r, cy - r, cx + r, cy - r, cx + r, cy + r, cx - r, cy + r]
            project.add_annotation(
                Annotation(
                    project.next_annotation_id(),
                    image.id,
                    lesion,
                    [cx - r, cy - r, 2 * r, 2 * r],
                    [ring],
                    4 * r * r,
                )
            )
    new = FORMATS["rtstruct"].write(project, tmp_path / "new")
    with first_writer():
        old = FORMATS["rtstruct"].write(project, tmp_path / "old")
    assert new == old and any("outlines inside another object" in w for w in new)

    def contours(folder: Path) -> list[bytes]:
        ds = pydicom.dcmread(folder / "CT_rtstruct.dcm")
        return [c.get_item(0x30060050).value for rc in ds.ROIContourSequence for c in rc.ContourSequence]

    mine, first = contours(tmp_path / "new"), contours(tmp_path / "old")
    assert len(mine) == len(first) > 450 and mine == first


def test_a_series_without_orientation_is_said_with_its_folder_and_not_written(tmp_path: Path) -> None:
    """Slices without ImageOrientationPatient have no patient space to map contours into: left out, the
    series folder named, and not also called a source without objects (it has them)."""
    from tests.interop.test_rtstruct import AXIAL, write_series

    write_series(tmp_path / "study" / "CT", iop=AXIAL, origin=(0, 0, 0), spacing=(1, 1), zs=(0, 1))
    for f in (tmp_path / "study" / "CT").iterdir():
        ds = pydicom.dcmread(f)
        del ds.ImageOrientationPatient
        ds.save_as(f)
    project = project_from_folder(tmp_path / "study", tmp_path / "p.json", ["organ"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    for image in project.images.values():
        project.add_annotation(
            Annotation(project.next_annotation_id(), image.id, 1, [1.0, 1.0, 5.0, 5.0], None, 25.0)
        )
    warnings = FORMATS["rtstruct"].write(project, tmp_path / "rt")
    folder = tmp_path / "study" / "CT"
    assert list(warnings) == [
        f"{folder}: 2 slice records without ImagePositionPatient / ImageOrientationPatient / PixelSpacing: "
        "left out"
    ]
    assert warnings.images == 0
    assert warnings.left == "2 images (2 without a patient position, or not the size of their slice)"
    assert list((tmp_path / "rt").glob("*.dcm")) == []


def test_a_contour_over_64_kb_is_written_as_ds(tmp_path: Path) -> None:
    """A wavy organ outline of some 4,700 points is ContourData of over 64 KB: more than explicit VR's
    16-bit length holds (pydicom then writes it as UN, with a warning, which strict readers skip). Implicit
    VR: the value is DS, read back whole, and nothing is warned."""
    import warnings

    from pydicom.uid import ImplicitVRLittleEndian

    from tests.interop.test_rtstruct import AXIAL, write_series

    write_series(
        tmp_path / "study" / "CT",
        iop=AXIAL,
        origin=(-250.1, -250.4, 0),
        spacing=(0.977, 0.977),
        zs=(0, 1),
        size=(512, 512),
    )
    project = project_from_folder(tmp_path / "study", tmp_path / "p.json", ["organ"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    yy, xx = np.mgrid[:512, :512]
    wave = 250 + 3 * np.sin(np.arctan2(yy - 256, xx - 256) * 300)
    m = (xx - 256) ** 2 + (yy - 256) ** 2 <= wave**2
    image = next(iter(project.images.values()))
    project.add_annotation(
        Annotation(project.next_annotation_id(), image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert FORMATS["rtstruct"].write(project, tmp_path / "rt") == []
    ds = pydicom.dcmread(tmp_path / "rt" / "CT_rtstruct.dcm")
    assert ds.file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
    (c,) = ds.ROIContourSequence[0].ContourSequence
    assert len(c.get_item(0x30060050).value) > 0xFFFF
    assert ds.ROIContourSequence[0].ContourSequence[0]["ContourData"].VR == "DS"
    assert len(c.ContourData) == 3 * int(c.NumberOfContourPoints) > 12_000
    back = read_rtstruct(tmp_path / "rt")
    assert back.problems == []
    (a,) = back.project.annotations.values()
    assert masks.iou(a.mask(512, 512), m) >= 0.99


@pytest.mark.parametrize("how", ["replaced", "deleted"])
def test_a_slice_file_replaced_or_deleted_since_import_is_said(tmp_path: Path, how: str) -> None:
    """A slice file replaced by a text file or deleted since the project was made: the slices that moved
    are named as changed (left out of the RT Structure Set, not "of the SEG"); a series left with one
    slice no longer opens as one, which is said naming its folder; nothing is written for them."""
    from tests.interop.test_rtstruct import AXIAL, write_series

    for name, zs in (("CT", (0, 1)), ("MR", (0, 1, 2))):
        write_series(tmp_path / "study" / name, iop=AXIAL, origin=(0, 0, 0), spacing=(1, 1), zs=zs)
    project = project_from_folder(tmp_path / "study", tmp_path / "p.json", ["organ"], on_skip=lambda m: None)
    project.path = tmp_path / "p.json"
    for image in project.images.values():
        project.add_annotation(
            Annotation(project.next_annotation_id(), image.id, 1, [1.0, 1.0, 5.0, 5.0], None, 25.0)
        )
    for name in ("CT", "MR"):
        first = tmp_path / "study" / name / "IM000.dcm"
        first.write_text("not DICOM") if how == "replaced" else first.unlink()
    from pixelproof.core.volume_cache import clear_cache

    clear_cache()
    warnings = FORMATS["rtstruct"].write(project, tmp_path / "rt")
    ct = tmp_path / "study" / "CT"
    assert f"{ct}: no DICOM series of two or more slices in this folder: 2 slice records left out" in warnings
    moved = [w for w in warnings if "left out of the RT Structure Set" in w]
    assert len(moved) == 3 and all(str(tmp_path / "study" / "MR") in w for w in moved)
    assert not any("SEG" in w or "does not have" in w for w in warnings)
    assert warnings.images == 0 and list((tmp_path / "rt").glob("*.dcm")) == []
    assert "2 of a series folder that no longer opens as one" in warnings.left


def test_the_nesting_count_is_the_every_pair_count() -> None:
    """Random outlines (some on the pixel grid, so points fall on other outlines' edges and corners), some
    holes, objects sharing ids, checked a few points at a time: the count over overlapping extents is the
    one testing every pair (``bench.rtstruct_export.nested_each``); 10,000 copies of one box all count."""
    from bench.rtstruct_export import nested_each

    from pixelproof.interop.rtstruct_writer import _nested

    rng = np.random.default_rng(3)
    for trial in range(40):
        n = int(rng.integers(2, 60))
        rings = []
        for _ in range(n):
            c, r = rng.uniform(0, 20, 2), rng.uniform(0.5, 8)
            t = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(3, 9))))
            ring = np.c_[c[0] + r * np.cos(t), c[1] + r * np.sin(t)]
            ring = np.round(ring) if rng.random() < 0.3 else ring
            rings.append((ring, bool(rng.random() < 0.1), int(rng.integers(0, n))))
        assert _nested(rings, chunk=int(rng.integers(1, 8))) == nested_each(rings), trial
    box = np.array([[1.0, 1.0], [13.0, 1.0], [13.0, 13.0], [1.0, 13.0]])
    assert _nested([(box, False, k) for k in range(10_000)]) == 10_000
