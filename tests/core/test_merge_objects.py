"""An image that is not an overlap image edited in two shards, merged object by object when the base
still holds what the split dealt out (``merge_objects``): changes to different objects all land; the same
object changed in both keeps both versions side by side (``edited_in_two_shards``); without a known base
nothing changes. The shards are real splits of one project (two rounds, so each image is in two shards)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import dumps_project, load_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.split import split_project
from tests.core.teams_data import box_annotation, make_project

IMAGE = 3  # objects 5 (a mask) and 6 (a box) in make_project


def _two_rounds(tmp_path: Path) -> tuple[Project, dict[str, Project], str, str]:
    """The base, saved, and the shards of two splits of it (ann/bob, then cy/dan): image ``IMAGE`` is in
    one shard of each; the names of those two shards."""
    base = make_project(tmp_path, 8)
    save_project(base)
    shards: dict[str, Project] = {}
    for names, seed in ((["ann", "bob"], 1), (["cy", "dan"], 2)):
        split = split_project(base, names, overlap=0.0, seed=seed)
        for name, shard in split.shards.items():
            shards[name] = load_project(save_project(shard, tmp_path / f"{name}.json"))
    first = next(n for n in ("ann", "bob") if IMAGE in shards[n].images)
    second = next(n for n in ("cy", "dan") if IMAGE in shards[n].images)
    return base, shards, first, second


def _merge(shards: dict[str, Project], base: Project | None, order: list[str] | None = None):  # type: ignore[no-untyped-def]
    names = order or list(shards)
    return merge_shards([Shard.of(shards[n], n) for n in names], base=base)


def _by_id(project: Project, image_id: int) -> dict[int, list[float]]:
    return {a.id: a.bbox for a in project.annotations_of(image_id)}


def test_two_shards_changing_different_objects_merge_object_by_object(tmp_path: Path) -> None:
    base, shards, one, two = _two_rounds(tmp_path)
    shards[one].annotations[6].set_geometry(None, [2.0, 2.0, 9.0, 9.0], 81.0)  # moves object 6
    shards[two].remove_annotation(5)  # deletes object 5 and draws one
    drawn = shards[two].next_annotation_id()
    shards[two].add_annotation(box_annotation(drawn, IMAGE, 2, [30, 30, 6, 6]))
    result = _merge(shards, load_project(base.path))
    assert result.conflicts == []
    merged = result.project
    assert _by_id(merged, IMAGE) == {6: [2.0, 2.0, 9.0, 9.0], drawn: [30.0, 30.0, 6.0, 6.0]}
    assert {a.id: a.author for a in merged.annotations_of(IMAGE)} == {6: one, drawn: two}
    assert all(ANNOTATOR_KEY not in a.app_extra for a in merged.annotations_of(IMAGE))
    assert result.stats["merged_by_object"] == 1 and result.stats["edited_in_two_shards"] == 0
    for i in set(base.images) - {IMAGE}:  # the other images are as they were
        assert _by_id(merged, i) == _by_id(base, i)
    # the same shards merged again into the merged project: it holds their work already, nothing changes
    again = _merge(shards, merged)
    assert again.conflicts == [] and again.left_out == []
    assert dumps_project(again.project) == dumps_project(merged)

    # no known base: without --into, or a base the lead changed since the split: both versions side by side
    alone = _merge(shards, None)
    changed = load_project(base.path)
    changed.annotations[6].note = "checked"
    late = _merge(shards, changed)
    for got in (alone, late):
        assert "edited_in_two_shards" in [c.type for c in got.conflicts]
        assert got.stats["merged_by_object"] == 0 and got.stats["edited_in_two_shards"] == 1
        tags = {a.app_extra.get(ANNOTATOR_KEY) for a in got.project.annotations_of(IMAGE)}
        assert tags == {one, two}


def test_the_same_object_changed_in_both_keeps_both_versions_and_names_it(tmp_path: Path) -> None:
    base, shards, one, two = _two_rounds(tmp_path)
    shards[one].annotations[6].set_geometry(None, [2.0, 2.0, 9.0, 9.0], 81.0)
    shards[two].annotations[6].set_geometry(None, [4.0, 4.0, 9.0, 9.0], 81.0)  # the same object, elsewhere
    shards[two].remove_annotation(5)
    result = _merge(shards, load_project(base.path))
    [conflict] = result.conflicts
    assert conflict.type == "edited_in_two_shards" and conflict.data == {"objects": [6]}
    assert "object 6 changed in two of them differently" in conflict.message
    objects = result.project.annotations_of(IMAGE)
    kept = sorted((a.app_extra[ANNOTATOR_KEY], a.bbox) for a in objects)
    assert kept == sorted(
        [(one, [2.0, 2.0, 9.0, 9.0]), (one, base.annotations[5].bbox), (two, [4.0, 4.0, 9.0, 9.0])]
    )
    assert result.stats["merged_by_object"] == 0 and result.stats["edited_in_two_shards"] == 1

    # changed in one, deleted in the other: a clash too
    shards[two].remove_annotation(6)
    deleted = _merge(shards, load_project(base.path))
    assert [c.data for c in deleted.conflicts] == [{"objects": [6]}]


def test_an_object_merge_is_the_same_bytes_in_any_shard_order(tmp_path: Path) -> None:
    """Both shards add an object under one id (two rounds' ranges may coincide: one is renumbered) and
    change others: the merged project and its report do not depend on the order the shards are given in."""
    base, shards, one, two = _two_rounds(tmp_path)
    shards[one].annotations[6].set_geometry(None, [2.0, 2.0, 9.0, 9.0], 81.0)
    shards[one].set_image_status(IMAGE, "done")
    shards[two].annotations[5].review = "accepted"
    drawn = max(shards[one].next_annotation_id(), shards[two].next_annotation_id())
    for name, y in ((one, 5), (two, 25)):
        shards[name].add_annotation(box_annotation(drawn, IMAGE, 1, [5, y, 4, 4]))
    results = [
        _merge(shards, load_project(base.path), order)
        for order in (["ann", "bob", "cy", "dan"], ["dan", "cy", "bob", "ann"], ["cy", "ann", "dan", "bob"])
    ]
    assert results[0].stats["merged_by_object"] == 1
    assert [c.type for c in results[0].conflicts] == ["annotation_id_collision"]
    assert len(results[0].project.annotations_of(IMAGE)) == 4
    assert results[0].project.image_status(IMAGE) == "done"
    assert results[0].project.annotations[5].review == "accepted"
    first = dumps_project(results[0].project)
    for other in results[1:]:
        assert dumps_project(other.project) == first
        assert other.report() == results[0].report()
