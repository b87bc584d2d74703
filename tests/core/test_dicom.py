"""DICOM reading on pydicom's own test files: values after the modality LUT, transfer syntaxes, series,
multi-frame objects, display and geometry attributes, and clear errors on bad input."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_modality_lut

from pixelproof.core import sources
from pixelproof.core.dicom_series import open_series, scan_folder
from pixelproof.core.imageio import ImageReadError, image_size, read_image
from pixelproof.core.sources import image_meta, scan_images


def pydicom_file(name: str) -> Path:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"{name} is not bundled with this pydicom wheel")
    return Path(path)


def test_ct_values_are_hounsfield_units_as_pydicom_computes_them() -> None:
    path = pydicom_file("CT_small.dcm")
    ds = pydicom.dcmread(path)
    expected = apply_modality_lut(ds.pixel_array, ds)  # float64: stored * slope + intercept
    hu = read_image(path)
    assert hu.dtype == np.int16  # whole numbers: kept signed, not float
    np.testing.assert_array_equal(hu, expected)
    assert hu.min() < 0  # air/fat below zero: the rescale was applied, not the raw stored values
    assert image_size(path) == (128, 128)


@pytest.mark.parametrize(
    "compressed",
    [
        "MR_small_RLE.dcm",  # RLE Lossless
        "MR_small_jp2klossless.dcm",  # JPEG 2000 lossless (pylibjpeg-openjpeg)
        "MR_small_jpeg_ls_lossless.dcm",  # JPEG-LS lossless (pyjpegls)
        "MR_small_bigendian.dcm",
        "MR_small_implicit.dcm",
    ],
)
def test_lossless_transfer_syntaxes_decode_to_the_uncompressed_pixels(compressed: str) -> None:
    np.testing.assert_array_equal(
        read_image(pydicom_file(compressed)), read_image(pydicom_file("MR_small.dcm"))
    )


def test_jpeg_lossless_process14_decodes_through_gdcm() -> None:
    # SC_rgb_jpeg_gdcm.dcm is JPEG Lossless SV1 (1.2.840.10008.1.2.4.70): only gdcm (or GPL code) decodes it
    assert pydicom.dcmread(pydicom_file("SC_rgb_jpeg_gdcm.dcm")).file_meta.TransferSyntaxUID.endswith(".4.70")
    rgb = read_image(pydicom_file("SC_rgb_jpeg_gdcm.dcm"))
    assert rgb.shape == (100, 100, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb, read_image(pydicom_file("SC_rgb_rle.dcm")))  # same picture, RLE


def test_unsupported_transfer_syntax_names_itself() -> None:
    path = pydicom_file("JPEG-lossy.dcm")  # 12-bit JPEG Extended: no permissively licensed decoder
    with pytest.raises(ImageReadError) as err:
        read_image(path)
    msg = str(err.value)
    assert str(path) in msg and "JPEG Extended" in msg and "1.2.840.10008.1.2.4.51" in msg


def test_display_and_geometry_attributes() -> None:
    mr = image_meta(pydicom_file("MR_small.dcm"))
    assert mr.window == (-200.0, 1399.0)  # center 600, width 1600 with DICOM's linear function
    assert mr.pixel_spacing == (0.3125, 0.3125) and mr.modality == "MR" and not mr.invert
    cr = image_meta(pydicom_file("dicomdirtests") / "77654033" / "CR1" / "6154")
    assert cr.invert  # MONOCHROME1
    assert cr.pixel_spacing == (0.1, 0.1)  # ImagerPixelSpacing of a projection image


def test_series_folder_is_sorted_by_position_and_read_per_slice(tmp_path: Path) -> None:
    folder = tmp_path / "CT2"
    shutil.copytree(pydicom_file("dicomdirtests") / "77654033" / "CT2", folder)
    files = sorted(folder.iterdir())
    datasets = {f: pydicom.dcmread(f) for f in files}
    by_z = sorted(files, key=lambda f: float(datasets[f].ImagePositionPatient[2]))
    series = open_series(folder)
    assert series.depth == 4 and [f.name for f in series.files] == [f.name for f in by_z]
    assert np.all(np.diff(series.positions) > 0)
    for k, f in enumerate(by_z):
        ds = datasets[f]
        expected = apply_modality_lut(ds.pixel_array, ds)
        np.testing.assert_array_equal(read_image(f"{folder}#z={k:03d}"), expected)
        assert image_meta(f"{folder}#z={k:03d}").slice_position == pytest.approx(
            float(ds.ImagePositionPatient[2])
        )


def test_folder_scan_makes_series_slices_multiframe_frames_and_single_images(tmp_path: Path) -> None:
    root = tmp_path / "study"
    shutil.copytree(pydicom_file("dicomdirtests") / "77654033" / "CT2", root / "ct")
    shutil.copy(pydicom_file("SC_rgb_rle_2frame.dcm"), root / "cine.dcm")
    shutil.copy(pydicom_file("CT_small.dcm"), root / "scout")  # no suffix: found by its DICM preamble
    (root / "notes.txt").write_text("not an image")
    skipped: list[str] = []
    entries = scan_images(root, skipped.append)
    names = [e.file_name(root) for e in entries]
    assert names == [
        "cine.dcm#z=000",
        "cine.dcm#z=001",
        "ct#z=000",
        "ct#z=001",
        "ct#z=002",
        "ct#z=003",
        "scout",
    ]
    assert any("notes.txt" in s for s in skipped)
    frames = pydicom.dcmread(root / "cine.dcm").pixel_array
    np.testing.assert_array_equal(read_image(root / "cine.dcm#z=001"), frames[1])
    assert not np.array_equal(frames[0], frames[1])
    ct = {e.file_name(root): e for e in entries}["ct#z=002"]
    assert ct.extra["pixel_spacing"] == [0.488281, 0.488281] and "slice_position" in ct.extra
    # nothing about the patient is copied into the records
    text = repr([e.extra for e in entries])
    assert "Doe" not in text and "77654033" not in text and "1995" not in text


def test_folder_with_two_series_names_them(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for sub in ("CT2", "CT5N"):
        src = pydicom_file("dicomdirtests") / ("77654033" if sub == "CT2" else "98892001") / sub
        for f in src.iterdir():
            shutil.copy(f, folder / f"{sub}_{f.name}")
    scan = scan_folder(folder)
    assert [len(s.files) for s in scan.series] == [4, 5] or [len(s.files) for s in scan.series] == [5, 4]
    entries = scan_images(folder, lambda m: None)
    names = {e.file_name(tmp_path) for e in entries}
    assert "mixed#series=1&z=000" in names and "mixed#series=2&z=003" in names
    with pytest.raises(ImageReadError, match="holds 2 series"):
        read_image(f"{folder}#z=000")
    assert read_image(f"{folder}#series=2&z=001").shape == (16, 16)


def test_bad_dicom_input_gives_located_errors(tmp_path: Path) -> None:
    truncated = pydicom_file("MR_truncated.dcm")
    with pytest.raises(ImageReadError, match=r"MR_truncated\.dcm"):
        read_image(truncated)
    fake = tmp_path / "fake.dcm"
    fake.write_bytes(b"\0" * 128 + b"DICM" + b"\xff" * 50)
    with pytest.raises(ImageReadError, match=r"fake\.dcm"):
        read_image(fake)
    empty = tmp_path / "empty.dcm"
    empty.write_bytes(b"")
    with pytest.raises(ImageReadError, match=r"empty\.dcm"):
        image_size(empty)
    cine = tmp_path / "cine.dcm"
    shutil.copy(pydicom_file("SC_rgb_rle_2frame.dcm"), cine)
    with pytest.raises(ImageReadError, match="out of range"):
        read_image(f"{cine}#z=002")
    with pytest.raises(ImageReadError, match="not found"):
        read_image(tmp_path / "gone#z=000")
    assert sources.read_special(tmp_path / "plain.png") is None  # plain images are not ours


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_fifos_are_refused_without_blocking(tmp_path: Path) -> None:
    for name in ("scan.dcm", "cine.dcm#z=001", "slide.tif", "vol.nii#z=000"):
        fifo = tmp_path / name.split("#")[0]
        if not fifo.exists():
            os.mkfifo(fifo)
        with pytest.raises(ImageReadError, match="not a"):
            read_image(tmp_path / name)


def _new_dataset(sop_class: str, syntax: str):  # type: ignore[no-untyped-def]
    """A dataset of ``sop_class`` with its file meta for ``syntax`` and a new instance UID."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import generate_uid

    meta = FileMetaDataset()
    meta.TransferSyntaxUID = syntax
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, meta.MediaStorageSOPInstanceUID
    return ds


