"""Two annotators who each add a class, 'Heron' and 'heron': merge keeps them apart and says they differ
only in case, with the ``taxonomy merge`` that joins them (before: two plain ``category_added`` lines)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, new_category, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.split import split_project
from tests.core.teams_data import make_project


def test_classes_added_with_names_equal_but_for_case_are_said_as_such(tmp_path: Path) -> None:
    base = make_project(tmp_path, 4)
    save_project(base)
    result = split_project(base, ["ann", "bob", "cy"], seed=0)
    shards = []
    for who, name in (("ann", "Heron"), ("bob", "heron"), ("cy", "zebra")):
        shard = result.shards[who]
        shard.add_category(new_category(shard, name))
        save_project(shard, tmp_path / f"{who}.json")
        shards.append(Shard.of(load_project(tmp_path / f"{who}.json"), who))
    merged = merge_shards(shards, base=load_project(base.path), manifest=result.manifest)
    added = {c.data["name"]: c for c in merged.conflicts if c.type == "category_added"}
    assert set(added) == {"Heron", "heron", "zebra"}
    assert {c.name for c in merged.project.categories.values()} >= {"Heron", "heron"}  # kept apart
    assert added["heron"].data["same_as"] == "Heron"
    assert "differs from 'Heron' only in case" in added["heron"].message
    assert "taxonomy merge MERGED heron Heron" in added["heron"].message
    assert "same_as" not in added["zebra"].data and "only in case" not in added["zebra"].message
