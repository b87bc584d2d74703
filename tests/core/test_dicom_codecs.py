"""Compressed DICOM transfer syntaxes (JPEG Baseline, JPEG Lossless .57/.70, JPEG 2000, JPEG-LS, RLE) decode
through the bundled permissively licensed plugins to the values others state: pydicom's own decoding and
modality LUT, DCMTK's decompressed copies, and the pixel values pydicom's reference lists for JPEG-LL.dcm
(decoded there by the GPL libjpeg plugin PixelProof leaves out)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_modality_lut, pixel_array

from pixelproof.core.dicom import frame_count, read_dicom
from pixelproof.core.imageio import read_image

DATA = Path(__file__).resolve().parent.parent / "data" / "pydicom-data"

# (file in pydicom's wheel, transfer syntax UID): every compressed family the issue lists, signed and
# unsigned, 8/16/32-bit, grey and colour, single and multi-frame
WHEEL_FILES = [
    ("SC_rgb_jpeg_dcmtk.dcm", "1.2.840.10008.1.2.4.50"),  # JPEG Baseline, YBR_FULL
    ("SC_rgb_dcmtk_+eb+cy+np.dcm", "1.2.840.10008.1.2.4.50"),  # JPEG Baseline, YBR_FULL_422
    ("examples_ybr_color.dcm", "1.2.840.10008.1.2.4.50"),  # JPEG Baseline, 30 frames (ultrasound)
    ("SC_rgb_jpeg_gdcm.dcm", "1.2.840.10008.1.2.4.70"),  # JPEG Lossless SV1 (python-gdcm)
    ("693_J2KI.dcm", "1.2.840.10008.1.2.4.91"),  # JPEG 2000 lossy CT, signed, Rescale -> HU
    ("J2K_pixelrep_mismatch.dcm", "1.2.840.10008.1.2.4.90"),  # JPEG 2000 lossless CT, 13 bits signed
    ("JPEG2000.dcm", "1.2.840.10008.1.2.4.91"),  # JPEG 2000 NM, signed 16-bit
    ("GDCMJ2K_TextGBR.dcm", "1.2.840.10008.1.2.4.90"),  # JPEG 2000 lossless, YBR_RCT colour
    ("JPEGLSNearLossless_16.dcm", "1.2.840.10008.1.2.4.81"),  # JPEG-LS near-lossless (pyjpegls)
    ("MR_small_jpeg_ls_lossless.dcm", "1.2.840.10008.1.2.4.80"),  # JPEG-LS lossless
    ("MR_small_RLE.dcm", "1.2.840.10008.1.2.5"),  # RLE, signed 16-bit
    ("SC_rgb_rle_32bit_2frame.dcm", "1.2.840.10008.1.2.5"),  # RLE, RGB 32-bit, 2 frames
    ("rtdose_rle.dcm", "1.2.840.10008.1.2.5"),  # RLE, 32-bit grey, 15 frames
]


def wheel_file(name: str) -> Path:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"{name} is not bundled with this pydicom wheel")
    return Path(path)


def pydicom_values(path: Path, frame: int) -> np.ndarray:
    """What pydicom itself makes of ``frame``: its decoders, RGB for colour, then its modality LUT."""
    ds = pydicom.dcmread(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = pixel_array(ds, index=frame) if frame_count(ds) > 1 else ds.pixel_array
    return arr if arr.ndim == 3 else apply_modality_lut(arr, ds)


@pytest.mark.parametrize(("name", "syntax"), WHEEL_FILES, ids=[n for n, _ in WHEEL_FILES])
def test_compressed_syntaxes_give_pydicoms_values(name: str, syntax: str) -> None:
    path = wheel_file(name)
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    assert ds.file_meta.TransferSyntaxUID == syntax  # the file is still the syntax it stands for here
    n = frame_count(ds)
    for frame in sorted({0, n - 1}):
        ours = read_dicom(path, frame if n > 1 else None)
        expected = pydicom_values(path, frame)
        assert ours.shape == expected.shape
        np.testing.assert_array_equal(ours, expected)
        if ours.ndim == 2 and expected.dtype.kind == "f":  # rescaled: kept as whole numbers when exact
            assert ours.dtype in (np.int16, np.int32, np.float32)
    if name == "693_J2KI.dcm":
        assert read_dicom(path).min() < 0 and ds.RescaleIntercept == -1024  # HU, signed


@pytest.mark.parametrize(
    ("jpeg", "dcmtk"),
    [
        ("SC_rgb_dcmtk_+eb+cr.dcm", "SC_rgb_dcmtk_ebcr_dcmd.dcm"),  # RGB kept
        ("SC_rgb_dcmtk_+eb+cy+n1.dcm", "SC_rgb_dcmtk_ebcyn1_dcmd.dcm"),  # YBR_FULL
        ("SC_rgb_dcmtk_+eb+cy+s2.dcm", "SC_rgb_dcmtk_ebcys2_dcmd.dcm"),  # YBR_FULL_422, subsampled
    ],
)
def test_jpeg_baseline_equals_dcmtks_decompression(jpeg: str, dcmtk: str) -> None:
    ours = read_image(wheel_file(jpeg))
    reference = pydicom.dcmread(DATA / dcmtk)
    assert reference.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"  # DCMTK's output is uncompressed
    assert ours.shape == (100, 100, 3) and ours.dtype == np.uint8
    np.testing.assert_array_equal(ours, reference.pixel_array)


def test_jpeg_lossless_sv1_signed_16_bit_matches_pydicoms_reference_values() -> None:
    path = DATA / "JPEG-LL.dcm"
    assert (
        pydicom.dcmread(path, stop_before_pixels=True).file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.70"
    )
    arr = read_image(path)
    assert arr.shape == (1024, 256) and arr.dtype == np.int16
    # pydicom tests/pixels/pixels_reference.py, JPGS_16_16_1_1_1F_M2
    assert tuple(arr[400, 124:132]) == (60, 58, 61, 68, 59, 65, 64, 67)
    assert tuple(arr[600, 124:132]) == (3, 1, 2, 0, 2, 1, 2, 0)


def test_jpeg_lossless_process14_written_by_gdcm_gives_the_same_hounsfield_units(tmp_path: Path) -> None:
    """.57 (Process 14, any predictor) is the usual CT/MR archive syntax and is in no test wheel: GDCM
    writes CT_small.dcm in it; lossless, so the HU must equal the uncompressed file's."""
    gdcm = pytest.importorskip("gdcm")
    source, out = wheel_file("CT_small.dcm"), tmp_path / "ct_57.dcm"
    reader = gdcm.ImageReader()
    reader.SetFileName(str(source))
    assert reader.Read()
    change = gdcm.ImageChangeTransferSyntax()
    change.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.JPEGLosslessProcess14))
    change.SetInput(reader.GetImage())
    assert change.Change()
    writer = gdcm.ImageWriter()
    writer.SetFile(reader.GetFile())
    writer.SetImage(change.GetOutput())
    writer.SetFileName(str(out))
    assert writer.Write()
    assert (
        pydicom.dcmread(out, stop_before_pixels=True).file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.57"
    )
    hu = read_image(out)
    assert hu.dtype == np.int16 and hu.min() < 0
    np.testing.assert_array_equal(
        hu, apply_modality_lut(pydicom.dcmread(source).pixel_array, pydicom.dcmread(source))
    )
