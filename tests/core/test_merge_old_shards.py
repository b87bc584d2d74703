"""Shards of a split made by PixelProof before the split recorded what each image held (``at_split``): they
record their annotator and split id only, so a merge cannot tell a copy the annotator left alone from one
they edited. Before: such a stale copy of an image the lead changed after the split replaced the lead's
objects silently (0 conflicts, nothing in the report)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Project
from pixelproof.core.split import copy_annotation, split_project
from tests.core.teams_data import box_annotation, make_project


def _as_old_pixelproof(shard: Project) -> Project:
    """The shard record PixelProof wrote before 2026-12-04: annotator and split id, nothing per image."""
    info = shard.app["shard"]
    shard.app["shard"] = {"annotator": info["annotator"], "split": info["split"]}
    return shard


def test_an_old_shards_copy_replacing_the_leads_later_edit_is_reported(tmp_path: Path) -> None:
    base = make_project(tmp_path, 6)
    save_project(base)
    result = split_project(base, ["ann", "bob"], overlap=0.0, seed=1)
    shards = {n: _as_old_pixelproof(s) for n, s in result.shards.items()}
    ann = shards["ann"]
    stale, added_to = sorted(ann.images)[:2]
    moved = base.annotations_of(stale)[0]  # the lead moves an object after handing out the shards
    base.replace_annotation(copy_annotation(moved, bbox=[50.0, 50.0, 5.0, 5.0], segmentation=None))
    ann.add_annotation(box_annotation(ann.next_annotation_id(), added_to, 2, [30, 20, 6, 6]))
    merged = merge_shards([Shard.of(s, n) for n, s in shards.items()], base=base)
    (conflict,) = merged.conflicts
    assert conflict.type == "base_state_unknown"
    assert conflict.shards == ["ann"] and conflict.file_name == base.images[stale].file_name
    assert "earlier version of PixelProof" in conflict.message and "1 object" in conflict.message
    (left_out,) = merged.left_out  # the lead's object is in the report, not lost
    assert left_out["id"] == moved.id and left_out["bbox"] == [50.0, 50.0, 5.0, 5.0]
    # an edit that replaces none of the base's objects (ann only added one) is no conflict
    assert len(merged.project.annotations_of(added_to)) == len(base.annotations_of(added_to)) + 1

    # the same old shard merged again into the merged project replaces nothing: no conflict
    again = merge_shards([Shard.of(ann, "ann")], base=merged.project)
    assert [c.type for c in again.conflicts] == []
