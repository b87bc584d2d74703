"""NRRD files (``.nrrd``, or a detached ``.nhdr`` header and its data file) as 3D Slicer keeps image
volumes (``MRHead.nrrd``, ``CT.nrrd``), read into the NIfTI reader's volume: one slicer, one orientation.

The header (pynrrd's parse) is read first and bounded (``MAX_HEADER_BYTES``); its ``space``
(``left-posterior-superior``, Slicer's default, ``right-anterior-superior`` or ``left-anterior-superior``),
``space directions`` and ``space origin`` are turned to the RAS affine a NIfTI file carries (LPS: x and y
negated, as ``core.patient_space`` turns DICOM's), so an NRRD volume is sliced after the same canonical
reorientation as NIfTI (``volumes.oriented_slice``) and its slices have the same spacing, position and
patient geometry as the same voxels written as NIfTI. A header without ``space`` nor ``space directions``
is placed nowhere (its ``spacings`` give the voxel sizes, as an unplaced NIfTI's; one that is no size is
read as 1 mm and said in the volume's notes). The voxels are read on
the first slice asked for, through the same size limit as NIfTI's; a detached data file (``data file:``)
must lie in the header's folder; gzip is decoded up to the declared size only. The Slicer segmentation
reader (``interop.slicer_seg_file``) reads its label volumes through these same functions.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.imageio import LABEL_SUFFIXES
from pixelproof.core.limits import LimitError, is_inside, lexical_path, open_regular, short_repr
from pixelproof.core.volume_cache import cached
from pixelproof.core.volumes import NiftiVolume, VolumeError, import_nibabel

NRRD_SUFFIXES = (".nrrd", ".nhdr")
MAX_HEADER_BYTES = 1 << 20  # Slicer's headers are a few KB (a segmentation of 100 segments ~30 KB)
READ_CHUNK = 1 << 20
# space -> sign that turns its x, y, z into RAS
SPACES = {
    "left-posterior-superior": (-1.0, -1.0, 1.0),
    "lps": (-1.0, -1.0, 1.0),
    "right-anterior-superior": (1.0, 1.0, 1.0),
    "ras": (1.0, 1.0, 1.0),
    "left-anterior-superior": (-1.0, 1.0, 1.0),
    "las": (-1.0, 1.0, 1.0),
}
_TYPES = {
    "i1": ("signed char", "int8", "int8_t"),
    "u1": ("uchar", "unsigned char", "uint8", "uint8_t"),
    "i2": ("short", "short int", "signed short", "signed short int", "int16", "int16_t"),
    "u2": ("ushort", "unsigned short", "unsigned short int", "uint16", "uint16_t"),
    "i4": ("int", "signed int", "int32", "int32_t"),
    "u4": ("uint", "unsigned int", "uint32", "uint32_t"),
    "i8": ("longlong", "long long", "long long int", "signed long long", "signed long long int", "int64"),
    "u8": ("ulonglong", "unsigned long long", "unsigned long long int", "uint64", "uint64_t"),
    "f4": ("float",),
    "f8": ("double",),
}
DTYPES = {name: code for code, names in _TYPES.items() for name in names}


def is_nrrd(path: str | os.PathLike[str]) -> bool:
    """An NRRD image volume by its name (``.nrrd``, ``.nhdr``); a Slicer ``.seg.nrrd`` is labels, not one."""
    low = os.fspath(path).lower()
    return low.endswith(NRRD_SUFFIXES) and not low.endswith(LABEL_SUFFIXES)


def _fail(path: Path, what: str) -> VolumeError:
    return VolumeError(f"{path}: {what}")


def read_header(path: Path) -> dict[str, Any]:
    """The NRRD header (pynrrd's parse) from at most ``MAX_HEADER_BYTES``; a ``VolumeError`` naming the
    file when it is none."""
    import nrrd

    lines: list[bytes] = []
    size = 0
    try:
        with open_regular(path) as fh:
            while line := fh.readline(MAX_HEADER_BYTES + 1 - size):
                size += len(line)
                if size > MAX_HEADER_BYTES:
                    raise _fail(path, f"the NRRD header is over {MAX_HEADER_BYTES:,} bytes (not a volume's)")
                if line in (b"\n", b"\r\n"):
                    break
                lines.append(line)
        return dict(nrrd.read_header(lines))
    except VolumeError:
        raise
    except (OSError, nrrd.NRRDError, ValueError, TypeError, IndexError, UnicodeError, StopIteration) as e:
        raise _fail(path, f"not a readable NRRD header: {e or type(e).__name__}") from None


def ras_affine(path: Path, header: dict[str, Any], domain: list[int]) -> np.ndarray:
    """The voxel -> RAS affine of the domain axes (module docstring)."""
    space = str(header.get("space", "")).strip().lower()
    if space not in SPACES:
        what = f"space {space!r}" if space else "no 'space' field"
        raise _fail(path, f"{what}: only left-posterior-superior (LPS) and right-anterior-superior are read")
    try:
        dirs = np.asarray(header["space directions"], np.float64)[domain]
        origin = np.asarray(header.get("space origin", np.zeros(3)), np.float64).reshape(3)
    except (KeyError, ValueError, TypeError, IndexError) as e:
        raise _fail(path, f"space directions / space origin unreadable: {e}") from None
    if dirs.shape != (3, 3) or not np.isfinite(dirs).all() or not np.isfinite(origin).all():
        raise _fail(path, "space directions or space origin hold NaN, infinity or the wrong count of numbers")
    if abs(float(np.linalg.det(dirs))) < 1e-9:
        raise _fail(path, "space directions give the voxels no volume (null or parallel axes)")
    sign = np.asarray(SPACES[space])
    affine = np.eye(4)
    affine[:3, :3] = (dirs * sign).T  # column i: the step of voxel axis i, in RAS
    affine[:3, 3] = origin * sign
    return affine


def nrrd_dtype(path: Path, header: dict[str, Any]) -> np.dtype:
    """The voxels' numpy type (``type`` and ``endian``); ``VolumeError`` for a type numpy has no match for."""
    kind = str(header.get("type", "")).strip().lower()
    if kind not in DTYPES:
        raise _fail(path, f"voxel type {kind!r} is not read (integer, float and double are)")
    order = "<" if str(header.get("endian", "little")).lower() == "little" else ">"
    return np.dtype(order + DTYPES[kind])


def _data_file(path: Path, header: dict[str, Any]) -> tuple[Path, int]:
    """The file holding the voxels and where they start: the header's own (after it) or a detached one
    (``data file:``) that must lie in the header's folder."""
    name = header.get("data file", header.get("datafile"))
    if name is None:
        with open_regular(path) as fh:
            for line in iter(lambda: fh.readline(MAX_HEADER_BYTES), b""):  # to the blank line ending it
                if line in (b"\n", b"\r\n"):
                    break
            return path, fh.tell()
    name = str(name).strip()
    if name.upper().startswith("LIST") or " " in name:
        raise _fail(path, f"data file {name!r}: only one data file is read")
    target = lexical_path(path.parent / name)
    real = Path(os.path.realpath(target))
    if not is_inside(target, path.parent) or not is_inside(real, Path(os.path.realpath(path.parent))):
        raise _fail(path, f"its data file {name!r} lies outside the header's folder; refused")
    return target, 0


def read_voxels(path: Path, header: dict[str, Any], sizes: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """The voxels, shaped ``sizes`` (NRRD's fastest axis first), raw or gzip, never decoding more than
    the declared size."""
    encoding = str(header.get("encoding", "")).lower()
    if int(header.get("line skip", header.get("lineskip", 0)) or 0) or int(
        header.get("byte skip", header.get("byteskip", 0)) or 0
    ):
        raise _fail(path, "line skip / byte skip are not read (Slicer writes neither)")
    count = int(np.prod(sizes, dtype=np.int64))
    want = count * dtype.itemsize
    try:
        source, start = _data_file(path, header)
        with open_regular(source, str(source)) as fh:  # a FIFO named as the data file: refused, not waited on
            fh.seek(start)
            if encoding == "raw":
                buf = fh.read(want)
            elif encoding in ("gzip", "gz"):
                buf = _gunzip(fh, want)
            else:
                raise _fail(path, f"encoding {encoding!r}: raw and gzip are read")
    except (OSError, LimitError) as e:
        raise _fail(path, f"cannot read the voxels: {e}") from None
    except (zlib.error, EOFError) as e:
        raise _fail(path, f"the gzip voxel data is broken: {e}") from None
    if len(buf) != want:
        raise _fail(path, f"the voxel data ends early ({len(buf):,} of {want:,} bytes)")
    return np.frombuffer(buf, dtype).reshape(sizes, order="F")


def _gunzip(fh: Any, want: int) -> bytes | bytearray:
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = bytearray()
    while len(out) < want:
        chunk = decoder.unconsumed_tail or fh.read(READ_CHUNK)
        if not chunk:
            break
        out += decoder.decompress(chunk, want - len(out))
    return out


class _Voxels:
    """nibabel's array-proxy interface over an NRRD's voxels: the shape and type from the header, the
    voxels read when asked for (``NiftiVolume.canonical_array``, after its size check)."""

    is_proxy = True

    def __init__(self, path: Path, header: dict[str, Any], sizes: tuple[int, int, int], dtype: np.dtype):
        self._path, self._header, self.shape, self.dtype = path, header, sizes, dtype
        self.ndim = len(sizes)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = read_voxels(self._path, self._header, self.shape, self.dtype)
        return arr if dtype is None else arr.astype(dtype)

    def __getitem__(self, index: Any) -> np.ndarray:
        return np.asarray(self)[index]


def nrrd_image(path: Path, notes: list[str] | None = None) -> Any:
    """A nibabel NIfTI image of the NRRD image volume at ``path`` (voxels read lazily), placed by its RAS
    affine (qform and sform code 1) or, without a ``space``, unplaced with its ``spacings``; a spacing
    read as 1 mm (``_spacings``) said in ``notes``."""
    header = read_header(path)
    try:
        sizes = tuple(int(s) for s in header["sizes"])
    except (KeyError, TypeError, ValueError):
        raise _fail(path, "no readable 'sizes'") from None
    if len(sizes) != 3 or min(sizes) <= 0:
        kinds = header.get("kinds")
        said = f" (kinds {short_repr(' '.join(map(str, kinds)))})" if isinstance(kinds, list | tuple) else ""
        shown = short_repr(sizes)  # a header of 100,000 axes is not quoted whole
        raise _fail(path, f"an image volume is read as 3D scalars, this one has sizes {shown}{said}")
    dtype = nrrd_dtype(path, header)
    placed = "space" in header or "space directions" in header
    if placed:
        affine = ras_affine(path, header, [0, 1, 2])
    else:
        affine = np.diag([*_spacings(path, header, notes if notes is not None else []), 1.0])
    nib = import_nibabel()
    try:  # NIfTI-2: int64 dimensions, as NRRD's sizes (NIfTI-1's stop at 32767)
        img = nib.Nifti2Image(_Voxels(path, header, sizes, dtype), affine, dtype=dtype)  # type: ignore[arg-type]
        img.set_sform(affine, code=1 if placed else 0)
        img.set_qform(affine, code=1 if placed else 0)
    except (nib.spatialimages.HeaderDataError, ValueError, TypeError) as e:
        raise _fail(path, f"not readable as a volume: {e}") from None
    return img


def _spacings(path: Path, header: dict[str, Any], notes: list[str]) -> list[float]:
    """The voxel sizes of an unplaced NRRD (its ``spacings``, 1 mm with none given). One that is no
    positive finite number (NaN, infinity, zero, negative) or a field that is not three numbers is read
    as 1 mm and said naming the file and field, as nibabel says a NIfTI's zero pixdim set to 1: a
    measurement in mm on it would be wrong without a word."""
    if "spacings" not in header:
        return [1.0, 1.0, 1.0]
    try:
        steps = np.asarray(header["spacings"], np.float64).reshape(3)
    except (TypeError, ValueError):
        shown = short_repr(header["spacings"])
        notes.append(
            f"{path}: its 'spacings' field ({shown}) is not three numbers; the voxels are read as 1 mm"
        )
        return [1.0, 1.0, 1.0]
    bad = [i for i, v in enumerate(steps) if not (np.isfinite(v) and v > 0)]
    if bad:
        values = ", ".join(f"{steps[i]:g} (axis {i})" for i in bad)
        notes.append(
            f"{path}: its 'spacings' field holds {values}, no voxel size; read as 1 mm along "
            f"{'that axis' if len(bad) == 1 else 'those axes'}"
        )
    return [float(v) if i not in bad else 1.0 for i, v in enumerate(steps)]


def open_nrrd(path: Path, axis: str = "z") -> NiftiVolume:
    """An NRRD image volume sliced along ``axis`` as NIfTI volumes are (cached); raises ``VolumeError``.
    Its header's notes (a spacing read as 1 mm) are the volume's ``notes``, said where nibabel's are."""

    def make() -> NiftiVolume:
        notes: list[str] = []
        volume = NiftiVolume(path, axis, image=nrrd_image(path, notes))
        volume.notes[:0] = notes
        return volume

    volume = cached(path, ("nrrd", axis), make)
    assert isinstance(volume, NiftiVolume)
    return volume
