"""QA per volume: the paired slices of each volume scored together in 3D (DESIGN.md §6, in 3D).

Slices are the image pairs whose file names are slice references (``ct.nii.gz#z=012``); those of one
volume (same source, series, channel and axis) are stacked by index. Per category: 3D Dice/IoU from voxel
counts, and HD/HD95/ASSD/MASD/NSD with 6-neighbour boundaries, in mm when the slices carry a
``pixel_spacing`` and a ``slice_position`` (the slice spacing comes from the positions, never from a
nominal SliceThickness; a sheared stack's slices are also shifted by their ``slice_offset``), else in
voxel units (``unit`` "voxel", never "px"), each choice reported in ``problems``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from pixelproof.core import metrics_3d
from pixelproof.core.metrics import InstanceCounts, MaskComparison, Placed
from pixelproof.core.volumes import SliceRef, parse_slice_ref

if TYPE_CHECKING:
    from pixelproof.core.qa import ImageScore, QAOptions

VOLUME_FIELDS = ("iou", "dice", "hd", "hd95", "hd95_pooled", "hd95_mean", "assd", "masd", "nsd")


def volume_name(ref: SliceRef) -> str:
    """The volume a slice belongs to: its source, plus series/phase/channel/time point/axis when not the
    default."""
    parts = [f"{k}={v}" for k, v in ref.volume_parts()]
    parts += [f"axis={ref.axis}"] if ref.axis != "z" else []
    return ref.source + ("#" + "&".join(parts) if parts else "")


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
    masks: dict[str, tuple[Placed, Placed]]
    offset: tuple[float, float] | None = None


class VolumeCollector:
    """Gathers the scored slices of each volume while ``run_qa`` goes, then scores the volumes."""

    def __init__(self, categories: list[str]) -> None:
        self.categories = categories
        self.volumes: dict[str, list[_Slice]] = {}

    def add(self, score: ImageScore) -> None:
        """Keep a scored image pair's per-class masks when it is a slice."""
        from pixelproof.core.qa_objects import pair_spacing

        pair = score.pair
        ref = parse_slice_ref(pair.cand.file_name) or parse_slice_ref(pair.ref.file_name)
        if ref is None or ref.axis == "t":  # the frames of a time series are no volume in space
            return
        # the reference's geometry first, as its pixel spacing (``pair_spacing``): it is the ground truth
        position = pair.ref.extra.get("slice_position", pair.cand.extra.get("slice_position"))
        position = float(position) if isinstance(position, int | float) and math.isfinite(position) else None
        spacing = pair_spacing(pair)
        item = _Slice(ref.index, pair.shape, spacing, position, score.masks, _offset(pair))
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
            spacing, positions = _geometry(name, items, problems)
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
                    nsd_tau=options.tau(cat),
                    distances=options.boundary_metrics,
                )
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
        return rows


def _offset(pair: object) -> tuple[float, float] | None:
    """The slice's ``slice_offset`` (row, col mm; a sheared stack's slices only), the reference's first."""
    for record in (pair.ref, pair.cand):  # type: ignore[attr-defined]
        value = record.extra.get("slice_offset")
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and math.isfinite(v) for v in value)
        ):
            return (float(value[0]), float(value[1]))
    return None


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
        problems.append(f"{name}: {gaps} slice(s) between the first and last are not paired; skipped in 3D")
    spacings = {s.spacing for s in items}
    positions = np.array([s.position if s.position is not None else math.nan for s in items])
    spacing = next(iter(spacings)) if len(spacings) == 1 else None
    if spacing is not None and metrics_3d.monotonic(positions):
        return spacing, positions
    if spacing is not None or any(s.spacing for s in items):
        why = "slice positions missing or not monotonic" if spacing is not None else "pixel spacing differs"
        problems.append(f"{name}: {why}; 3D distances in voxel units")
    return None, indexes
