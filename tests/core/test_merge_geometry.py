"""Shards that give an image another geometry than the base (or than each other): another pixel_spacing
(an annotator's tool wrote 0.5 mm where the lead's project says 0.8 mm), another slice_position. merge kept
one record unsaid: the base's with a base, the first shard's without one. The base's is kept (the lead's
project is the reference, as qa trusts the reference's spacing), the first shard's only where there is no
base, and every disagreement is reported (``geometry_differs``; pixel_spacing in qa's words) in every merge
path: an image one shard edited, one it left alone, an overlap image, a merged project joined again."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.merge_geometry import geometry_lines
from pixelproof.core.model import Project
from pixelproof.core.split import image_key, split_project
from tests.core.teams_data import box_annotation, make_project

BASE = [0.8, 0.8]


def _team(tmp_path: Path) -> tuple[Project, dict, dict[str, Project], dict[str, str]]:
    """A project whose images all have 0.8 mm pixels and a slice_position; ann and bob's shards in
    which ann edits one of her own images and gives it 0.5 mm, gives another (left alone) 0.6 mm and a
    third 0.8 mm in float32 (no disagreement); on an overlap image ann keeps 0.8 mm, bob gives 0.5 mm and
    another slice_position."""
    base = make_project(tmp_path, 12)
    for im in base.images.values():
        im.extra["pixel_spacing"] = list(BASE)
        im.extra["slice_position"] = float(im.id)
    save_project(base)
    result = split_project(base, ["ann", "bob"], overlap=0.4, seed=3)
    shards = {n: load_project(save_project(s, tmp_path / f"{n}.json")) for n, s in result.shards.items()}
    overlap = {image_key(base, base.image_by_file_name(n)) for n in result.overlap}
    ann, bob = shards["ann"], shards["bob"]
    own = [im for im in ann.images.values() if image_key(ann, im) not in overlap]
    edited, alone, rounded = own[:3]
    ann.add_annotation(box_annotation(ann.next_annotation_id(), edited.id, 1, [3, 3, 9, 9]))
    edited.extra["pixel_spacing"] = [0.5, 0.5]
    alone.extra["pixel_spacing"] = [0.6, 0.6]
    rounded.extra["pixel_spacing"] = [0.800000011920929] * 2
    shared = next(im for im in bob.images.values() if image_key(bob, im) in overlap)
    shared.extra["pixel_spacing"] = [0.5, 0.5]
    shared.extra["slice_position"] = shared.extra["slice_position"] + 2.5
    for s in shards.values():
        save_project(s)
    names = {"edited": edited.file_name, "alone": alone.file_name, "rounded": rounded.file_name}
    names["shared"] = shared.file_name
    return base, result.manifest, shards, names


def _spacing(project: Project, name: str) -> list[float]:
    return project.image_by_file_name(name).extra["pixel_spacing"]


def test_merge_keeps_the_bases_geometry_and_reports_each_disagreement(tmp_path: Path) -> None:
    base, manifest, _, names = _team(tmp_path)
    loaded = [Shard.of(load_project(tmp_path / f"{n}.json"), n) for n in ("ann", "bob")]
    result = merge_shards(loaded, base=load_project(base.path), manifest=manifest)
    merged = result.project
    for im in merged.images.values():  # the base's record, whatever the shards say
        assert im.extra == base.image_by_file_name(im.file_name).extra, im.file_name
    rows = result.report()["geometry_differs"]
    got = {(r["file_name"], r["key"], r["shard"], str(r["value"])) for r in rows}
    assert got == {
        (names["edited"], "pixel_spacing", "ann", "[0.5, 0.5]"),
        (names["alone"], "pixel_spacing", "ann", "[0.6, 0.6]"),
        (names["shared"], "pixel_spacing", "bob", "[0.5, 0.5]"),
        (names["shared"], "slice_position", "bob", str(base.image_by_file_name(names["shared"]).id + 2.5)),
    }
    assert all(r["kept_from"] == "base" for r in rows)
    assert all(r["kept"] == base.image_by_file_name(r["file_name"]).extra[r["key"]] for r in rows)
    lines = geometry_lines(rows)
    ann_line = next(x for x in lines if x.startswith("pixel_spacing differs: base [0.8, 0.8] mm, ann [0.5"))
    assert names["edited"] in ann_line and ann_line.endswith("; the merged project keeps the base's")
    assert any(x.startswith("pixel_spacing differs: base [0.8, 0.8] mm, bob [0.5, 0.5] mm on 1 image (")
               and names["shared"] in x for x in lines)  # fmt: skip
    assert any(x.startswith("slice_position differs: base") and "bob" in x for x in lines)
    assert names["rounded"] not in " ".join(lines)  # float32 rounding is no disagreement

    # the merged project joined again by bob's shard (a late delivery): its versions side by side
    save_project(merged, tmp_path / "merged.json")
    again = merge_shards(
        [Shard.of(load_project(tmp_path / "bob.json"), "bob")], base=load_project(tmp_path / "merged.json")
    )
    assert _spacing(again.project, names["shared"]) == BASE
    assert {(r["file_name"], r["key"]) for r in again.report()["geometry_differs"]} == {
        (names["shared"], "pixel_spacing"),
        (names["shared"], "slice_position"),
    }


def test_without_a_base_the_first_shards_geometry_is_kept_and_the_others_reported(tmp_path: Path) -> None:
    _, manifest, _, names = _team(tmp_path)
    loaded = [Shard.of(load_project(tmp_path / f"{n}.json"), n) for n in ("ann", "bob")]
    result = merge_shards(loaded, manifest=manifest)
    shared = result.project.image_by_file_name(names["shared"])
    assert shared.extra["pixel_spacing"] == BASE  # ann's, the first shard's
    rows = result.report()["geometry_differs"]
    assert {(r["key"], r["kept_from"], r["shard"]) for r in rows} == {
        ("pixel_spacing", "ann", "bob"),
        ("slice_position", "ann", "bob"),
    }
    line = geometry_lines(rows)[0]
    assert line.startswith("pixel_spacing differs: ann [0.8, 0.8] mm, bob [0.5, 0.5] mm on 1 image (")
    assert "the merged project keeps ann's" in line and "--into" in line


def test_merged_into_a_base_a_shards_record_kept_names_no_into() -> None:
    """An image the base lacks (two shards added it) keeps the first shard's record: before, the line said
    `no base to settle it: merge into the lead's project, --into` of a merge made with --into."""
    row = {"file_name": "new.png", "key": "pixel_spacing", "kept": [0.5, 0.5], "kept_from": "ann",
           "from_base": False, "shard": "bob", "value": [0.8, 0.8]}  # fmt: skip
    into = geometry_lines([row], base_given=True)[0]
    assert into.endswith("keeps ann's (the base does not hold this image: no record of its own to keep)")
    assert "--into" in geometry_lines([row])[0]  # without a base, --into is the way on
