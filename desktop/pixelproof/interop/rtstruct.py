"""DICOM RT Structure Sets (RTSTRUCT), read only: ``--from rtstruct``.

Each closed planar contour becomes a polygon on the slice it lies on. The slice is the image its
ContourImageSequence references by SOPInstanceUID, looked for under ``image_dir`` (default: the file's
folder and its parent) as ``dicom-seg`` looks for its sources (``dicom_seg.index_sources``: the records are
named as ``new`` names them; a frame of a multi-frame object by its ReferencedFrameNumber, as
``file.dcm#z=NNN``); a contour that references none is placed on the slice whose plane it lies in,
within half the slice spacing. Patient mm (LPS) become pixels through the slice's own geometry
(``patient_space.PatientGeometry.pixels``, the inverse of the readout's ``position``): a point at a pixel's
centre lands at x + 0.5, y + 0.5, the middle of that pixel in COCO polygon coordinates.

Holes: the contours of one ROI on one slice are nested by containment; a contour inside an odd number of
the others is a hole of the one just around it (even-odd, the XOR fill dicompyler-core and rt-utils apply),
so an outline with its holes is one object (a mask, as GeoJSON polygons with holes are read). The ROI name
is the category, ROIDisplayColor its colour, RTROIInterpretedType kept in its ``rtstruct`` extras. POINT
and OPEN_PLANAR contours (isocentres, markers, open lines) have no area: skipped, counted in one line.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import limits
from pixelproof.core.dicom import DicomError, looks_like_dicom, read_dataset
from pixelproof.core.limits import LimitError
from pixelproof.core.matching import overlapping_pairs
from pixelproof.core.patient_space import PatientGeometry, ras_from_lps
from pixelproof.core.volumes import SLICE_UID
from pixelproof.core.wording import plural
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
from pixelproof.interop.dicom_seg import frame_name, holds_dicom, index_sources, outermost
from pixelproof.interop.formats import Format, Option
from pixelproof.interop.geojson_shapes import add_object

RTSTRUCT_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.481.3"
CONTOUR_DATA = 0x30060050
KEY = "rtstruct"  # a category's kept RT fields (ROI number, RTROIInterpretedType)
LONE_SLICE_MM = 1.0  # half-spacing used for a slice with no parallel neighbour in its folder


class _Slice:
    """An indexed image a contour may lie on: its record name, file path, size and geometry."""

    def __init__(self, name: str, path: Path, uid: str, fragment: str) -> None:
        from pixelproof.core.sources import image_meta, special_size

        self.name, self.path, self.uid, self.fragment = name, path, uid, fragment
        self.geometry: PatientGeometry | None = image_meta(path).patient
        self.size = special_size(path)
        self.half = LONE_SLICE_MM
        self._frame: str | None = None

    def frame_of_reference(self) -> str:
        """The image's FrameOfReferenceUID (read on first use: only plane matching needs it)."""
        if self._frame is None:
            from pixelproof.core.sources import open_volume
            from pixelproof.core.volumes import parse_slice_ref

            ref = parse_slice_ref(os.fspath(self.path)) if self.fragment else None
            file = self.path
            if ref is not None:  # a series slice's own file; a multi-frame object's frames share theirs
                volume = open_volume(ref)
                files = getattr(volume, "files", None)
                file = files[ref.index] if files is not None else volume.source
            try:
                self._frame = str(
                    read_dataset(file, tags=("FrameOfReferenceUID",)).get("FrameOfReferenceUID", "")
                )
            except DicomError:
                self._frame = ""
        return self._frame


