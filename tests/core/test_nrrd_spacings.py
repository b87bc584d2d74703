"""An unplaced NRRD (no ``space``, no ``space directions``) whose ``spacings`` hold NaN, infinity, zero or a
negative number, or are not three numbers, is read as 1 mm along that axis - and said, naming the file and
the field, when a project is made over it, as nibabel's "pixdim should be non-zero; setting 0 dims to 1" is
said for a NIfTI (it was read as 1 mm without a word, and measured in mm). Real files written by pynrrd."""

from __future__ import annotations

from pathlib import Path

import nrrd
import numpy as np
import pytest

from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.nrrd_volume import open_nrrd
from pixelproof.core.volume_cache import clear_cache


def _write(path: Path, spacings: object) -> None:
    header = {} if spacings is None else {"spacings": spacings}
    nrrd.write(str(path), np.zeros((4, 3, 2), np.int16), header, index_order="F")


def _new(folder: Path) -> tuple[list[str], list[object]]:
    skipped: list[str] = []
    project = project_from_folder(folder, folder.parent / "p.json", on_skip=skipped.append)
    return skipped, [i.extra.get("pixel_spacing") for i in project.images.values()]


@pytest.mark.parametrize(
    ("spacings", "said", "pixel"),
    [
        (
            [float("nan"), 0.5, 2.0],
            "holds nan (axis 0), no voxel size; read as 1 mm along that axis",
            [0.5, 1.0],
        ),
        (
            [0.7, float("inf"), 2.0],
            "holds inf (axis 1), no voxel size; read as 1 mm along that axis",
            [1.0, 0.7],
        ),
        ([0.7, 0.5, 0.0], "holds 0 (axis 2), no voxel size; read as 1 mm along that axis", [0.5, 0.7]),
        (
            [-0.7, float("nan"), 2.0],
            "holds -0.7 (axis 0), nan (axis 1), no voxel size; read as 1 mm along those axes",
            [1.0, 1.0],
        ),
    ],
)
def test_a_spacing_that_is_no_size_is_read_as_1_mm_and_said(
    tmp_path: Path, spacings: list[float], said: str, pixel: list[float]
) -> None:
    clear_cache()
    folder = tmp_path / "vols"
    folder.mkdir()
    _write(folder / "ct.nrrd", spacings)
    skipped, spacing = _new(folder)
    assert skipped == [f"{folder / 'ct.nrrd'}: its 'spacings' field {said}"]
    assert spacing == [pixel, pixel]  # (row, column) mm of each slice: the good axes kept
    assert open_nrrd(folder / "ct.nrrd").notes == skipped


def test_spacings_that_are_not_three_numbers_are_said(tmp_path: Path) -> None:
    clear_cache()
    folder = tmp_path / "vols"
    folder.mkdir()
    path = folder / "ct.nrrd"
    _write(path, [0.5, 0.5, 2.0])
    path.write_bytes(path.read_bytes().replace(b"spacings: 0.5 0.5 2", b"spacings: 0.5 0.5"))
    skipped, _ = _new(folder)
    assert len(skipped) == 1 and skipped[0].startswith(f"{path}: its 'spacings' field (")
    assert "is not three numbers; the voxels are read as 1 mm" in skipped[0]


@pytest.mark.parametrize("spacings", [None, [0.7, 0.5, 2.0]])
def test_good_or_no_spacings_say_nothing(tmp_path: Path, spacings: list[float] | None) -> None:
    clear_cache()
    folder = tmp_path / "vols"
    folder.mkdir()
    _write(folder / "ct.nrrd", spacings)
    skipped, spacing = _new(folder)
    assert skipped == [] and spacing == [[0.5, 0.7] if spacings else [1.0, 1.0]] * 2
