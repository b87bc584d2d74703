"""One 3D Slicer segmentation file (``.seg.nrrd``) read into the label maps the NIfTI reader slices.

A seg.nrrd is a NRRD label volume, 3D (one layer) or 4D (a ``list`` axis first: one layer each, so segments
may overlap), with the segments named in header keys ``Segment<N>_Name``, ``_LabelValue`` (the voxel value
in its layer), ``_Layer`` and ``_Color``. Its voxel grid is placed by ``space`` (``left-posterior-superior``,
Slicer's default, or ``right-anterior-superior``), ``space directions`` and ``space origin``; here it is
turned to the RAS affine a NIfTI file carries (LPS: x and y negated, as ``core.patient_space`` turns
DICOM's), so the labels land on the slices of the NIfTI volume or DICOM series they were drawn on by the
same checks. A grid cropped to the segments (``Segmentation_ReferenceImageExtentOffset`` with the
reference extent of ``Segmentation_ConversionParameters``) is put back into the reference image's grid.

The header is checked before a voxel is read: the size against ``core.limits``, finite directions, a data
file (``data file:``) inside the header's folder; gzip is decoded up to the declared size only.
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.limits import LimitError, check_image_size, check_text, is_inside, lexical_path
from pixelproof.core.volumes import NiftiVolume, VolumeError, import_nibabel

MAX_LAYERS = 256  # a seg.nrrd holds a layer per set of overlapping segments: a few, not thousands
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
_INT_TYPES = {
    "i1": ("signed char", "int8", "int8_t"),
    "u1": ("uchar", "unsigned char", "uint8", "uint8_t"),
    "i2": ("short", "short int", "signed short", "signed short int", "int16", "int16_t"),
    "u2": ("ushort", "unsigned short", "unsigned short int", "uint16", "uint16_t"),
    "i4": ("int", "signed int", "int32", "int32_t"),
    "u4": ("uint", "unsigned int", "uint32", "uint32_t"),
}
DTYPES = {name: code for code, names in _INT_TYPES.items() for name in names}
_SEGMENT_KEY = re.compile(r"^Segment(\d+)_(\w+)$")


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment of the file: its name, the layer it lies in and its voxel value there."""

    name: str
    layer: int
    value: int
    color: str | None = None


def _fail(path: Path, what: str) -> VolumeError:
    return VolumeError(f"{path}: {what}")


def read_header(path: Path) -> dict[str, Any]:
    """The NRRD header (pynrrd's parse), a ``VolumeError`` naming the file when it is none."""
    import nrrd

    try:
        with open(path, "rb") as fh:
            return dict(nrrd.read_header(fh))
    except (OSError, nrrd.NRRDError, ValueError, TypeError, IndexError, UnicodeDecodeError) as e:
        raise _fail(path, f"not a readable NRRD header: {e}") from None


def segments_of(path: Path, header: dict[str, Any], layers: int) -> list[Segment]:
    """The segments the header names, in ``Segment<N>`` order; an old 4D file without label values holds
    one segment per layer (value 1)."""
    fields: dict[int, dict[str, str]] = {}
    for key, value in header.items():
        m = _SEGMENT_KEY.match(str(key))
        if m:
            fields.setdefault(int(m[1]), {})[m[2]] = str(value)
    out = []
    for n in sorted(fields):
        f = fields[n]
        name = f.get("Name") or f.get("ID") or f"segment {n}"
        try:
            check_text(name, os.fspath(path), f"the name of Segment{n}")
            default_layer = n if layers > 1 and "LabelValue" not in f else 0
            layer, value = int(f.get("Layer", default_layer)), int(f.get("LabelValue", 1))
        except ValueError as e:
            raise _fail(path, f"Segment{n}: {e}") from None
        except LimitError as e:
            raise VolumeError(str(e)) from None
        if not 0 <= layer < layers or value <= 0:
            raise _fail(
                path, f"Segment{n} ({name}): layer {layer} / label value {value} is not in the volume"
            )
        out.append(Segment(name, layer, value, f.get("Color")))
    return out


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


