"""The merged project does not depend on the order the shards are given in (``merge.canonical_order``)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, new_category, save_project
from pixelproof.core.coco_dump import dumps_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.split import split_project
from tests.core.teams_data import box_annotation, make_project


def test_shards_given_in_another_order_merge_to_the_same_bytes(tmp_path: Path) -> None:
    base = make_project(tmp_path, 8)
    save_project(base)
    result = split_project(base, ["ann", "bob", "cy"], overlap=0.5, seed=1)
    out = tmp_path / "shards"
    out.mkdir()
    for who, shard in result.shards.items():
        # each adds a class of its own and draws it on every image (overlap images too): the new classes'
        # ids and the overlap copies' object ids were handed out in the order the shards came
        cat = new_category(shard, f"new-{who}")
        shard.add_category(cat)
        for im in list(shard.images.values()):
            shard.add_annotation(box_annotation(shard.next_annotation_id(), im.id, cat.id, [2, 2, 8, 8]))
        save_project(shard, out / f"{who}.json")
    assert result.overlap
    names = ["ann", "bob", "cy"]
    merged = []
    for order in (names, names[::-1], ["bob", "cy", "ann"]):
        shards = [Shard.of(load_project(out / f"{n}.json"), n) for n in order]
        merged.append(
            dumps_project(
                merge_shards(shards, base=load_project(base.path), manifest=result.manifest).project
            )
        )
    assert merged[0] == merged[1] == merged[2]
    # and without --into: the image records come from the first shard in name order, whoever is given first
    alone = []
    for order in (names, names[::-1]):
        shards = [Shard.of(load_project(out / f"{n}.json"), n) for n in order]
        alone.append(dumps_project(merge_shards(shards, manifest=result.manifest).project))
    assert alone[0] == alone[1]
