"""Outside marks (Track Leaves View Here) through a split and a merge, without Qt: a shard holds the marks
of its frames in its own numbering and folder; a mark an annotator adds on their frame, or removes, comes
through the merge with ``--into`` and without; annotators of an overlap frame who leave it differently keep
the union and an ``outside_marks_differ`` conflict; a shard of an earlier split (no record) merges as
before."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_edit import merge_edit
from pixelproof.core.merge_marks import MARKS_AT_SPLIT, frames_of, image_of
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.split import split_project
from pixelproof.core.track_edit import back_in_view, leave_view
from pixelproof.core.track_outside import outside_marks

FRAMES = 6


def two_videos(folder: Path) -> Project:
    """Folders a/ and b/ of frames f0..f5.png (not CVAT's names: a frame's number is its place in the
    folder), image ids 1-6 and 11-16, track 3's box on every frame; marks of track 3 on a/f2 and b/f4."""
    p = new_project(["car"])
    p.path = folder / "project.json"
    for base, video in ((1, "a"), (11, "b")):
        for f in range(FRAMES):
            p.add_image(ImageRecord(base + f, f"{video}/f{f}.png", 100, 80))
            ann = Annotation(len(p.annotations) + 1, base + f, 1, [float(f), 0.0, 10.0, 10.0])
            ann.extra["track_id"] = 3
            p.add_annotation(ann)
    p.extra["cvat_video"] = {
        "outside": [
            {"track": "3", "part": None, "frame": 2, "tag": None, "sequence": "a"},
            {"track": "3", "part": None, "frame": 4, "tag": None, "sequence": "b"},
        ]
    }
    save_project(p)
    return p


def marked(project: Project) -> set[tuple[str, str]]:
    """(the marked frame's file, as absolute path from the project's folder, track) of each mark."""
    frames = frames_of(project)
    out = set()
    for e in outside_marks(project):
        image_id = image_of(e, frames)
        assert image_id is not None, e  # every mark is on a frame of the project
        out.add((project.image_path(project.images[image_id]).resolve().as_posix(), e["track"]))
    return out


def file(folder: Path, name: str) -> str:
    return (folder / name).resolve().as_posix()


def split_and_save(project: Project, folder: Path, overlap: float = 0.0) -> dict[str, Project]:
    result = split_project(project, ["ann", "bob"], overlap=overlap, seed=1)
    (folder / "shards").mkdir(exist_ok=True)
    out = {}
    for name, shard in result.shards.items():
        save_project(shard, folder / "shards" / f"{name}.json")
        out[name] = load_project(folder / "shards" / f"{name}.json")
    return out


def holder(shards: dict[str, Project], name: str) -> tuple[str, int]:
    """Who was dealt frame ``name``, and its image id there."""
    return next(
        (n, i) for n, s in shards.items() for i, im in s.images.items() if im.file_name.endswith(name)
    )


def test_a_shard_holds_the_marks_of_its_frames_in_its_own_numbering(tmp_path: Path) -> None:
    project = two_videos(tmp_path)
    shards = split_and_save(project, tmp_path)
    for name, shard in shards.items():
        own = {im.file_name.removeprefix("../") for im in shard.images.values()}
        want = {(file(tmp_path, f), "3") for f in ("a/f2.png", "b/f4.png") if f in own}
        assert marked(shard) == want, name
        assert all(
            e["sequence"].startswith("../") for e in outside_marks(shard)
        )  # its folder, from the shard
        record = shard.app["shard"][MARKS_AT_SPLIT]
        assert sorted(record) == sorted(str(i) for i, im in shard.images.items() if im.file_name[3:] in
                                        ("a/f2.png", "b/f4.png"))  # fmt: skip
    assert sum(len(outside_marks(s)) for s in shards.values()) == 2  # each mark dealt once


def _edit(shards: dict[str, Project]) -> tuple[str, str]:
    """One annotator marks track 3 leaving on a/f4, the holder of b/f4 takes that mark away; saved."""
    adder, on = holder(shards, "a/f4.png")
    leave_view(shards[adder], on, 3).edit.apply(shards[adder])
    remover, off = holder(shards, "b/f4.png")
    back_in_view(shards[remover], off).edit.apply(shards[remover])
    for shard in shards.values():
        save_project(shard)
    return adder, remover