def _dtype(path: Path, header: dict[str, Any]) -> np.dtype:
    kind = str(header.get("type", "")).strip().lower()
    if kind not in DTYPES:
        raise _fail(path, f"voxel type {kind!r}: a segmentation's voxels are label values (integers)")
    order = "<" if str(header.get("endian", "little")).lower() == "little" else ">"
    return np.dtype(order + DTYPES[kind])


def _data_file(path: Path, header: dict[str, Any]) -> tuple[Path, int]:
    """The file holding the voxels and where they start: the header's own (after it) or a detached one
    (``data file:``) that must lie in the header's folder."""
    name = header.get("data file", header.get("datafile"))
    if name is None:
        with open(path, "rb") as fh:
            read_header_only(fh)
            return path, fh.tell()
    name = str(name).strip()
    if name.upper().startswith("LIST") or " " in name:
        raise _fail(path, f"data file {name!r}: only one data file is read")
    target = lexical_path(path.parent / name)
    real = Path(os.path.realpath(target))
    if not is_inside(target, path.parent) or not is_inside(real, Path(os.path.realpath(path.parent))):
        raise _fail(path, f"its data file {name!r} lies outside the header's folder; refused")
    return target, 0


def read_header_only(fh: Any) -> None:
    """Advance ``fh`` past the header (to the blank line that ends it)."""
    for line in iter(fh.readline, b""):
        if line in (b"\n", b"\r\n"):
            return


def read_voxels(path: Path, header: dict[str, Any], sizes: tuple[int, ...]) -> np.ndarray:
    """The voxels, shaped ``sizes`` (NRRD's fastest axis first), raw or gzip, never decoding more than
    the declared size."""
    dtype = _dtype(path, header)
    encoding = str(header.get("encoding", "")).lower()
    if int(header.get("line skip", header.get("lineskip", 0)) or 0) or int(
        header.get("byte skip", header.get("byteskip", 0)) or 0
    ):
        raise _fail(path, "line skip / byte skip are not read (Slicer writes neither)")
    count = int(np.prod(sizes, dtype=np.int64))
    want = count * dtype.itemsize
    source, start = _data_file(path, header)
    try:
        with open(source, "rb") as fh:
            fh.seek(start)
            if encoding == "raw":
                buf = fh.read(want)
            elif encoding in ("gzip", "gz"):
                buf = _gunzip(fh, want)
            else:
                raise _fail(path, f"encoding {encoding!r}: raw and gzip are read")
    except OSError as e:
        raise _fail(path, f"cannot read the voxels: {e}") from None
    except (zlib.error, EOFError) as e:
        raise _fail(path, f"the gzip voxel data is broken: {e}") from None
    if len(buf) != want:
        raise _fail(path, f"the voxel data ends early ({len(buf):,} of {want:,} bytes)")
    return np.frombuffer(buf, dtype).reshape(sizes, order="F")


def _gunzip(fh: Any, want: int) -> bytes:
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = bytearray()
    while len(out) < want:
        chunk = decoder.unconsumed_tail or fh.read(READ_CHUNK)
        if not chunk:
            break
        out += decoder.decompress(chunk, want - len(out))
    return bytes(out)


def _reference_pad(path: Path, header: dict[str, Any], shape: tuple[int, int, int]) -> tuple[tuple, tuple]:
    """(offset of the data in the reference image grid, that grid's size), from the reference extent
    Slicer keeps; the data's own grid ((0, 0, 0), ``shape``) when the header says nothing."""
    offset_text = str(header.get("Segmentation_ReferenceImageExtentOffset", "")).split()
    m = re.search(
        r"Reference image geometry\|([^|]*)\|", str(header.get("Segmentation_ConversionParameters", ""))
    )
    try:
        offset = tuple(int(v) for v in offset_text) if offset_text else (0, 0, 0)
        extent = [int(float(v)) for v in m[1].strip(";").split(";")[-6:]] if m else []
    except ValueError:
        return (0, 0, 0), shape
    if len(offset) != 3 or len(extent) != 6:
        return (0, 0, 0), shape
    full = tuple(extent[2 * i + 1] - extent[2 * i] + 1 for i in range(3))
    start = tuple(offset[i] - extent[2 * i] for i in range(3))
    if any(s < 0 or s + n > f for s, n, f in zip(start, shape, full, strict=True)):
        return (0, 0, 0), shape  # a segment grown past the reference image: its own grid
    return start, full


