"""A shard merged after the base gained classes (another shard's new class, one the lead made): the
shard was never dealt them, so lacking them is no conflict."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Category
from pixelproof.core.split import split_project
from tests.core.teams_data import box_annotation, make_project


def test_a_late_shard_is_not_missing_the_classes_added_since_its_split(tmp_path: Path) -> None:
    base = make_project(tmp_path, 6)
    result = split_project(base, ["ann", "bob"], overlap=0.5, seed=2)
    ann, bob = result.shards["ann"], result.shards["bob"]
    fish = Category(ann.next_category_id(), "fish")
    ann.add_category(fish)  # ann adds a class and uses it
    image = next(iter(ann.images.values()))
    ann.add_annotation(box_annotation(ann.next_annotation_id(), image.id, fish.id, [2, 2, 6, 6]))
    bob.categories[2].name = "hound"  # bob renames "dog"
    for a in list(bob.annotations_with_category(3)):  # and deletes "bird" with its objects
        bob.remove_annotation(a.id)
    bob.remove_category(3)
    first = merge_shards([Shard.of(ann, "ann")], base=base, manifest=result.manifest)
    assert [c.type for c in first.conflicts] == ["category_added"]
    first.project.add_category(Category(first.project.next_category_id(), "eel"))  # the lead adds one
    late = merge_shards([Shard.of(bob, "bob")], base=first.project, manifest=result.manifest)
    missing = [c for c in late.conflicts if c.type == "category_missing"]
    # dealt out and deleted; not fish, not eel, not "dog" (renamed: said once, as category_renamed)
    assert [c.data["names"] for c in missing] == [["bird"]]
    assert [c.data["expected"] for c in late.conflicts if c.type == "category_renamed"] == ["dog"]
    again = merge_shards([Shard.of(ann, "ann")], base=late.project, manifest=result.manifest)
    assert not [c for c in again.conflicts if c.type == "category_missing"]  # not hound


def test_a_class_an_annotator_renamed_is_kept_apart_in_a_colour_of_its_own(tmp_path: Path) -> None:
    base = make_project(tmp_path, 6)
    for c in base.categories.values():
        c.color = {1: "#e6194b", 2: "#3cb44b", 3: "#4363d8"}.get(c.id)
    result = split_project(base, ["ann", "bob"], overlap=0.5, seed=2)
    bob = result.shards["bob"]
    bob.categories[2].name = "hound"  # bob renames "dog"; its colour stays dog's
    both = merge_shards(
        [Shard.of(result.shards["ann"], "ann"), Shard.of(bob, "bob")], base=base, manifest=result.manifest
    )
    merged, merged_conflicts = both.project, both.conflicts
    colours = {c.name: c.color for c in merged.categories.values()}
    assert colours["dog"] == "#3cb44b" and colours["cat"] == "#e6194b"  # the project's own stay
    assert colours["hound"] not in {"#3cb44b", "#e6194b", "#4363d8"}
    assert bob.categories[2].color == "#3cb44b"  # the shard itself is not changed
    (renamed,) = [c for c in merged_conflicts if c.type == "category_renamed"]
    assert "`pixelproof taxonomy merge MERGED hound dog`" in renamed.message  # the way on
