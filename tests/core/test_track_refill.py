"""The fills next to an edited key follow it (core.track_refill): after a key of a track is moved, deleted,
added, put on another track or given another class, the edit that recomputes the untouched fills of the runs
around it, and only those runs; a fill the user changed is a key and stays; a run nobody filled stays empty;
no Qt."""

from __future__ import annotations

import pytest

from pixelproof.core.edits import Changes, Edit, RemoveAnnotations, ReplaceAnnotations, SetCategory
from pixelproof.core.geometry import clone
from pixelproof.core.model import Category, Project
from pixelproof.core.track_fill import BETWEEN, fill_between_frames, untouched_fill
from pixelproof.core.track_refill import beyond_text, refill_after
from pixelproof.core.tracks import new_tracks, set_track
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


def test_a_key_moved_to_another_track_refills_the_old_tracks_fills_between_the_keys_left() -> None:
    """Properties > Track (or New Track) on the key at 4: track 3 lost it, as if deleted - its fills 1-3 and
    5-7, interpolated from it, are filled again between the keys at 0 and 8, frame 4 too; the key keeps its
    box on track 7. One revert takes it back. A key with no fill of its old track next to it makes none."""
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 40.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    before = {f: list(box_on(p, f)) for f in range(9)}
    key = key_on(p, 4)
    edit = set_track(p, [key], 7)
    assert edit is not None
    refill = refill_after(p, edit, edit.apply(p))
    assert refill.edit is not None and refill.filled == 7 and refill.tracks == (3,)
    refill.edit.apply(p)
    for f in range(1, 8):
        assert box_on(p, f) == pytest.approx([10.0 * f, 0.0, 10.0, 10.0])  # on the line from 0 to 8
        assert on(p, f)[-1 if f == 4 else 0].app_extra[BETWEEN] == [0, 8]
    assert p.annotations[key].extra == {"track_id": 7} and p.annotations[key].bbox == [40.0, 40.0, 10.0, 10.0]
    refill.edit.revert(p)
    assert {f: box_on(p, f) for f in (1, 2, 3, 5, 6, 7)} == {f: before[f] for f in (1, 2, 3, 5, 6, 7)}
    # New Track on a key nobody filled next to: nothing of track 3 is made on its frame
    q = video(list(range(9)))
    for f in (0, 4, 8):
        add(q, f, [10.0 * f, 0.0, 10.0, 10.0])
    edit = new_tracks(q, [key_on(q, 4)])
    assert edit is not None and refill_after(q, edit, edit.apply(q)).edit is None
    assert len(on(q, 4)) == 1


def test_a_moved_fill_or_a_key_moved_back_and_forth_does_not_refill_the_old_track_twice() -> None:
    """A fill nobody changed taken to another track is not a key that left (no refill of track 3 for it);
    the key's old track is read only when the track changed (a box moved on its own track refills as ever)."""
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 40.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    fill = on(p, 2)[0].id
    edit = set_track(p, [fill], 7)
    assert edit is not None and refill_after(p, edit, edit.apply(p)).edit is None
    edit, changes = moved(p, key_on(p, 4), [40.0, 20.0, 10.0, 10.0])
    refill = refill_after(p, edit, changes)
    assert refill.edit is not None and refill.filled == 5  # 1, 3 and 5-7: frame 4 is the key's own
    assert refill.edit.label == "Fill again 5 frames of track 3 next to the key"


def test_a_key_given_another_class_takes_its_fills_along_where_both_keys_share_it() -> None:
    """The class of the key at 4 changed (1-9, Properties > Class): the run to the key at 8, of that class
    too, is filled again in it; the run to the key at 0, of the old class, is left and said, saying how to
    have it follow. Giving the key at 0 the class then refills that run too."""
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    p.add_category(Category(2, "truck"))
    p.annotations[key_on(p, 8)].category_id = 2
    edit = SetCategory([key_on(p, 4)], 2)
    refill = refill_after(p, edit, edit.apply(p))
    assert refill.refused == (
        "track 3: 3 filled frames next to the key not filled again "
        "(keys of two classes: give the keys around it that class too and they follow)"
    )
    assert refill.edit is not None and refill.filled == 3
    refill.edit.apply(p)
    assert [on(p, f)[0].category_id for f in range(1, 8) if f != 4] == [1, 1, 1, 2, 2, 2]
    assert all(untouched_fill(on(p, f)[0]) for f in (1, 2, 3, 5, 6, 7))
    edit = SetCategory([key_on(p, 0)], 2)
    refill = refill_after(p, edit, edit.apply(p))
    assert refill.edit is not None and refill.filled == 3 and refill.refused == ""
    refill.edit.apply(p)
    assert all(a.category_id == 2 for f in range(9) for a in on(p, f))


