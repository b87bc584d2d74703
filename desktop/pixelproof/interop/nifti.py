"""NIfTI label volumes (voxel value = class id), both ways: ``--from nifti`` / ``--to nifti``.

Reading: a label file, a folder of them, or a dataset with ``labelsTr/`` (and ``imagesTr/``, the Medical
Segmentation Decathlon / nnU-Net layout). Each label volume becomes one semantic RLE mask per class and
slice, on image records named after the matching image volume (``imagesTr/case.nii.gz#z=012``, found by
stem, nnU-Net's ``case_0000.nii.gz`` too) or, without one, after the label volume itself. Class names come
from ``--classes`` or a ``classes.txt`` beside the labels (line n = class id n, line 0 the background; blank
lines name nothing), else from the dataset's ``dataset.json`` ``labels`` (beside ``labelsTr/`` also when that
folder or a file of it is named), else ``class <id>``. A label
file without an image volume is read onto the DICOM series it labels (``nifti_series.find_series``: the
series folder its stem names, ``ct.nii.gz`` -> ``ct/``, or a folder that is one series), its voxels turned
to the series' axes and its affine checked against the series' geometry; one of another size or place is
skipped with a message naming both.

Writing: one ``<volume>.nii.gz`` per NIfTI volume the project's slices come from, voxel value = category
id, with the source's affine and header: masks are put on the canonical grid the slices were cut from
(``volumes.oriented_slice``), then the reorientation is undone so labels land on the source's voxels.
One ``<series folder>.nii.gz`` per DICOM series, its affine the series' geometry (``nifti_series``).
``classes.txt`` names the ids. Single DICOM files, multi-frame objects and plain images are left out with a
warning (use ``dicom-seg`` or ``masks`` for them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.limits import LimitError, check_text
from pixelproof.core.volumes import (
    NiftiVolume,
    SliceRef,
    Volume,
    VolumeError,
    check_slice_count,
    is_nifti,
    is_volume_file,
    open_nifti,
    oriented_slice,
    volume_stem,
)
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
from pixelproof.interop.nifti_series import (
    distance_text,
    farthest_corner,
    find_series,
    holds_series,
    on_series,
    slice_name,
)
from pixelproof.interop.nifti_series_fit import series_by_geometry
from pixelproof.interop.nifti_writer import MAX_CLASS_ID, write_nifti
from pixelproof.interop.panoptic import add_id_objects

LABEL_FOLDERS = ("labelsTr", "labelsTs")  # the Decathlon / nnU-Net label folders, dataset.json one level up
CHECK_CHUNK_VOXELS = 1 << 20  # voxels checked at once (whole z-slices): bounds the temporaries of the check


def read_nifti(
    path: str | os.PathLike[str],
    *,
    classes: str | os.PathLike[str] | None = None,
    image_dir: str | os.PathLike[str] | None = None,
    axis: str = "z",
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import label volumes as a project of slices (see the module docstring)."""
    root = Path(path)
    report = Reporter(on_problem)
    named = image_dir is not None  # a folder the user named may itself be the one series the labels label
    if root.is_dir():
        label_dir = root / "labelsTr" if (root / "labelsTr").is_dir() else root
        files = sorted(p for p in label_dir.rglob("*") if p.is_file() and is_nifti(p))
        image_dir = (
            Path(image_dir) if image_dir else (root / "imagesTr" if (root / "imagesTr").is_dir() else None)
        )
        base = root
    elif root.is_file():
        files, base = [root], root.parent
        image_dir = Path(image_dir) if image_dir else None
    else:
        raise ValueError(f"{root}: not found")
    if not files:
        raise ValueError(f"{root}: no NIfTI label volumes (.nii, .nii.gz) found")
    folders = [base, files[0].parent]
    # labelsTr/ (or one file of it) named on its own: the Decathlon / nnU-Net dataset.json lies beside it, one
    # level up; without it the classes read as "class 1" and score Dice 0 against a candidate naming them
    folders += [folder_above(f) for f in folders if Path(os.path.abspath(f)).name in LABEL_FOLDERS]
    names = _class_names(Path(classes) if classes else None, folders, report)
    project = folder_project(base)
    build = Builder(project)
    image_files = image_volumes(image_dir) if image_dir is not None else {}
    series_dirs = [image_dir] if image_dir is not None else [base, folder_above(base)]
    known: dict[Path, bool] = {}  # folder -> holds a DICOM series (scanned once an import)
    for label_file in with_progress(files, len(files), progress):
        if (
            image_dir is not None
            and root.is_dir()  # a file named is labels, though it lies beside the series folders
            and _same_dir(label_file.parent, image_dir)
            and not holds_series(image_dir, known)
        ):
            continue  # a label folder that also holds the images: only labels are read here
        try:
            read_label_volume(
                label_file,
                [open_nifti(label_file, axis)],
                image_files,
                (series_dirs, named, known),
                names,
                axis,
                build,
                base,
                report,
            )
        except (VolumeError, LimitError) as e:  # LimitError: a file name that is not UTF-8
            report.skip("volumes", f"{e}; skipped")
    build.order_categories()
    return ImportResult(project, report.problems, report.skipped, semantic=True)


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def image_volumes(folder: Path) -> dict[str, Path]:
    """Image volume (NIfTI or NRRD) by case stem: ``case.nii.gz``, ``case.nrrd`` and nnU-Net's
    ``case_0000.nii.gz`` all give ``case``."""
    out: dict[str, Path] = {}
    for f in sorted(folder.rglob("*")):
        if f.is_file() and is_volume_file(f):
            stem = volume_stem(f.name)
            out.setdefault(stem, f)
            if stem.endswith("_0000"):  # nnU-Net: the first channel's file stands for the case
                out.setdefault(stem[:-5], f)
    return out