def _grey_capture(syntax: str, side: int):  # type: ignore[no-untyped-def]
    """An 8-bit grey secondary capture of ``side`` x ``side`` in ``syntax``, without its pixel data."""
    from pydicom.uid import SecondaryCaptureImageStorage

    ds = _new_dataset(SecondaryCaptureImageStorage, syntax)
    ds.Rows = ds.Columns = side
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit, ds.PixelRepresentation = 7, 0
    return ds


def _deflated(path: Path, private_bytes: int) -> Path:
    """A deflated 16 x 16 secondary capture carrying ``private_bytes`` zeros in a private element."""
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    ds = _grey_capture(DeflatedExplicitVRLittleEndian, 16)
    ds.add_new(0x00091010, "OB", bytes(private_bytes))
    ds.PixelData = bytes(range(256))
    ds.save_as(path, enforce_file_format=True)
    return path


def test_a_deflated_file_inflating_past_the_limit_is_refused_without_inflating_it_whole(
    tmp_path: Path,
) -> None:
    """pydicom inflates a deflated dataset whole before reading a tag (0.5 MB of file took 1.1 GB). Here
    8 MB of zeros under a 1 Mpx limit (2 MB inflated at most); pydicom's own deflated test file reads."""
    import tracemalloc

    from pixelproof.core import limits
    from pixelproof.core.dicom import DicomError, read_dataset

    bomb = _deflated(tmp_path / "bomb.dcm", 8 << 20)
    assert bomb.stat().st_size < 100_000
    limits.set_max_pixels(1 << 20)
    try:
        tracemalloc.start()
        with pytest.raises(DicomError, match=r"bomb\.dcm: its deflated dataset inflates past 2,097,152"):
            read_dataset(bomb)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 4 << 20, peak
        real = pydicom_file("image_dfl.dcm")
        np.testing.assert_array_equal(
            read_dataset(real, pixels=True).pixel_array, pydicom.dcmread(real).pixel_array
        )
        limits.set_max_pixels(8 << 20)  # raised: the bomb is a file like any other
        assert read_dataset(bomb).Rows == 16
    finally:
        tracemalloc.stop()
        limits.set_max_pixels(None)


