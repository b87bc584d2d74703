"""Merge Tracks and Split Track Here (core.track_edit), without Qt: CVAT's Merge and Split for a video's
tracks, one edit each that one revert takes back; two keys of the merged tracks on one frame refuse the merge
naming the images, a fill meeting a key gives way, two classes are refused; a split gives the later frames a
new unused id, its first and the old track's last frame keys."""

from __future__ import annotations

import pytest

from pixelproof.core.clipboard import track_of
from pixelproof.core.model import Project
from pixelproof.core.track_edit import TrackEditRefused, merge_tracks, split_track
from pixelproof.core.track_fill import fill_between_frames, untouched_fill
from pixelproof.core.track_refill import refill_after
from tests.core.test_track_fill import add, on, video


def filled(p: Project, track: int) -> None:
    """Fill Between Frames for ``track``, applied."""
    first = next(a for a in p.annotations.values() if track_of(a) == track)
    done = fill_between_frames(p, first.image_id, track)
    assert done.edit is not None
    done.edit.apply(p)


def tracks_by_frame(p: Project, frames: list[int]) -> list[list[object]]:
    return [sorted((track_of(a) for a in on(p, f)), key=str) for f in frames]


def test_merge_puts_the_others_objects_on_the_first_track_and_one_revert_takes_it_back() -> None:
    p = video(list(range(8)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track=3)
    add(p, 2, [4.0, 0.0, 10.0, 10.0], track=3)
    add(p, 5, [10.0, 0.0, 10.0, 10.0], track=8)
    add(p, 7, [14.0, 0.0, 10.0, 10.0], track=8)
    filled(p, 3)
    filled(p, 8)
    before = tracks_by_frame(p, list(range(8)))
    done = merge_tracks(p, [3, 8])
    assert done.tracks == (3,) and done.moved == 3 and done.fills == 0  # frames 5, 6 (a fill), 7
    assert done.edit.label == "Merge Tracks (8 into 3)"
    changes = done.edit.apply(p)
    assert tracks_by_frame(p, list(range(8))) == [[3], [3], [3], [], [], [3], [3], [3]]
    assert untouched_fill(on(p, 6)[0])  # still a fill: the next Fill Between Frames recomputes it
    assert refill_after(p, done.edit, changes).edit is None  # nothing of either track is out of date
    done.edit.revert(p)
    assert tracks_by_frame(p, list(range(8))) == before


def test_two_keys_of_the_merged_tracks_on_a_frame_refuse_naming_the_frames() -> None:
    p = video(list(range(6)))
    for f in range(5):
        add(p, f, [float(f), 0.0, 10.0, 10.0], track=1)
        add(p, f, [40.0, 0.0, 10.0, 10.0], track=2)
    with pytest.raises(TrackEditRefused) as e:
        merge_tracks(p, [1, 2])
    said = str(e.value)
    assert said.startswith("tracks 1 and 2 each have a key on clip/frame_000000.png, clip/frame_000001.png")
    assert "and 2 more images" in said
    assert all(track_of(a) in (1, 2) for a in p.annotations.values())  # nothing changed


def test_a_fill_meeting_a_key_gives_way_and_the_refill_follows_the_new_key() -> None:
    p = video(list(range(5)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track=1)
    add(p, 4, [40.0, 0.0, 10.0, 10.0], track=1)
    filled(p, 1)  # frames 1-3
    key = add(p, 2, [30.0, 30.0, 10.0, 10.0], track=2)  # another track's key where track 1 has a fill
    fill_2 = on(p, 2)[0].id
    done = merge_tracks(p, [1, 2])
    assert done.moved == 1 and done.fills == 1
    changes = done.edit.apply(p)
    assert [a.id for a in on(p, 2)] == [key] and fill_2 not in p.annotations
    again = refill_after(p, done.edit, changes)  # frames 1 and 3 now between keys 0-2 and 2-4
    assert again.edit is not None and again.filled == 2
    again.edit.apply(p)
    assert on(p, 1)[0].bbox == pytest.approx([15.0, 15.0, 10.0, 10.0])
    again.edit.revert(p)
    done.edit.revert(p)
    assert fill_2 in p.annotations and track_of(p.annotations[key]) == 2


def test_tracks_of_other_classes_and_a_lone_track_are_refused() -> None:
    p = video([0, 1])
    p.add_category(type(p.categories[1])(2, "truck"))
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track=1)
    other = add(p, 1, [0.0, 0.0, 10.0, 10.0], track=2)
    p.annotations[other].category_id = 2
    with pytest.raises(TrackEditRefused, match=r"tracks 1 and 2 are of other classes \(car, truck\)"):
        merge_tracks(p, [1, 2])
    with pytest.raises(TrackEditRefused, match="only track 1 is picked"):
        merge_tracks(p, [1, 1])


def test_split_gives_the_later_frames_a_new_track_with_keys_at_the_cut() -> None:
    p = video(list(range(7)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track=3)
    add(p, 6, [60.0, 0.0, 10.0, 10.0], track=3)
    add(p, 3, [5.0, 5.0, 5.0, 5.0], track=9)  # another track: the new id comes after it
    filled(p, 3)
    at = next(a for a in on(p, 3) if track_of(a) == 3)
    assert untouched_fill(at)
    done = split_track(p, [at.id])
    assert done.tracks == (10,) and done.moved == 4 and done.fills == 2  # frames 3-6; 2 and 3 made keys
    assert done.edit.label == "Split Track Here (new track 10)"
    changes = done.edit.apply(p)
    mine = [[track_of(a) for a in on(p, f) if track_of(a) != 9] for f in range(7)]
    assert mine == [[3], [3], [3], [10], [10], [10], [10]]
    assert not untouched_fill(on(p, 2)[0]) and on(p, 2)[0].source == "manual"  # the old track's last key
    assert untouched_fill(on(p, 1)[0]) and untouched_fill(on(p, 4)[0])
    again = refill_after(p, done.edit, changes)  # the fills follow their new keys, in place
    assert again.edit is not None
    again.edit.apply(p)
    assert on(p, 1)[0].bbox == pytest.approx([10.0, 0.0, 10.0, 10.0]) and untouched_fill(on(p, 4)[0])
    again.edit.revert(p)
    done.edit.revert(p)
    assert all(track_of(a) == 3 for f in range(7) for a in on(p, f) if track_of(a) != 9)
    assert untouched_fill(on(p, 2)[0])


def test_split_at_a_tracks_first_frame_or_of_no_track_is_refused() -> None:
    p = video([0, 1, 2])
    first = add(p, 0, [0.0, 0.0, 10.0, 10.0], track=3)
    add(p, 2, [0.0, 0.0, 10.0, 10.0], track=3)
    with pytest.raises(TrackEditRefused, match="track 3 has no object before frame 0: nothing to split off"):
        split_track(p, [first])
    lone = max(p.annotations) + 1
    p.add_annotation(type(p.annotations[first])(lone, 2, 1, [1.0, 1.0, 5.0, 5.0]))
    with pytest.raises(TrackEditRefused, match=f"object #{lone} is on no track"):
        split_track(p, [lone])


def test_split_and_merge_take_the_tracks_leaves_view_marks_along() -> None:
    """Where a track left the view (Alt+O, or CVAT's outside keyframe read) goes with its frames: a split
    gives the new track the marks from its frame on, a merge gives the kept track the other's marks. They
    stayed on the old track: Shift+T then filled the new track's out-of-view frames 10..19 (and the CVAT
    export wrote the old track's outside on frame 10, past its end); one revert puts them back."""
    from pixelproof.core.track_edit import leave_view
    from pixelproof.core.track_outside import outside_frames

    p = video(list(range(21)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    add(p, 20, [40.0, 0.0, 10.0, 10.0])
    filled(p, 3)
    leave_view(p, 11, 3).edit.apply(p)  # frame 10 (image 11): out of view up to the key on frame 20
    (fill,) = [a.id for a in on(p, 5) if track_of(a) == 3]
    split = split_track(p, [fill])
    split.edit.apply(p)
    (new,) = split.tracks
    assert outside_frames(p, 3) == set() and outside_frames(p, new) == {10}
    split.edit.revert(p)
    assert outside_frames(p, 3) == {10} and outside_frames(p, new) == set()
    split.edit.apply(p)
    filled(p, new)  # Shift+T on the new track stops at the mark
    assert [f for f in range(21) if any(track_of(a) == new for a in on(p, f))] == [5, 6, 7, 8, 9, 20]
    merged = merge_tracks(p, [3, new])
    merged.edit.apply(p)
    assert outside_frames(p, 3) == {10} and outside_frames(p, new) == set()
    merged.edit.revert(p)
    assert outside_frames(p, 3) == set() and outside_frames(p, new) == {10}
