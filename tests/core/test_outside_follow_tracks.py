"""Outside marks follow their track through Tracks > Merge Tracks and Split Track Here (core.outside_follow),
without Qt: a split at frame F gives the new track the old one's marks from F on, a merge gives the kept
track the merged-away ones' marks (one mark where both had one), each one undo step with the objects."""

from __future__ import annotations

import copy

from pixelproof.core.model import Project
from pixelproof.core.track_edit import leave_view, merge_tracks, split_track
from pixelproof.core.track_fill import fill_between_frames
from pixelproof.core.track_outside import marked_tracks, outside_frames, outside_marks
from tests.core.test_track_fill import add, video


def _mark(p: Project, frame: int, track: int) -> None:
    """Track ``track`` leaves the view on ``frame`` of clip/ (nothing of it there)."""
    leave_view(p, frame + 1, track).edit.apply(p)


def test_split_gives_the_new_track_the_marks_from_its_frame_on_and_one_undo_takes_it_back() -> None:
    p = video(list(range(12)))
    for f in (0, 4, 8, 11):
        add(p, f, [float(f), 0.0, 10.0, 10.0], track=3)
    _mark(p, 2, 3)
    _mark(p, 10, 3)
    before = copy.deepcopy(outside_marks(p))
    done = split_track(p, [2])  # the box on frame 4
    (new,) = done.tracks
    done.edit.apply(p)
    assert outside_frames(p, 3, "clip") == {2}  # before the split: the old track's
    assert outside_frames(p, new, "clip") == {10}  # frame 10 is the new track's: the fill stops there
    assert marked_tracks(p, 10, "clip") == [str(new)]
    fill = fill_between_frames(p, 5, new)  # frames 5-7, 9: not 10 (out of view up to frame 11)
    assert fill.filled == 4
    done.edit.revert(p)
    assert outside_marks(p) == before


def test_split_copies_a_mark_naming_no_video_for_the_new_track_of_this_one() -> None:
    p = video(list(range(8)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track=3)
    add(p, 3, [3.0, 0.0, 10.0, 10.0], track=3)
    p.extra["cvat_video"] = {"outside": [{"track": "3", "part": None, "frame": 6, "tag": None}]}
    done = split_track(p, [2])
    done.edit.apply(p)
    (new,) = done.tracks
    assert outside_frames(p, 3, "other") == {6}  # another video's track 3 keeps it
    assert outside_frames(p, new, "clip") == {6}


def test_merge_gives_the_kept_track_the_others_marks_one_where_both_had_one() -> None:
    p = video(list(range(12)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track=3)
    add(p, 2, [2.0, 0.0, 10.0, 10.0], track=3)
    add(p, 6, [6.0, 0.0, 10.0, 10.0], track=8)
    add(p, 9, [9.0, 0.0, 10.0, 10.0], track=8)
    _mark(p, 4, 3)
    _mark(p, 4, 8)  # both tracks out of view from frame 4
    _mark(p, 11, 8)
    before = copy.deepcopy(outside_marks(p))
    done = merge_tracks(p, [3, 8])
    done.edit.apply(p)
    assert outside_frames(p, 8) == set()
    assert outside_frames(p, 3, "clip") == {4, 11}
    assert [m["track"] for m in outside_marks(p)] == ["3", "3"]  # frame 4's: one mark, track 3's own
    done.edit.revert(p)
    assert outside_marks(p) == before
    done.edit.apply(p)  # redo
    assert outside_frames(p, 3, "clip") == {4, 11}
