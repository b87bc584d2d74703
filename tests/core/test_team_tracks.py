"""Tracks, stacking and Fill Between Frames' fills through the team workflow: split, work in the shards,
merge back, renumber, COCO export / import (core, no Qt)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.edits.stacking import restack
from pixelproof.core.geometry import clone
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_tracks import tracks_text
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.renumber import renumber
from pixelproof.core.split import split_project
from pixelproof.core.track_edit import leave_view
from pixelproof.core.track_fill import fill_between_frames, untouched_fill
from pixelproof.core.track_outside import outside_frames
from pixelproof.core.tracks import new_tracks, next_track_ids, set_track
from pixelproof.interop.coco_io import read_coco, write_coco


def clip(folder: Path, frames: int = 8, per_frame: int = 2) -> Project:
    """Frames ``clip/frame_00000N.png`` (image id = frame + 1), ``per_frame`` untracked cars on each."""
    p = new_project(["car"])
    p.path = folder / "project.json"
    for f in range(frames):
        p.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 100, 80))
    aid = 1
    for f in range(frames):
        for k in range(per_frame):
            p.add_annotation(Annotation(aid, f + 1, 1, [10.0 * k, 10.0, 20.0, 20.0]))
            aid += 1
    return p


def merged(project: Project, shards: dict[str, Project]) -> Project:
    return merge_shards([Shard.of(s, n) for n, s in shards.items()], base=project).project


def tracks_by_frame(p: Project) -> dict[int, list[int]]:
    return {
        i: sorted(a.extra["track_id"] for a in p.annotations_of(i) if "track_id" in a.extra) for i in p.images
    }


def test_two_annotators_new_tracks_stay_two_tracks_after_the_merge(tmp_path: Path) -> None:
    project = clip(tmp_path)
    first = project.annotations_of(1)[0]  # track 4 dealt out, on frame 0 only
    set_track(project, [first.id], 4).apply(project)  # type: ignore[union-attr]
    shards = split_project(project, ["ann", "bob"], overlap=0.0, seed=0).shards
    started = {}
    for name, shard in shards.items():
        frames = sorted(shard.images)
        a, b = (shard.annotations_of(frames[0])[-1], shard.annotations_of(frames[1])[-1])
        new_tracks(shard, [a.id]).apply(shard)  # type: ignore[union-attr]
        set_track(shard, [b.id], shard.annotations[a.id].extra["track_id"]).apply(shard)  # type: ignore[union-attr]
        started[name] = (a.id, b.id)
        extended = next(o for o in shard.annotations_of(frames[2]) if o.id != first.id)
        set_track(shard, [extended.id], 4).apply(shard)  # type: ignore[union-attr]  # the track dealt out
        started[f"{name} on 4"] = (extended.id,)
        assert shard.annotations[a.id].extra["track_id"] == 5  # each shard's New Track: the same number
    lead = project.annotations_of(8)[0]
    new_tracks(project, [lead.id]).apply(project)  # type: ignore[union-attr]  # the lead's own track 5
    result = merge_shards([Shard.of(s, n) for n, s in shards.items()], base=project)
    out = result.project
    ids = {n: {out.annotations[i].extra["track_id"] for i in pair} for n, pair in started.items()}
    # two tracks, each object of one still on it, after the lead's 5; track 4 extended in both shards: one
    assert ids == {"ann": {6}, "bob": {7}, "ann on 4": {4}, "bob on 4": {4}}
    assert out.annotations[lead.id].extra["track_id"] == 5
    assert out.annotations[first.id].extra["track_id"] == 4  # dealt out: kept
    assert result.report()["renumbered_tracks"] == [
        {"shard": "ann", "track_id": 5, "merged_as": 6},
        {"shard": "bob", "track_id": 5, "merged_as": 7},
    ]
    assert all(len(t) == len(set(t)) for t in tracks_by_frame(out).values())
    assert tracks_text(result.report()["renumbered_tracks"]) == (
        "tracks started in the shards numbered anew (track_id): ann's 5 as 6, bob's 5 as 7"
    )


def test_new_track_in_a_shard_never_gives_a_track_of_the_project_split(tmp_path: Path) -> None:
    project = clip(tmp_path)
    set_track(project, [project.annotations_of(8)[0].id], 9).apply(project)  # type: ignore[union-attr]
    shard = next(
        s for s in split_project(project, ["ann", "bob"], overlap=0.0).shards.values() if 8 not in s.images
    )
    assert next_track_ids(shard, 2) == [10, 11]  # track 9 is on no frame of the shard, yet the project's
    saved = tmp_path / "ann.json"
    save_project(shard, saved)
    assert next_track_ids(load_project(saved)) == [10]


def test_a_shard_that_records_no_new_tracks_keeps_its_numbers(tmp_path: Path) -> None:
    project = clip(tmp_path)
    shards = split_project(project, ["ann", "bob"], overlap=0.0).shards
    shard = shards["ann"]
    del shard.app["shard"]["new_tracks_from"]  # split by an earlier PixelProof
    a = shard.annotations_of(min(shard.images))[0]
    new_tracks(shard, [a.id]).apply(shard)  # type: ignore[union-attr]
    result = merge_shards([Shard.of(s, n) for n, s in shards.items()], base=project)
    assert (
        result.project.annotations[a.id].extra["track_id"] == 0 and result.report()["renumbered_tracks"] == []
    )


def test_a_restack_in_a_shard_is_the_merged_images_order(tmp_path: Path) -> None:
    project = clip(tmp_path, per_frame=3)
    shards = split_project(project, ["ann", "bob"], overlap=0.0, seed=0).shards
    shard = shards["ann"]
    image = min(shard.images)
    restack(shard, [shard.annotation_ids_of(image)[0]], True).apply(shard)  # type: ignore[union-attr]
    saved = tmp_path / "ann.json"
    save_project(shard, saved)
    shards["ann"] = load_project(saved)
    other = min(shards["bob"].images)
    restack(project, [project.annotation_ids_of(other)[-1]], False).apply(project)  # type: ignore[union-attr]
    lead_order = project.annotation_ids_of(other)
    out = merged(project, shards)
    assert out.annotation_ids_of(image) == shard.annotation_ids_of(image) != project.annotation_ids_of(image)
    assert out.annotation_ids_of(other) == lead_order  # bob left it alone: the lead's restack stands


def test_a_restack_keeps_its_order_with_objects_added_in_the_base_since(tmp_path: Path) -> None:
    project = clip(tmp_path, per_frame=3)
    shards = split_project(project, ["ann", "bob"], overlap=0.0, seed=0).shards
    shard = shards["ann"]
    image = min(shard.images)
    back, middle, front = shard.annotation_ids_of(image)
    restack(shard, [back], True).apply(shard)  # type: ignore[union-attr]
    project.add_annotation(Annotation(500, image, 1, [60.0, 40.0, 5.0, 5.0]))  # the lead's, on top
    out = merged(project, shards)
    assert out.annotation_ids_of(image) == [middle, front, back, 500]


def test_stacking_through_renumber_and_a_coco_export_and_import(tmp_path: Path) -> None:
    project = clip(tmp_path, per_frame=3)
    for image in project.images:
        restack(project, [project.annotation_ids_of(image)[-1]], False).apply(project)  # type: ignore[union-attr]
    boxes = {im.file_name: [a.bbox for a in project.annotations_of(im.id)] for im in project.images.values()}
    again = renumber(project).project
    assert {
        im.file_name: [a.bbox for a in again.annotations_of(im.id)] for im in again.images.values()
    } == boxes
    write_coco(project, tmp_path / "out.json")
    read = read_coco(tmp_path / "out.json").project
    assert {
        im.file_name: [a.bbox for a in read.annotations_of(im.id)] for im in read.images.values()
    } == boxes


def filled_clip(folder: Path) -> Project:
    """A track of class ``bus`` (id 5) with keys on frames 0 and 7 and fills between."""
    p = clip(folder, per_frame=0)
    p.add_category(Category(5, "bus"))
    p.add_annotation(Annotation(1, 1, 5, [0.0, 0.0, 10.0, 10.0], extra={"track_id": 0}))
    p.add_annotation(Annotation(2, 8, 5, [70.0, 0.0, 10.0, 10.0], extra={"track_id": 0}))
    fill_between_frames(p, 1, 0).edit.apply(p)  # type: ignore[union-attr]
    assert sum(map(untouched_fill, p.annotations.values())) == 6
    return p


def test_a_fill_edited_in_a_shard_is_a_key_after_the_merge_the_others_fills(tmp_path: Path) -> None:
    project = filled_clip(tmp_path)
    shards = split_project(project, ["ann", "bob"], overlap=0.0, seed=0).shards
    shard = shards["ann"]
    fill = next(a for a in shard.annotations.values() if untouched_fill(a))
    edited = clone(fill)
    edited.bbox = [1.0, 1.0, 10.0, 10.0]
    ReplaceAnnotations([edited]).apply(shard)
    out = merged(project, shards)
    assert not untouched_fill(out.annotations[fill.id])
    assert {a.id for a in out.annotations.values() if untouched_fill(a)} == {
        a.id for a in project.annotations.values() if untouched_fill(a)
    } - {fill.id}


def test_untouched_fills_stay_fills_when_their_class_is_numbered_again(tmp_path: Path) -> None:
    project = filled_clip(tmp_path)
    fills = {a.id for a in project.annotations.values() if untouched_fill(a)}
    again = renumber(project).project  # class 5 becomes 2
    assert {a.category_id for a in again.annotations.values()} == {2}
    assert sum(map(untouched_fill, again.annotations.values())) == len(fills)
    write_coco(project, tmp_path / "out.json")
    read = read_coco(tmp_path / "out.json", remap_categories=True, check_images=False).project
    assert {a.category_id for a in read.annotations.values()} == {2}
    assert sum(map(untouched_fill, read.annotations.values())) == len(fills)
    base = clip(tmp_path, per_frame=0)  # a merge gives the shard's class bus another id (5 is the lead's cat)
    base.add_category(Category(5, "cat"))
    shard = project
    shard.app["shard"] = {"annotator": "ann"}
    out = merge_shards([Shard.of(shard, "ann")], base=base).project
    bus = next(c.id for c in out.categories.values() if c.name == "bus")
    assert bus != 5 and {a.category_id for a in out.annotations.values()} == {bus}
    assert {a.id for a in out.annotations.values() if untouched_fill(a)} == fills


def test_a_renumbered_tracks_outside_mark_names_its_new_number_after_the_merge(tmp_path: Path) -> None:
    """Each annotator starts a track (both New Track 0), keyed on their first and third frames, and marks it
    out of view on their second: after the merge bob's track is 1, and so is his mark. Before, the mark kept
    naming track 0 - ann's track after the merge - and bob's track lost it: its fill crossed the mark."""
    project = clip(tmp_path)
    shards = split_project(project, ["ann", "bob"], overlap=0.0, seed=0).shards
    mine = {}
    for name, shard in shards.items():
        frames = sorted(shard.images)
        a, b = shard.annotations_of(frames[0])[-1], shard.annotations_of(frames[2])[-1]
        new_tracks(shard, [a.id]).apply(shard)  # type: ignore[union-attr]
        track = shard.annotations[a.id].extra["track_id"]
        set_track(shard, [b.id], track).apply(shard)  # type: ignore[union-attr]
        leave_view(shard, frames[1], track).edit.apply(shard)  # type: ignore[union-attr]
        mine[name] = (a.id, frames[1])
    out = merged(project, shards)
    got = {
        name: (
            out.annotations[aid].extra["track_id"],
            outside_frames(out, out.annotations[aid].extra["track_id"]),
        )
        for name, (aid, _) in mine.items()
    }
    frame = {name: int(out.images[image].file_name[-8:-4]) for name, (_, image) in mine.items()}
    assert got == {"ann": (0, {frame["ann"]}), "bob": (1, {frame["bob"]})}