def test_jpeg_frames_of_thousands_of_scans_are_refused_frame_by_frame(tmp_path: Path) -> None:
    """A JPEG DICOM whose frame is a progressive stream of 600 empty scans more (each a pass over the
    frame); in a multi-frame object the other frames still read."""
    from pydicom.encaps import encapsulate
    from pydicom.uid import JPEGBaseline8Bit

    from pixelproof.core.dicom import DicomError, read_dicom
    from tests.bombs import many_scans_jpeg

    def jpeg_dicom(path: Path, frames: list[bytes]) -> Path:
        ds = _grey_capture(JPEGBaseline8Bit, 64)
        ds.NumberOfFrames = len(frames)
        ds.PixelData = encapsulate(frames, has_bot=True)
        ds["PixelData"].VR = "OB"
        ds.save_as(path, enforce_file_format=True)
        return path

    good, bomb = many_scans_jpeg(64, 0, "L"), many_scans_jpeg(64, 600, "L")
    with pytest.raises(DicomError, match=r"one\.dcm: \d+ JPEG scans where at most 500 are decoded"):
        read_dicom(jpeg_dicom(tmp_path / "one.dcm", [bomb]))
    three = jpeg_dicom(tmp_path / "three.dcm", [good, bomb, good])
    assert read_dicom(three, 0).shape == (64, 64)
    assert read_dicom(three, 2).shape == (64, 64)
    with pytest.raises(DicomError, match=r"three\.dcm: \d+ JPEG scans where at most 500"):
        read_dicom(three, 1)