def _series_named_nearer(
    label_file: Path, image_file: Path, series_dirs: tuple[list[Path], bool, dict[Path, bool]]
) -> bool:
    """Whether the DICOM series folder the label's name names lies right in the images folder
    (``ct.nii.gz`` -> ``ct/``) while ``image_file`` was found deeper in it: the series is the image, the
    NIfTI another reader's label map kept beside it (MONAI Label's ``labels/original/ct.nii.gz`` and
    ``labels/final/ct.nii.gz``), which was taken for the image of the other."""
    folders, _, known = series_dirs
    stem = volume_stem(label_file.name)
    return any(not _same_dir(image_file.parent, f) and holds_series(f / stem, known) for f in folders)


def read_label_volume(
    label_file: Path,
    layers: list[NiftiVolume],
    image_files: dict[str, Path],
    series_dirs: tuple[list[Path], bool, dict[Path, bool]],
    names: dict[int, str],
    axis: str,
    build: Builder,
    base: Path,
    report: Reporter,
    *,
    stand_in: Path | None = None,
) -> None:
    """The slices of one label file's volume (``layers``: its label maps on one grid, several where the
    labels overlap, as in a Slicer segmentation), put on its image volume or DICOM series; with none
    found, named after ``stand_in`` (default: the label file): the image volume the labels belong to, so
    they line up when it is added later."""
    labels = layers[0]
    for note in labels.notes:  # nibabel's fixes of its header, named
        report(note)
    if labels.channels > 1:
        raise VolumeError(f"{label_file}: a label volume must be 3D, this one has {labels.channels} channels")
    image_file = image_files.get(volume_stem(label_file.name))
    if image_file is not None and (
        _same_dir(image_file, label_file) or _series_named_nearer(label_file, image_file, series_dirs)
    ):
        image_file = None  # a label file in a DICOM series folder given as the images folder
    geometry: Volume = labels
    if image_file is None:
        series, why = find_series(label_file, *series_dirs)
        if why:
            raise VolumeError(why)
        check_slice_count(labels)  # from the header, before a voxel is decoded or a record made
        data, note = None, None
        if series is None and series_dirs[1]:  # named after no series: the one under --image-dir it fits
            series, data, note = series_by_geometry(labels, series_dirs[0], series_dirs[2])
        elif series is not None:  # the voxels in the series' order: slice k is the k-th file, rows x columns
            data, note = on_series(labels, series)
        if note:
            report(note)
        if series is not None and data is not None:
            arrays = [data, *(on_series(v, series)[0] for v in layers[1:])]
            name = rel_name(series.source, base)
            name = name if name != "." else f"../{series.source.name}"  # the labels lie in the series folder
            _add_slices(
                label_file, arrays, series, lambda k: name + slice_name(series, k), names, build, report
            )
            return
    if image_file is not None:
        image = open_nifti(image_file, axis)
        for note in image.notes:
            report(note)
        if (image.depth, image.height, image.width) != (labels.depth, labels.height, labels.width):
            raise VolumeError(
                f"{label_file}: {labels.width}x{labels.height}x{labels.depth} labels but its image "
                f"{image_file.name} is {image.width}x{image.height}x{image.depth}"
            )
        if not np.allclose(image.canonical_affine, labels.canonical_affine, atol=1e-3):
            far = farthest_corner(image.canonical_affine, labels.canonical_affine, labels.canonical_shape)
            report(
                f"{label_file}: its affine differs from {image_file}'s (the same voxel lies up to "
                f"{distance_text(far)} apart in the two); labels are put on the image by voxel index "
                "(both turned to RAS+), not by position: check which header is right"
            )
        geometry = image
    check_slice_count(labels)  # from the header, before a voxel is decoded or a record made
    named_after = image_file if image_file is not None else (stand_in or label_file)
    source_name = rel_name(named_after, base)
    _add_slices(
        label_file,
        [v.canonical_array() for v in layers],
        geometry,
        lambda k: source_name + SliceRef("", axis, k).name(labels.depth),
        names,
        build,
        report,
        axis,
    )


