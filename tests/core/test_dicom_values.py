"""DICOM pixel values and display windows against pydicom's own (``apply_modality_lut``, ``apply_voi_lut``)
for files built with known answers: per-frame and per-file windows, rescales past float32, byte order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.pixels import apply_modality_lut, apply_voi_lut, pixel_array
from pydicom.sequence import Sequence

from pixelproof.core.imageio import read_image, to_display8
from pixelproof.core.sources import image_meta
from tests.core.test_dicom import _ct


def _item(**attrs: object) -> Dataset:
    d = Dataset()
    for name, value in attrs.items():
        setattr(d, name, value)
    return d


def _shown_as_pydicom_shows(values: np.ndarray, window: tuple[float, float], ds: Dataset) -> None:
    """``to_display8`` through ``window`` is pydicom's VOI output scaled to 0..255 (within rounding)."""
    expected = apply_voi_lut(values.astype(np.float64), ds).astype(np.float64)
    expected = expected / (2 ** int(ds.BitsStored) - 1) * 255
    assert np.abs(to_display8(values, window).astype(float) - expected).max() <= 1


def test_each_frame_of_a_multiframe_object_shows_at_its_own_window(tmp_path: Path) -> None:
    """An enhanced object keeps a rescale and a window per frame (Frame VOI LUT, e.g. the b-values of a
    diffusion MR: values tens of times apart). Every frame showed at frame 0's window, so the later
    frames came out white; each now shows at its own, as pydicom maps that frame."""
    stored = np.stack([np.arange(20, dtype=np.uint16).reshape(4, 5) * 50 for _ in range(3)])
    frames = [
        _item(
            PixelValueTransformationSequence=Sequence(
                [_item(RescaleSlope=str(10**k), RescaleIntercept="0", RescaleType="US")]
            ),
            FrameVOILUTSequence=Sequence(
                [_item(WindowCenter=str(500 * 10**k), WindowWidth=str(1000 * 10**k))]
            ),
            PlanePositionSequence=Sequence([_item(ImagePositionPatient=[0, 0, k])]),
        )
        for k in range(3)
    ]
    path = _ct(
        tmp_path / "mf.dcm",
        rows=4,
        columns=5,
        frames=3,
        PixelRepresentation=0,
        BitsStored=16,
        HighBit=15,
        RescaleSlope=None,
        RescaleIntercept=None,
        PerFrameFunctionalGroupsSequence=Sequence(frames),
        PixelData=stored.tobytes(),
    )
    ds = pydicom.dcmread(path)
    for k in range(3):
        name = f"{path}#z={k:03d}"
        frame = ds.PerFrameFunctionalGroupsSequence[k]
        values = read_image(name)
        np.testing.assert_array_equal(
            values, apply_modality_lut(pixel_array(ds, index=k), frame.PixelValueTransformationSequence[0])
        )
        window = image_meta(name).window
        assert window == (
            500 * 10**k - 0.5 - (1000 * 10**k - 1) / 2,
            500 * 10**k - 0.5 + (1000 * 10**k - 1) / 2,
        )
        voi = frame.FrameVOILUTSequence[0]
        header = _item(BitsStored=16, PixelRepresentation=0, PhotometricInterpretation="MONOCHROME2")
        header.WindowCenter, header.WindowWidth = voi.WindowCenter, voi.WindowWidth
        _shown_as_pydicom_shows(values, window, header)


def test_each_slice_of_a_series_shows_at_its_own_files_window(tmp_path: Path) -> None:
    """The files of a series may each carry a window (an MR scanner windows every slice): every slice
    showed at the first file's. Each slice's "file's window" is now its file's."""
    folder = tmp_path / "MR"
    for k, (center, width) in enumerate(((100, 200), (3000, 4000))):
        _ct(
            folder / f"s{k}.dcm",
            ImagePositionPatient=[0, 0, k],
            WindowCenter=str(center),
            WindowWidth=str(width),
        )
    for k in range(2):
        ds = pydicom.dcmread(folder / f"s{k}.dcm")
        c, w = float(ds.WindowCenter), float(ds.WindowWidth)
        assert image_meta(f"{folder}#z={k:03d}").window == (c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2)
        assert image_meta(f"{folder}#z={k:03d}").window == image_meta(folder / f"s{k}.dcm").window


def test_an_intercept_past_float32_shows_the_stored_values(tmp_path: Path) -> None:
    """An intercept of 1e300 is finite to pydicom (float64) but infinite as the float32 the app keeps:
    every value read ``inf`` and the picture one flat colour. As for a NaN slope, the stored values show."""
    path = _ct(tmp_path / "ct.dcm", RescaleIntercept="1e300")
    ds = pydicom.dcmread(path)
    assert np.isfinite(apply_modality_lut(ds.pixel_array, ds)).all()
    np.testing.assert_array_equal(read_image(path), ds.pixel_array)


def test_a_big_endian_file_gives_the_values_and_model_input_of_its_little_endian_twin(tmp_path: Path) -> None:
    """Explicit VR Big Endian pixels came back big-endian (``>u2``): not one of the types a backend is
    promised, and ``as_rgb8`` took them for "other" (percentiles) instead of uint16 (its top byte), so a
    model saw another picture than for the same image stored little-endian."""
    from pydicom.uid import ExplicitVRBigEndian

    from pixelproof.inference.rgb8_input import as_rgb8

    stored = (np.arange(64, dtype=np.uint16) * 1000).reshape(8, 8)
    attrs = dict(PixelRepresentation=0, BitsStored=16, HighBit=15, RescaleSlope=None, RescaleIntercept=None)
    little = _ct(tmp_path / "le.dcm", PixelData=stored.tobytes(), **attrs)
    ds, big = pydicom.dcmread(little), tmp_path / "be.dcm"
    ds.PixelData, ds.file_meta.TransferSyntaxUID = stored.astype(">u2").tobytes(), ExplicitVRBigEndian
    pydicom.dcmwrite(big, ds, implicit_vr=False, little_endian=False, enforce_file_format=True)
    np.testing.assert_array_equal(pydicom.dcmread(big).pixel_array, stored)  # the file is what it says
    values = read_image(big)
    assert values.dtype == np.uint16 and values.dtype.isnative
    np.testing.assert_array_equal(values, read_image(little))
    np.testing.assert_array_equal(as_rgb8(values), as_rgb8(read_image(little)))