def _ct(path: Path, rows: int = 8, columns: int = 8, frames: int | None = None, **attrs: object) -> Path:
    """A signed 16-bit CT image of ``rows`` x ``columns`` (values 0..rows*columns-1, HU = value - 1024),
    ``frames`` frames when given; ``attrs`` set or (None) remove header elements."""
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

    ds = _new_dataset(CTImageStorage, ExplicitVRLittleEndian)
    ds.SeriesInstanceUID, ds.Modality = "1.2.3", "CT"
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 1
    ds.RescaleSlope, ds.RescaleIntercept = "1", "-1024"
    ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, 0], [1, 0, 0, 0, 1, 0]
    if frames is not None:
        ds.NumberOfFrames = frames
    ds.PixelData = (np.arange(rows * columns * (frames or 1)) % 4096).astype(np.int16).tobytes()
    for name, value in attrs.items():
        if value is None:
            delattr(ds, name)
        else:
            setattr(ds, name, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def test_rows_or_columns_that_are_zero_or_two_numbers_are_reported(tmp_path: Path) -> None:
    """Rows 0 made a 0-pixel record, a project that did not load again; Rows of two values (VM 2) made
    ``int()`` raise TypeError out of the folder scan."""
    from pixelproof.core.image_folder import project_from_folder

    root = tmp_path / "study"
    _ct(root / "ok.dcm")
    _ct(root / "zero.dcm", rows=0)
    two = _ct(root / "two.dcm")
    data = two.read_bytes()
    rows = b"\x28\x00\x10\x00US\x02\x00\x08\x00"  # (0028,0010) Rows, US, 2 bytes: 8
    assert data.count(rows) == 1
    two.write_bytes(data.replace(rows, b"\x28\x00\x10\x00US\x04\x00\x08\x00\x08\x00"))
    skipped: list[str] = []
    project = project_from_folder(root, tmp_path / "project.json", on_skip=skipped.append)
    assert [im.file_name for im in project.images.values()] == ["study/ok.dcm"]
    assert f"{two}: the DICOM image has no size (Rows 0, Columns 8); skipped" in skipped
    assert f"{root / 'zero.dcm'}: the DICOM image has no size (Rows 0, Columns 8); skipped" in skipped
    for bad in (two, root / "zero.dcm"):
        with pytest.raises(ImageReadError, match="has no size"):
            image_size(bad)
        with pytest.raises(ImageReadError, match="has no size"):
            read_image(bad)


def test_a_series_without_positions_has_no_slice_position(tmp_path: Path) -> None:
    """Slices without ImagePositionPatient are placed by InstanceNumber; their unknown position (NaN)
    went into the records as slice_position NaN, and the project could not be saved (JSON has no NaN)."""
    import json

    from pixelproof.core.coco import project_from_dict
    from pixelproof.core.coco_dump import project_to_dict
    from pixelproof.core.image_folder import project_from_folder

    for k in range(3):
        _ct(tmp_path / "ct" / f"{k}.dcm", ImagePositionPatient=None, InstanceNumber=k + 1)
    project = project_from_folder(tmp_path / "ct", tmp_path / "project.json")
    assert [im.file_name for im in project.images.values()] == ["ct#z=000", "ct#z=001", "ct#z=002"]
    assert all("slice_position" not in im.extra for im in project.images.values())
    assert image_meta(tmp_path / "ct#z=001").slice_position is None
    project_from_dict(json.loads(json.dumps(project_to_dict(project), allow_nan=False)))


def test_a_multiframe_header_of_two_billion_frames_is_skipped_at_once(tmp_path: Path) -> None:
    """NumberOfFrames 2**31 - 1 (an 8 x 8 image of one frame's data): the frame positions were computed
    one by one, for hours, before the slice count was checked. Run in a child so a hang cannot stall
    the test run."""
    import subprocess
    import sys

    _ct(tmp_path / "study" / "cine.dcm", frames=1, NumberOfFrames=2**31 - 1)
    _ct(tmp_path / "study" / "fine.dcm")
    code = (
        "import sys; from pathlib import Path; from pixelproof.core.sources import scan_images; s = []; "
        "e = scan_images(Path(sys.argv[1]), s.append); print([x.path.name for x in e]); print(s)"
    )
    import pixelproof

    env = {**os.environ, "PYTHONPATH": str(Path(pixelproof.__file__).parents[1])}  # this checkout's code
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "study")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    entries, skipped = done.stdout.splitlines()
    assert entries == "['fine.dcm']"
    # its Pixel Data holds one frame: the header is found not to fit it before any frame is counted
    assert (
        "cine.dcm: its Pixel Data holds 128 bytes, but the header's image (8 x 8 pixels x 2147483647"
        in skipped
    )


