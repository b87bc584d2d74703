"""QA per volume: the paired slices of each volume scored together in 3D (DESIGN.md §6, in 3D).

Slices are the image pairs whose file names are slice references (``ct.nii.gz#z=012``); those of one
volume (same source, series, channel and axis) are stacked by index. Per category: 3D Dice/IoU from voxel
counts, and HD/HD95/ASSD/MASD/NSD with 6-neighbour boundaries, in mm when the slices carry a
``pixel_spacing`` and a ``slice_position`` (the slice spacing comes from the positions, never from a
nominal SliceThickness; a sheared stack's slices are also shifted by their ``slice_offset``), else in
voxel units (``unit`` "voxel", never "px"), each choice reported in ``problems``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pixelproof.core import metrics_3d
from pixelproof.core.metrics import BOTH_EMPTY, InstanceCounts, MaskComparison, Placed
from pixelproof.core.qa_objects import mm_text, pair_spacing
from pixelproof.core.volumes import SliceRef, parse_slice_ref, record_position
from pixelproof.core.wording import plural

if TYPE_CHECKING:
    from pixelproof.core.model import ImageRecord, Project
    from pixelproof.core.qa import ImageScore, QAOptions, QAResult
    from pixelproof.core.qa_objects import ImagePair

VOLUME_FIELDS = ("iou", "dice", "hd", "hd95", "hd95_pooled", "hd95_mean", "assd", "masd", "nsd")


def volume_name(ref: SliceRef) -> str:
    """The volume a slice belongs to: its source, plus series/phase/channel/time point/axis when not the
    default."""
    parts = [f"{k}={v}" for k, v in ref.volume_parts()]
    parts += [f"axis={ref.axis}"] if ref.axis != "z" else []
    return ref.source + ("#" + "&".join(parts) if parts else "")


def volume_index(project: Project) -> dict[int, tuple[str, list[int]]]:
    """Image id -> (its volume, the volume's image ids in slice order), for every slice in the project."""
    by_volume: dict[str, list[tuple[int, int]]] = {}
    for image in project.images.values():
        ref = parse_slice_ref(image.file_name)
        if ref is not None:
            by_volume.setdefault(volume_name(ref), []).append((ref.index, image.id))
    out: dict[int, tuple[str, list[int]]] = {}
    for name, slices in by_volume.items():
        ids = [image_id for _, image_id in sorted(slices)]
        for image_id in ids:
            out[image_id] = (name, ids)
    return out


@dataclass(slots=True)
class VolumeRow:
    """One volume and one category: 3D figures from ``comparison`` over ``slices`` paired slices."""

    volume: str
    category: str
    comparison: MaskComparison
    slices: int
    spacing: tuple[float, float, float] | None = None  # (slice, row, col) mm when uniform; None otherwise
    both_empty_as_one: bool = False
    instances: InstanceCounts = field(default_factory=InstanceCounts)  # no objects in 3D (aggregate())

    def value(self, name: str) -> float:
        if name in ("iou", "dice") and self.both_empty_as_one and self.comparison.both_empty:
            return 1.0
        if name in VOLUME_FIELDS:
            return float(getattr(self.comparison, name))
        if name in ("tp_px", "fp_px", "fn_px"):
            return float(getattr(self.comparison, name[:2]))
        return math.nan  # Boundary IoU and object figures are not computed per volume

    def reason(self, name: str) -> str | None:
        v = self.value(name)
        if math.isfinite(v):
            if name in ("iou", "dice") and self.both_empty_as_one and self.comparison.both_empty:
                return "both empty (counted as 1.0)"
            return None
        if name not in VOLUME_FIELDS:
            return "not computed in 3D"
        if math.isnan(v) and not self.comparison.both_empty:
            return "not computed"
        return self.comparison.reason(name)


@dataclass
class _Slice:
    index: int
    shape: tuple[int, int]
    spacing: tuple[float, float] | None
    position: float | None
    masks: Mapping[str, tuple[Placed, Placed]]  # metrics_parts.ClassMasks: merged when asked
    offset: tuple[float, float] | None = None


class VolumeCollector:
    """Gathers the scored slices of each volume while ``run_qa`` goes, then scores the volumes."""

    def __init__(self, categories: list[str]) -> None:
        self.categories = categories
        self.volumes: dict[str, list[_Slice]] = {}

    def add(self, score: ImageScore) -> None:
        """Keep a scored image pair's per-class masks when it is a slice."""
        pair = score.pair
        ref = parse_slice_ref(pair.cand.file_name) or parse_slice_ref(pair.ref.file_name)
        if ref is None or ref.axis == "t":  # the frames of a time series are no volume in space
            return
        position, offset, _ = slice_geometry(pair)
        item = _Slice(ref.index, pair.shape, pair_spacing(pair), position, score.masks, offset)
        self.volumes.setdefault(volume_name(ref), []).append(item)

    def score(self, options: QAOptions, problems: list[str]) -> list[VolumeRow]:
        """One row per volume (of two or more paired slices) and category; notes go to ``problems``."""
        rows: list[VolumeRow] = []
        for name, items in sorted(self.volumes.items()):
            items.sort(key=lambda s: s.index)
            if len(items) < 2:
                continue
            if len({s.shape for s in items}) > 1 or len({s.index for s in items}) != len(items):
                problems.append(f"{name}: slices of different sizes or repeated indexes; no 3D figures")
                continue
            notes: list[str] = []  # said only of a volume where a side drew something: a CT no one
            # labelled (a scout, a cine) filled the review's banner with notes on its geometry
            spacing, positions = _geometry(name, items, notes)
            drawn = False
            offsets = _offsets(items) if spacing is not None else None
            step = metrics_3d.uniform_step(positions) if spacing is not None and offsets is None else None
            for cat in self.categories:
                empty = (Placed.empty(), Placed.empty())
                pairs = [s.masks.get(cat, empty) for s in items]
                comparison = metrics_3d.compare_volume(
                    [p[0] for p in pairs],
                    [p[1] for p in pairs],
                    items[0].shape,
                    spacing=spacing,
                    positions=positions,
                    offsets=offsets,
                    nsd_tau=options.tau(cat, spacing),
                    distances=options.boundary_metrics,
                )
                drawn = drawn or not comparison.both_empty
                rows.append(
                    VolumeRow(
                        volume=name,
                        category=cat,
                        comparison=comparison,
                        slices=len(items),
                        spacing=(step, *spacing) if step is not None and spacing is not None else None,
                        both_empty_as_one=options.both_empty_as_one,
                    )
                )
            if drawn:
                problems.extend(notes)
        return rows


def _record_offset(record: ImageRecord) -> tuple[float, float] | None:
    """The record's ``slice_offset`` (row, col mm; a sheared stack's slices only) when it is two finite
    numbers."""
    value = record.extra.get("slice_offset")
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    ):
        return (float(value[0]), float(value[1]))
    return None