def _add_slices(
    label_file: Path,
    layers: list[np.ndarray],
    geometry: Volume,
    name_of: Callable[[int], str],
    names: dict[int, str],
    build: Builder,
    report: Reporter,
    axis: str = "",
) -> None:
    """One record per slice of ``geometry`` (named ``name_of(k)``) holding a semantic mask per class of
    each of ``layers`` (several: classes that overlap): canonical arrays sliced along ``axis``, or (``axis``
    "") a DICOM series' (column, row, slice) arrays, slice k being ``data[:, :, k]`` transposed. All slices
    or none: a slice that is no label map removes the ones made before it."""
    for data in layers:
        whole, low, high = _value_range(data)
        if not whole:
            raise VolumeError(f"{label_file}: label values must be whole numbers (class ids)")
        if low is not None and (low < 0 or high > MAX_CLASS_ID):
            raise VolumeError(f"{label_file}: class ids must be in 0..{MAX_CLASS_ID}")

    def category(value: int) -> tuple[int, bool] | None:
        return None if value == 0 else (build.category(names.get(value, f"class {value}"), value).id, False)

    made: list[int] = []
    for k in range(geometry.depth):
        record = build.image(
            name_of(k),
            geometry.width,
            geometry.height,
            **geometry.slice_meta(k, placed=False).record_extra(),
            pixelproof=geometry.identity(k),
        )
        made.append(record.id)
        try:
            with build.record(record, report):  # labelled whole: an empty slice is Done
                # each value's mask from its box: a slice of thousands of values costs no value x slice
                for data in layers:
                    plane = oriented_slice(data, axis, k) if axis else data[:, :, k].T
                    ids = np.asarray(plane).astype(np.uint16, copy=False)  # whole, 0..MAX_CLASS_ID: checked
                    add_id_objects(ids, record, build, split=None, category=category, extra_key="nifti")
        except LimitError as e:  # values scattered over the slice: not a label map; no half volume
            for image_id in made:
                build.project.remove_image(image_id)
            raise VolumeError(f"{label_file}: slice {k}: {e.message}") from None