def test_pixel_data_longer_than_its_header_says_gives_the_headers_image(tmp_path: Path) -> None:
    """An 8 x 8 single-frame image whose pixel data holds 10 frames came back from read_image as a
    (10, 8, 8) array: 10 rows of 8 pixels of 8 channels, not the 8 x 8 image image_size reports."""
    f = _ct(tmp_path / "long.dcm", PixelData=(np.arange(640) % 4096).astype(np.int16).tobytes())
    assert image_size(f) == (8, 8)
    values = read_image(f)
    assert values.shape == (8, 8)
    np.testing.assert_array_equal(values, np.arange(64).reshape(8, 8) - 1024)  # the first frame


@pytest.mark.filterwarnings("ignore:Invalid value for VR DS", "ignore:overflow encountered")
@pytest.mark.parametrize(("slope", "intercept"), [("NaN", "0"), ("1", "inf"), ("1e308", "0")])
def test_a_rescale_that_makes_values_non_finite_is_not_applied(
    tmp_path: Path, slope: str, intercept: str
) -> None:
    """A NaN or infinite slope or intercept (or one that overflows) made every value NaN or infinite,
    so the picture showed as one flat colour; its stored values show instead, as for a malformed LUT
    (found by fuzzing)."""
    ds = pydicom.dcmread(pydicom_file("CT_small.dcm"))
    stored = ds.pixel_array.copy()
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    ds.save_as(tmp_path / "ct.dcm")
    assert not np.isfinite(apply_modality_lut(stored, ds)).all()  # pydicom's own rescale: non-finite
    np.testing.assert_array_equal(read_image(tmp_path / "ct.dcm"), stored)


def _enhanced_ct(path: Path, position: float, instance: int) -> Path:
    """A single-frame Enhanced CT image: its spacing and orientation in the shared functional groups, its
    position and rescale (HU = stored - 1024) in the per-frame group of its one frame, none at the top."""
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence
    from pydicom.uid import EnhancedCTImageStorage, ExplicitVRLittleEndian

    def item(**attrs: object) -> Dataset:
        d = Dataset()
        for name, value in attrs.items():
            setattr(d, name, value)
        return d

    ds = _new_dataset(EnhancedCTImageStorage, ExplicitVRLittleEndian)
    ds.SeriesInstanceUID, ds.Modality, ds.InstanceNumber = "1.2.3", "CT", instance
    ds.Rows, ds.Columns, ds.NumberOfFrames = 4, 5, 1
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    measures = item(PixelSpacing=[0.7, 0.9], SliceThickness=2)
    plane = item(ImageOrientationPatient=[1, 0, 0, 0, 1, 0])
    ds.SharedFunctionalGroupsSequence = Sequence(
        [item(PixelMeasuresSequence=Sequence([measures]), PlaneOrientationSequence=Sequence([plane]))]
    )
    rescale = item(RescaleSlope=1, RescaleIntercept=-1024, RescaleType="HU")
    frame = item(
        PlanePositionSequence=Sequence([item(ImagePositionPatient=[0, 0, position])]),
        PixelValueTransformationSequence=Sequence([rescale]),
    )
    ds.PerFrameFunctionalGroupsSequence = Sequence([frame])
    ds.PixelData = (np.arange(20, dtype=np.uint16) + 1000).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def test_single_frame_enhanced_ct_reads_its_functional_groups(tmp_path: Path) -> None:
    """An Enhanced CT object of one frame keeps its rescale and position in the per-frame group of that
    frame: they were looked up only for a frame number, never for the object read whole, so a folder of
    them read the stored values (1000, not -24 HU), had no pixel spacing and no slice positions (sorted
    by InstanceNumber, here the reverse of the positions)."""
    folder = tmp_path / "ECT"
    files = [_enhanced_ct(folder / f"e{k}.dcm", position=5.0 * k, instance=3 - k) for k in range(3)]
    for f in files:
        ds = pydicom.dcmread(f)
        item = ds.PerFrameFunctionalGroupsSequence[0].PixelValueTransformationSequence[0]
        np.testing.assert_array_equal(read_image(f), apply_modality_lut(ds.pixel_array, item))
    assert read_image(files[0])[0, 0] == 1000 - 1024
    series = open_series(folder)
    assert [f.name for f in series.files] == ["e0.dcm", "e1.dcm", "e2.dcm"]
    assert list(series.positions) == [0.0, 5.0, 10.0]
    meta = image_meta(f"{folder}#z=001")
    assert meta.pixel_spacing == (0.7, 0.9) and meta.slice_position == 5.0


