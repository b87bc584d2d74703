"""A folder scan (``pixelproof new``, File > Open folder, ``add``) refuses a DICOM or NIfTI slice over the
pixel limit from its header, as it refuses a PNG: a 65535 x 65535 DICOM was listed without a word."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
from PIL import Image

from pixelproof.core import limits
from pixelproof.core.sources import scan_images
from tests.core.test_dicom import _grey_capture


def test_dicom_and_nifti_slices_over_the_pixel_limit_are_skipped_as_a_png_is(tmp_path: Path) -> None:
    from pydicom.uid import ExplicitVRLittleEndian

    ds = _grey_capture(ExplicitVRLittleEndian, 65535)
    ds.PixelData = bytes(256)  # the header's word is enough: nothing is decoded
    ds.save_as(tmp_path / "big.dcm", enforce_file_format=True)
    header = nib.Nifti1Header()
    header.set_data_shape((32000, 32000, 3))
    header.set_data_dtype(np.uint8)
    with open(tmp_path / "big.nii", "wb") as f:  # whole (a sparse file): a cut one is said as cut short
        f.write(header.binaryblock + bytes(4))
        f.truncate(352 + 32000 * 32000 * 3)
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(tmp_path / "ok.png")
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(tmp_path / "wide.png")
    limits.set_max_pixels(300)
    try:
        said: list[str] = []
        entries = scan_images(tmp_path, said.append)
    finally:
        limits.set_max_pixels(None)
    assert [e.path.name for e in entries] == ["ok.png"]
    over = "pixels is over the limit of 300 pixels decoded at once"
    assert len(said) == 3 and all(over in s and s.endswith("; skipped") for s in said)  # once a volume
    assert {s.split(":")[0] for s in said} == {str(tmp_path / n) for n in ("big.dcm", "big.nii", "wide.png")}
