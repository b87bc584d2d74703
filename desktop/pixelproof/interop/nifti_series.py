"""NIfTI label volumes over DICOM series: the geometry a series' label map carries and the checks that put
one back on its series (``interop.nifti`` writes and reads the voxels, one implementation for both kinds).

The label array is indexed (column, row, slice), slice k being the series' k-th file in position order
(ascending along the normal of ImageOrientationPatient, as GDCM / SimpleITK sort a series), and its affine
is the series' geometry in NIfTI's RAS: column 0 the step to the next column (ImageOrientationPatient's row
direction x column spacing), column 1 the step to the next row, column 2 the step from the first file's
ImagePositionPatient to the next file's (the mean over the stack), translation the first file's position;
DICOM's LPS turned to RAS by negating x and y. That is what SimpleITK's ``ReadImage`` of the series written
as NIfTI, dcm2niix and 3D Slicer give for an evenly spaced stack, so a label map made by any of them reads
back here and ours opens over their images. A series without ImagePositionPatient / ImageOrientationPatient
has no place: its labels get an affine from the voxel size alone (as SimpleITK does), and reading one back
checks only its size.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from pixelproof.core.dicom import DicomError
from pixelproof.core.dicom_series import DicomSeries, open_series, scan_folder
from pixelproof.core.volumes import NiftiVolume, SliceRef, VolumeError

# a label's affine may differ from its series' by this share of the series' smallest voxel side at any
# voxel (float32 headers, a reader's own rounding of the slice step) and still be that series' labels
TOLERANCE_OF_VOXEL = 0.1
_STEM = re.compile(r"^(?P<folder>.+?)(?:_series(?P<series>\d+))?(?:_phase(?P<phase>\d+))?$")
_AXES = ("columns", "rows", "slices")


def label_stem(folder: str, series: int | None, phase: int | None) -> str:
    """The label file's stem for a series of ``folder``: the folder's name, ``_seriesK`` / ``_phaseJ`` added
    when the folder holds several series or the series several phases (``read_nifti`` parses it back)."""
    name = Path(folder.rstrip("/\\")).name or "series"
    return name + (f"_series{series}" if series is not None else "") + (f"_phase{phase}" if phase else "")


def series_affine(volume: DicomSeries) -> tuple[np.ndarray, str | None, bool]:
    """The RAS affine of the series' label array (module docstring); when it does not place every file
    where its header says (no geometry, uneven slices), what the user is told; and whether the series
    has a place in the patient at all."""
    geometries = [volume.geometry(k) for k in range(volume.depth)]
    where = volume_name(volume)
    if any(g is None for g in geometries):
        row_mm, col_mm = volume.meta.pixel_spacing or (1.0, 1.0)
        steps = np.diff(volume.positions) if volume.depth > 1 else np.array([1.0])
        slice_mm = float(np.nanmean(steps)) if np.isfinite(steps).any() else 1.0
        affine = np.diag([-col_mm, -row_mm, slice_mm or 1.0, 1.0])  # LPS axes, as SimpleITK assumes them
        return (
            affine,
            (
                f"{where}: the series has no patient geometry (ImagePositionPatient, "
                "ImageOrientationPatient and PixelSpacing on every file); its label map's affine is the "
                "voxel size alone, placed nowhere"
            ),
            False,
        )
    origins = np.array([g.origin for g in geometries if g is not None])
    first = geometries[0]
    assert first is not None
    col, row = np.asarray(first.col_step), np.asarray(first.row_step)
    if volume.depth > 1:
        step = (origins[-1] - origins[0]) / (volume.depth - 1)
    else:  # one file: a slice of no known thickness, 1 mm along the normal
        normal = np.cross(col, row)
        step = normal / np.linalg.norm(normal)
    affine = np.eye(4)
    affine[:3, 0], affine[:3, 1], affine[:3, 2], affine[:3, 3] = col, row, step, origins[0]
    placed = origins[0] + np.outer(np.arange(volume.depth), step)
    off = float(np.linalg.norm(origins - placed, axis=1).max())
    if off > TOLERANCE_OF_VOXEL * min(float(np.linalg.norm(step)), *voxel_sides(affine)):
        k = int(np.linalg.norm(origins - placed, axis=1).argmax())
        return (
            affine,
            (
                f"{where}: its slices are unevenly spaced; the label map's affine steps "
                f"{np.linalg.norm(step):.3f} mm a slice (the mean), which puts slice {k} "
                f"({volume.files[k].name}) {off:.2f} mm from where its file lies (voxels are still the "
                "series' files in order)"
            ),
            True,
        )
    return affine, None, True


def distance_text(mm: float) -> str:
    """A distance as a message writes it: to 0.1 mm up to a kilometre, in three figures past it (a header
    1e30 off printed 31 digits)."""
    return f"{mm:.1f} mm" if mm < 1e6 or not np.isfinite(mm) else f"{mm:.3g} mm, more than 1 km"


def voxel_sides(affine: np.ndarray) -> list[float]:
    """The length in mm of each voxel axis of ``affine``."""
    return [float(np.linalg.norm(affine[:3, i])) for i in range(3)]


def volume_name(volume: DicomSeries) -> str:
    """The series as a message names it: its folder, ``#series=K&phase=J`` added when it has several."""
    parts = [f"{k}={v}" for k, v in (("series", volume.number), ("phase", volume.phase)) if v is not None]
    return os.fspath(volume.source) + ("#" + "&".join(parts) if parts else "")


def slice_name(volume: DicomSeries, index: int) -> str:
    """The fragment ``pixelproof new`` gives slice ``index`` of the series (``#series=2&z=007``)."""
    return SliceRef("", "z", index, 0, volume.number, volume.phase).name(volume.depth)


