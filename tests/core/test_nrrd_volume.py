"""NRRD image volumes (3D Slicer's ``CT.nrrd``) as slices: the same slices (pixels, spacing, position,
patient geometry, automatic window) as the same voxels written as NIfTI with the equivalent affine, each
pixel where the NRRD header puts its voxel, a detached header, Slicer segmentations kept out of the image
listing, and hostile headers skipped naming the file."""

from __future__ import annotations

import os
from pathlib import Path

import nibabel as nib
import nrrd
import numpy as np
import pytest

from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.imageio import ImageReadError, read_image
from pixelproof.core.limits import set_max_pixels
from pixelproof.core.nrrd_volume import MAX_HEADER_BYTES
from pixelproof.core.sources import automatic_window, image_meta, scan_images
from pixelproof.core.volume_cache import clear_cache
from pixelproof.core.volumes import ImageMeta

DIRS = np.array([[0.8, 0.0, 0.1], [0.0, -0.7, 0.0], [0.05, 0.0, 2.5]])  # rows: steps of voxel axes i, j, k
ORIGIN = np.array([10.0, -20.0, 30.0])
SIGN = {"left-posterior-superior": np.array([-1.0, -1.0, 1.0]), "right-anterior-superior": np.ones(3)}


def _voxels(dtype: str) -> np.ndarray:
    """7 x 6 x 5 voxels, each value its own (so a pixel names the voxel it came from)."""
    data = np.arange(7 * 6 * 5).reshape(7, 6, 5) * 3 - 200
    return (data.astype(np.float32) / 4 if dtype == "float32" else data).astype(dtype)


def _write_pair(folder: Path, data: np.ndarray, space: str, encoding: str) -> None:
    """CT.nrrd and ref.nii.gz: the same voxels, the NIfTI's affine the NRRD's geometry in RAS."""
    header = {"space": space, "space directions": DIRS, "space origin": ORIGIN, "kinds": ["domain"] * 3}
    nrrd.write(str(folder / "CT.nrrd"), data, {**header, "encoding": encoding})
    affine = np.eye(4)
    affine[:3, :3] = (DIRS * SIGN[space]).T
    affine[:3, 3] = ORIGIN * SIGN[space]
    img = nib.Nifti1Image(data, affine)
    img.set_sform(affine, code=1)
    img.set_qform(affine, code=1)
    nib.save(img, folder / "ref.nii.gz")


@pytest.mark.parametrize(
    ("space", "encoding", "dtype"),
    [
        ("left-posterior-superior", "gzip", "int16"),
        ("right-anterior-superior", "raw", "float32"),
        ("left-posterior-superior", "raw", "uint16"),
    ],
)
def test_slices_equal_the_same_voxels_as_nifti(tmp_path: Path, space: str, encoding: str, dtype: str) -> None:
    clear_cache()
    _write_pair(tmp_path, _voxels(dtype), space, encoding)
    skipped: list[str] = []
    entries = {e.path.name + e.fragment: e for e in scan_images(tmp_path, skipped.append)}
    assert not skipped
    assert [n for n in entries if n.startswith("CT.nrrd")] == [f"CT.nrrd#z={k:03d}" for k in range(5)]
    for axis, depth in (("z", 5), ("y", 6), ("x", 7)):
        for k in range(depth):
            a, b = f"{tmp_path}/CT.nrrd#{axis}={k:03d}", f"{tmp_path}/ref.nii.gz#{axis}={k:03d}"
            pixels = read_image(a)
            assert pixels.dtype == np.dtype(dtype) and np.array_equal(pixels, read_image(b))
            _same_meta(image_meta(a), image_meta(b))
            assert automatic_window(a, pixels) == automatic_window(b, read_image(b))
    for k in range(5):
        got, want = entries[f"CT.nrrd#z={k:03d}"].extra, entries[f"ref.nii.gz#z={k:03d}"].extra
        assert set(got) == set(want) >= {"pixel_spacing", "slice_position"}
        assert got.pop("pixelproof") == want.pop("pixelproof") == {"volume_shape": [7, 6, 5]}
        assert all(np.allclose(got[key], want[key], atol=1e-5) for key in got)


