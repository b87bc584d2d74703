"""Copies that record no split (``subset``, a hand-made shard) merged into the base: a copy equal to the
base's image is no edit (no conflict, nothing tagged), one whose only change is the status brings it."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.split import copy_annotation, subset
from tests.core.teams_data import box_annotation, make_project


def test_a_copy_equal_to_the_base_is_no_edit_and_a_status_only_change_is_kept(tmp_path: Path) -> None:
    """The check "this copy equals the base" compared a copy's objects with the base's object *ids* used as
    counts, so an untouched copy differed from the base: beside another annotator's edit of the image it
    was a second "edited" version - an edited_in_two_shards conflict, the base's objects tagged as its
    annotator's rating."""
    base = make_project(tmp_path, 4)
    base.add_annotation(copy_annotation(base.annotations_of(2)[0], id=50))
    one = subset(base, [1, 2, 3])
    two = subset(base, [1, 2, 4])  # images 1 and 2 left exactly as in the base
    one.add_annotation(box_annotation(200, 1, 2, [1, 1, 5, 5]))
    one.remove_annotation(50)
    two.set_image_status(4, "done")  # its only change there
    result = merge_shards([Shard.of(one, "ann"), Shard.of(two, "bob")], base=base)
    assert [c.type for c in result.conflicts] == []
    merged = result.project
    for iid in (1, 2):  # ann's edit wins, untagged
        objects = merged.annotations_of(iid)
        assert len(objects) == len(one.annotations_of(iid))
        assert all(ANNOTATOR_KEY not in a.app_extra for a in objects)
    assert [1.0, 1.0, 5.0, 5.0] in [a.bbox for a in merged.annotations_of(1)]
    assert merged.image_status(4) == "done"
    assert merged.image_status(1) == base.image_status(1)


def test_copies_equal_to_the_base_but_for_the_status_bring_the_least_finished(tmp_path: Path) -> None:
    """Two unsplit copies of one image, objects untouched, statuses changed: no conflict, the least
    finished status (as with a split's shards); a copy with the base's status changes nothing."""
    base = make_project(tmp_path, 3)
    base.set_image_status(1, "in_progress")
    one, two, three = (subset(base, [1]) for _ in range(3))
    one.set_image_status(1, "reviewed")
    two.set_image_status(1, "done")
    result = merge_shards([Shard.of(p, n) for p, n in ((one, "ann"), (two, "bob"), (three, "cy"))], base=base)
    assert result.conflicts == []
    assert result.project.image_status(1) == "done"
    assert all(ANNOTATOR_KEY not in a.app_extra for a in result.project.annotations_of(1))
    alone = merge_shards([Shard.of(subset(base, [1]), "cy")], base=base)
    assert alone.conflicts == [] and alone.project.image_status(1) == "in_progress"


def test_a_copy_taken_before_the_review_never_sends_a_reviewed_image_back(tmp_path: Path) -> None:
    """A copy that records no split, made while the image was done, merged after the lead reviewed it:
    its older "done" replaced "reviewed" (a review silently undone); a status further on still comes in."""
    base = make_project(tmp_path, 3)
    base.set_image_status(1, "done")
    base.set_image_status(2, "in_progress")
    old = subset(base, [1, 2])  # taken now: image 1 done, image 2 in progress
    base.set_image_status(1, "reviewed")  # the lead reviews image 1 afterwards
    old.set_image_status(2, "done")  # the annotator finishes image 2 in the copy
    result = merge_shards([Shard.of(old, "ann")], base=base)
    assert result.conflicts == []
    assert result.project.image_status(1) == "reviewed"
    assert result.project.image_status(2) == "done"
