"""Track Box Here (core.track_fill.track_box_here): a track's object put on a frame as a key - at the linear
interpolation between its neighbouring keys (Fill Between Frames' own), a copy of the nearest key before the
first or after the last -, a fill there made a key in place, one edit that one revert takes back; and
``fills_out_of_date``: whether a key's edit left the filled frames next to it behind."""

from __future__ import annotations

import pytest

from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.track_fill import (
    ALREADY,
    BETWEEN,
    COPIED,
    INTERPOLATED,
    KEYED,
    OTHER_COUNT,
    TrackBoxRefused,
    fill_between_frames,
    fills_out_of_date,
    track_box_here,
    untouched_fill,
)
from tests.core.test_track_fill import add, on, video


def test_a_middle_frame_gets_a_key_at_the_interpolated_place_and_one_revert_takes_it_back() -> None:
    p = video([0, 10, 20, 30, 40])
    add(p, 0, [0.0, 0.0, 10.0, 20.0])  # xyxy 0,0,10,20
    add(p, 30, [30.0, 6.0, 40.0, 20.0])  # xyxy 30,6,70,26
    before = set(p.annotations)
    made = track_box_here(p, 10 + 1, 3)
    assert made.how == INTERPOLATED and made.keys == (0, 30) and made.frame == 10 and made.edit is not None
    assert made.edit.label == "Track Box Here (track 3, frame 10)"
    made.edit.apply(p)
    (box,) = on(p, 10)
    assert box.id == made.ann_id and made.edit.focus == [box.id]  # selected once pushed
    assert box.bbox == pytest.approx([10.0, 2.0, 20.0, 20.0])  # what Fill Between Frames puts there
    assert box.extra["track_id"] == 3 and box.source == "manual" and not untouched_fill(box)
    assert BETWEEN not in box.app_extra
    assert fill_between_frames(p, 1, 3).keys == 3  # a key the next fill follows
    made.edit.revert(p)
    assert set(p.annotations) == before and on(p, 10) == []


def test_after_the_last_key_and_before_the_first_a_copy_of_the_nearest_key() -> None:
    p = video([0, 10, 20, 30, 40])
    add(p, 10, [5.0, 5.0, 10.0, 10.0])
    add(p, 30, [60.0, 40.0, 20.0, 20.0], app_extra={"attributes": {"color": "red"}})
    after = track_box_here(p, 40 + 1, 3)
    assert after.how == COPIED and after.keys == (30,) and after.why == ""
    after.edit.apply(p)  # type: ignore[union-attr]
    (copy,) = on(p, 40)
    assert copy.bbox == pytest.approx([60.0, 40.0, 20.0, 20.0]) and copy.source == "manual"
    assert copy.app_extra["attributes"] == {"color": "red"}  # CVAT's attributes go with the copy
    before = track_box_here(p, 0 + 1, 3)
    assert before.how == COPIED and before.keys == (10,)
    before.edit.apply(p)  # type: ignore[union-attr]
    assert on(p, 0)[0].bbox == pytest.approx([5.0, 5.0, 10.0, 10.0])


def test_keys_it_cannot_interpolate_give_a_copy_of_the_nearer_saying_why() -> None:
    p = video([0, 10, 20, 30])
    add(p, 0, [0.0, 0.0, 10.0, 10.0], segmentation=[[0, 0, 10, 0, 10, 10]])  # a triangle
    two = [[0, 0, 10, 0, 10, 10, 0, 10], [20, 0, 30, 0, 30, 10]]  # a square and a triangle: two parts
    add(p, 30, [0.0, 0.0, 30.0, 10.0], segmentation=two)
    made = track_box_here(p, 20 + 1, 3)
    assert made.how == COPIED and made.keys == (30,) and made.why == OTHER_COUNT
    made.edit.apply(p)  # type: ignore[union-attr]
    assert on(p, 20)[0].segmentation == [
        [0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0],
        [20.0, 0.0, 30.0, 0.0, 30.0, 10.0],
    ]


