"""A folder as 3D Slicer saves a scene (``ct.nrrd`` beside ``ct.seg.nrrd``) made a new project: the image
volumes' slices are its images and each segmentation comes in as its volume's masks, as Slicer loads both.
``pixelproof new`` and the app's New Project from Folder both call ``project_with_segmentations``.

A segmentation is put on the NRRD or NIfTI volume in its own folder that bears its name (``ct.seg.nrrd`` on
``ct.nrrd``, ``ct.nhdr`` or ``ct.nii.gz``), else on the one volume there on its voxel grid (Slicer's
``Segmentation.seg.nrrd``, ``Segmentation_1.seg.nrrd``); with no volume of its name, on the DICOM series
folder its name names (``CT.seg.nrrd`` beside ``CT/``: ``nifti_series.find_series``, the lookup ``convert
--from slicer-seg`` uses); through the slicer-seg reader's own path (same masks, one semantic mask per
segment and slice). Several segmentations of one volume all come in; a
segment name shared by two is one category. A grid that does not match (size, spacing, place), a folder
with no volume, or several volumes of its grid: left out and said, with what would import it. A segment
name PixelProof would not make (a control character) is kept whole and said, as an import says it
(``report_category_names``). Nothing in the folder is written.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import orjson

from pixelproof.core.coco_dump import annotation_to_dict
from pixelproof.core.dicom import DicomError
from pixelproof.core.edits import AddAnnotations, AddCategory, Compound, Edit, SetImageStatus
from pixelproof.core.edits.images import AddImages
from pixelproof.core.export_mark import SkippedExport
from pixelproof.core.image_folder import Additions, images_to_add, project_from_folder
from pixelproof.core.limits import LimitError, lexical_path
from pixelproof.core.model import (
    DONE_STATES,
    LAST_ANNOTATION_ID,
    LAST_CATEGORY_ID,
    LAST_IMAGE_ID,
    Annotation,
    ImageRecord,
    Project,
)
from pixelproof.core.volumes import (
    NiftiVolume,
    VolumeError,
    is_volume_file,
    open_nifti,
    parse_slice_ref,
    volume_stem,
)
from pixelproof.core.wording import plural
from pixelproof.interop._util import Builder, Reporter, category_for, folder_project, report_category_names
from pixelproof.interop.nifti import read_label_volume
from pixelproof.interop.nifti_series import find_series, volume_name
from pixelproof.interop.slicer_seg_file import open_seg

ATOL_MM = 1e-3  # voxel grids this close are one grid (as the slicer-seg reader pairs by grid)


def project_with_segmentations(
    image_dir: Path,
    project_file: Path,
    categories: Iterable[str] = (),
    *,
    on_skip: Callable[[str], None] | None = None,
    on_read: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_export: Callable[[SkippedExport], None] | None = None,
) -> Project:
    """``core.image_folder.project_from_folder`` with the folder's Slicer segmentations read onto their
    volumes' slices: each one read is said through ``on_read`` (its segments and objects), each left out
    through ``on_skip`` with the reason."""
    skip = on_skip or (lambda _message: None)
    labels: dict[object, Path] = {}
    project = project_from_folder(
        image_dir,
        project_file,
        categories,
        on_skip=skip,
        progress=progress,
        on_export=on_export,
        on_labels=lambda path: _once(labels, path),
    )
    read_segmentations(project, list(labels.values()), skip, on_read or (lambda _message: None))
    return project


def read_segmentations(
    project: Project,
    seg_files: list[Path],
    skip: Callable[[str], None],
    said: Callable[[str], None],
    *,
    before: Project | None = None,
    on_already: Callable[[Path], None] | None = None,
) -> None:
    """Each of ``seg_files`` onto the slices of its volume among ``project``'s images (module docstring).
    ``before``: the project they are added to (``project`` is its scratch copy): a segmentation whose
    objects are on its slices there already (same category name and pixels) is not read again - all of
    them: said through ``on_already``; some: left out and said through ``skip``."""
    volumes = _volumes_by_folder(project)
    known: dict[Path, bool] = {}  # folder -> holds a DICOM series, scanned once
    for seg_file in sorted(seg_files):
        here = volumes.get(lexical_path(seg_file).parent, [])
        series = None
        if not any(volume_stem(v.name) == volume_stem(seg_file.name) for v in here):
            try:  # the DICOM series its name names (``CT.seg.nrrd`` beside ``CT/``), as convert finds it
                series, why = find_series(seg_file, [seg_file.parent], False, known)
            except (DicomError, OSError) as e:
                series, why = None, f"{seg_file}: not read onto a DICOM series: {e}"
            if why:
                skip(f"{why}; left out")
                continue
        if series is None and not here:  # said before a voxel is read
            skip(
                f"{seg_file}: a 3D Slicer segmentation with no image volume (NRRD or NIfTI) or DICOM series "
                f"folder of its name in its folder to lie on; not made into slices (they would show no "
                f"image); to import it onto its volume: {_command(seg_file)}"
            )
            continue
        try:
            layers, names = open_seg(seg_file)
            volume = series.source if series is not None else _volume_of(seg_file, layers[0], here)
            on = {} if series is not None else {volume_stem(seg_file.name): volume}
            objects = _read_onto(project, seg_file, (layers, names), on, known, skip, before)
        except _Already:
            if on_already is not None:
                on_already(seg_file)
            continue
        except _LeftOut as e:
            skip(str(e))
            continue
        except (VolumeError, LimitError) as e:
            skip(f"{e}; left out")
            continue
        where = Path(volume_name(series)).name if series is not None else volume.name  # ct, ct#series=2
        said(
            f"{seg_file}: {plural(len(names), 'segment')}, {plural(objects, 'object')} on the slices of "
            f"{where}"
        )


class _LeftOut(Exception):
    """A segmentation not read, and why (the message names the file)."""


class _Already(Exception):
    """A segmentation whose objects are all on its volume's slices in the project already."""


