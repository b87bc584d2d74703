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
file (``data file:``) inside the header's folder; gzip is decoded up to the declared size only (the NRRD
reading is ``core.nrrd_volume``'s, shared with NRRD image volumes).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.limits import (
    RAISE_HINT,
    LimitError,
    check_image_size,
    check_text,
    max_pixels,
    short_repr,
)
from pixelproof.core.nrrd_volume import nrrd_dtype, ras_affine, read_header, read_voxels
from pixelproof.core.volumes import NiftiVolume, VolumeError, import_nibabel

MAX_LAYERS = 256  # a seg.nrrd holds a layer per set of overlapping segments: a few, not thousands
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


def _dtype(path: Path, header: dict[str, Any]) -> np.dtype:
    dtype = nrrd_dtype(path, header)
    if dtype.kind not in "iu" or dtype.itemsize > 4:
        kind = str(header.get("type", "")).strip().lower()
        raise _fail(path, f"voxel type {kind!r}: a segmentation's voxels are label values (integers)")
    return dtype


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


def _check_voxels(path: Path, field: str, shape: tuple[int, ...], layers: int) -> None:
    """A ``VolumeError`` naming the header ``field`` when the label volume it declares is over the pixel
    limit, said in voxels and layers (the limit's own check of width x height, the layers' rows stacked,
    said "height 10000000000", a number no field holds)."""
    x, y, z = shape
    declared = f"{x} x {y} x {z} voxels" + (f" in {layers} layers" if layers > 1 else "")
    total, limit = x * y * z * layers, max_pixels()
    if total > limit:
        raise _fail(
            path,
            f"{field} declares {declared}, {total:,} in all: over the limit of {limit:,} pixels decoded at "
            f"once ({RAISE_HINT})",
        )
    try:  # the limit raised past a side's: the side check still holds
        check_image_size(x, y * z * layers, f"{path}: {field} declares {declared}", "label volume")
    except LimitError as e:
        raise VolumeError(str(e)) from None


def open_seg(path: Path, axis: str = "z") -> tuple[list[NiftiVolume], dict[int, str]]:
    """The file's layers as in-memory NIfTI label volumes (voxel value = class id, ``class_ids``) on the
    reference image's grid, and the class names by id; raises ``VolumeError`` naming the file."""
    header = read_header(path)
    try:
        sizes = tuple(int(s) for s in header["sizes"])
    except (KeyError, TypeError, ValueError):
        raise _fail(path, "no readable 'sizes'") from None
    if len(sizes) not in (3, 4) or min(sizes) <= 0:
        shown = short_repr(sizes)  # a header of 100,000 axes is not quoted whole
        raise _fail(path, f"a segmentation is a 3D or 4D (layers) volume, this one has sizes {shown}")
    layers = sizes[0] if len(sizes) == 4 else 1
    x, y, z = sizes[-3:]
    if layers > MAX_LAYERS:
        raise _fail(
            path,
            f"its 'sizes' field gives {layers:,} layers (its first axis), over the limit of {MAX_LAYERS}",
        )
    # before a byte is decoded: the header may claim 4096^3
    _check_voxels(path, f"its 'sizes' field ({' '.join(map(str, sizes))})", (x, y, z), layers)
    affine = ras_affine(path, header, list(range(len(sizes) - 3, len(sizes))))
    segments = segments_of(path, header, layers)
    start, full = _reference_pad(path, header, (x, y, z))
    if full != (x, y, z):
        field = "the reference image geometry of its 'Segmentation_ConversionParameters' field"
        _check_voxels(path, field, full, layers)
        affine[:3, 3] -= affine[:3, :3] @ np.asarray(start, np.float64)
    data = read_voxels(path, header, sizes, _dtype(path, header))
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
