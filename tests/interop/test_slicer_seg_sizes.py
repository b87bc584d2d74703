"""A ``.seg.nrrd`` declaring a label volume over the pixel limit is skipped naming the NRRD field that
declares it - ``sizes``, or the reference image geometry of ``Segmentation_ConversionParameters`` for a
grid cropped to its segments - in voxels and layers, as the other NRRD size messages name ``sizes``. It
said "height 10000000000 ... 1 layers": the limit's width x height of the layers' rows stacked, a number
no field holds. Real files written by pynrrd, their size fields then enlarged (no voxels to decode)."""

from __future__ import annotations

from pathlib import Path

import nrrd
import numpy as np
import pytest

from pixelproof.interop.slicer_seg import read_slicer_seg
from pixelproof.interop.slicer_seg_file import MAX_LAYERS

HINT = "(raise it with --max-pixels, the app's Image > Pixel Limit or PIXELPROOF_MAX_PIXELS)"


def _seg(path: Path, shape: tuple[int, ...], **extra: str) -> Path:
    header = {
        "space": "left-posterior-superior",
        "space directions": ([[np.nan] * 3] if len(shape) == 4 else [])
        + [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]],
        "kinds": (["list"] if len(shape) == 4 else []) + ["domain"] * 3,
        "encoding": "gzip",
        "Segment0_Name": "liver",
        "Segment0_LabelValue": "1",
        "Segment0_Layer": "0",
        **extra,
    }
    nrrd.write(str(path), np.zeros(shape, np.uint8), header, index_order="F")
    return path


def _said(path: Path) -> str:
    result = read_slicer_seg(path)
    assert not result.project.images
    (problem,) = result.problems
    return problem


@pytest.mark.parametrize(
    ("shape", "sizes", "declared"),
    [
        ((2, 3, 2), "2 10000000000 2", "2 x 10000000000 x 2 voxels, 40,000,000,000 in all"),
        ((2, 2, 3, 2), "2 2 100000 100000", "2 x 100000 x 100000 voxels in 2 layers, 40,000,000,000 in all"),
    ],
)
def test_an_oversized_segmentation_names_its_sizes_field(
    tmp_path: Path, shape: tuple[int, ...], sizes: str, declared: str
) -> None:
    path = _seg(tmp_path / "big.seg.nrrd", shape)
    written = " ".join(map(str, shape))
    path.write_bytes(
        path.read_bytes().replace(f"sizes: {written}\n".encode(), f"sizes: {sizes}\n".encode(), 1)
    )
    said = _said(path)
    assert said == (
        f"{path}: its 'sizes' field ({sizes}) declares {declared}: over the limit of 268,435,456 pixels "
        f"decoded at once {HINT}; skipped"
    )
    assert "height" not in said and "1 layers" not in said


def test_too_many_layers_names_the_sizes_field(tmp_path: Path) -> None:
    path = _seg(tmp_path / "layers.seg.nrrd", (2, 2, 2, 2))
    path.write_bytes(path.read_bytes().replace(b"sizes: 2 2 2 2\n", b"sizes: 100000 2 2 2\n", 1))
    assert _said(path) == (
        f"{path}: its 'sizes' field gives 100,000 layers (its first axis), over the limit of "
        f"{MAX_LAYERS}; skipped"
    )


def test_an_oversized_reference_grid_names_its_field(tmp_path: Path) -> None:
    """A grid cropped to its segments is put back on the reference grid Slicer keeps: one of 70000 x 70000
    voxels a slice is refused naming that field, not "reference grid (70000, 70000, 2)"."""
    geometry = ";".join(["1", "0", "0", "0", "0", "1", "0", "0", "0", "0", "1", "0", "0", "0", "0", "1"])
    path = _seg(
        tmp_path / "crop.seg.nrrd",
        (2, 2, 2),
        Segmentation_ReferenceImageExtentOffset="3 3 0",
        Segmentation_ConversionParameters=f"Reference image geometry|{geometry};0;69999;0;69999;0;1;|&",
    )
    assert _said(path) == (
        f"{path}: the reference image geometry of its 'Segmentation_ConversionParameters' field declares "
        f"70000 x 70000 x 2 voxels, 9,800,000,000 in all: over the limit of 268,435,456 pixels decoded at "
        f"once {HINT}; skipped"
    )