def _volumes_by_folder(project: Project) -> dict[Path, list[Path]]:
    """The NRRD and NIfTI volumes the project's slices come from, by their folder (lexical, absolute: a
    segmentation lies on a volume beside it as the folder shows it, wherever a link points)."""
    out: dict[Path, list[Path]] = {}
    for image in project.images.values():
        ref = parse_slice_ref(image.file_name)
        if ref is None or ref.series is not None:
            continue
        path = project.image_path(ImageRecord(image.id, ref.source, 1, 1))
        if is_volume_file(path) and path.is_file():  # not a DICOM series, a TIFF stack, a multi-frame DICOM
            found = out.setdefault(lexical_path(path).parent, [])
            if path not in found:
                found.append(path)
    return out


def _grid(volume: NiftiVolume) -> str:
    """A voxel grid in words: size, spacing (mm) and the first voxel's place (RAS, mm)."""
    w, h, d = volume.canonical_shape[:3]
    a = volume.canonical_affine
    spacing = "x".join(f"{v:g}" for v in np.linalg.norm(a[:3, :3], axis=0))
    origin = ", ".join(f"{v:.1f}" for v in a[:3, 3])
    return f"{w}x{h}x{d} voxels of {spacing} mm at ({origin})"


def _fits(image: NiftiVolume, labels: NiftiVolume) -> bool:
    return tuple(image.canonical_shape[:3]) == tuple(labels.canonical_shape[:3]) and np.allclose(
        image.canonical_affine, labels.canonical_affine, atol=ATOL_MM
    )


def _command(seg_file: Path) -> str:
    return f"pixelproof convert {seg_file} OUT.json --from slicer-seg --to coco --image-dir VOLUME_FOLDER"


def _volume_of(seg_file: Path, labels: NiftiVolume, here: list[Path]) -> Path:
    """The volume of ``here`` (its folder's) ``seg_file`` lies on (module docstring); raises ``_LeftOut``
    saying why there is none."""
    stem = volume_stem(seg_file.name)
    named = [v for v in here if volume_stem(v.name) == stem]
    opened = {}
    for v in named or here:
        try:
            opened[v] = open_nifti(v, "z")
        except VolumeError:
            continue  # said when its slices were listed
    fits = [v for v, image in opened.items() if _fits(image, labels)]
    if len(fits) == 1:
        return fits[0]
    if fits:
        which = "bear its name and lie" if named else "lie"
        raise _LeftOut(
            f"{seg_file}: {len(fits)} volumes in its folder {which} on its voxel grid "
            f"({', '.join(v.name for v in fits)}); left out, which is its own cannot be told (name it "
            f"after its volume, or: {_command(seg_file)})"
        )
    grids = "; ".join(f"{v.name} is {_grid(image)}" for v, image in opened.items())
    which = (
        "not on its volume's voxel grid"
        if named
        else "no volume in its folder bears its name or has its grid"
    )
    listed = grids or "its folder's volumes cannot be read"
    raise _LeftOut(f"{seg_file}: {which}: the segmentation is {_grid(labels)}; {listed}; left out")


