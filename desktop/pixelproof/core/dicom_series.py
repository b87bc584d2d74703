"""DICOM volumes: a multi-frame object's frames, and a folder's files grouped into series and stacked
by position (``core.dicom`` reads one dataset: headers, pixels, geometry, window).

A series whose files are several acquisitions or phases at the same positions (a dynamic or multi-phase
series under one SeriesInstanceUID) is split as 3D Slicer splits it: one volume per value of the first of
``PHASE_TAGS`` that gives each position at most one file a volume (``#phase=J``, J-th value in ascending
order). Two files at one position that none of them tells apart are reported, not stacked. The series
itself, read without ``phase=``, is still the stack of all its files as earlier versions read it: the
names of projects made then (``CT#z=NNN``) keep reading the files their masks were drawn on.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.dicom import (
    PHASE_TAGS,
    SCAN_TAGS,
    DicomError,
    dicom_meta,
    frame_count,
    get_tag,
    header_size,
    image_size_of,
    looks_like_dicom,
    orientation_key,
    patient_geometry,
    pixel_spacing,
    read_dataset,
    read_dicom,
    read_header,
    slice_position,
    stack_offsets,
    voi_window,
)
from pixelproof.core.dicom_series_notes import apart_note, apart_positions
from pixelproof.core.limits import LimitError, check_image_size
from pixelproof.core.patient_space import PatientGeometry
from pixelproof.core.volume_cache import cached
from pixelproof.core.volumes import (
    SLICE_FILE,
    SLICE_UID,
    ImageMeta,
    SliceRef,
    Volume,
    check_slice_count,
    identity_text,
)

SAME_POSITION_MM = 0.01  # two slices nearer than this along the normal lie at one position (Slicer's epsilon)


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
        self.geometries = [patient_geometry(ds, i) for i in range(self.depth)]
        self.uid = instance_uid(ds)
        self.file_id = file_identity(path)
        self.nbytes = 0  # frames are decoded on demand

    def identity(self, index: int) -> dict[str, Any]:
        return {SLICE_UID: self.uid} if self.uid else {SLICE_FILE: self.file_id}

    def geometry(self, index: int) -> PatientGeometry | None:
        return self.geometries[index] if 0 <= index < len(self.geometries) else None

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
    sizes: list[int] = field(default_factory=list)  # each file's size in bytes (-1: unknown)
    # acquisitions / phases at the same positions, one volume each (empty: the series is one volume)
    phases: list[Series] = field(default_factory=list)
    label: str = ""  # a phase's: what tells it apart ("AcquisitionNumber 2")
    split_by: str = ""  # a split series': the tags that tell its phases apart
    conflict: str = ""  # why the series is not stacked: files at one position that nothing tells apart
    group: Series | None = field(default=None, repr=False, compare=False)  # a phase's whole series
    geometries: list[PatientGeometry | None] = field(default_factory=list)  # each file's place in the patient
    order_note: str = ""  # a series without positions whose InstanceNumbers do not order it: why not
    apart: str = ""  # files of the same SeriesInstanceUID not stacked with it (another size, plane, spacing)
    apart_at: list[tuple[float, str]] = field(default_factory=list)  # those files: (mm along the stack, name)

    def identity(self, index: int) -> dict[str, Any]:
        """What a slice record keeps of file ``index``: its SOPInstanceUID; without one, name and size."""
        if not 0 <= index < len(self.files):
            return {}
        uid = self.uids[index] if index < len(self.uids) else ""
        if uid:
            return {SLICE_UID: uid}
        size = self.sizes[index] if index < len(self.sizes) else _file_size(self.files[index])
        return {SLICE_FILE: [self.files[index].name, size]}


@dataclass
class FolderScan:
    """What a folder's DICOM files are: stackable series, and files that stand alone (single images,
    multi-frame objects, series of one); ``problems`` names each file that could not be read."""

    series: list[Series]
    singles: list[Path]
    problems: list[str]

    def volumes(self) -> Iterator[tuple[int | None, int | None, Series]]:
        """(series number K or None when the folder holds one, phase J or None, files) of each volume
        the folder lists, in name order; a series that is not stacked (``conflict``) lists none."""
        several = len(self.series) > 1
        for k, group in enumerate(self.series, start=1):
            number = k if several else None
            if group.phases:
                yield from ((number, j, s) for j, s in enumerate(group.phases, start=1))
            elif not group.conflict:
                yield number, None, group


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
            ds, pixel_problem = read_header(f, tags=SCAN_TAGS)
        except DicomError as e:
            problems.append(str(e))
            continue
        if "Rows" not in ds or "Columns" not in ds:
            problems.append(f"{f}: DICOM file without an image (e.g. a report or DICOMDIR); skipped")
            continue
        try:  # over the pixel limit is said first, as for a PNG: the header alone tells it
            rows, cols = image_size_of(ds, f)
            check_image_size(cols, rows, str(f))
        except (DicomError, LimitError) as e:
            problems.append(f"{e}; skipped")
            continue
        if pixel_problem:  # a header-only copy or a cut file: it was stacked as a slice never shown
            problems.append(f"{f}: {pixel_problem}; skipped")
            continue
        if frame_count(ds) > 1:
            singles.append(f)
            continue
        spacing = tuple(round(v, 4) for v in pixel_spacing(ds) or ())  # a slice of another is no slice of it
        key = (str(get_tag(ds, "SeriesInstanceUID", "")), rows, cols, orientation_key(ds), spacing)
        groups.setdefault(key, []).append((f, ds))
    series: list[Series] = []
    for key, members in groups.items():
        if len(members) < 2:
            singles.extend(f for f, _ in members)
            continue
        group = _make_series(key[0], key[1], key[2], members)
        _split_phases(group, members)
        group.apart, group.apart_at = apart_note(key, groups), apart_positions(key, groups)
        series.append(group)
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
    windows = _windows_filled([voi_window(k[4]) for k in keyed])
    sizes = [_file_size(f) for f in files]
    series = Series(uid, number, files, positions, (rows, cols), meta, offsets, uids, windows, sizes)
    series.geometries = [patient_geometry(k[4]) for k in keyed]
    if any(k[0] is None for k in keyed):
        series.order_note = _order_note([(k[1], k[2]) for k in keyed])
    return series


def _windows_filled(windows: list[tuple[float, float] | None]) -> list[tuple[float, float] | None]:
    """Each slice's VOI window, a slice whose file has none taking the nearest slice's (the earlier on a
    tie): a series whose files carry a window only some of the time (an export that drops it, a slice
    re-saved by another tool) flickered from the file's window to the slice's own auto window at every
    step, so one tissue changed brightness while scrolling. 3D Slicer shows a series at one window."""
    have = [i for i, w in enumerate(windows) if w is not None]
    if not have or len(have) == len(windows):
        return windows
    out = list(windows)
    for i, w in enumerate(windows):
        if w is None:  # the nearest slices with a window are have[at - 1] below and have[at] above
            at = bisect.bisect(have, i)
            near = [
                j
                for j in (have[at - 1] if at else None, have[at] if at < len(have) else None)
                if j is not None
            ]
            out[i] = windows[min(near, key=lambda j: (abs(j - i), j))]
    return out


def _order_note(instances: list[tuple[int, str]]) -> str:
    """Why InstanceNumber does not order a series without positions: files that share one (0: none), then
    stacked by file name, which is no slice order a scanner promises; "" when every number differs."""
    counts = Counter(n for n, _ in instances)
    shared = [(n, name) for n, name in instances if counts[n] > 1]
    if not shared:
        return ""
    n = shared[0][0]
    names = [name for m, name in shared if m == n]
    what = "no InstanceNumber" if n == 0 else f"InstanceNumber {n}"
    listed = ", ".join(names[:3]) + (f" and {len(names) - 3:,} more" if len(names) > 3 else "")
    return (
        f"has files without ImagePositionPatient, so it is stacked by InstanceNumber, and {len(shared):,} "
        f"files share a number ({what}: {listed}): those are stacked in file-name order, which may not be "
        "their slice order; check the slices"
    )


def _split_phases(group: Series, members: list[tuple[Path, Any]]) -> None:
    """Fill ``group.phases`` when some of its files share a position and a tag of ``PHASE_TAGS`` (or all
    of them that vary, together) puts them in as many volumes as the most files at one position, each
    position once a volume; else, when files share a position, ``group.conflict``. Without positions
    (placed by InstanceNumber) nothing can be told: the series stays one volume, as before."""
    placed = dict(zip(group.files, group.positions, strict=True))  # found once, by ``_make_series``
    positions = [p for f, _ in members if (p := placed[f]) is not None]
    if len(positions) < len(members):
        return
    order = sorted(range(len(members)), key=lambda i: positions[i])
    place = [0] * len(members)  # each file's position cluster
    for prev, i in itertools.pairwise(order):
        near = abs(positions[i] - positions[prev]) <= SAME_POSITION_MM
        place[i] = place[prev] + (0 if near else 1)
    most = max(Counter(place).values())
    if most < 2:
        return
    values = {tag: [_tag_text(ds, tag) for _, ds in members] for tag in PHASE_TAGS}
    varying = [t for t in PHASE_TAGS if len(set(values[t])) > 1]
    for tags in [(t,) for t in varying] + ([tuple(varying)] if len(varying) > 1 else []):
        keys = [tuple(values[t][i] for t in tags) for i in range(len(members))]
        if len(set(keys)) != most or len(set(zip(keys, place, strict=True))) != len(members):
            continue
        by_key: dict[tuple[str, ...], list[tuple[Path, Any]]] = {}
        for key, member in zip(keys, members, strict=True):
            by_key.setdefault(key, []).append(member)
        group.split_by = " and ".join(tags)
        for key in sorted(by_key, key=lambda k: [_sort_key(v) for v in k]):
            phase = _make_series(group.uid, *group.size, by_key[key])
            phase.label = ", ".join(f"{t} {v or '(none)'}" for t, v in zip(tags, key, strict=True))
            phase.group = group
            group.phases.append(phase)
        return
    group.conflict = _conflict(members, place, positions)


def _conflict(members: list[tuple[Path, Any]], place: list[int], positions: list[float]) -> str:
    """Which files share a position with nothing in ``PHASE_TAGS`` to tell them apart."""
    shared: dict[int, list[int]] = {}
    for i, c in enumerate(place):
        shared.setdefault(c, []).append(i)
    clashes = [sorted(ids, key=lambda i: members[i][0].name) for ids in shared.values() if len(ids) > 1]
    clashes.sort(key=lambda ids: positions[ids[0]])
    shown = "; ".join(
        " and ".join(members[i][0].name for i in ids) + f" at {positions[ids[0]]:g} mm" for ids in clashes[:3]
    )
    more = f" (and {len(clashes) - 3} more positions)" if len(clashes) > 3 else ""
    uids = [{instance_uid(members[i][1]) for i in ids} for ids in clashes]
    copies = any(len(u) == 1 and "" not in u for u in uids)  # every file at the position one instance
    hint = " (a file and its copy: the same SOPInstanceUID)" if copies else ""
    folder = members[0][0].parent
    return (
        f"{folder}: files of one DICOM series lie at the same position: {shown}{more}{hint}, and none of "
        f"{', '.join(PHASE_TAGS)} tells them apart; the series is not stacked (its slices would be "
        "interleaved) - move the extra files to a folder of their own; skipped"
    )


def _tag_text(ds: Any, tag: str) -> str:
    """A tag's value as text (several values joined by \\; "" when absent)."""
    value = get_tag(ds, tag, None)
    if value is None:
        return ""
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        return str(value).strip()
    return "\\".join(str(v).strip() for v in value)


