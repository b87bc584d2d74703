"""The fills next to an edited key follow it (core.track_refill): after a key of a track is moved, deleted or
added, the edit that recomputes the untouched fills of the runs around it, and only those runs; a fill the
user changed is a key and stays; a run nobody filled stays empty; no Qt."""

from __future__ import annotations

import pytest

from pixelproof.core.edits import Changes, Edit, RemoveAnnotations, ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.model import Project
from pixelproof.core.track_fill import BETWEEN, fill_between_frames, untouched_fill
from pixelproof.core.track_refill import refill_after
from tests.core.test_track_fill import add, on, video


def filled(keys: dict[int, list[float]], frames: int = 9) -> Project:
    """Frames 0..frames-1 with track 3's keys ``keys`` (frame -> box), filled between them."""
    p = video(list(range(frames)))
    for frame, box in keys.items():
        add(p, frame, box)
    done = fill_between_frames(p, 1, 3)
    assert done.edit is not None
    done.edit.apply(p)
    return p


def box_on(p: Project, frame: int) -> list[float]:
    (ann,) = [a for a in on(p, frame) if a.extra.get("track_id") == 3]
    return ann.bbox


def key_on(p: Project, frame: int) -> int:
    (ann,) = [a for a in on(p, frame) if not untouched_fill(a)]
    return ann.id


def moved(p: Project, ann_id: int, box: list[float]) -> tuple[Edit, Changes]:
    edited = clone(p.annotations[ann_id])
    edited.bbox = box
    edit = ReplaceAnnotations([edited])
    return edit, edit.apply(p)


def test_a_moved_key_refills_the_runs_on_both_sides_and_one_revert_takes_the_refill_back() -> None:
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    before = {f: list(box_on(p, f)) for f in range(9)}
    edit, changes = moved(p, key_on(p, 4), [40.0, 40.0, 10.0, 10.0])
    refill = refill_after(p, edit, changes)
    assert refill.edit is not None and refill.filled == 6 and refill.tracks == (3,)
    refill.edit.apply(p)
    assert box_on(p, 2) == pytest.approx([20.0, 20.0, 10.0, 10.0])  # halfway to the moved key
    assert box_on(p, 6) == pytest.approx([60.0, 20.0, 10.0, 10.0])
    assert all(untouched_fill(a) for f in (1, 2, 3, 5, 6, 7) for a in on(p, f))
    refill.edit.revert(p)
    assert {f: box_on(p, f) for f in (1, 2, 3, 5, 6, 7)} == {f: before[f] for f in (1, 2, 3, 5, 6, 7)}


def test_a_changed_fill_stays_and_only_the_two_runs_around_the_key_are_read() -> None:
    keys = {0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]}
    p = filled({**keys, 12: [80.0, 40.0, 10.0, 10.0]}, frames=13)
    changed = clone(on(p, 6)[0])
    changed.bbox = [70.0, 70.0, 5.0, 5.0]  # the user's now: a key
    ReplaceAnnotations([changed]).apply(p)
    far = [a.id for a in on(p, 10)]  # beyond the next key: not in the runs around the key at 4
    edit, changes = moved(p, key_on(p, 4), [40.0, 40.0, 10.0, 10.0])
    refill = refill_after(p, edit, changes)
    assert refill.edit is not None
    refill.edit.apply(p)
    assert box_on(p, 6) == [70.0, 70.0, 5.0, 5.0]  # kept
    assert box_on(p, 5) == pytest.approx([55.0, 55.0, 7.5, 7.5])  # between the keys at 4 and 6 now
    assert on(p, 5)[0].app_extra[BETWEEN] == [4, 6]
    assert [a.id for a in on(p, 10)] == far


def test_a_deleted_key_refills_the_run_between_its_neighbours_and_its_own_frame() -> None:
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 40.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    edit = RemoveAnnotations([key_on(p, 4)])
    refill = refill_after(p, edit, edit.apply(p))
    assert refill.edit is not None
    refill.edit.apply(p)
    assert box_on(p, 4) == pytest.approx([40.0, 0.0, 10.0, 10.0])  # on the line from frame 0 to 8
    assert on(p, 4)[0].app_extra[BETWEEN] == [0, 8] and untouched_fill(on(p, 4)[0])


def test_a_deleted_fill_is_not_put_back_and_a_run_nobody_filled_stays_empty() -> None:
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0]})
    add(p, 8, [80.0, 0.0, 10.0, 10.0])  # a key after the filled run: 5..7 never filled
    edit = RemoveAnnotations([on(p, 2)[0].id])
    assert refill_after(p, edit, edit.apply(p)).edit is None
    edit, changes = moved(p, key_on(p, 4), [40.0, 40.0, 10.0, 10.0])
    refill = refill_after(p, edit, changes)
    assert refill.edit is not None
    refill.edit.apply(p)
    assert on(p, 6) == [] and on(p, 2) == []  # neither filled (the user took frame 2's away)
    assert box_on(p, 3) == pytest.approx([30.0, 30.0, 10.0, 10.0])


def test_a_move_of_an_object_on_no_track_or_a_key_with_no_fill_next_to_it_refills_nothing() -> None:
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0]})
    add(p, 8, [80.0, 0.0, 10.0, 10.0])
    lone = add(p, 2, [5.0, 5.0, 5.0, 5.0], track=None)  # type: ignore[arg-type]
    p.annotations[lone].extra = {}
    assert refill_after(p, *moved(p, lone, [6.0, 6.0, 5.0, 5.0])).edit is None
    assert refill_after(p, *moved(p, key_on(p, 8), [70.0, 0.0, 10.0, 10.0])).edit is None


def test_a_key_added_in_a_filled_run_splits_it() -> None:
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    fill = on(p, 4)[0]
    key = clone(fill)
    key.bbox = [40.0, 40.0, 10.0, 10.0]  # the fill dragged: a key now
    edit = ReplaceAnnotations([key])
    refill = refill_after(p, edit, edit.apply(p))
    assert refill.edit is not None and refill.filled == 6
    refill.edit.apply(p)
    assert box_on(p, 2) == pytest.approx([20.0, 20.0, 10.0, 10.0])
    assert on(p, 2)[0].app_extra[BETWEEN] == [0, 4] and on(p, 6)[0].app_extra[BETWEEN] == [4, 8]


def test_fills_a_refill_cannot_redo_are_said_not_left_stale_in_silence() -> None:
    """A hand-edited project with a second object of the track on a key frame: the fills between it and the
    moved key cannot be worked out (which object is the key?), so they stay; the refill says so, naming the
    track and why, instead of leaving them looking refilled. A run it can redo is still redone."""
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    add(p, 0, [5.0, 5.0, 10.0, 10.0])  # track 3 twice on frame 0
    before = {f: list(box_on(p, f)) for f in (1, 2, 3)}
    edit, changes = moved(p, key_on(p, 4), [40.0, 40.0, 10.0, 10.0])
    refill = refill_after(p, edit, changes)
    assert refill.refused == (
        "track 3: 3 filled frames next to the key not filled again "
        "(several objects of the track on a key frame)"
    )
    assert refill.edit is not None and refill.filled == 3  # the run 4..8 follows the key
    refill.edit.apply(p)
    assert {f: box_on(p, f) for f in (1, 2, 3)} == before
    assert box_on(p, 6) == pytest.approx([60.0, 20.0, 10.0, 10.0])
    # nothing stale: nothing said
    q = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0]})
    edit, changes = moved(q, key_on(q, 4), [40.0, 40.0, 10.0, 10.0])
    assert refill_after(q, edit, changes).refused == ""