def test_merge_carries_a_mark_added_and_one_removed_with_and_without_a_base(tmp_path: Path) -> None:
    project = two_videos(tmp_path)
    shards = split_and_save(project, tmp_path)
    _edit(shards)
    want = {(file(tmp_path, "a/f2.png"), "3"), (file(tmp_path, "a/f4.png"), "3")}
    given = [Shard.of(s, n) for n, s in shards.items()]
    into = merge_shards(given, load_project(project.path))
    assert marked(into.project) == want
    assert into.stats["outside_marks_changed"] == 2 and into.conflicts == []
    alone = merge_shards(given)
    assert marked(alone.project) == want
    assert load_project(project.path).extra == project.extra  # the base is not changed
    edit = merge_edit(project, into)  # the app's File > Merge Shards: one undo step
    edit.apply(project)
    assert marked(project) == want
    edit.revert(project)
    assert marked(project) == {(file(tmp_path, "a/f2.png"), "3"), (file(tmp_path, "b/f4.png"), "3")}


def test_a_mark_the_lead_removed_since_the_split_stays_removed_where_nobody_touched_it(
    tmp_path: Path,
) -> None:
    project = two_videos(tmp_path)
    shards = split_and_save(project, tmp_path)
    _, on = holder({"p": project}, "a/f2.png")
    back_in_view(project, on).edit.apply(project)
    merged = merge_shards([Shard.of(s, n) for n, s in shards.items()], project)
    assert marked(merged.project) == {(file(tmp_path, "b/f4.png"), "3")}


def test_annotators_of_an_overlap_frame_who_disagree_keep_the_union_and_a_conflict(tmp_path: Path) -> None:
    project = two_videos(tmp_path)
    shards = split_and_save(project, tmp_path, overlap=1.0)  # every frame to both
    on = next(i for i, im in shards["ann"].images.items() if im.file_name.endswith("a/f4.png"))
    leave_view(shards["ann"], on, 3).edit.apply(shards["ann"])
    save_project(shards["ann"])
    merged = merge_shards([Shard.of(s, n) for n, s in shards.items()], load_project(project.path))
    assert (file(tmp_path, "a/f4.png"), "3") in marked(merged.project)
    conflict = next(c for c in merged.conflicts if c.type == "outside_marks_differ")
    assert conflict.file_name == "a/f4.png" and conflict.shards == ["ann", "bob"]
    assert conflict.to_dict()["marked_in"] == ["ann"] and conflict.to_dict()["frame"] == 4
    assert "track 3 leaves the view here in ann's shard, not in bob's" in conflict.message


def test_shards_of_an_earlier_split_merge_the_marks_as_before(tmp_path: Path) -> None:
    project = two_videos(tmp_path)
    shards = split_and_save(project, tmp_path)
    _edit(shards)
    for shard in shards.values():
        del shard.app["shard"][MARKS_AT_SPLIT]
    merged = merge_shards([Shard.of(s, n) for n, s in shards.items()], load_project(project.path))
    assert merged.project.extra["cvat_video"] == project.extra["cvat_video"]  # the base's, untouched
    assert merged.stats["outside_marks_changed"] == 0


def test_a_mark_made_in_a_shard_of_a_project_that_had_none_is_merged(tmp_path: Path) -> None:
    project = two_videos(tmp_path)
    del project.extra["cvat_video"]
    save_project(project)
    shards = split_and_save(project, tmp_path)
    assert all(s.app["shard"][MARKS_AT_SPLIT] == {} for s in shards.values())  # told from an older shard
    adder, on = holder(shards, "b/f1.png")
    leave_view(shards[adder], on, 3).edit.apply(shards[adder])
    save_project(shards[adder])
    merged = merge_shards([Shard.of(s, n) for n, s in shards.items()])
    assert marked(merged.project) == {(file(tmp_path, "b/f1.png"), "3")}


