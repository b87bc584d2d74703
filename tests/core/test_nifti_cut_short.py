"""A plain .nii cut short by an interrupted copy is skipped when a folder is scanned, saying how short
(core/nifti_size.py), instead of listing every slice of a file that fails once a slice is read."""

from __future__ import annotations

import gzip
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.imageio import ImageReadError, read_image
from pixelproof.core.volume_cache import clear_cache

SHAPE = (16, 12, 5)  # int16: 1,920 bytes of voxels


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def write(path: Path, kind: type) -> int:
    """A nibabel-written volume at ``path``; its voxels' offset in the file."""
    data = np.arange(np.prod(SHAPE), dtype=np.int16).reshape(SHAPE)
    img = kind(data, np.eye(4))
    nib.save(img, path)
    return int(nib.load(path).dataobj.offset)


def scan(folder: Path) -> tuple[list[str], list[str]]:
    skipped: list[str] = []
    project = project_from_folder(folder, folder / "p.json", on_skip=skipped.append)
    return [im.file_name for im in project.images.values()], skipped


@pytest.mark.parametrize("kind", [nib.Nifti1Image, nib.Nifti2Image])
def test_a_cut_nii_is_skipped_at_scan_time_saying_how_short(tmp_path: Path, kind: type) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    whole, cut = folder / "a.nii", folder / "b.nii"
    offset = write(whole, kind)
    write(cut, kind)
    assert offset == (352 if kind is nib.Nifti1Image else 544)
    cut.write_bytes(cut.read_bytes()[: offset + 500])  # an interrupted copy
    names, skipped = scan(folder)
    assert names == [f"a.nii#z={z:03d}" for z in range(5)]
    assert skipped == [f"{cut}: the file is cut short: its voxels take 1,920 bytes, 500 are there; skipped"]
    cut.write_bytes(cut.read_bytes()[:offset])  # the header alone: opening a slice says so too
    clear_cache()
    with pytest.raises(ImageReadError, match=r"b\.nii: the file is cut short: .* 1,920 bytes, 0 are there"):
        read_image(f"{cut}#z=000")


def test_a_whole_nii_with_bytes_after_its_voxels_and_a_nii_gz_are_listed(tmp_path: Path) -> None:
    """Bytes past the voxels (an extension-less padding) are no cut; a .nii.gz cannot be checked without
    unpacking it, so its cut is said only when a slice is read."""
    folder = tmp_path / "scans"
    folder.mkdir()
    padded = folder / "a.nii"
    write(padded, nib.Nifti1Image)
    padded.write_bytes(padded.read_bytes() + b"\0" * 64)
    packed = folder / "c.nii.gz"
    write(folder / "c.nii", nib.Nifti1Image)
    raw = (folder / "c.nii").read_bytes()
    (folder / "c.nii").unlink()
    packed.write_bytes(gzip.compress(raw[: len(raw) - 1000]))  # whole gzip, voxels short inside
    names, skipped = scan(folder)
    assert names == [f"{n}#z={z:03d}" for n in ("a.nii", "c.nii.gz") for z in range(5)]
    assert not any("cut short" in s for s in skipped)
    np.testing.assert_array_equal(read_image(f"{padded}#z=000").shape, (12, 16))
    with pytest.raises(ImageReadError, match=r"c\.nii\.gz"):
        read_image(f"{packed}#z=000")
