"""Phases and time points of one series: each acquisition / phase of a dynamic DICOM series
(``dyn#phase=J&z=NNN``) and each time point of a TIFF time series of z-stacks (``live.tif#t=NNN&z=NNN``)
is a volume of its own (``volumes.SliceRef``). A reader compares them at one slice, stepping from phase to
phase as 3D Slicer's sequence browser does; this finds which images make one series, in which order, and
which slice of another phase is the same slice (no Qt, so it is tested without a window).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pixelproof.core.dicom_series import SAME_POSITION_MM
from pixelproof.core.volumes import SliceRef, parse_slice_ref, record_position

if TYPE_CHECKING:
    from pixelproof.core.model import Project


@dataclass(frozen=True, slots=True)
class PhaseSlice:
    """One slice of one phase: its image, its index along the axis, where it lies (mm) when known."""

    image_id: int
    index: int
    position: float | None


@dataclass(frozen=True, slots=True)
class PhaseStep:
    """Where a step between phases leads: ``image_id`` (None: stay where you are) and what to tell the
    reader (empty when a plain step needs no word)."""

    image_id: int | None
    message: str


def series_key(ref: SliceRef) -> tuple[Any, ...]:
    """What the phases of one series share: source, axis, channel and series (all but phase, time point
    and index); a window chosen on one phase is meant for the others too."""
    return (ref.source, ref.axis, ref.channel, ref.series)


def window_key(path: str | os.PathLike[str]) -> tuple[Any, ...] | None:
    """What shares a window set by hand: the slices of one volume and of the other phases of its series
    (a lung window chosen on phase 1 is the one to compare phase 2 in); None for a plain image."""
    ref = parse_slice_ref(path)
    return None if ref is None else series_key(ref)


class KeptWindow:
    """A window set by hand on one slice, kept for the other slices and phases of its series
    (``window_key``) and dropped when an image of another series (or a plain image) is shown."""

    def __init__(self) -> None:
        self._kept: tuple[tuple[Any, ...], tuple[float, float]] | None = None

    def set(self, path: str | os.PathLike[str], window: tuple[float, float]) -> None:
        key = window_key(path)
        self._kept = (key, window) if key is not None else None

    def for_image(self, path: str | os.PathLike[str], window: tuple[float, float]) -> tuple[float, float]:
        """The window to show ``path`` at: the one kept for its series, else ``window`` (its own)."""
        key = window_key(path)
        if self._kept is not None and key is not None and self._kept[0] == key:
            return self._kept[1]
        self._kept = None
        return window


def phase_key(ref: SliceRef) -> tuple[int, int]:
    """The order of a slice's phase within its series: (phase, time point)."""
    return (-1 if ref.phase is None else ref.phase, -1 if ref.time is None else ref.time)


class PhaseIndex:
    """The multi-phase series of a project: for each of their images, its series' phases in order (each
    a list of slices) and which of them it is in. Images of a volume that is the only one of its series
    (a plain CT, a z-stack without T, a time series without Z, whose time points PgDn steps) are not in it.
    """

    def __init__(self, project: Project) -> None:
        groups: dict[tuple, dict[tuple[int, int], list[PhaseSlice]]] = {}
        self._refs: dict[int, SliceRef] = {}
        for image in project.images.values():
            ref = parse_slice_ref(image.file_name)
            if ref is None or (ref.phase is None and ref.time is None):
                continue
            self._refs[image.id] = ref
            phase = groups.setdefault(series_key(ref), {}).setdefault(phase_key(ref), [])
            phase.append(PhaseSlice(image.id, ref.index, record_position(image)))
        self._phases: dict[tuple, list[list[PhaseSlice]]] = {}
        self._at: dict[int, tuple[tuple, int, PhaseSlice]] = {}
        for key, by_phase in groups.items():
            if len(by_phase) < 2:
                continue
            phases = [sorted(by_phase[k], key=lambda s: s.index) for k in sorted(by_phase)]
            self._phases[key] = phases
            for j, slices in enumerate(phases):
                for s in slices:
                    self._at[s.image_id] = (key, j, s)

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._at

    def where(self, image_id: int) -> tuple[int, int, str] | None:
        """(its phase, 1-based; the series' phase count; "phase" or "time point") of an image, or None when
        it is not in a multi-phase series."""
        if image_id not in self._at:
            return None
        key, j, _ = self._at[image_id]
        return j + 1, len(self._phases[key]), self.word(image_id)

    def word(self, image_id: int) -> str:
        """What its series' volumes are called: a DICOM series' phases, a TIFF's time points."""
        ref = self._refs.get(image_id)
        return "time point" if ref is not None and ref.phase is None else "phase"

    def step(self, image_id: int, delta: int) -> PhaseStep | None:
        """The same slice ``delta`` phases on (the nearest phase on that side that holds it, saying which
        were passed), or staying with a note at the first / last phase; None when the image is in no
        multi-phase series."""
        if image_id not in self._at:
            return None
        key, j, here = self._at[image_id]
        phases, word = self._phases[key], self.word(image_id)
        later = "later" if delta > 0 else "earlier"
        if not 0 <= j + delta < len(phases):
            end = "Last" if delta > 0 else "First"
            return PhaseStep(None, f"{end} {word} ({j + 1} of {len(phases)})")
        passed: list[str] = []
        k = j + delta
        while 0 <= k < len(phases):
            found = self._same_slice(here, phases[k])
            if found is not None:
                note = ""
                if passed:
                    which = f"{word.capitalize()}s {', '.join(passed)} have" if len(passed) > 1 else ""
                    which = which or f"{word.capitalize()} {passed[0]} has"
                    note = f"{which} no {self._describe(here)}; showing {word} {k + 1} of {len(phases)}"
                return PhaseStep(found.image_id, note)
            passed.append(str(k + 1))
            k += delta
        return PhaseStep(None, f"No {later} {word} has {self._describe(here, 'a ')}")

    @staticmethod
    def _describe(here: PhaseSlice, article: str = "") -> str:
        """The slice as a reader finds it again: where it lies (after ``article``), else its index."""
        return (
            f"{article}slice at {here.position:.6g} mm"
            if here.position is not None
            else f"slice {here.index}"
        )

    @staticmethod
    def _same_slice(here: PhaseSlice, slices: list[PhaseSlice]) -> PhaseSlice | None:
        """The slice of ``slices`` at ``here``'s position (when both say where they lie: a phase that
        lacks a slice numbers the ones after it one lower), else at its index."""
        at = here.position
        if at is not None and any(s.position is not None for s in slices):
            near = [(abs(s.position - at), s.index, s) for s in slices if s.position is not None]
            best = min(near, key=lambda n: n[:2])
            return best[2] if best[0] <= SAME_POSITION_MM else None
        return next((s for s in slices if s.index == here.index), None)