def test_a_deleted_first_or_last_key_takes_the_fills_past_the_new_end_along_but_a_changed_one_stays() -> None:
    """A CVAT track runs from its first key to its last: the key at 8 deleted, the fills 5-7 (interpolated
    toward it, which Shift+T cannot redo) are removed, but for frame 6, dragged by the user (a key: it
    stays, and the track now ends there - fill 7 beyond it goes). One revert brings them back. The key at
    0 deleted: the fills 1-3 before the new first key go."""
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    changed = clone(on(p, 6)[0])
    changed.bbox = [60.0, 30.0, 10.0, 10.0]
    ReplaceAnnotations([changed]).apply(p)
    fill_5 = on(p, 5)[0].id
    edit = RemoveAnnotations([key_on(p, 8)])
    refill = refill_after(p, edit, edit.apply(p))
    assert refill.edit is not None and refill.filled == 0 and refill.tracks == ()
    assert [(b.track, b.end, b.frames) for b in refill.beyond] == [(3, "last", 1)]
    assert beyond_text(refill.beyond) == "1 filled frame of track 3 beyond its new last key removed"
    refill.edit.apply(p)
    assert on(p, 7) == [] and on(p, 8) == [] and box_on(p, 6) == [60.0, 30.0, 10.0, 10.0]
    assert on(p, 5)[0].id == fill_5  # between the keys at 4 and 6: no end of the track
    refill.edit.revert(p)
    assert untouched_fill(on(p, 7)[0])
    q = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    edit = RemoveAnnotations([key_on(q, 0)])
    refill = refill_after(q, edit, edit.apply(q))
    assert refill.edit is not None and beyond_text(refill.beyond) == (
        "3 filled frames of track 3 beyond its new first key removed"
    )
    refill.edit.apply(q)
    assert [f for f in range(9) if on(q, f)] == [4, 5, 6, 7, 8]


def test_a_last_key_moved_to_another_track_or_the_only_two_deleted_leave_no_fill_of_the_old_track() -> None:
    """Properties > Track on the last key counts as its deletion for track 3: the fills 5-7 go, the key
    stays on track 7. Both keys of a track deleted in one edit: none of its fills is left."""
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0], 8: [80.0, 0.0, 10.0, 10.0]})
    key = key_on(p, 8)
    edit = set_track(p, [key], 7)
    assert edit is not None
    refill = refill_after(p, edit, edit.apply(p))
    assert refill.edit is not None and [(b.end, b.frames) for b in refill.beyond] == [("last", 3)]
    refill.edit.apply(p)
    assert [f for f in range(9) if on(p, f)] == [0, 1, 2, 3, 4, 8] and on(p, 8)[0].id == key
    q = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0]})
    edit = RemoveAnnotations([key_on(q, 0), key_on(q, 4)])
    refill = refill_after(q, edit, edit.apply(q))
    assert refill.edit is not None
    assert beyond_text(refill.beyond) == "3 filled frames of track 3 removed (no key of it left)"
    refill.edit.apply(q)
    assert not q.annotations


def test_a_fill_made_again_keeps_its_place_in_the_stacking_and_so_its_cvat_z_order() -> None:
    """A fill made again stands where the one it replaces stood among its frame's objects (back to front),
    not on top: after a CVAT import, Split Track Here on a filled box moved the later fills of the track
    over a car drawn above them (CVAT's ``z_order`` 0 written as 3 in the export). Undo and redo exact."""
    p = filled({0: [0.0, 0.0, 10.0, 10.0], 4: [40.0, 0.0, 10.0, 10.0]}, frames=5)
    above = add(p, 2, [5.0, 5.0, 10.0, 10.0], track=7)  # drawn over track 3's fill on frame 2
    before = [a.id for a in on(p, 2)]
    edit, changes = moved(p, key_on(p, 4), [40.0, 40.0, 10.0, 10.0])
    refill = refill_after(p, edit, changes)
    assert refill.edit is not None
    refill.edit.apply(p)
    (fill,) = [a.id for a in on(p, 2) if a.extra.get("track_id") == 3]
    assert fill not in before and [a.id for a in on(p, 2)] == [fill, above]  # under the car, as it was
    assert box_on(p, 2) == pytest.approx([20.0, 20.0, 10.0, 10.0])
    refill.edit.revert(p)
    assert [a.id for a in on(p, 2)] == before
    refill.edit.apply(p)
    assert [a.id for a in on(p, 2)] == [fill, above]