def find_series(
    label_file: Path, folders: list[Path], explicit: bool, known: dict[Path, bool]
) -> tuple[DicomSeries | None, str | None]:
    """The DICOM series ``label_file`` labels, and why none when a candidate did not fit. Its stem names the
    series folder (``ct.nii.gz`` -> ``ct/``, ``ct_series2_phase1.nii.gz`` -> series 2, phase 1 of ``ct/``)
    in one of ``folders``; else the label's own folder, or one of ``folders`` when the user named them
    (``explicit``), that is itself a series. ``known`` keeps which folders hold a series over one import
    (a folder of 500 label files is scanned once, not once a file)."""
    from pixelproof.core.volumes import volume_stem

    stem = volume_stem(label_file.name)
    m = _STEM.match(stem)
    guesses = [(stem, None, None)]
    if m and (m["series"] or m["phase"]):
        guesses.append((m["folder"], _int(m["series"]), _int(m["phase"])))
    for base in folders:
        for name, series, phase in guesses:
            folder = base / name
            if holds_series(folder, known):
                return _open(label_file, folder, series, phase)
    for folder in [*(folders if explicit else []), label_file.parent]:
        if holds_series(folder, known):
            return _open(label_file, folder, None, None)
    return None, None


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def holds_series(folder: Path, known: dict[Path, bool]) -> bool:
    """Whether ``folder`` holds a stackable DICOM series (remembered in ``known``)."""
    if folder not in known:
        try:
            known[folder] = folder.is_dir() and bool(scan_folder(folder).series)
        except (DicomError, OSError):
            known[folder] = False
    return known[folder]


def _open(
    label_file: Path, folder: Path, series: int | None, phase: int | None
) -> tuple[DicomSeries | None, str | None]:
    try:
        return open_series(folder, series, phase), None
    except DicomError as e:
        several = len(scan_folder(folder).series) if series is None else 0
        hint = (
            f" (name the label file {label_stem(folder.name, 1, phase)}.nii.gz and so on)"
            if several > 1
            else ""
        )
        return None, f"{label_file}: not read onto the DICOM series: {e}{hint}"


def on_series(labels: NiftiVolume, volume: DicomSeries) -> tuple[np.ndarray, str | None]:
    """The label voxels in the series' order (column, row, slice), turned from the label file's axes to the
    series' (a label map stored RAS over an LPS series, as MONAI's ``Orientationd`` writes it, lands on the
    same voxels); raises ``VolumeError`` naming both when the size or the place in the patient differs.
    The second value says when the series has no geometry to check the place against."""
    from nibabel.orientations import (
        apply_orientation,
        axcodes2ornt,
        inv_ornt_aff,
        io_orientation,
        ornt_transform,
    )

    affine, note, placed = series_affine(volume)
    turn = ornt_transform(axcodes2ornt(("R", "A", "S")), io_orientation(affine))
    shape = labels.canonical_shape
    turned = labels.canonical_affine @ inv_ornt_aff(turn, shape)
    size = [0, 0, 0]
    for src, (dst, _flip) in enumerate(turn):
        size[int(dst)] = shape[src]
    want = (volume.width, volume.height, volume.depth)
    where = f"{labels.source}: not read onto the DICOM series {volume_name(volume)}"
    if tuple(size) != want:
        raise VolumeError(
            f"{where}: the labels are {size[0]} x {size[1]} x {size[2]} voxels (columns x rows x slices in "
            f"the series' axes), the series {want[0]} x {want[1]} x {want[2]}"
        )
    if placed:
        far = farthest_corner(affine, turned, want)
        tolerance = TOLERANCE_OF_VOXEL * min(voxel_sides(affine))
        if not far <= tolerance:
            raise VolumeError(f"{where}: {_how_far(affine, labels.original_affine, far, tolerance)}")
    data = apply_orientation(labels.canonical_array(), turn)
    return data, (None if placed else f"{labels.source}: only its size was checked against {note}")


def _how_far(series: np.ndarray, own: np.ndarray, far: float, tolerance: float) -> str:
    """How far apart one voxel lies in the series' affine and the labels' (turned to the series' axes);
    when the label file's own first voxel lies at the series' first voxel but an axis runs the other way
    (a header flipped in place), which axes."""
    flipped = []
    if np.linalg.norm(series[:3, 3] - own[:3, 3]) <= tolerance:
        for i, name in enumerate(_AXES):
            dots = [float(np.dot(series[:3, i], own[:3, j])) for j in range(3)]
            j = int(np.argmax(np.abs(dots)))
            if dots[j] < -0.9 * float(np.linalg.norm(series[:3, i]) * np.linalg.norm(own[:3, j])):
                flipped.append(name)
    what = f"its {' and '.join(flipped)} run the other way (flipped); " if flipped else ""
    return (
        f"{what}its affine puts a voxel up to {distance_text(far)} from where the series' geometry "
        "(ImagePositionPatient, ImageOrientationPatient, PixelSpacing) puts it "
        f"(tolerance {tolerance:.2f} mm); check that the label map was made on this series"
    )


def farthest_corner(a: np.ndarray, b: np.ndarray, shape: tuple[int, ...]) -> float:
    """The largest distance in mm between where two affines put one voxel: at a corner of the grid, as
    the difference of two affine maps is affine and so largest at a corner."""
    corners = np.array(
        [[i, j, k, 1.0] for i in (0, shape[0] - 1) for j in (0, shape[1] - 1) for k in (0, shape[2] - 1)]
    )
    return float(np.linalg.norm((corners @ (a - b).T)[:, :3], axis=1).max())
