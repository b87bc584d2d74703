"""The same shard merged again into the project it was merged into changes nothing and reports nothing
(an annotator's file handed in twice), also where its objects were stamped or renumbered the first time."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_image import content_key
from pixelproof.core.split import copy_annotation, split_project
from tests.core.teams_data import box_annotation, make_project


def _keys(project) -> list[bytes]:  # type: ignore[no-untyped-def]
    return sorted(
        content_key(a, project.categories[a.category_id].name) for a in project.annotations.values()
    )


def test_a_shard_merged_again_is_no_conflict_and_no_change(tmp_path: Path) -> None:
    base = make_project(tmp_path, 6)
    for image_id in base.images:  # every image holds an object dealt out, drawn by someone before the split
        base.add_annotation(
            box_annotation(base.next_annotation_id(), image_id, 1, [2, 2, 6, 6], author="lead")
        )
    result = split_project(base, ["ann", "bob"], overlap=0.5, seed=2)
    overlap = {p for p in result.manifest["overlap"]}
    ann = result.shards["ann"]
    own = next(im for im in ann.images.values() if not any(im.file_name.endswith(p) for p in overlap))
    shared = next(im for im in ann.images.values() if any(im.file_name.endswith(p) for p in overlap))
    # ann moves the lead's object on one of her own images (it keeps its author, as a script or an older
    # tool leaves it) and on a shared one, where bob leaves it as dealt out: his copy is renumbered
    for im in (own, shared):
        (moved,) = [a for a in ann.annotations_of(im.id) if a.author == "lead"]
        ann.replace_annotation(copy_annotation(moved, bbox=[9.0, 9.0, 6.0, 6.0], segmentation=None))
    shards = [Shard.of(ann, "ann"), Shard.of(result.shards["bob"], "bob")]
    first = merge_shards(shards, base=base, manifest=result.manifest)
    assert not first.conflicts
    for shard in shards:  # each handed in again
        again = merge_shards([shard], base=first.project, manifest=result.manifest)
        assert [c.message for c in again.conflicts] == [] and again.left_out == []
        assert _keys(again.project) == _keys(first.project)
