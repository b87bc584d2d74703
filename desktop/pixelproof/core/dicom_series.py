"""DICOM volumes: a multi-frame object's frames, and a folder's files grouped into series and stacked
by position (``core.dicom`` reads one dataset: headers, pixels, geometry, window)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.dicom import (
    SCAN_TAGS,
    DicomError,
    dicom_meta,
    frame_count,
    get_tag,
    header_size,
    image_size_of,
    looks_like_dicom,
    orientation_key,
    read_dataset,
    read_dicom,
    slice_position,
    stack_offsets,
    voi_window,
)
from pixelproof.core.volumes import SLICE_UID, ImageMeta, SliceRef, Volume, cached, check_slice_count


class DicomFrames(Volume):
    """The frames of one multi-frame DICOM object."""

    def __init__(self, path: Path) -> None:
        ds = read_dataset(path)
        self.source, self.axis = path, "z"
        self.depth = frame_count(ds)
        self.height, self.width = header_size(ds)
        check_slice_count(self)  # NumberOfFrames 2**31 - 1 kept the loop below busy for hours
        self.meta = dicom_meta(ds, 0)
        positions = [slice_position(ds, i) for i in range(self.depth)]
        self.positions = np.array([p if p is not None else math.nan for p in positions], dtype=np.float64)
        self.offsets = stack_offsets([(ds, i) for i in range(self.depth)])
        self.windows = [voi_window(ds, i) for i in range(self.depth)]  # a Frame VOI LUT each, or shared
        self.uid = instance_uid(ds)
        self.nbytes = 0  # frames are decoded on demand

    def identity(self, index: int) -> dict[str, Any]:
        return {SLICE_UID: self.uid} if self.uid else {}

    def _read(self, index: int) -> np.ndarray:
        return read_dicom(self.source, index)


@dataclass
class Series:
    """One stackable series of a folder: its files in slice order and what their headers say."""

    uid: str
    number: int
    files: list[Path]
    positions: list[float | None]
    size: tuple[int, int]  # (rows, columns)
    meta: ImageMeta = field(default_factory=ImageMeta)
    offsets: np.ndarray | None = None  # in-plane (row, col) mm of a sheared stack's slices (gantry tilt)
    uids: list[str] = field(default_factory=list)  # each file's SOPInstanceUID ("" when it has none)
    windows: list[tuple[float, float] | None] = field(default_factory=list)  # each file's VOI window


@dataclass
class FolderScan:
    """What a folder's DICOM files are: stackable series, and files that stand alone (single images,
    multi-frame objects, series of one); ``problems`` names each file that could not be read."""

    series: list[Series]
    singles: list[Path]
    problems: list[str]


def scan_folder(folder: Path, files: Iterable[Path] | None = None) -> FolderScan:
    """Group the DICOM files directly in ``folder`` (or ``files``) into series; headers only."""
    if files is None:
        try:
            files = sorted(p for p in folder.iterdir() if p.is_file() and looks_like_dicom(p))
        except OSError as e:
            raise DicomError(f"{folder}: cannot list the folder: {e.strerror or e}") from None
    groups: dict[tuple, list[tuple[Path, Any]]] = {}
    singles: list[Path] = []
    problems: list[str] = []
    for f in files:
        try:
            ds = read_dataset(f, tags=SCAN_TAGS)
        except DicomError as e:
            problems.append(str(e))
            continue
        if "Rows" not in ds or "Columns" not in ds:
            problems.append(f"{f}: DICOM file without an image (e.g. a report or DICOMDIR); skipped")
            continue
        try:
            rows, cols = image_size_of(ds, f)
        except DicomError as e:
            problems.append(f"{e}; skipped")
            continue
        if frame_count(ds) > 1:
            singles.append(f)
            continue
        key = (str(get_tag(ds, "SeriesInstanceUID", "")), rows, cols, orientation_key(ds))
        groups.setdefault(key, []).append((f, ds))
    series: list[Series] = []
    for (uid, rows, cols, _), members in groups.items():
        if len(members) < 2:
            singles.extend(f for f, _ in members)
            continue
        series.append(_make_series(uid, rows, cols, members))
    series.sort(key=lambda s: (s.number, s.uid))
    return FolderScan(series, sorted(singles), problems)


def _make_series(uid: str, rows: int, cols: int, members: list[tuple[Path, Any]]) -> Series:
    def instance(ds: Any) -> int:
        try:
            return int(get_tag(ds, "InstanceNumber", 0) or 0)
        except (TypeError, ValueError):
            return 0

    keyed = [(slice_position(ds), instance(ds), f.name, f, ds) for f, ds in members]
    if all(k[0] is not None for k in keyed):
        keyed.sort(key=lambda k: (k[0], k[1], k[2]))
    else:
        keyed.sort(key=lambda k: (k[1], k[2]))
    try:
        number = int(get_tag(keyed[0][4], "SeriesNumber", 0) or 0)
    except (TypeError, ValueError):
        number = 0
    meta = dicom_meta(keyed[0][4])
    offsets = stack_offsets([(k[4], None) for k in keyed])
    files, positions, uids = [k[3] for k in keyed], [k[0] for k in keyed], [instance_uid(k[4]) for k in keyed]
    windows = [voi_window(k[4]) for k in keyed]
    return Series(uid, number, files, positions, (rows, cols), meta, offsets, uids, windows)


def instance_uid(ds: Any) -> str:
    """The dataset's SOPInstanceUID ("" when absent or malformed): what a slice record keeps to recognise
    its file when the series folder changes."""
    return str(get_tag(ds, "SOPInstanceUID", "") or "").strip()


class DicomSeries(Volume):
    """A series folder's files as one volume, in slice order."""

    def __init__(self, folder: Path, series: Series, number: int | None = None) -> None:
        """``number``: the series' place among several of its folder (``#series=K&...``), else None."""
        self.source, self.axis, self.number = folder, "z", number
        self.files = series.files
        self.depth = len(series.files)
        self.height, self.width = series.size
        self.meta = series.meta
        self.positions = np.array(
            [p if p is not None else math.nan for p in series.positions], dtype=np.float64
        )
        self.offsets = series.offsets
        self.uids = series.uids
        self.windows = series.windows or None
        self.nbytes = 0

    def identity(self, index: int) -> dict[str, Any]:
        uid = self.uids[index] if index < len(self.uids) else ""
        return {SLICE_UID: uid} if uid else {}

    def mismatch(self, index: int, expected: Mapping[str, Any]) -> str | None:
        """Says which file is at ``index`` now and where the record's own file went (``#z=NNN``), or that
        it left the series."""
        want = expected.get(SLICE_UID)
        found = self.identity(index).get(SLICE_UID) if 0 <= index < self.depth else None
        if want is None or found == want:
            return super().mismatch(index, expected)
        now = f"slice {index} is {self.files[index].name}" if found else f"the series has {self.depth} slices"
        if want in self.uids:
            k = self.uids.index(want)
            name = SliceRef("", "z", k, 0, self.number).name(self.depth)
            where = f"the project's slice (SOPInstanceUID {want}) is now {name} ({self.files[k].name})"
        else:
            where = f"the project's slice (SOPInstanceUID {want}) is no longer in the series"
        return (
            f"the DICOM series changed since the project was made (a file lost, added or sorted anew): "
            f"{now}, and {where}; not read, so no labels land on another slice"
        )

    def _read(self, index: int) -> np.ndarray:
        arr = read_dicom(self.files[index])
        if arr.shape[:2] != (self.height, self.width):
            raise DicomError(
                f"{self.files[index]}: {arr.shape[1]}x{arr.shape[0]}, "
                f"not the series' {self.width}x{self.height}"
            )
        return arr


def open_frames(path: str | os.PathLike[str]) -> DicomFrames:
    p = Path(path)
    volume = cached(p, ("dicom-frames",), lambda: DicomFrames(p))
    assert isinstance(volume, DicomFrames)
    return volume


def open_series(folder: str | os.PathLike[str], series: int | None = None) -> DicomSeries:
    """Series ``series`` (1-based; None when the folder holds one) of a folder, as a volume (cached by the
    folder's modification time)."""
    p = Path(folder)
    if not p.is_dir():
        raise DicomError(f"{p}: DICOM series folder not found")

    def make() -> DicomSeries:
        scan = scan_folder(p)
        if not scan.series:
            raise DicomError(f"{p}: no DICOM series of two or more slices in this folder")
        k = series or 1
        if not 1 <= k <= len(scan.series):
            raise DicomError(f"{p}: series {k} not found (the folder holds {len(scan.series)})")
        if series is None and len(scan.series) > 1:
            raise DicomError(f"{p}: the folder holds {len(scan.series)} series; name one with series=K")
        return DicomSeries(p, scan.series[k - 1], series)

    volume = cached(p, ("dicom-series", series), make)
    assert isinstance(volume, DicomSeries)
    return volume
