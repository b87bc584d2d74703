"""3D Slicer segmentations (``.seg.nrrd``), both ways: ``--from slicer-seg`` / ``--to slicer-seg``.

Reading: a ``.seg.nrrd`` file or a folder of them. Each file's layers (``slicer_seg_file``) go through the
NIfTI reader's own path (``nifti.read_label_volume``): put on the image volume of the same stem in
``--image-dir`` (``ct.seg.nrrd`` over ``ct.nrrd`` or ``ct.nii.gz``), else the one image volume there on its
voxel grid (Slicer's ``Segmentation.seg.nrrd`` beside ``CTChest.nrrd``), or on the DICOM series its stem
names, with the same size and place checks and messages, one semantic mask per segment and slice; with
none found, on slices named after the NRRD volume Slicer saves beside it (``ct.nrrd#z=012``).
Segments are named by ``Segment<N>_Name``; overlapping segments (a 4D file's layers) keep their overlap.

Writing: the NIfTI writer's label volumes (one per source volume or DICOM series, on its voxels, in its
geometry) each written as ``<volume>.seg.nrrd``: LPS space, gzip, a segment per category, categories
that overlap in separate layers (``slicer_seg_writer``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pixelproof.core.limits import LimitError
from pixelproof.core.model import ImageRecord
from pixelproof.core.volumes import NiftiVolume, VolumeError, open_nifti, parse_slice_ref, volume_stem
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_above,
    folder_project,
    rel_name,
    with_progress,
)
from pixelproof.interop.formats import Format, Option
from pixelproof.interop.nifti import AXIS_OPTION, image_volumes, read_label_volume
from pixelproof.interop.slicer_seg_file import open_seg
from pixelproof.interop.slicer_seg_writer import write_slicer_seg

SUFFIX = ".seg.nrrd"


def is_seg_nrrd(path: Path) -> bool:
    """A Slicer segmentation file by its name."""
    return path.name.lower().endswith(SUFFIX)


def read_slicer_seg(
    path: str | os.PathLike[str],
    *,
    image_dir: str | os.PathLike[str] | None = None,
    axis: str = "z",
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import Slicer segmentations as a project of slices (see the module docstring)."""
    root = Path(path)
    report = Reporter(on_problem)
    if root.is_dir():
        files, base = sorted(p for p in root.rglob("*") if p.is_file() and is_seg_nrrd(p)), root
    elif root.is_file():
        files, base = [root], root.parent
    else:
        raise ValueError(f"{root}: not found")
    if not files:
        raise ValueError(f"{root}: no Slicer segmentations (.seg.nrrd) found")
    named = image_dir is not None
    images = Path(image_dir) if image_dir is not None else base
    image_files = image_volumes(images) if images.is_dir() else {}
    series_dirs = [images] if named else [base, folder_above(base)]
    build = Builder(folder_project(base))
    known: dict[Path, bool] = {}
    for seg_file in with_progress(files, len(files), progress):
        try:
            layers, names = open_seg(seg_file, axis)
            found = _image_of_grid(seg_file, layers[0], image_files, report)
            before = len(build.project.images)
            stand_in = stand_in_volume(seg_file)
            read_label_volume(
                seg_file,
                layers,
                found,
                (series_dirs, named, known),
                names,
                axis,
                build,
                base,
                report,
                stand_in=stand_in,
            )
            _say_unshown(seg_file, stand_in, list(build.project.images.values())[before:], base, report)
        except (VolumeError, LimitError) as e:
            report.skip("volumes", f"{e}; skipped")
    build.order_categories()
    return ImportResult(build.project, report.problems, report.skipped, semantic=True, notes=report.notes)


def _image_of_grid(
    seg_file: Path, labels: NiftiVolume, image_files: dict[str, Path], report: Reporter
) -> dict[str, Path]:
    """``image_files`` with the segmentation's stem given the one image volume on its voxel grid (same
    shape, affine within 0.001 mm) when no volume bears its name: Slicer saves ``Segmentation.seg.nrrd``
    beside ``CTChest.nrrd``. Said as a note; unchanged when none or several fit."""
    stem = volume_stem(seg_file.name)
    if stem in image_files:
        return image_files
    fits = []
    for f in dict.fromkeys(image_files.values()):
        try:
            v = open_nifti(f, labels.axis)
        except VolumeError:
            continue  # said when its slices are listed; not this segmentation's problem
        if v.canonical_shape == labels.canonical_shape and np.allclose(
            v.canonical_affine, labels.canonical_affine, atol=1e-3
        ):
            fits.append(f)
    if len(fits) != 1:
        return image_files
    report.note(f"{seg_file}: read onto {fits[0]}, the one image volume on its voxel grid")
    return {**image_files, stem: fits[0]}


def stand_in_volume(seg_file: Path) -> Path:
    """The image volume a segmentation's slices are named after when none is found: the NRRD of its stem
    beside it (``ct.seg.nrrd`` -> ``ct.nrrd``), as 3D Slicer saves a scene, so that volume's slices, added
    or relocated later, are the labelled slices (README, Medical images)."""
    return seg_file.with_name(volume_stem(seg_file.name) + ".nrrd")


def _say_unshown(
    seg_file: Path, stand_in: Path, made: list[ImageRecord], base: Path, report: Reporter
) -> None:
    """A note when the slices were named after ``stand_in`` (no image volume or series found): the app
    shows them once that volume is there."""
    named = rel_name(stand_in, base)
    refs = [parse_slice_ref(i.file_name) for i in made]
    if not stand_in.exists() and any(r is not None and r.source == named for r in refs):
        report.note(
            f"{seg_file}: no image volume (NRRD or NIfTI of its name or voxel grid) or DICOM series found "
            f"for it: its slices are named after {stand_in.name} beside it, as 3D Slicer saves the volume "
            f"({named}#z=000, ...), which the app shows once that volume is there (put it there, or point "
            "the project at its folder: pixelproof relocate); or name the images' folder (--image-dir)"
        )


def looks_like_slicer_seg(path: Path) -> bool:
    """A ``.seg.nrrd`` file, or a folder holding one."""
    if path.is_file():
        return is_seg_nrrd(path)
    return path.is_dir() and any(f.is_file() and is_seg_nrrd(f) for f in path.iterdir())


FORMAT = Format(
    name="slicer-seg",
    title="3D Slicer segmentations (.seg.nrrd)",
    reader=read_slicer_seg,
    writer=write_slicer_seg,
    read_options=(
        Option(
            "image_dir",
            "folder",
            "folder of the image volumes (or DICOM series folders) the segmentations belong to (default: "
            "the segmentations' folder; DICOM series beside them)",
            None,
            label="Images folder",
        ),
        AXIS_OPTION,
    ),
    detect=looks_like_slicer_seg,
    suffixes=(SUFFIX,),
    lost_on_export="images that are not slices of a NIfTI volume or a DICOM series (single DICOM files, "
    "multi-frame objects, plain images); instances (a segment per category); void regions (left out, a "
    "warning says how many); overlapping objects are kept (a layer per set of categories that do not "
    "overlap)",
)