def test_a_triangle_and_a_square_key_give_the_fills_resampled_polygon() -> None:
    """Track Box Here places a polygon of another vertex count where Fill Between Frames would (before, a
    triangle and a square gave a copy of the nearer key)."""
    p = video([0, 10, 20, 30])
    add(p, 0, [0.0, 0.0, 10.0, 10.0], segmentation=[[0, 0, 10, 0, 10, 10]])  # a triangle
    add(p, 30, [0.0, 0.0, 10.0, 10.0], segmentation=[[0, 0, 10, 0, 10, 10, 0, 10]])  # a square
    made = track_box_here(p, 20 + 1, 3)
    assert made.how == INTERPOLATED and made.keys == (0, 30) and made.why == ""
    fill = fill_between_frames(p, 1, 3).edit
    fill.apply(p)  # type: ignore[union-attr]
    (filled,) = on(p, 20)
    fill.revert(p)  # type: ignore[union-attr]
    made.edit.apply(p)  # type: ignore[union-attr]
    (key,) = on(p, 20)
    assert key.segmentation == filled.segmentation and key.source == "manual"
    # CVAT's polyshape_interpolation at offset 2/3 (run on these keys outside this repository)
    assert key.segmentation == [pytest.approx([0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 10 / 3, 10.0])]


def test_a_fill_becomes_a_key_in_place_and_a_key_is_left_as_it_is() -> None:
    p = video([0, 10, 20, 30])
    k0 = add(p, 0, [0.0, 0.0, 10.0, 20.0])
    add(p, 30, [30.0, 6.0, 40.0, 20.0])
    fill_between_frames(p, 1, 3).edit.apply(p)  # type: ignore[union-attr]
    (filled,) = on(p, 20)
    made = track_box_here(p, 20 + 1, 3)
    assert made.how == KEYED and made.ann_id == filled.id and made.keys == (0, 30)
    made.edit.apply(p)  # type: ignore[union-attr]
    (key,) = on(p, 20)
    assert key.id == filled.id and key.bbox == filled.bbox and not untouched_fill(key)
    assert key.source == "manual" and BETWEEN not in key.app_extra
    made.edit.revert(p)  # type: ignore[union-attr]
    assert untouched_fill(on(p, 20)[0])
    there = track_box_here(p, 0 + 1, 3)
    assert there.how == ALREADY and there.edit is None and there.ann_id == k0


def test_refused_without_a_key_in_the_sequence_for_a_mask_key_and_outside_the_frame() -> None:
    p = video([0, 10])
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    with pytest.raises(TrackBoxRefused, match="track 3 has no key frame in folder other"):
        track_box_here(p, 99, 3)  # another folder's frame
    with pytest.raises(TrackBoxRefused, match="no key frame"):
        track_box_here(p, 10 + 1, 8)  # a track with no object at all
    add(p, 0, [0.0, 0.0, 4.0, 4.0], track=5, segmentation={"size": [80, 100], "counts": [0, 4, 8000]})
    with pytest.raises(TrackBoxRefused, match="track 5's key on frame 0 is not copied: masks"):
        track_box_here(p, 10 + 1, 5)
    assert len(p.annotations) == 2


def test_fills_out_of_date_after_a_key_moved_and_not_after_it_moved_back() -> None:
    p = video([0, 10, 20, 30, 40])
    add(p, 0, [0.0, 0.0, 10.0, 20.0])
    k30 = add(p, 30, [30.0, 6.0, 40.0, 20.0])
    fill_between_frames(p, 1, 3).edit.apply(p)  # type: ignore[union-attr]
    assert not fills_out_of_date(p, 30 + 1, 3) and not fills_out_of_date(p, 0 + 1, 3)
    moved = clone(p.annotations[k30])
    moved.bbox = [40.0, 6.0, 40.0, 20.0]
    edit = ReplaceAnnotations([moved], "Move")
    edit.apply(p)
    assert fills_out_of_date(p, 30 + 1, 3)
    edit.revert(p)
    assert not fills_out_of_date(p, 30 + 1, 3)
    keyed = track_box_here(p, 20 + 1, 3)  # a key inside the filled run: frame 10 is now between 0 and 20
    keyed.edit.apply(p)  # type: ignore[union-attr]
    assert fills_out_of_date(p, 20 + 1, 3)
