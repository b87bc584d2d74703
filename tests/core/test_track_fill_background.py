"""What a background Fill Between Frames needs of core.track_fill (no Qt): ``fill_plan``'s progress, called
often enough for Cancel (raised from it) to stop it promptly, its fraction only growing to the end; a plan
made on a snapshot given ids and made the one edit on the project (``planned_fill``), as the menu item's
own fill; ``track_extent``, which the window reads to choose the background."""

from __future__ import annotations

import pytest

from pixelproof.core import track_fill
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.track_fill import (
    PROGRESS_EVERY,
    fill_between_frames,
    fill_plan,
    planned_fill,
    sequence_frames,
    track_extent,
)
from tests.core.test_track_fill import add, video


class Stop(Exception):
    pass


def test_progress_grows_to_the_end_and_stopping_it_stops_the_plan() -> None:
    n = 3 * PROGRESS_EVERY + 7
    p = video([f for f in range(n + 1) if f != 98])  # video() adds image 99 (another folder's) itself
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    add(p, n, [50.0, 40.0, 10.0, 10.0])
    frames = sequence_frames(p, 1)
    seen: list[tuple[int, int]] = []
    plan = fill_plan(p, frames, 3, range(len(frames)), progress=lambda d, t: seen.append((d, t)))
    assert len(plan.made) == n - 2
    fractions = [d / t for d, t in seen]
    assert fractions == sorted(fractions) and seen[-1][0] == seen[-1][1]  # only growing, to the end
    assert len(seen) >= 6  # the scan and the filling each report every PROGRESS_EVERY frames

    calls = []

    def cancel_at_second(_d: int, _t: int) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise Stop

    with pytest.raises(Stop):
        fill_plan(p, frames, 3, range(len(frames)), progress=cancel_at_second)
    assert not [a for a in p.annotations.values() if a.source == track_fill.SOURCE]  # nothing made


def test_a_plan_of_a_snapshot_becomes_the_fill_of_the_project() -> None:
    p = video(list(range(6)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    add(p, 5, [50.0, 40.0, 10.0, 10.0])
    frames = sequence_frames(p, 1)
    plan = fill_plan(p.snapshot(), frames, 3, range(len(frames)))
    made = planned_fill(p, plan, 3)
    same = fill_between_frames(p.snapshot(), 1, 3)  # the menu item's own fill, of a copy
    assert isinstance(made.edit, AddAnnotations) and isinstance(same.edit, AddAnnotations)
    assert made.filled == 4 == same.filled
    assert made.edit.label == same.edit.label == "Fill Between Frames (4 frames of track 3)"
    assert [a.id for a in made.edit.annotations] == [3, 4, 5, 6]  # ids of the project's
    assert [a.bbox for a in made.edit.annotations] == [a.bbox for a in same.edit.annotations]
    made.edit.apply(p)
    assert len(p.annotations) == 6


def test_track_extent_counts_the_frames_from_the_tracks_first_object_to_its_last() -> None:
    p = video(list(range(10)))
    assert track_extent(p, sequence_frames(p, 1), 3) == 0
    add(p, 4, [0.0, 0.0, 10.0, 10.0])
    assert track_extent(p, sequence_frames(p, 1), 3) == 1
    add(p, 2, [0.0, 0.0, 10.0, 10.0])
    add(p, 7, [0.0, 0.0, 10.0, 10.0])
    add(p, 9, [0.0, 0.0, 10.0, 10.0], track=4)
    assert track_extent(p, sequence_frames(p, 1), 3) == 6  # frames 2..7
