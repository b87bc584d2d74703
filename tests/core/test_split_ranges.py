"""A video's frames dealt out in contiguous ranges (CVAT's jobs), stills at random as before: each annotator
holds one range of the video, the ranges balanced and in frame order; ``overlap`` shares the frames at the
boundaries between consecutive ranges; outside marks follow their frames and the merge gives the project
back. No Qt."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.split import split_project
from pixelproof.core.split_ranges import deal_ranges, video_frames
from pixelproof.core.track_edit import leave_view
from tests.core.teams_data import make_project
from tests.core.test_merge_marks import file, marked

NAMES = ["ann", "bob", "cy"]


def clip_and_stills(folder: Path, frames: int = 30, stills: int = 10) -> Project:
    """``clip/f00.png``.. (not CVAT's names: a frame's number is its place in the folder), track 5's box on
    each, its outside mark on f12 and f20; ``stills/s0.png``.. with an untracked box each (ids from 100)."""
    p = new_project(["car"])
    p.path = folder / "project.json"
    for f in range(frames):
        p.add_image(ImageRecord(f + 1, f"clip/f{f:02d}.png", 100, 80))
        ann = Annotation(f + 1, f + 1, 1, [float(f), 0.0, 10.0, 10.0])
        ann.extra["track_id"] = 5
        p.add_annotation(ann)
    for s in range(stills):
        p.add_image(ImageRecord(100 + s, f"stills/s{s}.png", 100, 80))
        p.add_annotation(Annotation(100 + s, 100 + s, 1, [1.0, 2.0, 3.0, 4.0]))
    p.extra["cvat_video"] = {
        "outside": [
            {"track": "5", "part": None, "frame": f, "tag": None, "sequence": "clip"} for f in (12, 20)
        ]
    }
    save_project(p)
    return p


def clip_frames(shard: Project) -> list[int]:
    """The clip's frames (their number in the project) a shard holds, in order."""
    return sorted(int(im.file_name[-6:-4]) for im in shard.images.values() if "/clip/" in f"/{im.file_name}")


def saved(project: Project, folder: Path, overlap: float) -> dict[str, Project]:
    result = split_project(project, NAMES, overlap=overlap, seed=4)
    (folder / "shards").mkdir(exist_ok=True)
    for name, shard in result.shards.items():
        save_project(shard, folder / "shards" / f"{name}.json")
    return {n: load_project(folder / "shards" / f"{n}.json") for n in NAMES}


def contents(project: Project) -> dict[str, Counter[tuple]]:
    """Each image's objects (class, box, track), by the image's absolute path."""
    return {
        file(project.path.parent, im.file_name): Counter(  # type: ignore[union-attr]
            (a.category_id, tuple(a.bbox), a.extra.get("track_id")) for a in project.annotations_of(im.id)
        )
        for im in project.images.values()
    }


def test_each_annotator_holds_one_contiguous_range_of_the_video_and_the_merge_gives_the_project_back(
    tmp_path: Path,
) -> None:
    project = clip_and_stills(tmp_path)
    shards = saved(project, tmp_path, overlap=0.0)
    assert [clip_frames(shards[n]) for n in NAMES] == [
        list(range(0, 10)),
        list(range(10, 20)),
        list(range(20, 30)),
    ]
    assert sorted(len(s.images) for s in shards.values()) == [13, 13, 14]  # the stills balance the load
    assert sum(len(s.images) for s in shards.values()) == 40  # every image once
    # the marks follow their frames, in each shard's own numbering (bob's f12 is his frame 2)
    assert marked(shards["ann"]) == set()
    assert marked(shards["bob"]) == {(file(tmp_path, "clip/f12.png"), "5")}
    assert [e["frame"] for e in shards["bob"].extra["cvat_video"]["outside"]] == [2]
    assert marked(shards["cy"]) == {(file(tmp_path, "clip/f20.png"), "5")}
    given = [Shard.of(s, n) for n, s in shards.items()]
    for base in (load_project(project.path), None):
        merged = merge_shards(given, base)
        assert merged.conflicts == []
        assert marked(merged.project) == marked(project)
        assert contents(merged.project) == contents(project)


