"""Volumes (NIfTI, DICOM series, multi-frame DICOM, TIFF z-stacks) as stacks of 2D slices, each its own
image.

A slice is referenced by its volume's name plus a fragment: ``ct.nii.gz#z=012`` (axial slice 12),
``CT/#z=003`` for a DICOM series folder, ``cine.dcm#z=004`` for frame 4 of a multi-frame file. The fragment
keys are ``z``/``y``/``x`` (the slice axis and index), optionally preceded by ``series=K`` (the K-th series of
a folder holding several), ``phase=J`` (the J-th volume of a DICOM series whose files are several
acquisitions or phases at the same positions, ``core.dicom_series``), ``c=K`` (channel K of a 4D NIfTI;
channel 0 when absent) and ``t=NNN`` (time point NNN of a TIFF time series with a Z axis:
``cells.tif#t=004&z=012``; one without Z is sliced along ``t`` itself: ``cells.tif#t=004``,
``core.tiff_stack``). Indexes count from 0
and are zero-padded to at least three digits, so names sort in slice order and stay the same across saves;
QA and merges pair images by these names like any other file name.

NIfTI volumes are sliced after nibabel's ``as_closest_canonical`` (RAS+): ``z`` = axial, ``y`` = coronal,
``x`` = sagittal, shown as radiologists read them (patient's right on the screen's left, anterior / superior
at the top). ``oriented_slice`` is the one mapping between canonical voxels and a slice's pixels; the NIfTI
writer uses it backwards, then undoes the reorientation so labels land on the source's voxels. DICOM series
and multi-frame objects keep their acquisition plane (``z`` = position in the stack).

Every slice reports its ``pixel_spacing`` (row, column, mm) and ``slice_position`` (mm along the stack's
normal); 3D metrics take the slice spacing from those positions, not from the nominal SliceThickness. A
sheared stack (CT gantry tilt: each slice shifted within its plane against the one before) also reports
each slice's ``slice_offset`` (``in_plane_offsets``), so 3D metrics place its voxels where they are.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pixelproof.core.measure import kept_mm
from pixelproof.core.nibabel_notes import nibabel_notes
from pixelproof.core.nifti_modality import nifti_modality
from pixelproof.core.nifti_size import nifti_cut_short
from pixelproof.core.patient_space import nifti_placed
from pixelproof.core.volume_cache import cached

if TYPE_CHECKING:
    from pixelproof.core.model import ImageRecord, Project
    from pixelproof.core.patient_space import PatientGeometry

AXES = ("x", "y", "z")  # canonical (RAS+) array axes 0, 1, 2
NIFTI_SUFFIXES = (".nii", ".nii.gz")
# ASCII digits only: int() also reads "٣" and "３", which made a second name of one slice
_FRAGMENT = re.compile(
    r"^(?:series=(\d+)&)?(?:phase=(\d+)&)?(?:c=(\d+)&)?(?:t=(\d+)&)?([xyzt])=(\d+)$", re.ASCII
)
# Slices (= image records) one volume may add. Real CT/MR stacks have up to a few thousand slices (a
# whole-body CT at 0.5 mm about 4,000; micro-CT up to ~10,000). The voxel limit alone does not bound the
# record count: a header of 1 x 1 x 20,000,000 voxels (an 87 KB .nii.gz) would make 20 million records,
# hours of work and gigabytes of memory.
MAX_VOLUME_SLICES = 20_000
# What a slice record keeps under its ``pixelproof`` key to recognise its slice later: a name holds only an
# index, and a series folder that lost, gained or re-sorted a file reads another slice at that index.
SLICE_UID = "sop_instance_uid"  # the DICOM file's (series) or object's (multi-frame) SOPInstanceUID
SLICE_FILE = "dicom_file"  # [name, bytes] of a DICOM file without a SOPInstanceUID
VOLUME_SHAPE = (
    "volume_shape"  # a NIfTI file's voxel shape as its header gives it, a TIFF stack's series shape
)
IDENTITY_KEYS = (SLICE_UID, SLICE_FILE, VOLUME_SHAPE)


def identity_text(key: str, value: Any) -> str:
    """An identity key and value as a message names them (``SOPInstanceUID 1.2.3``)."""
    if key == SLICE_FILE:
        if isinstance(value, list | tuple) and len(value) == 2:
            return f"file {value[0]} of {value[1]:,} bytes (it has no SOPInstanceUID)"
        return f"file {value} (it has no SOPInstanceUID)"
    return f"{'SOPInstanceUID' if key == SLICE_UID else 'voxel shape'} {value}"


class VolumeError(Exception):
    """A volume or slice cannot be read; the message names the file and the reason."""


@dataclass(frozen=True, slots=True)
class SliceRef:
    """One slice of a volume: ``source`` is the volume's file or folder name as written before ``#``."""

    source: str
    axis: str
    index: int
    channel: int = 0
    series: int | None = None
    phase: int | None = None  # the J-th acquisition / phase of a DICOM series (1-based), else None
    time: int | None = None  # the time point (0-based) of a TIFF time series with a Z axis, else None

    def volume_parts(self, times: int = 0) -> list[tuple[str, str]]:
        """(key, value) of each fragment key naming the slice's volume within its source, in name order
        (all but the slice axis and index); a time point padded as indexes are, for ``times`` of them."""
        parts = [("series", str(self.series))] if self.series is not None else []
        parts += [("phase", str(self.phase))] if self.phase is not None else []
        parts += [("c", str(self.channel))] if self.channel else []
        parts += [("t", f"{self.time:0{_width(times)}d}")] if self.time is not None else []
        return parts

    def name(self, depth: int, times: int = 0) -> str:
        """The file name of this slice (``ct.nii.gz#z=012``), padded for a volume of ``depth`` slices
        (and a time point for a series of ``times`` time points)."""
        parts = [f"{k}={v}" for k, v in self.volume_parts(times)]
        parts.append(f"{self.axis}={self.index:0{_width(depth)}d}")
        return f"{self.source}#{'&'.join(parts)}"