def _slices(
    index: dict[str, tuple[Path, str, int]], base: Path, report: Reporter
) -> dict[tuple[str, int], _Slice]:
    """(SOPInstanceUID, frame number: 0 for a single-frame image) -> slice for every image and every frame
    of a multi-frame object found (named ``file.dcm#z=NNN`` as ``dicom-seg`` and ``new`` name them), with
    half its volume's slice spacing along its normal (the tolerance of a contour's plane)."""
    out: dict[tuple[str, int], _Slice] = {}
    for uid, (where, fragment, frames) in index.items():
        numbers = range(1, frames + 1) if frames > 1 else [0]
        for number in numbers:
            part = frame_name(number, frames) if number else fragment
            try:
                s = _Slice(rel_name(where, base) + part, Path(os.fspath(where) + part), uid, part)
            except Exception as e:  # a source gone or broken since the scan
                report(f"{where}{part}: cannot read its geometry: {e}")
                break
            if s.geometry is not None and s.size is not None:
                out[uid, number] = s
    by_plane: dict[tuple, list[tuple[float, _Slice]]] = defaultdict(list)
    for s in out.values():
        n = _normal(s)
        # one volume's slices (a series, a multi-frame object's frames); lone files by their folder
        volume = re.sub(r"&?z=\d+$", "", os.fspath(s.path)) if s.fragment else str(s.path.parent)
        by_plane[(volume, *np.round(n, 4))].append((float(np.dot(n, s.geometry.origin)), s))  # type: ignore[union-attr]
    for group in by_plane.values():  # half the distance to the nearest other position of its volume
        positions = np.unique(np.round([o for o, _ in group], 4))
        for o, s in group:
            k = int(np.searchsorted(positions, round(o, 4)))
            gaps = [abs(o - positions[j]) for j in (k - 1, k + 1) if 0 <= j < len(positions)]
            s.half = min(gaps) / 2 if gaps else LONE_SLICE_MM
    return out


def _normal(s: _Slice) -> np.ndarray:
    g = s.geometry
    assert g is not None
    n = np.cross(g.col_step, g.row_step)
    return n / np.linalg.norm(n)


class _Images:
    """The slices found: by (SOPInstanceUID, frame number), and by plane (for contours that reference no
    image: the few slices near a contour's position along each orientation's normal, found by bisection,
    not by trying every slice: 3,000 contours over a 300-slice series were 900,000 plane fits)."""

    def __init__(self, slices: dict[tuple[str, int], _Slice], depth: dict[str, int]) -> None:
        self.slices, self.depth = slices, depth
        groups: dict[tuple, list[_Slice]] = defaultdict(list)
        for s in slices.values():
            groups[tuple(np.round(_normal(s), 4))].append(s)
        self.planes: list[tuple[np.ndarray, np.ndarray, list[_Slice], float]] = []
        for members in groups.values():
            n = _normal(members[0])
            at = np.array([float(np.dot(n, s.geometry.origin)) for s in members])  # type: ignore[union-attr]
            order = np.argsort(at)
            widest = max(s.half for s in members)
            self.planes.append((n, at[order], [members[i] for i in order], widest))

    def near(self, ras: np.ndarray) -> list[_Slice]:
        """The slices whose plane may hold every point of ``ras`` within half their spacing (a superset:
        the margin covers the normals grouped as one, 1e-4 apart)."""
        out: list[_Slice] = []
        margin = 1.0 + 2e-4 * float(np.abs(ras).max())
        for n, at, members, widest in self.planes:
            d = ras @ n
            lo = np.searchsorted(at, float(d.min()) - widest - margin, "left")
            hi = np.searchsorted(at, float(d.max()) + widest + margin, "right")
            out.extend(members[lo:hi])
        return out


def _points(contour: Any, where: str) -> np.ndarray:
    """ContourData as (n, 3) finite floats, parsed from the raw bytes when read from a file (a million
    points checked against ``limits.MAX_VERTICES`` before three million DS values become objects; read in
    bulk by ``_ds_floats``)."""
    elem = contour.get_item(CONTOUR_DATA) if CONTOUR_DATA in contour else None
    if elem is None:
        raise ValueError(f"{where}: no ContourData")
    raw = elem.value
    if isinstance(raw, bytes | bytearray):
        n = raw.count(b"\\") + 1 if raw.strip(b" \x00") else 0
        if n > 3 * limits.MAX_VERTICES:
            raise ValueError(f"{where}: {n // 3:,} points, over the limit of {limits.MAX_VERTICES:,}")
        try:
            values = _ds_floats(raw, n) if n else np.zeros(0)
        except ValueError:
            raise ValueError(f"{where}: ContourData holds a value that is not a number") from None
    else:
        seq = list(raw) if isinstance(raw, list | tuple) or hasattr(raw, "__iter__") else [raw]
        if len(seq) > 3 * limits.MAX_VERTICES:
            raise ValueError(f"{where}: {len(seq) // 3:,} points, over the limit of {limits.MAX_VERTICES:,}")
        values = np.array([float(v) for v in seq], np.float64)
    if values.size % 3:
        raise ValueError(f"{where}: ContourData holds {values.size:,} numbers, not x/y/z triplets")
    if values.size == 0:
        raise ValueError(f"{where}: ContourData is empty")
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(f"{where}: point {int(bad[0]) // 3} is not finite ({values[bad[0]]})")
    return values.reshape(-1, 3)