def _same_meta(a: ImageMeta, b: ImageMeta) -> None:
    """Equal but for the NIfTI file's float32 affine (the NRRD's is read in float64)."""
    assert (a.window, a.invert, a.modality, a.slice_offset is None) == (
        b.window,
        b.invert,
        b.modality,
        b.slice_offset is None,
    )
    assert a.patient is not None and b.patient is not None
    pairs = [(a.pixel_spacing, b.pixel_spacing), (a.slice_position, b.slice_position)]
    pairs += [(a.slice_offset or 0, b.slice_offset or 0)]
    pairs += [(getattr(a.patient, k), getattr(b.patient, k)) for k in ("origin", "row_step", "col_step")]
    assert all(np.allclose(x, y, atol=1e-5) for x, y in pairs), pairs


def test_each_pixel_lies_where_the_nrrd_header_puts_its_voxel(tmp_path: Path) -> None:
    """Not through the shared conversion: the header's own formula (origin + i * d_i + j * d_j + k * d_k,
    in LPS) for the voxel a pixel shows, against the slice's patient geometry turned back to LPS."""
    clear_cache()
    data = _voxels("int16")
    _write_pair(tmp_path, data, "left-posterior-superior", "gzip")
    lps = np.array([-1.0, -1.0, 1.0])
    for k in (0, 3):
        name = f"{tmp_path}/CT.nrrd#z={k:03d}"
        pixels, place = read_image(name), image_meta(name).patient
        assert place is not None
        for row, col in ((0, 0), (2, 5), (5, 3)):
            ijk = np.argwhere(data == pixels[row, col])[0]
            want = ORIGIN + ijk @ DIRS
            got = (
                np.array(place.origin) + row * np.array(place.row_step) + col * np.array(place.col_step)
            ) * lps
            assert np.allclose(got, want, atol=1e-4), (k, row, col)
    # as radiologists read it: the patient's right (RAS x low) on the left of the screen
    first, last = read_image(f"{tmp_path}/CT.nrrd#z=000")[0, [0, -1]]
    x_of = {v: (ORIGIN + np.argwhere(data == v)[0] @ DIRS)[0] for v in (first, last)}
    assert x_of[first] < x_of[last]  # LPS x grows to the patient's left


def test_sitk_reads_the_same_world_coordinates(tmp_path: Path) -> None:
    sitk = pytest.importorskip("SimpleITK")
    clear_cache()
    data = _voxels("int16")
    _write_pair(tmp_path, data, "left-posterior-superior", "gzip")
    image = sitk.ReadImage(str(tmp_path / "CT.nrrd"))
    name = f"{tmp_path}/CT.nrrd#z=002"
    pixels, place = read_image(name), image_meta(name).patient
    ijk = np.argwhere(data == pixels[1, 2])[0]
    got = np.array(place.origin) + np.array(place.row_step) + 2 * np.array(place.col_step)
    lps = image.TransformIndexToPhysicalPoint([int(v) for v in ijk])
    assert np.allclose(got * [-1, -1, 1], lps, atol=1e-4)


def test_a_detached_header_reads_its_data_file(tmp_path: Path) -> None:
    clear_cache()
    data = _voxels("int16")
    nrrd.write(
        str(tmp_path / "CT.nhdr"),
        data,
        {"space": "left-posterior-superior", "space directions": DIRS, "space origin": ORIGIN},
        detached_header=True,
    )
    _write_pair(tmp_path, data, "left-posterior-superior", "raw")
    assert np.array_equal(read_image(f"{tmp_path}/CT.nhdr#z=003"), read_image(f"{tmp_path}/CT.nrrd#z=003"))