def _width(count: int) -> int:
    """Digits an index is padded to, for ``count`` of them: at least three, so names sort in order."""
    return max(3, len(str(max(0, count - 1))))


def parse_slice_ref(name: str | os.PathLike[str]) -> SliceRef | None:
    """The slice a file name refers to, or None for a plain file name (``scan#1.png`` stays a file)."""
    text = os.fspath(name)
    source, sep, fragment = text.rpartition("#")
    if not sep or not source:
        return None
    m = _FRAGMENT.match(fragment)
    if m is None:
        return None
    series, phase, channel, time, axis, index = m.groups()
    if time is not None and axis == "t":  # ``t=1&t=2``: time twice
        return None
    return SliceRef(
        source,
        axis,
        int(index),
        int(channel or 0),
        int(series) if series else None,
        int(phase) if phase else None,
        int(time) if time is not None else None,
    )


def record_position(record: ImageRecord) -> float | None:
    """The record's ``slice_position`` (mm along the stack) when it is a finite number."""
    value = record.extra.get("slice_position")
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def image_files(project: Project) -> Iterator[tuple[ImageRecord, Path]]:
    """Each file an image of ``project`` is read from: its own, and for a slice the volume it comes from.
    No output may be written over one of them."""
    for image in project.images.values():
        path = project.image_path(image)
        ref = parse_slice_ref(path)
        yield image, path
        if ref is not None:
            yield image, Path(ref.source)


def volume_key(path: str | os.PathLike[str]) -> tuple | None:
    """What the slices of one volume share (its source, axis, channel, series, phase and time point: all
    but the index), or None for a path that is not a slice."""
    ref = parse_slice_ref(path)
    return None if ref is None else (ref.source, ref.axis, ref.channel, ref.series, ref.phase, ref.time)