def test_overlap_shares_the_frames_at_the_boundaries_of_the_ranges_and_merges_them_once(
    tmp_path: Path,
) -> None:
    project = clip_and_stills(tmp_path)
    result = split_project(project, NAMES, overlap=0.1, seed=4)  # 3 of 30 frames: 2 at each boundary
    shards = saved(project, tmp_path, overlap=0.1)
    assert [clip_frames(shards[n]) for n in NAMES] == [
        list(range(0, 11)),
        list(range(9, 21)),
        list(range(19, 30)),
    ]
    shared = {k: v for k, v in result.overlap.items() if k.startswith("clip/")}
    assert shared == {
        "clip/f09.png": ["ann", "bob"],
        "clip/f10.png": ["ann", "bob"],
        "clip/f19.png": ["bob", "cy"],
        "clip/f20.png": ["bob", "cy"],
    }
    assert len(result.overlap) == 5  # and one still of ten, as --overlap 0.1 deals stills
    # the mark on the boundary frame f20 goes to both its annotators
    assert marked(shards["bob"]) == {(file(tmp_path, f"clip/f{f}.png"), "5") for f in (12, 20)}
    assert marked(shards["cy"]) == {(file(tmp_path, "clip/f20.png"), "5")}
    on = next(i for i, im in shards["ann"].images.items() if im.file_name.endswith("clip/f10.png"))
    leave_view(shards["ann"], on, 5).edit.apply(shards["ann"])  # ann marks track 5 leaving on f10
    save_project(shards["ann"])
    merged = merge_shards([Shard.of(s, n) for n, s in shards.items()], load_project(project.path))
    assert marked(merged.project) == marked(project) | {(file(tmp_path, "clip/f10.png"), "5")}
    assert [c.type for c in merged.conflicts] == ["outside_marks_differ"]  # bob left f10 unmarked: said
    assert Counter(im.file_name for im in merged.project.images.values()) == Counter(
        im.file_name for im in project.images.values()
    )


def test_stills_are_dealt_as_before(tmp_path: Path) -> None:
    """A project of stills is dealt exactly as before contiguous video ranges (pinned from that version)."""
    result = split_project(make_project(tmp_path, 12), NAMES, overlap=0.25, seed=7)
    assert {n: [f[-7:-4] for f in files] for n, files in result.manifest["assignments"].items()} == {
        "ann": ["001", "005", "006", "009", "011"],
        "bob": ["002", "005", "007", "008", "010"],
        "cy": ["003", "004", "007", "011", "012"],
    }
    assert result.overlap == {
        "images/img005.png": ["ann", "bob"],
        "images/img007.png": ["bob", "cy"],
        "images/img011.png": ["cy", "ann"],
    }


def test_a_video_is_a_folder_of_cvat_frames_tracks_or_marks_not_one_of_stills(tmp_path: Path) -> None:
    p = new_project(["car"])
    names = "named/frame_000003 named/frame_000001 tracked/b tracked/a marked/x marked/w plain/a plain/b"
    for k, name in enumerate(names.split()):
        p.add_image(ImageRecord(k + 1, f"{name}.png", 10, 10))
    ann = Annotation(1, 3, 1, [0.0, 0.0, 1.0, 1.0])
    ann.extra["track_id"] = "7"
    p.add_annotation(ann)
    p.extra["cvat_video"] = {"outside": [{"track": "2", "part": None, "frame": 0, "sequence": "marked"}]}
    assert video_frames(p, p.images) == [[2, 1], [4, 3], [6, 5]]  # each in frame order; plain/ is stills


def test_ranges_balance_several_videos_and_a_video_shorter_than_the_team() -> None:
    load = [0, 0, 0]
    assert deal_ranges([1, 2, 3, 4], load, 0.0) == [(1, [0]), (2, [0]), (3, [1]), (4, [2])]
    assert load == [2, 1, 1]
    assert deal_ranges([5, 6, 7, 8, 9], load, 0.0) == [(5, [0]), (6, [1]), (7, [1]), (8, [2]), (9, [2])]
    assert load == [3, 3, 3]
    assert deal_ranges([10], load, 0.5) == [(10, [0])]  # one frame: one annotator, nothing to share
    assert deal_ranges([11, 12], load, 0.0) == [(11, [1]), (12, [2])]  # to those holding fewest
    assert deal_ranges([1, 2, 3, 4], [0, 0], 1.0) == [(f, [0, 1]) for f in (1, 2, 3, 4)]  # every frame shared