def class_ids(segments: list[Segment]) -> list[int]:
    """Each segment's class id: its label value when no two segments share one (a one-layer file: the
    file's voxel values are the ids, as a NIfTI label map's), else its place in the file (1, 2, ...)."""
    values = [s.value for s in segments]
    return values if len(set(values)) == len(values) else list(range(1, len(segments) + 1))


def _relabel(path: Path, data: np.ndarray, layer: int, segments: list[Segment], ids: list[int]) -> np.ndarray:
    """One layer's voxels as class ids (``class_ids``); a value no segment of the layer names is kept
    when ids are label values, else an error naming it."""
    if data.dtype.kind == "i" and data.size and int(data.min()) < 0:
        raise _fail(path, f"layer {layer}: negative label values")
    mine = {s.value: i for s, i in zip(segments, ids, strict=True) if s.layer == layer}
    if all(v == i for v, i in mine.items()):
        return data
    top = int(data.max()) if data.size else 0
    unnamed = sorted(set(np.unique(data).tolist()) - set(mine) - {0})
    if unnamed:
        raise _fail(path, f"layer {layer}: label values {unnamed[:5]} belong to no segment")
    lut = np.zeros(top + 1, np.uint16)
    for v, i in mine.items():
        if v <= top:
            lut[v] = i
    return lut[data]


def open_seg(path: Path, axis: str = "z") -> tuple[list[NiftiVolume], dict[int, str]]:
    """The file's layers as in-memory NIfTI label volumes (voxel value = class id, ``class_ids``) on the
    reference image's grid, and the class names by id; raises ``VolumeError`` naming the file."""
    header = read_header(path)
    try:
        sizes = tuple(int(s) for s in header["sizes"])
    except (KeyError, TypeError, ValueError):
        raise _fail(path, "no readable 'sizes'") from None
    if len(sizes) not in (3, 4) or min(sizes) <= 0:
        raise _fail(path, f"a segmentation is a 3D or 4D (layers) volume, this one has sizes {sizes}")
    layers = sizes[0] if len(sizes) == 4 else 1
    x, y, z = sizes[-3:]
    if layers > MAX_LAYERS:
        raise _fail(path, f"{layers:,} layers is over the limit of {MAX_LAYERS}")
    try:  # before a byte is decoded: the header may claim 4096^3
        check_image_size(
            x, y * z * layers, f"{path} ({x} x {y} x {z} voxels, {layers} layers)", "label volume"
        )
    except LimitError as e:
        raise VolumeError(str(e)) from None
    affine = ras_affine(path, header, list(range(len(sizes) - 3, len(sizes))))
    segments = segments_of(path, header, layers)
    start, full = _reference_pad(path, header, (x, y, z))
    if full != (x, y, z):
        check_image_size(
            full[0], full[1] * full[2] * layers, f"{path} (reference grid {full})", "label volume"
        )
        affine[:3, 3] -= affine[:3, :3] @ np.asarray(start, np.float64)
    data = read_voxels(path, header, sizes)
    if len(sizes) == 3:
        data = data[None]
    nib = import_nibabel()
    ids = class_ids(segments)
    volumes = []
    for layer in range(layers):
        values = _relabel(path, data[layer], layer, segments, ids)
        grid = np.zeros(full, values.dtype.newbyteorder("="))
        grid[start[0] : start[0] + x, start[1] : start[1] + y, start[2] : start[2] + z] = values
        img = nib.Nifti1Image(grid, affine)
        img.set_sform(affine, code=1)
        img.set_qform(affine, code=1)
        volumes.append(NiftiVolume(path, axis, image=img))
    return volumes, {i: seg.name for seg, i in zip(segments, ids, strict=True)}
