"""nibabel's own note on a header it fixes (``pixdim[1,2,3] should be non-zero``) named no file and went to
stderr; a folder scan and the NIfTI import now say it naming the file, and nothing is printed unplaced."""

from __future__ import annotations

import struct
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from pixelproof.core.sources import scan_images
from pixelproof.interop.nifti import read_nifti

NOTE = "pixdim[1,2,3] should be non-zero; setting 0 dims to 1"


def _zero_voxel_sizes(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(np.zeros((8, 6, 3), np.uint8), np.eye(4)), path)
    raw = bytearray(path.read_bytes())
    raw[80:92] = struct.pack("<3f", 0, 0, 0)  # pixdim[1..3]: nibabel writes 1s whatever it is given
    path.write_bytes(bytes(raw))
    return path


def test_a_folder_scan_names_the_file_nibabel_fixed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    f = _zero_voxel_sizes(tmp_path / "ct.nii")
    said: list[str] = []
    entries = scan_images(tmp_path, said.append)
    assert said == [f"{f}: {NOTE}"]
    assert len(entries) == 3  # still listed: nibabel read the sizes as 1
    out, err = capfd.readouterr()
    assert NOTE not in out + err


def test_the_nifti_import_names_it_too(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    f = _zero_voxel_sizes(tmp_path / "labelsTr" / "case.nii")
    result = read_nifti(tmp_path)
    assert f"{f}: {NOTE}" in result.problems
    out, err = capfd.readouterr()
    assert NOTE not in out + err