def test_a_mark_on_a_frame_not_dealt_to_the_shard_is_reported_not_merged(tmp_path: Path) -> None:
    """An annotator adds to their shard a frame dealt to the other (the video's last: the shard's own frames
    keep their numbers) and a frame of a new video, and marks track 3 leaving on both: neither mark is
    merged (the frame is not theirs), and each is said, where before both went unsaid."""
    project = two_videos(tmp_path)
    shards = split_and_save(project, tmp_path)
    owner, _ = holder(shards, "a/f5.png")
    other = next(n for n in shards if n != owner)
    shard = shards[other]
    for image_id, name in ((900, "../a/f5.png"), (901, "../c/f0.png")):
        shard.add_image(ImageRecord(image_id, name, 100, 80))
        ann = Annotation(max(shard.annotations) + 1, image_id, 1, [0.0, 0.0, 10.0, 10.0])
        ann.extra["track_id"] = 3
        shard.add_annotation(ann)
        leave_view(shard, image_id, 3).edit.apply(shard)
    save_project(shard)
    for base in (load_project(project.path), None):
        merged = merge_shards([Shard.of(s, n) for n, s in shards.items()], base)
        assert marked(merged.project) == {
            (file(tmp_path, "a/f2.png"), "3"),
            (file(tmp_path, "b/f4.png"), "3"),
        }
        said = [c.to_dict() for c in merged.conflicts if c.type == "outside_mark_not_dealt"]
        up = "" if base is not None else "../"  # without --into, named from the first shard's folder
        assert [(c["file_name"], c["shards"], c["track"], c["sequence"], c["frame"]) for c in said] == [
            (f"{up}a/f5.png", [other], "3", f"{up}a", 5),
            (f"{up}c/f0.png", [other], "3", f"{up}c", 0),
        ], said
        assert said[0]["message"] == (
            f"{up}a/f5.png: track 3 leaves the view here (video {up}a, frame 5) in {other}'s shard, which "
            "was not dealt this frame; the mark is not merged (Tracks > Track Leaves View Here on that frame "
            "makes it)"
        )


def test_a_mark_a_frame_added_amid_the_video_renumbered_is_said(tmp_path: Path) -> None:
    """Frames named by place: the holder of a/f0-f2 (and the mark on a/f2, their frame 2) adds a frame
    between f0 and f1, which makes f1 their frame 2: the mark now shows on f1. Merged as the shard numbers
    it, and an ``outside_mark_renumbered`` conflict names both frames, where before it went unsaid."""
    project = two_videos(tmp_path)
    shards = split_and_save(project, tmp_path)
    owner, _ = holder(shards, "a/f2.png")
    shard = shards[owner]
    shard.add_image(ImageRecord(900, "../a/f0b.png", 100, 80))
    save_project(shard)
    merged = merge_shards([Shard.of(s, n) for n, s in shards.items()], load_project(project.path))
    said = [c.to_dict() for c in merged.conflicts if c.type == "outside_mark_renumbered"]
    assert [(c["file_name"], c["shards"], c["frame"], c["dealt_as"]) for c in said] == [
        ("../a/f1.png", [owner], 2, "../a/f2.png")
    ]
    assert "a frame added among the video's frames renumbered those after it" in said[0]["message"]


def test_a_record_edited_into_no_dict_loses_no_shards_mark(tmp_path: Path) -> None:
    """A shard's record of marks dealt made a list (or any other value) by hand: the shard's marks on its
    frames are taken as its annotator's, so the mark dealt to the second shard is not lost (without a base
    the merged project took the first shard's marks alone)."""
    project = two_videos(tmp_path)
    shards = split_and_save(project, tmp_path)
    for shard in shards.values():
        shard.app["shard"][MARKS_AT_SPLIT] = ["3"]
    merged = merge_shards([Shard.of(s, n) for n, s in shards.items()])
    assert marked(merged.project) == {(file(tmp_path, "a/f2.png"), "3"), (file(tmp_path, "b/f4.png"), "3")}