def test_a_slicer_segmentation_is_no_image(tmp_path: Path) -> None:
    """ct.seg.nrrd is labels: left out of a folder's images, said naming it (and slicer-seg)."""
    clear_cache()
    _write_pair(tmp_path, _voxels("int16"), "left-posterior-superior", "gzip")
    (tmp_path / "CT.nrrd").rename(tmp_path / "ct.seg.nrrd")
    skipped: list[str] = []
    project = project_from_folder(tmp_path, tmp_path / "p.json", on_skip=skipped.append)
    assert all(".seg.nrrd" not in i.file_name for i in project.images.values())
    assert len(project.images) == 5 and len(skipped) == 1
    assert "ct.seg.nrrd" in skipped[0] and "slicer-seg" in skipped[0]


def _hostile(folder: Path, lines: list[str], data: bytes = b"") -> Path:
    path = folder / "bad.nrrd"
    path.write_bytes(("\n".join(["NRRD0004", *lines]) + "\n\n").encode() + data)
    return path


GOOD = ["type: short", "dimension: 3", "sizes: 4 3 2", "encoding: raw", "space: left-posterior-superior"]
GOOD_DIRS = "space directions: (1,0,0) (0,1,0) (0,0,1)"


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        ([*GOOD, "space directions: (nan,0,0) (0,1,0) (0,0,1)"], "NaN"),
        ([*GOOD, GOOD_DIRS, "data file: ../outside.raw"], "outside the header's folder"),
        ([*GOOD[:2], "sizes: 4 3 2 2", *GOOD[3:], GOOD_DIRS], "read as 3D"),
        ([*GOOD[:2], "sizes: 4 3 2", "encoding: bzip2", GOOD[4], GOOD_DIRS], "encoding"),
        ([*GOOD, GOOD_DIRS], "ends early"),
        (
            ["type: short", "dimension: 3", "sizes: 65536 65536 65536", "encoding: raw", GOOD[4], GOOD_DIRS],
            "limit",
        ),
        ([*GOOD, GOOD_DIRS, "# " + "x" * MAX_HEADER_BYTES], "header is over"),
        # 10**12 slices: refused before an array of one row a slice is made (it asked for 7 TiB)
        (["type: short", "dimension: 3", "sizes: 2 2 1000000000000", *GOOD[3:], GOOD_DIRS], "slices along z"),
        # 100,000 axes: said in a line, not quoted whole (the message was 300 KB)
        (["type: short", "dimension: 100000", "sizes: " + "1 " * 100000, "encoding: raw"], "sizes (1, 1, 1,"),
        (["type: block", *GOOD[1:], GOOD_DIRS], "type"),
    ],
)
def test_hostile_headers_are_refused_naming_the_file(tmp_path: Path, lines: list[str], said: str) -> None:
    clear_cache()
    (tmp_path / "outside.raw").write_bytes(bytes(48))
    folder = tmp_path / "images"
    folder.mkdir()
    path = _hostile(folder, lines, bytes(10))
    skipped: list[str] = []
    entries = scan_images(folder, skipped.append)
    problems = list(skipped)
    if entries:  # a header that reads: refused when its voxels are
        with pytest.raises(ImageReadError) as e:
            read_image(f"{path}#z=000")
        problems.append(str(e.value))
    assert len(problems) == 1 and str(path) in problems[0] and said in problems[0], problems
    assert len(problems[0]) < 500 + len(str(path))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_as_the_data_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A detached header whose ``data file`` is a FIFO in its folder: opening it blocked for good."""
    clear_cache()
    os.mkfifo(tmp_path / "voxels.raw")
    path = _hostile(tmp_path, [*GOOD, GOOD_DIRS, "data file: voxels.raw"])
    header = tmp_path / "bad.nhdr"
    path.rename(header)
    with pytest.raises(ImageReadError, match=r"bad\.nhdr.*voxels\.raw: is a FIFO"):
        read_image(f"{header}#z=000")


def test_a_volume_over_the_pixel_limit_is_not_decoded(tmp_path: Path) -> None:
    clear_cache()
    _write_pair(tmp_path, _voxels("int16"), "left-posterior-superior", "gzip")
    set_max_pixels(100)
    try:
        with pytest.raises(ImageReadError, match=r"CT\.nrrd.*limit"):
            read_image(f"{tmp_path}/CT.nrrd#z=000")
    finally:
        set_max_pixels(None)
