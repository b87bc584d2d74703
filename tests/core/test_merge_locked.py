"""A merge into the lead's project keeps the objects locked there (core.object_lock): a shard that moved,
reclassified or deleted one gets a ``locked_in_base`` conflict, the base's object stays and the shard's
version goes to ``left_out_objects``; an unlocked object, an object locked by the annotator and the overlap
images' versions merge as before."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.object_lock import is_locked, with_locked
from pixelproof.core.split import copy_annotation, split_project
from tests.core.teams_data import box_annotation, make_project


def _setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    base = make_project(tmp_path, 4)
    for image_id in base.images:
        base.add_annotation(box_annotation(base.next_annotation_id(), image_id, 1, [2, 2, 6, 6]))
        base.add_annotation(box_annotation(base.next_annotation_id(), image_id, 1, [20, 2, 6, 6]))
    for a in list(base.annotations.values()):  # the lead checked the first object of every image
        if a.bbox[0] == 2:
            base.replace_annotation(with_locked(a, True))
    result = split_project(base, ["ann"], overlap=0.0, seed=0)
    return base, result


def test_a_shard_changing_a_base_locked_object_keeps_the_base_one_and_says_so(tmp_path: Path) -> None:
    base, result = _setup(tmp_path)
    ann = result.shards["ann"]
    im1, im2, im3, _ = sorted(ann.images)
    locked = {im: next(a for a in ann.annotations_of(im) if is_locked(a)) for im in (im1, im2, im3)}
    ann.replace_annotation(copy_annotation(locked[im1], bbox=[9.0, 9.0, 6.0, 6.0], segmentation=None))
    ann.replace_annotation(copy_annotation(locked[im2], category_id=2))
    ann.remove_annotation(locked[im3].id)
    free = next(a for a in ann.annotations_of(im1) if not is_locked(a))  # unlocked: the shard's move wins
    ann.replace_annotation(copy_annotation(free, bbox=[30.0, 9.0, 6.0, 6.0], segmentation=None))
    n_before = len(base.annotations)

    merged = merge_shards([Shard.of(ann, "ann")], base=base, manifest=result.manifest)

    out = merged.project
    assert len(out.annotations) == n_before  # nothing lost, nothing doubled
    for im in (im1, im2, im3):
        a = out.annotations[locked[im].id]
        assert is_locked(a) and a.bbox == [2, 2, 6, 6] and a.category_id == 1
    assert out.annotations[free.id].bbox == [30.0, 9.0, 6.0, 6.0]
    conflicts = [c for c in merged.conflicts if c.type == "locked_in_base"]
    assert len(conflicts) == 3
    assert all("locked in the base" in c.message and "ann" in c.message for c in conflicts)
    assert sorted(o["id"] for o in merged.left_out) == sorted([locked[im1].id, locked[im2].id])
    # merged again: the same result, the same conflicts, no object added twice
    again = merge_shards([Shard.of(ann, "ann")], base=out, manifest=result.manifest)
    assert len(again.project.annotations) == n_before
    assert len([c for c in again.conflicts if c.type == "locked_in_base"]) == 3


def test_an_object_the_annotator_locked_merges_with_its_lock(tmp_path: Path) -> None:
    base, result = _setup(tmp_path)
    ann = result.shards["ann"]
    im1 = min(ann.images)
    free = next(a for a in ann.annotations_of(im1) if not is_locked(a))
    ann.replace_annotation(with_locked(free, True))
    merged = merge_shards([Shard.of(ann, "ann")], base=base, manifest=result.manifest)
    assert is_locked(merged.project.annotations[free.id])
    assert not [c for c in merged.conflicts if c.type == "locked_in_base"]