DS_BYTES = b"0123456789+-.eE \\"  # all a DS value of plain numbers holds (and the backslashes between)


def _ds_floats(raw: bytes, n: int) -> np.ndarray:
    """The ``n`` numbers of a backslash-separated DS value, each equal to ``float()`` of it (as pydicom
    reads it). Read as one JSON array by orjson when every byte is a digit, sign, point, exponent, space or
    backslash and the array it reads has ``n`` numbers: 0.5 s for a million points where ``float()`` per
    value took 2.1 s (numpy's cast of the split strings and ``np.fromstring`` are no faster). What JSON
    does not accept (``+1``, ``1.``, ``007``, ``nan``) is read value by value, ValueError for one that is no
    number."""
    import orjson

    if not raw.translate(None, DS_BYTES):
        try:
            values = np.array(orjson.loads(b"[" + raw.replace(b"\\", b",") + b"]"), np.float64)
        except (ValueError, TypeError, OverflowError):  # JSONDecodeError is a ValueError
            values = None
        if values is not None and values.shape == (n,):
            return values
    return np.array([float(v) for v in raw.split(b"\\")], np.float64)


def _place(
    points: np.ndarray,
    ref: tuple[str, int],
    images: _Images,
    frame: str,
    where: str,
) -> tuple[_Slice, np.ndarray]:
    """The slice the contour lies on and its closed ring in that slice's pixel coordinates; ``ref`` is the
    referenced (SOPInstanceUID, ReferencedFrameNumber: 0 when none). Without a reference, the nearest
    slice of the structure set's frame of reference (``frame``) whose plane holds every point within half
    its slice spacing."""
    ras = ras_from_lps(points)
    if ref[0]:
        uid, number = ref
        frames = images.depth.get(uid, 1)
        if frames > 1 and not 1 <= number <= frames:
            said = f"frame {number}" if number else "no frame (no ReferencedFrameNumber)"
            raise ValueError(
                f"{where}: names {said} of the multi-frame image {uid}, which has {frames} frames"
            )
        s = images.slices.get((uid, number if frames > 1 else 0))
        if s is None:
            raise LookupError(uid)
        assert s.geometry is not None
        px = s.geometry.pixels(ras)
        off = float(np.abs(px[:, 2]).max())
        if off > s.half:
            raise ValueError(
                f"{where}: lies {off:.2f} mm off the plane of its referenced slice {s.name} "
                f"(more than half the slice spacing, {s.half:.2f} mm)"
            )
    else:
        best: tuple[float, _Slice, np.ndarray] | None = None
        for s in images.near(ras):
            assert s.geometry is not None
            if s.frame_of_reference() != frame:
                continue
            px = s.geometry.pixels(ras)
            off = float(np.abs(px[:, 2]).max())
            if off <= s.half and (best is None or off < best[0]):
                best = (off, s, px)
        if best is None:
            z = ", ".join(f"{v:g}" for v in points[0])
            raise ValueError(
                f"{where}: references no image and lies on no slice found (first point {z} mm, LPS; "
                f"none of frame of reference {frame or '(none)'} within half its slice spacing)"
            )
        _, s, px = best
    ring = px[:, :2] + 0.5
    return s, np.vstack([ring, ring[:1]])


def _reference(contour: Any, where: str) -> tuple[str, int]:
    """(ReferencedSOPInstanceUID, ReferencedFrameNumber: 0 when none) of the contour's first image."""
    images = contour.get("ContourImageSequence") or []
    if not images:
        return "", 0
    from pydicom.multival import MultiValue

    item = images[0]
    raw = item.get("ReferencedFrameNumber")
    raw = raw[0] if isinstance(raw, MultiValue | list) and raw else raw  # several: the first is read
    text = "" if raw is None else str(raw).strip()
    if text and not (text.isascii() and text.isdigit()):
        raise ValueError(f"{where}: ReferencedFrameNumber {text!r} is no frame number")
    return str(item.get("ReferencedSOPInstanceUID", "")), int(text) if text else 0


