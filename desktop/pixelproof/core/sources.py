"""Where an image record's pixels come from when they are not a plain image file: slices of volumes
(NIfTI, NRRD, DICOM series, multi-frame DICOM, TIFF z-stacks and time series), single DICOM files and
pyramidal TIFFs.

``imageio.read_image`` and ``imageio.image_size`` hand such paths here (``read_special``,
``special_size``); ``image_meta`` says how to display them and their geometry; ``scan_images`` turns a
folder into image entries, one per slice of each volume (see ``pixelproof.core.volumes`` for the names).
Heavy libraries (pydicom, nibabel, tifffile) load only when a file needs them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.export_mark import MARKER, SkippedExport, is_export, skipped_export
from pixelproof.core.imageio import IMAGE_SUFFIXES, LABEL_SUFFIXES, ImageReadError
from pixelproof.core.limits import LimitError, check_image_size, max_pixels
from pixelproof.core.paths import RelativeNames, file_order_key
from pixelproof.core.volume_cache import cached
from pixelproof.core.volumes import (
    ImageMeta,
    SliceRef,
    Volume,
    VolumeError,
    check_slice_count,
    is_volume_file,
    open_nifti,
    parse_slice_ref,
)

_PLAIN_SUFFIXES = tuple(s for s in IMAGE_SUFFIXES if s not in (".tif", ".tiff"))


def _slice_ref(path: Path) -> SliceRef | None:
    """The slice a path names, unless a file of that very name exists (``scan#z=1.png`` stays a file)."""
    if "#" not in path.name:
        return None
    ref = parse_slice_ref(os.fspath(path))
    if ref is None or path.exists():
        return None
    return ref


def kind_of(path: str | os.PathLike[str]) -> str | None:
    """ "slice", "nifti", "dicom", "pyramid", or None for a plain image file (or an unknown one)."""
    p = Path(path)
    low = p.name.lower()
    if low.endswith(_PLAIN_SUFFIXES):
        return "slice" if _slice_ref(p) is not None else None
    if _slice_ref(p) is not None:
        return "slice"
    if is_volume_file(p):
        return "nifti"
    from pixelproof.core import pyramid

    if pyramid.has_tiff_suffix(p):
        return "pyramid" if pyramid.is_pyramid(p) else None
    from pixelproof.core.dicom import looks_like_dicom

    if p.is_file() and looks_like_dicom(p):
        return "dicom"
    return None


def open_volume(ref: SliceRef) -> Volume:
    """The volume a slice reference points into; raises ``VolumeError``."""
    from pixelproof.core import dicom, dicom_series, pyramid, tiff_stack

    source = Path(ref.source)
    if source.is_dir():
        if ref.axis != "z" or ref.channel or ref.time is not None:
            raise VolumeError(f"{source}: a DICOM series is sliced along z only")
        return dicom_series.open_series(source, ref.series, ref.phase)
    if not source.exists():
        raise VolumeError(f"{source}: volume not found")
    if is_volume_file(source):
        if ref.series is not None or ref.phase is not None or ref.time is not None:
            raise VolumeError(f"{source}: a NIfTI or NRRD file has no series, phases or time points")
        return open_nifti(source, ref.axis, ref.channel)
    if pyramid.has_tiff_suffix(source):
        if ref.channel or ref.series is not None or ref.phase is not None:
            raise VolumeError(f"{source}: a TIFF stack's planes are named by t= and z= only (all channels)")
        return tiff_stack.open_stack(source, ref.axis, ref.time)
    if dicom.looks_like_dicom(source):
        if ref.axis != "z" or ref.channel or ref.series is not None or ref.phase is not None or ref.time:
            raise VolumeError(f"{source}: the frames of a DICOM object are numbered along z only")
        return dicom_series.open_frames(source)
    raise VolumeError(
        f"{source}: not a volume (NIfTI, NRRD, DICOM series folder, multi-frame DICOM or TIFF z-stack)"
    )


def _wrap(fn: Callable[[], Any]) -> Any:
    """Run ``fn``, turning the readers' own errors into ``ImageReadError`` (same message)."""
    from pixelproof.core.pyramid import PyramidError

    try:
        return fn()
    except (VolumeError, PyramidError) as e:
        raise ImageReadError(str(e)) from None


def read_special(path: str | os.PathLike[str], expect: Mapping[str, Any] | None = None) -> np.ndarray | None:
    """Pixels of a slice, a DICOM file or a (small enough) pyramid; None for a plain image file.
    ``expect``: the identity the image's record keeps for its slice (``volumes.expected_identity``); a slice
    that is not that one any more is refused (``ImageReadError`` naming the image and what changed)."""
    p = Path(path)
    kind = kind_of(p)
    if kind is None:
        return None
    return _wrap(lambda: _read(p, kind, expect))


def _read(p: Path, kind: str, expect: Mapping[str, Any] | None) -> np.ndarray:
    from pixelproof.core import dicom, pyramid

    if kind == "slice":
        ref = _slice_ref(p)
        assert ref is not None
        volume = open_volume(ref)
        check_slice(p, volume, ref.index, expect)
        return volume.slice(ref.index)
    if kind == "nifti":
        volume = open_nifti(p)
        if volume.depth != 1:
            raise VolumeError(f"{p}: a volume of {volume.depth} slices; name one slice, e.g. {p.name}#z=000")
        return volume.slice(0)
    if kind == "dicom":
        return dicom.read_dicom(p)
    pyr = pyramid.open_pyramid(p)
    if pyr.width * pyr.height > max_pixels():
        raise pyramid.PyramidError(
            f"{p}: a {pyr.width}x{pyr.height} pyramidal image is read tile by tile, not whole "
            f"(over the limit of {max_pixels():,} pixels decoded at once)"
        )
    level = pyr.levels[0]
    return level.region(0, level.height, 0, level.width)


def slice_pyramid(path: str | os.PathLike[str], expect: Mapping[str, Any] | None = None) -> Any:
    """The ``core.pyramid.Pyramid`` of a slice of a pyramidal TIFF stack (each plane with its own reduced
    levels), read tile by tile as a whole-slide image is; None for any other path, and for a plane whose
    own levels are not readable as its first plane's (then read whole, under the pixel limit, as a plain
    stack's). Its record's identity ``expect`` is checked as ``read_special`` checks it;
    ``ImageReadError`` for what cannot be read."""
    from pixelproof.core import pyramid, tiff_stack

    p = Path(path)
    ref = _slice_ref(p)
    if ref is None or not pyramid.has_tiff_suffix(ref.source):
        return None

    def read() -> Any:
        volume = open_volume(ref)
        if not isinstance(volume, tiff_stack.TiffStack) or not volume.layout.pyramidal:
            return None
        check_slice(p, volume, ref.index, expect)
        try:
            return volume.pyramid(ref.index)
        except pyramid.PyramidError:  # this plane's own levels missing or broken: read whole, under the limit
            return None

    return _wrap(read)


def stack_channels(
    path: str | os.PathLike[str], expect: Mapping[str, Any] | None = None
) -> tuple[np.ndarray, Any] | None:
    """The H x W x C planes and a ``channels.Composite`` of a slice of a multichannel TIFF stack (the
    canvas shows and toggles its channels), None for any other path; its record's identity ``expect``
    is checked as ``read_special`` checks it."""
    from pixelproof.core import pyramid, tiff_stack

    p = Path(path)
    ref = _slice_ref(p)
    if ref is None or not pyramid.has_tiff_suffix(ref.source):
        return None

    def read() -> tuple[np.ndarray, Any] | None:
        volume = open_volume(ref)
        composite = volume.layout.composite() if isinstance(volume, tiff_stack.TiffStack) else None
        if composite is None:
            return None
        check_slice(p, volume, ref.index, expect)
        return volume.raw(ref.index), composite.copy()

    return _wrap(read)


def check_slice(
    name: str | os.PathLike[str], volume: Volume, index: int, expect: Mapping[str, Any] | None
) -> None:
    """``VolumeError`` naming the image ``name`` when slice ``index`` of ``volume`` is not the slice whose
    identity its record keeps (``expect``); records without one (older projects) pass."""
    problem = volume.mismatch(index, expect) if expect else None
    if problem is not None:
        raise VolumeError(f"{os.fspath(name)}: {problem}")


def special_size(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(width, height) of a slice, DICOM file or pyramid from headers only; None for a plain file."""
    p = Path(path)
    kind = kind_of(p)
    if kind is None:
        return None

    def size() -> tuple[int, int]:
        from pixelproof.core import dicom, pyramid

        if kind == "slice":
            ref = _slice_ref(p)
            assert ref is not None
            v = open_volume(ref)
            if not 0 <= ref.index < v.depth:
                raise VolumeError(f"{ref.source}: slice {ref.index} out of range (the volume has {v.depth})")
            return v.width, v.height
        if kind == "nifti":
            v = open_nifti(p)
            return v.width, v.height
        if kind == "dicom":
            rows, cols = dicom.image_size_of(dicom.read_dataset(p), p)
            return cols, rows
        pyr = pyramid.open_pyramid(p)
        if pyr.short_table:  # refused by name here, not pre-labeled to fail tile by tile
            raise pyramid.PyramidError(pyr.short_table)
        return pyr.width, pyr.height

    return _wrap(size)


def image_meta(path: str | os.PathLike[str]) -> ImageMeta:
    """Display and geometry of any image path (an empty ``ImageMeta`` for plain files)."""
    p = Path(path)
    kind = kind_of(p)
    if kind is None:
        return ImageMeta()

    def meta() -> ImageMeta:
        from pixelproof.core import dicom, pyramid

        if kind == "slice":
            ref = _slice_ref(p)
            assert ref is not None
            return open_volume(ref).slice_meta(ref.index)
        if kind == "nifti":
            return open_nifti(p).slice_meta(0)
        if kind == "dicom":
            return dicom.dicom_meta(dicom.read_dataset(p), 0)
        return pyramid.open_pyramid(p).meta

    return _wrap(meta)


def automatic_window(path: str | os.PathLike[str], pixels: np.ndarray) -> tuple[float, float]:
    """The automatic display window of the image at ``path`` (``pixels``: its pixels): one for the whole
    volume for a slice (``core.volume_window``: scrolling keeps one brightness, as 3D Slicer), the
    pixels' own (``imageio.auto_window``) for a single image or when the volume cannot be sampled."""
    from pixelproof.core.imageio import auto_window
    from pixelproof.core.volume_window import volume_auto_window

    p = Path(path)
    ref = _slice_ref(p) if kind_of(p) == "slice" else None
    window = None
    if ref is not None:
        try:
            window = volume_auto_window(open_volume(ref))
        except (VolumeError, ImageReadError, OSError):
            window = None
    return window if window is not None else auto_window(pixels)


# ------------------------------------------------------------------------------------------------
# folders -> image entries


@dataclass
class ImageEntry:
    """One image record to be: ``path`` on disk (file or series folder) + ``fragment`` (``#z=012``)."""

    path: Path
    fragment: str
    width: int
    height: int
    extra: dict[str, Any] = field(default_factory=dict)

    def file_name(self, relative_to: Path | RelativeNames) -> str:
        """The record's ``file_name``: the path relative to ``relative_to`` (forward slashes) + fragment,
        one that leads to the file through symlinked folders too (``core.paths``)."""
        names = relative_to if isinstance(relative_to, RelativeNames) else RelativeNames(relative_to)
        return names.name(os.path.abspath(self.path)) + self.fragment


def volume_entries(
    volume: Volume,
    path: Path,
    series: int | None = None,
    channel: int = 0,
    phase: int | None = None,
    time: int | None = None,
    times: int = 0,
) -> list[ImageEntry]:
    """One entry per slice of ``volume`` (stored at ``path``), each with its spacing, position and the
    identity of its slice (``pixelproof``: ``sop_instance_uid``, ``dicom_file`` or ``volume_shape``);
    ``time``: its time point of ``times`` (a TIFF time series with a Z axis)."""
    out = []
    for k in range(volume.depth):
        ref = SliceRef("", volume.axis, k, channel, series, phase, time)
        extra = volume.slice_meta(k, placed=False).record_extra()
        identity = volume.identity(k)
        if identity:
            extra["pixelproof"] = identity
        out.append(ImageEntry(path, ref.name(volume.depth, times), volume.width, volume.height, extra))
    return out


def scan_images(
    folder: Path,
    skip: Callable[[str], None],
    exclude: Callable[[Path], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_export: Callable[[SkippedExport], None] | None = None,
    on_labels: Callable[[Path], None] | None = None,
) -> list[ImageEntry]:
    """Image entries for every image under ``folder`` (recursive, sorted): plain images, pyramids, DICOM
    files, series and multi-frame objects, NIfTI volumes. Each file left out is reported through ``skip``;
    ``progress(done, total)`` follows the files (DICOM headers are read after the others). ``on_labels``:
    given each label file (a Slicer ``.seg.nrrd``) instead of ``skip``, for a caller that reads them."""
    return image_entries(folder_files(folder, skip, exclude, on_export), skip, progress, on_labels)


def listed_file(p: Path, skip: Callable[[str], None]) -> bool:
    """Whether ``p``, found listing a folder, is a regular file to read (symlinks followed). Anything else
    but a folder - a FIFO, device, socket or broken link - is said through ``skip``, naming it, and never
    opened (a FIFO blocks the read for good); a folder is False unsaid (the caller searches or refuses it)."""
    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:  # a broken link (or gone since the listing)
        mode = None
    except OSError as e:  # a name too long, a loop of links: the OS's reason
        skip(f"{p}: {(e.strerror or str(e)).lower()}; skipped")
        return False
    if mode is not None and (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return stat.S_ISREG(mode)
    skip(f"{p}: not a regular file (a FIFO, device, socket or broken link); skipped")
    return False


def folder_files(
    folder: Path,
    skip: Callable[[str], None],
    exclude: Callable[[Path], bool] | None = None,
    on_export: Callable[[SkippedExport], None] | None = None,
    *,
    search_exports: bool = False,
) -> list[Path]:
    """The regular files under ``folder`` (recursive, sorted) that a scan looks at: hidden files and
    folders and symlinked folders are left out, each reported through ``skip``, and so is a folder that
    cannot be listed (os.walk passes over it in silence). A folder below ``folder`` holding a PixelProof
    export's marker is not searched (``core.export_mark``): said through ``skip`` with its file count, and
    given to ``on_export``; ``folder`` itself is searched whatever it holds (the user named it), and
    every folder with ``search_exports`` (the project's own files looked for, not new images)."""

    def unlisted(e: OSError) -> None:
        reason = (e.strerror or str(e)).lower()
        skip(f"{e.filename}: cannot list the folder ({reason}); skipped")

    files = []
    for root, dirs, names in os.walk(folder, onerror=unlisted):  # symlinked folders are not followed
        here = Path(root)
        searched = []
        for d in sorted(dirs):
            if d.startswith("."):  # .thumbnails, .ipynb_checkpoints, .git: not the dataset's pictures
                skip(f"{here / d}: a hidden folder, not searched; skipped")
            elif (here / d).is_symlink():
                skip(f"{here / d}: a symlinked folder, not searched; skipped (open the folder it links to)")
            elif not search_exports and is_export(here / d):  # mask PNGs, YOLO's copies: not new images
                export = skipped_export(here / d)
                skip(str(export))
                if on_export is not None:
                    on_export(export)
            else:
                searched.append(d)
        dirs[:] = searched
        for n in names:
            p = here / n
            if n == MARKER:  # the export's own note, not one of its files
                continue
            if n.startswith(".") and exclude and exclude(p):  # a project's lock: PixelProof's own file
                continue
            if n.startswith("."):  # .DS_Store, macOS's ._photo.jpg resource forks
                skip(f"{p}: a hidden file, skipped")
            elif listed_file(p, skip) and not (exclude and exclude(p)):
                files.append(p)
    files.sort(key=file_order_key)  # frame_2 before frame_10
    return files


def image_entries(
    files: list[Path],
    skip: Callable[[str], None],
    progress: Callable[[int, int], None] | None = None,
    on_labels: Callable[[Path], None] | None = None,
) -> list[ImageEntry]:
    """Image entries of ``files`` (regular files), sorted: non-images and unreadable images are reported
    through ``skip`` (label files through ``on_labels`` when given); the DICOM files of one folder form
    its series."""
    from pixelproof.core import tiff_stack
    from pixelproof.core.dicom import looks_like_dicom
    from pixelproof.core.imageio import image_size, is_image_file
    from pixelproof.core.nifti_modality import sidecar_path

    candidates = []
    sidecars = {sidecar_path(f) for f in files if is_volume_file(f)}  # read for the volume's modality (HU)
    for f in files:
        if is_volume_file(f) or is_image_file(f) or looks_like_dicom(f):
            candidates.append(f)
        elif f.name.lower().endswith(LABEL_SUFFIXES) and on_labels is not None:
            on_labels(f)
        elif f.name.lower().endswith(LABEL_SUFFIXES):
            skip(f"{f}: a 3D Slicer segmentation (labels, not an image): import it (slicer-seg); skipped")
        elif f not in sidecars:
            skip(f"{f}: not an image, skipped")
    entries: list[ImageEntry] = []
    dicom_by_folder: dict[Path, list[Path]] = {}
    for done, f in enumerate(candidates, start=1):
        stack = _stack_entries(f, skip) if f.suffix.lower() in (".tif", ".tiff") else None
        if is_volume_file(f):
            entries += _decodable(_nifti_entries(f, skip), skip)
        elif stack is not None:
            entries += stack
        elif f.suffix.lower() in (".tif", ".tiff", ".svs") or not looks_like_dicom(f):
            try:
                w, h = image_size(f)
            except ImageReadError as e:
                skip(f"{e}; skipped")
            else:
                entries.append(ImageEntry(f, "", w, h, image_meta_extra(f)))
                if f.suffix.lower() in (".tif", ".tiff") and (n := tiff_stack.ome_images(f)) > 1:
                    skip(
                        f"{f}: {n} images (OME series: a slide's scenes, its label or macro); the first "
                        f"({w}x{h}) is listed, the others not (QuPath opens each as an image of its own: "
                        "to label one, write it to a file of its own, as bfconvert -series N does)"
                    )
        else:
            dicom_by_folder.setdefault(f.parent, []).append(f)
        if progress is not None:
            progress(done, len(candidates))
    for parent, dicom_files in dicom_by_folder.items():
        entries += _decodable(_dicom_entries(parent, dicom_files, skip), skip)
    entries.sort(key=lambda e: (file_order_key(e.path), e.fragment))
    return entries


def _decodable(entries: list[ImageEntry], skip: Callable[[str], None]) -> list[ImageEntry]:
    """The slices and frames of ``entries`` within ``limits.max_pixels()``: a PNG over it is refused at
    ``new`` from its header, and a 65535 x 65535 DICOM or NIfTI slice was listed, to fail when opened.
    Refused in the PNG's words, once a file or series (not once a slice)."""
    kept, said = [], set()
    for entry in entries:
        try:
            check_image_size(entry.width, entry.height, os.fspath(entry.path))
        except LimitError as e:
            if entry.path not in said:
                said.add(entry.path)
                skip(f"{e}; skipped")
            continue
        kept.append(entry)
    return kept


def image_meta_extra(path: Path) -> dict[str, Any]:
    try:
        return image_meta(path).record_extra()
    except ImageReadError:
        return {}


def _nifti_entries(f: Path, skip: Callable[[str], None]) -> list[ImageEntry]:
    try:
        volume = open_nifti(f)
        check_slice_count(volume)  # from the header: one entry a slice
    except VolumeError as e:
        skip(f"{e}; skipped")
        return []
    for note in volume.notes:  # nibabel's fixes of its header (zero voxel sizes read as 1)
        skip(note)
    if volume.channels > 1:
        skip(
            f"{f}: a 4D volume of {volume.channels} channels; the slices of channel 0 are listed "
            f"(channel K is named {f.name}#c=K&z=NNN)"
        )
    return volume_entries(volume, f)


def _stack_entries(f: Path, skip: Callable[[str], None]) -> list[ImageEntry] | None:
    """One entry a plane of a TIFF z-stack or time series (``core.tiff_stack``), None for another TIFF
    (read as one image); a stack over the limits is skipped (an empty list)."""
    from pixelproof.core import tiff_stack

    try:
        volumes = tiff_stack.stack_volumes(f)
    except VolumeError as e:
        skip(f"{e}; skipped")
        return []
    if volumes is None:
        return None
    if volumes[0].layout.series_count > 1:
        skip(f"{f}: {volumes[0].layout.series_count} images (series); the planes of the first are listed")
    times = len(volumes) if len(volumes) > 1 else 0
    entries: list[ImageEntry] = []
    for volume in volumes:
        entries += volume_entries(volume, f, time=volume.time, times=times)
    return entries


def _dicom_entries(parent: Path, files: list[Path], skip: Callable[[str], None]) -> list[ImageEntry]:
    from pixelproof.core import dicom, dicom_series
    from pixelproof.core.dicom_series_notes import series_notes

    scan = dicom_series.scan_folder(parent, files)
    for problem in scan.problems:
        skip(f"{problem}; skipped" if not problem.endswith("skipped") else problem)
    # A slice is named by its place in the whole folder's series, as open_series reads it back: when only
    # some of the folder's files are given (picked one by one), number them in the folder's series.
    given, whole = set(files), scan
    try:
        if any(p.is_file() and p not in given and dicom.looks_like_dicom(p) for p in parent.iterdir()):
            whole = dicom_series.scan_folder(parent)
    except (OSError, dicom.DicomError):
        pass  # a folder that cannot be listed cannot be read back as a series either
    notes = series_notes(parent, whole)  # phases listed, files at one position reported
    if 0 in notes and any(f in given for group in whole.series for f in group.files):
        skip(notes[0])  # which series=K is which
    for k, group in enumerate(whole.series, start=1):
        if k in notes and any(f in given for f in group.files):
            skip(notes[k])
    entries: list[ImageEntry] = []
    for number, phase, series in whole.volumes():
        # kept where open_series looks, so reading the slices later does not scan the folder again
        volume = cached(
            parent,
            ("dicom-series", number, phase),
            lambda s=series, n=number, j=phase: dicom_series.DicomSeries(parent, s, n, j),
        )
        slices = volume_entries(volume, parent, number, phase=phase)
        entries += [e for e, f in zip(slices, series.files, strict=True) if f in given]
    for f in scan.singles:
        try:
            ds = dicom.read_dataset(f)
        except dicom.DicomError as e:
            skip(f"{e}; skipped")
            continue
        if dicom.frame_count(ds) > 1:
            try:  # NumberOfFrames is the header's word: one entry a frame, counted before they are made
                frames = dicom_series.open_frames(f)
            except VolumeError as e:
                skip(f"{e}; skipped")
                continue
            entries += volume_entries(frames, f)
        else:
            meta = dicom.dicom_meta(ds)
            meta.slice_position = None  # a lone image: no stack to place it in
            rows, cols = dicom.header_size(ds)
            entries.append(ImageEntry(f, "", cols, rows, meta.record_extra()))
    return entries