def slice_geometry(pair: ImagePair) -> tuple[float | None, tuple[float, float] | None, list[str]]:
    """A slice pair's (slice_position, slice_offset, the keys of the two taken from the candidate): the
    reference's first, as its pixel spacing (``pair_spacing``), it being the ground truth; the candidate's
    when the reference has none (an old reference may predate slice_offset), which
    ``slice_geometry_one_sided`` says."""
    from_cand = []
    if "slice_position" in pair.ref.extra:
        position = record_position(pair.ref)
    else:
        position = record_position(pair.cand)
        from_cand += ["slice_position"] if position is not None else []
    offset = _record_offset(pair.ref)
    if offset is None:
        offset = _record_offset(pair.cand)
        from_cand += ["slice_offset"] if offset is not None else []
    return position, offset, from_cand


SLICE_KEYS = {
    "slice_position": "slice_position (spacing along z)",
    "slice_offset": "slice_offset (shift per slice)",
}


def slice_geometry_differs(pairs: Iterable[ImagePair]) -> list[tuple[str, str, str, str]]:
    """(key, the reference's, the candidate's, volume) for each volume QA scores in 3D whose two sides
    space its slices otherwise along z (``slice_position``) or shift them otherwise per slice
    (``slice_offset``): QA takes the reference's (``VolumeCollector.add``), and a distance in the other
    would be off. Steps between paired slices are compared, so another origin (every slice moved by one
    amount) changes no distance and is no difference; nor is float32 rounding (of positions up to metres)."""
    out = []
    for name, items in _scored_volumes(pairs):
        for key, read in (("slice_position", record_position), ("slice_offset", _record_offset)):
            steps = _steps(items, read)
            if steps is None:
                continue
            r, c, tol = steps
            if key == "slice_position":  # a spacing: a stack stored the other way round is as far apart
                r, c = np.abs(r), np.abs(c)
            if not np.allclose(r, c, rtol=1e-5, atol=tol):
                out.append((key, _step_text(r), _step_text(c), name))
    return out


def slice_geometry_one_sided(pairs: Iterable[ImagePair]) -> list[tuple[str, str]]:
    """(key, volume) for each volume QA scores in 3D some of whose slices have a ``slice_position`` or
    ``slice_offset`` from the candidate only (``slice_geometry``): its distances are in the candidate's."""
    out = []
    for name, items in _scored_volumes(pairs):
        taken = {key for _, p in items for key in slice_geometry(p)[2]}
        out += [(key, name) for key in SLICE_KEYS if key in taken]
    return sorted(out, key=lambda found: list(SLICE_KEYS).index(found[0]))  # by key, then volume


def _scored_volumes(pairs: Iterable[ImagePair]) -> list[tuple[str, list[tuple[int, ImagePair]]]]:
    """(volume, its (index, pair) by index) for the volumes of two or more slices ``VolumeCollector``
    scores in 3D (no time series, no repeated index: ``score`` says those)."""
    volumes: dict[str, list[tuple[int, ImagePair]]] = {}
    for p in pairs:
        ref = parse_slice_ref(p.cand.file_name) or parse_slice_ref(p.ref.file_name)
        if ref is not None and ref.axis != "t":  # as ``VolumeCollector.add`` keeps them
            volumes.setdefault(volume_name(ref), []).append((ref.index, p))
    out = []
    for name, items in sorted(volumes.items()):
        items.sort(key=lambda item: item[0])
        if len(items) > 1 and len({k for k, _ in items}) == len(items):
            out.append((name, items))
    return out


