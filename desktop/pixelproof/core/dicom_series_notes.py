"""What the user is told about a folder's DICOM series when a project is made over it: which ``series=K``
or ``phase=J`` is which, files at one position, files of the series left out of it (another size,
orientation or pixel spacing) and slices unevenly spaced (a gap, a file lost). Split out of
``core.dicom_series``, which groups the files; these only word what it found."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pixelproof.core.wording import plural

if TYPE_CHECKING:
    from pixelproof.core.dicom_series import FolderScan, Series

NOTED_PHASES = 10  # phases a note lists by name


class SeriesNote(str):
    """A note that says how a folder's series are listed (which ``series=K`` or ``phase=J`` is which), sent
    through the same ``skip`` callback as skipped files but skipping none: the app does not count it as a
    file skipped."""


def series_notes(folder: Path, scan: FolderScan) -> dict[int, str]:
    """{K (1-based place of a series in ``scan``): what the user is told}: for a series split into
    phases, which volume is which; for one not stacked, which files share a position; and under 0, for a
    folder of several series, which ``series=K`` is which."""
    several = len(scan.series) > 1
    notes: dict[int, str] = {0: SeriesNote(_several_series_note(folder, scan))} if several else {}
    for k, group in enumerate(scan.series, start=1):
        if group.conflict:
            notes[k] = group.conflict
        elif group.order_note:
            notes[k] = SeriesNote(
                f"{folder}: the DICOM series (SeriesNumber {group.number}) {group.order_note}"
            )
        elif group.phases:
            prefix = f"{folder.name}#series={k}&" if several else f"{folder.name}#"
            listed = "; ".join(
                f"{prefix}phase={j}&z=...: {p.label} ({len(p.files)} files)"
                for j, p in enumerate(group.phases[:NOTED_PHASES], 1)
            )
            if len(group.phases) > NOTED_PHASES:  # 2,000 phases made a note of 100 KB
                listed += f"; and {len(group.phases) - NOTED_PHASES:,} more"
            notes[k] = SeriesNote(
                f"{folder}: the DICOM series (SeriesNumber {group.number}) holds {len(group.phases)} "
                f"volumes at the same positions, told apart by {group.split_by}; listed one volume each: "
                f"{listed}"
            )
        where = f"{folder}: the DICOM series (SeriesNumber {group.number})"
        if group.apart:  # before a gap they leave, which they explain
            notes[k] = SeriesNote(f"{notes[k]}; {group.apart}" if k in notes else f"{where} {group.apart}")
        if not group.conflict:
            notes_of = (_spacing_note(s, group.apart_at) for s in group.phases or [group])
            uneven = next(filter(None, notes_of), "")
            if uneven:
                sep = "; it " if group.apart and uneven.startswith("is ") else "; "
                notes[k] = SeriesNote(f"{notes[k]}{sep}{uneven}" if k in notes else f"{where} {uneven}")
    return notes


SPACING_TOLERANCE = 0.01  # of the usual step (and at least 0.01 mm): slices this far off it are uneven


def _spacing_note(series: Series, apart_at: Sequence[tuple[float, str]] = ()) -> str:
    """What says a series' slices are not evenly spaced (a file lost from the series, a re-export that
    left a gap, slices of two spacings), naming the two files of the step farthest from the usual (median)
    one, as 3D Slicer warns of it on loading; "" when they are even, or when files have no position.
    ``apart_at``: (position, name) of the series' files left out of it (``apart_positions``): a gap where
    one lies is said to be theirs, not "1 slice missing?" (the note before says why they were left out)."""
    if len(series.positions) < 3 or any(p is None for p in series.positions):
        return ""
    steps = np.diff(np.asarray(series.positions, float))
    usual = float(np.median(steps))
    off = np.abs(steps - usual)
    tolerance = max(0.01, SPACING_TOLERANCE * usual)
    if not usual > 0 or not off.max() > tolerance:
        return ""
    i = int(np.argmax(off))
    lo, hi = series.positions[i], series.positions[i + 1]
    assert lo is not None and hi is not None
    inside = sorted(name for at, name in apart_at if lo + tolerance < at < hi - tolerance)
    missing = round(steps[i] / usual) - 1
    gap = missing >= 1 and steps[i] > 1.5 * usual
    more = int((off > tolerance).sum()) - 1
    others = f", and {plural(more, 'other step')} off it" if more else ""
    if gap and inside:
        listed = ", ".join(inside[:3]) + (f" and {len(inside) - 3:,} more" if len(inside) > 3 else "")
        guess = f", where {listed} {'lies' if len(inside) == 1 else 'lie'}, left out of the series"
    else:
        guess = f" ({plural(missing, 'slice')} missing?)" if gap else ""
    check = "" if gap and inside and not more else "; check that no file was lost"
    phase = f"{series.label}: " if series.label else ""
    return (
        f"{phase}is unevenly spaced: its slices lie {usual:g} mm apart, but {steps[i]:g} mm between "
        f"{series.files[i].name} and {series.files[i + 1].name}{guess}{others}; each slice is placed at its "
        f"own position (the 3D QA and the status bar's mm){check}"
    )


def _several_series_note(folder: Path, scan: FolderScan) -> str:
    """Which ``series=K`` is which: K is the series' place in the folder (by SeriesNumber, then UID), not
    its SeriesNumber, and two series of a study often share one (an arterial and a venous phase exported
    as series of their own, no SeriesDescription): their SeriesNumber, files and span say which is which."""

    def span(group: Series) -> str:
        known = [p for p in group.positions if p is not None]
        return f", {min(known):g} to {max(known):g} mm" if len(known) == len(group.positions) else ""

    listed = "; ".join(
        f"{folder.name}#series={k}: "
        + (f"SeriesNumber {group.number}" if group.number else "no SeriesNumber")
        + f" ({len(group.files)} files from {group.files[0].name}{span(group)})"
        + (f", {len(group.phases)} phases" if group.phases else ", not stacked" if group.conflict else "")
        for k, group in enumerate(scan.series[:NOTED_PHASES], start=1)
    )
    if len(scan.series) > NOTED_PHASES:
        listed += f"; and {len(scan.series) - NOTED_PHASES:,} more"
    return f"{folder}: {len(scan.series)} DICOM series, one volume each: {listed}"


def apart_note(key: tuple, groups: dict[tuple, list[tuple[Path, Any]]]) -> str:
    """What says which files of the series ``key`` stands for were left out of it, and why: of the same
    SeriesInstanceUID but of another size, orientation or pixel spacing, so not stacked with it (each a
    volume or image of its own), as a localizer or a reformat saved into the series often is; "" for none."""
    told: list[str] = []
    for other, members in groups.items():
        if other[0] != key[0] or other == key or not key[0]:
            continue
        why = []
        if other[1:3] != key[1:3]:
            why.append(f"Rows x Columns {other[1]} x {other[2]} (the series' {key[1]} x {key[2]})")
        if other[3] != key[3]:
            why.append("another ImageOrientationPatient")
        if other[4] != key[4]:
            why.append(f"PixelSpacing {_mm(other[4])} (the series' {_mm(key[4])})")
        more = f" and {len(members) - 3:,} more" if len(members) > 3 else ""
        names = ", ".join(f.name for f, _ in members[:3]) + more
        told.append(f"{names}: {' and '.join(why)}")
    if not told:
        return ""
    return f"has files not stacked with it, listed on their own: {'; '.join(told)}"


def apart_positions(key: tuple, groups: dict[tuple, list[tuple[Path, Any]]]) -> list[tuple[float, str]]:
    """(mm along the stack of series ``key``, file name) of each file ``apart_note`` names: where in the
    stack the files left out of it lie, which tells a gap they leave from a file lost."""
    from pixelproof.core.dicom import position_along

    like = groups[key][0][1]
    return [
        (at, f.name)
        for other, members in groups.items()
        if other[0] == key[0] and other != key and key[0]
        for f, ds in members
        if (at := position_along(ds, like)) is not None
    ]


def _mm(spacing: tuple[float, ...]) -> str:
    return " x ".join(f"{v:g}" for v in spacing) + " mm" if spacing else "none"
