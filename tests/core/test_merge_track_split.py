"""A track split in one annotator's shard while it continues in another's frames (merge_tracks.
split_elsewhere): Split Track Here cuts only the annotator's own frames, so after the merge the old track id
came back on the next annotator's frames unsaid. The merge now says it (``track_split_in_shard``) and leaves
the tracks as they are (core, no Qt: split, Split Track Here in a shard, merge)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.clipboard import track_of
from pixelproof.core.coco import new_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.split import split_project
from pixelproof.core.track_edit import split_track


def video(folder: Path) -> Project:
    """Eight frames ``clip/frame_00000N.png`` (image id = frame + 1), a car on track 3 on each, a
    pedestrian on track 4 on each."""
    p = new_project(["car", "person"])
    p.path = folder / "project.json"
    for f in range(8):
        p.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 100, 80))
        p.add_annotation(Annotation(2 * f + 1, f + 1, 1, [10.0 + f, 10.0, 20.0, 20.0], extra={"track_id": 3}))
        p.add_annotation(Annotation(2 * f + 2, f + 1, 2, [60.0, 10.0 + f, 10.0, 30.0], extra={"track_id": 4}))
    return p


def split_at(shard: Project, frame: int, track: int = 3) -> None:
    ann = next(a for a in shard.annotations_of(frame + 1) if track_of(a) == track)
    split_track(shard, [ann.id]).edit.apply(shard)


def test_a_track_split_in_one_shard_and_continuing_in_the_next_is_said(tmp_path: Path) -> None:
    project = video(tmp_path)
    shards = split_project(project, ["ann", "bob"], overlap=0.0).shards
    assert sorted(shards["ann"].images) == [1, 2, 3, 4] and sorted(shards["bob"].images) == [5, 6, 7, 8]
    split_at(shards["ann"], 2)  # ann's frames 2 and 3 on a new track; bob's 4 to 7 still track 3
    result = merge_shards([Shard.of(s, n) for n, s in shards.items()], base=project)
    out = result.project
    new = track_of(out.annotations[5])  # the car on frame 2
    assert new not in (3, 4) and track_of(out.annotations[9]) == 3  # not rewritten: bob's frame 4 as dealt
    (said,) = [c.to_dict() for c in result.conflicts if c.type == "track_split_in_shard"]
    assert said["shards"] == ["ann", "bob"] and said["continues_in"] == ["bob"]
    assert (said["track"], said["new_track"], said["frames"], said["frames_there"]) == (
        3,
        new,
        [2, 3],
        [4, 7],
    )
    assert f"ann split track 3 at frame 2: from there to frame 3 it is track {new}" in said["message"]
    assert "bob's frames (frame 4 to 7) still hold track 3" in said["message"]
    assert "Merge Tracks" in said["message"] and "Split Track Here on frame 4" in said["message"]
    assert result.report()["conflict_counts"]["track_split_in_shard"] == 1


def test_a_split_in_the_last_range_or_of_a_track_ending_there_is_not_said(tmp_path: Path) -> None:
    """Split in bob's range: the earlier frames keep the old id, as Split Track Here means. A track that
    ends in ann's range (the person leaves on frame 3) and a new one after it: nothing continues."""
    project = video(tmp_path)
    for f in range(4, 8):  # the person leaves after frame 3
        project.remove_annotation(2 * f + 2)
    shards = split_project(project, ["ann", "bob"], overlap=0.0).shards
    split_at(shards["bob"], 5)
    split_at(shards["ann"], 2, track=4)
    result = merge_shards([Shard.of(s, n) for n, s in shards.items()], base=project)
    assert not [c for c in result.conflicts if c.type == "track_split_in_shard"]