def _read_onto(
    project: Project,
    seg_file: Path,
    seg: tuple[list[NiftiVolume], dict[int, str]],
    volume: dict[str, Path],
    known: dict[Path, bool],
    skip: Callable[[str], None],
    before: Project | None = None,
) -> int:
    """The segmentation's masks (``seg``: its layers and segment names), read by the slicer-seg reader's
    path into a scratch project (a failure leaves ``project`` as it was), put on the slices in
    ``project`` of its ``volume`` (stem -> file), or with none given of the DICOM series its name names in
    its folder; the number of objects. ``before``: ``read_segmentations``'s (raises ``_Already`` or
    ``_LeftOut`` for objects there already)."""
    base = Path(project.path).parent if project.path is not None else seg_file.parent
    build = Builder(folder_project(base))
    report = Reporter(None)
    layers, names = seg
    series_dirs = ([], True, {}) if volume else ([seg_file.parent], False, known)
    read_label_volume(seg_file, layers, volume, series_dirs, names, "z", build, base, report)
    for problem in report.problems:
        skip(problem)
    slices = _z_slices(project)
    scratch = build.project
    targets: dict[int, ImageRecord] = {}
    seen: dict[str, object] = {}
    for image in scratch.images.values():
        target = slices.get(_slice_key(scratch, image, seen))
        if target is None or target.size != image.size:
            raise _LeftOut(f"{seg_file}: slice {image.file_name} is not one of the project's; left out")
        targets[image.id] = target
    if before is not None:
        _not_there_yet(before, scratch, targets, seg_file)
    # a segment name with a line break or a bidi override is said, as an import of the file says it
    report_category_names(SimpleNamespace(project=scratch, problems=[]), seg_file, skip)
    category_of = {}
    for cat in sorted(scratch.categories.values(), key=lambda c: c.id):
        category_of[cat.id] = category_for(project, cat.name, cat.id).id
    new_ids = project.id_counter(LAST_ANNOTATION_ID)
    for ann in scratch.annotations.values():
        target = targets[ann.image_id]
        project.add_annotation(
            dataclasses.replace(
                ann, id=new_ids.take(), image_id=target.id, category_id=category_of[ann.category_id]
            )
        )
    for image_id, target in targets.items():  # the segmentation covers its volume: its slices are labelled
        if scratch.image_status(image_id) == "done":
            project.set_image_status(target.id, "done")
    return len(scratch.annotations)


def _z_slices(project: Project) -> dict[tuple[object, ...], ImageRecord]:
    """The project's z slices of volumes and DICOM series by ``_slice_key``."""
    seen: dict[str, object] = {}
    keys = ((_slice_key(project, image, seen), image) for image in project.images.values())
    return {key: image for key, image in keys if key is not None}


def _slice_key(project: Project, image: ImageRecord, seen: dict[str, object]) -> tuple[object, ...] | None:
    """A z slice as its volume file or series folder (as the OS resolves it: a link is its target), its
    series, phase and index: equal in the scratch project and the project whatever their folders."""
    ref = parse_slice_ref(image.file_name)
    if ref is None or ref.axis != "z" or ref.channel or ref.time is not None:
        return None
    if ref.source not in seen:  # one stat a volume, not one a slice
        seen[ref.source] = _file_identity(project.image_path(ImageRecord(image.id, ref.source, 1, 1)))
    return (seen[ref.source], ref.series, ref.phase, ref.index)