def _steps(items: list[tuple[int, ImagePair]], read: Any) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The reference's and the candidate's step per slice index between the paired slices both sides
    give a value (``read``), (steps, 1 or 2), and the float32 tolerance of their values; None without any."""
    r_steps, c_steps, scale = [], [], 1.0
    for (k0, p0), (k1, p1) in itertools.pairwise(items):
        values = [read(p0.ref), read(p1.ref), read(p0.cand), read(p1.cand)]
        if any(v is None for v in values):
            continue
        a0, a1, b0, b1 = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in values)
        with np.errstate(over="ignore", invalid="ignore"):  # positions near 1e308: an infinite step
            r_steps.append((a1 - a0) / (k1 - k0))
            c_steps.append((b1 - b0) / (k1 - k0))
        scale = max(scale, *(float(np.abs(v).max()) for v in (a0, a1, b0, b1)))
    if not r_steps:
        return None
    return np.array(r_steps), np.array(c_steps), 1e-5 * scale


def _step_text(steps: np.ndarray) -> str:
    """A side's step per slice: one value when even (as ``uniform_step`` judges), else its range."""
    steps = np.round(steps, 4) + 0.0  # float32 noise off the printed figure; no -0
    lo, hi = steps.min(axis=0), steps.max(axis=0)
    scalar = steps.shape[1] == 1
    with np.errstate(invalid="ignore"):  # an infinite step (positions near 1e308) is no even one
        even = np.all(hi - lo <= 1e-3 * np.abs(steps).max(axis=0))
    if even:
        mean = steps.mean(axis=0)
        return mm_text(float(mean[0]) if scalar else [float(v) for v in mean])
    if scalar:
        return f"{lo[0]:g}–{mm_text(float(hi[0]))}"
    return f"[{lo[0]:g}, {lo[1]:g}]–{mm_text([float(v) for v in hi])}"


def _offsets(items: list[_Slice]) -> np.ndarray | None:
    """(slices, 2) in-plane offsets when any slice has one (a sheared stack; the others count as 0)."""
    if all(s.offset is None for s in items):
        return None
    return np.array([s.offset or (0.0, 0.0) for s in items], dtype=np.float64)


def _geometry(
    name: str, items: list[_Slice], problems: list[str]
) -> tuple[tuple[float, float] | None, np.ndarray]:
    """(in-plane spacing or None, slice positions): mm when every slice has both, else voxel units."""
    indexes = np.array([s.index for s in items], dtype=np.float64)
    gaps = int(indexes[-1] - indexes[0] + 1) - len(items)
    if gaps:
        problems.append(
            f"{name}: {plural(gaps, 'slice')} between the first and last not paired; skipped in 3D"
        )
    spacings = {s.spacing for s in items}
    positions = np.array([s.position if s.position is not None else math.nan for s in items])
    spacing = next(iter(spacings)) if len(spacings) == 1 else None
    if spacing is not None and metrics_3d.monotonic(positions):
        return spacing, positions
    if spacing is not None or any(s.spacing for s in items):
        why = "slice positions missing or not monotonic" if spacing is not None else "pixel spacing differs"
        problems.append(f"{name}: {why}; 3D distances in voxel units")
    return None, indexes


def first_differences(result: QAResult) -> dict[tuple[str, str], tuple[int, bool]]:
    """(volume, category) -> (the candidate image id of the volume's first slice, by index, where the two
    sides differ in that class (voxels in one only), True), else (its first slice's, False): where a
    reviewer going from a volume's 3D row to its slices starts looking."""
    differs = {(r.image_id, r.category) for r in result.per_image if r.comparison.fp or r.comparison.fn}
    out: dict[tuple[str, str], tuple[int, bool]] = {}
    for name, items in _scored_volumes(result.pairs):
        ids = [p.cand.id for _, p in items]
        for cat in result.categories:
            first = next((i for i in ids if (i, cat) in differs), None)
            out[(name, cat)] = (first, True) if first is not None else (ids[0], False)
    return out


def drawn_rows(rows: Iterable[VolumeRow]) -> list[VolumeRow]:
    """The rows of a class some side drew in that volume: what the tables a reader scans list (review
    view, HTML page, printed summary). A class neither drew there (a CT's ``cat``) keeps its row in the
    JSON, ``both empty``, for its consumers and the means' ``n_both_empty``; in a table it was an n/a row
    above the classes drawn there."""
    return [r for r in rows if not r.comparison.both_empty]


def drawn_row_dicts(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``drawn_rows`` of the JSON report's ``per_volume`` rows."""
    return [r for r in rows if r.get("status") != BOTH_EMPTY]


def drawn_classes(means: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``per_volume_class`` means of the classes some side drew in some volume (``drawn_rows``)."""
    return [m for m in means if m["n_rows"] > m["n_both_empty"]]
