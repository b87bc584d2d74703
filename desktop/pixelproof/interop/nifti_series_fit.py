"""A NIfTI label map put on the DICOM series its geometry fits, when its name names none.

Label maps are named by their series' folder (``ct.nii.gz`` for ``ct/``), but a reader's file often is not:
``ct_label.nii.gz``, ``ct_seg.nii.gz``, MONAI Label's ``labels/final/<image id>.nii.gz``. Such a map was
read as a volume of its own with nothing said, so QA against the project found no image of its name. 3D
Slicer overlays a segmentation on whichever volume shares its geometry; here, under the images folder the
user named (``--image-dir``: that folder and its subfolders, one level down), the one series (or phase) whose
size and geometry the map fits, by the same check as a map named after its series
(``nifti_series.on_series``), takes it, and the import says so. Two or more that fit (the phases of a
dynamic series share one geometry) are named and none is taken: a wrong pick would score the wrong phase.
A series without ImagePositionPatient / ImageOrientationPatient fits by size alone and is never taken."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pixelproof.core.dicom import DicomError
from pixelproof.core.dicom_series import DicomSeries, open_series, scan_folder
from pixelproof.core.model import Project
from pixelproof.core.volumes import NiftiVolume, VolumeError
from pixelproof.interop.nifti_series import holds_series, on_series, volume_name

NAMED_FITS = 5  # series a message names when several fit


def _candidates(folders: list[Path], known: dict[Path, bool]) -> list[Path]:
    """The named folders and their direct subfolders that hold a DICOM series, in name order."""
    out: list[Path] = []
    for base in folders:
        try:
            subs = sorted(p for p in base.iterdir() if p.is_dir())
        except OSError:
            subs = []
        out += [f for f in (base, *subs) if holds_series(f, known)]
    return list(dict.fromkeys(out))


def series_by_geometry(
    labels: NiftiVolume, folders: list[Path], known: dict[Path, bool]
) -> tuple[DicomSeries | None, np.ndarray | None, str | None]:
    """(series, label voxels in its order, note) for the one series under ``folders`` whose size and
    geometry ``labels`` fits; (None, None, note) when none or several fit (the note says which, or that
    none does), (None, None, None) when the folders hold no series."""
    fits: list[DicomSeries] = []  # not their voxels: 300 phases of a perfusion series may fit
    looked = 0
    for folder in _candidates(folders, known):
        try:
            volumes = [(k, j) for k, j, _ in scan_folder(folder).volumes()]
        except (DicomError, OSError):
            continue
        for number, phase in volumes:
            try:
                series = open_series(folder, number, phase)
            except VolumeError:
                continue
            looked += 1
            try:
                _, unplaced = on_series(labels, series)
            except VolumeError:
                continue
            if unplaced is None:  # a series without a place in the patient fits by size alone: not taken
                fits.append(series)
    where = " or ".join(os.fspath(f) for f in folders)
    unnamed = f"{labels.source}: no DICOM series is named after it"
    if len(fits) == 1:
        series = fits[0]
        note = (
            f"read onto {volume_name(series)}, the one series under {where} whose size and geometry it fits"
        )
        return series, on_series(labels, series)[0], f"{unnamed}; {note}"
    own = "read as a volume of its own"
    if len(fits) > 1:
        named = ", ".join(volume_name(s) for s in fits[:NAMED_FITS])
        more = f" and {len(fits) - NAMED_FITS} more" if len(fits) > NAMED_FITS else ""
        hint = (
            "name it after its series (ct.nii.gz for ct/, ct_series1_phase2.nii.gz for a phase) to read it so"
        )
        fit = f"{len(fits)} series fit its size and geometry ({named}{more})"
        return None, None, f"{unnamed}, and {fit}; {own}: {hint}"
    if looked:
        return (
            None,
            None,
            f"{unnamed}, and none of the {looked} series under {where} fits its size and geometry; {own}",
        )
    return None, None, None


def series_home(project: Project) -> Path | None:
    """The folder holding ``project``'s DICOM series (the folder of its one series, or the folder its
    series folders share): where the review view matches a reference label map named after no series (as
    ``qa --image-dir`` does, the app knowing where its images are); None when no image is a series' slice."""
    bases = {image.file_name.partition("#")[0] for image in project.images.values() if "#" in image.file_name}
    root = project.path.parent if project.path is not None else None
    folders = []
    for base in sorted(bases):
        p = Path(base)
        p = p if p.is_absolute() or root is None else root / p
        if p.is_dir():  # a series folder (a NIfTI volume's slices name a file)
            folders.append(p)
    if not folders:
        return None
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # folders on two drives
        return None
