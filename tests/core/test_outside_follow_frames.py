"""Outside marks keep to their frame file when images are added to their video's folder (AddImages: File >
Add Images, ``pixelproof add``) and come back when they are taken away (its undo), without Qt
(core.outside_follow.renumbered): a mark names its frame by its place in the folder, which an added image
shifts."""

from __future__ import annotations

import copy

from pixelproof.core.coco import new_project
from pixelproof.core.edits.images import AddImages
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.outside_follow import renumbered
from pixelproof.core.track_outside import outside_frames, outside_marks


def clip(names: list[str], folder: str = "clip") -> Project:
    """Images ``folder/NAME`` (ids 1, 2, ...), numbered by place (not CVAT's frame names)."""
    p = new_project(["car"])
    for k, name in enumerate(names, 1):
        p.add_image(ImageRecord(k, f"{folder}/{name}", 100, 80))
    return p


def marks(p: Project, *entries: tuple[int, str | None]) -> None:
    p.extra["cvat_video"] = {
        "outside": [{"track": "3", "part": None, "frame": f, "tag": None, "sequence": s} for f, s in entries]
    }


def test_an_image_added_before_a_marked_frame_keeps_the_mark_on_its_file_and_undo_puts_it_back() -> None:
    p = clip(["b.png", "d.png", "f.png"])  # places 0, 1, 2
    p.add_image(ImageRecord(9, "other/b.png", 100, 80))
    marks(p, (1, "clip"), (1, "other"), (1, None))  # d.png; other's frame 1 (no file); every video's
    before = copy.deepcopy(outside_marks(p))
    edit = AddImages([ImageRecord(10, "clip/a.png", 100, 80), ImageRecord(11, "clip/c.png", 100, 80)])
    edit.apply(p)  # a b c d f: d.png is frame 3 now
    assert outside_frames(p, 3, "clip") == {3, 1}  # its own, and the one naming no video (left as it is)
    assert outside_frames(p, 3, "other") == {1}
    assert edit.label == "Add 2 images"
    edit.revert(p)  # one undo step: the images and the marks
    assert outside_marks(p) == before
    edit.apply(p)  # redo
    assert [m["frame"] for m in outside_marks(p)] == [3, 1, 1]


def test_a_folder_of_cvat_frame_names_numbered_by_place_once_another_name_joins_it() -> None:
    p = clip([f"frame_{f:06d}.png" for f in (0, 10, 20)])  # numbered 0, 10, 20 by name
    marks(p, (20, "clip"), (15, "clip"))  # on frame_000020; between 10 and 20 (CVAT's step)
    AddImages([ImageRecord(4, "clip/frame_000030.png", 100, 80)]).apply(p)  # still by name: nothing moves
    assert [m["frame"] for m in outside_marks(p)] == [20, 15]
    AddImages([ImageRecord(5, "clip/cover.png", 100, 80)]).apply(p)  # by place now: cover.png sorts first
    assert [m["frame"] for m in outside_marks(p)] == [3, 3]  # frame_000020 is place 3; 15 kept before it


def test_a_mark_whose_frame_is_taken_away_goes_with_it_as_cvat_ignores_a_deleted_frames_keyframes() -> None:
    before = [ImageRecord(k, f"clip/{n}", 10, 10) for k, n in enumerate("abcde", 1)]
    entries = [{"track": "3", "part": None, "frame": f, "tag": None, "sequence": "clip"} for f in (1, 3, 7)]
    after = [im for im in before if im.file_name != "clip/b"]
    assert [e["frame"] for e in renumbered(entries, before, after) or []] == [2, 6]  # d now 2; 7 after e
    assert renumbered(entries, before, before) is None


def test_a_video_named_with_backslashes_or_at_the_top_is_renumbered_too() -> None:
    for folder, sep in (("clip", "\\"), ("", "")):
        p = new_project(["car"])
        for k, name in enumerate(("b.png", "d.png"), 1):
            p.add_image(ImageRecord(k, f"{folder}{sep}{name}", 100, 80))
        marks(p, (1, folder))
        AddImages([ImageRecord(3, f"{folder}{sep}a.png", 100, 80)]).apply(p)
        assert outside_frames(p, 3, folder) == {2}, folder


def test_the_apps_merge_keeps_the_marks_the_merge_made_when_it_adds_images() -> None:
    """``merge_edit`` adds the merge's images (AddImages renumbers the marks) and then sets the merged
    project's marks, even when they equal the base's: the app keeps what the CLI's merge writes (before,
    the renumbered mark stayed on d.png)."""
    from pixelproof.core.merge import MergeResult
    from pixelproof.core.merge_edit import merge_edit

    base = clip(["b.png", "d.png"])
    marks(base, (1, "clip"))
    merged = copy.deepcopy(base)
    merged.add_image(ImageRecord(3, "clip/a.png", 100, 80))
    # the merge numbers marks for the merged images (core.merge_marks): an annotator moved track 3's mark
    # from d.png to b.png, frame 1 once a.png is in - the base's list as it was, set all the same
    result = MergeResult(merged, [], [], {}, [], {})
    merge_edit(base, result).apply(base)
    assert outside_marks(base) == outside_marks(merged)