def test_a_series_reads_a_signed_voi_lut_start_as_signed(tmp_path: Path) -> None:
    """A VOI LUT's first input value is US or SS by PixelRepresentation, which an implicit VR file does not
    say at the element. The folder scan read the header without PixelRepresentation, so a signed CT
    series' LUT starting at -1024 HU was taken to start at 64512: the window (64512, 64767) showed and
    exported every slice black. Now its window is the LUT's input range as pydicom reads the whole file."""
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence
    from pydicom.uid import ImplicitVRLittleEndian

    folder = tmp_path / "CT"
    for k in range(2):
        lut = Dataset()
        lut.LUTDescriptor = [256, -1024, 12]
        lut.add_new(0x00283006, "US", [int(v) for v in np.linspace(0, 4095, 256)])  # LUT Data
        path = _ct(folder / f"v{k}.dcm", VOILUTSequence=Sequence([lut]), ImagePositionPatient=[0, 0, k])
        ds = pydicom.dcmread(path)
        ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
        ds.save_as(path, enforce_file_format=True)
    start = pydicom.dcmread(folder / "v0.dcm").VOILUTSequence[0].LUTDescriptor[1]
    assert start == -1024
    assert image_meta(folder / "v0.dcm").window == (-1024.0, -769.0)
    assert image_meta(f"{folder}#z=000").window == (-1024.0, -769.0)


def test_a_linear_exact_window_maps_as_pydicom_maps_it(tmp_path: Path) -> None:
    """VOI LUT Function LINEAR_EXACT maps Window Center - Width/2 .. Center + Width/2 (no -0.5/-1 terms,
    any width above 0). It was read as LINEAR: a parametric map's window of 0.8 wide (center 0.5) was
    refused (width < 1: percentiles instead), and a width of 5 (center 2.5) gave (0, 4) for (0, 5), a
    fifth of the range clipped white. Compared with pydicom's apply_voi_lut, scaled to 0..255."""
    from pydicom.pixels import apply_voi_lut

    from pixelproof.core.imageio import to_display8

    for center, width, slope in (("0.5", "0.8", "0.001"), ("2.5", "5", "0.01")):
        path = _ct(
            tmp_path / f"map{width}.dcm",
            RescaleSlope=slope,
            RescaleIntercept="0",
            WindowCenter=center,
            WindowWidth=width,
            VOILUTFunction="LINEAR_EXACT",
            PixelRepresentation=0,
            PixelData=(np.arange(64, dtype=np.uint16) * 16).tobytes(),  # 0 .. 1008 stored
        )
        c, w = float(center), float(width)
        window = image_meta(path).window
        assert window == pytest.approx((c - w / 2, c + w / 2))
        ds = pydicom.dcmread(path)
        values = read_image(path)
        expected = apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds)
        expected = (expected - expected.min()) / (expected.max() - expected.min()) * 255
        assert np.abs(to_display8(values, window).astype(float) - expected).max() <= 1


def test_sequences_nested_thousands_deep_are_one_line_not_a_recursion_error(tmp_path: Path) -> None:
    """pydicom reads a sequence of undefined length by recursion: 5,000 nested in a 90 KB file raised a
    RecursionError out of `pixelproof new` (and the DICOM SEG reader's check of each file). Now the file
    is skipped with its name and the reason, and the folder's other images come in."""
    import struct

    from pixelproof.interop.dicom_seg import read_dicom_seg

    good = _ct(tmp_path / "good.dcm")
    raw = _ct(tmp_path / "tmp.dcm").read_bytes()
    (tmp_path / "tmp.dcm").unlink()
    at = raw.index(b"\x20\x00\x0e\x00UI")  # (0020,000E), after group 8: (0008,1140) goes before it
    level = b"\x08\x00\x40\x11SQ\0\0\xff\xff\xff\xff" + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    end = struct.pack("<HHI", 0xFFFE, 0xE00D, 0) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    (tmp_path / "deep.dcm").write_bytes(raw[:at] + level * 5_000 + end * 5_000 + raw[at:])
    skipped: list[str] = []
    entries = scan_images(tmp_path, skipped.append)
    assert [Path(e.path).name for e in entries] == [good.name]
    assert skipped == [
        f"{tmp_path / 'deep.dcm'}: cannot read the DICOM file: its sequences are nested too deeply; skipped"
    ]
    with pytest.raises(ValueError, match="no DICOM Segmentation objects found"):
        read_dicom_seg(tmp_path)
