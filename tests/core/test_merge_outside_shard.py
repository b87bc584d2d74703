"""An annotator who labels an image outside their shard (added to their copy after the split, its owner
leaving it alone) never wins silently: the owner's version stays, a conflict names the image, the outsider
and the owner, and the outsider's objects go to the report's left_out_objects. Versions kept side by side
for a conflict are not counted as overlap images of the split."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_image import content_key
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.split import copy_annotation, split_project, subset
from tests.core.teams_data import box_annotation, make_project


def _contents(project: Project, image_id: int) -> Counter[bytes]:
    cats = {c.id: c.name for c in project.categories.values()}
    return Counter(  # authors left out: merge without a base gives them the annotator's
        content_key(copy_annotation(a, author=None), cats[a.category_id])
        for a in project.annotations_of(image_id)
    )


@pytest.mark.parametrize("into", [True, False])
@pytest.mark.parametrize("with_manifest", [True, False])
def test_an_image_labelled_outside_its_shard_is_a_conflict_not_a_silent_win(
    tmp_path: Path, into: bool, with_manifest: bool
) -> None:
    base = make_project(tmp_path, 24)
    save_project(base)
    split = split_project(base, ["ann", "bob"], overlap=0.25, seed=3)
    shards = {n: load_project(save_project(s, tmp_path / f"{n}.json")) for n, s in split.shards.items()}
    # bob adds one of ann's images to his copy (a new record, as the app's Add Images makes) and labels it
    theirs = next(im for im in shards["ann"].images.values() if im.file_name not in split.overlap)
    bob = shards["bob"]
    new_id = bob.next_image_id()
    bob.add_image(ImageRecord(new_id, theirs.file_name, theirs.width, theirs.height))
    drawn = box_annotation(bob.next_annotation_id(), new_id, 1, [3, 3, 7, 7], author="bob")
    bob.add_annotation(drawn)

    result = merge_shards(
        [Shard.of(p, n) for n, p in shards.items()],
        base=load_project(base.path) if into else None,
        manifest=split.manifest if with_manifest else None,
    )
    merged = result.project
    image = merged.image_by_file_name(theirs.file_name)
    assert image.id == theirs.id
    assert _contents(merged, image.id) == _contents(base, theirs.id)  # ann's (the base's) objects stay
    [conflict] = result.conflicts
    assert conflict.type == "edited_outside_shard"
    assert conflict.file_name == theirs.file_name and conflict.shards == ["bob"]
    assert conflict.data == {"owners": ["ann"]}
    assert "edited in bob's shard, which was not dealt it (it is ann's)" in conflict.message
    assert [(d["shard"], d["file_name"], d["id"], d["bbox"]) for d in result.left_out] == [
        ("bob", theirs.file_name, drawn.id, [3.0, 3.0, 7.0, 7.0])
    ]
    # no rating of bob's: the split's overlap images are counted, no more
    assert result.stats["overlap_images"] == len(split.overlap)
    assert result.report()["conflict_counts"] == {"edited_outside_shard": 1}


def test_an_image_added_outside_its_shard_and_left_empty_is_no_conflict(tmp_path: Path) -> None:
    base = make_project(tmp_path, 8)
    save_project(base)
    split = split_project(base, ["ann", "bob"], overlap=0.0, seed=1)
    shards = {n: load_project(save_project(s, tmp_path / f"{n}.json")) for n, s in split.shards.items()}
    theirs = next(iter(shards["ann"].images.values()))
    shards["bob"].add_image(ImageRecord(99, theirs.file_name, theirs.width, theirs.height))  # nothing drawn
    result = merge_shards([Shard.of(p, n) for n, p in shards.items()], base=load_project(base.path))
    assert result.conflicts == [] and result.left_out == []
    assert _contents(result.project, theirs.id) == _contents(base, theirs.id)
    assert len(result.project.images) == 8


def test_an_image_edited_in_two_shards_is_a_conflict_not_an_overlap_image(tmp_path: Path) -> None:
    base = make_project(tmp_path, 6)
    one, two = subset(base, [1, 2, 3]), subset(base, [3, 4, 5, 6])
    one.app["shard"], two.app["shard"] = {"annotator": "ann"}, {"annotator": "bob"}
    one.add_annotation(box_annotation(100, 3, 1, [1, 1, 5, 5]))
    two.add_annotation(box_annotation(200, 3, 2, [30, 30, 5, 5]))
    result = merge_shards([Shard.of(one, "one"), Shard.of(two, "two")], base=base)
    assert [c.type for c in result.conflicts] == ["edited_in_two_shards"]
    assert result.stats["overlap_images"] == 0 and result.report()["overlap_images"] == {}
    assert result.stats["edited_in_two_shards"] == 1
