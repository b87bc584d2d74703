"""A NIfTI file cut short (an interrupted copy), found from its header and the file's size without
reading a voxel: ``pixelproof new`` listed every slice of such a file and it failed only when a slice was
read. As ``core.dicom.read_header`` does for DICOM; a ``.nii.gz`` is left to the read (its size says
nothing of what it unpacks to)."""

from __future__ import annotations

import math
import os
from typing import Any


def nifti_cut_short(path: str | os.PathLike[str], img: Any) -> str:
    """What is missing from the uncompressed ``.nii`` at ``path`` (NIfTI-1 or NIfTI-2; ``img`` nibabel's
    image of it): "" when its voxels - the product of its dimensions times the bytes of a voxel, from the
    header's ``vox_offset`` on - are all there, or when it is no plain ``.nii``. The offset, shape and
    voxel type are those of nibabel's array proxy, what a read uses (the image's copy of the header says
    offset 0)."""
    if not os.fspath(path).lower().endswith(".nii"):
        return ""
    try:
        proxy = img.dataobj
        offset = int(proxy.offset)
        need = math.prod(int(n) for n in proxy.shape) * proxy.dtype.itemsize
        there = os.stat(path).st_size - offset
    except (OSError, ValueError, TypeError, AttributeError):  # no proxy (an array in memory)
        return ""  # the read says what is wrong
    if there >= need:
        return ""
    return f"the file is cut short: its voxels take {need:,} bytes, {max(there, 0):,} are there"