def _nest(
    rings: list[np.ndarray], budget: list[int] | None = None
) -> list[tuple[np.ndarray, list[np.ndarray]]] | None:
    """Outer rings with their holes: a ring inside an odd number of the others is a hole of the smallest
    ring around it (depth by containment of its first vertex, even-odd as XOR fill reads nested contours).
    Containment is tested only where the other's extent holds the vertex (``ring_candidates``): 300 lesions of
    one ROI on a slice were 90,000 tests, 22 s for ten slices. ``budget[0]``: the tests the file has left
    (``limits.MAX_NESTING_TESTS``), spent here; None, none made, when the slice needs more (1,000 copies
    of one contour are 10**6 tests, 19 s; 10,000 copies 10**8)."""
    budget = [limits.MAX_NESTING_TESTS] if budget is None else budget
    chunk = max(1, min(256, limits.MAX_NESTING_TESTS // max(1, len(rings))))  # a chunk's pairs: bounded
    tests: list[tuple[int, list[int]]] = []
    spent = 0
    for i, others in ring_candidates(rings, chunk):  # counted before any is made: a refusal costs none
        spent += len(others)
        if spent > budget[0]:
            return None
        tests.append((i, others))
    budget[0] -= spent
    inside: list[list[int]] = [[] for _ in rings]
    for i, others in tests:
        inside[i] = [j for j in others if ring_contains(rings[j], rings[i][0])]
    area = [abs(_area(r)) for r in rings]
    parts: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}
    for i in sorted(range(len(rings)), key=lambda k: len(inside[k])):
        around_even = [j for j in inside[i] if j in parts]
        if len(inside[i]) % 2 == 0 or not around_even:  # a copy of a ring lies "inside" it: an outline
            parts[i] = (rings[i], [])
        else:
            around = min(around_even, key=lambda j: area[j])
            parts[around][1].append(rings[i])
    return list(parts.values())


def ring_candidates(rings: list[np.ndarray], chunk: int = 256) -> Iterator[tuple[int, list[int]]]:
    """Each ring's index and those, ascending, of the other rings whose extent holds its first vertex: the
    only ones ``ring_contains`` can find it inside (a vertex inside a ring lies within its extent; the
    vertex's extent is widened by 1e-9 of its size so that one on an edge is found,
    ``matching.overlapping_pairs`` wanting overlap of positive area). ``chunk`` vertices at a time: 10,000
    copies of one box are 10**8 pairs, not to be held at once. The reader's nesting and the writer's nesting
    count share it."""
    if len(rings) < 2:
        yield from ((i, []) for i in range(len(rings)))
        return
    boxes = np.array([[*r.min(axis=0), *r.max(axis=0)] for r in rings], np.float64)
    first = np.array([r[0] for r in rings], np.float64)
    pad = 1e-9 * (1.0 + np.abs(first))
    points = np.c_[first - pad, first + pad]
    for at in range(0, len(rings), chunk):
        rows, cols = overlapping_pairs(points[at : at + chunk], boxes)
        bounds = np.searchsorted(rows, np.arange(min(chunk, len(rings) - at) + 1)).tolist()
        for k, (lo, hi) in enumerate(itertools.pairwise(bounds)):
            yield at + k, [j for j in cols[lo:hi].tolist() if j != at + k]


def ring_contains(ring: np.ndarray, point: np.ndarray) -> bool:
    """Whether ``point`` lies inside the closed ``ring`` (even-odd ray casting)."""
    x, y = float(point[0]), float(point[1])
    a, b = ring[:-1], ring[1:]
    crosses = (a[:, 1] > y) != (b[:, 1] > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = a[:, 0] + (y - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1])
    return bool(np.count_nonzero(crosses & (x < at)) % 2)


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _open(path: Path) -> Any:
    """The dataset; a file without the Part 10 preamble (older planning systems write them, as pydicom's
    own ``rtstruct.dcm``) read once more as a bare dataset, kept only when it says it is an RTSTRUCT."""
    try:
        return read_dataset(path)
    except DicomError as first:
        if "not a DICOM file" not in str(first):
            raise
        import warnings

        import pydicom

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = pydicom.dcmread(os.fspath(path), force=True, stop_before_pixels=True)
            if str(ds.get("SOPClassUID", "")) == RTSTRUCT_SOP_CLASS:
                return ds
        except Exception:
            pass
        raise first from None


def _is_rtstruct(path: Path) -> bool:
    try:
        return str(_open(path).get("SOPClassUID", "")) == RTSTRUCT_SOP_CLASS
    except DicomError:
        return False


def _color(value: Any) -> str | None:
    try:
        rgb = [int(v) for v in value]
    except (TypeError, ValueError):
        return None
    if len(rgb) != 3 or not all(0 <= v <= 255 for v in rgb):
        return None
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _rois(ds: Any) -> dict[int, tuple[str, str]]:
    """ROINumber -> (ROIName, RTROIInterpretedType)."""
    kinds = {
        int(o.ReferencedROINumber): str(o.get("RTROIInterpretedType", "") or "")
        for o in ds.get("RTROIObservationsSequence", [])
        if "ReferencedROINumber" in o
    }
    return {
        int(r.ROINumber): (str(r.get("ROIName", "") or f"ROI {r.ROINumber}"), kinds.get(int(r.ROINumber), ""))
        for r in ds.get("StructureSetROISequence", [])
        if "ROINumber" in r
    }


def read_rtstruct(
    path: str | os.PathLike[str],
    *,
    image_dir: str | os.PathLike[str] | None = None,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import RT Structure Sets as polygons on their images (see the module docstring)."""
    root = Path(path)
    report = Reporter(on_problem)
    if root.is_dir():
        files = [
            f for f in sorted(root.rglob("*")) if f.is_file() and looks_like_dicom(f) and _is_rtstruct(f)
        ]
        base = root
    elif root.is_file():
        files, base = [root], root.parent
    else:
        raise ValueError(f"{root}: not found")
    if not files:
        raise ValueError(f"{root}: no DICOM RT Structure Sets found")
    search = outermost([Path(image_dir)] if image_dir else [base, folder_above(base)], ())
    scan = Reporter(None)  # the structure sets themselves are no images: not said as skipped sources
    index = index_sources(search, scan)
    for line in scan.problems:
        if not any(line.startswith(f"{f}:") for f in files):
            report.skip("files", line)
    depth = {uid: frames for uid, (_, _, frames) in index.items() if frames > 1}
    images = _Images(_slices(index, base, report), depth)
    project = folder_project(base)
    build = Builder(project)
    records: dict[str, Any] = {}
    for f in with_progress(files, len(files), progress):
        try:
            ds = _open(f)
            rois = _rois(ds)
            _read_file(ds, f, rois, images, search, image_dir, build, records, report)
        except (DicomError, AttributeError, TypeError, ValueError, KeyError) as e:
            report.skip("files", f"{f}: not a readable RT Structure Set: {type(e).__name__}: {e}")
        report.summarise(f)
    return ImportResult(project, report.problems, report.skipped)


def _read_file(
    ds: Any,
    f: Path,
    rois: dict[int, tuple[str, str]],
    images: _Images,
    search: list[Path],
    image_dir: Any,
    build: Builder,
    records: dict[str, Any],
    report: Reporter,
) -> None:
    counts: Counter[str] = Counter()
    frames = ds.get("ReferencedFrameOfReferenceSequence") or []
    frame = str(frames[0].get("FrameOfReferenceUID", "")) if frames else ""
    missing: set[str] = set()
    budget = [limits.MAX_NESTING_TESTS]  # containment tests the file may still cost (``_nest``)
    for item in ds.get("ROIContourSequence", []):
        number = int(item.get("ReferencedROINumber", -1))
        name, kind = rois.get(number, (f"ROI {number}", ""))
        groups: dict[str, tuple[_Slice, list[np.ndarray]]] = {}
        for k, contour in enumerate(item.get("ContourSequence", [])):
            where = f"{f}: ROI {number} “{name}”, contour {k}"
            shape = str(contour.get("ContourGeometricType", "") or "")
            if shape != "CLOSED_PLANAR":
                counts[shape or "untyped"] += 1
                report.skipped["objects"] += 1
                continue
            try:
                points = _points(contour, where)
                declared = contour.get("NumberOfContourPoints")
                if declared is not None and int(declared) != len(points):
                    report(
                        f"{where}: NumberOfContourPoints says {declared}, ContourData holds {len(points):,} "
                        "points; the points are read"
                    )
                if len(points) < 3:
                    raise ValueError(f"{where}: a closed contour of {len(points)} points has no area")
                ref = _reference(contour, where)
                s, ring = _place(points, ref, images, frame, where)
            except LookupError as e:
                missing.add(str(e.args[0]))
                report.often("contours", f"{where}: its image {e.args[0]} is not found", "objects")
                continue
            except ValueError as e:
                report.often("contours", str(e), "objects")
                continue
            groups.setdefault(s.name, (s, []))[1].append(ring)
        if not groups:
            continue
        cat = build.category(name, number if number > 0 else None)
        cat.color = _color(item.get("ROIDisplayColor")) or cat.color
        cat.app_extra.setdefault(KEY, {"roi_number": number, "type": kind})
        for s, rings in groups.values():
            record = records.get(s.name) or _record(build, s, records)
            where = f"{f}: ROI {number} “{name}” on {s.name}"
            nested = _nest(rings, budget)
            if nested is None:
                report.often(
                    "contours read as outlines",
                    f"{where}: {len(rings):,} contours not nested into holes: more containment "
                    f"tests than the {budget[0]:,} left of the {limits.MAX_NESTING_TESTS:,} a file may cost "
                    "(copies of one contour?); each read as an outline",
                )
                nested = [(ring, []) for ring in rings]
            for outer, holes in nested:
                try:
                    if holes:
                        add_object([(outer, holes)], record, cat.id, {}, where, build, report)
                    else:
                        build.annotation(
                            record, cat.id, polygons=[outer[:-1].reshape(-1).tolist()], where=where
                        )
                except LimitError as e:
                    report.skip("objects", str(e))
    for shape, n in sorted(counts.items()):
        report(f"{f}: {plural(n, f'{shape} contour')} skipped (only closed planar contours have an area)")
    if missing:
        where = ", ".join(map(str, search))
        report(
            f"{f}: {plural(len(missing), 'referenced image')} not found under {where}"
            + ("" if image_dir else " (name the folder of its image series with --image-dir)")
        )


def _record(build: Builder, s: _Slice, records: dict[str, Any]) -> Any:
    from pixelproof.core.sources import image_meta_extra

    extra = image_meta_extra(s.path)
    if s.fragment:  # a series slice keeps which file it is, as ``new`` writes it
        extra["pixelproof"] = {SLICE_UID: s.uid}
    assert s.size is not None
    record = build.image(s.name, s.size[0], s.size[1], **extra)
    records[s.name] = record
    return record


def write_rtstruct(
    project: Any, out_dir: str | os.PathLike[str], *, progress: ProgressCallback | None = None
) -> list[str]:
    """One RT Structure Set per DICOM source with objects (``rtstruct_writer``, which imports this module)."""
    from pixelproof.interop.rtstruct_writer import write_structure_sets

    return write_structure_sets(project, out_dir, progress=progress)


def looks_like_rtstruct(path: Path) -> bool:
    """An RT Structure Set file, or a folder holding one at its top level."""
    return holds_dicom(path, _is_rtstruct)


FORMAT = Format(
    name="rtstruct",
    title="DICOM RT Structure Set",
    reader=read_rtstruct,
    writer=write_rtstruct,
    read_options=(
        Option(
            "image_dir",
            "folder",
            "where the images the contours reference are (default: the RTSTRUCT's folder and its parent)",
            None,
            label="Images folder",
        ),
    ),
    detect=looks_like_rtstruct,
    suffixes=(".dcm",),
    lost_on_export=(
        "images that are not DICOM or have no patient position; void regions (left out, a warning says how "
        "many); boxes (written as 4-point contours, read back as polygons); objects' scores, notes and "
        "review states; an object inside another of its category on one slice (contours fill even-odd: read "
        "back as a hole, a warning says how many)"
    ),
)
