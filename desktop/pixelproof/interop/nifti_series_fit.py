"""A NIfTI label map put on the DICOM series its geometry fits, when its name names none.

Label maps are named by their series' folder (``ct.nii.gz`` for ``ct/``), but a reader's file often is not:
``ct_label.nii.gz``, ``ct_seg.nii.gz``, MONAI Label's ``labels/final/<image id>.nii.gz``. Such a map was
read as a volume of its own with nothing said, so QA against the project found no image of its name. 3D
Slicer overlays a segmentation on whichever volume shares its geometry; here, under the images folder the
user named (``--image-dir``: that folder and its subfolders, down to ``MAX_DEPTH`` levels as in
PATIENT/STUDY/SERIES, bounded by ``MAX_FOLDERS`` and ``MAX_ENTRIES``), the one series (or phase) whose
size and geometry the map fits, by the same check as a map named after its series
(``nifti_series.on_series``), takes it, and the import says so. Two or more that fit (the phases of a
dynamic series share one geometry) are named and none is taken: a wrong pick would score the wrong phase.
A series without ImagePositionPatient / ImageOrientationPatient fits by size alone and is never taken."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pixelproof.core.dicom import DicomError
from pixelproof.core.dicom_series import DicomSeries, open_series, scan_folder
from pixelproof.core.model import Project
from pixelproof.core.volumes import NiftiVolume, VolumeError
from pixelproof.core.wording import plural
from pixelproof.interop.nifti_series import holds_series, on_series, volume_name

NAMED_FITS = 5  # series a message names when several fit


MAX_DEPTH = 4  # folders below the one named: PATIENT/STUDY/SERIES, and one more
MAX_FOLDERS = 2_000  # folders listed at most
MAX_ENTRIES = 200_000  # files and folders seen at most


@dataclass
class Searched:
    """The folders a search for series looked in: those holding a series (name order), how many were listed,
    and why it stopped before the end (a limit), if it did."""

    series: list[Path] = field(default_factory=list)
    listed: int = 0
    cut: str | None = None

    def text(self) -> str:
        """What was searched, for a message: "searched 3 folders, up to 4 levels down"."""
        said = f"searched {plural(self.listed, 'folder')}, up to {MAX_DEPTH} levels down"
        return f"{said}; {self.cut}" if self.cut else said


def _walk(folders: list[Path], out: Searched) -> list[tuple[Path, bool]]:
    """(folder, holds a regular file) for the named folders and their subfolders down to ``MAX_DEPTH``
    levels, in name order. Bounded: hidden and symlinked folders are not entered (no loop), the walk stops
    past ``MAX_FOLDERS`` folders or ``MAX_ENTRIES`` entries (said in ``out.cut``); ``out.listed`` counts
    the folders listed."""
    entries = 0
    found: list[tuple[Path, bool]] = []
    for base in folders:
        stack = [(base, 0)]
        while stack and not out.cut:
            folder, depth = stack.pop()
            if out.listed >= MAX_FOLDERS or entries >= MAX_ENTRIES:
                out.cut = f"stopped after {out.listed} folders and {entries} entries (the search's limit)"
                break
            try:
                with os.scandir(folder) as listing:
                    items = list(listing)
            except OSError:
                continue
            out.listed += 1
            entries += len(items)
            subs, files = [], False
            for item in items:
                try:
                    if item.is_dir(follow_symlinks=False):
                        if not item.name.startswith(".") and depth < MAX_DEPTH:
                            subs.append(Path(item.path))
                    elif item.is_file():
                        files = True
                except OSError:
                    continue
            found.append((folder, files))
            stack += [(s, depth + 1) for s in sorted(subs, reverse=True)]
    return found


def _candidates(folders: list[Path], known: dict[Path, bool]) -> Searched:
    """The folders ``_walk`` finds that hold a DICOM series (PATIENT/STUDY/SERIES/*.dcm), in name order;
    only regular files are read (``scan_folder``: a FIFO is never opened)."""
    out = Searched()
    found = [f for f, files in _walk(folders, out) if files and holds_series(f, known)]
    out.series = sorted(dict.fromkeys(found), key=lambda p: p.parts)
    return out


def series_stamp(home: Path | None) -> tuple:
    """The folders a label map is fitted in under ``home`` as they are now, from stats alone: each one's
    modification time (a series added, removed or renamed changes its parent's). Another stamp: a
    reference read with ``home`` is read again (the review view's ``read_key``)."""
    if home is None:
        return ()
    stamps = []
    for folder, _ in _walk([home], Searched()):
        try:
            stamps.append((os.fspath(folder), folder.stat().st_mtime_ns))
        except OSError:
            continue
    return tuple(stamps)


def series_by_geometry(
    labels: NiftiVolume, folders: list[Path], known: dict[Path, bool]
) -> tuple[DicomSeries | None, np.ndarray | None, str | None]:
    """(series, label voxels in its order, note) for the one series under ``folders`` whose size and
    geometry ``labels`` fits; (None, None, note) when none or several fit (the note says which, or that
    none does, or that the folders hold no series and what was searched)."""
    fits: list[DicomSeries] = []  # not their voxels: 300 phases of a perfusion series may fit
    looked = 0
    searched = _candidates(folders, known)
    for folder in searched.series:
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
            f"{unnamed}, and none of the {looked} series under {where} fits its size and geometry "
            f"({searched.text()}); {own}",
        )
    return None, None, f"{unnamed}, and no DICOM series was found under {where} ({searched.text()}); {own}"


def series_folders(project: Project) -> list[Path]:
    """The folders of ``project``'s DICOM series (a NIfTI volume's or a multi-frame object's slices name a
    file), sorted."""
    bases = {image.file_name.partition("#")[0] for image in project.images.values() if "#" in image.file_name}
    root = project.path.parent if project.path is not None else None
    folders = []
    for base in sorted(bases):
        p = Path(base)
        p = p if p.is_absolute() or root is None else root / p
        if p.is_dir():
            folders.append(p)
    return folders


def series_home(project: Project) -> Path | None:
    """The folder holding ``project``'s DICOM series (the folder of its one series, or the folder its
    series folders share): where the review view matches a reference label map named after no series (as
    ``qa --image-dir`` does, the app knowing where its images are); None when no image is a series' slice."""
    folders = series_folders(project)
    if not folders:
        return None
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # folders on two drives
        return None