def _not_there_yet(
    before: Project, scratch: Project, targets: dict[int, ImageRecord], seg_file: Path
) -> None:
    """Raise ``_Already`` when every object of the segmentation read (``scratch``'s) is on its slice in
    ``before`` already, ``_LeftOut`` when some are (added before, some changed since, or another file
    holds the same masks): adding it again would give the slices those masks twice."""
    there = set()
    for target in {t.id for t in targets.values() if t.id in before.images}:
        there |= {_object_key(before, a) for a in before.annotations_of(target)}
    if not there:
        return
    keys = [_object_key(scratch, a, targets[a.image_id].id) for a in scratch.annotations.values()]
    same = sum(k in there for k in keys)
    if same == len(keys):
        raise _Already
    if same:
        ref = parse_slice_ref(next(iter(targets.values())).file_name)
        volume = Path(ref.source).name if ref is not None else "its volume"  # ct.nrrd, or a series' ct
        raise _LeftOut(
            f"{seg_file}: {same} of its {len(keys)} objects are on the slices of {volume} already "
            f"(added before, some changed since?); left out, not to put them there twice (delete them to "
            f"add it again, or import it: {_command(seg_file)})"
        )


def _object_key(project: Project, ann: Annotation, image_id: int | None = None) -> tuple[object, ...]:
    """An object as its slice, category name and pixels: equal for the same mask, whatever its id, review
    or score."""
    outline = annotation_to_dict(ann).get("segmentation")
    pixels = orjson.dumps(outline, option=orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY, default=str)
    return (ann.image_id if image_id is None else image_id, project.categories[ann.category_id].name, pixels)


def images_and_segmentations_to_add(
    project: Project,
    paths: Iterable[str | os.PathLike[str]],
    on_skip: Callable[[str], None],
    *,
    on_read: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Additions, Edit | None]:
    """``core.image_folder.images_to_add`` with the Slicer segmentations among ``paths`` read onto their
    volumes' slices as ``project_with_segmentations`` reads them: a volume added now or one the project
    has (its slices, found by their volume's file). The one edit that adds the images, the segments'
    categories, the objects and the slices' "done" (None: nothing to add). A segmentation whose objects
    the slices hold already is not added again: its path is in ``Additions.already``."""
    labels: dict[object, Path] = {}
    found = images_to_add(project, paths, on_skip, progress=progress, on_labels=lambda p: _once(labels, p))
    if not labels:
        return found, AddImages(found.images) if found.images else None
    scratch = _scratch(project, found.images, {lexical_path(p).parent for p in labels.values()})
    read: list[str] = []
    read_segmentations(
        scratch,
        list(labels.values()),
        on_skip,
        read.append,
        before=project,
        on_already=lambda seg: found.already.append(str(seg)),
    )
    for line in read:
        (on_read or (lambda _message: None))(line)
    parts: list[Edit] = [
        AddCategory(c) for c in scratch.categories.values() if c.id not in project.categories
    ]
    if found.images:
        parts.append(AddImages(found.images))
    anns = list(scratch.annotations.values())
    if anns:
        parts.append(AddAnnotations(anns, f"Add {plural(len(read), 'segmentation')}", owned=True))
    for key, status in scratch.app.get("image_status", {}).items():
        if status == "done" and project.image_status(int(key)) not in DONE_STATES:
            parts.append(SetImageStatus(int(key), "done"))
    if not parts:
        return found, None
    what = [plural(len(found.images), "image")] if found.images else []
    what += [plural(len(read), "segmentation")] if read else []
    return found, Compound(parts, f"Add {' and '.join(what)}", focus=[a.id for a in anns] or None)


def _once(labels: dict[object, Path], path: Path) -> None:
    """Keep ``path`` in ``labels`` unless its file is there already: a file given and in its folder given
    too, or under two names (a link): its masks are put on the slices once."""
    labels.setdefault(_file_identity(path), path)


def _file_identity(path: Path) -> object:
    try:
        st = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return (st.st_dev, st.st_ino)


def _scratch(project: Project, new: list[ImageRecord], folders: set[Path]) -> Project:
    """A copy of ``project`` the segmentations are read into: its categories, its volume slices in
    ``folders`` (the segmentations' own) and the ``new`` images, no object; new ids go on from the
    project's."""
    scratch = Project(path=project.path)
    for cat in project.categories.values():
        scratch.add_category(dataclasses.replace(cat))
    for image in project.images.values():
        ref = parse_slice_ref(image.file_name)
        if ref is not None and lexical_path(project.image_path(image)).parent in folders:
            scratch.add_image(dataclasses.replace(image, extra=dict(image.extra)))
    for image in new:
        scratch.add_image(dataclasses.replace(image, extra=dict(image.extra)))
    for key in (LAST_ANNOTATION_ID, LAST_IMAGE_ID, LAST_CATEGORY_ID):
        scratch.app[key] = project.given_out(key)
    return scratch
