"""Writing NIfTI label volumes: one ``<volume>.nii.gz`` of class ids per source volume or DICOM series, in
its own voxel grid, with ``classes.txt`` naming the ids. Split out of ``interop.nifti`` (the reader and the
format's declaration, which names ``write_nifti`` as its writer) to keep each under the module size limit.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import masks as core_masks
from pixelproof.core.atomic import atomic_path
from pixelproof.core.dicom_series import open_series
from pixelproof.core.limits import LimitError, check_image_size
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.nibabel_notes import nibabel_notes
from pixelproof.core.sources import check_slice
from pixelproof.core.volumes import (
    NiftiVolume,
    VolumeError,
    expected_identity,
    import_nibabel,
    is_nifti,
    is_volume_file,
    open_nifti,
    oriented_slice,
    parse_slice_ref,
    volume_stem,
)
from pixelproof.core.wording import noted_counts
from pixelproof.interop._util import ProgressCallback, is_file, one_line, with_progress, write_fresh
from pixelproof.interop.image_guard import check_target, make_folders
from pixelproof.interop.nifti_series import label_stem, series_affine, volume_name
from pixelproof.interop.stems import free_name
from pixelproof.interop.void_regions import without_void

MAX_CLASS_ID = 65535  # the largest class id a label volume holds (uint16 voxels)


# what write_label_volumes counts, said once per export (key -> noun, what is said of them)
COUNTED = {
    "not_nifti": (
        "image",
        "not slices of a NIfTI volume or a DICOM series: left out (use dicom-seg or masks)",
    ),
    "boxes": ("box-only object", "written as filled boxes"),
    "overlap": ("voxel", "where objects overlap: each keeps the later object's class"),
    "size": ("slice", "whose record size differs from the volume's: left out"),
}


def write_nifti(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
) -> list[str]:
    """``out_dir/<volume>.nii.gz`` per NIfTI source volume and DICOM series + ``classes.txt``; returns
    warnings."""
    counts: Counter[str] = Counter()
    warnings = write_label_volumes(project, out_dir, counts, progress=progress, title="NIfTI")
    return warnings + noted_counts(counts, COUNTED)


def write_label_volumes(
    project: Project,
    out_dir: str | os.PathLike[str],
    counts: Counter[str],
    *,
    progress: ProgressCallback | None = None,
    title: str,
) -> list[str]:
    """``write_nifti``'s files; returns its warnings but those it tallies in ``counts`` (``COUNTED``), so
    a writer that calls it more than once (slicer-seg's layers) says each count once, and names ``title``
    as the format written."""
    nib = import_nibabel()
    out = Path(out_dir)
    project, warnings = without_void(project, title)
    volumes: dict[tuple[str, str, int], list[tuple[int, int]]] = defaultdict(list)  # -> (image id, index)
    series: dict[tuple[str, int, int], list[tuple[int, int]]] = defaultdict(list)  # folder, series, phase
    for image in project.images.values():
        ref = parse_slice_ref(image.file_name)
        if ref is not None and is_volume_file(ref.source):  # NIfTI or NRRD: labels on its voxels
            volumes[(ref.source, ref.axis, ref.channel)].append((image.id, ref.index))
            continue
        folder = Path(os.fspath(project.image_path(image)).rpartition("#")[0])
        if (
            ref is None
            or (ref.axis, ref.channel, ref.time) != ("z", 0, None)
            or not is_file(folder, Path.is_dir)
        ):
            counts["not_nifti"] += 1  # a DICOM file or multi-frame object, a plain image, a TIFF stack
            continue
        series[(os.fspath(folder), ref.series or 0, ref.phase or 0)].append((image.id, ref.index))
    if not volumes and not series and project.images:  # else an "export" of classes.txt alone
        raise ValueError(
            f"none of the {len(project.images)} images are slices of a NIfTI volume or a DICOM series, so "
            "there is no label volume to write (a label volume takes its geometry from the volume it "
            "labels): export dicom-seg for single DICOM files and multi-frame objects, or masks"
        )
    make_folders(out)
    bad_ids = sorted(c.id for c in project.categories.values() if not 1 <= c.id <= MAX_CLASS_ID)
    if bad_ids:
        warnings.append(f"categories with ids {bad_ids} cannot be voxel values (1..{MAX_CLASS_ID}); left out")
    names: set[str] = {"classes.txt"}
    items: list[tuple[Any, list[tuple[int, int]]]] = [*sorted(volumes.items()), *sorted(series.items())]
    for key, slices in with_progress(items, len(items), progress):
        try:
            if isinstance(key[1], str):
                img, stem = _nifti_labels(nib, project, key[1], slices, counts)
            else:
                img, stem = _series_labels(nib, project, key, slices, counts, warnings)
        except (VolumeError, LimitError) as e:
            warnings.append(f"{e}; its labels were not written")
            continue
        _store(nib, img, out / free_name(names, stem, ".nii.gz"))  # over a project's image: stops here
        counts["volumes"] += 1
    _write_classes(project, out / "classes.txt")
    return warnings


def _nifti_labels(
    nib: Any,
    project: Project,
    axis: str,
    slices: list[tuple[int, int]],
    counts: Counter[str],
) -> tuple[Any, str]:
    """The label image of one NIfTI source volume and its file's stem; raises ``VolumeError`` when there
    is none to write."""
    path = Path(os.fspath(project.image_path(project.images[slices[0][0]])).rpartition("#")[0])
    volume = open_nifti(path, axis)
    x, y, z = volume.original_shape  # the label array is made whole: a header may claim 4096^3
    check_image_size(x, y * z, f"{volume.source} ({x} x {y} x {z} voxels)", "label volume")
    for image_id, index in slices:  # a volume of another shape: the indexes may be other slices
        image = project.images[image_id]
        check_slice(project.image_path(image), volume, index, expected_identity(image.extra))
    return _source_image(nib, volume, _label_array(project, volume, slices, counts)), volume_stem(
        volume.source.name
    )


def _series_labels(
    nib: Any,
    project: Project,
    key: tuple[str, int, int],
    slices: list[tuple[int, int]],
    counts: Counter[str],
    warnings: list[str],
) -> tuple[Any, str]:
    """The label image of one DICOM series, (column, row, slice) voxels with the series' geometry as the
    affine (``nifti_series``), and its file's stem; raises ``VolumeError`` when there is none to write."""
    folder, number, phase = key[0], key[1] or None, key[2] or None
    volume = open_series(folder, number, phase)
    check_image_size(volume.width, volume.height * volume.depth, f"{volume_name(volume)}", "label volume")
    for image_id, index in slices:  # a file lost or added: the indexes may be other files
        image = project.images[image_id]
        check_slice(project.image_path(image), volume, index, expected_identity(image.extra))
    affine, note, _placed = series_affine(volume)
    if note:
        warnings.append(note)
    data = np.zeros((volume.width, volume.height, volume.depth), dtype=_label_dtype(project))
    for image_id, index in slices:
        image = project.images[image_id]
        if (image.height, image.width) != (volume.height, volume.width) or not 0 <= index < volume.depth:
            counts["size"] += 1
            continue
        _paint(project, image, data[:, :, index].T, counts)  # the transposed view: rows x columns
    img = nib.Nifti1Image(data, affine)
    img.set_qform(affine, code=1)  # scanner coordinates, as dcm2niix writes them
    img.set_sform(affine, code=1)
    img.header.set_xyzt_units("mm")
    return img, label_stem(folder, number, phase)


def _label_dtype(project: Project) -> type[np.unsignedinteger]:
    """uint8 when every class id fits, else uint16."""
    top = max((c.id for c in project.categories.values() if 1 <= c.id <= MAX_CLASS_ID), default=0)
    return np.uint8 if top <= 255 else np.uint16


def _label_array(
    project: Project, volume: NiftiVolume, slices: list[tuple[int, int]], counts: Counter[str]
) -> np.ndarray:
    """The canonical (RAS+) label array of one volume, filled from its slices' annotations."""
    shape = [0, 0, 0]
    for src_axis, (dst_axis, _flip) in enumerate(volume.ornt):
        shape[int(dst_axis)] = volume.original_shape[src_axis]
    data = np.zeros(shape, dtype=_label_dtype(project))
    for image_id, index in slices:
        image = project.images[image_id]
        if (image.height, image.width) != (volume.height, volume.width) or not 0 <= index < volume.depth:
            counts["size"] += 1
            continue
        _paint(project, image, oriented_slice(data, volume.axis, index), counts)
    return data


def _paint(project: Project, image: ImageRecord, view: np.ndarray, counts: Counter[str]) -> None:
    """Write the image's objects' class ids into ``view`` (its slice of the label array, rows x columns) in
    id order, so where objects of different classes overlap the highest id wins, as the warning says."""
    covered = np.zeros(view.shape, dtype=bool)
    for ann in sorted(project.annotations_of(image.id), key=lambda a: a.id):
        if not 1 <= ann.category_id <= MAX_CLASS_ID:
            continue
        m = core_masks.annotation_mask(ann, image.height, image.width)
        counts["boxes"] += ann.kind == "box"
        counts["overlap"] += int(np.count_nonzero(covered & m & (view != ann.category_id)))
        covered |= m
        view[m] = ann.category_id


def _source_image(nib: Any, volume: NiftiVolume, canonical: np.ndarray) -> Any:
    """The labels with the canonical reorientation undone, under the source's affine and header."""
    from nibabel.orientations import apply_orientation, axcodes2ornt, ornt_transform

    back = ornt_transform(axcodes2ornt(("R", "A", "S")), volume.ornt)
    data = np.ascontiguousarray(apply_orientation(canonical, back))
    data = data.reshape(volume.file_shape[:3])  # a 2D image's labels are 2D too
    if not is_nifti(volume.source):  # an NRRD volume: its voxel grid under its RAS affine
        img = nib.Nifti1Image(data, volume.original_affine)
        code = 1 if volume.geometry(0) is not None else 0
        img.set_sform(volume.original_affine, code=code)
        img.set_qform(volume.original_affine, code=code)
        img.header.set_xyzt_units("mm")
        return img
    with nibabel_notes(volume.source):  # said when the volume was opened
        source = nib.load(os.fspath(volume.source))
    header = source.header.copy()
    return type(source)(data, volume.original_affine, header=header)


def _store(nib: Any, img: Any, target: Path) -> None:
    """Write a label image as class ids (no scaling, no display range), atomically."""
    img.set_data_dtype(img.dataobj.dtype)
    img.header.set_slope_inter(1.0, 0.0)
    img.header["cal_min"], img.header["cal_max"] = 0, 0
    check_target(target)
    with atomic_path(target, suffix=".nii.gz") as tmp:  # nibabel writes by name, gzipped for .gz
        nib.save(img, os.fspath(tmp))


def _write_classes(project: Project, path: Path) -> None:
    by_id = {c.id: c.name for c in project.categories.values() if 1 <= c.id <= MAX_CLASS_ID}
    top = max(by_id, default=0)
    # one line per id (a name with a line break would shift every later class); no name: a blank line
    lines = ["background", *[one_line(by_id[i]) if i in by_id else "" for i in range(1, top + 1)]]
    write_fresh(path, "\n".join(lines) + "\n")