def _chunks(data: np.ndarray, voxels: int = CHECK_CHUNK_VOXELS) -> Iterator[np.ndarray]:
    """Views of ``data`` (x, y, z) in blocks of whole z-slices, about ``voxels`` each (at least one
    slice), so a check over the volume needs memory for one block, not copies of the whole volume."""
    per_slice = max(1, data.shape[0] * data.shape[1])
    step = max(1, voxels // per_slice)
    for k in range(0, data.shape[2], step):
        yield data[:, :, k : k + step]


def _value_range(data: np.ndarray) -> tuple[bool, Any, Any]:
    """(all values whole numbers, min, max) of a label volume, block by block; min and max are None for
    an empty volume or when a value is not whole."""
    is_float = data.dtype.kind == "f"
    low = high = None
    for block in _chunks(data):
        if not block.size:
            continue
        if is_float and not (np.isfinite(block).all() and np.array_equal(block, np.round(block))):
            return False, None, None
        b_low, b_high = block.min(), block.max()
        low = b_low if low is None else min(low, b_low)
        high = b_high if high is None else max(high, b_high)
    return True, low, high


def _class_names(classes: Path | None, folders: list[Path], report: Reporter) -> dict[int, str]:
    """Class id -> name from ``classes`` or a classes.txt, else a dataset.json's ``labels``."""
    candidates = [classes] if classes is not None else [f / "classes.txt" for f in folders]
    for f in candidates:
        if f is not None and f.is_file():
            try:
                lines = f.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as e:
                report(f"{f}: cannot read the class names: {e}")
                return {}
            return {i: name.strip() for i, name in enumerate(lines) if i > 0 and name.strip()}
    for folder in folders:
        f = folder / "dataset.json"
        if not f.is_file():
            continue
        try:
            labels = json.loads(f.read_text(encoding="utf-8")).get("labels", {})
            pairs = [(int(v), str(k)) if isinstance(v, int) else (int(k), str(v)) for k, v in labels.items()]
        except (OSError, ValueError, AttributeError, TypeError, RecursionError) as e:
            report(f"{f}: cannot read the labels: {e}")
            return {}
        names = {}
        for i, n in pairs:
            try:  # "\ud800" (an escape JSON allows) failed every volume holding that class
                check_text(n, str(f), f"the name of class {i}")
            except LimitError as e:
                report(f"{e}; it is named 'class {i}'")
                continue
            if i > 0:
                names[i] = n
        return names
    return {}


def looks_like_nifti(path: Path) -> bool:
    """A .nii/.nii.gz file, a dataset with labelsTr/, or a folder whose files are NIfTI volumes (hidden
    files aside: an export's ``.pixelproof-export`` marker, a Mac's ``.DS_Store``)."""
    if path.is_file():
        return is_nifti(path)
    if not path.is_dir():
        return False
    if (path / "labelsTr").is_dir():
        return True
    names = ("classes.txt", "dataset.json")
    files = [f for f in path.iterdir() if f.is_file() and f.name not in names and not f.name.startswith(".")]
    return bool(files) and all(is_nifti(f) for f in files)


AXIS_OPTION = Option(  # the slicing of every label-volume format read over NIfTI / DICOM volumes
    "axis",
    "choice",
    "slice axis after reorientation to RAS+: z axial (default), y coronal, x sagittal",
    "z",
    choices={"z": "Axial (z)", "y": "Coronal (y)", "x": "Sagittal (x)"},
    label="Slice axis",
)


FORMAT = Format(
    name="nifti",
    title="NIfTI label volumes",
    reader=read_nifti,
    writer=write_nifti,
    read_options=(
        Option(
            "classes",
            "file",
            "class names: one per line (line n = class id n, line 0 the background); default classes.txt "
            "beside the labels, else the labels of dataset.json",
            None,
            label="Class list",
        ),
        Option(
            "image_dir",
            "folder",
            "folder of the image volumes (or DICOM series folders) the labels belong to (default: imagesTr/ "
            "beside labelsTr/; DICOM series beside the labels)",
            None,
            label="Images folder",
        ),
        AXIS_OPTION,
    ),
    detect=looks_like_nifti,
    suffixes=(".nii", ".nii.gz"),
    lost_on_export="images that are not slices of a NIfTI volume or a DICOM series (single DICOM files, "
    "multi-frame objects, plain images); overlapping objects (the later wins); instances (voxel value = "
    "class id); void regions (left out, a warning says how many: a voxel value of their own would be a "
    "class)",
)