def _sort_key(text: str) -> tuple[int, float, str]:
    """Numbers in numeric order, then text: phase 2 before phase 10."""
    try:
        number = float(text)
    except ValueError:
        return (1, 0.0, text)
    return (0, number, "") if math.isfinite(number) else (1, 0.0, text)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def file_identity(path: Path) -> list[Any]:
    """What a slice record keeps of a file without a SOPInstanceUID to recognise it: its name and size
    (the slice's position is kept beside it)."""
    return [path.name, _file_size(path)]


def instance_uid(ds: Any) -> str:
    """The dataset's SOPInstanceUID ("" when absent or malformed): what a slice record keeps to recognise
    its file when the series folder changes."""
    return str(get_tag(ds, "SOPInstanceUID", "") or "").strip()


class DicomSeries(Volume):
    """A series folder's files as one volume, in slice order."""

    def __init__(
        self, folder: Path, series: Series, number: int | None = None, phase: int | None = None
    ) -> None:
        """``number``: the series' place among several of its folder (``#series=K&...``), else None;
        ``phase``: which of its phases ``series`` is (``#phase=J&...``), else None."""
        self.source, self.axis, self.number, self.phase = folder, "z", number, phase
        self.files = series.files
        self.depth = len(series.files)
        self.height, self.width = series.size
        self.meta = series.meta
        self.positions = np.array(
            [p if p is not None else math.nan for p in series.positions], dtype=np.float64
        )
        self.offsets = series.offsets
        self.series = series
        self.windows = series.windows or None
        self.nbytes = 0

    def identity(self, index: int) -> dict[str, Any]:
        """The file's SOPInstanceUID; for a file without one, its name and size."""
        return self.series.identity(index)

    def mismatch(self, index: int, expected: Mapping[str, Any]) -> str | None:
        """Says which file is at ``index`` now and where the record's own file went (``#z=NNN``), or that
        it left the series."""
        key = next((k for k in (SLICE_UID, SLICE_FILE) if k in expected), None)
        want = expected.get(key) if key else None
        found = self.identity(index).get(key) if key else None
        if want is None or found == want:
            return super().mismatch(index, expected)
        now = (
            f"slice {index} is {self.files[index].name}"
            if index < self.depth
            else f"the series has {self.depth} slices"
        )
        mine = f"the project's slice ({identity_text(key, want)})"  # type: ignore[arg-type]
        where = f"{mine} is no longer in the series"
        group = self.series.group
        volumes = [(self.phase, self.series)] + (list(enumerate(group.phases, start=1)) if group else [])
        for phase, volume in volumes:  # this volume first, then the series' other phases
            k = next((k for k in range(len(volume.files)) if volume.identity(k).get(key) == want), None)
            if k is not None:
                name = SliceRef("", "z", k, 0, self.number, phase).name(len(volume.files))
                where = f"{mine} is now {name} ({volume.files[k].name})"
                break
        return (
            f"the DICOM series changed since the project was made (a file lost, added or sorted anew): "
            f"{now}, and {where}; not read, so no labels land on another slice"
        )

    def geometry(self, index: int) -> PatientGeometry | None:
        """File ``index``'s own place (a sheared or uneven stack's slices each lie where their file says)."""
        places = self.series.geometries
        return places[index] if 0 <= index < len(places) else None

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


def open_series(
    folder: str | os.PathLike[str], series: int | None = None, phase: int | None = None
) -> DicomSeries:
    """Series ``series`` (1-based; None when the folder holds one) of a folder, as a volume (cached by the
    folder's modification time); its phase ``phase`` (1-based) when its files are several acquisitions
    at the same positions (without ``phase``: all its files, as earlier versions stacked them)."""
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
        group = scan.series[k - 1]
        if phase is None:
            return DicomSeries(p, group, series)
        if group.conflict:
            raise DicomError(group.conflict.removesuffix("; skipped"))
        if not 1 <= phase <= len(group.phases):
            held = (
                f"it holds {len(group.phases)}" if group.phases else "it is one volume, named without phase="
            )
            raise DicomError(f"{p}: phase {phase} of the DICOM series not found ({held})")
        return DicomSeries(p, group.phases[phase - 1], series, phase)

    volume = cached(p, ("dicom-series", series, phase), make)
    assert isinstance(volume, DicomSeries)
    return volume