def expected_identity(extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """The identity keys an image record's extras keep for its slice (empty for older records and for
    images that are no slices)."""
    app = extra.get("pixelproof") if extra else None
    out = {k: app[k] for k in IDENTITY_KEYS if k in app} if isinstance(app, dict) else {}
    if out and extra and isinstance(extra.get("slice_position"), int | float):  # where the slice lay
        out["slice_position"] = extra["slice_position"]
    return out


def is_nifti(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).lower().endswith(NIFTI_SUFFIXES)


def is_volume_file(path: str | os.PathLike[str]) -> bool:
    """A NIfTI or NRRD image volume by its name (both read by ``open_nifti``; a ``.seg.nrrd`` is neither)."""
    from pixelproof.core.nrrd_volume import is_nrrd

    return is_nifti(path) or is_nrrd(path)


def volume_stem(source: str) -> str:
    """Base name of a volume without its format suffix (``.nii.gz`` counts as one)."""
    name = source.replace("\\", "/").rstrip("/").rpartition("/")[2]
    low = name.lower()
    suffixes = (".nii.gz", ".nii", ".seg.nrrd", ".nrrd", ".nhdr", ".dcm", ".dicom", ".ome.tiff", ".ome.tif")
    for suffix in (*suffixes, ".tiff", ".tif"):
        if low.endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(slots=True)
class ImageMeta:
    """What a medical file says about display and geometry (nothing about the patient).

    ``window`` is the file's VOI window as (low, high) in stored values, ``invert`` is True for
    MONOCHROME1, ``modality`` the DICOM modality ("CT", "MR", ...; "" when unknown). ``slice_offset`` is
    (row, column) mm: where the slice's first pixel lies in its plane against the stack's first slice's,
    for a sheared stack only (None for a straight one). ``patient``: where the slice's pixels lie in the
    patient (``core.patient_space``), when the file says; read with the pixels, never kept in a project.
    """

    pixel_spacing: tuple[float, float] | None = None
    slice_position: float | None = None
    window: tuple[float, float] | None = None
    invert: bool = False
    modality: str = ""
    slice_offset: tuple[float, float] | None = None
    patient: PatientGeometry | None = None

    def record_extra(self) -> dict[str, Any]:
        """Keys an image record keeps (``pixel_spacing`` [row, col] mm, ``slice_position`` mm and, for a
        sheared stack, ``slice_offset`` [row, col] mm), as ``measure.kept_mm`` keeps a length."""
        out: dict[str, Any] = {}
        if self.pixel_spacing is not None:
            out["pixel_spacing"] = [kept_mm(v) for v in self.pixel_spacing]
        if self.slice_position is not None:
            out["slice_position"] = kept_mm(self.slice_position)
        if self.slice_offset is not None:
            out["slice_offset"] = [kept_mm(v) for v in self.slice_offset]
        return out


class Volume:
    """A stack of equally sized 2D slices. Subclasses implement ``_read`` and fill the attributes."""

    source: Path
    depth: int
    height: int
    width: int
    axis: str = "z"
    positions: np.ndarray  # mm along the stack's normal, one per slice
    offsets: np.ndarray | None = None  # (depth, 2) in-plane (row, col) mm of a sheared stack's slices
    meta: ImageMeta
    windows: list[tuple[float, float] | None] | None = (
        None  # each slice's own VOI window (DICOM), else meta's
    )
    nbytes: int = 0

    def slice(self, index: int) -> np.ndarray:
        """Slice ``index`` (0-based) as stored after any rescale; raises ``VolumeError``."""
        if not 0 <= index < self.depth:
            raise VolumeError(f"{self.source}: slice {index} out of range (the volume has {self.depth})")
        return self._read(index)

    def slice_meta(self, index: int, placed: bool = True) -> ImageMeta:
        """Slice ``index``'s meta; ``placed`` False leaves out its ``patient`` geometry (records keep none:
        listing 20,000 slices need not place each)."""
        m = self.meta
        pos = float(self.positions[index]) if index < len(self.positions) else None
        if pos is not None and not math.isfinite(pos):  # NaN: a slice without a position (DICOM series)
            pos = None
        offset = None
        if self.offsets is not None and index < len(self.offsets):
            offset = (float(self.offsets[index][0]), float(self.offsets[index][1]))
        window = self.windows[index] if self.windows is not None and index < len(self.windows) else m.window
        place = self.geometry(index) if placed else None
        return ImageMeta(m.pixel_spacing, pos, window, m.invert, m.modality, offset, place)

    def geometry(self, index: int) -> PatientGeometry | None:
        """Where slice ``index``'s pixels lie in the patient, when the file says; None by default."""
        return None

    def identity(self, index: int) -> dict[str, Any]:
        """The identity keys (``IDENTITY_KEYS``) a record of slice ``index`` keeps; none by default."""
        return {}

    def mismatch(self, index: int, expected: Mapping[str, Any]) -> str | None:
        """Why slice ``index`` is not the slice a record with identity ``expected`` was made from, or None
        when it is (or the record keeps no identity: older projects read by index)."""
        found = self.identity(index) if 0 <= index < self.depth else {}
        wrong = [k for k, v in expected.items() if k in IDENTITY_KEYS and found.get(k) != v]
        if not wrong:
            return self._moved(index, expected.get("slice_position"))
        key = wrong[0]
        what = "volume" if key == VOLUME_SHAPE else "DICOM file"
        now = identity_text(key, found[key]) if key in found else "missing"
        return (
            f"the {what} changed since the project was made (its {now}, the project's "
            f"{identity_text(key, expected[key])}): slice {index} may be another slice; not read, so no "
            "labels land on another slice"
        )

    def _moved(self, index: int, position: Any) -> str | None:
        """Why slice ``index``, of the record's file, is not at the record's ``slice_position`` any more
        (a NIfTI re-export of the same shape but cropped or shifted along the slices), or None."""
        now = self.slice_meta(index, placed=False).slice_position
        if (
            not isinstance(position, int | float)
            or now is None
            or abs(now - position) <= POSITION_TOLERANCE_MM
        ):
            return None
        return (
            f"the volume changed since the project was made (slice {index} now lies at {now:.6g} mm, the "
            f"project's at {position:.6g} mm): it is another slice; not read, so no labels land on it"
        )

    def _read(self, index: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


POSITION_TOLERANCE_MM = 0.001  # records keep positions to 6 decimals; a real move is a slice apart
SHEAR_TOLERANCE_MM = 0.01  # in-plane shifts below this are rounding in the headers, not a tilt


def in_plane_offsets(
    origins: np.ndarray, row_step: np.ndarray, col_step: np.ndarray, along: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """(positions, offsets) of a stack's slices from the patient coordinates (mm) of their first pixels
    (``origins``, one row a slice) and the directions in which the image's rows (``row_step``: from one
    row to the next, i.e. down a column) and columns advance. Positions are mm along the plane's normal
    (DICOM's: column direction x row direction; turned to point along ``along`` when given); offsets
    (slices x 2: along ``row_step``, along ``col_step``, mm against the first slice) only when the stack is
    sheared by more than ``SHEAR_TOLERANCE_MM`` (a CT gantry tilt), else None. A slice shifted in its plane
    is not further away: the slice spacing is the step along the normal, not between origins. Raises
    ``ValueError`` when the two directions are null or parallel."""
    down, right = np.asarray(row_step, np.float64), np.asarray(col_step, np.float64)
    normal = np.cross(right, down)
    lengths = float(np.linalg.norm(right)) * float(np.linalg.norm(down))  # scale-free: nm pixels are not null
    if not float(np.linalg.norm(normal)) > 1e-12 * lengths > 0:
        raise ValueError("the image plane's directions are null or parallel")
    down, right = down / float(np.linalg.norm(down)), right / float(np.linalg.norm(right))
    normal /= float(np.linalg.norm(normal))
    if along is not None and float(normal @ along) < 0:
        normal = -normal
    origins = np.asarray(origins, np.float64)
    positions = origins @ normal
    shift = origins - origins[:1]
    offsets = np.column_stack([shift @ down, shift @ right])
    sheared = bool(np.isfinite(offsets).all() and np.abs(offsets).max(initial=0.0) > SHEAR_TOLERANCE_MM)
    return positions, offsets if sheared else None


def check_slice_count(volume: Volume) -> None:
    """Refuse a volume with more slices along its axis than ``MAX_VOLUME_SLICES`` before one record is
    made or a voxel decoded (``VolumeError`` naming the file and the limit)."""
    check_plane_count(volume.source, volume.depth, f"slices along {volume.axis}")


def check_plane_count(source: str | os.PathLike[str], count: int, what: str) -> None:
    """Refuse ``count`` images of one file (``what`` they are: a TIFF's time points x slices) over
    ``MAX_VOLUME_SLICES``, as ``check_slice_count`` a volume's slices."""
    from pixelproof.core.limits import LimitError

    if count > MAX_VOLUME_SLICES:
        e = LimitError(
            os.fspath(source),
            f"{count:,} {what} is over the limit of {MAX_VOLUME_SLICES:,} slices (images) per volume",
        )
        raise VolumeError(str(e))


# ------------------------------------------------------------------------------------------------
# the one mapping between canonical (RAS+) voxels and a slice's pixels


def oriented_slice(canonical: np.ndarray, axis: str, index: int) -> np.ndarray:
    """A writable view of slice ``index`` along ``axis`` of a canonical (RAS+) array, rows and columns
    as displayed: axial/coronal columns run from the patient's right to left, axial rows from anterior to
    posterior, coronal and sagittal rows from superior to inferior, sagittal columns anterior to posterior.
    Extra trailing dimensions (channels) follow the two image axes."""
    if axis == "z":
        return np.swapaxes(canonical[::-1, ::-1, index], 0, 1)
    if axis == "y":
        return np.swapaxes(canonical[::-1, index, ::-1], 0, 1)
    if axis == "x":
        return np.swapaxes(canonical[index, ::-1, ::-1], 0, 1)
    raise ValueError(f"axis must be x, y or z, got {axis!r}")


def oriented_spacing(zooms: tuple[float, float, float], axis: str) -> tuple[float, float]:
    """(row, column) spacing of an ``oriented_slice`` from the canonical voxel sizes (x, y, z)."""
    zx, zy, zz = (float(v) for v in zooms[:3])
    return {"z": (zy, zx), "y": (zz, zx), "x": (zz, zy)}[axis]


# ------------------------------------------------------------------------------------------------
# NIfTI


class NiftiVolume(Volume):
    """A NIfTI file (3D, or 4D with one channel picked) sliced along a canonical axis.

    The header is read at once; voxels on the first slice asked for. The canonical view is what
    ``nibabel.as_closest_canonical`` makes (``io_orientation``, ``apply_orientation``, ``inv_ornt_aff``),
    built lazily so a memory-mapped .nii is not read whole.
    """

    def __init__(self, path: Path, axis: str = "z", channel: int = 0, image: Any = None) -> None:
        """``image``: a nibabel image made in memory (a Slicer seg.nrrd's labels), ``path`` then its file."""
        nib = import_nibabel()
        from nibabel.orientations import inv_ornt_aff

        if axis not in AXES:
            raise VolumeError(f"{path}: unknown slice axis {axis!r} (x, y or z)")
        try:
            with nibabel_notes(path) as self.notes:  # nibabel's fixes of the header, said naming the file
                img = nib.load(os.fspath(path)) if image is None else image
            # listed at scan time, failing only when read
            cut = nifti_cut_short(path, img) if image is None else None
            if cut:
                raise VolumeError(f"{path}: {cut}")
            shape = tuple(int(s) for s in img.shape)
            if not 2 <= len(shape) <= 4 or min(shape) <= 0:
                raise VolumeError(f"{path}: a NIfTI volume must be 2D, 3D or 4D, got shape {shape}")
            shape3 = (*shape[:3], 1, 1)[:3]
            affine = np.asarray(img.affine, dtype=np.float64)
            if not np.isfinite(affine).all():
                raise VolumeError(f"{path}: the NIfTI affine holds NaN or infinity")
            ornt = _orientation(affine, len(shape))
            canonical_affine = affine @ inv_ornt_aff(ornt, shape3)
        except VolumeError:
            raise
        except Exception as e:  # nibabel raises ImageFileError, HeaderDataError, OSError, ValueError ...
            raise VolumeError(f"{path}: not a readable NIfTI file: {type(e).__name__}: {e}") from None
        self.channels = shape[3] if len(shape) == 4 else 1
        if not 0 <= channel < self.channels:
            raise VolumeError(f"{path}: channel {channel} out of range (the volume has {self.channels})")
        self.source, self.axis, self.channel = Path(path), axis, channel
        self.original_affine, self.canonical_affine = affine, canonical_affine
        self.original_shape, self.file_shape = shape3, shape
        self.ornt = ornt
        self._img = img
        self._scaled = _nifti_scaled(img)
        canonical_shape = [0, 0, 0]
        for src_axis, (dst_axis, _flip) in enumerate(ornt):
            canonical_shape[int(dst_axis)] = shape3[src_axis]
        self.canonical_shape = tuple(canonical_shape)
        a = AXES.index(axis)
        self.depth = canonical_shape[a]
        check_plane_count(path, self.depth, f"slices along {axis}")  # before an array of one row a slice
        rows_cols = {"z": (1, 0), "y": (2, 0), "x": (2, 1)}[axis]
        self.height, self.width = canonical_shape[rows_cols[0]], canonical_shape[rows_cols[1]]
        zooms = tuple(float(np.linalg.norm(canonical_affine[:3, i])) for i in range(3))
        # the first pixel of an oriented slice is the canonical voxel at the far end of both image axes
        image_axes = [AXES.index(c) for c in {"z": "yx", "y": "zx", "x": "zy"}[axis]]
        corner = np.array([canonical_shape[i] - 1 for i in range(3)], dtype=np.float64)
        corner[a] = 0
        first = canonical_affine[:3, :3] @ corner + canonical_affine[:3, 3]
        origins = first + np.outer(np.arange(self.depth, dtype=np.float64), canonical_affine[:3, a])
        down, right = (-canonical_affine[:3, i] for i in image_axes)
        try:
            self.positions, self.offsets = in_plane_offsets(origins, down, right, canonical_affine[:3, a])
        except ValueError:  # a null or degenerate affine: slices one apart
            self.positions, self.offsets = np.arange(self.depth, dtype=np.float64), None
        spacing = oriented_spacing(zooms, axis)  # none where the affine gives an image axis no length
        self.meta = ImageMeta(
            pixel_spacing=spacing if min(spacing) > 0 else None, modality=nifti_modality(self.source, channel)
        )
        self._placed = nifti_placed(img.header)
        stored = np.dtype(img.get_data_dtype())
        if stored.kind not in "uif":  # complex, RGB24 (a record): no values to show, threshold or window
            kind = "RGB" if stored.names else str(stored)
            raise VolumeError(f"{path}: NIfTI voxels of type {kind} are not read (integer and float are)")
        self.dtype = np.dtype(np.float32) if self._scaled else stored.newbyteorder("=")
        self.nbytes = int(np.prod(shape3)) * self.dtype.itemsize
        self._array: np.ndarray | None = None
        self._lock = threading.Lock()

    def canonical_array(self) -> np.ndarray:
        """The canonical (x, y, z) voxels of the chosen channel, read once (memory-mapped for an
        uncompressed, unscaled .nii)."""
        from nibabel.orientations import apply_orientation

        from pixelproof.core.limits import LimitError, check_image_size

        with self._lock:
            if self._array is None:
                try:  # a compressed volume decodes whole: all its voxels count as decoded at once
                    x, y, z = self.original_shape
                    check_image_size(x, y * z, f"{self.source} ({x} x {y} x {z} voxels)")
                except LimitError as e:
                    raise VolumeError(str(e)) from None
                try:
                    arr = _read_unscaled(self._img) if not self._scaled else None
                    if arr is None:
                        arr = np.asanyarray(self._img.dataobj)
                except MemoryError:
                    raise VolumeError(f"{self.source}: not enough memory for the voxel data") from None
                except Exception as e:
                    raise VolumeError(f"{self.source}: cannot read the voxel data: {e}") from None
                if arr.ndim == 4:
                    arr = arr[..., self.channel]
                while arr.ndim < 3:
                    arr = arr[..., None]
                arr = apply_orientation(arr, self.ornt)
                if self._scaled:
                    arr = arr.astype(np.float32)
                elif not arr.dtype.isnative:  # '<f8' on a little-endian machine is native: no copy
                    arr = arr.astype(arr.dtype.newbyteorder("="))
                self._array = arr
            return self._array

    def identity(self, index: int) -> dict[str, Any]:
        return {VOLUME_SHAPE: list(self.file_shape)}

    def geometry(self, index: int) -> PatientGeometry | None:
        """The slice's place through the canonical affine, None when the header places nothing (qform and
        sform codes 0: nibabel's affine is then a guess from the voxel sizes)."""
        from pixelproof.core.patient_space import nifti_geometry

        if not self._placed or not 0 <= index < self.depth:
            return None
        return nifti_geometry(self.canonical_affine, self.canonical_shape, self.axis, index)

    def _read(self, index: int) -> np.ndarray:
        return np.ascontiguousarray(oriented_slice(self.canonical_array(), self.axis, index))


def _orientation(affine: np.ndarray, ndim: int) -> np.ndarray:
    """nibabel's ``io_orientation`` (voxel axis -> canonical axis, flip), completed where it has none: an
    axis the affine gives no direction (a zero column: a NaN row, which nibabel cannot invert) takes a
    free canonical axis, unflipped. A 2D image is shown as stored, whatever its affine: projects made
    over 2D files have their masks on those pixels, and a flip would move every one of them to the
    mirrored spot with nothing to tell (README, judgement call)."""
    from nibabel.orientations import io_orientation

    if ndim == 2:
        return np.array([[0, 1], [1, 1], [2, 1]], dtype=np.float64)
    ornt = io_orientation(affine)
    free = iter(a for a in range(3) if a not in ornt[:, 0])
    for row in ornt:
        if np.isnan(row).any():
            row[:] = (next(free), 1)
    return ornt


READ_CHUNK_BYTES = 16 << 20  # a compressed volume is decoded into its array this much at a time


def _read_unscaled(img: Any) -> np.ndarray | None:
    """The voxels of an unscaled compressed 2D/3D volume, decoded straight into their array a chunk at a
    time: nibabel's whole-file read of a .nii.gz holds the volume twice (the decompressed bytes, then
    the array). None when this does not apply (nibabel then reads it as usual)."""
    from nibabel.openers import Opener

    proxy = img.dataobj
    file_like = getattr(proxy, "file_like", None)
    if not isinstance(file_like, (str, os.PathLike)) or not os.fspath(file_like).lower().endswith(".gz"):
        return None
    try:
        shape = tuple(int(s) for s in proxy.shape)
        dtype, offset, order = np.dtype(proxy.dtype), int(proxy.offset), proxy.order
    except (AttributeError, TypeError, ValueError):
        return None
    if len(shape) > 3 or order not in ("F", "C"):
        return None
    arr = np.empty(shape, dtype=dtype, order=order)
    view = memoryview(arr.reshape(-1, order="A")).cast("B")
    with Opener(file_like, "rb") as f:
        f.seek(offset)
        pos = 0
        while pos < len(view):
            n = f.readinto(view[pos : pos + READ_CHUNK_BYTES])
            if not n:
                raise VolumeError(f"{file_like}: the voxel data ends early ({pos:,} of {len(view):,} bytes)")
            pos += n
    return arr


def _nifti_scaled(img: Any) -> bool:
    slope, inter = getattr(img.dataobj, "slope", 1.0), getattr(img.dataobj, "inter", 0.0)
    return not (slope in (None, 1.0) or np.isnan(slope)) or not (inter in (None, 0.0) or np.isnan(inter))


def import_nibabel() -> Any:
    try:
        import nibabel
    except ImportError:  # pragma: no cover - a declared dependency
        raise VolumeError("reading NIfTI needs nibabel: pip install nibabel") from None
    return nibabel


def open_nifti(path: str | os.PathLike[str], axis: str = "z", channel: int = 0) -> NiftiVolume:
    """A NIfTI volume, or an NRRD one read into the same (``core.nrrd_volume``), sliced along ``axis``
    (cached); raises ``VolumeError``."""
    from pixelproof.core.nrrd_volume import is_nrrd, open_nrrd

    p = Path(path)
    if not p.is_file():
        raise VolumeError(f"{p}: volume file not found" if not p.exists() else f"{p}: not a regular file")
    if is_nrrd(p):
        if channel:
            raise VolumeError(f"{p}: an NRRD image volume has one channel")
        return open_nrrd(p, axis)
    volume = cached(p, ("nifti", axis, channel), lambda: NiftiVolume(p, axis, channel))
    assert isinstance(volume, NiftiVolume)
    return volume
