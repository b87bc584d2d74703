"""RTSTRUCT import: pydicom's real structure set placed by plane on a CT series built for it, pixel-exact
corners of a square contour on an axial and an oblique series, holes by containment (checked against
skimage's rasterization of independently computed pixel coordinates), hostile contours, a multi-frame
image's frames, and rt-utils' own RTSTRUCT writer and reader as an independent check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from pixelproof.core import masks
from pixelproof.interop.formats import readable, writable
from pixelproof.interop.rtstruct import RTSTRUCT_SOP_CLASS, read_rtstruct

DATA = Path(__file__).resolve().parents[1] / "data" / "rtstruct"
FRAME = "1.2.3.99"


def write_series(folder: Path, *, iop, origin, spacing, zs, size=(16, 16), frame=FRAME) -> list[Dataset]:
    """CT slices at ``zs`` mm along the normal from ``origin`` (LPS); returns their datasets."""
    folder.mkdir(parents=True, exist_ok=True)
    normal = np.cross(iop[:3], iop[3:])
    out = []
    for k, z in enumerate(zs):
        meta = FileMetaDataset()
        meta.TransferSyntaxUID, meta.MediaStorageSOPClassUID = ExplicitVRLittleEndian, CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        ds = Dataset()
        ds.file_meta, ds.preamble = meta, b"\0" * 128
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.SeriesInstanceUID, ds.SeriesNumber, ds.Modality, ds.InstanceNumber = "1.2.3.4", 1, "CT", k + 1
        ds.StudyInstanceUID, ds.FrameOfReferenceUID = "1.2.3", frame
        ds.StudyDate, ds.StudyTime, ds.StudyID = "20240101", "120000", "1"  # rt-utils copies them
        ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = *size, 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.ImageOrientationPatient = list(iop)
        ds.ImagePositionPatient = [float(v) for v in np.asarray(origin, float) + z * normal]
        ds.PixelSpacing = list(spacing)
        ds.PixelData = np.zeros(size, np.int16).tobytes()
        ds.save_as(folder / f"IM{k:03d}.dcm", enforce_file_format=True)
        out.append(ds)
    return out


def contour(points, ref: str | None = None, shape: str = "CLOSED_PLANAR", n: int | None = None) -> Dataset:
    c = Dataset()
    c.ContourGeometricType = shape
    flat = np.asarray(points, float).reshape(-1)
    c.NumberOfContourPoints = n if n is not None else len(flat) // 3
    c.ContourData = [f"{v:.10g}" for v in flat]
    if ref:
        item = Dataset()
        item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID = CTImageStorage, ref
        c.ContourImageSequence = Sequence([item])
    return c


def write_rtstruct(path: Path, rois: list[tuple[str, list[Dataset]]], frame: str = FRAME) -> Path:
    meta = FileMetaDataset()
    meta.TransferSyntaxUID, meta.MediaStorageSOPClassUID = ExplicitVRLittleEndian, RTSTRUCT_SOP_CLASS
    meta.MediaStorageSOPInstanceUID = generate_uid()
    ds = Dataset()
    ds.file_meta, ds.preamble = meta, b"\0" * 128
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = (
        RTSTRUCT_SOP_CLASS,
        meta.MediaStorageSOPInstanceUID,
        "RTSTRUCT",
    )
    ref = Dataset()
    ref.FrameOfReferenceUID = frame
    ds.ReferencedFrameOfReferenceSequence = Sequence([ref])
    ds.StructureSetROISequence, ds.ROIContourSequence, ds.RTROIObservationsSequence = [], [], []
    for number, (name, contours) in enumerate(rois, start=1):
        roi, rc, obs = Dataset(), Dataset(), Dataset()
        roi.ROINumber, roi.ROIName = number, name
        rc.ReferencedROINumber, rc.ROIDisplayColor, rc.ContourSequence = (
            number,
            [255, 0, 10 * number],
            contours,
        )
        obs.ObservationNumber, obs.ReferencedROINumber, obs.RTROIInterpretedType = number, number, "ORGAN"
        ds.StructureSetROISequence.append(roi)
        ds.ROIContourSequence.append(rc)
        ds.RTROIObservationsSequence.append(obs)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def lps(ds: Dataset, col: float, row: float) -> list[float]:
    """The patient point (LPS mm) of pixel centre (col, row), written out from PS3.3 C.7.6.2.1.1."""
    iop, ipp = np.asarray(ds.ImageOrientationPatient, float), np.asarray(ds.ImagePositionPatient, float)
    row_mm, col_mm = (float(v) for v in ds.PixelSpacing)
    return list(ipp + iop[:3] * col_mm * col + iop[3:] * row_mm * row)


AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
c30, s30 = np.cos(np.pi / 6), np.sin(np.pi / 6)
OBLIQUE = (c30, s30, 0.0, 0.0, c30 * 0.6, 0.8)  # rows tilted out of the axial plane
OBLIQUE = (*OBLIQUE[:3], *(np.array(OBLIQUE[3:]) - np.dot(OBLIQUE[:3], OBLIQUE[3:]) * np.array(OBLIQUE[:3])))
OBLIQUE = (*OBLIQUE[:3], *(np.array(OBLIQUE[3:]) / np.linalg.norm(OBLIQUE[3:])))


def test_pydicom_structure_set_read_by_plane(tmp_path):
    """The real file (no preamble, no image references): ROI names, colours, the three contours of
    "patient" on the slices at their z, the two isocentre POINTs skipped in one line."""
    rt = tmp_path / "rt" / "rtstruct.dcm"
    rt.parent.mkdir()
    rt.write_bytes((DATA / "rtstruct.dcm").read_bytes())
    frame = str(pydicom.dcmread(rt, force=True).ReferencedFrameOfReferenceSequence[0].FrameOfReferenceUID)
    cts = write_series(
        tmp_path / "CT", iop=AXIAL, origin=(-235.0, -235.0, -200.0), spacing=(10, 10), zs=(0, 10, 20, 30),
        size=(48, 48), frame=frame,
    )  # fmt: skip
    result = read_rtstruct(rt, image_dir=tmp_path)
    p = result.project
    assert [c.name for c in p.categories.values()] == ["patient"]
    cat = next(iter(p.categories.values()))
    assert cat.color == "#dca078" and cat.app_extra["rtstruct"] == {"roi_number": 1, "type": "EXTERNAL"}
    anns = sorted(p.annotations.values(), key=lambda a: p.images[a.image_id].file_name)
    assert [p.images[a.image_id].file_name for a in anns] == ["../CT#z=000", "../CT#z=001", "../CT#z=002"]
    # first contour: x -200..200, y -150..150 -> columns 3.5 + 0.5 .. 43.5 + 0.5
    xs, ys = anns[0].segmentation[0][0::2], anns[0].segmentation[0][1::2]
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((4.0, 44.0, 9.0, 39.0))
    assert result.skipped["objects"] == 2
    assert any("2 POINT contours skipped" in m and "rtstruct.dcm" in m for m in result.problems)
    assert not any("CT" in m for m in result.problems)  # the series' slices are all read
    assert len(cts) == 4 and len(p.images) == 3


@pytest.mark.parametrize("iop", [AXIAL, OBLIQUE], ids=["axial", "oblique"])
def test_square_corners_pixel_exact(tmp_path, iop):
    """A square whose corners are pixel centres (2, 3) .. (9, 11) on the second slice comes back with
    corners at those centres + 0.5, referenced by UID; the same square without a reference lands there by
    plane position."""
    cts = write_series(tmp_path / "CT", iop=iop, origin=(-10.0, 20.0, 5.0), spacing=(2.0, 0.5), zs=(0, 3, 6))
    corners = [(2, 3), (9, 3), (9, 11), (2, 11)]
    square = [lps(cts[1], c, r) for c, r in corners]
    write_rtstruct(
        tmp_path / "rt.dcm", [("GTV", [contour(square, cts[1].SOPInstanceUID)]), ("CTV", [contour(square)])]
    )
    result = read_rtstruct(tmp_path / "rt.dcm", image_dir=tmp_path / "CT")
    assert result.problems == []
    p = result.project
    for ann in p.annotations.values():
        assert p.images[ann.image_id].file_name == "CT#z=001"
        assert ann.segmentation[0] == pytest.approx([v + 0.5 for c in corners for v in c], abs=1e-5)
    assert sorted(c.name for c in p.categories.values()) == ["CTV", "GTV"]


def test_holes_by_containment(tmp_path):
    """Outer ring, a hole inside it and an island inside the hole (three nested contours of one ROI on one
    slice): the even-odd reading, checked against skimage's polygon fill of the pixel coordinates worked
    out here from the header."""
    skdraw = pytest.importorskip("skimage.draw")
    cts = write_series(
        tmp_path / "CT", iop=AXIAL, origin=(0.0, 0.0, 0.0), spacing=(1.0, 1.0), zs=(0, 2), size=(32, 32)
    )
    rings = [
        [(2, 2), (29, 2), (29, 29), (2, 29)],
        [(8, 8), (23, 8), (23, 23), (8, 23)],
        [(13, 13), (18, 13), (18, 18), (13, 18)],
    ]
    uid = cts[0].SOPInstanceUID
    contours = [contour([lps(cts[0], c, r) for c, r in ring], uid) for ring in rings]
    write_rtstruct(tmp_path / "rt.dcm", [("Body", contours)])
    result = read_rtstruct(tmp_path / "rt.dcm", image_dir=tmp_path)
    assert result.problems == []
    anns = list(result.project.annotations.values())
    assert len(anns) == 2  # the outline with its hole, and the island
    got = np.zeros((32, 32), bool)
    for a in anns:
        got |= masks.annotation_mask(a, 32, 32).astype(bool)
    want = np.zeros((32, 32), bool)
    for ring in rings:  # XOR fill, as dicompyler-core and rt-utils
        rr, cc = skdraw.polygon([r + 0.5 for _, r in ring], [c + 0.5 for c, _ in ring], (32, 32))
        layer = np.zeros_like(want)
        layer[rr, cc] = True
        want ^= layer
    assert got[15, 15] and not got[10, 10] and got[4, 4]
    assert (got != want).sum() <= 4 * 3 * 4  # edge pixels only: the two fills round borders differently


def test_hostile_contours_located(tmp_path):
    """NaN, a length not a multiple of 3, a disagreeing NumberOfContourPoints, a contour off every slice,
    a reference to an image that is not there, 200,000 points: each said naming file, ROI and contour;
    the good contour is read."""
    cts = write_series(tmp_path / "CT", iop=AXIAL, origin=(0.0, 0.0, 0.0), spacing=(1.0, 1.0), zs=(0, 2))
    uid = cts[0].SOPInstanceUID
    good = [lps(cts[0], c, r) for c, r in [(1, 1), (5, 1), (5, 5)]]
    nan = contour(good, uid)
    nan.ContourData = [*nan.ContourData[:4], "nan", *nan.ContourData[5:]]
    short = contour(good, uid)
    short.ContourData = short.ContourData[:-1]
    off = contour([[x, y, 50.0] for x, y, _ in good])
    big = np.column_stack(
        [np.cos(t := np.linspace(0, 2 * np.pi, 200_000)) * 2 + 12, np.sin(t) * 2 + 4, np.zeros_like(t)]
    )
    contours = [
        nan,
        short,
        contour(good, uid, n=7),
        off,
        contour(good, "9.9.9"),
        contour(big, uid),
        contour([lps(cts[0], c, r) for c, r in [(10, 10), (14, 10), (14, 14)]], uid),
    ]
    rt = write_rtstruct(tmp_path / "rt.dcm", [("Lung", contours)])
    result = read_rtstruct(rt, image_dir=tmp_path)
    text = "\n".join(result.problems)
    assert f"{rt}: ROI 1 “Lung”, contour 0: point 1 is not finite (nan)" in text
    assert f"{rt}: ROI 1 “Lung”, contour 1: ContourData holds 8 numbers, not x/y/z triplets" in text
    assert f"{rt}: ROI 1 “Lung”, contour 2: NumberOfContourPoints says 7, ContourData holds 3 points" in text
    assert f"{rt}: ROI 1 “Lung”, contour 3: references no image and lies on no slice found" in text
    assert f"{rt}: ROI 1 “Lung”, contour 4: its image 9.9.9 is not found" in text
    assert f"{rt}: 1 referenced image not found under {tmp_path}" in text
    assert result.skipped["objects"] == 4
    assert len(result.project.annotations) == 3, (
        result.problems
    )  # contours 2, 5 (200,000 points, in bounds) and 6


def test_missing_series_and_detection(tmp_path):
    """No images anywhere: every contour said, nothing made; auto-detection names the format."""
    from pixelproof.interop.formats import detect_formats

    rt = write_rtstruct(
        tmp_path / "rt" / "rt.dcm", [("Heart", [contour([[0, 0, 0], [1, 0, 0], [1, 1, 0]], "1.2")])]
    )
    result = read_rtstruct(rt)
    assert result.project.annotations == {} and result.skipped["objects"] == 1
    assert any("name the folder of its image series with --image-dir" in m for m in result.problems)
    assert [f.name for f in detect_formats(rt)][:1] == ["rtstruct"]
    assert "rtstruct" in [f.name for f in readable()] and "rtstruct" in [f.name for f in writable()]


def test_multiframe_frames_by_number_and_plane(tmp_path):
    """An Enhanced MR of three frames stored out of position order (z = 4, 0, 2 mm): a contour naming
    frame 2 lands on ``mr.dcm#z=001`` (its 0-based index, as ``new`` and ``dicom-seg`` name frames), one
    without a reference on the frame whose plane holds it; a frame number out of range or missing is said
    as such, not as an image not found."""
    from pydicom.multival import MultiValue

    from tests.interop.test_dicom_seg_multiframe import enhanced_mr

    mr = enhanced_mr(tmp_path / "MR" / "mr.dcm", [4.0, 0.0, 2.0])
    corners = [(2, 3), (7, 3), (7, 9), (2, 9)]

    def square(z: float, number: object = None, uid: str = mr.SOPInstanceUID) -> Dataset:
        c = contour([(0.5 * col, 0.5 * row, z) for col, row in corners], uid if number is not None else None)
        if number not in (None, ""):
            c.ContourImageSequence[0].ReferencedFrameNumber = number
        return c

    contours = [
        square(0.0, 2),
        square(2.0),
        square(0.0, 9),
        square(0.0, ""),
        square(4.0, MultiValue(int, [1, 3])),
    ]
    rt = write_rtstruct(tmp_path / "rt.dcm", [("Tumour", contours)], frame=mr.FrameOfReferenceUID)
    result = read_rtstruct(rt, image_dir=tmp_path / "MR")
    text = "\n".join(result.problems)
    assert (
        f"{rt}: ROI 1 “Tumour”, contour 2: names frame 9 of the multi-frame image {mr.SOPInstanceUID}, "
        in text
    )
    assert "contour 3: names no frame (no ReferencedFrameNumber) of the multi-frame image" in text
    assert "not found" not in text and result.skipped["objects"] == 2, text
    p = result.project
    placed = sorted(p.images[a.image_id].file_name for a in p.annotations.values())
    assert placed == ["MR/mr.dcm#z=000", "MR/mr.dcm#z=001", "MR/mr.dcm#z=002"]
    for ann in p.annotations.values():
        assert ann.segmentation[0] == pytest.approx([v + 0.5 for c in corners for v in c], abs=1e-5)


def test_slice_spacing_per_series_not_per_folder(tmp_path):
    """Two series in sibling folders, interleaved (z = 0, 2, 4 and 1, 3, 5; the second of another frame
    of reference): each keeps its own 2 mm spacing, so a contour 0.8 mm off the first's slice at z = 0 is
    within half of it. Mixed into one 1 mm spacing it lay off every slice."""
    cts = write_series(tmp_path / "CT_a", iop=AXIAL, origin=(0.0, 0.0, 0.0), spacing=(1, 1), zs=(0, 2, 4))
    write_series(
        tmp_path / "CT_b", iop=AXIAL, origin=(0.0, 0.0, 1.0), spacing=(1, 1), zs=(0, 2, 4), frame="1.2.3.98"
    )
    tri = [[x, y, 0.8] for x, y, _ in (lps(cts[0], c, r) for c, r in [(1, 1), (5, 1), (5, 5)])]
    rt = write_rtstruct(tmp_path / "rt" / "rt.dcm", [("Cord", [contour(tri)])])
    result = read_rtstruct(rt, image_dir=tmp_path)
    assert result.problems == []
    p = result.project
    assert [p.images[a.image_id].file_name for a in p.annotations.values()] == ["../CT_a#z=000"]


@pytest.mark.parametrize("iop", [AXIAL, OBLIQUE], ids=["axial", "oblique"])
def test_against_rt_utils(tmp_path, iop):
    """An independent writer and reader: rt-utils (MIT) turns masks into an RTSTRUCT over a CT series and
    reads it back as masks (its own ``get_roi_mask_by_name``, cv2.fillPoly). PixelProof's import of the same
    file agrees with it: each polygon's vertices are rt-utils' own pixel coordinates of the contour (its
    patient-to-pixel matrix, float32: within 1e-3 px) + 0.5, and the masks are equal pixel for pixel except
    where the two rasterisations differ by convention.

    rt-utils writes each contour through the centres of its mask's edge pixels (cv2.findContours), so those
    pixels' centres lie exactly on the contour: fillPoly draws the outline in, PixelProof's polygon fill
    (COCO's area rule) keeps only some of them. Hence: no pixel in PixelProof's mask that rt-utils lacks;
    each one it lacks on rt-utils' mask edge; Dice >= 0.98 per slice. Square pixels: rt-utils 1.2.7 swaps
    row and column spacing (qurit/rt-utils#92), which would be measuring its bug; PixelProof's non-square
    spacing is checked pixel-exactly by ``test_square_corners_pixel_exact``. The hole in the ring (a second
    contour of the ROI) is read by both as a hole."""
    rt_utils = pytest.importorskip("rt_utils")
    ndimage = pytest.importorskip("scipy.ndimage")
    n = 128
    write_series(
        tmp_path / "CT", iop=iop, origin=(-10.0, 20.0, 5.0), spacing=(0.7, 0.7), zs=(0, 2.5, 5), size=(n, n)
    )
    yy, xx = np.mgrid[:n, :n]
    mask = np.zeros((n, n, 3), bool)
    mask[:, :, 0] = (yy - 60) ** 2 / 2 + (xx - 70) ** 2 <= 40**2  # an ellipse
    ring = (yy - 64) ** 2 + (xx - 60) ** 2
    mask[:, :, 1] = (ring <= 45**2) & ~(ring <= 15**2)  # a ring: outline and hole
    mask[10:90, 8:50, 2] = True  # two rectangles
    mask[80:120, 70:120, 2] = True
    rt = rt_utils.RTStructBuilder.create_new(dicom_series_path=str(tmp_path / "CT"))
    rt.add_roi(mask=mask, name="Lesion", color=[255, 0, 0])
    (tmp_path / "RT").mkdir()
    rt.save(str(tmp_path / "RT" / "rt.dcm"))
    theirs = rt.get_roi_mask_by_name("Lesion")
    assert (theirs == mask).all()  # rt-utils reads back what it wrote

    result = read_rtstruct(tmp_path / "RT" / "rt.dcm", image_dir=tmp_path / "CT")
    assert result.problems == []
    p = result.project
    assert sorted(im.file_name for im in p.images.values()) == [f"../CT#z=00{k}" for k in range(3)]
    # the vertices: each polygon's corners are rt-utils' own pixel coordinates of the contour + 0.5
    from rt_utils import image_helper

    to_pixels = image_helper.get_patient_to_pixel_transformation_matrix(rt.series_data)
    checked = 0
    for roi in rt.ds.ROIContourSequence[0].ContourSequence:
        xyz = np.asarray(roi.ContourData, float).reshape(-1, 3)
        k = round(float(image_helper.apply_transformation_to_3d_points(xyz, to_pixels)[0, 2]))
        vertices = image_helper.apply_transformation_to_3d_points(xyz, to_pixels)[:, :2] + 0.5
        polygons = [
            np.reshape(a.segmentation[0], (-1, 2))
            for a in p.annotations.values()
            if p.images[a.image_id].file_name.endswith(str(k)) and isinstance(a.segmentation, list)
        ]
        if polygons:  # the ring (outline with a hole) is a mask: its vertices are not kept
            assert any(len(q) == len(vertices) and np.allclose(q, vertices, atol=1e-3) for q in polygons)
            checked += 1
    assert checked == 3  # the ellipse and the two rectangles
    for im in p.images.values():
        ours = np.zeros((n, n), bool)
        for a in p.annotations.values():
            if a.image_id == im.id:
                ours |= masks.annotation_mask(a, n, n).astype(bool)
        ref = theirs[:, :, int(im.file_name[-1])]
        edge = ref & ~ndimage.binary_erosion(ref)
        assert not (ours & ~ref).any(), im.file_name
        assert not (ref & ~ours & ~edge).any(), im.file_name
        dice = 2 * (ours & ref).sum() / (ours.sum() + ref.sum())
        assert dice >= 0.98, (im.file_name, dice)


def test_plane_search_by_bisection_same_as_every_slice(tmp_path, monkeypatch):
    """Contours placed by plane go through ``_Images.near`` (the slices near their position along each
    normal, by bisection) and land where trying every slice puts them: an axial and an oblique series of
    one frame of reference, 5 km from the origin, uneven spacing, contours between slices, on them, just
    within and just past half the spacing."""
    from pixelproof.interop import rtstruct

    rng = np.random.default_rng(7)
    far = np.array([5000.0, -5000.0, 5000.0])
    axial = write_series(tmp_path / "AX", iop=AXIAL, origin=far, spacing=(1, 1), zs=(0, 2, 3, 6, 6.5, 9))
    oblique = write_series(
        tmp_path / "OB", iop=OBLIQUE, origin=far + 3, spacing=(0.5, 1), zs=(0, 1.5, 3, 4.5)
    )
    contours = []
    for cts in (axial, oblique):
        normal = np.cross(cts[0].ImageOrientationPatient[:3], cts[0].ImageOrientationPatient[3:])
        for dz in [*rng.uniform(-1, 10, 25), 0.999, 1.001, -0.749, 0.251]:
            tri = np.array([lps(cts[0], c, r) for c, r in [(1, 1), (6, 1), (6, 6)]]) + dz * normal
            contours.append(contour(tri))
    rt = write_rtstruct(tmp_path / "rt.dcm", [("Cord", contours)])

    def read() -> tuple[list, list, int]:
        result = read_rtstruct(rt, image_dir=tmp_path)
        p = result.project
        placed = sorted(
            (p.images[a.image_id].file_name, repr(a.segmentation)) for a in p.annotations.values()
        )
        return placed, result.problems, result.skipped["objects"]

    ours = read()
    monkeypatch.setattr(rtstruct._Images, "near", lambda self, ras: list(self.slices.values()))
    assert ours == read()
    hit = {name for name, _ in ours[0]}
    assert len(hit) >= 6 and {"AX#z=005", "OB#z=003"} <= hit and ours[2] > 10  # some contours off all


def test_contour_data_in_bulk_equals_pydicom(tmp_path):
    """ContourData read in bulk from the file's bytes (``_ds_floats``: one JSON array when the values are
    plain numbers, else value by value) equals pydicom's reading of the same element, number for number:
    random values at 10 and 16 significant digits and in exponent form (the bulk path), and DS spellings
    JSON refuses (``+4``, ``1.``, ``.5``, ``007``, ``-0``, spaces; the value-by-value path)."""
    import warnings

    from pixelproof.interop.rtstruct import CONTOUR_DATA, _points

    rng = np.random.default_rng(3)
    values = np.concatenate(
        [rng.normal(0, 300, 1500), rng.uniform(-1, 1, 1500) * 10.0 ** rng.integers(-20, 20, 1500)]
    )
    spellings = [
        [f"{v:.10g}" for v in values],
        [f"{v:.16g}" for v in values],
        [f"{v:.8E}" for v in values],
        ["+4", "1.", ".5", "007", "-0", " 3.5", "2 ", "1e+02", "-1.25E-3"],
    ]
    contours = []
    for text in spellings:
        c = contour([[0, 0, 0]] * (len(text) // 3))
        c.ContourData = text[: len(text) // 3 * 3]
        contours.append(c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns about DS spellings it would not write itself
        rt = write_rtstruct(tmp_path / "rt.dcm", [("Body", contours)])
        read = pydicom.dcmread(rt).ROIContourSequence[0].ContourSequence
        for k, c in enumerate(read):
            raw = c.get_item(CONTOUR_DATA).value
            assert isinstance(raw, bytes)  # read from the file's bytes, not from pydicom's values
            ours = _points(c, f"contour {k}")
            theirs = np.array([float(v) for v in c.ContourData], np.float64).reshape(-1, 3)
            assert ours.shape == theirs.shape and (ours == theirs).all(), k


def test_nesting_over_overlapping_extents_equals_every_pair() -> None:
    """The contours of one ROI on a slice nested through ``ring_candidates`` (only rings whose extent holds a
    ring's first vertex are tested) read as the first nesting that tested every ring against every other
    (``bench.rtstruct_export.nest_each``): random rings, some concentric up to four deep, some on the pixel
    grid so that vertices fall on other rings' edges and corners, copies of one ring. Outlines, holes and
    their order must all be the same."""
    from bench.rtstruct_export import nest_each

    from pixelproof.interop.rtstruct import _nest

    rng = np.random.default_rng(11)
    holes = 0
    for trial in range(60):
        rings = []
        for _ in range(int(rng.integers(1, 40))):
            c, r = rng.uniform(0, 30, 2), rng.uniform(1, 12)
            t = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(3, 10))))
            for depth in range(int(rng.integers(1, 5))):  # concentric: each inside the one before
                ring = np.c_[c[0] + r * 0.6**depth * np.cos(t), c[1] + r * 0.6**depth * np.sin(t)]
                ring = np.round(ring) if rng.random() < 0.3 else ring
                rings.append(np.vstack([ring, ring[:1]]))
            if rng.random() < 0.1:
                rings.append(rings[-1].copy())
        order = rng.permutation(len(rings))
        rings = [rings[k] for k in order]
        want, got = nest_each(rings), _nest(rings)
        assert got is not None
        assert len(got) == len(want), trial
        for (o1, h1), (o2, h2) in zip(got, want, strict=True):
            assert o1 is o2 and len(h1) == len(h2) and all(a is b for a, b in zip(h1, h2, strict=True)), trial
        holes += sum(len(h) for _, h in want)
    assert holes > 100  # the rings did nest


def test_thousands_of_copies_of_one_contour_are_outlines_said_not_hours_of_nesting(tmp_path) -> None:
    """3,000 copies of one contour of one ROI on one slice would be 9 x 10**6 containment tests (about three
    minutes; 10,000 copies, half an hour): past ``limits.MAX_NESTING_TESTS`` for the file they are read as
    outlines, said naming the file, the ROI and the slice, and none is tested. A ROI read before them keeps
    its hole, and a later slice that needs few tests still nests within what is left."""
    from pixelproof.core import limits
    from pixelproof.interop import rtstruct

    cts = write_series(
        tmp_path / "CT", iop=AXIAL, origin=(0.0, 0.0, 0.0), spacing=(1.0, 1.0), zs=(0, 2), size=(32, 32)
    )
    square = [(2, 2), (29, 2), (29, 29), (2, 29)]
    inner = [(8, 8), (23, 8), (23, 23), (8, 23)]
    body = [contour([lps(cts[0], c, r) for c, r in ring], cts[0].SOPInstanceUID) for ring in (square, inner)]
    copy = contour([lps(cts[0], c, r) for c, r in inner], cts[0].SOPInstanceUID)
    late = [contour([lps(cts[1], c, r) for c, r in ring], cts[1].SOPInstanceUID) for ring in (square, inner)]
    write_rtstruct(tmp_path / "rt.dcm", [("Body", body), ("Copies", [copy] * 3000), ("Late", late)])
    assert limits.MAX_NESTING_TESTS < 3000 * 2999
    made = []
    kept = rtstruct.ring_contains
    rtstruct.ring_contains = lambda ring, point: made.append(1) or kept(ring, point)  # type: ignore[assignment]
    try:
        result = read_rtstruct(tmp_path / "rt.dcm", image_dir=tmp_path)
    finally:
        rtstruct.ring_contains = kept  # type: ignore[assignment]
    assert len(made) == 1 + 1  # the inner ring in the square, for Body and for Late; no copy tested
    said = [p for p in result.problems if "not nested" in p]
    assert len(said) == 1 and said[0].startswith(f"{tmp_path / 'rt.dcm'}: ROI 2 “Copies” on "), said
    assert "3,000 contours" in said[0] and "outline" in said[0]
    by_cat = {c.name: c.id for c in result.project.categories.values()}
    anns = list(result.project.annotations.values())
    assert sum(a.category_id == by_cat["Copies"] for a in anns) == 3000
    assert sum(a.category_id == by_cat["Body"] for a in anns) == 1  # the outline with its hole
    assert sum(a.category_id == by_cat["Late"] for a in anns) == 1
